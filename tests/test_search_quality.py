"""The search-quality sets against the real content.

``search_quality.yml``: the core cases, each of which must pass. ``search_quality_more.yml``: the
growing set written the way people type, in five languages; measured as a whole against the
targets of issue 10: ≥ 90 % pass, ≤ 5 % zero results where the catalogue has the concept.
"""

import re
from html import unescape
from pathlib import Path

import pytest
import yaml

from catalogue.page_kit import snapshot
from catalogue.query import SearchRequest
from catalogue.query.facets import FACETS, ChoiceFacet
from catalogue.search import engine

ROOT = Path(__file__).parent.parent
CASES = yaml.safe_load((ROOT / "tests" / "search_quality.yml").read_text(encoding="utf-8"))


MORE = yaml.safe_load((ROOT / "tests" / "search_quality_more.yml").read_text(encoding="utf-8"))
# Issue 10's targets: 90 % passing and at most 5 % zero results (figures in BENCHMARKS.md).
PASS_TARGET, ZERO_TARGET = 0.90, 0.05


@pytest.mark.parametrize("case", CASES, ids=[f"{case['who']}: {case['query']}" for case in CASES])
def test_search_quality(real_site, case):
    body = real_site.get("/api/v1/sok", query_string={"q": case["query"]}).get_json()
    top3 = [result["slug"] for result in body["results"][:3]]
    for slug in case.get("top3", []):
        assert slug in top3, f"{slug} not in the top 3 for {case['query']!r}: {top3}"
    if "guidance" in case:
        page = real_site.get("/sok", query_string={"q": case["query"]}).get_data(as_text=True)
        assert case["guidance"] in re.findall(r'href="/vagledning/([a-z0-9-]+)"', page)


def test_the_accessibility_statement_and_easy_read_pages_are_served(real_site):
    statement = real_site.get("/tillganglighet").get_data(as_text=True)
    assert "delvis förenlig" in statement and "/rapportera-fel" in statement and "digg.se" in statement
    easy = real_site.get("/lattlast").get_data(as_text=True)
    for slug in [
        "lattlast-vad-ar-sysselsattning",
        "lattlast-sa-far-du-sysselsattning",
        "lattlast-vad-ar-ips",
        "lattlast-sa-anvander-du-webbplatsen",
    ]:
        assert f'href="/vagledning/{slug}"' in easy
        assert real_site.get(f"/vagledning/{slug}").status_code == 200
    assert "lattlast-" not in real_site.get("/vagledning").get_data(as_text=True)


def test_every_filter_value_on_the_real_content_gives_what_its_count_promised(real_site):
    counts = real_site.get("/api/v1/sok").get_json()["facets"]
    assert counts["aktivitet"]["kreativt"] >= 1  # Aktivitetshuset's painting room and ceramics (2015 source)
    for facet in FACETS:
        if not isinstance(facet, ChoiceFacet):
            continue
        for value, count in counts[facet.param].items():
            body = real_site.get("/api/v1/sok", query_string={facet.param: value}).get_json()
            assert body["total"] == count, (facet.param, value)
    page = unescape(real_site.get("/sok?aktivitet=kreativt").get_data(as_text=True))
    assert "Aktivitetshuset" in page and "Passar dina val: Kreativt skapande" in page


def judge(app, case: dict) -> dict:
    """What a person sees for one query, in its language: confirmed hits, else the best partial matches."""
    lang = case.get("lang", "sv")
    with app.test_request_context(f"/{lang}/sok" if lang != "sv" else "/sok"):
        app.preprocess_request()
        result = engine.run(snapshot(), SearchRequest(q=case["query"]), lang)
    shown = [hit.record["slug"] for hit in result.hits or result.partial or result.maybe]  # as the page shows them
    expected = case.get("top3", [])
    found = set(shown[:3]) & set(expected)
    passed = len(found) == len(expected[:3]) if expected else (result.total == 0 if case.get("none") else True)
    if "guidance" in case:
        passed = passed and case["guidance"] in [page["slug"] for page in result.guidance]
    return {
        "passed": passed,
        "zero": bool(expected) and not shown and not result.maybe,
        "precision": len(found) / min(3, len(expected)) if expected else None,
        "shown": shown[:3],
    }


KNOWN_MISSES = {(miss["lang"], miss["query"]) for miss in yaml.safe_load(
    (ROOT / "tests" / "search_quality_known_misses.yml").read_text(encoding="utf-8"))["misses"]}  # fmt: skip


def test_the_everyday_query_set_meets_its_targets(real_site):
    app = real_site.application
    judged = [(case, judge(app, case)) for case in CASES + MORE]
    with_concept = [verdict for case, verdict in judged if case.get("top3")]
    pass_rate = sum(verdict["passed"] for _case, verdict in judged) / len(judged)
    zero_rate = sum(verdict["zero"] for verdict in with_concept) / len(with_concept)
    assert len(judged) >= 150
    assert pass_rate >= PASS_TARGET and zero_rate <= ZERO_TARGET
    missed = {(case.get("lang", "sv"), case["query"]) for case, verdict in judged if not verdict["passed"]}
    assert missed - KNOWN_MISSES == set(), "new misses (expected top three not given)"
    assert KNOWN_MISSES - missed == set(), "these pass now: remove them from search_quality_known_misses.yml"
