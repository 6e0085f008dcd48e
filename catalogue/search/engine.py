"""Answers a SearchRequest from the current index: hits, facet counts, advice.

``run`` is a pipeline of four steps, each returning a frozen value: ``interpret`` (the words, and what the
thesaurus understood), ``constrain`` (every constraint as a bitset), ``page`` (the matches and those that may
fit) and ``advise`` (guidance, spelling, the offerings that say otherwise, partial matches, what to drop).
The result is built once from them. The engine writes no page text and reads no request: the caller passes
the language in, and the views and the query layer say things in words.

Filters and facet counts are computed on in-memory bitsets (Python ints, one
bit per document) built once per index version, so counting every option of
every filter "as if that filter were not set" costs microseconds; Whoosh does
the text matching, ranking and highlighting.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import threading
from collections.abc import Iterable, Iterator, Sequence, Set
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from markupsafe import escape
from whoosh import index

from catalogue import i18n, query
from catalogue.facts import fields
from catalogue.facts.vocabulary import ACCENT_FOLD, CITYWIDE, DISTRICTS, UNKNOWN, Municipality, using_municipality
from catalogue.index import builder
from catalogue.language import analysis, dictionary
from catalogue.query import SearchRequest
from catalogue.query.facets import (
    FACETS,
    FACETS_BY_PARAM,
    ChoiceFacet,
    Chosen,
    Facet,
    FacetResult,
    bitset,
    mask_of,
)
from catalogue.query.thesaurus import AGE, Concept, Thesaurus, Understood
from catalogue.search import segments
from catalogue.search.scoring import TermScores

if TYPE_CHECKING:
    from whoosh.reading import IndexReader
    from whoosh.searching import Searcher

PAGE_SIZE = 20
GUIDANCE_LIMIT = 2
MAYBE_LIMIT = 50  # "Kan också passa" on the first page; the JSON twin says how many there are in all
TEXT_CACHE_SIZE = 256
MAX_QUERY_WORDS = 12
MAX_CORRECTED_WORDS = 3  # spelling suggestions cost milliseconds each: a query of nonsense gets only three
CONCEPT_BOOST = 3.0  # an offering tagged with a concept the query names is strong evidence
PLACE_FIELDS = ("place", "area")
PREFER_WEIGHT = 0.3
SNIPPET_TEXTS_KEPT = 128
MIN_STEM_TO_CORRECT = 5  # a shorter stem is one edit from too many words to guess which
SWEDISH_ENDINGS = ("et", "en", "an", "na", "er", "ar", "or")  # definite and plural endings
# One stated value rules the others out, or nearly: an offering has one huvudman and states its hours.
FACTS_THAT_MAY_BE_UNKNOWN = frozenset({facet.param for facet in FACETS if facet.exclusive} | {"timmar", "huvudman"})
FIELD_WEIGHTS = {
    "name": 4.0, "summary": 2.0, "activities": 1.5, "description": 1.0, "place": 1.5, "area": 0.5, "parts": 0.8,
}  # fmt: skip
FOLDED_FIELD_WEIGHTS = {"name_folded": 1.0, "text_folded": 0.4}
_WORDS_ANALYZER = analysis.spelling_analyzer()
_SENTENCE_WORDS = re.compile(r"\w+")
_SWEDISH_ORDER = str.maketrans(
    {"å": "z\u0001", "ä": "z\u0002", "ö": "z\u0003", "æ": "z\u0002", "ø": "z\u0003", "é": "e", "ü": "y"}
)


def name_sort_key(name: str) -> str:
    return name.casefold().translate(_SWEDISH_ORDER)


@dataclass(frozen=True)
class Stored:
    """A document's record as its segment stores it, with what ranking needs of it worked out once."""

    docnum: int  # in its segment
    kind: str
    record: dict[str, Any]
    known_facts: int = 0
    name_only: bool = False


def _stored_records(leaf: IndexReader) -> list[Stored]:
    stored_records = []
    for docnum, stored in leaf.iter_docs():
        record = json.loads(stored["record"])
        if stored["kind"] == "provider":
            known = Stored(docnum, "provider", record, fields.known_facts(record), fields.known_only_by_name(record))
            stored_records.append(known)
        else:
            stored_records.append(Stored(docnum, stored["kind"], record))
    return stored_records


