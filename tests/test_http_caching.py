"""HTTP caching and compression (issue 12 §5): ETag and 304, a bounded page cache, gzip and brotli,
static files under versioned names."""

import datetime
import gzip
import re

import brotli
import pytest
from app_factory import make_app
from flask import template_rendered

from catalogue import caching, page_kit

SEARCH = "/sok?q=kaf%C3%A9&stadsdel=farsta"
FACTS = "status: active\nreviewed: 2025-01-01\ndistrict: farsta\nsources: [{title: T, date: 2024}]"


@pytest.fixture
def rendered(app):
    """The templates rendered while a test runs: a page answered from a cache renders none."""
    names: list[str] = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    yield names
    template_rendered.disconnect(record, app)


def test_a_page_has_an_etag_and_may_be_served_briefly_by_a_shared_cache(client):
    response = client.get(SEARCH)
    assert response.headers["ETag"]
    assert response.cache_control.public and response.cache_control.s_maxage == caching.SHARED_MAX_AGE
    assert response.cache_control.max_age == 0  # a browser asks again, with If-None-Match


def test_an_unchanged_page_answers_304_without_searching_or_rendering(app, app_client, rendered):
    etag = app_client.get(SEARCH).headers["ETag"]
    rendered.clear()
    unchanged = app_client.get(SEARCH, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b"" and unchanged.headers["ETag"] == etag
    assert rendered == []


def test_the_same_address_again_comes_from_the_page_cache(app, app_client, rendered):
    first = app_client.get(SEARCH, headers={"Accept-Encoding": "gzip"})
    rendered.clear()
    again = app_client.get(SEARCH, headers={"Accept-Encoding": "gzip"})
    assert rendered == [] and again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Security-Policy"]  # the security headers are added to every answer


def test_publishing_changes_every_etag_and_empties_the_page_cache(app, app_client, publish):
    before = app_client.get("/sok?stadsdel=farsta")
    publish("nya-kaket", "name: Nya köket\nsummary: Lunch och fika.\n" + FACTS)
    after = app_client.get("/sok?stadsdel=farsta")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "Nya köket" in after.get_data(as_text=True)
    assert app_client.get("/sok?stadsdel=farsta", headers={"If-None-Match": before.headers["ETag"]}).status_code == 200


@pytest.mark.parametrize("other", ["/en" + SEARCH, SEARCH + "&timmar=1-12", SEARCH + "&v=musikhuset"])
def test_another_language_or_address_is_another_page(client, other):
    assert client.get(other).headers["ETag"] != client.get(SEARCH).headers["ETag"]


def test_a_short_link_code_changes_the_page_only_when_the_link_exists(app, app_client):
    made = app_client.get(app_client.post("/l", data={"url": SEARCH}).headers["Location"]).headers["Location"]
    code = made.rsplit("kort=", 1)[1]
    with_code = app_client.get(made)
    assert code in with_code.get_data(as_text=True)
    unknown = app_client.get(SEARCH + "&kort=zzzzzz")
    assert with_code.headers["ETag"] != unknown.headers["ETag"] != app_client.get(SEARCH).headers["ETag"]


def test_the_date_is_part_of_a_page(client, monkeypatch):
    today = client.get(SEARCH).headers["ETag"]
    monkeypatch.setattr(page_kit, "today", lambda: datetime.date(2099, 1, 1))
    assert client.get(SEARCH).headers["ETag"] != today


def test_two_nodes_with_the_same_content_agree_on_etags(site, tmp_path):
    other = make_app(tmp_path)
    assert other.test_client().get(SEARCH).headers["ETag"] == site.test_client().get(SEARCH).headers["ETag"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_answers_are_never_cached(client, path):
    assert "ETag" not in client.get(path).headers


def test_errors_and_writes_are_not_cached(app, app_client):
    assert "ETag" not in app_client.get("/finns-inte").headers
    assert "ETag" not in app_client.get("/sok?timmar=99").headers
    assert "ETag" not in app_client.post("/l", data={"url": SEARCH}).headers


@pytest.mark.parametrize(("encoding", "decompress"), [("gzip", gzip.decompress), ("br", brotli.decompress)])
@pytest.mark.parametrize("path", [SEARCH, "/api/v1/sok?q=jobb"])
def test_pages_and_json_are_compressed(client, path, encoding, decompress):
    plain = client.get(path).data
    packed = client.get(path, headers={"Accept-Encoding": encoding})
    assert packed.headers["Content-Encoding"] == encoding and "Accept-Encoding" in packed.headers["Vary"]
    assert decompress(packed.data) == plain and len(packed.data) < len(plain) / 3


def test_a_304_answers_an_etag_marked_with_its_encoding(client):
    etag = client.get(SEARCH, headers={"Accept-Encoding": "br"}).headers["ETag"]
    assert etag.endswith(':br"')
    assert client.get(SEARCH, headers={"Accept-Encoding": "br", "If-None-Match": etag}).status_code == 304


def test_the_real_search_page_compressed_is_at_most_6_kb(real_site):
    packed = real_site.get("/sok?q=jobb&stadsdel=farsta&timmar=10-24", headers={"Accept-Encoding": "br, gzip"})
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "br"
    assert len(packed.data) <= 6 * 1024, len(packed.data)


def test_static_files_have_versioned_names_and_are_kept_a_year(client):
    page = client.get("/").get_data(as_text=True)
    stylesheet = re.search(r'href="(/static/style\.[0-9a-f]{10}\.css)"', page).group(1)
    script = re.search(r'src="(/static/site\.[0-9a-f]{10}\.js)"', page).group(1)
    for address in (stylesheet, script):
        with client.get(address) as response:
            assert response.status_code == 200
            assert response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.immutable
    with client.get("/static/style.css") as plain:
        assert plain.status_code == 200 and plain.cache_control.max_age == 0
    assert client.get("/static/style.0000000000.css").status_code == 404


def test_the_page_cache_is_bounded_in_bytes_and_keeps_one_index_version():
    pages = caching.PageCache(max_bytes=1000)
    for n in range(10):
        pages.get("v1", ("k", n))
        pages.put("v1", ("k", n), ([], b"x" * 300))
    kept = [n for n in range(10) if pages.get("v1", ("k", n))]
    assert kept == [7, 8, 9]  # the most recent that fit
    assert pages.get("v2", ("k", 9)) is None and pages.get("v1", ("k", 9)) is None


def test_the_scheme_and_the_public_address_are_part_of_a_page(client):
    """Without a configured public address, share and print addresses name the request's scheme."""
    plain, secure = client.get(SEARCH), client.get(SEARCH, base_url="https://localhost")
    assert plain.headers["ETag"] != secure.headers["ETag"]
    assert "https://localhost/sok" in secure.get_data(as_text=True)


def test_if_none_match_star_does_not_hide_a_missing_page(client):
    assert client.get("/verksamhet/finns-inte", headers={"If-None-Match": "*"}).status_code == 404
    assert client.get(SEARCH, headers={"If-None-Match": "*"}).status_code == 200
