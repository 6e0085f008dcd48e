"""Generated requests against the whole site (issue 12 §9): never a 5xx, never reflected markup.

Hypothesis draws 1,200 requests from the site's own routes, languages and parameter names, with
values that mix real words, markup, control characters, odd percent-encodings and long strings,
and sends them with odd methods and headers. The run is derandomized, so CI sees the same requests
every time, and a failure prints the smallest request that shows it.
"""

import gzip
import re
from urllib.parse import quote

import brotli
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.routes import ROUTES

MARKER = "<fuzz-x"  # in any generated value; it must never come back as markup
PARAMETERS = ["q", "inriktning", "aktivitet", "stadsdel", "timmar", "ips", "tillgang", "huvudman", "alder",
              "sortera", "sida", "ordagrant", "v", "kort", "vill", "steg", "u", "url", "meddelande", "name", "namn",
              "losenord", "epost", "svar", "contact-phone", "vacancies", "target_group", "opening_hours"]  # fmt: skip
REAL_VALUES = ["kafé", "jobb", "farsta", "10-24", "ja", "beslut", "kafe-solsidan", "2", "k7m2xq", "/sok?q=jobb"]
EXTRA_PATHS = ["/l/k7m2xq", "/qr.svg", "/api/v1/sok", "/healthz", "/readyz", "/static/style.css", "/verksamhet/x",
               "/redaktion/", "/redaktion/logga-in", "/redaktion/forslag/1/godta", "/uppdatera/x.y"]  # fmt: skip
PATHS = [re.sub(r"<slug>", "kafe-solsidan", route.rule) for route in ROUTES] + EXTRA_PATHS
LANGUAGES = ["", "/en", "/fi", "/ar", "/so", "/xx"]
DECODERS = {"": bytes, "gzip": gzip.decompress, "br": brotli.decompress}

header_text = st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=20)  # as HTTP carries
values = st.one_of(
    st.sampled_from(REAL_VALUES),
    st.text(max_size=40),
    st.text(alphabet="<>\"'&%;/\\?#=\x00\r\n ", max_size=20),
    st.builds(lambda text: MARKER + text + ">", st.text(max_size=10)),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.just("x" * 3000),
    # The classes the text policy refuses, and lengths whose bytes outgrow their characters (a QR code).
    st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=8),
    st.sampled_from(["\u202egnp.exe", "\u2066x\u2069", "a\u202bb", "\ufeff", "\ufffe", "\U0001f600"]),
    st.sampled_from(["å" * 1200, "日本" * 700, "/sok?q=" + "ö" * 1100]),
)
raw_percent = st.sampled_from(["%", "%zz", "%C3", "%FF%FE", "%00", "%2e%2e%2f"])


@st.composite
def requests(draw):
    path = draw(st.sampled_from(LANGUAGES)) + draw(st.one_of(st.sampled_from(PATHS), st.text(max_size=30).map(
        lambda text: "/" + quote(text, safe=""))))  # fmt: skip
    pairs = draw(st.lists(st.tuples(st.sampled_from(PARAMETERS) | st.text(max_size=8), values), max_size=6))
    query = "&".join(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in pairs)
    query += draw(st.one_of(st.just(""), raw_percent.map(lambda bad: "&q=" + bad)))
    method = draw(st.sampled_from(["GET", "GET", "GET", "HEAD", "POST", "PUT", "OPTIONS"]))
    headers = draw(st.fixed_dictionaries({}, optional={
        "Accept": st.sampled_from(["application/json", "text/html", "*/*", "garbage/;;"]),
        "Accept-Encoding": st.sampled_from(["gzip", "br", "br, gzip", "identity", "x;q=abc"]),
        "Accept-Language": header_text,
        "If-None-Match": st.sampled_from(['"x"', "*", "W/", '"' + "a" * 200 + '"']),
        "X-Forwarded-For": header_text,
        "Host": st.sampled_from(["localhost", "evil.example", "localhost:80", "[::1]", ""]),
    }))  # fmt: skip
    form = dict(draw(st.lists(st.tuples(st.sampled_from(PARAMETERS), values), max_size=3)))
    return method, path, query, headers, form


@pytest.mark.system
@settings(max_examples=1200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(request=requests())
def test_no_generated_request_gets_a_server_error_or_reflected_markup(app, request):
    method, path, query, headers, form = request
    client = app.test_client()
    with client.open(path, method=method, query_string=query, headers=headers, data=form or None) as response:
        data = response.get_data()  # HEAD has none; closing the response closes a static file it opened
    body = DECODERS[response.headers.get("Content-Encoding", "")](data).decode() if data else ""
    assert response.status_code < 500 or response.status_code == 503, (response.status_code, body[-400:])
    assert "Traceback" not in body
    assert MARKER not in body, "markup from the request came back unescaped"


def test_the_marker_does_reach_pages_escaped_so_the_check_above_can_fail(client):
    page = client.get("/sok", query_string={"q": MARKER + ">"}).get_data(as_text=True)
    assert "&lt;fuzz-x&gt;" in page and MARKER not in page
