"""Found by search engines, without trackers (issue §4): the sitemap, robots.txt, canonical links and
schema.org JSON-LD on provider pages, with only the facts a provider has stated."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import pytest
from app_factory import FIXTURES
from test_privacy_and_headers import HTML_PAGES

from catalogue import i18n, routes
from catalogue.facts import vocabulary as v
from catalogue.index.content import load_content
from catalogue.opendata import discovery
from catalogue.page_kit import snapshot

ROOT = Path(__file__).parent.parent
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
HOST = "http://localhost"
PUBLIC = "https://hitta.example.se"
PREFIXES = {code: "" if code == i18n.DEFAULT else f"/{code}" for code in i18n.LANGUAGES}

FULL = """
name: Kafé Fullt
summary: "Allt är känt: adress, tider och kontakt."
status: active
reviewed: 2025-01-01
district: hela-staden
address: {street: Storgatan 1, postal_code: 123 45, city: Stockholm, note: Ingång från gården}
opening_hours:
  - {days: mon-fri, opens: "09:00", closes: "16:00"}
  - {days: sat-sun, opens: "10:00", closes: "14:00", note: udda veckor}
contact: {phone: 08-123 456 78, email: info@example.org, website: "https://example.org/fullt"}
sources: [{title: T, date: 2024}]
"""


# --- helpers ----------------------------------------------------------------------------------


def sitemap(client) -> ET.Element:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    return ET.fromstring(response.data)


def locations(root: ET.Element) -> list[str]:
    return [loc.text or "" for loc in root.findall("s:url/s:loc", NS)]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def canonicals(page: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'<link rel="canonical" href="([^"]*)">', page)]


def canonical(client, path: str) -> str:
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200, path
    found = canonicals(response.get_data(as_text=True))
    assert len(found) == 1, (path, found)
    return found[0]


def structured_data(page: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def expected_structured_data(record: dict, base: str = HOST, prefix: str = "") -> dict:
    """What a provider has stated, said in schema.org terms, written out again here without the site's code."""
    data = {
        "@context": "https://schema.org",
        "@type": "LocalBusiness",
        "name": record["name"],
        "description": record["summary"],
        "url": f"{base}{prefix}/verksamhet/{record['slug']}",
    }
    stated = record.get("address") or {}
    parts = (("street", "streetAddress"), ("postal_code", "postalCode"), ("city", "addressLocality"))
    postal = {name: stated[key] for key, name in parts if key in stated}
    if postal:
        data["address"] = {"@type": "PostalAddress", **postal}
    if record.get("district") == "hela-staden":  # a district is where it is, not whom it serves
        data["areaServed"] = {"@type": "City", "name": "Stockholm"}
    if record.get("opening_hours") and record["status"] != "paused":
        week = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        keys = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        data["openingHoursSpecification"] = []
        for period in record["opening_hours"]:
            first, last = keys.index(period["days"][0]), keys.index(period["days"][-1])
            days = [week[day % 7] for day in range(first, last + 1 if last >= first else last + 8)]
            specification = {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": [f"https://schema.org/{day}" for day in days],
                "opens": period["opens"],
                "closes": period["closes"],
            }
            if period.get("note"):
                specification["description"] = period["note"]
            data["openingHoursSpecification"].append(specification)
    contact = record.get("contact") or {}
    for key, name in (("phone", "telephone"), ("email", "email"), ("website", "sameAs")):
        if contact.get(key):
            data[name] = contact[key]
    return data


# --- the sitemap ------------------------------------------------------------------------------


