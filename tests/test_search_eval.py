"""Issue 25's public search evaluation set (tests/search_eval.yml) against the real content.

Every query runs on its language's search page; the measures and what "shown first" means are in
bench/search_eval.py, which `make search-eval` also runs for BENCHMARKS.md. The table and every
failing query are printed (``pytest -s``); SEARCH_EVAL_JSON=path writes the metrics as JSON.

The test is a ratchet: it fails when a measure gets worse than FLOOR, today's measured values. When
the search improves, raise FLOOR to the new figures in the same change, until it reaches TARGET.
"""

import json
import os
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import search_eval  # noqa: E402

from catalogue import i18n  # noqa: E402

# The "done when": recall@5 ≥ 95 %, no false correction, no stated-fact contradiction among
# full matches, no page without an offering for a place or concept the site knows.
TARGET = {"recall@5": 0.95, "zero-result rate": 0.0, "false corrections": 0, "contradictions": 0}

# Measured on 2026-12-06 after issue 25's changes (the first measure, before them, was 230/286, 38 zero
# results, 2 contradictions, 24/32 guidance): 303 queries, 286 with a relevant offering, 32 with a guidance
# page. Exact figures, nothing subtracted. The targets are met but for three zero-result queries, each about
# a place the site does not know: another municipality (Solna, Huddinge), and Rinkeby in Arabic script.
FLOOR = {
    "recall@5": 272 / 286,  # 273 before the review's fixes (ages, denials); "skriva cv" lost its partial match
    "zero-result rate": 3 / 286,
    "false corrections": 0,
    "contradictions": 0,
    "guidance": 32 / 32,
}
NOT_KNOWN_TO_THE_SITE = {"bor i solna", "min son bor i huddinge", "أسكن في رينكبي"}
EPSILON = 1e-9  # the rates are fractions of whole queries


def test_the_evaluation_set_is_well_formed():
    cases = search_eval.load()
    active = {path.stem for path in (ROOT / "content" / "providers").glob("*.md")
              if yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])["status"] == "active"}  # fmt: skip
    pages = {path.stem for path in (ROOT / "content" / "pages").glob("*.md")}
    languages = Counter(case["lang"] for case in cases)
    assert len(cases) >= 200 and languages["sv"] >= 120
    assert all(languages[lang] >= 20 for lang in i18n.LANGUAGES if lang != i18n.DEFAULT), languages
    older = {case["query"].lower() for name in ("search_quality.yml", "search_quality_more.yml")
             for case in yaml.safe_load((ROOT / "tests" / name).read_text(encoding="utf-8"))}  # fmt: skip
    queries = [case["query"] for case in cases]
    assert len(set(queries)) == len(queries), "a query appears twice"
    for case in cases:
        assert case["query"].lower() not in older, f"{case['query']!r} copies an older set"
        assert case["who"] in {"brukare", "anhörig", "handläggare"} and case["lang"] in search_eval.LANGUAGES
        assert set(case) <= {"who", "lang", "kind", "query", "relevant", "contradicts", "guidance", "typo"}, case
        assert case["relevant"] or "guidance" in case, f"{case['query']!r} expects nothing"
        assert set(case["relevant"]) | set(case.get("contradicts", [])) <= active, case["query"]
        assert not set(case["relevant"]) & set(case.get("contradicts", [])), case["query"]
        assert case.get("guidance", "for-anhoriga") in pages, case["query"]


def test_the_public_evaluation_set_gets_no_worse(real_site):
    report = search_eval.evaluate(real_site.application, search_eval.load())
    print(search_eval.text_report(report))
    if os.environ.get("SEARCH_EVAL_JSON"):
        Path(os.environ["SEARCH_EVAL_JSON"]).write_text(
            json.dumps(report.as_json(), ensure_ascii=False, indent=2), encoding="utf-8"
        )
    m = report.overall
    measured: dict[str, float] = {
        "recall@5": m.recall_at_5,
        "zero-result rate": m.zero_result_rate,
        "false corrections": m.false_corrections,
        "contradictions": m.contradictions,
        "guidance": 1.0 if m.guidance is None else m.guidance,
    }
    higher_is_better = {"recall@5", "guidance"}
    worse = {
        name: f"{measured[name]:.4g} (floor {floor:.4g}, target {TARGET.get(name, '—')})"
        for name, floor in FLOOR.items()
        if (measured[name] < floor - EPSILON if name in higher_is_better else measured[name] > floor + EPSILON)
    }
    assert not worse, f"worse than the floor: {worse}"
    assert m.recall_at_5 >= TARGET["recall@5"] and m.false_corrections == 0 and m.contradictions == 0
    empty = {verdict.case["query"] for verdict in report.verdicts if verdict.zero}
    assert empty <= NOT_KNOWN_TO_THE_SITE, f"no offering shown for a place or concept the site knows: {empty}"
