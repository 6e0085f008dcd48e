"""Everyday words and what the catalogue calls them (``content/thesaurus.yml``).

People type "måla", "träffa folk" or "söder"; offerings are tagged "kreativt", "social" and
Södermalm. Each entry maps words and phrases, in any of the site's languages, to one filter and its
values, so that an offering tagged with the concept is found even when its text lacks the word.
Editors extend the file; ``flask catalogue check`` validates it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from flask_babel import gettext as _

from catalogue.facts import checks
from catalogue.facts.vocabulary import ACCENT_FOLD, CITYWIDE, DISTRICTS, Name
from catalogue.language.analysis import concept_key
from catalogue.query.facets import FACETS_BY_PARAM, ChoiceFacet

CONCEPT_FILTERS = ("aktivitet", "inriktning", "tillgang", "ips", "stadsdel", "timmar", "huvudman")
_WORD = re.compile(r"\w+")
_ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")  # short vowels, shadda, tatweel: often left out
# An age anywhere in a sentence: "23 år", "en 23-åring", "ålder 23", in the site's languages.
_YEARS_WORDS = ("år", "åring", "years", "year", "vuotta", "vuotias", "sano", "sanno", "سنة", "عاما", "عامًا")
_AGE_WORDS = ("ålder", "åldern", "age", "aged", "ikä", "ikäni", "da'", "عمري", "العمر", "عمر")
_YEARS = frozenset(concept_key(_ARABIC_MARKS.sub("", word)) for word in _YEARS_WORDS)
_AGE = frozenset(concept_key(_ARABIC_MARKS.sub("", word)) for word in _AGE_WORDS)
_IS = frozenset(("är", "ar", "am", "is", "im", "olen", "on", "waa"))
MIN_AGE, ADULT, MAX_AGE = 16, 18, 120  # "i 2 år" is how long, not how old; "är 23" only for a grown-up


@dataclass(frozen=True)
class Concept:
    param: str
    values: tuple[str, ...]
    page: str | None = None  # a guidance page to suggest beside the results
    prefer: tuple[str, ...] = ()  # words that rank an offering higher when its text has them: "lugnt"
    narrows: bool = True  # False: how someone feels; beside anything else they ask for it only ranks

    @property
    def is_page(self) -> bool:
        return self.param == PAGE

    @property
    def is_meaning(self) -> bool:
        return self.param == MEANS

    @property
    def label(self) -> str:
        if self.param == AGE:
            return cast(str, _("%(age)s år", age=self.values[0]))
        if self.param == MEANS:
            return f"”{self.values[0]}”"
        facet = FACETS_BY_PARAM[self.param]
        assert isinstance(facet, ChoiceFacet)
        if self.param == "ips":
            return str(facet.legend)
        return ", ".join(facet.vocabulary.label(value) for value in self.values)


@dataclass(frozen=True)
class Understood:
    """One word or phrase of a query read as a concept: "måla" as Kreativt skapande."""

    text: str
    concept: Concept


_ENTRY_FIELDS: dict[str, checks.Checker] = {
    "filter": checks.text(20),
    "values": checks.list_of(checks.text(40)),
    "page": checks.text(80, single_line=True),
    "means": checks.text(60, single_line=True),
    "prefer": checks.list_of(checks.text(60, single_line=True)),
    "narrows": checks.boolean,
    "words": checks.list_of(checks.text(60, single_line=True)),
}
AGE = "alder"  # "18 år" in a query: offerings whose stated ages include 18
PAGE = "page"  # a guidance page, suggested beside the results: "hur söker man" -> Så får du sysselsättning
# Words the files say otherwise, searched as the files say them: "clubhouse" and "klubitalo" are "klubbhus",
# "hör röster" is "psykos". For what no filter names but the text does (who it is for, what it is called).
MEANS = "means"


def _entry(value: Any, problems: checks.Problems, path: checks.FieldPath) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        problems.add(path, "ska ha filter, values och words, page och words, eller means och words")
        return None
    kind = "filter" if "filter" in value else "means" if "means" in value else "page"
    required = {"filter": ("filter", "values", "words"), "means": ("means", "words"), "page": ("page", "words")}[kind]
    entry = checks.check_fields(value, _ENTRY_FIELDS, required, problems, path)
    if kind not in entry:  # its own value did not pass its check: the problem is reported
        return None
    if kind == "means":
        entry["filter"], entry["values"] = MEANS, [entry["means"]]
        return entry
    if kind == "page":
        entry["filter"], entry["values"] = PAGE, [entry["page"]]
        return entry
    param = entry.get("filter")
    if param not in CONCEPT_FILTERS:
        problems.add(path + ("filter",), f"ska vara ett av {', '.join(CONCEPT_FILTERS)}")
        return None
    facet = FACETS_BY_PARAM[param]
    assert isinstance(facet, ChoiceFacet)
    for n, item in enumerate(entry.get("values", [])):
        if item not in facet.vocabulary:
            suggestion = checks.did_you_mean(checks.closest(item, facet.vocabulary))
            problems.add(path + ("values", n), f"okänt värde '{item}'{suggestion}")
    return entry


def parse_thesaurus(
    path: Path,
    text: str,
    read_yaml: Callable[[str, checks.Problems, int], dict[str, Any] | None],
    pages: frozenset[str] | None = None,
) -> tuple[dict[str, Any] | None, list[checks.ContentError]]:
    """The validated file, or the problems as ``file:line: field: what is wrong``.

    ``pages`` are the guidance pages that exist, when known: an entry's page must be one of them."""
    problems = checks.Problems(str(path))
    data = read_yaml(text, problems, 1)
    if data is None:
        return None, problems.errors
    clean = checks.check_fields(data, {"concepts": checks.list_of(_entry)}, ("concepts",), problems, ())
    if problems.errors:
        return None, problems.errors  # entries left out would shift the numbers of those after them
    seen: dict[tuple[str, ...], int] = {}
    for n, entry in enumerate(clean.get("concepts") or []):
        if pages is not None and entry.get("page") and entry["page"] not in pages:
            problems.add(("concepts", n, "page"), f"vägledningssidan '{entry['page']}' finns inte")
        for m, word in enumerate(entry["words"] if entry else []):
            key = concept_key(word)
            if not key:
                problems.add(("concepts", n, "words", m), "innehåller inget ord")
            elif key in seen and seen[key] != n:
                problems.add(("concepts", n, "words", m), f"'{word}' står redan under concepts.{seen[key]}")
            seen[key] = n
    return (None, problems.errors) if problems.errors else (clean, [])


