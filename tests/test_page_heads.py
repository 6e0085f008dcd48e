"""What other people's checkers read in a page besides its text (issue 27): a description in the page's
language, whole-address language alternates, an icon, and the short-link form only where a page shares.
The checkers themselves run in tests/browser/test_other_checkers.py."""

from __future__ import annotations

import re
from html import unescape

import pytest


def description(page: str) -> str:
    found = re.findall(r'<meta name="description" content="([^"]*)"[^>]*>', page)
    assert len(found) == 1, found
    return unescape(found[0])


@pytest.mark.parametrize("path", ["/", "/sok?q=musik", "/verksamhet/kafe-solsidan", "/stadsdel/farsta",
                                  "/vagledning", "/jamfor?v=musikhuset&v=kafe-solsidan", "/finns-inte"])  # fmt: skip
@pytest.mark.parametrize("lang", ["", "/en", "/ar"])
def test_every_page_has_a_description(client, lang, path):
    assert len(description(client.get(lang + path).get_data(as_text=True))) > 40


def test_a_description_says_the_page_s_own_content_in_its_language(client):
    assert description(client.get("/verksamhet/kafe-solsidan").get_data(as_text=True)).startswith("Kafé Solsidan: ")
    farsta = description(client.get("/en/stadsdel/farsta").get_data(as_text=True))
    assert "Farsta" in farsta and "How to apply" in farsta
    assert description(client.get("/en/").get_data(as_text=True)).startswith("Day activities")
    assert "1 verksamhet" in description(client.get("/sok?q=musik").get_data(as_text=True))


def test_the_icon_is_linked_and_the_old_address_answers(client):
    page = client.get("/").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    with client.get(icon) as linked, client.get("/favicon.ico") as old:
        assert linked.status_code == 200
        assert old.status_code == 200 and old.mimetype == "image/svg+xml" and b"<svg" in old.get_data()


@pytest.mark.parametrize("path", ["/sok?q=musik", "/verksamhet/kafe-solsidan", "/lista?v=musikhuset",
                                  "/jamfor?v=musikhuset&v=kafe-solsidan"])  # fmt: skip
def test_the_short_link_form_is_on_pages_that_share(client, path):
    page = client.get(path).get_data(as_text=True)
    assert page.count('id="kort-lank-form"') == 1 and 'form="kort-lank-form"' in page


@pytest.mark.parametrize("path", ["/stadsdelar", "/vagledning", "/hitta-ratt", "/oppna-data", "/finns-inte",
                                  "/sok?q=xyzzyqq", "/lista"])  # fmt: skip
def test_no_empty_form_where_there_is_nothing_to_share(client, path):
    assert "kort-lank-form" not in client.get(path).get_data(as_text=True)


def test_swedish_inside_arabic_keeps_its_own_direction(real_site):
    """ "(öppna delen)" in an Arabic sentence: isolated left to right, so its brackets stay around it."""
    page = real_site.get("/ar/verksamhet/aktivitetshuset").get_data(as_text=True)
    assert re.search(r'<span class="way-part" lang="sv" dir="ltr">\([^)]+\)</span>', page)
    english = real_site.get("/en/verksamhet/aktivitetshuset").get_data(as_text=True)
    assert 'class="way-part" lang="sv">' in english and 'lang="sv" dir="ltr"' not in english


def test_swedish_in_an_arabic_opening_period_or_part_is_marked(real_site):
    """The days and times are in Arabic; the part's name in brackets is the content's Swedish. A part's name
    before its colon is Swedish, the colon the page's own."""
    page = real_site.get("/ar/verksamhet/aktivitetshuset").get_data(as_text=True)
    assert re.search(r'<li>[^<(]+ <span lang="sv" dir="ltr">\(Öppna delen\)</span>', page)
    assert re.search(r'<strong><span lang="sv" dir="ltr">Öppna delen</span>:</strong>', page)


def test_a_description_from_swedish_content_says_so_on_other_language_pages(client):
    english = client.get("/en/verksamhet/kafe-solsidan").get_data(as_text=True)
    assert re.search(r'<meta name="description" content="Kafé Solsidan: [^"]*" lang="sv">', english)
    swedish = client.get("/verksamhet/kafe-solsidan").get_data(as_text=True)
    assert re.search(r'<meta name="description" content="Kafé Solsidan: [^"]*">', swedish)
