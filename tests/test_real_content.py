"""The real catalogue in ``content/``, where most facts are not stated: unknown must never read as "no".

The fixtures state every fact; these tests hold the site to its promises on the content people see.
Whether an offering *could fit* is decided here from the content files themselves, independently of
the search code: it could fit unless it has stated something that contradicts a chosen filter.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from html import unescape
from pathlib import Path

import pytest
from babel.dates import format_date

from catalogue import create_app
from catalogue.facts import fields
from catalogue.facts import vocabulary as v
from catalogue.index.content import load_content
from catalogue.query.facets import FACETS, ChoiceFacet, DistrictFacet, RangeFacet
from catalogue.site.guide import QUESTIONS, search_request

ROOT = Path(__file__).parent.parent
CONTENT = load_content(ROOT / "content")
ACTIVE = [record for record in CONTENT.providers if record["status"] == "active"]
LISTED = [record for record in CONTENT.providers if record["status"] != "closed"]  # paused ones are listed too
CITYWIDE = DistrictFacet.EVERYWHERE


def could_fit(record: dict, filters: dict) -> bool:
    """Nothing the offering has stated rules it out (the oracle for "confirmed or kan också passa")."""
    for facet in FACETS:
        if facet.param not in filters:
            continue
        chosen, stated = filters[facet.param], facet.field.value(record)
        if facet.param == "timmar" and record.get("access") == ["oppen"]:
            return False  # walk-in only: there is no decision, so no hours interval applies
        if stated in (None, [], {}):
            continue  # not stated: it could fit
        if isinstance(facet, RangeFacet):
            if not stated.get("min", 0) <= chosen <= stated.get("max", 200):
                return False
        elif facet.param == "stadsdel":
            if stated != CITYWIDE and stated not in chosen:
                return False
        elif isinstance(stated, bool):
            if not stated:  # a stated "no" (ips: false)
                return False
        elif not set(stated if isinstance(stated, list) else [stated]) & set(chosen):
            return False
    return True


def found(real_site, params) -> int:
    body = real_site.get("/api/v1/sok", query_string=params).get_json()
    return body["total"] + body["maybe"]["total"]


def test_the_real_content_is_valid_and_has_dated_sources():
    assert CONTENT.errors == []
    for record in CONTENT.providers + CONTENT.pages:
        for source in record.get("sources", []):
            assert re.fullmatch(r"\d{4}(-\d\d){0,2}", str(source["date"])), (record["slug"], source)


SINGLE_VALUES = [
    (facet.param, value)
    for facet in FACETS
    if isinstance(facet, ChoiceFacet)
    for value in facet.vocabulary
    if not (facet.param == "stadsdel" and value == CITYWIDE)
] + [("alder", age) for age in (16, 18, 20, 25, 40, 64, 70)]


@pytest.mark.parametrize(("param", "value"), SINGLE_VALUES, ids=[f"{p}={v}" for p, v in SINGLE_VALUES])
def test_every_filter_value_leads_to_an_offering_whenever_one_could_fit(real_site, param, value):
    facet = next(facet for facet in FACETS if facet.param == param)
    state = value if isinstance(facet, RangeFacet) else (value,)
    possible = sum(could_fit(record, {param: state}) for record in LISTED)
    assert found(real_site, {param: value}) == possible


def test_the_measured_dead_ends_are_gone(real_site):
    """What the issue measured: hours (0), IPS with a district (0), "Öppen" outside Södermalm (0)."""
    for hours in v.HOURS:
        assert found(real_site, {"timmar": hours}) > 0
    for district in v.DISTRICTS:
        assert found(real_site, {"ips": "ja", "stadsdel": district}) > 0
        assert found(real_site, {"tillgang": "oppen", "stadsdel": district}) > 0
    # The confirmed matches stay confirmed: IPS by a stated yes only.
    confirmed = real_site.get("/api/v1/sok?ips=ja").get_json()
    assert {result["slug"] for result in confirmed["results"]} == {r["slug"] for r in LISTED if r.get("ips") is True}
    assert confirmed["unknown"]["ips"] == sum(1 for r in LISTED if "ips" not in r)


def _guide_paths():
    """Every answer to the hours, district, decision and IPS questions, with each wish in turn."""
    options = {question.param: [value for value, _label in question.options] for question in QUESTIONS}
    wishes = itertools.cycle(options["vill"])
    params = ("timmar", "stadsdel", "tillgang", "ips")
    for combination in itertools.product(*(options[param] for param in params)):
        yield {"vill": [next(wishes)]} | {param: [value] for param, value in zip(params, combination, strict=True)}


@pytest.mark.system  # every path through the guide, over 200: `make test` runs it
def test_the_guide_never_ends_on_an_empty_page_while_something_could_fit(real_site):
    ends = 0
    for answers in _guide_paths():
        request = search_request(answers)
        if not any(could_fit(record, request.filters) for record in LISTED):
            continue
        ends += 1
        assert found(real_site, request.to_params()) > 0, answers
    assert ends > 200  # nearly every path could fit something, so this really was tried


def test_zero_confirmed_matches_show_the_maybe_group_first_not_a_zero(real_site):
    page = unescape(real_site.get("/sok?timmar=1-12").get_data(as_text=True))
    assert "0 verksamheter" not in page
    # No offering has told us its hours: the result line says that, not that the person chose wrongly.
    assert "Ingen verksamhet har berättat hur många timmar i veckan man kan vara där ännu." in page
    assert "Ingen verksamhet har berättat att den passar alla dina val." not in page
    unknown = sum(1 for record in LISTED if "hours" not in record and record.get("access") != ["oppen"])
    assert "Kan också passa" in page
    assert f"{unknown} verksamheter har inte berättat hur många timmar" in page
    # Every other filter's options say how many could fit, not a row of zeros.
    farsta = sum(
        could_fit(record, {"timmar": ("1-12",), "stadsdel": ("farsta",)})
        and record.get("district") in ("farsta", CITYWIDE)
        for record in LISTED
    )
    assert farsta > 0
    assert f'Farsta <span class="count">(0, {farsta} kan passa)</span>' in page
    twin = real_site.get("/api/v1/sok?timmar=1-12").get_json()  # other services get the same truth
    assert twin["facets"]["stadsdel"]["farsta"] == 0 and twin["maybe_facets"]["stadsdel"]["farsta"] == farsta


def test_no_provider_page_repeats_unknown_row_after_row(real_site):
    for record in ACTIVE:
        page = unescape(real_site.get(f"/verksamhet/{record['slug']}").get_data(as_text=True))
        assert "Uppgift saknas" not in page, record["slug"]
        assert page.count("Vi vet ännu inte:") <= 1, record["slug"]
        facts = fields.provider_facts(record, dt.date.today())
        if facts.unknown:
            asking = r'Vi vet ännu inte: [^<]*\.\s*<a href="([^"]+)">Vet du\? Berätta för oss'
            link = re.search(asking, page)
            assert link, record["slug"]
            assert link.group(1) == f"/verksamhet/{record['slug']}/foresla-andring"
            assert real_site.get(link.group(1)).status_code == 200


def test_every_district_page_names_someone_to_contact(real_site):
    for district in v.DISTRICTS:
        if district == CITYWIDE:
            continue
        page = unescape(real_site.get(f"/stadsdel/{district}").get_data(as_text=True))
        contact = re.search(r'<span class="action-label">Vem du kontaktar:</span>\s*<span[^>]*>([^<]+)</span>', page)
        assert contact and contact.group(1).strip(), district
        # Whom, and how to reach them: a number to call and the city's page for applying, on every district.
        apply = page[page.index('id="ansok"') : page.index("</section>", page.index('id="ansok"'))]
        assert re.search(r'href="tel:\d{6,}"', apply), district
        assert 'href="https://funktionsnedsattning.stockholm/ansok-om-stod-och-omsorg/"' in apply, district


def test_district_pages_and_the_search_agree(real_site):
    for district in v.DISTRICTS:
        if district == CITYWIDE:
            continue
        total = real_site.get(f"/api/v1/sok?stadsdel={district}").get_json()["total"]
        local = sum(1 for record in LISTED if record.get("district") == district)
        citywide = sum(1 for record in LISTED if record.get("district") == CITYWIDE)
        assert total == local + citywide
        page = unescape(real_site.get(f"/stadsdel/{district}").get_data(as_text=True))
        places = "verksamhet finns" if local == 1 else "verksamheter finns"
        assert f"{local} {places} i {v.DISTRICTS.label(district)} och {citywide} för hela staden." in page


def test_offerings_known_only_by_name_come_last_in_their_own_group(real_site):
    name_only = {record["slug"] for record in LISTED if fields.known_only_by_name(record)}
    assert {"studio-it", "osynliga-jobb", "nya-verkstan"} <= name_only
    for sort in ("relevans", "namn"):
        order, grouped, page_number, pages = [], set(), 1, 1
        while page_number <= pages:
            body = real_site.get(f"/api/v1/sok?sortera={sort}&sida={page_number}").get_json()
            pages, order = body["pages"], order + [result["slug"] for result in body["results"]]
            response = real_site.get(f"/sok?sortera={sort}&sida={page_number}", follow_redirects=True)
            html = response.get_data(as_text=True)
            if 'id="bara-namnet"' in html:
                group = html[html.index('id="bara-namnet"') :]
                grouped |= {slug for slug in name_only if f'id="v-{slug}"' in group}
            page_number += 1
        assert set(order[-len(name_only) :]) == name_only, sort
        assert grouped == name_only, sort


def test_the_coverage_in_the_editors_guide_is_the_current_one(tmp_path):
    """docs/content-format.md shows editors where the gaps are; it must say what the command says now."""
    app = create_app({"CONTENT_DIR": ROOT / "content", "INDEX_DIR": tmp_path, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    output = app.test_cli_runner().invoke(args=["catalogue", "coverage"]).output.strip()
    guide = (ROOT / "docs" / "content-format.md").read_text(encoding="utf-8")
    assert f"```\n{output}\n```" in guide


def test_every_page_leads_with_the_age_of_its_evidence_and_no_unbacked_confirmation(real_site):
    """No page shows a confirmation date that no confirmation backs, nor the editors' re-read date."""
    for record in ACTIVE:
        years = sorted(str(source["date"])[:4] for source in record["sources"])
        page = unescape(real_site.get(f"/verksamhet/{record['slug']}").get_data(as_text=True))
        expected = years[0] if years[0] == years[-1] else f"{years[0]}–{years[-1]}"
        lead = page[page.index('class="lead"') : page.index('id="sa-borjar-du"')]
        assert f"Uppgifterna kommer från {expected}." in lead, record["slug"]
        reviewed = format_date(dt.date.fromisoformat(record["reviewed"]), format="long", locale="sv")
        main = page[page.index("<main") : page.index("</main>")]  # the printout's own date is today, rightly
        assert reviewed not in main, record["slug"]  # "23 november 2026": the re-read is not shown as news
        assert "kontrollerades" not in page, record["slug"]
        if "confirmed" in record:
            assert "Verksamheten bekräftade uppgifterna" in lead, record["slug"]
        else:
            assert "Verksamheten har inte bekräftat uppgifterna ännu." in lead, record["slug"]
            assert "bekräftade" not in page, record["slug"]