def test_the_sitemap_lists_every_public_page_in_every_language_with_absolute_addresses(client):
    root = sitemap(client)
    assert root.tag == f"{{{NS['s']}}}urlset"
    urls = locations(root)
    assert len(urls) == len(set(urls))
    for url in urls:
        parts = urlsplit(url)
        assert parts.scheme == "http" and parts.netloc == "localhost" and parts.path.startswith("/"), url
    paths = {path_of(url) for url in urls}
    slugs = {record["slug"]: record for record in load_content(FIXTURES / "content").providers}
    open_providers = {slug for slug, record in slugs.items() if record["status"] != "closed"}
    guidance = {path.stem for path in (FIXTURES / "content" / "pages").glob("*.md")}
    assert "tillganglighet" not in guidance  # so the fixture site has no accessibility statement to list
    pages = {
        *(route.rule for route in routes.ROUTES if route.listed and "<" not in route.rule),
        *(f"/stadsdel/{slug}" for slug in v.DISTRICTS if slug != "hela-staden"),
        *(f"/vagledning/{slug}" for slug in guidance),
        *(f"/verksamhet/{slug}" for slug in open_providers),
    }
    pages.discard("/tillganglighet")
    assert {"/", "/stadsdelar", "/vagledning", "/lattlast", "/hitta-ratt"} <= pages
    assert paths == {prefix + page if page != "/" or not prefix else f"{prefix}/" for page in pages
                     for prefix in PREFIXES.values()}  # fmt: skip


@pytest.mark.system  # every page in five languages: `make test` runs it
def test_a_sitemap_that_fits_one_file_has_no_parts(client):
    assert sitemap(client).tag == f"{{{NS['s']}}}urlset"
    assert client.get("/sitemap-1.xml").status_code == 404


