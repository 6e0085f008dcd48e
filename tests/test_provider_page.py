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
        "Nästa steg",  # the page ends in something to do (on paper, its last words)
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


def test_a_provider_without_contact_details_names_someone_to_ask_and_how_to_reach_them(client):
    page = unescape(client.get("/verksamhet/musikhuset").get_data(as_text=True))
    start = page[page.index('id="sa-borjar-du"') : page.index("</section>", page.index('id="sa-borjar-du"'))]
    assert "Du behöver ett beslut om sysselsättning från socialtjänsten i stadsdelen där du bor." in start
    assert "<h3>Ansök om ett beslut</h3>" in start
    assert '<a href="tel:0800000000" dir="ltr">08-000 00 000</a>' in start
    assert '<a href="https://example.org/ansok" rel="noopener noreferrer">Stadens sida om hur du ansöker</a>' in start
    assert '<a href="/stadsdelar">Hitta din stadsdel och hur du kontaktar den</a>' in start
    # The page ends on the best of them, where a reader who scrolled down arrives.
    closing = page[page.index('id="nasta-steg"') : page.index('id="dela"')]
    assert 'href="tel:0800000000"' in closing


def test_a_provider_page_reached_from_a_district_search_names_that_districts_contact(client):
    """The page knows the district the person searched in: "Hitta din stadsdel" becomes that district."""
    page = unescape(client.get("/verksamhet/musikhuset?stadsdel=jarva").get_data(as_text=True))
    start = page[page.index('id="sa-borjar-du"') : page.index("</section>", page.index('id="sa-borjar-du"'))]
    assert "Bor du i Järva? Du ansöker hos socialtjänsten där." in start
    assert '<a href="tel:0811111111" dir="ltr">08-111 11 111</a>' in start and "(uppgift från 2007)" in start
    assert '<a href="/stadsdel/jarva">Allt om att ansöka i Järva</a>' in start
    assert "/stadsdelar" not in start


def test_how_to_start_depends_on_access(client):
    open_page = client.get("/verksamhet/kafe-solsidan").get_data(as_text=True)
    decision_page = client.get("/verksamhet/musikhuset").get_data(as_text=True)
    # Kafé Solsidan takes people without a decision, but we know no address to "come" to.
    assert "Du behöver inget beslut för att börja här." in open_page and "Du behöver ett beslut" not in open_page
    assert "Du behöver ett beslut om sysselsättning" in decision_page


def test_description_is_sanitised(client):
    page = client.get("/verksamhet/arbetstraning-city").get_data(as_text=True)
    description = page[page.index('class="description"') : page.index("</div>", page.index('class="description"'))]
    assert "<script" not in description and "onclick" not in description and "javascript:" not in description
    assert '<a href="https://example.org" rel="noopener noreferrer">besöka oss</a>' in description


def test_the_page_leads_with_the_age_of_its_evidence_and_names_only_a_real_confirmation(client):
    page = client.get("/verksamhet/kafe-solsidan").get_data(as_text=True)
    # Re-read on 15 January 2025, over a 2024 source: the page says how old the facts are, not the re-read.
    assert "Uppgifterna kommer från 2024. Verksamheten har inte bekräftat uppgifterna ännu." in page
    assert page.index('class="evidence') < page.index('id="sa-borjar-du"')
    assert "15 januari 2025" not in page and "kontrollerades" not in page and "bekräftade" not in page
    confirmed = client.get("/verksamhet/musikhuset").get_data(as_text=True)
    assert "Verksamheten bekräftade uppgifterna 20 januari 2025 i ett samtal med redaktionen." in confirmed
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


def test_headings_in_a_description_sit_below_the_pages_own(publish, app_client):
    """The description is inside "Om verksamheten" (h2): its "##" becomes h3, its "###" h4."""
    publish(
        "rubriker",
        "name: Rubriker\nsummary: S.\nstatus: active\nreviewed: 2025-01-01\nsources: [{title: T, date: 2024}]",
        "Text.\n\n## Hur gamla uppgifterna är\n\nGamla.\n\n### Detalj\n\nMer.",
    )
    page = app_client.get("/verksamhet/rubriker").get_data(as_text=True)
    assert "<h3>Hur gamla uppgifterna är</h3>" in page and "<h4>Detalj</h4>" in page
    om = page.index('id="om"')
    assert page.index("<h3>Hur gamla") > om  # after the section's own facts, under its heading
