"""The guide with the keyboard alone, and printing a list to PDF with its short link and QR code."""

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

ROOT = Path(__file__).parent.parent.parent


def test_the_guide_can_be_answered_with_the_keyboard_and_ends_on_matching_offerings(page, live_server):
    page.goto(live_server + "/hitta-ratt")
    assert page.locator("legend h1").inner_text().startswith("Har du ett beslut")  # the decision comes first
    with page.expect_navigation():
        page.click("button[type=submit]")  # skip it
    page.focus("#svar-jobb")
    page.keyboard.press("Space")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the question's form
    # No offering has told us its hours, so the hours question is not asked: the district is next.
    assert "steg=3" in page.url and page.locator("legend h1").inner_text().startswith("Var i staden")
    with page.expect_navigation():
        page.click("button[type=submit]")  # skip the district
    page.focus("#svar-ja")
    page.keyboard.press("Space")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/hitta-ratt/klar?vill=jobb&ips=ja")
    assert page.locator("h1").inner_text() == "Det här passar det du berättade"
    assert page.locator(".hit").count() >= 2
    assert (
        "Passar dina val: Arbetsinriktad – steg mot ett jobb · Arbetar med IPS"
        in page.locator(".why").first.inner_text()
    )


def test_going_back_in_the_guide_keeps_the_answers(page, live_server):
    page.goto(live_server + "/hitta-ratt?tillgang=beslut&steg=1")
    page.check("#svar-gemenskap")
    with page.expect_navigation():
        page.click("button[type=submit]")
    with page.expect_navigation():
        page.click("text=Tillbaka till förra frågan")
    assert page.is_checked("#svar-gemenskap")


def test_a_printed_list_shows_the_facts_the_date_the_short_link_and_a_qr_code_but_no_navigation(page, live_server):
    page.goto(live_server + "/lista?v=misa&v=fountain-house-stockholm")
    with page.expect_navigation():
        page.click("text=Skapa kort länk")
    short = page.locator(".short-link").inner_text()
    assert "/l/" in short
    page.emulate_media(media="print")
    assert page.locator(".print-only img").is_visible()
    assert page.evaluate("document.querySelector('.print-only img').naturalWidth") > 0
    assert not page.locator(".site-nav").is_visible() and not page.locator(".share").is_visible()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages)
    squashed = " ".join(text.split())
    assert "Misa" in squashed and "Fountain House Stockholm" in squashed
    assert "Utskriven" in squashed
    assert short in "".join(text.split())  # the short link, even if the PDF breaks it across lines
    assert "Hitta rätt" not in squashed and "Vägledning" not in squashed


def test_a_printed_provider_and_comparison_keep_their_facts_and_drop_the_chrome(page, live_server):
    for path, expected in [
        ("/verksamhet/fontanhuset-skondal", ["Fontänhuset Sköndal", "Så börjar du", "Öppettider"]),
        ("/jamfor?v=misa&v=alfa", ["Misa", "Alfa", "Inriktning", "Stöd till jobb enligt IPS"]),
    ]:
        page.goto(live_server + path)
        page.emulate_media(media="print")
        text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages).split())
        for phrase in expected + ["Utskriven"]:
            assert phrase in text, (path, phrase)
        assert "Hitta rätt" not in text and "Skapa kort länk" not in text


def test_a_printed_search_fits_a4_without_the_filters(page, live_server):
    page.goto(live_server + "/sok?stadsdel=farsta")
    page.emulate_media(media="print")
    assert not page.locator(".filters").is_visible()
    reader = PdfReader(io.BytesIO(page.pdf(format="A4")))
    assert "Fontänhuset Sköndal" in "".join(p.extract_text() for p in reader.pages)


def test_copy_link_appears_only_with_javascript_and_copies(browser, live_server):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(live_server + "/lista?v=misa")
    page.click("button.copy-link")
    expect(page.locator(".copy-status")).to_have_text("Länken är kopierad")  # the clipboard answers later
    assert page.evaluate("navigator.clipboard.readText()").endswith("/lista?v=misa")
    context.close()
    no_js = browser.new_context(java_script_enabled=False)
    page = no_js.new_page()
    page.goto(live_server + "/lista?v=misa")
    assert not page.locator("button.copy-link").is_visible()
    no_js.close()