def test_a_sitemap_too_large_for_one_file_becomes_an_index_of_parts(app, app_client):
    """The protocol allows 50,000 addresses in one file (about 9,900 offerings in five languages); beyond
    that /sitemap.xml lists parts, each a sitemap of its own. Shown with a limit of 40 addresses."""
    app.config["SITEMAP_MAX_URLS"] = 40
    with app.test_request_context():
        pages = len(discovery.listed_pages(snapshot())) * len(i18n.LANGUAGES)
    index = ET.fromstring(app_client.get("/sitemap.xml").data)
    assert index.tag == f"{{{NS['s']}}}sitemapindex"
    parts = [loc.text or "" for loc in index.findall("s:sitemap/s:loc", NS)]
    assert len(parts) == -(-pages // 40) > 1 and all(part.startswith("http://localhost/sitemap-") for part in parts)
    listed = []
    for part in parts:
        response = app_client.get(path_of(part))
        assert response.status_code == 200 and response.mimetype == "application/xml"
        found = locations(ET.fromstring(response.data))
        assert 0 < len(found) <= 40
        listed += found
    assert len(listed) == len(set(listed)) == pages  # every address once, in one of the parts
    assert app_client.get(f"/sitemap-{len(parts) + 1}.xml").status_code == 404
    assert app_client.get("/sitemap-0.xml").status_code == 404


def test_every_page_in_the_sitemap_answers_200(client):
    for url in locations(sitemap(client)):
        assert client.get(path_of(url)).status_code == 200, url


def test_each_address_names_all_its_language_versions_and_a_default(client):
    for entry in sitemap(client).findall("s:url", NS):
        loc = entry.findtext("s:loc", namespaces=NS)
        links = entry.findall("x:link", NS)
        assert all(link.get("rel") == "alternate" for link in links)
        alternates = {link.get("hreflang"): link.get("href") for link in links}
        assert len(links) == len(alternates) == len(i18n.LANGUAGES) + 1
        assert set(alternates) == {*i18n.LANGUAGES, "x-default"}
        assert loc in alternates.values()
        swedish = path_of(alternates["sv"])
        assert alternates["x-default"] == alternates["sv"]
        for code, prefix in PREFIXES.items():
            expected = swedish if not prefix else (f"{prefix}/" if swedish == "/" else prefix + swedish)
            assert path_of(alternates[code]) == expected


def test_closed_providers_are_left_out_and_paused_ones_kept(client):
    paths = {path_of(url) for url in locations(sitemap(client))}
    assert client.get("/verksamhet/nedlagda-verkstaden").status_code == 410
    assert not any("nedlagda-verkstaden" in path for path in paths)
    assert "/verksamhet/appelkallaren" in paths  # paused: the page answers and says so


def test_the_sitemap_and_robots_txt_use_the_configured_public_address(app, app_client):
    app.config["PUBLIC_URL"] = PUBLIC
    urls = locations(sitemap(app_client))
    assert urls and all(url.startswith(PUBLIC + "/") for url in urls)
    hrefs = [link.get("href") for link in sitemap(app_client).findall("s:url/x:link", NS)]
    assert all(href.startswith(PUBLIC + "/") for href in hrefs)
    assert f"Sitemap: {PUBLIC}/sitemap.xml" in app_client.get("/robots.txt").get_data(as_text=True).splitlines()


def test_a_published_provider_appears_in_the_sitemap(app, app_client, publish):
    before = app_client.get("/sitemap.xml")
    publish("nya-kaket", "name: Nya köket\nsummary: Lunch.\nstatus: active\nreviewed: 2025-01-01\n"
                         "sources: [{title: T, date: 2024}]")  # fmt: skip
    after = app_client.get("/sitemap.xml")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert f"{HOST}/en/verksamhet/nya-kaket" in locations(ET.fromstring(after.data))


@pytest.mark.system  # the whole real sitemap: `make test` runs it
def test_every_listed_route_is_in_the_real_sitemap_and_its_pages_answer(real_site):
    urls = locations(sitemap(real_site))
    found = {match[0].endpoint for url in urls if (match := routes.match(urlsplit(url).path))}
    assert found == {route.endpoint for route in routes.ROUTES if route.listed}
    assert f"{HOST}/tillganglighet" in urls and f"{HOST}/vagledning/tillganglighet" not in urls
    for url in urls:
        if not urlsplit(url).path.startswith(tuple(f"/{code}/" for code in PREFIXES if code != i18n.DEFAULT)):
            assert real_site.get(path_of(url)).status_code == 200, url


def test_a_listed_route_with_pages_the_sitemap_cannot_name_is_an_error(app, monkeypatch):
    extra = routes.Route("site.unknown", "/okand/<slug>", listed=True)
    monkeypatch.setattr(discovery, "ROUTES", (*routes.ROUTES, extra))
    with app.test_request_context("/sitemap.xml"), pytest.raises(LookupError, match="site.unknown"):
        discovery.listed_pages(discovery.snapshot())


# --- robots.txt -------------------------------------------------------------------------------


def test_robots_txt_allows_the_public_pages_and_keeps_out_private_addresses_and_machine_answers(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines
    for path in ("/redaktion/", "/forslag/", "/uppdatera/", "/l/", "/api/", "/en/forslag/", "/so/uppdatera/"):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    robots = RobotFileParser()
    robots.parse(lines)
    for url in locations(sitemap(client)):
        assert robots.can_fetch("Googlebot", url), url
    for path in ("/redaktion/", "/redaktion/logg", "/forslag/abc", "/ar/forslag/abc", "/uppdatera/abc", "/l/k7m2xq",
                 "/api/v1/sok?q=kaf%C3%A9"):  # fmt: skip
        assert not robots.can_fetch("Googlebot", HOST + path), path


@pytest.mark.parametrize("path", ["/sitemap.xml", "/robots.txt"])
def test_the_files_set_no_cookie_are_cached_briefly_and_live_only_at_the_root(client, path):
    response = client.get(path)
    assert "Set-Cookie" not in response.headers
    assert response.cache_control.public and response.cache_control.max_age == 0
    assert response.cache_control.s_maxage == 30
    unchanged = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert unchanged.status_code == 304
    for prefix in PREFIXES.values():
        if prefix:
            assert client.get(prefix + path).status_code == 404


# --- canonical links --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "/"),
        ("/?v=musikhuset", "/"),
        ("/sok", "/sok"),
        ("/sok?stadsdel=farsta&q=kaf%C3%A9", "/sok?q=kaf%C3%A9&stadsdel=farsta"),  # redirected to the canonical order
        ("/sok?q=kaf%C3%A9&alder=&sortera=relevans&sida=1", "/sok?q=kaf%C3%A9"),  # defaults left out
        ("/sok?q=kaf%C3%A9&stadsdel=farsta&v=musikhuset&v=kafe-solsidan", "/sok?q=kaf%C3%A9&stadsdel=farsta"),
        ("/sok?q=kaf%C3%A9&kort=k7m2xq", "/sok?q=kaf%C3%A9"),
        ("/sok?stadsdel=farsta&sortera=namn&sida=1", "/sok?stadsdel=farsta&sortera=namn"),
        ("/verksamhet/kafe-solsidan?stadsdel=farsta&timmar=1-12&v=musikhuset", "/verksamhet/kafe-solsidan"),
        ("/verksamhet/appelkallaren", "/verksamhet/appelkallaren"),
        ("/stadsdel/farsta?v=musikhuset", "/stadsdel/farsta"),
        ("/stadsdel/rinkeby-kista", "/stadsdel/jarva"),  # a former name redirects
        ("/stadsdelar?v=musikhuset", "/stadsdelar"),
        ("/vagledning", "/vagledning"),
        ("/vagledning/vad-ar-ips?v=musikhuset", "/vagledning/vad-ar-ips"),
        ("/lattlast", "/lattlast"),
        ("/en/", "/en/"),
        ("/en/sok?q=jobb&v=musikhuset", "/en/sok?q=jobb"),
        ("/en/verksamhet/kafe-solsidan?q=kaf%C3%A9", "/en/verksamhet/kafe-solsidan"),
        ("/ar/stadsdel/farsta", "/ar/stadsdel/farsta"),
        ("/lista?q=kaf%C3%A9&v=kafe-solsidan&v=musikhuset", "/lista?v=kafe-solsidan&v=musikhuset"),
        ("/hitta-ratt?vill=jobb&steg=2&v=musikhuset", "/hitta-ratt?vill=jobb&steg=2"),
    ],
)
def test_a_page_names_its_own_address_with_its_canonical_query(client, path, expected):
    assert canonical(client, path) == HOST + expected


