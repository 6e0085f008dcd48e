"""Districts, the neighbourhood gazetteer, guidance pages, link checks and the stale list."""

import datetime as dt
from pathlib import Path

from catalogue.index import builder
from catalogue.index.content import load_content, parse_places

FIXTURE_PLACES = (Path(__file__).parent / "fixtures" / "content" / "places.yml").read_text(encoding="utf-8")


def slugs(api, query):
    return [result["slug"] for result in api(query)[1]["results"]]


def test_a_neighbourhood_finds_offerings_there_first_and_then_the_rest_of_its_district(api):
    assert slugs(api, "?q=hökarängen") == ["kafe-solsidan", "musikhuset"]
    assert slugs(api, "?q=sköndal") == ["kafe-solsidan", "musikhuset"]
    assert slugs(api, "?q=tensta") == ["studiegarden"]
    assert slugs(api, "?q=rinkeby") == ["studiegarden"]


def test_place_words_around_the_search_are_ignored(api):
    assert slugs(api, "?q=nära+hökarängen") == ["kafe-solsidan", "musikhuset"]
    assert slugs(api, "?q=musik+i+närheten+av+hokarangen") == ["musikhuset"]


def test_district_page_lists_offerings_and_how_to_apply(client):
    page = client.get("/stadsdel/farsta").get_data(as_text=True)
    assert "<h1>Sysselsättning i Farsta</h1>" in page
    assert "2 verksamheter finns i Farsta och 0 för hela staden." in page
    assert "2 verksamheter i Farsta" in page
    assert 'href="/verksamhet/kafe-solsidan"' in page and 'href="/verksamhet/musikhuset"' in page
    assert "nedlagda-verkstaden" not in page
    # Someone to contact, a number to call and how to apply, even though the district has no own number.
    assert '<span class="action-label">Vem du kontaktar:</span>' in page
    assert "Socialtjänsten i Farsta. Be att få tala med en biståndshandläggare." in page
    assert '<a href="tel:0800000000" dir="ltr">08-000 00 000</a>' in page
    assert "Stadens växel. Be att få tala med socialtjänsten i Farsta." in page
    assert '<a href="https://example.org/ansok" rel="noopener noreferrer">Stadens sida om hur du ansöker</a>' in page
    assert "Där finns e-tjänsten och Kontaktcenter Test" in page  # named with the page that says how to reach it
    assert "Ja, det fanns en när vi senast fick veta." in page
    assert "Vi vet ännu inte: stadsdelens eget telefonnummer, e-post." in page
    # The page ends in the same concrete ways, where a reader who scrolled past the offerings arrives.
    closing = page[page.index('id="nasta-steg"') : page.index('id="kallor"')]
    assert 'href="tel:0800000000"' in closing and 'href="https://example.org/ansok"' in closing
    assert "Du kan välja verksamhet i hela staden" in page
    assert "Farsta, Hökarängen, Sköndal" in page
    assert "Testkälla om ansökan (2024)" in page


def test_district_page_uses_the_districts_own_contact_when_known(client):
    page = client.get("/stadsdel/jarva").get_data(as_text=True)
    assert "Beställarenheten" in page and '<a href="tel:0811111111" dir="ltr">08-111 11 111</a>' in page
    assert "Stadens växel" not in page
    assert "(uppgift från 2007)" in page  # an old number says how old it is
    assert '<a href="mailto:jarva@example.org" dir="ltr">jarva@example.org</a>' in page
    assert "det som tidigare hette Rinkeby-Kista och Spånga-Tensta" in page


def test_unknown_facts_on_a_district_page_are_one_sentence_that_asks(client):
    page = client.get("/stadsdel/bromma").get_data(as_text=True)
    assert "Uppgift saknas" not in page
    assert "Vi vet ännu inte: stadsdelens eget telefonnummer, e-post, om det finns en anhörigkonsulent." in page
    assert 'href="/rapportera-fel?sida=/stadsdel/bromma"' in page
    assert "Vi känner inte till någon verksamhet som ligger här ännu." in page
    # Kungsholmen borders Bromma too, but has nothing: only the neighbours with offerings are named.
    assert 'Närmast finns verksamheter i: <a href="/stadsdel/hasselby-vallingby">Hässelby-Vällingby</a> (1)</p>' in page


