"""Answers a SearchRequest from the current index: hits, facet counts, hints.

Filters and facet counts are computed on in-memory bitsets (Python ints, one
bit per document) built once per index version, so counting every option of
every filter "as if that filter were not set" costs microseconds; Whoosh does
the text matching, ranking and highlighting.
"""

from __future__ import annotations

import functools
import json
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from whoosh import index
from whoosh.query import And, Or, Term

from . import analysis, fields, indexing
from .facets import FACETS, FACETS_BY_PARAM, Chosen, Facet, FacetResult, mask_of
from .query import SearchRequest
from .vocabulary import ACCENT_FOLD

PAGE_SIZE = 20
GUIDANCE_LIMIT = 2
MAYBE_LIMIT = 50  # "Kan också passa" on the first page; the JSON twin says how many there are in all
TEXT_CACHE_SIZE = 256
MAX_QUERY_WORDS = 12
FIELD_WEIGHTS = {"name": 4.0, "summary": 2.0, "activities": 1.5, "description": 1.0, "place": 1.5, "area": 0.5}
FOLDED_FIELD_WEIGHTS = {"name_folded": 1.0, "text_folded": 0.4}
_WORDS_ANALYZER = analysis.spelling_analyzer()
_SWEDISH_ORDER = str.maketrans(
    {"å": "z\u0001", "ä": "z\u0002", "ö": "z\u0003", "æ": "z\u0002", "ø": "z\u0003", "é": "e", "ü": "y"}
)


def name_sort_key(name: str) -> str:
    return name.casefold().translate(_SWEDISH_ORDER)


class Snapshot:
    """One published index version with its facet bitsets; immutable once built."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.index = index.open_dir(str(folder))
        kinds: dict[str, dict[str, int]] = {"provider": {}, "page": {}}
        self.places: dict = {}
        with self.index.searcher() as searcher:
            size = searcher.doc_count_all()
            self.records: list[dict | None] = [None] * size
            for docnum, stored in searcher.reader().iter_docs():
                record = json.loads(stored["record"])
                if stored["kind"] == "places":
                    self.places = record
                    continue
                self.records[docnum] = record
                kinds[stored["kind"]][record["slug"]] = docnum
        self.provider_docnums, self.page_docnums = kinds["provider"], kinds["page"]
        self.pages_mask = mask_of(self.page_docnums.values(), size)
        live = [(n, self.record(n)) for n in self.provider_docnums.values()]
        live = [(n, record) for n, record in live if record.get("status") != "closed"]
        self.size = size
        self.listed = mask_of((n for n, _record in live), size)
        self.facet_data = {facet.param: facet.prepare(live, size) for facet in FACETS}
        self.known_facts = [0] * size
        self.name_only = [False] * size
        for n, record in live:
            self.known_facts[n], self.name_only[n] = fields.known_facts(record), fields.known_only_by_name(record)
        # Offerings known only by name come after the others, in their own compact group.
        self.by_name = sorted(
            (n for n, _record in live), key=lambda n: (self.name_only[n], name_sort_key(self.record(n)["name"]))
        )
        self._local = threading.local()
        self.accented_folds = self._accented_folds()
        # People refine a search by clicking filters: the text part repeats, so keep its answer.
        self.text_matches = functools.lru_cache(maxsize=TEXT_CACHE_SIZE)(self._text_matches)

    def searcher(self):
        """One long-lived searcher per thread: opening one costs milliseconds."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.index.searcher()
        return searcher

    def _accented_folds(self) -> frozenset[str]:
        """Folded terms of indexed words written with å/ä/ö (or é, ü): "fontanhus" for "fontänhuset"."""
        reader, folded = self.searcher().reader(), self.index.schema["text_folded"].analyzer
        return frozenset(
            token.text
            for word in reader.field_terms("spelling")
            if word != word.translate(ACCENT_FOLD)
            for token in folded(word)
        )

    def _text_matches(self, words: tuple[str, ...]) -> tuple[list[int], int]:
        """Docnums best first, and the same set as a bitset.

        At equal relevance the offering with more known facts comes first; those known only by name come last.
        """
        query = _text_query(self.index.schema, words, self.accented_folds)
        scored = self.searcher().search(query, limit=None).top_n
        scored.sort(key=lambda pair: (self.name_only[pair[1]], -round(pair[0], 6), -self.known_facts[pair[1]]))
        ranked = [docnum for _score, docnum in scored]
        return ranked, mask_of(ranked, self.size)

    def record(self, docnum: int) -> dict:
        """The provider or guidance page stored as document ``docnum``."""
        record = self.records[docnum]
        assert record is not None, f"document {docnum} is the places document"
        return record

    def provider(self, slug: str) -> dict | None:
        docnum = self.provider_docnums.get(slug)
        return self.record(docnum) if docnum is not None else None

    def page(self, slug: str) -> dict | None:
        docnum = self.page_docnums.get(slug)
        return self.record(docnum) if docnum is not None else None

    def pages(self, easy_read: bool = False) -> list[dict]:
        """Guidance pages in their set order; easy-read (lättläst) versions are listed on their own."""
        pages = (self.record(n) for n in self.page_docnums.values())
        return sorted(
            (page for page in pages if page.get("easy_read", False) == easy_read),
            key=lambda page: (page.get("order", 1000), name_sort_key(page["title"])),
        )


