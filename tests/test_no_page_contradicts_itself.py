"""No real page contradicts itself on access, hours or IPS, and a stated fact beats a word in the text.

Each check runs over every real file in ``content/``; the cases that were measured on the site
(Aktivitetshuset's two ways in, Rondellen's opening note, Jobbtorg and IPS, the guide's end) are named.
"""

from __future__ import annotations

import itertools
import re
from html import unescape
from pathlib import Path

import pytest

from catalogue.index.content import load_content
from catalogue.query.facets import FACETS_BY_PARAM
from catalogue.query.thesaurus import PAGE

ROOT = Path(__file__).parent.parent
CONTENT = load_content(ROOT / "content")
ACTIVE = [record for record in CONTENT.providers if record["status"] == "active"]
BY_SLUG = {record["slug"]: record for record in CONTENT.providers}
CITYWIDE = "hela-staden"


def html(client, path: str) -> str:
    return unescape(client.get(path).get_data(as_text=True))


def contradicts(record: dict, param: str, values: list[str]) -> bool:
    """The record states a fact whose value rules out the others (IPS, access, district), and none of its
    stated values is one the concept asks for. Activities not listed are unknown, not a no."""
    if param not in ("ips", "tillgang", "stadsdel"):
        return False
    facet = FACETS_BY_PARAM[param]
    stated = facet.field.value(record)
    if stated is None or stated == []:
        return False
    if param == "ips":
        return stated is not True
    stated = stated if isinstance(stated, list) else [stated]
    if param == "stadsdel" and CITYWIDE in stated:
        return False
    return not set(stated) & set(values)


@pytest.mark.system  # every word of the thesaurus, over 200 searches: `make test` runs it
def test_a_stated_fact_beats_a_word_for_every_concept_the_site_understands(real_site):
    """Every word of the thesaurus, searched alone: no match has stated the opposite of what it asks for."""
    searched = 0
    for entry in CONTENT.thesaurus["concepts"]:
        if entry["filter"] == PAGE:
            continue
        for word in entry["words"]:
            body = real_site.get("/api/v1/sok", query_string={"q": word, "sida": 1}).get_json()
            for result in body["results"]:
                record = BY_SLUG[result["slug"]]
                assert not contradicts(record, entry["filter"], entry["values"]), (word, result["slug"])
            searched += 1
    assert searched > 150


def test_a_list_of_activities_never_contradicts_a_word_in_the_offerings_own_text(real_site):
    """Jobbtorg's summary says "korta yrkesutbildningar": a search for "utbildning" finds it, though its
    activities do not name studies (a list of what is done there, not of everything)."""
    body = real_site.get("/api/v1/sok?q=utbildning").get_json()
    assert "jobbtorg-stockholm" in {result["slug"] for result in body["results"]}
    assert body["stated_otherwise"] == []


def test_jobbtorg_which_says_no_to_ips_is_no_ips_match_but_is_shown_apart_with_the_reason(real_site):
    assert BY_SLUG["jobbtorg-stockholm"]["ips"] is False
    body = real_site.get("/api/v1/sok?q=IPS").get_json()
    assert "jobbtorg-stockholm" not in {result["slug"] for result in body["results"] + body["maybe"]["results"]}
    [apart] = [hit for hit in body["stated_otherwise"] if hit["slug"] == "jobbtorg-stockholm"]
    assert apart["stated"] == ["Stöd till jobb enligt IPS: Nej"] and apart["ips"] is False
    page = html(real_site, "/sok?q=IPS")
    apart = page[page.index('id="sager-annat"') :]
    assert "Jobbtorg Stockholm</a> – Stöd till jobb enligt IPS: Nej" in apart
    assert "Jobbtorg Stockholm" not in page[page.index('class="results"') : page.index('id="sager-annat"')]
    # The filter and the words agree: every stated yes is found by the word, and no stated no; an offering
    # that has not said may still match by its text (unknown is not no).
    words = {r["slug"] for r in body["results"]}
    assert {r["slug"] for r in real_site.get("/api/v1/sok?ips=ja").get_json()["results"]} <= words
    assert all(BY_SLUG[slug].get("ips") is not False for slug in words)


def test_walking_in_finds_mariatorget_as_a_match_not_below_offerings_that_never_said_so(real_site):
    body = real_site.get("/api/v1/sok?tillgang=oppen").get_json()
    assert "stadsmissionen-motesplats-mariatorget" in {result["slug"] for result in body["results"]}
    words = real_site.get("/api/v1/sok?q=öppet").get_json()["results"]
    slugs = [result["slug"] for result in words]
    assert "stadsmissionen-motesplats-mariatorget" in slugs[:5]
    for slug in ("iwork", "jobbtorg-stockholm"):
        if slug in slugs:
            assert slugs.index(slug) > slugs.index("stadsmissionen-motesplats-mariatorget")


