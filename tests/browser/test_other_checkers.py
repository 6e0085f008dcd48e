"""Other people's checkers over every page kind, in every language, on the real content and the fixtures.

The Nu HTML Checker (0 errors; a warning only with its reason in ``audit.ALLOWED_VNU_WARNINGS``), pa11y with
HTML_CodeSniffer (WCAG 2 AA: 0 issues) and Lighthouse (accessibility, best practices and SEO at 100 on the
main page kinds in Swedish and Arabic, on a phone and a desktop; performance goes to BENCHMARKS.md). The
runners are shared with `make audit` (bench/audit.py). Each checker is first shown a page with a known
defect, so that none of these tests can pass by checking nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import audit  # noqa: E402

BROKEN_PAGE = (
    b'<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Trasig</title></head><body><main>'
    b'<form id="tom" method="post" action="/l"></form><span><ul><li>en lista i en span</li></ul></span>'
    b"</main></body></html>"
)


def test_the_nu_html_checker_sees_a_defect():
    errors = [message for message in audit.vnu({"trasig": BROKEN_PAGE}) if message["type"] == "error"]
    assert any("ul" in message["message"] for message in errors), errors


@pytest.mark.parametrize(
    "server, kinds", [("live_server", audit.PAGE_KINDS), ("fixture_server", audit.FIXTURE_PAGE_KINDS)]
)
def test_the_nu_html_checker_finds_no_error(request, server, kinds):
    base = request.getfixturevalue(server)
    pages = {f"{kind} ({lang})": audit.fetch(url) for kind, lang, url in audit.addresses(base, kinds)}
    messages = audit.vnu(pages)
    errors = [f"{message['page']}: {message['message']}" for message in messages if message["type"] == "error"]
    assert errors == []
    warnings = {message["message"] for message in messages if message["type"] != "error"}
    assert warnings <= set(audit.ALLOWED_VNU_WARNINGS), warnings - set(audit.ALLOWED_VNU_WARNINGS)


def test_pa11y_sees_a_defect(tmp_path):
    """An empty form without a button, as the short-link form was on pages with nothing to share."""
    page = tmp_path / "trasig.html"
    page.write_bytes(BROKEN_PAGE)
    found = audit.pa11y([page.as_uri()])
    assert any("H32.2" in issue["code"] for issues in found.values() for issue in issues), found


@pytest.mark.parametrize(
    "server, kinds", [("live_server", audit.PAGE_KINDS), ("fixture_server", audit.FIXTURE_PAGE_KINDS)]
)
def test_pa11y_with_html_codesniffer_finds_no_issue(request, server, kinds):
    base = request.getfixturevalue(server)
    found = audit.pa11y([url for _kind, _lang, url in audit.addresses(base, kinds)])
    assert {url: issues for url, issues in found.items() if issues} == {}


@pytest.mark.parametrize("form_factor", audit.FORM_FACTORS)
@pytest.mark.parametrize("lang", audit.LIGHTHOUSE_LANGUAGES)
@pytest.mark.parametrize("kind", audit.LIGHTHOUSE_KINDS)
def test_lighthouse_gives_full_marks_where_it_is_asked(live_server, kind, lang, form_factor):
    run = audit.lighthouse(live_server + audit.localized(audit.PAGE_KINDS[kind], lang), form_factor)
    assert {name: run["scores"][name] for name in audit.ASSERTED_CATEGORIES} == dict.fromkeys(
        audit.ASSERTED_CATEGORIES, 100
    ), run["failing"]
    assert 0 <= run["scores"]["performance"] <= 100  # recorded by `make audit`, not asserted: these machines are noisy
