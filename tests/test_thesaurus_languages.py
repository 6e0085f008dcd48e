"""Five languages for real (issue 25, §3 and §6), on the real content.

- Every word the interface suggests as an example, in every language, finds what it promises: the
  search hint ("kafé (café), måla (painting) …") and the guide's "Skapa något – måla, spela …" are read
  from the rendered pages, so the compiled translations are what is tested.
- Every concept of the thesaurus has an everyday word in each of the five languages.
- Words for how a person feels, what their days lack and their own illness find offerings and the
  guidance page meant for them, in every language, and the page never shows a diagnosis back: it
  says how it read the person's own words, with the concept's label ("Social – gemenskap …").
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote, quote_plus

import pytest
from flask_babel import gettext

from catalogue import i18n
from catalogue.facts.vocabulary import ACTIVITIES, ORIENTATIONS
from catalogue.index.content import load_content
from catalogue.language.analysis import concept_key
from catalogue.page_kit import snapshot
from catalogue.query import SearchRequest
from catalogue.query.thesaurus import CONCEPT_FILTERS
from catalogue.search import engine

LANGUAGES = tuple(i18n.LANGUAGES)  # Swedish first


def prefix(lang: str) -> str:
    return "" if lang == "sv" else f"/{lang}"


def run(app, lang: str, q: str) -> engine.SearchResult:
    """The search as the page in that language runs it (as ``test_search_quality.judge`` does)."""
    with app.test_request_context(f"{prefix(lang)}/sok"):
        app.preprocess_request()
        return engine.run(snapshot(), SearchRequest(q=q), lang)


def understood(result: engine.SearchResult) -> set[tuple[str, tuple[str, ...]]]:
    return {(item.concept.param, item.concept.values) for item in result.understood}


def html(client, path: str) -> str:
    return unescape(client.get(path).get_data(as_text=True))


def tagged_offerings(client, param: str, values: tuple[str, ...]) -> int:
    """How many offerings a filter finds: "Musik" has none today, so its words can find none."""
    query = "&".join(f"{param}={value}" for value in values)
    return client.get(f"/api/v1/sok?{query}").get_json()["total"]


# --- The search hint --------------------------------------------------------------------------------

SWEDISH_SEPARATORS = re.compile(r",\s*|\s+eller\s+")


def hint(client, lang: str) -> str:
    """The search box's hint, the same on the start page and the search page."""
    found = {
        text
        for path in (f"{prefix(lang)}/", f"{prefix(lang)}/sok")
        for text in re.findall(r'<p class="hint" id="q-hint">(.*?)</p>', html(client, path))
    }
    assert len(found) == 1, (lang, found)
    return found.pop()


def examples(text: str) -> str:
    """What follows "Till exempel:" / "For example:" / "مثلاً:" …"""
    head, colon, rest = text.partition(":")
    assert colon and rest.strip(), text
    return rest


def swedish_examples(client) -> list[str]:
    words = [word.strip() for word in SWEDISH_SEPARATORS.split(examples(hint(client, "sv")))]
    assert len(words) >= 3 and all(words), words
    return words


def glossed_examples(client, lang: str, swedish: list[str]) -> list[tuple[str, str]]:
    """(Swedish word, its gloss in the language) for each "kafé (café)" in the hint. Every other word the
    hint shows must be a Swedish example; one word (the language's "or") may stand between them."""
    rest = examples(hint(client, lang))
    pairs = [(word, gloss.strip()) for word, gloss in re.findall(r"(\S+)\s*\(([^)]+)\)", rest)]
    for word, gloss in pairs:
        rest = rest.replace(f"{word} ({gloss})", " ", 1)
    for word in swedish:
        rest = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", " ", rest)
    assert len(re.findall(r"\w+", rest)) <= 1, f"{lang}: a suggested word that is not tested: {rest!r}"
    assert {word for word, _gloss in pairs} <= set(swedish), (lang, pairs)
    return pairs


def test_the_hint_offers_glosses_in_every_language_but_swedish(real_site):
    swedish = swedish_examples(real_site)
    for lang in LANGUAGES[1:]:
        assert len(glossed_examples(real_site, lang, swedish)) >= 3, lang  # kafé, måla, arbetsträning


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_word_the_search_hint_suggests_finds_what_it_promises(real_site, lang):
    app = real_site.application
    swedish = swedish_examples(real_site)
    promised = {}
    for word in swedish:  # the Swedish examples are shown in every language, and searched there
        result = run(app, lang, word)
        assert result.total >= 1 and not result.corrected_from, (lang, word)
        promised[word] = understood(result)
        if not promised[word]:  # a name ("Fontänhuset"): offerings with that name
            assert any(word.casefold() in hit.record["name"].casefold() for hit in result.hits), (lang, word)
    for word, gloss in glossed_examples(real_site, lang, swedish) if lang != "sv" else []:
        result = run(app, lang, gloss)
        assert result.total >= 1, f"{lang}: the hint suggests {gloss!r} for {word!r}, which finds nothing"
        assert understood(result) == promised[word] != set(), (lang, gloss, understood(result), promised[word])
        assert not result.suggestion, (lang, gloss, result.suggestion)


