"""The provider page: facts in a fixed order, how to start, safe description, sources."""

import re
from html import unescape


def test_facts_come_in_a_fixed_scannable_order(client):
    page = client.get("/verksamhet/kafe-solsidan").get_data(as_text=True)
    headings = re.findall(r"<h2 id=\"[^\"]+\">([^<]+)</h2>", page)
    assert headings == [
        "Så börjar du",
        "Vad du gör där",
        "För vem",
        "Var",
        "När",
        "Om verksamheten",
        "Var uppgifterna kommer ifrån",
        "Spara och dela",
    ]
    assert "<h1>Kafé Solsidan</h1>" in page
    assert "Farsta (Hökarängen)" in page and "18–65 år" in page and "1–12 timmar i veckan" in page


def test_unknown_facts_are_said_once_with_a_way_to_tell_us(client):
    page = unescape(client.get("/verksamhet/musikhuset").get_data(as_text=True))
    assert "Uppgift saknas" not in page
    assert re.search(r"<dt>Stöd till jobb enligt IPS</dt>\s*<dd>Nej</dd>", page)  # a stated no is a fact
    assert "Vi vet ännu inte: aktiviteter" not in page  # musikhuset states its activities
    sentence = re.search(r"Vi vet ännu inte: ([^.]+)\.", page).group(1)
    assert sentence.split(", ")[:5] == ["telefon", "e-post", "webbplats", "målgrupp", "språk som personalen talar"]
    link = re.search(r'<a href="([^"]+)">Vet du\? Berätta för oss</a>', page).group(1)
    assert link == "/verksamhet/musikhuset/foresla-andring"  # the structured form, each unknown fact empty
    form = unescape(client.get(link).get_data(as_text=True))
    assert '<input type="text" id="contact-phone" name="contact-phone" value="">' in form


def test_a_provider_without_contact_details_names_someone_to_ask(client):
    page = unescape(client.get("/verksamhet/musikhuset").get_data(as_text=True))
    assert "Vi har inget telefonnummer eller e-post till verksamheten. Du kan fråga:" in page
    assert (
        '<a href="/stadsdelar">Hitta din stadsdel' in page
        and '<a href="tel:0800000000" dir="ltr">08-000 00 000</a>' in page
    )


def test_how_to_start_depends_on_access(client):
    open_page = client.get("/verksamhet/kafe-solsidan").get_data(as_text=True)
    decision_page = client.get("/verksamhet/musikhuset").get_data(as_text=True)
    assert "Du kan komma hit utan beslut" in open_page and "Du behöver ett beslut" not in open_page
    assert "Du behöver ett beslut om sysselsättning" in decision_page


def test_description_is_sanitised(client):
    page = client.get("/verksamhet/arbetstraning-city").get_data(as_text=True)
    description = page[page.index('class="description"') : page.index("</div>", page.index('class="description"'))]
    assert "<script" not in description and "onclick" not in description and "javascript:" not in description
    assert '<a href="https://example.org" rel="noopener noreferrer">besöka oss</a>' in description


def test_sources_and_verified_date_are_shown(client):
    page = client.get("/verksamhet/kafe-solsidan").get_data(as_text=True)
    assert "kontrollerades senast 15 januari 2025" in page
    assert '<a href="https://example.org/solsidan" rel="noopener noreferrer">Solsidans egen sida</a>' in page


def test_a_paused_provider_says_it_is_paused(client):
    assert "tillfälligt stängd" in client.get("/verksamhet/appelkallaren").get_data(as_text=True)


def test_a_closed_provider_answers_410_with_similar_open_offerings(client):
    response = client.get("/verksamhet/nedlagda-verkstaden")
    page = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "Nedlagda verkstaden finns inte längre" in page
    similar = re.findall(r'<li><a href="/verksamhet/([a-z0-9-]+)">', page)
    # Same orientation (arbetsinriktad), open ones only; the paused one is left out.
    assert sorted(similar) == ["arbetstraning-city", "jobbsteget", "tradgardsgruppen", "verkstan-vast"]


def test_headings_in_a_description_sit_below_the_pages_own(publish, client):
    """The description is inside "Om verksamheten" (h2): its "##" becomes h3, its "###" h4."""
    publish(
        "rubriker",
        "name: Rubriker\nsummary: S.\nstatus: active\nverified: 2025-01-01\nsources: [{title: T, date: 2024}]",
        "Text.\n\n## Hur gamla uppgifterna är\n\nGamla.\n\n### Detalj\n\nMer.",
    )
    page = client.get("/verksamhet/rubriker").get_data(as_text=True)
    assert "<h3>Hur gamla uppgifterna är</h3>" in page and "<h4>Detalj</h4>" in page
    om = page.index('id="om"')
    assert page.index("<h3>Hur gamla") > om  # after the section's own facts, under its heading
