"""What a snapshot reads from each index segment, kept while the segment is in use.

A segment is never changed once written, and a build that publishes one change shares all its
segments but one with the build before it (see ``index.shards``). So a new snapshot reads the
records and the words of the new segment only, and takes the others' from the snapshot before it.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from catalogue.index import shards

if TYPE_CHECKING:
    from whoosh.reading import IndexReader

_Value = TypeVar("_Value")
_kept: dict[tuple[str, str], Any] = {}  # (segment id, what was read) -> what was read


def _segment_id(leaf: IndexReader) -> str:
    """A segment's id; an index with no documents has no segment (Whoosh's EmptyReader)."""
    segment = leaf.segment()
    return str(segment.segid) if segment is not None else ""


def each(reader: IndexReader, what: str, read: Callable[[IndexReader], _Value]) -> list[tuple[int, _Value]]:
    """``read`` of each segment with the segment's first document number; read again only if not kept."""
    results = []
    for leaf, base in reader.leaf_readers():
        key = (_segment_id(leaf), what)
        if key not in _kept:
            _kept[key] = read(leaf)
        results.append((base, _kept[key]))
    return results


def keep_only(reader: IndexReader) -> None:
    """Forget the segments the newest snapshot does not use (the one before it keeps its own values)."""
    segments = {_segment_id(leaf) for leaf, _base in reader.leaf_readers()}
    for key in [key for key in _kept if key[0] not in segments]:
        _kept.pop(key, None)


class Terms:
    """Which segments have each term, and the speller's words: read from the build's term map.

    A search looks up dozens of terms; asking each of 65 segments' terms files in turn was most of an
    uncached search at 10 000 offerings. A build from before the map reads each segment's terms instead."""

    def __init__(self, folder: Path, reader: IndexReader) -> None:
        segment_ids = [_segment_id(leaf) for leaf, _base in reader.leaf_readers()]
        try:
            made = pickle.loads((folder / shards.TERM_MAP).read_bytes())
            if made["segments"] != segment_ids:
                raise ValueError("the term map is another build's")
        except (OSError, ValueError, KeyError, pickle.UnpicklingError):
            made = shards.term_map([shards.terms_of(leaf) for leaf, _base in reader.leaf_readers()])
        self._where: dict[str, dict[bytes, int]] = made["where"]
        self.spelling: dict[str, int] = made["spelling"]

    def __contains__(self, key: tuple[str, str]) -> bool:
        field, text = key
        return text.encode() in self._where.get(field, {})

    def positions(self, field: str, text: str) -> list[int]:
        """The segments (by position in the reader) that have the term."""
        mask = self._where.get(field, {}).get(text.encode(), 0)
        return [position for position in range(mask.bit_length()) if mask >> position & 1]
