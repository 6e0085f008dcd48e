"""Filters and their counts over the fixture content set (8 listed providers, 1 closed)."""

import re
from pathlib import Path

import pytest

from catalogue.index.content import load_content
from catalogue.query.facets import FACETS, ChoiceFacet

FIXTURES = Path(__file__).parent / "fixtures" / "content"


def expected_counts() -> dict[str, dict[str, int]]:
    """Every counted filter's options over the fixture files, read straight from the files: a new filter
    in FACETS is checked here without listing its counts by hand."""
    providers = [p for p in load_content(FIXTURES).providers if p["status"] != "closed"]
    return {
        facet.param: {value: sum(value in facet.values_of(p) for p in providers) for value in facet.vocabulary}
        for facet in FACETS
        if isinstance(facet, ChoiceFacet)
    }


def slugs(body):
    return sorted(result["slug"] for result in body["results"])


def test_without_filters_every_listed_provider_is_found_and_closed_ones_are_not(api):
    status, body = api()
    assert status == 200
    assert body["total"] == 8
    assert "nedlagda-verkstaden" not in slugs(body)
    assert body["facets"] == expected_counts()
    assert body["facets"]["stadsdel"]["farsta"] == 2 and body["facets"]["ips"] == {"ja": 2}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?inriktning=studier", ["studiegarden"]),
        ("?stadsdel=farsta", ["kafe-solsidan", "musikhuset"]),
        ("?timmar=22-40", ["arbetstraning-city", "jobbsteget", "verkstan-vast"]),
        ("?ips=ja", ["jobbsteget", "tradgardsgruppen"]),
        ("?tillgang=oppen", ["appelkallaren", "kafe-solsidan", "studiegarden"]),
        ("?huvudman=ideburen", ["musikhuset", "tradgardsgruppen"]),
        ("?aktivitet=kafe-och-kok&aktivitet=musik", ["appelkallaren", "kafe-solsidan", "musikhuset"]),
        (
            "?alder=20",
            [
                "appelkallaren",
                "arbetstraning-city",
                "jobbsteget",
                "kafe-solsidan",
                "musikhuset",
                "tradgardsgruppen",
                "verkstan-vast",
            ],
        ),
        (
            "?alder=64",
            [
                "appelkallaren",
                "arbetstraning-city",
                "kafe-solsidan",
                "musikhuset",
                "studiegarden",
                "tradgardsgruppen",
                "verkstan-vast",
            ],
        ),
    ],
)
def test_each_filter_alone(api, query, expected):
    assert slugs(api(query)[1]) == expected


def test_several_values_in_one_filter_mean_or(api):
    body = api("?stadsdel=farsta&stadsdel=skarholmen")[1]
    assert slugs(body) == ["kafe-solsidan", "musikhuset", "tradgardsgruppen"]


def test_different_filters_mean_and(api):
    body = api("?inriktning=social&timmar=10-24")[1]
    assert slugs(body) == ["kafe-solsidan", "tradgardsgruppen"]


def test_counts_reflect_the_other_active_filters_but_not_their_own(api):
    body = api("?stadsdel=farsta&stadsdel=sodermalm&tillgang=beslut")[1]
    assert slugs(body) == ["jobbsteget", "musikhuset"]
    facets = body["facets"]
    # The district counts ignore the district filter itself, so other districts stay choosable...
    assert facets["stadsdel"]["farsta"] == 1 and facets["stadsdel"]["sodermalm"] == 1
    assert facets["stadsdel"]["skarholmen"] == 1 and facets["stadsdel"]["hasselby-vallingby"] == 1
    # ...and every other filter counts within Farsta or Södermalm.
    assert facets["tillgang"] == {"beslut": 2, "oppen": 2}
    assert facets["inriktning"] == {"social": 1, "arbetsinriktad": 1, "studier": 0}
    assert facets["ips"] == {"ja": 1}
    assert facets["huvudman"] == {"kommunal": 0, "privat": 1, "ideburen": 1, "annan": 0}


