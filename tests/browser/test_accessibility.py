"""axe-core over every page type in every language: zero violations."""

import sys
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from catalogue.i18n import LANGUAGES

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import audit  # noqa: E402

AXE = Axe()
PAGE_TYPES = audit.PAGE_KINDS  # one list of page kinds, shared with the other checkers and `make audit`


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_no_axe_violations(page, live_server, name, lang):
    page.goto(live_server + audit.localized(PAGE_TYPES[name], lang))
    results = AXE.run(page, options={"resultTypes": ["violations"]})
    violations = results.response["violations"]
    assert violations == [], results.generate_report()
    assert page.locator("h1").count() == 1