class CatalogueIndex:
    """The site's view of the index: notices a newly published build without a restart."""

    def __init__(self, index_root: Path):
        self.index_root = Path(index_root)
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        folder = indexing.current_folder(self.index_root)
        if folder is None:
            raise FileNotFoundError(f"no index under {self.index_root}")
        current = self._snapshot
        if current is None or current.folder != folder:
            with self._lock:
                if self._snapshot is None or self._snapshot.folder != folder:
                    self._snapshot = Snapshot(folder)
                current = self._snapshot
        return current


@dataclass
class Hit:
    record: dict
    snippet: str = ""
    reasons: list[str] = field(default_factory=list)  # "Passar dina val": the chosen values it has
    unknown: list[Facet] = field(default_factory=list)  # in "Kan också passa": the chosen facts it has not stated
    name_only: bool = False  # nothing known but its name: shown in a compact group of its own

    @property
    def unknown_labels(self) -> list[str]:
        return [str(facet.field.label) for facet in self.unknown]


@dataclass
class Relaxation:
    """What dropping one active filter would give, for the zero-results advice."""

    param: str
    text: str
    request: SearchRequest
    total: int


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    pages: int
    hits: list[Hit]
    facets: list[FacetResult]
    chosen: list[Chosen]  # "Du har valt": the search words and every active filter value, each removable
    suggestion: str | None = None
    corrected_from: str | None = None
    guidance: list[dict] = field(default_factory=list)
    relaxations: list[Relaxation] = field(default_factory=list)
    maybe: list[Hit] = field(default_factory=list)  # "Kan också passa": fit every filter they have answered
    maybe_total: int = 0

    def facet(self, param: str) -> FacetResult:
        return next(result for result in self.facets if result.facet.param == param)

    @property
    def known_hits(self) -> list[Hit]:
        return [hit for hit in self.hits if not hit.name_only]

    @property
    def name_only_hits(self) -> list[Hit]:
        return [hit for hit in self.hits if hit.name_only]

    @property
    def unknown(self) -> dict[str, int]:
        """Per filter: the offerings that fit every other filter but have not stated this fact."""
        return {result.facet.param: result.unknown for result in self.facets}

    @property
    def not_stated(self) -> list[tuple[Facet, int]]:
        """For "Kan också passa": each chosen filter with how many fitting offerings have not stated it."""
        return [(result.facet, result.unknown) for result in self.facets
                if result.facet.param in self.request.filters and result.unknown]  # fmt: skip


class PageOutOfRange(LookupError):
    def __init__(self, last_page: int):
        super().__init__(last_page)
        self.last_page = last_page


def _query_words(text: str) -> list[str]:
    """The whole words of a query, stop words dropped; each yields terms in every field."""
    words = [t.text for t in _WORDS_ANALYZER(text)]
    return list(dict.fromkeys(words))[:MAX_QUERY_WORDS]


def _terms_for(schema, fieldname: str, word: str) -> list[str]:
    return [token.text for token in schema[fieldname].analyzer(word)]


def _text_query(schema, words: tuple[str, ...], accented_folds: frozenset[str]):
    """Built from terms, never parsed: user input cannot form query syntax.

    The folded fields are searched only for a word typed without å/ä/ö that
    the index has with them; for every other word they would find exactly
    what the main fields find, at twice the cost.
    """
    clauses = []
    for word in words:
        weights = dict(FIELD_WEIGHTS)
        if word == word.translate(ACCENT_FOLD) and any(
            term in accented_folds for term in _terms_for(schema, "text_folded", word)
        ):
            weights.update(FOLDED_FIELD_WEIGHTS)
        clauses.append(
            Or(
                [
                    Term(fieldname, term, boost=weight)
                    for fieldname, weight in weights.items()
                    for term in _terms_for(schema, fieldname, word)
                ]
            )
        )
    return And(clauses)


def _unknown_words(searcher, words: list[str]) -> list[str]:
    reader, schema = searcher.reader(), searcher.schema
    fields = list(FIELD_WEIGHTS) + list(FOLDED_FIELD_WEIGHTS)
    return [
        word
        for word in words
        if not any((fieldname, term) in reader for fieldname in fields for term in _terms_for(schema, fieldname, word))
    ]


def _suggestion(searcher, q: str, unknown: list[str]) -> str | None:
    corrector = searcher.corrector("spelling")
    suggested = q.lower()
    changed = False
    for word in unknown:
        candidates = corrector.suggest(word, limit=1, maxdist=2)
        if candidates:
            suggested = suggested.replace(word, candidates[0])
            changed = True
    return suggested if changed else None


SNIPPET_CONTEXT = 70