def place_words(places: dict[str, Any] | None) -> dict[str, list[str]]:
    """Every name of every district, as people type it: its name ("hagersten alvsjo" finds "Hägersten-Älvsjö",
    since the thesaurus folds å/ä/ö), each part of a joined name ("älvsjö"), its name in the site's other
    languages ("فارستا"), its former names (all from ``content/site.yml``), and the neighbourhoods
    ``content/places.yml`` lists for it."""
    words: dict[str, list[str]] = {}
    for slug, name in DISTRICTS.terms.items():
        if slug == CITYWIDE:
            continue
        names = [" ".join(slug.split("-"))]
        for written in [*cast(Name, name).every_form(), *DISTRICTS.other_names(slug)]:
            names += _without_gloss(written)
            names += written.split("-") if "-" in written else []  # "Norra innerstaden" is not "norra"
        names += list((places or {}).get("districts", {}).get(slug, {}).get("neighbourhoods", []))
        words[slug] = list(dict.fromkeys(names))
    return words


def _without_gloss(name: str) -> list[str]:
    """ "نورا إنرستادن (Norra innerstaden)": the name, and the name without what the brackets add."""
    bare = re.sub(r"\s*\([^)]*\)", "", name).strip()
    return [name, bare] if bare and bare != name else [name]


_ARABIC_LETTERS = str.maketrans("أإآى", "اايي")
# Finnish says "in Farsta" as "Farstassa"; English and Swedish add a genitive "s".
_PLACE_ENDINGS = ("ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä", "lle", "an", "än", "n", "s")


def _exact(text: str) -> tuple[str, ...]:
    """Words as a place's name is compared: case, å/ä/ö and Arabic vowel marks aside, never stemmed."""
    plain = _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)
    return tuple(word.casefold().translate(ACCENT_FOLD) for word in _WORD.findall(plain))


def _age_at(words: list[str], keys: list[tuple[str, ...]], i: int) -> tuple[str, int] | None:
    """The age said from ``i``, and how many words say it: a number then "år" ("23 år"), "ålder" then a
    number and perhaps "år" ("ålder 23 år"), or "är" then a grown-up's age ("jag är 23", "my mum is 64").
    "arbetslös i 2 år" is a time, not an age: an age is at least MIN_AGE."""
    if i + 1 >= len(words):
        return None
    years_follow = i + 2 < len(words) and keys[i + 2] in _YEARS
    if keys[i + 1] in _YEARS:
        number, length = words[i], 2
    elif keys[i] in _AGE:
        number, length = words[i + 1], 3 if years_follow else 2
    elif words[i].casefold() in _IS and not years_follow:
        number, length = words[i + 1], 2
        if not (number.isdecimal() and len(number) <= 2 and int(number) >= ADULT):  # "klockan är 16" is a time
            return None
    else:
        return None
    age = int(number) if len(number) <= 3 and number.isdecimal() else 0
    return (str(age), length) if MIN_AGE <= age <= MAX_AGE else None