@pytest.mark.parametrize("prefix, width", [("", 1280), ("/ar", 390)])
def test_min_lista_survives_a_filter_change_and_keeps_every_saved_offering(browser, live_server, prefix, width):
    """Issue 11's steps: save two with IPS ticked, change the filters, save a third: all three are kept."""
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server}{prefix}/sok?ips=ja")
    for slug in ("alfa", "misa"):
        with page.expect_navigation():
            page.click(f"#v-{slug} .save a")
    if page.locator("details.filters").get_attribute("open") is None:
        page.click("details.filters > summary")  # on a phone the filters wait behind one tap
    page.uncheck("input[name=ips][value=ja]")
    page.check("input[name=stadsdel][value=farsta]")
    with page.expect_navigation():
        page.click("button.apply")
    assert "stadsdel=farsta" in page.url and "ips=" not in page.url
    assert "v=alfa" in page.url and "v=misa" in page.url
    with page.expect_navigation():
        page.click("#v-fontanhuset-skondal .save a")
    my_list = page.locator(".site-header .my-list a")
    assert my_list.inner_text().endswith("(3)")
    with page.expect_navigation():
        my_list.click()
    assert page.locator("ol.saved > li").count() == 3
    assert "Fontänhuset Sköndal" in page.locator("ol.saved").inner_text()
    context.close()


@pytest.mark.parametrize("path", ["/lista?v=alfa&v=misa", "/ar/jamfor?v=alfa&v=misa", "/sok?q=kafé&v=alfa", "/ar/"])
def test_a_new_short_link_is_announced_at_the_top_and_takes_focus(browser, live_server, path):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server + path)
    with page.expect_navigation():
        page.click(".share button[form=kort-lank-form]")  # also inside the search form, which it must not send
    assert "kort=" in page.url and page.url.endswith("#ny-kort-lank")
    banner = page.locator("#ny-kort-lank")
    assert banner.is_visible() and 0 <= banner.bounding_box()["y"] < 844
    assert page.evaluate("document.activeElement.id") == "ny-kort-lank"
    link = page.locator(".short-link-large")
    assert "/l/" in link.inner_text()
    assert float(link.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px")) >= 24
    page.goto(page.url.split("#")[0])  # the same address shared on: no banner, the link is in "Spara och dela"
    assert not page.locator("#ny-kort-lank").is_visible()
    context.close()


def printed(page, path: str) -> tuple[str, int]:
    """The page printed to A4: its text on one line, and how many pages it takes."""
    page.goto(path)
    page.emulate_media(media="print")
    reader = PdfReader(io.BytesIO(page.pdf(format="A4")))
    return " ".join("".join(p.extract_text() for p in reader.pages).split()), len(reader.pages)


def test_a_printed_search_says_the_chosen_filters_in_words(page, live_server):
    text, _pages = printed(page, live_server + "/sok?q=kafé&stadsdel=farsta&tillgang=oppen")
    assert "Du har valt" in text
    for said in ["Sökning: kafé", "Stadsdel: Farsta", "Hur du börjar: Öppen – gå dit utan beslut"]:
        assert said in text, said
    assert "Ta bort filtret" not in text


def test_a_printed_list_is_what_a_client_takes_home(page, live_server):
    text, _pages = printed(
        page, live_server + "/lista?v=misa&v=stadsmissionen-motesplats-mariatorget&v=emma-trafflokal"
    )
    assert "Jämför" not in text  # no buttons on paper
    for fact in ["Så börjar du", "Adress", "Mariatorget 10", "Måndag–söndag 11.30–20.00", "https://www.misa.se/"]:
        assert fact in text, fact
    # EMMA has no phone or e-mail: the paper ends with whom to call and where to apply, never a bare
    # "ask your case handler".
    assert "Nästa steg" in text and "08-508 00 508" in text and "funktionsnedsattning.stockholm" in text
    assert "Din handläggare" not in text


def test_every_printed_provider_fits_two_a4_pages(page, live_server):
    for path in sorted((ROOT / "content" / "providers").glob("*.md")):
        _text, pages = printed(page, f"{live_server}/verksamhet/{path.stem}")
        assert pages <= 2, (path.stem, pages)


def test_in_arabic_on_a_phone_the_guide_ends_calmly_and_the_list_prints_what_to_take_home(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server + "/ar/hitta-ratt/klar?vill=skapa&timmar=1-12&stadsdel=farsta")
    assert page.locator("h1").inner_text() == "هذا يناسب ما أخبرتنا به"
    assert page.locator(".hit").count() >= 1 and page.locator(".not-stated").count() >= 1
    assert page.locator('a.button-link[href^="/ar/sok?aktivitet=kreativt"]').count() == 1
    page.goto(live_server + "/ar/lista?v=stadsmissionen-motesplats-mariatorget&v=emma-trafflokal")
    page.emulate_media(media="print")
    assert not page.locator(".button-link").first.is_visible() and not page.locator(".share").is_visible()
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages).split())
    assert "Mariatorget 10" in text and "08-508 00 508" in text
    context.close()