def test_a_citywide_offering_counts_in_every_district(publish, app_client):
    """Someone in Farsta can use what serves the whole city: page, search, JSON and map agree."""
    publish(
        "stadsvagledning",
        "name: Stadsvägledning\nsummary: Vägledning för hela staden.\nstatus: active\nreviewed: 2025-01-01\n"
        "district: hela-staden\norientation: [arbetsinriktad]\nsources: [{title: T, date: 2024, covers: [district]}]",
    )
    page = app_client.get("/stadsdel/farsta").get_data(as_text=True)
    assert "2 verksamheter finns i Farsta och 1 för hela staden." in page
    assert "1 verksamhet för hela staden" in page and 'href="/verksamhet/stadsvagledning"' in page
    search = app_client.get("/sok?stadsdel=farsta").get_data(as_text=True)
    assert "3 verksamheter" in search and "I hela staden" in search
    results = app_client.get("/api/v1/sok?stadsdel=farsta").get_json()
    assert results["total"] == 3 and "stadsvagledning" in [r["slug"] for r in results["results"]]
    districts = app_client.get("/stadsdelar").get_data(as_text=True)
    assert "2 här + 1 hela staden" in districts
    assert "Farsta</a> – 3 verksamheter (2 i stadsdelen, 1 i hela staden)" in districts
    # A search for the whole city alone finds only the citywide offering.
    assert app_client.get("/api/v1/sok?stadsdel=hela-staden").get_json()["total"] == 1


def test_former_district_names_redirect_to_todays_district(client):
    for old, new in [
        ("rinkeby-kista", "jarva"),
        ("spanga-tensta", "jarva"),
        ("ostermalm", "norra-innerstaden"),
        ("Norrmalm", "norra-innerstaden"),
    ]:
        response = client.get(f"/stadsdel/{old}")
        assert response.status_code == 301
        assert response.headers["Location"] == f"/stadsdel/{new}"


def test_unknown_districts_are_404(client):
    for slug in ["atlantis", "hela-staden", "..", "%FF"]:
        assert client.get(f"/stadsdel/{slug}").status_code == 404


def test_guidance_pages_are_served_and_listed(client):
    page = client.get("/vagledning/vad-ar-ips").get_data(as_text=True)
    assert "<h1>Vad är IPS?</h1>" in page and 'href="/verksamhet/jobbsteget"' in page
    listing = client.get("/vagledning").get_data(as_text=True)
    assert listing.index("Så får du sysselsättning") < listing.index("Vad är IPS?")
    assert client.get("/vagledning/finns-inte").status_code == 404


def test_guidance_pages_show_up_in_search(client, api):
    page = client.get("/sok?q=hur+ansöker+jag").get_data(as_text=True)
    assert '<a href="/vagledning/sa-far-du-sysselsattning">Så får du sysselsättning</a>' in page
    assert "vad-ar-ips" in client.get("/sok?q=vad+är+ips").get_data(as_text=True)
    # The question words are stop words: what is left, "ips", finds the one offering that works by IPS.
    assert slugs(api, "?q=vad+är+ips") == ["jobbsteget", "tradgardsgruppen"]  # the second by its IPS tag


def test_guidance_pages_are_never_counted_as_offerings(api):
    status, body = api("?q=ansöker")
    assert body["total"] == 0 and body["results"] == []


def test_check_reports_internal_links_that_lead_nowhere(content_dir):
    page = content_dir / "pages" / "trasig.md"
    page.write_text(
        "---\ntitle: T\nsummary: S\n---\nFörsta raden.\n\nSe [den här](/verksamhet/finns-inte).\n", encoding="utf-8"
    )
    errors = [str(e) for e in load_content(content_dir).errors]
    assert errors == [f"{page}:7: länk: länken /verksamhet/finns-inte leder inte till någon sida"]


def test_places_file_problems_are_reported_with_lines():
    text = FIXTURE_PLACES.replace("  bromma:", "  brommma:").replace("[Bredäng]", "[Bredäng, Vällingby]")
    places, errors = parse_places(Path("places.yml"), text)
    messages = [str(e) for e in errors]
    assert places is None
    assert any(
        m.startswith(
            "places.yml:6: districts.brommma: okänd stadsdel 'brommma' – menade du 'bromma'? "
            "(stadsdelarna står i site.yml)"
        )
        for m in messages
    )
    assert (
        "places.yml:23: districts.skarholmen.neighbourhoods.1: 'Vällingby' står redan under hasselby-vallingby"
        in messages
    )
    assert any("stadsdelen bromma saknas" in m for m in messages)


