"""Text scores kept in arrays per index version: a search adds array slices instead of building
Whoosh matchers.

For every query Whoosh builds a tree of matchers and reads each posting list through it; on a search
page over 1 000 providers that was 8 of 19 ms. Here a term's postings are read once per index
version, the first time a search needs them, each with the score Whoosh itself would give: BM25F with
Whoosh's defaults (B 0.75, K1 1.2), its idf (log(N / (df + 1)) + 1), its average field lengths and
its stored (byte-rounded) field lengths. A term's boost multiplies its score; a word's score is the
sum over its terms and a query's the sum over its words, as Whoosh's Or and And add them, so ranking
is unchanged (tests/test_text_search.py compares the scores with Whoosh's own).
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

import numpy as np

from catalogue.search import segments

if TYPE_CHECKING:
    from whoosh.reading import IndexReader
    from whoosh.searching import Searcher


B, K1 = 0.75, 1.2  # whoosh.scoring.BM25F's defaults, which the site's searcher uses
_NOTHING = (np.zeros(0, dtype=np.int64), np.zeros(0))


class TermScores:
    """For each (field, term) of the searched fields: the documents that have it, with their scores."""

    def __init__(self, searcher: Searcher, fields: list[str], terms: segments.Terms) -> None:
        self.size: int = searcher.doc_count_all()
        self.terms = terms
        self._length_norm: dict[str, np.ndarray] = {}
        for field in fields:
            average = searcher.avg_field_length(field) or 1
            each = segments.each(searcher.reader(), f"lengths of {field}", functools.partial(_lengths, field=field))
            lengths = np.concatenate([lengths for _base, lengths in each]) if each else np.zeros(0)
            self._length_norm[field] = K1 * ((1 - B) + B * lengths / average)
        # Filled as searches need terms; at most every term of the index (tens of MB at 10 000 providers).
        self._postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def word(self, searcher: Searcher, terms: list[tuple[str, str, float]]) -> tuple[np.ndarray, np.ndarray]:
        """A word's score in every document, and which documents have it, from its (field, term, boost)s."""
        scores, found = np.zeros(self.size), np.zeros(self.size, dtype=bool)
        for field, text, boost in terms:
            documents, term_scores = self._term(searcher, field, text)
            scores[documents] += boost * term_scores  # a term lists a document once
            found[documents] = True
        return scores, found

    def has_any(self, searcher: Searcher, field: str, terms: set[str], docnum: int) -> bool:
        """Whether the document has any of the terms in the field (postings are in document order)."""
        for text in terms:
            documents = self._term(searcher, field, text)[0]
            at = np.searchsorted(documents, docnum)
            if at < len(documents) and documents[at] == docnum:
                return True
        return False

    def _term(self, searcher: Searcher, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        key = (field, text)
        if key not in self._postings:  # two threads may both read it: the same arrays, no harm
            positions = self.terms.positions(field, text)
            if not positions:
                return _NOTHING
            leaves = searcher.reader().leaf_readers()
            documents, frequency = _postings([leaves[position] for position in positions], field, text)
            norm = self._length_norm[field][documents]
            idf = math.log(self.size / (len(documents) + 1)) + 1  # Whoosh's: its document frequency is len(documents)
            self._postings[key] = (documents, idf * frequency * (K1 + 1) / (frequency + norm))
        return self._postings[key]


def _lengths(leaf: IndexReader, field: str) -> np.ndarray:
    """Each document's stored (byte-rounded) length of the field, in one segment."""
    return np.array([leaf.doc_field_length(n, field, 1) for n in range(leaf.doc_count_all())], dtype=float)


def _postings(leaves: list[tuple[IndexReader, int]], field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """A term's documents and frequencies in the segments that have it, a block at a time (Whoosh's matchers
    hand out one posting per call). Reads the block arrays of Whoosh-Reloaded 2.7.5's W3 codec, pinned in
    pyproject.toml."""
    documents: list[np.ndarray] = []
    frequencies: list[np.ndarray] = []
    for leaf, base in leaves:
        matcher = leaf.postings(field, text)
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            documents.append(np.asarray(matcher._ids, dtype=np.int64) + base)
            frequencies.append(np.asarray(matcher._weights, dtype=float))
            matcher._next_block()
    return np.concatenate(documents), np.concatenate(frequencies)
