"""The real catalogue, walked as its readers meet it: every provider page, district page, list, comparison
and guide end, in every language, ends in a concrete action. A number to call (tel:), an address to write to
(mailto:), a web address to apply, or an address with its opening times; never "ask your case handler"
without saying how to reach one. The printout is the same page (tests/browser checks it on paper).

The Swedish walk runs in ``make check``; the five-language walk is a system test (``make test`` and CI).
"""

from __future__ import annotations

import itertools
import re
from html import unescape
from pathlib import Path

import pytest

from catalogue import i18n
from catalogue.facts import vocabulary as v
from catalogue.index.content import load_content, read_municipality
from catalogue.site.guide import DONT_KNOW, QUESTIONS_BY_PARAM

ROOT = Path(__file__).parent.parent
ACTIVE = [record for record in load_content(ROOT / "content").providers if record["status"] == "active"]
DISTRICTS = [slug for slug in read_municipality(ROOT / "content").districts if slug != v.CITYWIDE]
OTHER_LANGUAGES = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]

_CONCRETE = (
    re.compile(r'href="tel:\+?\d{6,}"'),
    re.compile(r'href="mailto:[^"@?]+@[^"]+\.[a-z]+"'),
    re.compile(r'class="action action-apply">.*?href="https://[^"]+"', re.S),
    re.compile(r'class="action action-visit">.*?<ul class="plain times"><li>[^<]*\d\d\.\d\d', re.S),
)


def closing(page: str) -> str:
    """The page's last "Nästa steg": where the page ends, before its sources and sharing."""
    start = page.rindex('id="nasta-steg"')
    return page[start : page.index("</section>", start)]


def concrete(html: str) -> bool:
    return any(pattern.search(html) for pattern in _CONCRETE)


def groups(slugs: list[str], size: int) -> list[list[str]]:
    """Every offering in some group of ``size`` (the last one topped up from the first)."""
    chunks = [slugs[i : i + size] for i in range(0, len(slugs), size)]
    if len(chunks[-1]) < 2:
        chunks[-1] = chunks[-1] + slugs[: 2 - len(chunks[-1])]
    return chunks


def guide_ends() -> list[str]:
    """Each answer to the decision question with each district, and each wish: the guide's end pages."""
    decisions = [value for value, _label in QUESTIONS_BY_PARAM["tillgang"].options]
    places = [value for value, _label in QUESTIONS_BY_PARAM["stadsdel"].options]
    wishes = itertools.cycle(value for value, _label in QUESTIONS_BY_PARAM["vill"].options)
    return [
        f"/hitta-ratt/klar?tillgang={decision}&vill={next(wishes)}&stadsdel={place}&ips={DONT_KNOW}"
        for decision, place in itertools.product(decisions, places)
    ]


def pages() -> list[str]:
    slugs = [record["slug"] for record in ACTIVE]
    found = [f"/verksamhet/{slug}" for slug in slugs]
    found += [f"/stadsdel/{slug}" for slug in DISTRICTS]
    found += ["/lista?" + "&".join(f"v={slug}" for slug in group) for group in groups(slugs, 5)]
    found += ["/jamfor?" + "&".join(f"v={slug}" for slug in group) for group in groups(slugs, 4)]
    return found + guide_ends()


def walk(real_site, prefix: str) -> int:
    walked = 0
    for path in pages():
        response = real_site.get(prefix + path)
        assert response.status_code == 200, prefix + path
        page = unescape(response.get_data(as_text=True))
        assert concrete(closing(page)), f"{prefix}{path} does not end in a concrete action"
        walked += 1
    return walked


def test_every_real_page_ends_in_a_concrete_action_in_swedish(real_site):
    assert walk(real_site, "") == len(pages()) >= len(ACTIVE) + len(DISTRICTS) + 36


@pytest.mark.system  # the same walk in the four other languages: `make test` runs it
@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_real_page_ends_in_a_concrete_action_in_every_language(real_site, language):
    assert walk(real_site, f"/{language}") == len(pages()) >= len(ACTIVE) + len(DISTRICTS) + 36


def test_every_provider_pages_own_way_in_is_concrete_at_the_top_too(real_site):
    """ "Så börjar du", near the top on a phone, leads somewhere: its first way has something to do."""
    for record in ACTIVE:
        page = unescape(real_site.get(f"/verksamhet/{record['slug']}").get_data(as_text=True))
        start = page[page.index('id="sa-borjar-du"') :]
        first_way = start[start.index('<div class="way') : start.index("</div>", start.index('<div class="way'))]
        assert concrete(first_way), record["slug"]


# "Fråga din handläggare", "Din handläggare kan berätta mer": sending a reader to a person by role alone.
_TO_A_CASE_HANDLER = re.compile(
    r"(fråga|prata med|kontakta)\s+(din|en)\s+(bistånds)?handläggare|handläggare[^.]*kan berätta", re.I
)
_WAY_TO_REACH = re.compile(r'href="(tel:|mailto:|https://|/stadsdel/|/stadsdelar)')


def test_no_real_page_sends_anyone_to_a_case_handler_without_saying_how(real_site):
    """Where a paragraph tells the reader to ask a handläggare, it says how to reach one: a number, an address,
    a page to apply on, or the district's page, which has them. Every guidance page is read too."""
    guidance = [f"/vagledning/{path.stem}" for path in sorted((ROOT / "content" / "pages").glob("*.md"))]
    asked = 0
    for path in pages() + guidance + ["/sok?sortera=namn"]:
        page = unescape(real_site.get(path).get_data(as_text=True))
        main = page[page.index("<main") : page.index("</main>")]
        for paragraph in re.findall(r"<(?:p|li)\b[^>]*>.*?</(?:p|li)>", main, re.S):
            text = " ".join(re.sub(r"<[^>]+>", " ", paragraph).split())
            if _TO_A_CASE_HANDLER.search(text):
                assert _WAY_TO_REACH.search(paragraph), f"{path}: {text[:200]}"
                asked += 1
    assert asked >= 1  # "Prata med din handläggare" (timintervallen), with how to reach one: the check reads
