"""The public search evaluation set of issue 25 (tests/search_eval.yml): run it, measure it, report it.

Used by tests/test_search_eval.py (which asserts a ratchet floor) and by `make search-eval`, which
prints a Markdown row for BENCHMARKS.md:

    .venv/bin/python bench/search_eval.py [--json PATH] [--date YYYY-MM-DD]

What a person sees first, and so what "the first five shown" means (templates/_results.html):
the full matches (``result.hits``: known offerings, then those known only by name) when there are
any; otherwise the best partial matches (``result.partial``); otherwise "kan också passa"
(``result.maybe``). ``maybe`` comes only from filters an offering has not answered, so for a query
without filters, as here, it is always empty; it is counted for completeness. The offerings shown
apart because a stated fact contradicts the query (``result.stated_otherwise``) are never counted as
shown: the page presents them as not fitting.

Metrics:
- recall@5: share of queries with at least one relevant offering among the first five shown
  (only queries whose ``relevant`` is not empty).
- zero-result rate: share of those queries where the page shows no offering at all.
- false corrections: queries not marked ``typo: true`` that the search silently replaced by a
  corrected query (``result.corrected_from`` set).
- contradictions: (query, offering) pairs where an offering in ``contradicts`` is a full match.
- guidance: share of queries with a ``guidance`` page where that page is suggested.
- suggestions on real words (reported, not a target): queries not marked ``typo: true`` for which the
  page offers "Menade du …?"; not a silent replacement, but a wrong one misleads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from catalogue import i18n

ROOT = Path(__file__).resolve().parent.parent
SET = ROOT / "tests" / "search_eval.yml"
LANGUAGES = tuple(i18n.LANGUAGES)
TOP = 5


def load(path: Path = SET) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]


@dataclass
class Verdict:
    """What one query showed, and how it measures."""

    case: dict
    shown: list[str]  # the offerings a person sees first, in order (see the module's docstring)
    source: str  # "hits", "partial", "maybe" or "" (nothing shown)
    found: bool | None  # a relevant offering among the first five; None when nothing is relevant
    contradicted: list[str]  # offerings in `contradicts` that are full matches
    false_correction: str | None  # what a real-word query was silently replaced by
    guidance: bool | None  # the expected guidance page is suggested; None when none is expected
    guidance_shown: list[str] = field(default_factory=list)
    suggestion: str | None = None

    @property
    def zero(self) -> bool:
        return bool(self.case["relevant"]) and not self.shown

    @property
    def failed(self) -> bool:
        return self.found is False or bool(self.contradicted) or bool(self.false_correction) or self.guidance is False


def judge(app, case: dict) -> Verdict:
    """Run one query on its language's search page, as tests/test_search_quality.py's ``judge`` does."""
    from catalogue.page_kit import snapshot
    from catalogue.query import SearchRequest
    from catalogue.search import engine

    lang = case.get("lang", "sv")
    with app.test_request_context(f"/{lang}/sok" if lang != "sv" else "/sok"):
        app.preprocess_request()
        result = engine.run(snapshot(), SearchRequest(q=case["query"]), lang)
    if result.hits:
        shown, source = result.known_hits + result.name_only_hits, "hits"
    elif result.partial:
        shown, source = result.partial, "partial"
    elif result.maybe:
        shown, source = result.maybe_known + result.maybe_name_only, "maybe"
    else:
        shown, source = [], ""
    slugs = [hit.record["slug"] for hit in shown]
    relevant = set(case["relevant"])
    hits = {hit.record["slug"] for hit in result.hits}
    corrected = result.corrected_from is not None and result.suggestion != result.corrected_from
    pages = [page["slug"] for page in result.guidance]
    return Verdict(
        case=case,
        shown=slugs,
        source=source,
        found=bool(relevant & set(slugs[:TOP])) if relevant else None,
        contradicted=[slug for slug in case.get("contradicts", []) if slug in hits],
        false_correction=result.suggestion if corrected and not case.get("typo") else None,
        guidance=case["guidance"] in pages if "guidance" in case else None,
        guidance_shown=pages,
        suggestion=result.suggestion,
    )


@dataclass
class Metrics:
    queries: int
    with_relevant: int
    recall_at_5: float
    zero_result_rate: float
    false_corrections: int
    contradictions: int  # (query, offering) pairs
    contradicted_queries: int
    guidance: float | None
    real_word_suggestions: int


def measure(verdicts: Iterable[Verdict]) -> Metrics:
    verdicts = list(verdicts)
    judged = [v for v in verdicts if v.found is not None]
    with_guidance = [v for v in verdicts if v.guidance is not None]
    return Metrics(
        queries=len(verdicts),
        with_relevant=len(judged),
        recall_at_5=sum(bool(v.found) for v in judged) / len(judged) if judged else 1.0,
        zero_result_rate=sum(v.zero for v in judged) / len(judged) if judged else 0.0,
        false_corrections=sum(v.false_correction is not None for v in verdicts),
        contradictions=sum(len(v.contradicted) for v in verdicts),
        contradicted_queries=sum(bool(v.contradicted) for v in verdicts),
        guidance=sum(bool(v.guidance) for v in with_guidance) / len(with_guidance) if with_guidance else None,
        real_word_suggestions=sum(bool(v.suggestion) and not v.case.get("typo") for v in verdicts),
    )


@dataclass
class Report:
    verdicts: list[Verdict]
    overall: Metrics
    by_language: dict[str, Metrics]
    by_kind: dict[str, Metrics]

    def as_json(self) -> dict:
        return {
            "overall": asdict(self.overall),
            "by_language": {lang: asdict(m) for lang, m in self.by_language.items()},
            "by_kind": {kind: asdict(m) for kind, m in self.by_kind.items()},
            "failures": [
                {
                    "lang": v.case["lang"],
                    "kind": v.case["kind"],
                    "query": v.case["query"],
                    "relevant": v.case["relevant"],
                    "shown": v.shown[:TOP],
                    "source": v.source,
                    "recall_miss": v.found is False,
                    "zero": v.zero,
                    "contradicted": v.contradicted,
                    "false_correction": v.false_correction,
                    "guidance_expected": v.case.get("guidance") if v.guidance is False else None,
                }  # fmt: skip
                for v in self.verdicts
                if v.failed
            ],
        }


def evaluate(app, cases: list[dict]) -> Report:
    verdicts = [judge(app, case) for case in cases]
    kinds = sorted({v.case["kind"] for v in verdicts})
    return Report(
        verdicts=verdicts,
        overall=measure(verdicts),
        by_language={lang: measure(v for v in verdicts if v.case["lang"] == lang) for lang in LANGUAGES},
        by_kind={kind: measure(v for v in verdicts if v.case["kind"] == kind) for kind in kinds},
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def table(report: Report) -> str:
    """Per language, per kind and overall, as a Markdown table."""
    lines = [
        "| | queries | judged | recall@5 | zero results | false corrections | contradictions | guidance "
        "| suggestions on real words |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [*report.by_language.items(), *((f"kind: {k}", m) for k, m in report.by_kind.items())]
    for name, m in [*rows, ("**all**", report.overall)]:
        lines.append(
            f"| {name} | {m.queries} | {m.with_relevant} | {_pct(m.recall_at_5)} | {_pct(m.zero_result_rate)} "
            f"| {m.false_corrections} | {m.contradictions} ({m.contradicted_queries} queries) | {_pct(m.guidance)} "
            f"| {m.real_word_suggestions} |"
        )
    return "\n".join(lines)


def _short(slugs: list[str], limit: int = 4) -> str:
    return ", ".join(slugs[:limit]) + (f", … (+{len(slugs) - limit})" if len(slugs) > limit else "")


def failures(report: Report) -> str:
    """One line per failing query: what was expected and what the page showed first."""
    lines = []
    for v in report.verdicts:
        if not v.failed:
            continue
        why = []
        if v.found is False:
            why.append("zero results" if v.zero else "no relevant in top 5")
        if v.contradicted:
            why.append(f"contradicts: {', '.join(v.contradicted)}")
        if v.false_correction:
            why.append(f"false correction → {v.false_correction!r}")
        if v.guidance is False:
            why.append(f"guidance {v.case['guidance']} missing (got {v.guidance_shown})")
        lines.append(
            f"  {v.case['lang']} {v.case['kind']:<8} {v.case['query']!r}: {'; '.join(why)}\n"
            f"      expected [{_short(v.case['relevant'])}], got {v.source or 'nothing'} [{_short(v.shown[:TOP], TOP)}]"
        )
    return "\n".join(lines)


def text_report(report: Report) -> str:
    failing = sum(v.failed for v in report.verdicts)
    suggested = [f"  {v.case['lang']} {v.case['query']!r} → {v.suggestion!r}" for v in report.verdicts
                 if v.suggestion and not v.case.get("typo")]  # fmt: skip
    return (
        f"\nsearch evaluation set ({SET.relative_to(ROOT)})\n{table(report)}\n\n{failing} failing:\n"
        f"{failures(report)}\n\nsuggested for real words (not failures):\n" + "\n".join(suggested)
    )


def commit() -> str:
    """The short head commit, with "+" when the work tree has changes (read-only git calls)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+" if dirty else "")