# --- The guide's examples ---------------------------------------------------------------------------


def guide_examples(client, lang: str) -> list[str]:
    """ "Skapa något – måla, spela, laga mat, odla", as the guide's first question shows it."""
    page = html(client, f"{prefix(lang)}/hitta-ratt?steg=1")
    [label] = re.findall(r'<label for="svar-skapa">(.*?)</label>', page)
    _head, dash, rest = label.partition("–")
    assert dash, label
    return [word.strip() for word in re.split(r"[,،]", rest)]


def test_the_guides_examples_are_understood_in_every_language_as_in_swedish(real_site):
    app = real_site.application
    swedish = [understood(run(app, "sv", word)) for word in guide_examples(real_site, "sv")]
    assert len(swedish) == 4 and all(swedish)
    for lang in LANGUAGES[1:]:
        words = guide_examples(real_site, lang)
        assert len(words) == len(swedish), (lang, words)
        for word, concepts in zip(words, swedish, strict=True):
            assert understood(run(app, lang, word)) == concepts, (lang, word)


# --- One everyday word per concept and language -----------------------------------------------------

# Per concept of the thesaurus: an everyday word in each language other than Swedish.
EVERYDAY = {
    ("timmar", ("22-40",)): {"en": "full time", "fi": "kokopäiväinen", "ar": "دوام كامل", "so": "waqti buuxa"},
    ("timmar", ("1-12", "10-24")): {"en": "part time", "fi": "osa-aikainen", "ar": "دوام جزئي", "so": "waqti dhiman"},
    ("timmar", ("10-24",)): {"en": "10-24 hours", "fi": "10-24 tuntia", "ar": "10-24 ساعة", "so": "10-24 saacadood"},
    ("timmar", ("1-12",)): {"en": "1-12 hours", "fi": "1-12 tuntia", "ar": "1-12 ساعة", "so": "1-12 saacadood"},
    ("huvudman", ("ideburen",)): {"en": "non-profit", "fi": "yhdistys", "ar": "جمعية", "so": "urur samafal"},
    ("aktivitet", ("kreativt",)): {"en": "drawing", "fi": "piirtäminen", "ar": "الرسم", "so": "farshaxan"},
    ("aktivitet", ("musik",)): {"en": "singing", "fi": "laulu", "ar": "الموسيقى", "so": "heeso"},
    ("aktivitet", ("kafe-och-kok",)): {"en": "cooking", "fi": "kahvila", "ar": "المقهى", "so": "makhaayadda"},
    ("aktivitet", ("it",)): {"en": "computers", "fi": "tietokone", "ar": "الكمبيوتر", "so": "kumbiyuutar"},
    ("aktivitet", ("hantverk",)): {"en": "woodwork", "fi": "käsityö", "ar": "خياطة", "so": "farsamo"},
    ("aktivitet", ("tradgard",)): {"en": "gardening", "fi": "puutarha", "ar": "الزراعة", "so": "beerasho"},
    ("aktivitet", ("motion",)): {"en": "exercise", "fi": "liikunta", "ar": "المشي", "so": "jimicsi"},
    ("aktivitet", ("kurser",)): {"en": "courses", "fi": "kurssi", "ar": "دورات", "so": "koorso"},
    ("aktivitet", ("samtal-och-stod",)): {"en": "someone to talk to", "fi": "keskustelu", "ar": "دعم",
                                          "so": "taageero"},
    ("aktivitet", ("praktik",)): {"en": "internship", "fi": "harjoittelupaikka", "ar": "تدريب عملي", "so": "tababar"},
    ("aktivitet", ("arbetstraning",)): {"en": "work training", "fi": "työkokeilu", "ar": "تدريب مهني",
                                        "so": "tababar shaqo"},
    ("aktivitet", ("jobbstod",)): {"en": "job coach", "fi": "työnhaku", "ar": "البحث عن عمل", "so": "shaqo raadis"},
    ("inriktning", ("social",)): {"en": "make friends", "fi": "ystäviä", "ar": "أصدقاء", "so": "saaxiibo"},
    ("inriktning", ("arbetsinriktad",)): {"en": "job", "fi": "työpaikka", "ar": "وظيفة", "so": "shaqo"},
    ("inriktning", ("studier",)): {"en": "school", "fi": "opiskelu", "ar": "الدراسة", "so": "waxbarasho"},
    ("tillgang", ("oppen",)): {"en": "walk-in", "fi": "avoin", "ar": "بدون قرار", "so": "furan"},
    ("ips", ("ja",)): {"en": "real job", "fi": "oikea työ", "ar": "عمل حقيقي", "so": "shaqo dhab ah"},
    ("stadsdel", ("norra-innerstaden", "kungsholmen", "sodermalm")): {
        "en": "city centre", "fi": "keskusta", "ar": "وسط المدينة", "so": "bartamaha magaalada"},
    ("stadsdel", ("bromma", "hasselby-vallingby", "jarva")): {
        "en": "western suburbs", "fi": "läntiset lähiöt", "ar": "الضواحي الغربية", "so": "xaafadaha galbeed"},
    ("stadsdel", ("enskede-arsta-vantor", "farsta", "hagersten-alvsjo", "skarholmen", "skarpnack")): {
        "en": "southern suburbs", "fi": "eteläiset lähiöt", "ar": "الضواحي الجنوبية", "so": "xaafadaha koonfureed"},
}  # fmt: skip
# Names that are the same in every language ("Söder", "T-Centralen", "Fridhemsplan").
PLACE_NAMES = {("stadsdel", ("sodermalm",)), ("stadsdel", ("norra-innerstaden",)), ("stadsdel", ("kungsholmen",))}


