"""Any municipality from its own content (issue 28 §5): Göteborg's four stadsområden (tests/fixtures/goteborg,
made-up offerings) run the whole site, its districts, search, HSDS and sitemap, with no change to the code.

The districts, their former names and the city's name come from its ``site.yml``; the neighbourhoods from its
``places.yml``. The Stockholm catalogue keeps running beside it in the same process.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from app_factory import FIXTURES
from test_hsds import API, crawl, get_json

from catalogue import create_app
from catalogue.facts.vocabulary import Municipality
from catalogue.index import builder
from catalogue.index.content import load_content, parse_site
from catalogue.opendata.hsds import hsds_id

GOTEBORG = FIXTURES / "goteborg"
DISTRICTS = {"centrum": "Centrum", "nordost": "Nordost", "sydvast": "Sydväst", "hisingen": "Hisingen"}
OFFERINGS = {"verkstaden-backa", "kafe-hammarkullen", "jobbvagen", "ateljen-haga"}
STOCKHOLM_WORDS = re.compile(r"Stockholm|Farsta|Järva|Södermalm|Bromma|Skärholmen|stadsdelsområden")
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(scope="module")
def goteborg(tmp_path_factory):
    """A client of the site over Göteborg's content, read-only, as a new municipality would start it."""
    app = create_app(
        {"CONTENT_DIR": GOTEBORG, "INDEX_DIR": tmp_path_factory.mktemp("goteborg-index"),
         "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )  # fmt: skip
    return app.test_client()


def page(client, address: str, status: int = 200) -> str:
    response = client.get(address)
    assert response.status_code == status, address
    return unescape(response.get_data(as_text=True))


def visible(html: str) -> str:
    """The words a person reads: no markup, no addresses."""
    return " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)).split())


def test_its_content_checks_clean():
    loaded = load_content(GOTEBORG)
    assert loaded.errors == []
    assert {record["slug"] for record in loaded.providers} == OFFERINGS
    # "district: Angered" in a file is the former district's name: read as today's Nordost.
    assert next(record for record in loaded.providers if record["slug"] == "kafe-hammarkullen")["district"] == "nordost"


@pytest.mark.parametrize(
    "address",
    ["/", "/sok", "/sok?q=kafé", "/stadsdelar", "/stadsdel/hisingen", "/verksamhet/verkstaden-backa",
     "/verksamhet/jobbvagen", "/hitta-ratt?steg=3", "/oppna-data", "/for-verksamheter", "/vagledning"],
)  # fmt: skip
def test_every_page_speaks_of_its_own_city_and_never_of_stockholm(goteborg, address):
    text = visible(page(goteborg, address))
    assert not STOCKHOLM_WORDS.search(text), STOCKHOLM_WORDS.search(text)
    assert "Göteborg" in text


def test_the_start_page_and_the_guide_name_the_city_and_its_districts(goteborg):
    start = page(goteborg, "/")
    assert "<title>Sök sysselsättning i Göteborg" in start and "<h1>Hitta sysselsättning i Göteborg</h1>" in start
    guide = page(goteborg, "/hitta-ratt?steg=3")
    assert re.findall(r'name="stadsdel" value="([a-z-]+)"', guide) == [*DISTRICTS, "vet-inte"]


def test_the_districts_page_lists_its_four_districts_on_its_own_map(goteborg):
    html = page(goteborg, "/stadsdelar")
    assert "<h1>Stadsdelar i Göteborg</h1>" in html
    listed = re.findall(r'<li><a href="/stadsdel/([a-z-]+)">([^<]+)</a>', html)
    assert listed == list(DISTRICTS.items())
    assert html.count('class="map-name"') == 4 and 'viewBox="0 0 570 300"' in html  # a 3 × 3 grid
    # Jobbvägen serves the whole city: counted in every district, and said so.
    assert "1 verksamhet finns för hela staden" in visible(html)


def test_a_district_page_its_former_names_and_another_citys_district(goteborg):
    html = visible(page(goteborg, "/stadsdel/hisingen"))
    assert "Verkstaden Backa (testdata)" in html and "Jobbvägen (testdata)" in html  # its own, and the city's
    assert "Backa" in html and "Torslanda" in html  # its neighbourhoods, from places.yml
    assert "Lundby" in html  # a former name, from site.yml
    moved = goteborg.get("/stadsdel/lundby")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/stadsdel/hisingen")
    assert goteborg.get("/stadsdel/farsta").status_code == 404  # Stockholm's district is not Göteborg's


def names_found(client, query: str) -> list[str]:
    body = get_json(client, f"/api/v1/sok?{query}")
    return [hit["name"] for hit in body["results"]]


def test_search_knows_its_districts_neighbourhoods_and_former_names(goteborg):
    """No offering's text has these words: only site.yml and places.yml say where they are."""
    hisingen = ["Verkstaden Backa (testdata)", "Jobbvägen (testdata)"]  # its own first, then the whole city's
    assert names_found(goteborg, "q=Hisingen") == hisingen  # a district's name
    assert names_found(goteborg, "q=Tuve") == hisingen  # a neighbourhood
    assert names_found(goteborg, "q=asun Torslandassa") == hisingen  # a neighbourhood, in Finnish
    assert names_found(goteborg, "q=Lundby") == hisingen  # a former district's name
    assert names_found(goteborg, "q=Angered") == ["Kafé Hammarkullen (testdata)", "Jobbvägen (testdata)"]
    assert set(names_found(goteborg, "stadsdel=nordost")) == {"Kafé Hammarkullen (testdata)", "Jobbvägen (testdata)"}
    # The city's own name narrows nothing, in any language: every offering is in it.
    assert (
        names_found(goteborg, "q=kafé i Göteborg")
        == names_found(goteborg, "q=kafé Gothenburg")
        == ["Kafé Hammarkullen (testdata)"]
    )
    # Another city's district is an unknown value, said plainly; never a 500.
    assert goteborg.get("/sok?stadsdel=farsta").status_code == 400


def test_the_other_languages_use_the_names_the_site_file_gives(goteborg):
    english = page(goteborg, "/en/")
    assert "<h1>Find day activities in Gothenburg</h1>" in english
    assert "City of Gothenburg" in visible(page(goteborg, "/en/verksamhet/verkstaden-backa"))  # its operator
    arabic = page(goteborg, "/ar/")
    assert "غوتنبرغ" in arabic


def test_its_hsds_answers_follow_the_specification_with_its_own_places(goteborg):
    found = crawl(goteborg)
    assert {service["name"] for service in found["services"]} == {
        "Verkstaden Backa (testdata)", "Kafé Hammarkullen (testdata)", "Jobbvägen (testdata)", "Ateljén Haga (testdata)"
    }  # fmt: skip
    operator = next(term for term in found["taxonomy_terms"] if term["code"] == "kommunal")
    assert operator["name"] == "Göteborgs stad"  # who runs the municipal offerings
    citywide = get_json(goteborg, f"{API}/services/{hsds_id('service', 'jobbvagen')}")
    assert [area["name"] for area in citywide["service_areas"]] == ["Göteborgs stad"]
    backa = get_json(goteborg, f"{API}/services/{hsds_id('service', 'verkstaden-backa')}")
    location = backa["service_at_locations"][0]["location"]
    assert location["description"].startswith("Stadsdel: Hisingen (Backa)")  # its district, from site.yml
    [address] = location["addresses"]
    assert (address["city"], address["state_province"]) == ("Hisings Backa", "Västra Götalands län")


def test_its_sitemap_lists_its_own_offerings_and_districts(goteborg):
    response = goteborg.get("/sitemap.xml")
    assert response.status_code == 200
    paths = {urlsplit(loc.text or "").path for loc in ET.fromstring(response.data).findall("s:url/s:loc", SITEMAP)}
    assert {f"/verksamhet/{slug}" for slug in OFFERINGS} <= paths
    assert {f"/stadsdel/{slug}" for slug in DISTRICTS} <= paths
    assert not any("farsta" in path or "jarva" in path for path in paths)


def test_two_municipalities_in_one_process_each_keep_their_own(goteborg, client):
    """Each request speaks of the catalogue it reads: districts and the council's name never leak from one
    to the other, in the same thread or a new one (as a threaded server runs each request)."""

    def both() -> list[tuple[str, int, bool]]:
        return [
            ("Hitta sysselsättning i Stockholm" in page(client, "/"),
             len(re.findall(r'<li><a href="/stadsdel/', page(client, "/stadsdelar"))),
             "Stockholms stad" in visible(page(client, "/verksamhet/kafe-solsidan"))),
            ("Hitta sysselsättning i Göteborg" in page(goteborg, "/"),
             len(re.findall(r'<li><a href="/stadsdel/', page(goteborg, "/stadsdelar"))),
             "Göteborgs stad" in visible(page(goteborg, "/verksamhet/jobbvagen"))),
        ]  # fmt: skip

    expected = [(True, 11, True), (True, 4, True)]
    assert both() == both() == expected
    found: list[list[tuple[str, int, bool]]] = []
    worker = threading.Thread(target=lambda: found.append(both()))
    worker.start()
    worker.join()
    assert found == [expected]


def test_the_site_file_reports_each_problem_with_its_line():
    text = (GOTEBORG / "site.yml").read_text(encoding="utf-8")
    broken = (
        text.replace("other_names: [Angered, Östra Göteborg]", "other_names: [Angered, Lundby]")
        .replace("en: {name: Gothenburg, council: City of Gothenburg}", "de: {name: Gothenburg}")
        .replace("  sydvast:\n", "  hela-staden:\n")
        .replace("    map: [0, 0]\n", "    map: [0, nio]\n")
    )
    site, errors = parse_site(Path("site.yml"), broken)
    assert site is None
    messages = [str(error) for error in errors]
    line = {needle: next(n for n, row in enumerate(broken.splitlines(), 1) if needle in row)
            for needle in ("de: {", "hela-staden:", "map: [0, nio]", "[Angered, Lundby]")}  # fmt: skip
    language = f"site.yml:{line['de: {']}: municipality.translations.de: okänt språk 'de'"
    assert f"{language} (webbplatsens: en, fi, ar, so)" in messages
    assert f"site.yml:{line['hela-staden:']}: districts.hela-staden: hela-staden betyder hela kommunen och kan inte " \
           "vara en stadsdel" in messages  # fmt: skip
    assert any(m.startswith(f"site.yml:{line['map: [0, nio]']}: districts.hisingen.map: ska vara [kolumn, rad]")
               for m in messages)  # fmt: skip
    assert "'Lundby' är redan ett namn på" in " ".join(messages)


@pytest.mark.parametrize(
    ("written", "message"),
    [("Göte\\0borg", "innehåller ett osynligt styrtecken (U+0000): ta bort det"),
     ("Göte\\x07borg", "innehåller ett osynligt styrtecken (U+0007): ta bort det"),
     ("Göte\\u202eborg", "innehåller ett osynligt styrtecken (U+202E): ta bort det"),
     ("Å" * 5000, "är 5000 tecken, högst 60 är tillåtet")],
    ids=["nul", "control", "bidi", "long"],
)  # fmt: skip
def test_hostile_names_in_the_site_file_are_reported_never_crash(tmp_path, written, message):
    """In the city's name and in a district's, where a district's name is also checked against the others."""
    text = (GOTEBORG / "site.yml").read_text(encoding="utf-8")
    for original in ("name: Göteborg\n", "name: Hisingen\n"):
        site, errors = parse_site(Path("site.yml"), text.replace(original, f'name: "{written}"\n'))
        assert site is None and [error.message for error in errors] == [message]
    shutil.copytree(GOTEBORG, tmp_path / "content")
    (tmp_path / "content" / "site.yml").write_text(text.replace("name: Hisingen\n", f'name: "{written}"\n'))
    loaded = load_content(tmp_path / "content")  # the whole folder: reported, and nothing half-read published
    assert any(error.message == message for error in loaded.errors)
    assert {record["slug"] for record in loaded.providers} == {"jobbvagen"}


def test_the_map_shows_every_district_in_a_box_of_its_own_or_none():
    text = (GOTEBORG / "site.yml").read_text(encoding="utf-8")
    _site, errors = parse_site(Path("site.yml"), text.replace("    map: [2, 0]\n", "    map: [0, 0]\n"))
    [same_box] = [str(error) for error in errors]
    assert same_box == "site.yml:26: districts.hisingen.map: nordost har redan den platsen på kartan"
    _site, errors = parse_site(Path("site.yml"), text.replace("    map: [2, 0]\n", ""))
    assert [error.message for error in errors] == [
        "kartan visar alla stadsdelar eller ingen: ge nordost en plats (map)"
    ]
    site, errors = parse_site(Path("site.yml"), re.sub(r"    map: .*\n", "", text))
    assert errors == [] and Municipality.from_site(site).district_map is None  # no map: the list alone


def test_a_guidance_service_must_be_an_offering_of_the_catalogue(tmp_path):
    shutil.copytree(GOTEBORG, tmp_path / "content")
    site = tmp_path / "content" / "site.yml"
    guidance = "guidance_service:\n  offering: vagvisaren\n  name: Vägvisaren\n"
    site.write_text(site.read_text(encoding="utf-8") + guidance, encoding="utf-8")
    line = len(site.read_text(encoding="utf-8").splitlines()) - 1
    assert [str(error) for error in load_content(tmp_path / "content").errors] == [
        f"{site}:{line}: guidance_service.offering: det finns ingen verksamhet vagvisaren (providers/vagvisaren.md)"
    ]
    site.write_text(site.read_text(encoding="utf-8").replace("vagvisaren", "jobbvagen"), encoding="utf-8")
    assert load_content(tmp_path / "content").errors == []


def test_a_folder_without_a_site_file_says_so_and_publishes_no_district(tmp_path):
    shutil.copytree(GOTEBORG, tmp_path / "content", ignore=shutil.ignore_patterns("site.yml"))
    loaded = load_content(tmp_path / "content")
    messages = [str(error) for error in loaded.errors]
    assert f"{tmp_path / 'content' / 'site.yml'}:1: fil: saknas: den säger vilken kommun katalogen gäller och " \
           "vilka stadsdelar den har" in messages  # fmt: skip
    # Every offering that names a district is reported, never published half-read.
    assert {record["slug"] for record in loaded.providers} == {"jobbvagen"}
    assert any("verkstaden-backa.md" in m and "district: okänt värde 'hisingen'" in m for m in messages)


def test_its_open_data_files_made_at_start_are_its_own(tmp_path, client):
    """The files are made when the app starts, outside any request, in a process that has just served
    Stockholm: they must still be Göteborg's."""
    builder.rebuild(GOTEBORG, tmp_path / "index")
    assert "Hitta sysselsättning i Stockholm" in page(client, "/")  # the last catalogue this thread spoke of
    app = create_app({"CONTENT_DIR": GOTEBORG, "INDEX_DIR": tmp_path / "index", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "PUBLIC_URL": "https://goteborg.example"})  # fmt: skip
    files = builder.current_folder(tmp_path / "index") / "files"
    sitemap = json.loads((files / "files.json").read_text(encoding="utf-8"))["files"]["/sitemap.xml"]["name"]
    text = (files / sitemap).read_text(encoding="utf-8")
    assert "/stadsdel/hisingen" in text and "/stadsdel/farsta" not in text
    jobbvagen = get_json(app.test_client(), f"{API}/services/{hsds_id('service', 'jobbvagen')}")
    assert [area["name"] for area in jobbvagen["service_areas"]] == ["Göteborgs stad"]