def test_the_canonical_address_starts_with_the_configured_public_address(app, app_client):
    app.config["PUBLIC_URL"] = PUBLIC
    assert canonical(app_client, "/sok?stadsdel=farsta&q=kaf%C3%A9") == f"{PUBLIC}/sok?q=kaf%C3%A9&stadsdel=farsta"
    assert canonical(app_client, "/en/verksamhet/kafe-solsidan") == f"{PUBLIC}/en/verksamhet/kafe-solsidan"


def test_the_canonical_query_of_a_search_is_the_order_it_redirects_to(app):
    with app.test_request_context("/sok?ips=ja&stadsdel=skarholmen&stadsdel=farsta&q=kaf%C3%A9&v=musikhuset"):
        assert discovery.canonical_url() == f"{HOST}/sok?q=kaf%C3%A9&stadsdel=farsta&stadsdel=skarholmen&ips=ja"


def test_the_accessibility_statement_has_one_address(real_site):
    assert canonical(real_site, "/vagledning/tillganglighet") == f"{HOST}/tillganglighet"
    assert canonical(real_site, "/en/tillganglighet") == f"{HOST}/en/tillganglighet"


@pytest.mark.parametrize("path", HTML_PAGES)
def test_every_html_page_that_answers_has_one_canonical_link_and_an_error_none(client, path):
    response = client.get(path)
    found = canonicals(response.get_data(as_text=True))
    if response.status_code == 200:
        assert len(found) == 1 and urlsplit(found[0]).path == urlsplit(path).path, found
    else:
        assert found == [], (response.status_code, found)  # 404, 410, 400: no address to name


# --- JSON-LD ----------------------------------------------------------------------------------