def test_the_counts_in_kan_ocksa_passa_describe_that_group(real_site):
    """ "N har inte berättat X" counts the offerings listed in the group, per chosen filter."""
    for params in ("timmar=1-12&stadsdel=farsta&ips=ja", "tillgang=oppen&stadsdel=bromma"):
        body = real_site.get(f"/api/v1/sok?{params}").get_json()
        assert body["maybe"]["total"] == len(body["maybe"]["results"])  # under the 50 shown: all listed
        page = unescape(real_site.get(f"/sok?{params}", follow_redirects=True).get_data(as_text=True))
        group = page[page.index('id="kan-ocksa-passa"') :]
        for facet in FACETS:
            count = sum(facet.param in result["unknown"] for result in body["maybe"]["results"])
            if count:
                noun = "verksamhet" if count == 1 else "verksamheter"
                assert f"{count} {noun} har inte berättat {facet.not_stated}." in group, (params, facet.param)


def test_a_district_with_nothing_of_its_own_names_the_neighbours_that_have_something(real_site):
    places = CONTENT.places["districts"]
    local = {slug: sum(r.get("district") == slug for r in LISTED) for slug in places}
    empty = [slug for slug in places if not local[slug]]
    assert empty  # Bromma, Skarpnäck … on 2026-11-23
    for slug in empty:
        page = unescape(real_site.get(f"/stadsdel/{slug}").get_data(as_text=True))
        with_offerings = [n for n in places[slug].get("neighbours", []) if local[n]]
        for neighbour in with_offerings:
            assert f'href="/stadsdel/{neighbour}">{v.DISTRICTS.label(neighbour)}</a> ({local[neighbour]})' in page


