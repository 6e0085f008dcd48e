"""The language is part of the address; the switcher keeps page and filters; Arabic reads right to left."""

import re
from html import unescape
from pathlib import Path

from catalogue.index.content import load_content


def test_other_languages_live_under_a_prefix_and_keep_it_in_links(client):
    page = unescape(client.get("/en/sok?stadsdel=farsta").get_data(as_text=True))
    assert '<html lang="en" dir="ltr">' in page
    assert 'href="/en/verksamhet/kafe-solsidan?stadsdel=farsta"' in page
    assert 'action="/en/sok"' in page


def test_swedish_has_no_prefix_and_unknown_prefixes_are_404(client):
    assert '<html lang="sv" dir="ltr">' in client.get("/sok").get_data(as_text=True)
    assert client.get("/sv/sok").status_code == 404
    assert client.get("/de/sok").status_code == 404


def test_the_switcher_keeps_the_page_and_its_filters(client):
    page = unescape(client.get("/en/sok?q=kaf%C3%A9&stadsdel=farsta").get_data(as_text=True))
    switcher = page[page.index('<nav class="languages"') : page.index("</nav>", page.index('<nav class="languages"'))]
    links = dict(re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', switcher))
    assert {v: k for k, v in links.items()} == {
        "sv": "/sok?q=kaf%C3%A9&stadsdel=farsta",
        "fi": "/fi/sok?q=kaf%C3%A9&stadsdel=farsta",
        "ar": "/ar/sok?q=kaf%C3%A9&stadsdel=farsta",
        "so": "/so/sok?q=kaf%C3%A9&stadsdel=farsta",
    }
    assert '<span aria-current="true" lang="en">English</span>' in switcher


def test_hreflang_alternates_are_declared_for_every_language(client):
    """Whole addresses (search engines read no relative alternate), and Swedish as the default."""
    page = client.get("/verksamhet/kafe-solsidan").get_data(as_text=True)
    alternates = re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', page)
    assert alternates == [
        ("sv", "http://localhost/verksamhet/kafe-solsidan"),
        ("x-default", "http://localhost/verksamhet/kafe-solsidan"),
        ("en", "http://localhost/en/verksamhet/kafe-solsidan"),
        ("fi", "http://localhost/fi/verksamhet/kafe-solsidan"),
        ("ar", "http://localhost/ar/verksamhet/kafe-solsidan"),
        ("so", "http://localhost/so/verksamhet/kafe-solsidan"),
    ]


def test_hreflang_alternates_start_with_the_configured_public_address(app):
    app.config["PUBLIC_URL"] = "https://sysselsattning.example.se"
    page = app.test_client().get("/en/stadsdel/farsta").get_data(as_text=True)
    assert '<link rel="alternate" hreflang="fi" href="https://sysselsattning.example.se/fi/stadsdel/farsta">' in page


def test_arabic_is_right_to_left(client):
    assert '<html lang="ar" dir="rtl">' in client.get("/ar/").get_data(as_text=True)


def test_swedish_only_content_is_marked_as_swedish_with_a_note(client):
    page = client.get("/en/verksamhet/kafe-solsidan").get_data(as_text=True)
    assert '<h1 lang="sv">Kafé Solsidan</h1>' in page
    assert '<div class="description" lang="sv">' in page
    assert 'class="only-swedish"' in page
    swedish_page = client.get("/verksamhet/kafe-solsidan").get_data(as_text=True)
    assert not re.search(r'<(h1|div|p|dd|li)[^>]* lang="sv"', swedish_page)
    assert 'class="only-swedish"' not in swedish_page


def test_errors_answer_in_the_language_of_the_address(client):
    response = client.get("/fi/finns-inte")
    assert response.status_code == 404
    assert '<html lang="fi"' in response.get_data(as_text=True)


def test_district_redirects_keep_the_language(client):
    assert client.get("/en/stadsdel/rinkeby-kista").headers["Location"] == "/en/stadsdel/jarva"


def test_every_page_header_links_to_easy_read_and_the_footer_to_the_accessibility_statement(client):
    for path in ["/", "/sok?stadsdel=farsta", "/verksamhet/kafe-solsidan", "/finns-inte", "/en/stadsdel/farsta"]:
        page = client.get(path).get_data(as_text=True)
        header = page[page.index("<header") : page.index("</header>")]
        assert re.search(r'href="(/en)?/lattlast"', header)
        assert re.search(r'href="(/en)?/tillganglighet"', page[page.index("<footer") :])


def test_links_inside_content_keep_the_language_and_min_lista(real_site):
    """Content writes Swedish addresses ("/sok?ips=ja"); on /en/ they lead on in English, with the list."""
    content = load_content(Path(__file__).parent.parent / "content")
    checked = 0
    for kind, records in (("vagledning", content.pages), ("verksamhet", content.providers)):
        for record in records:
            for lang in ("en", "ar"):
                page = real_site.get(f"/{lang}/{kind}/{record['slug']}?v=alfa").get_data(as_text=True)
                body = page[page.find('<div class="description"') :]
                body = body[: body.find("</div>")]
                for href in re.findall(r'href="(/[^"]*)"', body):
                    checked += 1
                    assert href.startswith(f"/{lang}/") and "v=alfa" in href, (lang, record["slug"], href)
    assert checked >= 20
    ips = unescape(real_site.get("/en/vagledning/vad-ar-ips").get_data(as_text=True))
    assert 'href="/en/sok?ips=ja"' in ips
    apply = unescape(real_site.get("/vagledning/sa-far-du-sysselsattning").get_data(as_text=True))
    assert re.search(r'<a href="/stadsdelar"[^>]*>din stadsdel</a>', apply)
