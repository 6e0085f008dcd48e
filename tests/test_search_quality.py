"""The search-quality set (tests/search_quality.yml) against the real content."""
import re
from pathlib import Path

import pytest
import yaml

from catalogue import create_app

ROOT = Path(__file__).parent.parent
CASES = yaml.safe_load((ROOT / "tests" / "search_quality.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    app = create_app({"CONTENT_DIR": ROOT / "content", "INDEX_DIR": tmp_path_factory.mktemp("index"),
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return app.test_client()


@pytest.mark.parametrize("case", CASES, ids=[f"{case['who']}: {case['query']}" for case in CASES])
def test_search_quality(real_site, case):
    body = real_site.get("/api/v1/sok", query_string={"q": case["query"]}).get_json()
    top3 = [result["slug"] for result in body["results"][:3]]
    for slug in case.get("top3", []):
        assert slug in top3, f"{slug} not in the top 3 for {case['query']!r}: {top3}"
    if "guidance" in case:
        page = real_site.get("/sok", query_string={"q": case["query"]}).get_data(as_text=True)
        assert case["guidance"] in re.findall(r'href="/vagledning/([a-z0-9-]+)"', page)
