"""Structured request logs without personal data (issue 12 §7)."""

import json
import logging

import pytest

SECRET_WORDS = "ensam%20och%20ledsen"
ADDRESS = "203.0.113.77"


@pytest.fixture
def logged(caplog):
    caplog.set_level(logging.INFO, logger="catalogue.requests")
    return caplog


def _entries(caplog) -> list[dict]:
    return [json.loads(record.getMessage()) for record in caplog.records if record.name == "catalogue.requests"]


def test_each_request_is_one_json_line_that_says_what_an_operator_needs(client, logged):
    client.get(f"/sok?q={SECRET_WORDS}", environ_base={"REMOTE_ADDR": ADDRESS})
    client.get("/finns-inte")
    search, missing = _entries(logged)
    assert search["route"] == "/sok" and search["status"] == 200 and search["method"] == "GET"
    assert search["ms"] >= 0 and search["bytes"] > 0 and search["index"] and search["cache"] in ("miss", "hit")
    assert missing["status"] == 404 and missing["route"] is None


def test_the_log_keeps_no_address_no_search_text_and_no_browser(app, app_client, logged):
    headers = {"User-Agent": "Telefon/1.0", "Referer": "https://example.org/privat", "X-Forwarded-For": ADDRESS}
    app_client.get(f"/sok?q={SECRET_WORDS}", headers=headers, environ_base={"REMOTE_ADDR": ADDRESS})
    app_client.get(f"/en/sok?q={SECRET_WORDS}&stadsdel=farsta", headers=headers)
    app_client.post("/rapportera-fel", data={"sida": "/sok", "meddelande": "ensam"}, headers=headers)
    text = logged.text + "".join(str(record.__dict__) for record in logged.records)
    for private in ("ensam", "ledsen", "farsta", ADDRESS, "Telefon", "example.org"):
        assert private not in text, private
    assert len(_entries(logged)) == 3


def test_the_log_says_whether_the_page_cache_or_a_304_answered(client, logged):
    first = client.get("/sok?q=jobb")
    client.get("/sok?q=jobb")
    client.get("/sok?q=jobb", headers={"If-None-Match": first.headers["ETag"]})
    assert [entry["cache"] for entry in _entries(logged)][-2:] == ["hit", "not-modified"]