def test_every_concept_of_the_thesaurus_has_an_everyday_word_in_each_language(real_site):
    """The table above covers every concept: a concept added in Swedish only fails here."""
    thesaurus = load_content(real_site.application.config["CONTENT_DIR"]).thesaurus
    assert thesaurus is not None
    concepts = {
        (entry["filter"], tuple(entry["values"]))
        for entry in thesaurus["concepts"]
        if entry["filter"] in CONCEPT_FILTERS
    }  # a filter's concepts; not pages, not other kinds
    assert concepts - PLACE_NAMES <= set(EVERYDAY), concepts - PLACE_NAMES - set(EVERYDAY)
    app = real_site.application
    for (param, values), words in EVERYDAY.items():
        assert set(words) == set(LANGUAGES[1:]), (param, values)
        has_offerings = tagged_offerings(real_site, param, values) > 0
        for lang, word in words.items():
            result = run(app, lang, word)
            assert (param, values) in understood(result), (lang, word, understood(result))
            assert result.total >= 1 or not has_offerings, (lang, word)


# --- Feelings, days and diagnoses -------------------------------------------------------------------

WHAT_IT_IS, HOURS, HOW_TO_APPLY = "vad-ar-sysselsattning", "timintervallen", "sa-far-du-sysselsattning"
SOCIAL = ("inriktning", ("social",))
SUPPORT = ("aktivitet", ("samtal-och-stod",))

# (query, the guidance page meant for it, the concept it is read as). Each language: feelings, the
# words people use for their own illness, little energy, empty days, needing help.
FEELINGS = {
    "sv": [("depression", WHAT_IT_IS, SOCIAL), ("ångest", WHAT_IT_IS, SOCIAL), ("psykiskt sjuk", WHAT_IT_IS, SOCIAL),
           ("adhd", WHAT_IT_IS, SOCIAL), ("mår dåligt", WHAT_IT_IS, SOCIAL), ("schizofreni", WHAT_IT_IS, SOCIAL),
           ("orkar inte mycket", HOURS, SOCIAL), ("utbränd", HOURS, SOCIAL), ("inget att göra", WHAT_IT_IS, SOCIAL),
           ("små grupper", WHAT_IT_IS, SOCIAL), ("behöver hjälp", HOW_TO_APPLY, SUPPORT)],
    "en": [("depression", WHAT_IT_IS, SOCIAL), ("anxiety", WHAT_IT_IS, SOCIAL), ("feeling low", WHAT_IT_IS, SOCIAL),
           ("mental health problems", WHAT_IT_IS, SOCIAL), ("schizophrenia", WHAT_IT_IS, SOCIAL),
           ("lonely", WHAT_IT_IS, SOCIAL), ("burnout", HOURS, SOCIAL), ("few hours", HOURS, SOCIAL),
           ("nothing to do", WHAT_IT_IS, SOCIAL), ("i need help", HOW_TO_APPLY, SUPPORT)],
    "fi": [("masennus", WHAT_IT_IS, SOCIAL), ("ahdistus", WHAT_IT_IS, SOCIAL),
           ("mielenterveysongelmat", WHAT_IT_IS, SOCIAL), ("skitsofrenia", WHAT_IT_IS, SOCIAL),
           ("yksinäinen", WHAT_IT_IS, SOCIAL), ("en jaksa", HOURS, SOCIAL), ("muutama tunti", HOURS, SOCIAL),
           ("ei mitään tekemistä", WHAT_IT_IS, SOCIAL), ("tarvitsen apua", HOW_TO_APPLY, SUPPORT)],
    "ar": [("اكتئاب", WHAT_IT_IS, SOCIAL), ("الاكتئاب", WHAT_IT_IS, SOCIAL), ("القلق", WHAT_IT_IS, SOCIAL),
           ("الصحة النفسية", WHAT_IT_IS, SOCIAL), ("فصام", WHAT_IT_IS, SOCIAL), ("وحيد", WHAT_IT_IS, SOCIAL),
           ("تعبان", HOURS, SOCIAL), ("ساعات قليلة", HOURS, SOCIAL), ("الملل", WHAT_IT_IS, SOCIAL),
           ("أحتاج مساعدة", HOW_TO_APPLY, SUPPORT)],
    "so": [("niyad jab", WHAT_IT_IS, SOCIAL), ("walwal", WHAT_IT_IS, SOCIAL), ("kelinimo", WHAT_IT_IS, SOCIAL),
           ("caafimaadka maskaxda", WHAT_IT_IS, SOCIAL), ("buufis", WHAT_IT_IS, SOCIAL), ("daal", HOURS, SOCIAL),
           ("saacado yar", HOURS, SOCIAL), ("caajis", WHAT_IT_IS, SOCIAL), ("caawimaad", HOW_TO_APPLY, SUPPORT)],
}  # fmt: skip
CASES = [(lang, *case) for lang, cases in FEELINGS.items() for case in cases]
# Words a page must never show back except as the person's own quoted words.
DIAGNOSES = {q for _lang, q, page, concept in CASES if concept == SOCIAL and page == WHAT_IT_IS} | {
    "psykos", "bipolär", "autism", "ptsd", "psychosis", "bipolar", "masentunut", "اكتئاب", "الفصام", "niyad jab",
}  # fmt: skip


