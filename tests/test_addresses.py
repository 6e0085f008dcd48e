"""Addresses the site controls (issue 12 §4): public URL, trusted hosts, the proxy in front."""

from html import unescape

import pytest
import segno
from app_factory import make_app

PUBLIC = "https://sysselsattning.example.se"
FORGED = "evil.example"


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("path", ["/sok?q=kaf%C3%A9", "/en/sok?q=cafe", "/l/abcdef", "/qr.svg?u=/sok"])
def test_a_forged_host_is_refused_and_never_printed(client, path):
    response = client.get(path, headers={"Host": FORGED})
    assert response.status_code == 400
    assert FORGED not in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"]


def test_the_refusal_of_a_forged_host_is_in_the_visitors_language(client):
    assert "We could not understand the address" in _page(client.get("/en/sok", headers={"Host": FORGED}))


def test_a_forged_host_cannot_make_a_short_link_either(client):
    assert client.post("/l", data={"url": "/sok?q=jobb"}, headers={"Host": FORGED}).status_code == 400


def test_forwarded_host_is_never_believed(tmp_path):
    app = make_app(tmp_path, TRUSTED_PROXIES=1)
    page = _page(app.test_client().get("/sok?q=jobb", headers={"X-Forwarded-Host": FORGED}))
    assert FORGED not in page


@pytest.fixture
def public_app(tmp_path):
    return make_app(tmp_path, PUBLIC_URL=PUBLIC, SITE_HOSTS=["sysselsattning.example.se", "localhost"])


def test_share_text_mail_and_printout_use_the_public_address(public_app):
    client = public_app.test_client()
    followed = client.get(client.post("/l", data={"url": "/sok?q=jobb"}).headers["Location"])
    page = _page(client.get(followed.headers["Location"]))
    code = followed.headers["Location"].rsplit("kort=", 1)[1]
    assert page.count(f"{PUBLIC}/l/{code}") >= 3  # banner, share text and printout footer
    mailto = page.split('href="mailto:', 1)[1].split('"', 1)[0]
    assert f"sysselsattning.example.se/l/{code}" in mailto
    assert "http://localhost" not in page


def test_the_qr_code_encodes_the_public_address_and_says_what_it_varies_by(public_app):
    response = public_app.test_client().get("/qr.svg?u=/sok%3Fq%3Djobb")
    expected = segno.make(f"{PUBLIC}/sok?q=jobb", error="m").svg_inline(scale=3, border=2)
    assert expected.split("<path", 1)[1] in response.get_data(as_text=True)
    assert "Host" in response.headers["Vary"]


def test_behind_a_trusted_tls_proxy_force_https_serves_instead_of_redirecting_forever(tmp_path):
    client = make_app(tmp_path, TRUSTED_PROXIES=1, FORCE_HTTPS=True).test_client()
    # Talisman reads FORCE_HTTPS when the app is made: make_app passes it through test_config.
    assert client.get("/sok", headers={"X-Forwarded-Proto": "https"}).status_code == 200
    plain = client.get("/sok")
    assert plain.status_code == 302 and plain.headers["Location"].startswith("https://")


def test_without_a_trusted_proxy_forwarded_headers_change_nothing(tmp_path):
    client = make_app(tmp_path).test_client()
    for n in range(10):
        client.post("/l", data={"url": f"/sok?q=ord{n}"}, headers={"X-Forwarded-For": f"198.51.100.{n}"})
    # A client cannot escape its rate limit by claiming to be another.
    refused = client.post("/l", data={"url": "/sok?q=till"}, headers={"X-Forwarded-For": "198.51.100.99"})
    assert refused.status_code == 429


def test_behind_a_trusted_proxy_each_visitor_has_their_own_rate_limit(tmp_path):
    client = make_app(tmp_path, TRUSTED_PROXIES=1).test_client()
    for n in range(10):
        client.post("/l", data={"url": f"/sok?q=ord{n}"}, headers={"X-Forwarded-For": "198.51.100.1"})
    one = client.post("/l", data={"url": "/sok?q=till"}, headers={"X-Forwarded-For": "198.51.100.1"})
    other = client.post("/l", data={"url": "/sok?q=till"}, headers={"X-Forwarded-For": "198.51.100.2"})
    assert (one.status_code, other.status_code) == (429, 303)


SECURITY_HEADERS = ["Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"]


def test_every_error_page_has_the_security_headers(tmp_path):
    app = make_app(tmp_path, ROW_CAPS={"short_link": 0, "error_report": 0})
    client = app.test_client()
    responses = {
        400: client.get("/sok?timmar=99"),
        404: client.get("/finns-inte"),
        405: client.delete("/sok"),
        413: client.post("/l", data={"url": "x" * 100_000}),
        503: client.post("/l", data={"url": "/sok?q=jobb"}),
    }
    for _ in range(12):
        responses[429] = client.post("/rapportera-fel", data={"sida": "/sok", "meddelande": "hej"})
    for status, response in responses.items():
        assert response.status_code == status
        assert all(response.headers.get(name) for name in SECURITY_HEADERS), status
