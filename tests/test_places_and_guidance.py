"""Districts, the neighbourhood gazetteer, guidance pages, link checks and the stale list."""

import datetime as dt
from pathlib import Path

from catalogue import indexing
from catalogue.content import load_content, parse_places

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
    assert "2 verksamheter i Farsta" in page
    assert 'href="/verksamhet/kafe-solsidan"' in page and 'href="/verksamhet/musikhuset"' in page
    assert "nedlagda-verkstaden" not in page
    assert "Ring Stadens växel, 08-000 00 000, och be att få tala med socialtjänsten i Farsta." in page
    assert "<dt>Anhörigkonsulent</dt>\n  <dd>Ja</dd>" in page
    assert "Du kan välja verksamhet i hela staden" in page
    assert "Farsta, Hökarängen, Sköndal" in page


def test_district_page_uses_the_districts_own_contact_when_known(client):
    page = client.get("/stadsdel/jarva").get_data(as_text=True)
    assert "Beställarenheten" in page and "08-111 11 111" in page and "Stadens växel" not in page
    assert "det som tidigare hette Rinkeby-Kista och Spånga-Tensta" in page


def test_unknown_facts_on_a_district_page_say_so(client):
    page = client.get("/stadsdel/bromma").get_data(as_text=True)
    assert '<dt>Anhörigkonsulent</dt>\n  <dd><span class="missing">Uppgift saknas' in page
    assert "Vi känner inte till någon verksamhet här ännu." in page


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
    assert slugs(api, "?q=vad+är+ips") == ["jobbsteget"]


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
        m.startswith("places.yml:6: districts.brommma: okänt stadsdelsområde 'brommma' – menade du 'bromma'?")
        for m in messages
    )
    assert (
        "places.yml:22: districts.skarholmen.neighbourhoods.1: 'Vällingby' står redan under hasselby-vallingby"
        in messages
    )
    assert any("stadsdelsområdet bromma saknas" in m for m in messages)


def test_stale_lists_what_is_due_oldest_first(publish, app):
    publish.write(
        "gammal",
        "name: Gammal\nsummary: S.\nstatus: active\nverified: 2020-05-01\nsources: [{title: T, covers: [name]}]",
    )
    result = app.test_cli_runner().invoke(args=["catalogue", "stale", "--older-than", "400"])
    lines = result.output.strip().splitlines()
    # Never verified first (the fixture pages have no date), then by date.
    assert [line[:10] for line in lines[:3]] == ["----------", "----------", "2020-05-01"]
    assert "content/providers/gammal.md  Gammal  (name)" in lines[2]
    assert lines[3].startswith("2025-01-15")
    fresh = app.test_cli_runner().invoke(
        args=["catalogue", "stale", "--older-than", str((dt.date.today() - dt.date(2020, 5, 1)).days)]
    )
    assert "gammal" not in fresh.output


def test_index_keeps_districts_and_pages_from_the_last_good_content(app, client, content_dir):
    (content_dir / "places.yml").write_text("districts: [", encoding="utf-8")
    assert app.test_cli_runner().invoke(args=["catalogue", "index"]).exit_code == 1
    assert "Farsta, Hökarängen, Sköndal" in client.get("/stadsdel/farsta").get_data(as_text=True)
    indexing.rebuild(content_dir, app.config["INDEX_DIR"], strict=False)
    assert client.get("/stadsdel/farsta").status_code == 200