def _snippet(schema, record: dict, words: list[str]) -> str:
    """The first passage of the description where a query word occurs, words marked.

    Whoosh's own highlighter scores every fragment of the text; one passage
    around the first match is all a result list needs, at a tenth of the cost.
    """
    text = record.get("description_text", "")
    if not text or not words:
        return ""
    for fieldname in ("description", "text_folded"):
        analyzer = schema[fieldname].analyzer
        terms = {term for word in words for term in _terms_for(schema, fieldname, word)}
        spans, window_end = [], None
        for token in analyzer(text, chars=True, mode="query"):
            if window_end is not None and token.startchar > window_end:
                break
            if token.text in terms:
                if window_end is None:
                    window_start = text.rfind(" ", 0, max(0, token.startchar - SNIPPET_CONTEXT)) + 1
                    window_end = token.endchar + 2 * SNIPPET_CONTEXT
                spans.append((token.startchar, token.endchar))
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


def _docnums_in(order, mask: int, start: int, stop: int) -> list[int]:
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


def run(snapshot: Snapshot, request: SearchRequest, corrected: bool = False) -> SearchResult:
    """Raises PageOutOfRange when the page asked for is past the last one."""
    searcher = snapshot.searcher()
    words = _query_words(request.q)

    # Every active constraint as a named bitset, so "this filter left out" is one loop. A filter's
    # "possible" set adds the offerings that have not stated its fact: they may fit, never surely.
    constraints: dict[str, int] = {}
    possible: dict[str, int] = {}
    ranked: list[int] | None = None
    if words:
        ranked, constraints["q"] = snapshot.text_matches(tuple(words))
        possible["q"] = constraints["q"]
    for facet in FACETS:
        if facet.param in request.filters:
            prepared = snapshot.facet_data[facet.param]
            constraints[facet.param] = facet.mask(prepared, request.filters[facet.param])
            possible[facet.param] = constraints[facet.param] | (snapshot.listed & ~prepared.known)

    def matching_without(excluded: str | None, masks: dict[str, int] = constraints) -> int:
        mask = snapshot.listed
        for name, constraint in masks.items():
            if name != excluded:
                mask &= constraint
        return mask

    matching = matching_without(None)
    total = matching.bit_count()
    facets = [facet.result(request, snapshot.facet_data[facet.param], matching_without(facet.param), snapshot.listed,
                           matching_without(facet.param, possible))
              for facet in FACETS]  # fmt: skip

    pages = max(1, -(-total // PAGE_SIZE))
    if request.page > pages:
        raise PageOutOfRange(pages)
    start = (request.page - 1) * PAGE_SIZE
    order = ranked if ranked is not None and request.sort == "relevans" else snapshot.by_name
    hits = [_hit(snapshot, searcher.schema, docnum, words, request)
            for docnum in _docnums_in(order, matching, start, start + PAGE_SIZE)]  # fmt: skip

    chosen = [Chosen(_l("Ta bort sökordet: %(q)s", q=request.q), request.without("q"))] if request.q else []
    chosen += [choice for facet in FACETS for choice in facet.chosen(request)]
    result = SearchResult(request, total, pages, hits, facets, chosen)
    maybe = matching_without(None, possible) & ~matching
    result.maybe_total = maybe.bit_count()
    if result.maybe_total and request.page == 1:
        result.maybe = [_hit(snapshot, searcher.schema, docnum, words, request, maybe=True)
                        for docnum in _docnums_in(order, maybe, 0, MAYBE_LIMIT)]  # fmt: skip
    if ranked:
        in_pages = _docnums_in(ranked, constraints["q"] & snapshot.pages_mask, 0, GUIDANCE_LIMIT)
        result.guidance = [snapshot.record(n) for n in in_pages]
    unknown = _unknown_words(searcher, words)
    if unknown:
        result.suggestion = _suggestion(searcher, request.q, unknown)
    if total == 0 and not result.maybe_total and result.suggestion and not corrected:
        # A tired person with a typo should see offerings, not a dead end: show the likely words.
        corrected_result = run(snapshot, replace(request, q=result.suggestion, page=1), corrected=True)
        if corrected_result.total or corrected_result.maybe_total or corrected_result.guidance:
            corrected_result.request, corrected_result.corrected_from = request, request.q
            corrected_result.suggestion = result.suggestion
            return corrected_result
    if total == 0 and not result.maybe_total:
        for name in constraints:
            # What the person would see without this filter: confirmed matches and "kan också passa".
            dropped = matching_without(name, possible).bit_count()
            if dropped:
                text = _("Ta bort sökordet") if name == "q" else FACETS_BY_PARAM[name].relax_text()
                result.relaxations.append(Relaxation(name, text, request.without(name), dropped))
    return result


def _hit(snapshot: Snapshot, schema, docnum: int, words: list[str], request: SearchRequest, maybe=False) -> Hit:
    record = snapshot.record(docnum)
    reasons = [reason for facet in FACETS if facet.param in request.filters
               for reason in facet.reasons(record, request.filters[facet.param])]  # fmt: skip
    unknown = [facet for facet in FACETS if maybe and facet.param in request.filters
               and not snapshot.facet_data[facet.param].known >> docnum & 1]  # fmt: skip
    return Hit(record, _snippet(schema, record, words), reasons, unknown, snapshot.name_only[docnum])
