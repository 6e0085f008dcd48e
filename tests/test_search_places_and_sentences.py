"""Issue 25 on the real content: a place with no offering of its own, a place inside a sentence, an age
anywhere in a sentence, the rest of a sentence never required, and spelling over the words the thesaurus and
the places know although no file has them."""

from __future__ import annotations

import re
from html import unescape

import pytest
import yaml
from conftest import ROOT

from catalogue.query.thesaurus import place_words

PLACES = yaml.safe_load((ROOT / "content" / "places.yml").read_text(encoding="utf-8"))
CITYWIDE_COUNT = 6  # the real content's offerings for the whole city (tests/test_real_content.py counts them)


def page_text(real_site, path: str) -> str:
    html = unescape(real_site.get(path).get_data(as_text=True))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    "district", [slug for slug in PLACES["districts"] if slug != "hela-staden"], ids=lambda slug: slug
)
def test_every_district_and_neighbourhood_finds_offerings_alone_and_inside_a_sentence(real_site, district):
    names = place_words(PLACES)[district]
    for name in names:
        for query in (name, f"jag bor i {name} och vill ha något att göra"):
            body = real_site.get("/api/v1/sok", query_string={"q": query}).get_json()
            assert body["total"] >= CITYWIDE_COUNT, (query, body["total"])


def test_a_district_with_no_offering_says_so_and_names_the_nearest_with_some(real_site):
    text = page_text(real_site, "/sok?q=jag+bor+i+alvik")
    assert "Vi tolkade ”alvik” som Bromma." in text
    assert "Vi känner inte till någon verksamhet som ligger i Bromma. Du ser dem som tar emot från hela staden." in text
    assert "Närmast finns verksamheter i: Hässelby-Vällingby (1), Järva (2), Kungsholmen (1)." in text
    html = real_site.get("/sok?q=jag+bor+i+alvik").get_data(as_text=True)
    assert 'href="/stadsdel/bromma"' in html  # the district page, with whom to contact
    assert "Ingen verksamhet passar" not in text
    # The district page says the same about its neighbours.
    assert "Hässelby-Vällingby</a> (1), " in real_site.get("/stadsdel/bromma").get_data(as_text=True)


def test_a_place_with_offerings_says_how_many_are_there_in_each_language(real_site):
    assert "2 verksamheter ligger i Farsta." in page_text(real_site, "/sok?q=h%C3%B6kar%C3%A4ngen")
    english = page_text(real_site, "/en/sok?q=i+live+in+farsta")
    assert "2 offerings are in Farsta." in english and "Ingen verksamhet passar" not in english


@pytest.mark.parametrize(
    ("query", "expected"),
    [("ålder 23", "23"), ("en 23-åring", "23"), ("jag är 30 år gammal", "30"), ("i am 25 years old", "25"),
     ("olen 30 vuotta", "30"), ("ålder 23 år", "23"), ("عمري 23 سنة", "23"), ("jag är 23", "23")],
)  # fmt: skip
def test_an_age_is_read_anywhere_in_a_sentence(real_site, query, expected):
    body = real_site.get("/api/v1/sok", query_string={"q": query}).get_json()
    assert [(item["parameter"], item["values"]) for item in body["understood"]] == [("alder", [expected])]
    assert body["total"] >= 1


def test_the_rest_of_a_sentence_is_never_a_required_word(real_site):
    alone = real_site.get("/api/v1/sok", query_string={"q": "måla"}).get_json()
    for sentence in ("jag vill gärna börja måla", "hon gillar att måla", "where can i paint"):
        body = real_site.get("/api/v1/sok", query_string={"q": sentence}).get_json()
        assert body["total"] == alone["total"], sentence


def test_a_misspelt_word_that_only_the_thesaurus_knows_is_corrected_and_said(real_site):
    body = real_site.get("/api/v1/sok", query_string={"q": "promenra"}).get_json()
    assert body["corrected_query"] == "promenera" and body["total"] >= 1
    assert "Inga träffar för ”promenra”. Visar träffar för ”promenera”." in page_text(real_site, "/sok?q=promenra")
    place = real_site.get("/api/v1/sok", query_string={"q": "skarpnäk"}).get_json()
    assert place["corrected_query"] == "skarpnäck" and place["total"] >= CITYWIDE_COUNT
    # A real word is never replaced: "måla" stays "måla".
    assert real_site.get("/api/v1/sok", query_string={"q": "måla"}).get_json()["corrected_query"] is None


def test_the_json_twin_says_the_same_about_places(real_site):
    body = real_site.get("/api/v1/sok", query_string={"q": "jag bor i alvik"}).get_json()
    assert body["places"] == [{"district": "bromma", "located_here": 0, "nearby": [
        {"district": "hasselby-vallingby", "located_here": 1}, {"district": "jarva", "located_here": 2},
        {"district": "kungsholmen", "located_here": 1}]}]  # fmt: skip


def test_the_hit_links_are_exactly_the_addresses_they_stand_for(app):
    from catalogue import page_kit
    from catalogue.query import SearchRequest

    for path in ("/sok?q=kaf%C3%A9&v=musikhuset", "/en/sok?q=ips&stadsdel=farsta&sida=1"):
        with app.test_request_context(path):
            app.preprocess_request()
            for request in (SearchRequest(), SearchRequest(q="kafé", saved=("musikhuset",), sort="namn")):
                links = page_kit.hit_links(request)
                for slug in ("kafe-solsidan", "musikhuset-2"):
                    assert links.provider(slug) == page_kit.provider_url(slug, request)
                    assert links.save(slug) == page_kit.search_url(request.saving(slug))


@pytest.mark.parametrize("query", ["arbetslös i 2 år", "klockan är 16", "det är 3 dagar"])
def test_a_time_or_a_number_is_not_an_age(real_site, query):
    body = real_site.get("/api/v1/sok", query_string={"q": query}).get_json()
    assert "alder" not in [item["parameter"] for item in body["understood"]], query


@pytest.mark.parametrize(("name", "district"), [("نورا إنرستادن", "norra-innerstaden"), ("spånga", "jarva"),
                                                 ("kista", "jarva"), ("asun farstassa", "farsta")])  # fmt: skip
def test_translated_and_former_names_and_their_parts_are_places(real_site, name, district):
    body = real_site.get("/api/v1/sok", query_string={"q": name}).get_json()
    assert [(item["parameter"], item["values"]) for item in body["understood"]] == [("stadsdel", [district])]


def test_the_layouts_links_are_exactly_what_url_for_makes(app):
    from flask import url_for

    from catalogue import page_kit

    for path in ("/sok", "/en/sok?v=musikhuset", "/ar/verksamhet/musikhuset"):
        for _twice in range(2):  # the second time from the memo
            with app.test_request_context(path):
                app.preprocess_request()
                for endpoint, values in (("site.search", {}), ("static", {"filename": "style.css"}),
                                         ("site.guidance_page", {"slug": "om-webbplatsen"})):  # fmt: skip
                    assert page_kit.site_link(endpoint, **values) == url_for(endpoint, **values)