def test_no_provider_page_says_a_fact_is_unknown_while_it_shows_it(real_site):
    for record in ACTIVE:
        page = html(real_site, f"/verksamhet/{record['slug']}")
        unknown = re.search(r"Vi vet ännu inte: ([^.]+)\.", page)
        shown = {label.casefold() for label in re.findall(r"<dt>([^<]+)</dt>", page)}
        for label in unknown.group(1).split(", ") if unknown else []:
            assert label.casefold() not in shown, (record["slug"], label)


def test_no_provider_page_says_both_that_a_decision_is_needed_and_that_it_is_not(real_site):
    needed = "Du behöver ett beslut om sysselsättning"
    not_needed = "Du kan komma hit utan beslut."
    for record in ACTIVE:
        page = html(real_site, f"/verksamhet/{record['slug']}")
        start = page[page.index('id="sa-borjar-du"') : page.index("</section>", page.index('id="sa-borjar-du"'))]
        assert not (needed in start and not_needed in start), record["slug"]
        if record.get("parts"):  # each part says its own way in, after its name; nothing is said for the whole
            said = re.findall(r"<li><strong>([^<]+):</strong> ([^<]+)", start)
            assert [name for name, _sentence in said] == [part["name"] for part in record["parts"]], record["slug"]
            outside = re.sub(r'<ul class="parts">.*?</ul>', "", start, flags=re.S)
            assert needed not in outside and not_needed not in outside, record["slug"]


def test_aktivitetshuset_has_two_ways_in_each_with_its_own_conditions(real_site):
    record = BY_SLUG["aktivitetshuset"]
    assert {part["name"]: part["access"] for part in record["parts"]} == {
        "Öppna delen": ["oppen"],
        "Sysselsättning med beslut": ["beslut"],
    }
    page = html(real_site, "/verksamhet/aktivitetshuset")
    start = page[page.index('id="sa-borjar-du"') : page.index("</section>", page.index('id="sa-borjar-du"'))]
    assert "<li><strong>Öppna delen:</strong> Du behöver inget beslut." in start
    assert "<li><strong>Sysselsättning med beslut:</strong> Du behöver ett beslut om sysselsättning" in start
    assert '<a href="tel:0850840017" dir="ltr">08-508 400 17</a>' in start
    assert "Torsdag 09.00–16.00" in start and "08.50" not in start  # the newer hours, only the open part's


def nobody_told_but_shown(page: str) -> list[str]:
    rows = set(re.findall(r'<th scope="row">([^<]+)</th>', page))
    nobody = re.search(r"Ingen av dem har berättat: ([^.]+)\.", page)
    return [label for label in (nobody.group(1).split(", ") if nobody else []) if label.capitalize() in rows]


@pytest.mark.system  # every pair of real offerings, 300 comparisons: `make test` runs it
def test_no_comparison_says_nobody_told_a_fact_that_one_of_them_shows(real_site):
    """A fact in "Ingen av dem har berättat" is in no row of the same comparison."""
    for first, second in itertools.combinations(sorted(record["slug"] for record in ACTIVE), 2):
        assert nobody_told_but_shown(html(real_site, f"/jamfor?v={first}&v={second}")) == [], (first, second)


def test_a_comparison_with_an_opening_note_never_says_nobody_told_the_opening_hours(real_site):
    rondellen = html(real_site, "/jamfor?v=rondellen-alvsjo&v=studio-it")
    assert nobody_told_but_shown(rondellen) == []
    assert "Mest öppet på eftermiddagar" in rondellen
    assert "öppettider" not in (re.search(r"Ingen av dem har berättat: ([^.]+)\.", rondellen) or [""])[0]


def test_the_guides_end_never_promises_more_than_its_results(real_site):
    decisions, places = ("beslut", "oppen", "vet-inte"), ("farsta", "jarva", "bromma", "vet-inte")
    for decision, place, wish in itertools.product(decisions, places, ("gemenskap", "jobb", "studier")):
        query = f"tillgang={decision}&stadsdel={place}&vill={wish}&ips=ja"
        page = html(real_site, f"/hitta-ratt/klar?{query}")
        heading = re.search(r"<h1>([^<]+)</h1>", page).group(1)
        count = re.search(r'<p class="result-count" role="status">(.*?)</p>', page, re.S).group(1)
        if heading == "Det här passar det du berättade":
            assert "Ingen verksamhet" not in count and "Inget matchar" not in count, query
        elif heading == "Det här kan passa, men vi vet inte säkert":
            assert "kan passa" in count, query
        else:
            assert heading == "Inget passar alla dina svar", query
            assert "kan passa" not in count, query