def trend_row(report: Report, date: str, head: str) -> str:
    """The row for BENCHMARKS.md's trend table."""
    m = report.overall
    per_language = " | ".join(_pct(report.by_language[lang].recall_at_5) for lang in LANGUAGES)
    return (
        f"| {date} | {head} | {m.queries} | {_pct(m.recall_at_5)} | {_pct(m.zero_result_rate)} | "
        f"{m.false_corrections} | {m.contradictions} | {_pct(m.guidance)} | {per_language} |"
    )


TREND_HEADER = (
    "| date | commit | queries | recall@5 | zero results | false corrections | contradictions | guidance "
    "| sv | en | fi | ar | so |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def make_app(index_dir: Path):
    """The site over the real content, built as tests/conftest.py's ``real_site`` builds it."""
    sys.path.insert(0, str(ROOT))
    from catalogue import create_app

    return create_app({"CONTENT_DIR": ROOT / "content", "INDEX_DIR": index_dir, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the metrics and failures as JSON here")
    parser.add_argument("--date", default=dt.date.today().isoformat())
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="search-eval-") as folder:
        report = evaluate(make_app(Path(folder)), load())
    print(text_report(report))
    print(f"\nFor BENCHMARKS.md:\n\n{TREND_HEADER}\n{trend_row(report, args.date, commit())}\n")
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report.as_json(), ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
