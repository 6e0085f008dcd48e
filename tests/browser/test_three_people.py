"""Three people, replayed in Chromium on a 390 px phone over the real content, as issue 22 measured them.
Each must end with something to do: a number to call, an address with its times, or a web address to apply.

1. A tired person with no decision yet, who wants somewhere to go: the guide, then one offering.
2. A mother whose son in Tensta wants a job: a search narrowed to Järva, then an offering, then the district.
3. A case handler in Skärholmen, in a meeting: filters, Min lista, a short link, and the printout.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()


def answer(page, choice: str | None = None) -> None:
    """Tick an answer in the guide (or none) and go on, as a thumb would."""
    if choice:
        page.locator(f"label[for=svar-{choice}]").click()
    with page.expect_navigation():
        page.locator("button[type=submit]").click()


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def concrete_actions(page, scope: str) -> list[str]:
    """The hrefs of numbers, addresses to write to and pages to apply on, and each address with its times."""
    links = page.locator(f"{scope} .action-tel a, {scope} .action-mailto a, {scope} .action-apply a")
    found = [links.nth(i).get_attribute("href") for i in range(links.count())]
    visits = page.locator(f"{scope} .action-visit")
    found += [visits.nth(i).inner_text() for i in range(visits.count()) if visits.nth(i).locator(".times li").count()]
    return found


def test_a_tired_person_with_no_decision_finds_a_door_and_its_opening_times(phone, live_server):
    page = phone
    page.goto(live_server + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="Hitta rätt").first.click()
    assert page.locator("legend h1").inner_text() == "Har du ett beslut om sysselsättning från din stadsdel?"
    answer(page, "oppen")  # no decision: something to walk into
    assert page.locator("legend h1").inner_text() == "Vad vill du få ut av dina dagar?"
    answer(page, "gemenskap")
    # Never asked about the hours of a decision she does not have.
    assert page.locator("legend h1").inner_text() == "Var i staden vill du vara?"
    assert "fråga 3 av 4" in page.locator(".guide-progress").inner_text()
    answer(page, "vet-inte")
    answer(page)  # IPS: skipped
    assert page.locator("h1").inner_text() == "Det här passar det du berättade"
    no_sideways_scroll(page)
    names = [name.strip() for name in page.locator(".hits .hit h3").all_inner_texts()]
    assert "Mötesplats Mariatorget (Stockholms Stadsmission)" in names  # the clearest walk-in place is a match
    assert concrete_actions(page, ".next-step")  # the end page itself names whom to call
    with page.expect_navigation():
        page.get_by_role("link", name="Mötesplats Mariatorget (Stockholms Stadsmission)").first.click()
    # On the provider page the first way in is the door: its address and times, on the second screen at most.
    first_way = page.locator(".how-to-start .way").first
    assert first_way.locator("h3").inner_text() == "Gå dit"
    assert "Mariatorget 10" in first_way.inner_text() and "Måndag–söndag 11.30–20.00" in first_way.inner_text()
    assert first_way.bounding_box()["y"] < 2 * PHONE["height"]
    assert "Verksamheten har inte bekräftat uppgifterna ännu" in page.locator(".evidence").inner_text()
    assert any("Mariatorget 10" in action for action in concrete_actions(page, ".next-step"))
    no_sideways_scroll(page)


def test_a_mother_whose_son_in_tensta_wants_a_job_ends_with_a_number_in_jarva(phone, live_server):
    page = phone
    page.goto(live_server + "/")
    page.fill("#q", "jobb")
    with page.expect_navigation():
        page.press("#q", "Enter")
    page.locator("details.filters > summary").click()
    page.locator("label[for=f-stadsdel-jarva]").click()
    with page.expect_navigation():
        page.locator("button.apply").click()
    assert "stadsdel=jarva" in page.url
    no_sideways_scroll(page)
    # Something in Järva itself, not one of the offerings for the whole city listed with it.
    first = page.locator(".hits .hit").filter(has=page.locator(".tags li", has_text=re.compile("^Järva"))).first
    first = first.locator("h3 a")
    name = first.inner_text()
    with page.expect_navigation():
        first.click()
    assert page.locator("h1").inner_text() == name
    start = page.locator(".how-to-start")
    # The page knows the district she searched in: it names Järva's own number, not a list of districts.
    assert "Bor du i Järva? Du ansöker hos socialtjänsten där." in start.inner_text()
    assert "tel:0850801000" in concrete_actions(page, ".how-to-start")
    with page.expect_navigation():
        start.get_by_role("link", name="Allt om att ansöka i Järva").click()
    assert page.locator("h1").inner_text() == "Sysselsättning i Järva"
    assert "tel:0850801000" in concrete_actions(page, ".next-step")
    assert "mailto:jarva@stockholm.se" in concrete_actions(page, ".next-step")
    no_sideways_scroll(page)


def test_a_case_handler_in_skarholmen_prints_a_list_that_ends_with_whom_to_contact(phone, live_server):
    page = phone
    page.goto(live_server + "/sok?stadsdel=skarholmen&inriktning=social")
    saved = []
    for _ in range(2):
        hit = page.locator(".hits .hit").nth(len(saved))
        saved.append(hit.locator("h3").inner_text())
        with page.expect_navigation():
            hit.locator(".save a").click()
    with page.expect_navigation():
        page.locator(".my-list a").click()
    assert page.locator("h1").inner_text() == "Min lista"
    for name in saved:
        assert name in page.locator(".hits").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Skapa kort länk").click()
    assert page.locator("#ny-kort-lank").is_visible()  # the banner, on screen
    short = page.locator(".short-link").inner_text()
    # The list ends with whom to contact in Skärholmen: its mailbox, the city's number and where to apply.
    closing = concrete_actions(page, ".next-step")
    assert "mailto:skarholmen@stockholm.se" in closing and "tel:0850800508" in closing
    assert any(href.startswith("https://funktionsnedsattning.stockholm/") for href in closing)
    no_sideways_scroll(page)
    page.emulate_media(media="print")
    assert not page.locator("#ny-kort-lank").is_visible(), "the screen's banner is not on paper"
    assert page.locator(".next-step").is_visible() and page.locator(".take-home").first.is_visible()
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages).split())
    assert "Den korta länken är klar" not in text
    assert "Nästa steg" in text and "skarholmen@stockholm.se" in text and "08-508 00 508" in text
    assert "funktionsnedsattning.stockholm" in text  # a web address is written out on paper
    assert re.search(r"Uppgifterna kommer från \d{4}", text)  # each offering's age, on paper too
    assert short.replace(" ", "") in text.replace(" ", "")


@pytest.mark.parametrize(
    "path",
    [
        "/verksamhet/aktivitetshuset",
        "/stadsdel/skarholmen",
        "/jamfor?v=misa&v=aktivitetshuset",
        "/hitta-ratt/klar?tillgang=beslut&vill=jobb",
    ],
)
def test_on_paper_every_page_kind_ends_in_its_next_step_without_screen_only_parts(page, live_server, path):
    page.goto(live_server + path)
    page.emulate_media(media="print")
    assert page.locator(".next-step").is_visible()
    assert not page.locator(".share").is_visible() and not page.locator(".site-nav").is_visible()
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages).split())
    assert "Nästa steg" in text
    assert re.search(r"0\d[\d -]{6,}|@|https?://", text[text.index("Nästa steg") :]), path
