"""Everyday words and what the catalogue calls them (``content/thesaurus.yml``).

People type "måla", "träffa folk" or "söder"; offerings are tagged "kreativt", "social" and
Södermalm. Each entry maps words and phrases, in any of the site's languages, to one filter and its
values, so that an offering tagged with the concept is found even when its text lacks the word.
Editors extend the file; ``flask catalogue check`` validates it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from . import checks
from .analysis import concept_key
from .facets import FACETS_BY_PARAM, ChoiceFacet

CONCEPT_FILTERS = ("aktivitet", "inriktning", "tillgang", "ips", "stadsdel")
_WORD = re.compile(r"\w+")
_YEARS = concept_key("år")
MAX_AGE = 120


@dataclass(frozen=True)
class Concept:
    param: str
    values: tuple[str, ...]
    page: str | None = None  # a guidance page to suggest beside the results

    @property
    def is_page(self) -> bool:
        return self.param == PAGE

    @property
    def label(self) -> str:
        if self.param == AGE:
            return _("%(age)s år", age=self.values[0])
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
    "words": checks.list_of(checks.text(60, single_line=True)),
}
AGE = "alder"  # "18 år" in a query: offerings whose stated ages include 18
PAGE = "page"  # a guidance page, suggested beside the results: "hur söker man" -> Så får du sysselsättning


def _entry(value, problems, path):
    if not isinstance(value, dict):
        problems.add(path, "ska ha filter, values och words, eller page och words")
        return None
    required = ("page", "words") if "filter" not in value else ("filter", "values", "words")
    entry = checks.check_fields(value, _ENTRY_FIELDS, required, problems, path)
    if "filter" not in entry:
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
    path: Path, text: str, read_yaml, pages: frozenset[str] | None = None
) -> tuple[dict | None, list[checks.ContentError]]:
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


class Thesaurus:
    """Reads the concepts in a query, longest phrase first."""

    def __init__(self, data: dict | None):
        self.phrases: dict[tuple[str, ...], Concept] = {}
        for entry in (data or {}).get("concepts", []):
            concept = Concept(entry["filter"], tuple(entry["values"]), entry.get("page"))
            for word in entry["words"]:
                self.phrases[concept_key(word)] = concept
        self.longest = max((len(key) for key in self.phrases), default=0)

    def knows(self, word: str) -> bool:
        return concept_key(word) in self.phrases

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
        words = _WORD.findall(q)
        keys = [concept_key(word) for word in words]
        understood: list[Understood] = []
        rest: list[str] = []
        i = 0
        while i < len(words):
            if words[i].isdecimal() and i + 1 < len(words) and keys[i + 1] == _YEARS and int(words[i]) <= MAX_AGE:
                understood.append(Understood(f"{words[i]} {words[i + 1]}", Concept(AGE, (str(int(words[i])),))))
                i += 2
                continue
            for length in range(min(self.longest, len(words) - i), 0, -1):
                key = tuple(part for k in keys[i : i + length] for part in k)
                if key and key in self.phrases:
                    concept = self.phrases[key]
                    understood.append(Understood(" ".join(words[i : i + length]), concept))
                    if concept.is_page:
                        rest += words[i : i + length]
                    i += length
                    break
            else:
                rest.append(words[i])
                i += 1
        return understood, " ".join(rest)
