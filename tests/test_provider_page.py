"""The provider page: facts in a fixed order, how to start, safe description, sources."""

import re


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


def test_unknown_facts_say_so_instead_of_being_guessed(client):
    page = client.get("/verksamhet/musikhuset").get_data(as_text=True)
    assert page.count("Uppgift saknas") >= 5
    assert re.search(r"<dt>Stöd till jobb enligt IPS</dt>\s*<dd><span class=\"missing\">Uppgift saknas", page)


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