def test_text_and_filters_combine(api):
    body = api("?q=arbetsträning&huvudman=kommunal")[1]
    assert slugs(body) == ["arbetstraning-city"]
    assert body["facets"]["huvudman"] == {"kommunal": 1, "privat": 1, "ideburen": 0, "annan": 0}


def test_former_district_names_work_as_filter_values(api):
    assert slugs(api("?stadsdel=spanga-tensta")[1]) == ["studiegarden"]
    assert slugs(api("?stadsdel=rinkeby-kista")[1]) == ["studiegarden"]
    assert slugs(api("?stadsdel=ostermalm")[1]) == ["arbetstraning-city"]


def test_sorting_by_name_follows_swedish_alphabet(api):
    names = [r["name"] for r in api("?sortera=namn")[1]["results"]]
    assert names[0] == "Arbetsträning City"
    assert names[-2:] == ["Verkstan Väst", "Äppelkällaren"]


def test_relevance_puts_name_matches_first(api):
    results = api("?q=verkstan")[1]["results"]
    assert results[0]["slug"] == "verkstan-vast"


def test_zero_results_names_the_filter_to_drop(client):
    page = client.get("/sok?stadsdel=farsta&ips=ja").get_data(as_text=True)
    assert "0 verksamheter" in page
    assert "Ta bort filtret Stadsdel</a> – då ser du 2 verksamheter" in page
    assert 'href="/sok?stadsdel=farsta"' in page
    assert "Ta bort filtret Stöd till jobb</a> – då ser du 2 verksamheter" in page


def test_paused_providers_are_listed_with_a_notice(client):
    page = client.get("/sok?q=soppa").get_data(as_text=True)
    assert "Äppelkällaren" in page and "Tillfälligt stängd" in page


def test_pagination_splits_results_and_links_pages(publish, app_client):
    for number in range(30):
        publish.write(f"extra-{number:02d}", f"""
name: Extra {number:02d}
summary: En extra verksamhet.
status: active
reviewed: 2025-01-01
district: bromma
sources: [{{title: Test, date: 2024}}]""")  # fmt: skip
    publish.rebuild()
    first = app_client.get("/sok?stadsdel=bromma&sortera=namn").get_data(as_text=True)
    assert "30 verksamheter, sida 1 av 2" in first
    assert 'href="/sok?stadsdel=bromma&amp;sortera=namn&amp;sida=2" rel="next"' in first
    second = app_client.get("/api/v1/sok?stadsdel=bromma&sortera=namn&sida=2").get_json()
    assert [r["name"] for r in second["results"]] == [f"Extra {n}" for n in range(20, 30)]


def test_the_activity_filter_works_end_to_end(client, api):
    """The first filter added as one line in FACETS: the form, its counts, the words, the JSON twin, the languages."""
    page = client.get("/sok?aktivitet=musik&stadsdel=farsta").get_data(as_text=True)
    assert "<legend>Vad vill du göra</legend>" in page
    assert 'name="aktivitet" value="musik" checked' in page
    assert re.search(r'for="f-aktivitet-kafe-och-kok">Kafé och kök <span class="count">\(1\)</span>', page)
    assert "Passar dina val: Musik · Farsta" in page
    assert '<a href="/sok?stadsdel=farsta">Ta bort filtret Vad vill du göra: Musik</a>' in page
    body = api("?aktivitet=musik")[1]
    assert [r["slug"] for r in body["results"]] == ["musikhuset"]
    assert body["results"][0]["activities"] == ["musik", "kreativt"]
    assert body["facets"]["aktivitet"]["kafe-och-kok"] == 2
    english = client.get("/en/sok?aktivitet=musik").get_data(as_text=True)
    assert "<legend>What do you want to do</legend>" in english and "Music" in english
    assert client.get("/sok?aktivitet=dans").status_code == 400
