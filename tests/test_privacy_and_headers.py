"""No tracking: no cookies, nothing from other hosts; a strict Content-Security-Policy."""

import re
from pathlib import Path

import pytest

from catalogue import _trusted_hosts, routes

HTML_PAGES = [
    "/",
    "/sok?q=kaf%C3%A9&stadsdel=farsta",
    "/verksamhet/kafe-solsidan",
    "/verksamhet/nedlagda-verkstaden",
    "/sok?stadsdel=atlantis",
    "/finns-inte",
    "/lista?v=kafe-solsidan&v=musikhuset",
    "/jamfor?v=kafe-solsidan&v=musikhuset",
    "/hitta-ratt?vill=jobb&steg=2",
    "/hitta-ratt/klar?vill=skapa&timmar=10-24",
    "/stadsdelar?v=musikhuset",
    "/stadsdel/farsta",
    "/vagledning",
    "/ar/sok?q=jobb",
    "/verksamhet/kafe-solsidan/foresla-andring",
    "/tipsa",
    "/forslag/okand-kod",
    "/uppdatera/okand-inbjudan",
    "/vagledning/om-webbplatsen",
    "/lattlast",
    "/tillganglighet",
    "/rapportera-fel?sida=/",
    "/rapportera-fel/tack",
    "/oppna-data",
    "/for-verksamheter",
    "/ar/personuppgifter",
]
PAGES = HTML_PAGES + ["/api/v1/sok", "/healthz", "/readyz"]


@pytest.mark.parametrize("path", PAGES)
def test_no_cookies_are_set(client, path):
    assert "Set-Cookie" not in client.get(path).headers


def test_every_kind_of_public_page_is_checked_for_cookies():
    """Every GET address of the site (routes.ROUTES) has an example above; only the desk has a cookie."""
    checked = {found[0].endpoint for path in HTML_PAGES if (found := routes.match(path.split("?")[0]))}
    pages = {route.endpoint for route in routes.ROUTES if route.methods == ("GET",)}
    assert pages - checked == set()


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_forbid_inline_script_and_framing(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("path", HTML_PAGES)
def test_pages_load_nothing_from_other_hosts_and_have_no_inline_script(client, path):
    page = client.get(path).get_data(as_text=True)
    # The canonical and alternate links name this page's own addresses (discovery.canonical_url, i18n): nothing is
    # loaded from them.
    page = re.sub(r'<link rel="(canonical|alternate)" (hreflang="[\w-]+" )?href="http://localhost/[^"]*">', "", page)
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//', page)
    # JSON-LD is data: a browser never runs a script element of that type, so the CSP has nothing to block.
    assert not re.search(r'<script(?![^>]*\bsrc=)(?![^>]*\btype="application/ld\+json")', page), "inline script"
    assert " style=" not in page


def test_the_default_trusted_hosts_are_the_ones_the_readme_names(tmp_path, monkeypatch):
    """The README said ::1 too; Werkzeug cannot trust an IPv6 literal by name, so neither does the README."""
    monkeypatch.delenv("CATALOGUE_TRUSTED_HOSTS", raising=False)
    assert _trusted_hosts(None) == ["localhost", "127.0.0.1"]
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert "else `localhost,127.0.0.1` |" in readme