def test_each_language_has_at_least_five_feeling_and_diagnosis_words():
    assert all(len(cases) >= 5 for cases in FEELINGS.values())


@pytest.mark.parametrize(("lang", "q", "page", "concept"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_a_feeling_or_a_diagnosis_finds_offerings_and_the_page_meant_for_it(real_site, lang, q, page, concept):
    result = run(real_site.application, lang, q)
    assert result.total >= 1, (lang, q)
    assert page in [guidance["slug"] for guidance in result.guidance], (lang, q, result.guidance)
    assert understood(result) == {concept}, (lang, q)
    assert [item.text for item in result.understood] == [q]
    assert not result.suggestion and not result.corrected_from  # a real word is never corrected


def test_the_calm_small_group_offering_is_among_what_psychosis_finds(real_site):
    """Steg för Steg says it works in small groups, at a calm pace, for people with psychosis."""
    for q in ("psykos", "schizofreni", "lugnt", "små grupper"):
        result = run(real_site.application, "sv", q)
        assert "steg-for-steg" in [hit.record["slug"] for hit in result.hits], q


def without_echoes(page: str, q: str) -> str:
    """The page without the offerings found (their own texts) and without every echo of the query: the
    search box, the title, "Sökning: …", links that carry it."""
    start = page.find('<ol class="hits">')
    if start != -1:
        page = page[:start] + page[page.index("</ol>", start) :]
    for echo in sorted({q, quote(q), quote_plus(q), quote(q, safe="")}, key=len, reverse=True):
        page = page.replace(echo, " ")
    return page


@pytest.mark.parametrize(("lang", "q", "page", "concept"), [case for case in CASES if case[3] == SOCIAL],
                         ids=[f"{c[0]}:{c[1]}" for c in CASES if c[3] == SOCIAL])  # fmt: skip
def test_the_page_reads_the_persons_words_as_the_concept_and_never_labels_them(real_site, lang, q, page, concept):
    app = real_site.application
    shown = html(real_site, f"{prefix(lang)}/sok?{'q=' + quote_plus(q)}")
    with app.test_request_context(f"{prefix(lang)}/sok"):
        app.preprocess_request()
        label = ORIENTATIONS.label("social")
        said = gettext("Vi tolkade ”%(word)s” som %(concept)s.", word=q, concept=label)
        labels = {ORIENTATIONS.label(value) for value in ORIENTATIONS} | {ACTIVITIES.label(v) for v in ACTIVITIES}
    [paragraph] = re.findall(r'<p class="understood">(.*?)<a ', shown, re.S)
    assert paragraph.strip() == said, (lang, paragraph)
    assert label in labels  # the concept's own label, from the vocabulary
    rest = without_echoes(shown, q)
    for word in DIAGNOSES:  # no label, heading or hint says a diagnosis; only the person's words are quoted
        assert not set(concept_key(word)) <= set(concept_key(label)), (word, label)
        assert not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", rest, re.IGNORECASE), (lang, q, word)