class Snapshot:
    """One published index version with its facet bitsets; immutable once built."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.index = index.open_dir(str(folder))
        version_file = folder / builder.VERSION_FILE  # builds from before it existed: the folder names them
        self.version = version_file.read_text(encoding="ascii") if version_file.exists() else folder.name
        self.schema = self.index.schema  # reading it from the index unpickles the table of contents each time
        thesaurus, ranking_facts = self._read_documents()
        with using_municipality(self.municipality):  # its districts are the facets' and the thesaurus' places
            self.thesaurus = Thesaurus(thesaurus, self.places)
            self.pages_mask = mask_of(self.page_docnums.values(), self.size)
            live = [(n, self.record(n)) for n in self.provider_docnums.values()]
            self._prepare_offerings(
                [(n, record) for n, record in live if record.get("status") != "closed"], ranking_facts
            )
            self._local = threading.local()
            index_words = self.terms.spelling
            self.accented_folds = self._accented_folds(index_words)
            # The index's own words, and the words the thesaurus and the places know although no file has them
            # ("promenera", "Skarpnäck"): a misspelling of either is offered, never silently applied to a real word.
            self.speller = dictionary.Speller({word: 1 for word in self.thesaurus.vocabulary} | index_words)
            self._city_words = _city_words(self.municipality)
            self._keep_answers()

    def query_words(self, text: str) -> list[str]:
        """The words to match of a query: "kafé i Stockholm" is "kafé", as every offering is in its city."""
        return [word for word in _query_words(text) if word not in self._city_words]

    def _read_documents(self) -> tuple[dict[str, Any] | None, dict[int, Stored]]:
        """Every stored record by docnum, the municipality and the places; returned, for the rest of the set-up
        only: the thesaurus (which needs the places) and each record's ranking facts by docnum."""
        kinds: dict[str, dict[str, int]] = {"provider": {}, "page": {}}
        self.municipality = UNKNOWN
        self.places: dict[str, Any] = {}
        thesaurus: dict[str, Any] | None = None
        with self.index.searcher() as searcher:
            self.size: int = searcher.doc_count_all()
            self.records: list[dict[str, Any] | None] = [None] * self.size
            ranking_facts: dict[int, Stored] = {}
            for base, documents in segments.each(searcher.reader(), "records", _stored_records):
                for document in documents:
                    if document.kind == "site":
                        self.municipality = Municipality.from_site(document.record)
                    elif document.kind == "places":
                        self.places = document.record
                    elif document.kind == "thesaurus":
                        thesaurus = document.record
                    else:
                        self.records[base + document.docnum] = document.record
                        kinds[document.kind][document.record["slug"]] = base + document.docnum
                        ranking_facts[base + document.docnum] = document
            segments.keep_only(searcher.reader())
            self.terms = segments.Terms(self.folder, searcher.reader())
            self.term_scores = TermScores(searcher, [*FIELD_WEIGHTS, *FOLDED_FIELD_WEIGHTS], self.terms)
        self.provider_docnums, self.page_docnums = kinds["provider"], kinds["page"]
        return thesaurus, ranking_facts

    def _prepare_offerings(self, live: list[tuple[int, dict[str, Any]]], ranking_facts: dict[int, Stored]) -> None:
        """The listed offerings' bitsets, facet data, known facts and order by name."""
        size = self.size
        self.listed = mask_of((n for n, _record in live), size)
        self.facet_data = {facet.param: facet.prepare(live, size) for facet in FACETS}
        self.known_facts = [0] * size
        self.name_only = [False] * size
        for n, _record in live:
            ranking = ranking_facts[n]
            self.known_facts[n], self.name_only[n] = ranking.known_facts, ranking.name_only
        self.known_facts_array, self.name_only_array = np.array(self.known_facts), np.array(self.name_only)
        # Offerings known only by name come after the others, in their own compact group.
        self.by_name = sorted(
            (n for n, _record in live), key=lambda n: (self.name_only[n], name_sort_key(self.record(n)["name"]))
        )

    def _keep_answers(self) -> None:
        """People refine a search by clicking filters: the text part repeats, so keep its answers."""
        self.text_matches = functools.lru_cache(maxsize=TEXT_CACHE_SIZE)(self._text_matches)
        self.word_mask = functools.lru_cache(maxsize=4 * TEXT_CACHE_SIZE)(self._word_mask)
        self.has_word = functools.lru_cache(maxsize=16 * TEXT_CACHE_SIZE)(self._has_word)
        self.suggestions = functools.lru_cache(maxsize=4 * TEXT_CACHE_SIZE)(self._suggestions)
        self.stated_otherwise = functools.lru_cache(maxsize=TEXT_CACHE_SIZE)(self._stated_otherwise)
        self.may_fit = functools.lru_cache(maxsize=TEXT_CACHE_SIZE)(self._may_fit)
        self.negated_mask = functools.lru_cache(maxsize=4 * TEXT_CACHE_SIZE)(self._negated_mask)
        # A few kilobytes each: the offerings most shown, not the catalogue (issue 23's memory budget).
        self.description_tokens = functools.lru_cache(maxsize=SNIPPET_TEXTS_KEPT)(self._description_tokens)

    def searcher(self) -> Searcher:
        """One long-lived searcher per thread: opening one costs milliseconds."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.index.searcher()
        return searcher

    def _accented_folds(self, words: Iterable[str]) -> frozenset[str]:
        """Folded terms of indexed words written with å/ä/ö (or é, ü): "fontanhus" for "fontänhuset"."""
        folded = self.schema["text_folded"].analyzer
        return frozenset(token.text for word in words if word != word.translate(ACCENT_FOLD) for token in folded(word))

    def _text_matches(
        self,
        words: tuple[str, ...],
        understood: tuple[Understood, ...] = (),
        lenient: bool = False,
        ranking: tuple[Understood, ...] = (),
    ) -> tuple[list[int], int]:
        """Docnums best first, and the same set as a bitset: every word and every concept must match.

        A concept matches an offering tagged with it or whose text has its words, unless its stated
        facts say otherwise (``lenient`` lets those through, to show them apart); tagged ones rank
        higher, and so do those whose text has the concept's ``prefer`` words ("lugnt", "små grupper").
        ``ranking``: concepts that only rank, never narrow (how someone feels, beside what they ask for).
        At equal relevance the offering with more known facts comes first; those known only by name last.
        """
        if not all(self.has_word(word) for word in words):
            return [], 0  # a word found nowhere: nothing matches every word, and Whoosh need not look
        if not understood and not ranking and not any(self.is_place(word) for word in words):
            vectors = [self.word_vector(word) for word in words]
            scores = np.sum([scores for scores, _found in vectors], axis=0)
            documents = np.flatnonzero(np.logical_and.reduce([found for _scores, found in vectors]))
        else:
            scores, documents = self._concept_scores(words, understood, lenient, ranking)
        # Best first; at equal relevance more known facts first; known only by name last.
        order = np.lexsort((-self.known_facts_array[documents], -np.round(scores[documents], 6),
                            self.name_only_array[documents]))  # fmt: skip
        ranked = documents[order].tolist()
        return ranked, mask_of(ranked, self.size)

    def _concept_scores(
        self, words: tuple[str, ...], understood: tuple[Understood, ...], lenient: bool, ranking: tuple[Understood, ...]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores and documents when concepts or places take part: each clause narrows by its bitset."""
        matching = self.listed | self.pages_mask
        clauses: list[str | Understood] = [*words, *understood]
        for clause in clauses:
            matching &= self.clause_mask(clause, lenient)
        all_words = words + tuple(word for item in understood for word in _query_words(item.text))
        scores = np.zeros(self.size)  # a query may be all concepts, with no words to score
        for word in all_words:
            scores += self.word_vector(word)[0]
        preferred = [word for item in (*understood, *ranking) for word in _query_words(" ".join(item.concept.prefer))]
        for word in preferred:  # a tie-breaker: what the person said weighs more than how it is done
            if self.has_word(word):
                scores += PREFER_WEIGHT * self.word_vector(word)[0]
        documents = np.fromiter(_bits(matching), dtype=np.int64)
        for item in understood:
            scores[documents] += [self.concept_fit(item.concept, n) for n in documents.tolist()]
        for item in ranking:  # beside what is asked for, how someone feels weighs less
            scores[documents] += [self.concept_fit(item.concept, n) / 2 for n in documents.tolist()]
        return scores, documents

    def _has_word(self, word: str) -> bool:
        return _in_index(self.terms, word)

    def word_vector(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """The word's score in every document, and which documents have it in any field."""
        return self.term_scores.word(self.searcher(), _word_terms(word, self.accented_folds))

    def _may_fit(self, words: tuple[str, ...], understood: tuple[Understood, ...]) -> int:
        """The offerings that fit the words, where each fact the query asks for is stated to fit or not stated
        at all. Only for facts whose stated value rules out the others, and hours: a list of activities
        does not say what is not done, so an unlisted activity is no reason to show an offering."""
        if not any(item.concept.param in FACTS_THAT_MAY_BE_UNKNOWN for item in understood):
            return 0
        mask = self.listed
        for word in words:
            mask &= self.clause_mask(word)
        for item in understood:
            fits = self.clause_mask(item)
            if item.concept.param in FACTS_THAT_MAY_BE_UNKNOWN:
                fits |= self.listed & ~self.facet_data[item.concept.param].known
            mask &= fits
        return mask

    def _description_tokens(self, docnum: int, fieldname: str) -> tuple[tuple[str, int, int], ...]:
        """The description as the field's analyser reads it, with where each word stands: the snippets of
        the offerings shown most often are read once, not on every page."""
        text = self.record(docnum).get("description_text", "")
        analyzer = self.schema[fieldname].analyzer
        return tuple((token.text, token.startchar, token.endchar) for token in analyzer(text, chars=True, mode="query"))

    def _negated_mask(self, word: str) -> int:
        """The documents that have the word only in a sentence saying "not" (``builder.negated_apart``)."""
        reader, mask = self.searcher().reader(), 0
        for term in _terms_for("negated", word):
            if ("negated", term) in self.terms:
                mask |= mask_of(reader.postings("negated", term).all_ids(), self.size)
        return mask

    def _word_mask(self, word: str) -> int:
        """The documents whose text has the word, in any field."""
        return bitset(self.word_vector(word)[1]) if self.has_word(word) else 0

    def is_place(self, clause: str | Understood) -> bool:
        """A district concept ("söder"), or a word that names a neighbourhood or district ("hökarängen")."""
        if not isinstance(clause, str):
            return clause.concept.param == "stadsdel"
        if not self.has_word(clause):
            return False
        return any((name, term) in self.terms for name in PLACE_FIELDS for term in _terms_for(name, clause))

    def located_in(self, district: str) -> int:
        """How many listed offerings are located in the district itself (those for the whole city aside)."""
        stadsdel = self.facet_data["stadsdel"].values
        return (stadsdel.get(district, 0) & ~stadsdel[CITYWIDE] & self.listed).bit_count()

    def place_answer(self, district: str) -> PlaceAnswer:
        """What a search for a place says about it: how many offerings are there, and where the nearest are."""
        neighbours = self.places.get("districts", {}).get(district, {}).get("neighbours", [])
        nearby = [(slug, DISTRICTS.label(slug), self.located_in(slug)) for slug in neighbours if self.located_in(slug)]
        return PlaceAnswer(district, DISTRICTS.label(district), self.located_in(district), nearby)

    def concept_fit(self, concept: Concept, docnum: int) -> float:
        """How strongly a tagged offering is about the concept: one of one tags counts more than one of three."""
        if not self.concept_tags(concept) >> docnum & 1:
            return 0.0
        if concept.param == AGE:
            return CONCEPT_BOOST
        facet = FACETS_BY_PARAM[concept.param]
        stated = facet.values_of(self.record(docnum)) if isinstance(facet, ChoiceFacet) else []
        return CONCEPT_BOOST * sum(value in concept.values for value in stated) / max(1, len(stated))

    def concept_tags(self, concept: Concept) -> int:
        """The offerings tagged with any of the concept's values (for an age: whose stated ages include it)."""
        if concept.param == AGE:
            return FACETS_BY_PARAM[AGE].mask(self.facet_data[AGE], int(concept.values[0]))
        values = self.facet_data[concept.param].values
        mask = 0
        for value in concept.values:
            mask |= values[value]
        return mask

    def _stated_otherwise(self, concept: Concept) -> int:
        """The offerings whose stated facts contradict the concept: "ips: false" for IPS, access by decision
        only for "utan beslut", another district for "söder". A word in their text never makes them a match.

        Only for a fact whose stated value rules out the others (``Facet.exclusive``): activities not listed
        are unknown, not absent. An offering for the whole city is in every district: never contradicted."""
        if not FACETS_BY_PARAM[concept.param].exclusive:
            return 0
        contradicting = self.facet_data[concept.param].known & ~self.concept_tags(concept)
        if concept.param == "stadsdel":
            contradicting &= ~self.facet_data["stadsdel"].values[CITYWIDE]
        return contradicting

    def clause_mask(self, clause: str | Understood, lenient: bool = False) -> int:
        """What one part of a query matches: a word, or a concept (its tag, or all its words in the text
        where the offering has not stated otherwise; ``lenient`` lets those through too)."""
        if isinstance(clause, str):
            # A place ("Hökarängen"): what is there, then the rest of its district, then what serves the
            # whole city, which is open to someone living there too (ranked by text score, city-wide last).
            everywhere = self.facet_data["stadsdel"].values[CITYWIDE] if self.is_place(clause) else 0
            return self.word_mask(clause) | everywhere
        mask = self.concept_tags(clause.concept)
        if clause.concept.param == "stadsdel":
            mask |= self.facet_data["stadsdel"].values[CITYWIDE]  # ranked after the district's own
        words = _query_words(clause.text)
        # "utan beslut" must not become "beslut": a phrase with a stop word matches by its tag only.
        if words and len(words) == len(clause.text.split()):
            text = self.listed | self.pages_mask
            for word in words:
                text &= self.word_mask(word)
            mask |= text if lenient else text & ~self.stated_otherwise(clause.concept)
        return mask

    def is_typo(self, word: str) -> bool:
        """One edit from a word of the index: more likely that word misspelt than anything new."""
        return self.suggestions(word)[0] is not None

    def _suggestions(self, word: str) -> tuple[str | None, str | None]:
        """A spelling one edit away (safe to apply by itself), and one up to two edits away (to offer)."""
        near = self.speller.suggest(word, maxdist=1)
        # "jobbtroget" is "jobbtorg" misspelt, with an ending: the bare word may be one edit from an index word.
        bare = [word.removesuffix(ending) for ending in SWEDISH_ENDINGS if word.endswith(ending)]
        for candidate in (stem for stem in bare if len(stem) >= MIN_STEM_TO_CORRECT):
            near = near or self.speller.suggest(candidate, maxdist=1)
        return near, near or self.speller.suggest(word, maxdist=2)

    def record(self, docnum: int) -> dict[str, Any]:
        """The provider or guidance page stored as document ``docnum``."""
        record = self.records[docnum]
        assert record is not None, f"document {docnum} is the places document"
        return record

    def provider(self, slug: str) -> dict[str, Any] | None:
        docnum = self.provider_docnums.get(slug)
        return self.record(docnum) if docnum is not None else None

    def providers(self) -> list[dict[str, Any]]:
        """Every provider, closed ones too."""
        return [self.record(docnum) for docnum in self.provider_docnums.values()]

    def page(self, slug: str) -> dict[str, Any] | None:
        docnum = self.page_docnums.get(slug)
        return self.record(docnum) if docnum is not None else None

    def pages(self, easy_read: bool = False) -> list[dict[str, Any]]:
        """Guidance pages in their set order; easy-read (lättläst) versions are listed on their own."""
        pages = (self.record(n) for n in self.page_docnums.values())
        return sorted(
            (page for page in pages if page.get("easy_read", False) == easy_read),
            key=lambda page: (page.get("order", 1000), name_sort_key(page["title"])),
        )


class CatalogueIndex:
    """The site's view of the index: notices a newly published build without a restart."""

    def __init__(self, index_root: Path) -> None:
        self.index_root = Path(index_root)
        self._snapshot: Snapshot | None = None
        self._unusable: Path | None = None  # a published build that did not open: not tried again
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        """The published build. If it has gone or does not open, the loaded one or the newest good build.

        Every request asks, so the usual answer costs one readlink and one stat."""
        folder = builder.current_folder(self.index_root)
        current = self._snapshot
        if current is not None and self._still_serves(current, folder):
            return current
        with self._lock:
            if self._snapshot is None or not self._still_serves(self._snapshot, folder):
                self._snapshot = self._open(folder)
            return self._snapshot

    def _still_serves(self, current: Snapshot, folder: Path | None) -> bool:
        if folder is None or folder == self._unusable:
            return current.folder.is_dir()
        return folder == current.folder

    def _open(self, folder: Path | None) -> Snapshot:
        if folder is not None and folder != self._unusable:
            try:
                return Snapshot(folder)
            except Exception:
                self._unusable = folder  # half-deleted or damaged: the newest good build serves instead
        fallback = builder.last_good_build(self.index_root)
        if fallback is None:
            raise FileNotFoundError(f"no usable index under {self.index_root}")
        return Snapshot(fallback)


@dataclass(frozen=True)
class PlaceAnswer:
    """A district asked for in a search ("jag bor i Alvik" is Bromma): how many offerings are located there;
    when none are, the page says so plainly, shows those for the whole city and names the nearest districts
    that have some. The district page answers the same way."""

    district: str
    label: str
    local: int
    nearby: list[tuple[str, str, int]]  # (slug, name, offerings located there)


@dataclass(frozen=True)
class Hit:
    record: dict[str, Any]
    snippet: str = ""
    reasons: list[str] = field(default_factory=list)  # "Passar dina val": the chosen values it has
    unknown: list[Facet] = field(default_factory=list)  # in "Kan också passa": the chosen facts it has not stated
    name_only: bool = False  # nothing known but its name: shown in a compact group of its own
    stated_otherwise: list[str] = field(default_factory=list)  # its words match, its stated facts do not

    @property
    def unknown_labels(self) -> list[str]:
        return [str(facet.field.label) for facet in self.unknown]

    @property
    def paused(self) -> bool:
        return self.record.get("status") == "paused"


@dataclass(frozen=True)
class Relaxation:
    """What dropping one active filter would give, for the zero-results advice."""

    param: str
    request: SearchRequest
    total: int

    @property
    def text(self) -> str:
        return query.relax_text(self.param)


@dataclass(frozen=True)
class SearchResult:
    request: SearchRequest
    total: int
    pages: int
    hits: list[Hit]
    facets: list[FacetResult]
    suggestion: str | None = None
    corrected_from: str | None = None
    guidance: list[dict[str, Any]] = field(default_factory=list)
    relaxations: list[Relaxation] = field(default_factory=list)
    maybe: list[Hit] = field(default_factory=list)  # "Kan också passa": fit every filter they have answered
    maybe_total: int = 0
    not_stated: list[tuple[Facet, int]] = field(default_factory=list)  # per chosen filter: in "kan passa", unstated
    understood: list[Understood] = field(default_factory=list)  # "Vi tolkade 'måla' som Kreativt skapande"
    partial: list[Hit] = field(default_factory=list)  # nothing matches every word: the best partial matches
    partial_words: list[str] = field(default_factory=list)  # the words the best partial match has
    stated_otherwise: list[Hit] = field(default_factory=list)  # its words match, a stated fact says otherwise
    other_language: bool = False  # the page is not Swedish: descriptions are, so say so when nothing matches
    places: list[PlaceAnswer] = field(default_factory=list)  # each district the words named

    @property
    def outcome(self) -> str:
        """What the page leads with, decided once for every template: "matches"; "partial" (no offering
        has every word); "maybe" (none has said it fits every choice, some may); "pages" (only guidance
        pages); or "nothing"."""
        if self.total:
            return "matches"
        if self.partial:
            return "partial"
        if self.maybe_total:
            return "maybe"
        return "pages" if self.guidance else "nothing"

    @property
    def shows_offerings(self) -> bool:
        """Offerings to keep or share: sure matches, the best partial ones, or those that may fit."""
        return self.outcome in ("matches", "partial", "maybe")

    @property
    def searched(self) -> SearchRequest:
        """The search that was made: with the likely words when a typo was corrected (``run``)."""
        if self.corrected_from is not None and self.suggestion is not None:
            return replace(self.request, q=self.suggestion, page=1)
        return self.request

    @functools.cached_property
    def chosen(self) -> list[Chosen]:
        """ "Du har valt": the words searched and every active filter value, each removable. Made once per
        result (the page asks for it and for ``chosen_filters`` several times); frozen dataclasses allow it."""
        return query.chosen(self.searched)

    @property
    def chosen_filters(self) -> int:
        """How many filter values are chosen: "Filtrera · 2 valda" on the closed filter panel."""
        return len(self.chosen) - bool(self.request.q)

    @property
    def literal_request(self) -> SearchRequest:
        """The same search without the thesaurus: the one link that undoes "Vi tolkade …"."""
        return replace(self.request, literal=True, page=1)

    def facet(self, param: str) -> FacetResult:
        return next(result for result in self.facets if result.facet.param == param)

    @property
    def nobody_stated(self) -> list[Facet]:
        """Chosen filters whose fact no offering has told us: the page says so rather than blame the choice."""
        return [
            found.facet for found in self.facets if found.nobody_stated and found.facet.param in self.request.filters
        ]

    @property
    def known_hits(self) -> list[Hit]:
        return [hit for hit in self.hits if not hit.name_only]

    @property
    def name_only_hits(self) -> list[Hit]:
        return [hit for hit in self.hits if hit.name_only]

    @property
    def maybe_known(self) -> list[Hit]:
        return [hit for hit in self.maybe if not hit.name_only]

    @property
    def maybe_name_only(self) -> list[Hit]:
        return [hit for hit in self.maybe if hit.name_only]

    @property
    def unknown(self) -> dict[str, int]:
        """Per filter: the offerings that fit every other filter but have not stated this fact."""
        return {result.facet.param: result.unknown for result in self.facets}


class PageOutOfRange(LookupError):
    def __init__(self, last_page: int) -> None:
        super().__init__(last_page)
        self.last_page = last_page


def _bits(mask: int) -> Iterator[int]:
    """The docnums set in a bitset, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _city_words(municipality: Municipality) -> frozenset[str]:
    """The municipality's name as a query may write it, in any language, with or without a genitive s."""
    names = [word.casefold() for form in municipality.name.every_form() for word in _SENTENCE_WORDS.findall(form)]
    return frozenset(form for name in names for form in (name, name + "s", name.translate(ACCENT_FOLD)))


def _query_words(text: str) -> list[str]:
    """The whole words of a query, stop words dropped; each yields terms in every field."""
    words = [t.text for t in _WORDS_ANALYZER(text)]
    return list(dict.fromkeys(words))[:MAX_QUERY_WORDS]


_SCHEMA = builder.make_schema()


@functools.lru_cache(maxsize=65_536)
def _terms_for(fieldname: str, word: str) -> tuple[str, ...]:
    """A word as a field's analyser indexes it. Every index this release opens has this release's schema
    (``builder.INDEX_FORMAT``), so a word is analysed once per process and field."""
    return tuple(token.text for token in _SCHEMA[fieldname].analyzer(word))


def _word_terms(word: str, accented_folds: frozenset[str]) -> list[tuple[str, str, float]]:
    """The (field, term, boost)s a typed word is searched as: its analysed forms in every text field.

    The folded fields are searched only for a word typed without å/ä/ö that the index has with
    them; for every other word they would find exactly what the main fields find."""
    weights = dict(FIELD_WEIGHTS)
    if word == word.translate(ACCENT_FOLD) and any(term in accented_folds for term in _terms_for("text_folded", word)):
        weights.update(FOLDED_FIELD_WEIGHTS)
    return [(field, term, weight) for field, weight in weights.items() for term in _terms_for(field, word)]


def _split_compounds(snapshot: Snapshot, words: list[str]) -> list[str]:
    """A word the index does not have, written as a compound, is searched as its parts: "datorkurs".

    A part may also be a word the thesaurus knows ("promenad" in "promenadgrupp"), unless the
    whole is one letter from an index word: "jobtorg" is Jobbtorg misspelt, not "job" + "torg"."""
    split: list[str] = []
    for word in words:
        parts = dictionary.compound_parts(word) if not snapshot.has_word(word) else ()
        if parts and all(snapshot.has_word(part) or (snapshot.thesaurus.knows(part) and not snapshot.is_typo(word))
                         for part in parts):  # fmt: skip
            split += parts
        else:
            split.append(word)  # not a compound of words we have: leave it to the spelling check
    return list(dict.fromkeys(split))


def _in_index(terms: segments.Terms, word: str) -> bool:
    fields = list(FIELD_WEIGHTS) + list(FOLDED_FIELD_WEIGHTS)
    return any((fieldname, term) in terms for fieldname in fields for term in _terms_for(fieldname, word))


@dataclass(frozen=True)
class Spelling:
    suggestion: str  # the query with the likely words
    safe: bool  # every change is one edit to an unknown word: apply it by itself when the search finds nothing


def _spelling(snapshot: Snapshot, q: str, unknown: list[str]) -> Spelling | None:
    """Only words that are neither in the index, the dictionary nor the thesaurus are corrected."""
    suggested, safe, changed = q.lower(), True, False
    for word in unknown[:MAX_CORRECTED_WORDS]:
        near, far = snapshot.suggestions(word)
        chosen = near or far
        if chosen and chosen not in analysis.STOPWORDS:
            suggested = re.sub(rf"\b{re.escape(word)}\b", chosen, suggested)
            safe, changed = safe and near is not None, True
        else:
            safe = False
    return Spelling(suggested, safe and len(unknown) <= MAX_CORRECTED_WORDS) if changed else None


SNIPPET_CONTEXT = 70


def _snippet(snapshot: Snapshot, docnum: int, words: Sequence[str]) -> str:
    """The first passage of the description where a query word occurs, words marked.

    Whoosh's own highlighter scores every fragment of the text; one passage
    around the first match is all a result list needs, at a tenth of the cost.
    A text is analysed only when the index says a word is in it: an offering found
    by its name alone would otherwise be read to the end, twice.
    """
    text = snapshot.record(docnum).get("description_text", "")
    if not text or not words:
        return ""
    for fieldname in ("description", "text_folded"):
        terms = {term for word in words for term in _terms_for(fieldname, word)}
        if not snapshot.term_scores.has_any(snapshot.searcher(), fieldname, terms, docnum):
            continue
        spans, window_end = [], None
        for term, start, end in snapshot.description_tokens(docnum, fieldname):
            if window_end is not None and start > window_end:
                break
            if term in terms:
                if window_end is None:
                    window_start = text.rfind(" ", 0, max(0, start - SNIPPET_CONTEXT)) + 1
                    window_end = end + 2 * SNIPPET_CONTEXT
                spans.append((start, end))
        if spans:
            window_end = text.find(" ", window_end)
            return _mark(text, window_start, len(text) if window_end == -1 else window_end, spans)
    return ""


def _mark(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    parts = ["… " if start > 0 else ""]
    cursor = start
    for span_start, span_end in spans:
        if span_end > end:
            break
        parts += [escape(text[cursor:span_start]), "<mark>", escape(text[span_start:span_end]), "</mark>"]
        cursor = span_end
    parts += [escape(text[cursor:end]), " …" if end < len(text) else ""]
    return "".join(parts).strip()


def _docnums_in(order: Iterable[int], mask: int, start: int, stop: int) -> list[int]:
    bits = mask.to_bytes((mask.bit_length() + 8) // 8, "little")
    chosen, seen = [], 0
    for docnum in order:
        if (docnum >> 3) < len(bits) and bits[docnum >> 3] >> (docnum & 7) & 1:
            if seen >= start:
                chosen.append(docnum)
                if len(chosen) == stop - start:
                    break
            seen += 1
    return chosen


@dataclass(frozen=True)
class Interpretation:
    """Step 1, how the query was read: the words left to match as text, and what the thesaurus understood.

    ``understood`` narrows; ``feelings`` only rank ("deprimerad, vill jobba" is work, calm ones first);
    ``meanings`` are searched as words and said on the page; ``pages`` are guidance to suggest."""

    words: tuple[str, ...] = ()
    understood: tuple[Understood, ...] = ()
    feelings: tuple[Understood, ...] = ()
    meanings: tuple[Understood, ...] = ()
    pages: tuple[str, ...] = ()

    @property
    def clauses(self) -> list[str | Understood]:
        """What must match, one by one: the partial match drops the least telling first."""
        return [*self.words, *self.understood, *self.feelings]

    @property
    def said(self) -> list[Understood]:
        """ "Vi tolkade …": everything the thesaurus understood, in the page's order."""
        return [*self.understood, *self.feelings, *self.meanings]


def interpret(snapshot: Snapshot, request: SearchRequest) -> Interpretation:
    understood, rest = ([], request.q) if request.literal else snapshot.thesaurus.interpret(request.q)
    typed = snapshot.query_words(rest)
    words = _split_compounds(snapshot, typed)
    if not request.literal and words != typed:
        # A compound's part may be an everyday word: "promenadgrupp" is a walk (Motion) in a group.
        from_parts, rest = snapshot.thesaurus.interpret(" ".join(words))
        understood, words = understood + from_parts, snapshot.query_words(rest)
    understood = snapshot.thesaurus.one_per_concept(understood)
    pages = tuple(item.concept.page for item in understood if item.concept.page)
    meanings = tuple(item for item in understood if item.concept.is_meaning)
    understood = [item for item in understood if not item.concept.is_page and not item.concept.is_meaning]
    # How someone feels narrows nothing they also ask for.
    wishes = bool(words or request.filters) or any(item.concept.narrows for item in understood)
    feelings = tuple(item for item in understood if not item.concept.narrows and wishes)
    narrowing = tuple(item for item in understood if item not in feelings)
    return Interpretation(tuple(words), narrowing, feelings, meanings, pages)


@dataclass(frozen=True)
class Constraints:
    """Step 2, every active constraint as a named bitset ("q" for the words), so that "this one left out"
    is one loop. ``possible`` adds, per constraint, the offerings that have not stated its fact: unknown is
    not no, so they may fit, never surely."""

    listed: int
    sure: dict[str, int]
    possible: dict[str, int]
    ranked: list[int] | None  # the text's ranking, when there are words

    def matching(self, excluded: str | None = None, lenient: bool = False) -> int:
        mask = self.listed
        for name, constraint in (self.possible if lenient else self.sure).items():
            if name != excluded:
                mask &= constraint
        return mask

    @property
    def text(self) -> int:
        return self.sure.get("q", 0)


def constrain(snapshot: Snapshot, request: SearchRequest, reading: Interpretation) -> Constraints:
    sure: dict[str, int] = {}
    possible: dict[str, int] = {}
    ranked = None
    if reading.words or reading.understood or reading.feelings:
        ranked, sure["q"] = snapshot.text_matches(reading.words, reading.understood, False, reading.feelings)
        # An offering that has not stated the fact a word asks for ("heltid", "IPS") may fit.
        possible["q"] = sure["q"] | snapshot.may_fit(reading.words, reading.understood)
    for facet in FACETS:
        if facet.param in request.filters:
            prepared = snapshot.facet_data[facet.param]
            sure[facet.param] = facet.mask(prepared, request.filters[facet.param])
            possible[facet.param] = sure[facet.param] | (snapshot.listed & ~prepared.known)
    return Constraints(snapshot.listed, sure, possible, ranked)


@dataclass(frozen=True)
class Paged:
    """Step 3: one page of the sure matches, every filter's options, and (on the first page) those that
    may fit, with how many have not stated each fact asked for."""

    total: int
    pages: int
    hits: list[Hit]
    facets: list[FacetResult]
    maybe_total: int
    maybe: list[Hit]
    not_stated: list[tuple[Facet, int]]


def page(snapshot: Snapshot, request: SearchRequest, reading: Interpretation, constraints: Constraints,
         page_size: int) -> Paged:  # fmt: skip
    """Raises PageOutOfRange when the page asked for is past the last one."""
    matching = constraints.matching()
    total = matching.bit_count()
    pages = max(1, -(-total // page_size))
    if request.page > pages:
        raise PageOutOfRange(pages)
    facets = [facet.result(request, snapshot.facet_data[facet.param], constraints.matching(facet.param),
                           snapshot.listed, constraints.matching(facet.param, lenient=True))
              for facet in FACETS]  # fmt: skip
    start = (request.page - 1) * page_size
    order = constraints.ranked if constraints.ranked is not None and request.sort == "relevans" else snapshot.by_name
    hits = [_hit(snapshot, docnum, reading.words, request)
            for docnum in _docnums_in(order, matching, start, start + page_size)]  # fmt: skip
    maybe = constraints.matching(lenient=True) & ~matching
    asked = set(request.filters) | {item.concept.param for item in reading.understood
                                    if item.concept.param in FACTS_THAT_MAY_BE_UNKNOWN}  # fmt: skip
    not_stated = [(facet, (maybe & ~snapshot.facet_data[facet.param].known).bit_count())
                  for facet in FACETS if facet.param in asked]  # fmt: skip
    maybe_hits = []
    if maybe and request.page == 1:
        # Those that may fit without a word of the query in their text are not in the text's ranking: after it.
        maybe_order = dict.fromkeys(itertools.chain(order, snapshot.by_name)) if order is constraints.ranked else order
        maybe_hits = [_hit(snapshot, docnum, reading.words, request, maybe=True, asked=asked)
                      for docnum in _docnums_in(maybe_order, maybe, 0, max(MAYBE_LIMIT, page_size))]  # fmt: skip
    return Paged(total, pages, hits, facets, maybe.bit_count(), maybe_hits,
                 [(facet, count) for facet, count in not_stated if count])  # fmt: skip


@dataclass(frozen=True)
class Advice:
    """Step 4, what the page says beside the results: guidance pages, each district named, a spelling, the
    offerings whose stated facts or own words say otherwise, and when nothing fits, the best partial match
    and what dropping each constraint would give."""

    guidance: list[dict[str, Any]]
    places: list[PlaceAnswer]
    spelling: Spelling | None
    stated_otherwise: list[Hit]
    partial: list[Hit] = field(default_factory=list)
    partial_words: list[str] = field(default_factory=list)
    relaxations: list[Relaxation] = field(default_factory=list)


def advise(snapshot: Snapshot, request: SearchRequest, reading: Interpretation, constraints: Constraints,
           paged: Paged, lang: str) -> Advice:  # fmt: skip
    places = [snapshot.place_answer(item.concept.values[0]) for item in reading.understood
              if item.concept.param == "stadsdel" and len(item.concept.values) == 1]  # fmt: skip
    advice = Advice(_guidance(snapshot, reading, constraints), places, _spelling_of(snapshot, request, reading, lang),
                    _said_otherwise(snapshot, request, reading, constraints) if request.page == 1 else [])  # fmt: skip
    if paged.total or paged.maybe_total:
        return advice
    partial_words, partial = _best_partial(snapshot, request, reading, constraints)
    relaxations = [Relaxation(name, request.without(name), dropped) for name in constraints.sure
                   if (dropped := constraints.matching(name, lenient=True).bit_count())]  # fmt: skip
    return replace(advice, partial=partial, partial_words=partial_words, relaxations=relaxations)


def _guidance(snapshot: Snapshot, reading: Interpretation, constraints: Constraints) -> list[dict[str, Any]]:
    """The guidance pages the thesaurus names for the words, then those whose own text matches them."""
    guidance = [found for found in map(snapshot.page, reading.pages) if found]
    if constraints.ranked:
        in_pages = _docnums_in(constraints.ranked, constraints.text & snapshot.pages_mask, 0, GUIDANCE_LIMIT)
        guidance += [snapshot.record(n) for n in in_pages if snapshot.record(n) not in guidance]
    return guidance[:GUIDANCE_LIMIT]


def _spelling_of(snapshot: Snapshot, request: SearchRequest, reading: Interpretation, lang: str) -> Spelling | None:
    """Only words that are neither in the index, the dictionary of the page's language nor the thesaurus."""
    unknown = [word for word in reading.words if not snapshot.has_word(word) and not snapshot.negated_mask(word)
               and not dictionary.is_word(word, lang) and not snapshot.thesaurus.knows(word)]  # fmt: skip
    return _spelling(snapshot, request.q, unknown) if unknown else None


def _said_otherwise(snapshot: Snapshot, request: SearchRequest, reading: Interpretation,
                    constraints: Constraints) -> list[Hit]:  # fmt: skip
    """Offerings shown apart: a stated fact says otherwise, or their own words deny what was asked (unless
    the asking itself says "not": "inget beslut")."""
    allowed = constraints.matching("q", lenient=True)
    apart = _stated_otherwise(snapshot, reading, constraints.text, allowed) if reading.understood else []
    if reading.words and not builder.says_not(request.q):
        shown = {hit.record["slug"] for hit in apart}
        denied = _said_not(snapshot, reading, constraints.text, allowed)
        apart += [hit for hit in denied if hit.record["slug"] not in shown]
    return apart


def run(snapshot: Snapshot, request: SearchRequest, lang: str, page_size: int = PAGE_SIZE) -> SearchResult:
    """Interpret, constrain, page and advise. When nothing at all fits and every unknown word is one edit
    from a known one, the likely words are searched instead: a tired person with a typo sees offerings,
    not a dead end. Raises PageOutOfRange when the page asked for is past the last one.

    An export asks for one page as large as the catalogue: every match, and every "kan också passa"."""
    result, spelling = _answer(snapshot, request, lang, page_size)
    if result.total or result.maybe_total or not spelling or not spelling.safe:
        return result
    corrected = _answer(snapshot, replace(request, q=spelling.suggestion, page=1), lang, page_size)[0]
    if not (corrected.total or corrected.maybe_total or corrected.guidance):
        return result
    return replace(corrected, request=request, corrected_from=request.q, suggestion=spelling.suggestion)


def _answer(snapshot: Snapshot, request: SearchRequest, lang: str, page_size: int
            ) -> tuple[SearchResult, Spelling | None]:  # fmt: skip
    reading = interpret(snapshot, request)
    constraints = constrain(snapshot, request, reading)
    paged = page(snapshot, request, reading, constraints, page_size)
    advice = advise(snapshot, request, reading, constraints, paged, lang)
    return SearchResult(
        request, paged.total, paged.pages, paged.hits, paged.facets,
        suggestion=advice.spelling.suggestion if advice.spelling else None,
        guidance=advice.guidance,
        relaxations=advice.relaxations,
        maybe=paged.maybe,
        maybe_total=paged.maybe_total,
        not_stated=paged.not_stated,
        understood=reading.said,
        partial=advice.partial,
        partial_words=advice.partial_words,
        stated_otherwise=advice.stated_otherwise,
        other_language=lang != i18n.DEFAULT,
        places=advice.places,
    ), advice.spelling  # fmt: skip


def _best_partial(snapshot: Snapshot, request: SearchRequest, reading: Interpretation,
                  constraints: Constraints) -> tuple[list[str], list[Hit]]:  # fmt: skip
    """No offering matches every word (the filters get the advice instead): show those that match the most
    telling words, and say which.

    Words are taken greedily, the most telling first: a place (what the person cannot change:
    "kreativt nära Hökarängen"), then what the thesaurus understood ("studera" in "vill börja
    studera igen"), then the rarer words. Each is kept if some offering still has all kept so far,
    and those found are ranked by the kept words. The page is never empty while any single word
    matches."""
    clauses = reading.clauses  # a feeling is kept when little else is
    if len(clauses) < 2 or constraints.text & snapshot.listed:
        return [], []
    listed = snapshot.listed & constraints.matching("q", lenient=True)
    masks = {id(clause): snapshot.clause_mask(clause) & listed for clause in clauses}
    everywhere = snapshot.facet_data["stadsdel"].values[CITYWIDE]

    def telling(clause: str | Understood) -> tuple[bool, bool, int]:
        mask = masks[id(clause)]
        in_place = snapshot.is_place(clause) and bool(mask & ~everywhere)
        return (not in_place, isinstance(clause, str), mask.bit_count())

    kept, matching = [], listed
    for clause in sorted((clause for clause in clauses if masks[id(clause)]), key=telling):
        narrowed = matching & masks[id(clause)]
        if snapshot.is_place(clause) and narrowed & ~everywhere:
            narrowed &= ~everywhere  # in the place itself first; city-wide ones only if nothing is there
        if narrowed:
            kept.append(clause)
            matching = narrowed
    if not kept:
        return [], []
    kept_words = tuple(clause for clause in kept if isinstance(clause, str))
    ranked, _mask = snapshot.text_matches(kept_words, tuple(clause for clause in kept if not isinstance(clause, str)))
    return ([_said(clause) for clause in clauses if clause in kept],
            [_hit(snapshot, n, kept_words, request) for n in _docnums_in(ranked, matching, 0, PAGE_SIZE)])  # fmt: skip


def _stated_otherwise(snapshot: Snapshot, reading: Interpretation, matched: int, allowed: int) -> list[Hit]:
    """Offerings whose text has what the query asks for, but whose stated facts say otherwise: Jobbtorg's
    page mentions IPS, and Jobbtorg has told us it does not work by IPS. Shown apart, with the fact.

    Only a concept whose fact rules out other values can be contradicted (``Facet.exclusive``): for the
    others, the second, lenient match is never made."""
    if not any(snapshot.stated_otherwise(item.concept) & allowed & ~matched for item in reading.understood):
        return []
    ranked, loose = snapshot.text_matches(reading.words, reading.understood, True)
    apart = loose & ~matched & allowed & snapshot.listed
    hits = []
    for docnum in _docnums_in(ranked, apart, 0, MAYBE_LIMIT):
        record = snapshot.record(docnum)
        facts = []
        for item in reading.understood:
            if snapshot.stated_otherwise(item.concept) >> docnum & 1:
                field_ = FACETS_BY_PARAM[item.concept.param].field
                shown = field_.show(record)
                facts.append(f"{field_.label}: {shown if isinstance(shown, str) else ', '.join(shown or [])}")
        hits.append(Hit(record, stated_otherwise=facts, name_only=snapshot.name_only[docnum]))
    return hits


def _said_not(snapshot: Snapshot, reading: Interpretation, matched: int, allowed: int) -> list[Hit]:
    """Offerings that would match but for a word their own text denies: "riktar sig inte till personer som
    har insatser enligt LSS". Never a match; shown apart, with that sentence as the reason."""
    apart = snapshot.listed & allowed & ~matched
    for item in reading.understood:
        apart &= snapshot.clause_mask(item)
    only_denied = 0
    for word in reading.words:
        negated, said = snapshot.negated_mask(word), snapshot.word_mask(word)
        apart &= said | negated
        only_denied |= negated & ~said
    terms = {term for word in reading.words for term in _terms_for("negated", word)}
    hits = []
    for docnum in _bits(apart & only_denied):
        record = snapshot.record(docnum)
        sentences = [sentence for sentence in record.get("negated_sentences", []) if _denies(sentence, terms)]
        if sentences:
            hits.append(Hit(record, stated_otherwise=sentences, name_only=snapshot.name_only[docnum]))
    return hits[:MAYBE_LIMIT]


def _denies(sentence: str, terms: set[str]) -> bool:
    """Whether the sentence's "not" comes before the word: "riktar sig inte till ... LSS" denies LSS; "Samma år
    skrev stadsdelen att lokalerna inte gick att anpassa" says nothing against "år"."""
    said = _SENTENCE_WORDS.findall(sentence)
    negations = [n for n, word in enumerate(said) if word.casefold() in builder.NEGATIONS]
    return any(negations[0] < n for n, word in enumerate(said) if negations
               and terms & set(_terms_for("negated", word)))  # fmt: skip


def _said(clause: str | Understood) -> str:
    return clause if isinstance(clause, str) else clause.text


def _hit(snapshot: Snapshot, docnum: int, words: Sequence[str], request: SearchRequest, maybe: bool = False,
         asked: Set[str] = frozenset()) -> Hit:  # fmt: skip
    """``asked``: the facts the filters or the words ask for; a "kan också passa" names those it has not stated."""
    record = snapshot.record(docnum)
    reasons = [reason for facet in FACETS if facet.param in request.filters
               for reason in facet.reasons(record, request.filters[facet.param])]  # fmt: skip
    unknown = [facet for facet in FACETS if maybe and facet.param in (asked or request.filters)
               and not snapshot.facet_data[facet.param].known >> docnum & 1]  # fmt: skip
    return Hit(record, _snippet(snapshot, docnum, words), reasons, unknown, snapshot.name_only[docnum])
