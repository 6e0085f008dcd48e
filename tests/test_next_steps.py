"""Every page ends in a next step: the ways into an offering, derived from what is known (next_steps).

These are the rules on small records; ``test_every_page_ends_in_a_next_step.py`` walks the real catalogue.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from catalogue.query import SearchRequest
from catalogue.site import next_steps
from catalogue.site.next_steps import APPLY, APPLY_FOR_DECISION, CONTACT, GUIDANCE, PAGE, TEL, VISIT, WALK_IN

TODAY = dt.date(2026, 12, 6)
PLACES = {
    "switchboard": {"name": "Stadens kontaktcenter", "phone": "08-508 00 508",
                    "sources": [{"title": "S", "date": "2020", "covers": ["phone"]}]},
    "how_to_apply": {"e_service": "https://example.org/ansok", "contact_centre": "Kontaktcenter Test",
                     "sources": [{"title": "A", "date": "2024"}]},
    "districts": {"jarva": {"phone": "08-508 01 000", "email": "jarva@example.org",
                            "sources": [{"title": "J", "date": "2023-07-01", "covers": ["phone", "email"]}]}},
}  # fmt: skip
GUIDANCE_RECORD = {
    "slug": "alfa",
    "name": "Alfa",
    "contact": {"phone": "08-508 25 185"},
    "sources": [{"title": "ESF", "date": "2009", "covers": ["contact.phone"]}],
}
OPEN_DOOR = {
    "slug": "oppna-dorren",
    "access": ["oppen"],
    "address": {"street": "Mariatorget 10", "city": "Stockholm"},
    "opening_hours": [{"days": ["mon", "sun"], "opens": "11:30", "closes": "20:00"}],
    "contact": {"phone": "08-78 78 600"},
    "sources": [{"title": "T", "date": "2022", "covers": ["address", "opening_hours"]},
                {"title": "U", "date": "2010", "covers": ["contact.phone"]}],
}  # fmt: skip


@pytest.fixture
def steps(site):
    """offering_steps in a request of the fixture site, with the places and guidance above."""
    with site.test_request_context("/"):

        def make(record: dict, search_request: SearchRequest | None = None):
            return next_steps.offering_steps(record, PLACES, GUIDANCE_RECORD, TODAY, search_request)

        yield make


def kinds(found) -> list[str]:
    return [way.kind for way in found.ways]


def test_a_door_with_an_address_and_times_comes_first_then_its_own_number(steps):
    found = steps(OPEN_DOOR)
    assert kinds(found) == [WALK_IN, CONTACT]  # no decision needed: no "apply", and no guidance needed
    visit = found.ways[0].actions[0]
    assert (visit.kind, visit.text, visit.lines) == (VISIT, "Mariatorget 10, Stockholm", ("Måndag–söndag 11.30–20.00",))
    assert visit.concrete and found.best is found.ways[0]
    phone = found.ways[1].actions[0]
    assert (phone.kind, phone.href, phone.old_year) == (TEL, "tel:087878600", "2010")  # old evidence shows its year
    assert found.intro == ["Du kan komma hit utan beslut."]


def test_an_address_without_times_is_not_a_concrete_next_step(steps):
    found = steps(OPEN_DOOR | {"opening_hours": None, "contact": {}})
    walk_in = next(way for way in found.ways if way.kind == WALK_IN)
    assert not walk_in.concrete
    assert kinds(found)[0] == GUIDANCE, "the first concrete way leads, and someone is named who can be reached"
    assert found.best.actions[0].href == "tel:0850825185" and found.best.actions[0].old_year == "2009"


def test_a_decision_leads_to_the_district_and_the_citys_way_in_never_to_a_case_handler_alone(steps):
    found = steps({"slug": "med-beslut", "access": ["beslut"], "sources": []})
    assert kinds(found) == [APPLY_FOR_DECISION, GUIDANCE]
    apply = found.ways[0]
    assert apply.title == "Ansök om ett beslut"
    assert [action.kind for action in apply.actions] == [TEL, APPLY, PAGE]
    assert (
        apply.actions[0].text == "08-508 00 508" and "socialtjänsten i stadsdelen där du bor" in apply.actions[0].note
    )
    assert apply.actions[1].href == "https://example.org/ansok" and "Kontaktcenter Test" in apply.actions[1].note
    assert apply.actions[2].href == "/stadsdelar"
    assert found.intro[0].startswith("Du behöver ett beslut om sysselsättning")


def test_when_the_search_names_a_district_the_page_names_that_districts_own_contact(steps):
    found = steps({"slug": "med-beslut", "access": ["beslut"], "sources": []},
                  SearchRequest(filters={"stadsdel": ("jarva",)}))  # fmt: skip
    apply = found.ways[0]
    assert apply.text == "Bor du i Järva? Du ansöker hos socialtjänsten där."
    assert [(action.kind, action.text) for action in apply.actions] == [
        (TEL, "08-508 01 000"), ("mailto", "jarva@example.org"), (APPLY, "Stadens sida om hur du ansöker"),
        (PAGE, "Allt om att ansöka i Järva"),
    ]  # fmt: skip
    assert found.ways[0].actions[3].href == "/stadsdel/jarva"
    # Several districts, or the whole city: the page does not guess where the person lives.
    several = steps({"slug": "x", "access": ["beslut"], "sources": []},
                    SearchRequest(filters={"stadsdel": ("jarva", "farsta")}))  # fmt: skip
    assert several.reader_district is None and several.ways[0].actions[-1].href == "/stadsdelar"


def test_unknown_access_says_so_and_offers_both_asking_and_applying(steps):
    found = steps({"slug": "okand", "contact": {"email": "info@example.org"}, "sources": []})
    assert found.intro == [
        "Vi vet inte om du behöver ett beslut för att börja här. Fråga verksamheten eller socialtjänsten."
    ]
    assert kinds(found) == [CONTACT, APPLY_FOR_DECISION]
    assert found.ways[1].title == "Om du behöver ett beslut"
    assert found.ways[0].actions[0].href == "mailto:info@example.org"


def test_a_website_alone_is_not_someone_to_ask(steps):
    found = steps({"slug": "webb", "access": ["oppen"], "contact": {"website": "https://example.org"}, "sources": []})
    contact = next(way for way in found.ways if way.kind == CONTACT)
    assert not contact.concrete
    assert found.best.kind == GUIDANCE


def test_an_offering_with_parts_says_each_parts_way_in_and_walks_into_the_open_one(steps):
    record = {
        "slug": "huset",
        "access": ["beslut", "oppen"],
        "parts": [
            {"name": "Öppna delen", "access": ["oppen"], "summary": "Fika.", "start": "Ring och boka."},
            {"name": "Arbetspass", "access": ["beslut"]},
        ],
        "address": {"street": "Maria Trappgränd", "city": "Stockholm"},
        "opening_hours": [
            {"days": ["thu"], "opens": "09:00", "closes": "16:00", "part": "Öppna delen"},
            {"days": ["mon"], "opens": "09:00", "closes": "12:00", "part": "Arbetspass"},
        ],
        "sources": [{"title": "T", "date": "2018", "covers": ["address", "opening_hours"]}],
    }
    found = steps(record)
    assert found.intro == []  # no sentence for the whole: each part says its own
    assert [(part.name, part.access, part.start) for part in found.parts] == [
        ("Öppna delen", "Du behöver inget beslut.", "Ring och boka."),
        ("Arbetspass", "Du behöver ett beslut om sysselsättning från stadsdelen där du bor.", None),
    ]
    walk_in = found.ways[0]
    assert (walk_in.kind, walk_in.part) == (WALK_IN, "Öppna delen")
    assert walk_in.actions[0].lines == ("Torsdag 09.00–16.00",)  # not the work shifts' hours
    assert walk_in.actions[0].old_year == walk_in.actions[0].lines_old_year == "2018"
    assert any(way.kind == APPLY_FOR_DECISION for way in found.ways)


def test_the_guidance_service_never_sends_a_reader_to_itself(steps):
    found = steps(GUIDANCE_RECORD | {"access": ["oppen"]})
    assert GUIDANCE not in kinds(found) and found.best.kind == CONTACT


def test_the_general_steps_name_the_chosen_district_or_the_city(site):
    with site.test_request_context("/"):
        city = next_steps.general_steps(PLACES, GUIDANCE_RECORD, TODAY)
        district = next_steps.general_steps(PLACES, GUIDANCE_RECORD, TODAY, "jarva")
    assert [way.kind for way in city.ways] == [APPLY_FOR_DECISION, GUIDANCE] and city.concrete
    assert district.ways[0].actions[0].text == "08-508 01 000"


# On the fixture site: the page renders the prepared ways, and ends on the best one.


def section(page: str, marker: str) -> str:
    start = page.index(marker)
    return page[start : page.index("</section>", start)]


def test_the_provider_page_shows_parts_and_the_open_parts_door(publish, app_client):
    publish(
        "aktivitetshuset-test",
        "name: Aktivitetshuset Test\nsummary: Två delar.\nstatus: active\nreviewed: 2025-01-01\n"
        "parts:\n  - {name: Öppna delen, access: [oppen], summary: Fika och umgås., start: Ring och boka ett besök.}\n"
        "  - {name: Arbetspass, access: [beslut], summary: Pass på tre timmar.}\n"
        "address: {street: Maria Trappgränd 1, city: Stockholm}\n"
        'opening_hours:\n  - {days: thu, opens: "09:00", closes: "16:00", part: Öppna delen}\n'
        "contact: {phone: 08-508 400 17}\n"
        "sources: [{title: T, date: 2024, covers: [address, opening_hours, contact.phone, parts]}]",
    )
    page = unescape(app_client.get("/verksamhet/aktivitetshuset-test").get_data(as_text=True))
    start = section(page, 'id="sa-borjar-du"')
    assert "Verksamheten har 2 delar. Så här börjar du i var och en:" in start
    assert (
        "<li><strong>Öppna delen:</strong> Du behöver inget beslut. <span>Ring och boka ett besök.</span></li>" in start
    )
    assert "<li><strong>Arbetspass:</strong> Du behöver ett beslut om sysselsättning" in start
    # Each way in is said of its part, never of the whole, where the two would read as a contradiction.
    outside = re.sub(r'<ul class="parts">.*?</ul>', "", start, flags=re.S)
    assert "beslut om sysselsättning" not in outside and "Du kan komma hit utan beslut." not in outside
    assert "Öppna delen: Fika och umgås." in page  # what you do in each part, under "Vad du gör där"
    assert '<span class="way-part">(Öppna delen)</span>' in start and "<li>Torsdag 09.00–16.00</li>" in start
    assert '<a href="tel:0850840017" dir="ltr">08-508 400 17</a>' in start
    closing = section(page, 'id="nasta-steg"')
    assert "Maria Trappgränd 1" in closing and "Torsdag 09.00–16.00" in closing  # the door, with its times
    # The search, the comparison and the open data say which way in belongs to which part, too.
    found = unescape(app_client.get("/sok?q=Aktivitetshuset+Test&tillgang=oppen").get_data(as_text=True))
    assert "Passar dina val: Öppen – gå dit utan beslut (Öppna delen)" in found
    twin = app_client.get("/api/v1/verksamhet/aktivitetshuset-test").get_json()
    assert twin["access"] == ["beslut", "oppen"] and [part["name"] for part in twin["parts"]] == [
        "Öppna delen",
        "Arbetspass",
    ]
    compare = unescape(app_client.get("/jamfor?v=aktivitetshuset-test&v=kafe-solsidan").get_data(as_text=True))
    assert "Öppna delen: Öppen – gå dit utan beslut" in compare and "Arbetspass: Med beslut från stadsdelen" in compare
    hsds = app_client.get("/api/hsds/services?search=Aktivitetshuset+Test").get_json()["contents"][0]
    assert hsds["eligibility_description"] == (
        "Öppna delen: Du behöver inget beslut. "
        "Arbetspass: Du behöver ett beslut om sysselsättning från stadsdelen där du bor."
    )
    assert hsds["application_process"] == "Öppna delen: Ring och boka ett besök."
    full = app_client.get(f"/api/hsds/services/{hsds['id']}").get_json()
    assert full["schedules"][0]["description"] == "Öppna delen"
    rows = app_client.get("/sok.csv?q=Aktivitetshuset+Test").get_data(as_text=True)
    assert "Öppna delen: Öppen – gå dit utan beslut; Arbetspass: Med beslut från stadsdelen" in rows  # access
    assert "Öppna delen: Fika och umgås.; Arbetspass: Pass på tre timmar." in rows  # parts


def test_a_suggestion_form_for_an_offering_with_parts_does_not_ask_one_access_for_all(publish, app_client):
    publish(
        "delat",
        "name: Delat\nsummary: Två delar.\nstatus: active\nreviewed: 2025-01-01\n"
        "parts: [{name: Öppna delen, access: [oppen]}, {name: Arbetspass, access: [beslut]}]\n"
        "sources: [{title: T, date: 2024}]",
    )
    form = app_client.get("/verksamhet/delat/foresla-andring").get_data(as_text=True)
    assert 'name="access"' not in form and 'name="contact-phone"' in form
    assert 'name="access"' in app_client.get("/verksamhet/kafe-solsidan/foresla-andring").get_data(as_text=True)


def test_no_page_tells_the_reader_to_ask_their_case_handler_without_saying_how(client):
    for path in ("/verksamhet/musikhuset", "/lista?v=musikhuset&v=kafe-solsidan", "/hitta-ratt/klar?tillgang=beslut",
                 "/sok?timmar=22-40&stadsdel=bromma"):  # fmt: skip
        page = unescape(client.get(path).get_data(as_text=True))
        assert "din handläggare" not in page.casefold(), path
        assert not re.search(r"Fråga [^.<]*handläggare", page), path


def test_a_guidance_service_without_its_own_number_is_reached_through_the_city_or_left_out(site):
    """Alfa's only number was a project's, 2009–2013: it is not published, so Alfa is never named alone."""
    alfa = {"slug": "alfa", "name": "Alfa", "sources": []}
    walk_in_only = {"slug": "x", "access": ["oppen"], "contact": {"website": "https://example.org"}, "sources": []}
    with site.test_request_context("/"):
        found = next_steps.offering_steps(walk_in_only, PLACES, alfa, TODAY)
        decision = next_steps.offering_steps({"slug": "y", "access": ["beslut"], "sources": []}, PLACES, alfa, TODAY)
        general = next_steps.general_steps(PLACES, alfa, TODAY)
    call = found.best.actions[0]
    assert found.best.kind == GUIDANCE and (call.kind, call.text) == (TEL, "08-508 00 508")
    assert "Fråga efter Alfa" in call.note and call.old_year == "2020"
    assert kinds(decision) == [APPLY_FOR_DECISION]  # the same number is already there, to apply
    assert [way.kind for way in general.ways] == [APPLY_FOR_DECISION]


def test_an_open_part_that_asks_you_to_book_first_is_never_told_to_just_walk_in(steps):
    record = {
        "slug": "boka",
        "access": ["beslut", "oppen"],
        "parts": [{"name": "Öppna delen", "access": ["oppen"], "start": "Ring och boka en tid för ditt första besök."},
                  {"name": "Med beslut", "access": ["beslut"]}],
        "address": {"street": "Gatan 1", "city": "Stockholm"},
        "opening_hours": [{"days": ["thu"], "opens": "09:00", "closes": "16:00", "part": "Öppna delen"}],
        "sources": [],
    }  # fmt: skip
    found = steps(record)
    assert found.parts[0].start == "Ring och boka en tid för ditt första besök."
    assert found.ways[0].kind == WALK_IN and found.ways[0].text is None  # not "kom när det är öppet", nor twice