def test_a_fixture_providers_json_ld_is_exactly_what_it_has_stated(client):
    for record in load_content(FIXTURES / "content").providers:
        response = client.get(f"/verksamhet/{record['slug']}")
        if record["status"] == "closed":
            assert response.status_code == 410 and "application/ld+json" not in response.get_data(as_text=True)
            continue
        data = structured_data(response.get_data(as_text=True))
        assert data["@context"] == "https://schema.org"
        assert data == expected_structured_data(record), record["slug"]


def test_every_stated_fact_is_given_and_the_address_only_by_its_stated_parts(app, app_client, publish):
    publish("kafe-fullt", FULL)
    data = structured_data(app_client.get("/verksamhet/kafe-fullt").get_data(as_text=True))
    assert data == {
        "@context": "https://schema.org",
        "@type": "LocalBusiness",
        "name": "Kafé Fullt",
        "description": "Allt är känt: adress, tider och kontakt.",
        "url": f"{HOST}/verksamhet/kafe-fullt",
        "address": {"@type": "PostalAddress", "streetAddress": "Storgatan 1", "postalCode": "123 45",
                    "addressLocality": "Stockholm"},  # the note is not a postal part
        "areaServed": {"@type": "City", "name": "Stockholm"},
        "openingHoursSpecification": [
            {"@type": "OpeningHoursSpecification", "opens": "09:00", "closes": "16:00",
             "dayOfWeek": [f"https://schema.org/{day}" for day in ("Monday", "Tuesday", "Wednesday", "Thursday",
                                                                    "Friday")]},
            {"@type": "OpeningHoursSpecification", "opens": "10:00", "closes": "14:00", "description": "udda veckor",
             "dayOfWeek": ["https://schema.org/Saturday", "https://schema.org/Sunday"]},
        ],
        "telephone": "08-123 456 78",
        "email": "info@example.org",
        "sameAs": "https://example.org/fullt",
    }  # fmt: skip
    english = structured_data(app_client.get("/en/verksamhet/kafe-fullt").get_data(as_text=True))
    assert english == data | {"url": f"{HOST}/en/verksamhet/kafe-fullt"}


def test_a_partial_address_gives_only_its_parts_and_a_paused_offering_no_hours(app, app_client, publish):
    address = "{street: Storgatan 1, postal_code: 123 45, city: Stockholm, note: Ingång från gården}"
    publish("kafe-pausat", FULL.replace("status: active", "status: paused").replace(address, "{city: Stockholm}"))
    data = structured_data(app_client.get("/verksamhet/kafe-pausat").get_data(as_text=True))
    assert data["address"] == {"@type": "PostalAddress", "addressLocality": "Stockholm"}
    assert "openingHoursSpecification" not in data  # paused: the stated hours are not the hours now
    publish("bara-lapp", FULL.replace(address, "{note: Ingång från gården}"))
    assert "address" not in structured_data(app_client.get("/verksamhet/bara-lapp").get_data(as_text=True))


def test_text_in_the_json_ld_cannot_end_the_script_element(app, app_client, publish):
    hostile = "Kafé </script><script>alert(1)</script> & 'mer'"
    publish("kafe-elak", FULL.replace('"Allt är känt: adress, tider och kontakt."', json.dumps(hostile)))
    response = app_client.get("/verksamhet/kafe-elak")
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page
    assert structured_data(page)["description"] == hostile
    # Our CSP runs no inline script; the only script element without src is data, which no browser runs.
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline == [' type="application/ld+json"']


def test_every_active_real_provider_states_exactly_its_facts_in_json_ld(real_site):
    records = [record for record in load_content(ROOT / "content").providers if record["status"] != "closed"]
    assert records
    without_phone = 0
    for record in records:
        response = real_site.get(f"/verksamhet/{record['slug']}")
        assert response.status_code == 200, record["slug"]
        data = structured_data(response.get_data(as_text=True))
        assert data["@context"] == "https://schema.org"
        assert data == expected_structured_data(record), record["slug"]
        if not (record.get("contact") or {}).get("phone"):
            assert "telephone" not in data
            without_phone += 1
    assert without_phone  # the real content has providers without a stated phone: they get no telephone key