def test_walk_in_only_offerings_are_not_asked_for_hours_they_cannot_have(real_site):
    """Hours intervals belong to decisions: Alfa or Aktiv Fritid (no decision) are not "kan också passa"."""
    walk_in = {record["slug"] for record in LISTED if record.get("access") == ["oppen"]}
    assert {"alfa", "rsmh-aktiv-fritid"} <= walk_in
    body = real_site.get("/api/v1/sok?timmar=1-12").get_json()
    assert not walk_in & {result["slug"] for result in body["maybe"]["results"]}
    assert body["maybe"]["total"] > 0


def test_a_filter_nobody_has_answered_says_so_beside_it_and_leads_to_whom_to_ask(real_site):
    """No offering states its hours interval: the filter says that, not that the person chose wrongly."""
    assert not any("hours" in record for record in LISTED)
    page = unescape(real_site.get("/sok?timmar=10-24").get_data(as_text=True))
    facet = page[page.index("Timmar i veckan enligt beslutet") :]
    facet = facet[: facet.index("</fieldset>")]
    assert "Ingen verksamhet har berättat hur många timmar i veckan man kan vara där ännu." in facet
    assert '<a href="/stadsdelar">Fråga socialtjänsten i din stadsdel</a>' in facet
    assert real_site.get("/api/v1/sok?timmar=10-24").get_json()["nobody_stated"] == ["timmar"]
    # A filter that someone has answered keeps its count of those who have not.
    ips = unescape(real_site.get("/sok?ips=ja").get_data(as_text=True))
    assert "Ingen verksamhet har berättat om verksamheten arbetar med IPS" not in ips


def test_stale_counts_the_real_catalogue_from_its_evidence_not_from_the_last_re_read(tmp_path):
    """Every real file was re-read in November or December 2026, over sources from 1999–2025, and no offering
    has confirmed its facts yet: each one is more than a year old, and `stale --older-than 365` says so."""
    app = create_app({"CONTENT_DIR": ROOT / "content", "INDEX_DIR": tmp_path, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    output = app.test_cli_runner().invoke(args=["catalogue", "stale", "--older-than", "365"]).output
    listed = [line for line in output.splitlines() if "  content/" in line]
    old = [  # a file without a source has no age: it is listed too, first
        record
        for record in CONTENT.providers + CONTENT.pages
        if not record.get("sources")
        or (dt.date.today() - max(dt.date(int(str(s["date"])[:4]), 1, 1) for s in record["sources"])).days > 365
    ]
    assert len(listed) == len(old) >= len(CONTENT.providers)
    assert all("  aldrig  " in line for line in listed)  # no confirmation anywhere, honestly