class Thesaurus:
    """Reads the concepts in a query, longest phrase first.

    Places come from ``content/places.yml`` as well: any district or neighbourhood, alone or inside a
    sentence, is read as its district ("jag bor i Alvik" is Bromma). An entry of the thesaurus file
    itself wins ("Östermalm" is Norra innerstaden there too)."""

    def __init__(self, data: dict[str, Any] | None, places: dict[str, Any] | None = None) -> None:
        self.phrases: dict[tuple[str, ...], Concept] = {}
        self.vocabulary: set[str] = set()  # every word a query may mean, for the spelling check
        written = {_exact(word) for entry in (data or {}).get("concepts", []) for word in entry["words"]}
        for entry in (data or {}).get("concepts", []):
            concept = Concept(entry["filter"], tuple(entry["values"]), entry.get("page"),
                              tuple(entry.get("prefer") or ()), entry.get("narrows", True))  # fmt: skip
            for word in entry["words"]:
                self.phrases[concept_key(_ARABIC_MARKS.sub("", word))] = concept
                self.vocabulary.update(_WORD.findall(word.lower()))
        # Places by their exact names (å/ä/ö folded, not stemmed): "Gärdet" is a place, "garden" is gardening.
        self.places: dict[tuple[str, ...], Concept] = {}
        for slug, names in place_words(places).items():
            for name in names:
                if _exact(name) not in written:  # the file's own reading wins: "Östermalm"
                    self.places[_exact(name)] = Concept("stadsdel", (slug,))
                self.vocabulary.update(_WORD.findall(name.lower()))
        self.longest_place = max((len(key) for key in self.places), default=0)
        self.longest = max([self.longest_place, *(len(key) for key in self.phrases)])

    def knows(self, word: str) -> bool:
        return concept_key(_ARABIC_MARKS.sub("", word)) in self.phrases or _exact(word) in self.places

    def _place(self, key: tuple[str, ...]) -> Concept | None:
        """The place a name means, also with a case ending: "asun Farstassa" is Farsta."""
        if key in self.places:
            return self.places[key]
        for ending in _PLACE_ENDINGS if len(key) == 1 else ():
            stem = key[0].removesuffix(ending)
            if stem != key[0] and len(stem) >= 4 and (stem,) in self.places:
                return self.places[(stem,)]
        return None

    def _concept_at(self, words: list[str], keys: list[tuple[str, ...]], i: int) -> tuple[int, Concept] | None:
        """The longest phrase from ``i`` that names a place or a concept, and its length."""
        exact = [part for word in words[i : i + self.longest] for part in _exact(word)]
        for length in range(min(self.longest, len(words) - i), 0, -1):
            place = self._place(tuple(exact[:length])) if length <= self.longest_place else None
            if place:
                return length, place
            key = tuple(part for k in keys[i : i + length] for part in k)
            if key and key in self.phrases:
                return length, self.phrases[key]
        return None

    @staticmethod
    def one_per_concept(understood: list[Understood]) -> list[Understood]:
        """Words read as the same concept make one clause: "spela gitarr" is Musik with both words.

        An offering tagged Musik fits; one that only says "spela spel" does not."""
        said: dict[Concept, list[str]] = {}
        for item in understood:
            said.setdefault(item.concept, []).append(item.text)
        return [Understood(" ".join(texts), concept) for concept, texts in said.items()]

    def interpret(self, q: str) -> tuple[list[Understood], str]:
        """The concepts found in ``q``, and the rest of the words to search as text.

        A guidance page is only suggested: its words are still searched as text ("träfflokal")."""
        words = _WORD.findall(_ARABIC_MARKS.sub("", q))  # "برومّا" is one word, not two around its shadda
        keys = [concept_key(word) for word in words]
        understood: list[Understood] = []
        rest: list[str] = []
        i = 0
        while i < len(words):
            age = _age_at(words, keys, i)
            if age:
                understood.append(Understood(" ".join(words[i : i + age[1]]), Concept(AGE, (age[0],))))
                i += age[1]
                continue
            found = self._concept_at(words, keys, i)
            if found is None:
                rest.append(words[i])
                i += 1
                continue
            length, concept = found
            understood.append(Understood(" ".join(words[i : i + length]), concept))
            if concept.is_page:
                rest += words[i : i + length]
            elif concept.is_meaning:
                rest += _WORD.findall(concept.values[0])
            i += length
        return understood, " ".join(rest)