def test_stale_lists_by_the_age_of_the_evidence_oldest_first(publish, app):
    """Re-read recently against a 2014 source is still 2014: evidence age decides the order, and only the
    offering's own confirmation makes it newer."""
    publish.write(
        "gammal",
        "name: Gammal\nsummary: S.\nstatus: active\nreviewed: 2026-01-01\n"
        "sources: [{title: T, date: 2014-02, covers: [name]}, {title: U, date: 2012, covers: [summary]}]",
    )
    result = app.test_cli_runner().invoke(args=["catalogue", "stale"])
    lines = [line for line in result.output.splitlines() if "  content/" in line]
    evidence = [line[:11].strip() for line in lines]
    # Files without any source first, then the oldest newest-source, so "gammal" before every 2024 file.
    assert evidence[: evidence.count("ingen källa")] == ["ingen källa"] * evidence.count("ingen källa")
    gammal = next(line for line in lines if "content/providers/gammal.md" in line)
    assert gammal.startswith("2012–2014    aldrig      content/providers/gammal.md  Gammal  (name, summary)")
    assert lines.index(gammal) == evidence.count("ingen källa")
    assert all(value[-4:] >= "2014" for value in evidence[lines.index(gammal) :])
    # --older-than counts from the evidence: re-reading a 2014 source in 2026 does not make it a year old.
    since_2025 = str((dt.date.today() - dt.date(2025, 1, 1)).days)
    older = app.test_cli_runner().invoke(args=["catalogue", "stale", "--older-than", since_2025]).output
    assert "content/providers/gammal.md" in older
    # The offering itself confirming its facts is what makes them new.
    confirmed = (dt.date.today() - dt.timedelta(days=10)).isoformat()
    publish.write(
        "bekraftad",
        f"name: Bekräftad\nsummary: S.\nstatus: active\nreviewed: 2026-01-01\n"
        f"confirmed: {{date: {confirmed}, via: phone}}\nsources: [{{title: T, date: 2014}}]",
    )
    month = app.test_cli_runner().invoke(args=["catalogue", "stale", "--older-than", "30"]).output
    assert "content/providers/gammal.md" in month and "bekraftad" not in month
    everything = app.test_cli_runner().invoke(args=["catalogue", "stale"]).output
    assert f"2014         {confirmed}  content/providers/bekraftad.md" in everything


def test_coverage_counts_how_many_active_offerings_state_each_fact(app):
    lines = app.test_cli_runner().invoke(args=["catalogue", "coverage"]).output.splitlines()
    assert lines[0] == "7 aktiva verksamheter. Antal som anger varje uppgift:"
    rows = {line.split()[0]: line.split()[1:3] for line in lines[1:]}
    assert rows["ips"] == ["7", "100"]  # the fixtures state every fact, some as an explicit "no"
    assert rows["hours"] == ["7", "100"]
    assert set(rows) >= {"orientation", "contact.phone", "opening_hours", "age"}


def test_index_keeps_districts_and_pages_from_the_last_good_content(app, app_client, content_dir):
    (content_dir / "places.yml").write_text("districts: [", encoding="utf-8")
    assert app.test_cli_runner().invoke(args=["catalogue", "index"]).exit_code == 1
    assert "Farsta, Hökarängen, Sköndal" in app_client.get("/stadsdel/farsta").get_data(as_text=True)
    builder.rebuild(content_dir, app.config["INDEX_DIR"], strict=False)
    assert app_client.get("/stadsdel/farsta").status_code == 200


def test_a_search_that_matches_guidance_but_no_offering_leads_with_the_guidance(real_site):
    from html import unescape

    page = unescape(real_site.get("/sok?q=överklaga").get_data(as_text=True))
    assert "Ingen verksamhet matchar, men det finns sidor om det du sökte." in page
    assert "0 verksamheter" not in page
    assert page.index('class="guidance"') < page.index('class="no-results"')
