"""axe-core over every page type in every language: zero violations."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from catalogue.i18n import LANGUAGES

AXE = Axe()
PAGE_TYPES = {
    "start": "/",
    "search": "/sok?q=kaf%C3%A9",
    "search with filters": "/sok?inriktning=social&stadsdel=farsta&stadsdel=hagersten-alvsjo&tillgang=oppen",
    "zero results": "/sok?stadsdel=bromma&ips=ja",
    "corrected search": "/sok?q=fontanhueset",
    "provider": "/verksamhet/fountain-house-stockholm",
    "provider with two ways in": "/verksamhet/aktivitetshuset?stadsdel=sodermalm",
    "closed provider": "/verksamhet/sympati-sysselsattning",
    "district": "/stadsdel/farsta",
    "guidance index": "/vagledning",
    "guidance page": "/vagledning/sa-far-du-sysselsattning",
    "easy-read page": "/vagledning/lattlast-sa-far-du-sysselsattning",
    "accessibility statement": "/tillganglighet",
    "report form": "/rapportera-fel?sida=/sok",
    "suggest a change": "/verksamhet/fountain-house-stockholm/foresla-andring",
    "tip about a missing offering": "/tipsa",
    "my list": "/lista?v=misa&v=alfa&v=fountain-house-stockholm",
    "compare": "/jamfor?v=misa&v=alfa&v=fountain-house-stockholm",
    "guide question": "/hitta-ratt?tillgang=beslut&vill=jobb&steg=4",
    "guide end": "/hitta-ratt/klar?tillgang=oppen&vill=skapa&stadsdel=farsta",
    "guide end that may fit": "/hitta-ratt/klar?tillgang=beslut&vill=gemenskap&stadsdel=farsta&ips=ja",
    "search with a word a fact contradicts": "/sok?q=IPS",
    "districts map": "/stadsdelar",
    "unknown short link": "/l/zzzzzz",
    "bad parameter": "/sok?stadsdel=atlantis",
    "not found": "/finns-inte",
    "page past the last": "/sok?sida=99",
    "open data": "/oppna-data",
    "for providers": "/for-verksamheter",
    "privacy notice": "/personuppgifter",
}


def localized(path: str, lang: str) -> str:
    return path if lang == "sv" else f"/{lang}{path}"


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_no_axe_violations(page, live_server, name, lang):
    page.goto(live_server + localized(PAGE_TYPES[name], lang))
    results = AXE.run(page, options={"resultTypes": ["violations"]})
    violations = results.response["violations"]
    assert violations == [], results.generate_report()
    assert page.locator("h1").count() == 1
