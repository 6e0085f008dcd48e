"""The index in shards, so that publishing one change rebuilds one shard, not the catalogue.

Each offering belongs to a shard by a hash of its slug; guidance pages, places and the thesaurus share
the last one. Each shard is one Whoosh segment, and a build lists the segments in shard order. The
manifest beside them keeps each shard's digest (its records, the places, the code that analyses
them): a new build takes the published build's segment for every shard whose digest is unchanged
(as a hard link: segments are never written again) and writes only the others. A full build writes
every shard; since a shard's documents and their order depend only on its records, both give the
same index, down to each document's number.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from catalogue.index.content import Content
from catalogue.index.parallel import fork_map
from catalogue.index.parse_cache import code_release

if TYPE_CHECKING:
    from whoosh.codec.base import Segment
    from whoosh.index import FileIndex
    from whoosh.reading import IndexReader

SHARD_SIZE = 150  # offerings that one accepted change re-analyses with it: about a second's work
MAX_SHARDS = 64  # every search reads every segment: past this, shards grow instead of multiplying
MANIFEST = "shards.json"
Entry = tuple[str, Any]  # ("provider" | "page" | "site" | "places" | "thesaurus", its record)
MakeDocument = Callable[[Content, Entry], dict[str, str]]


def shard_count(providers: int) -> int:
    """Shards for the offerings (a power of two, so the count changes seldom: a change means a full build)."""
    count = 1
    while count * SHARD_SIZE < providers and count < MAX_SHARDS:
        count *= 2
    return count


class Plan:
    """Which entries each shard holds, in order, and each shard's digest."""

    def __init__(self, content: Content, make_document: MakeDocument) -> None:
        self.content, self._make_document = content, make_document
        offering_shards = shard_count(len(content.providers))
        self.entries: list[list[Entry]] = [[] for _ in range(offering_shards + 1)]
        for record in content.providers:
            self.entries[zlib.crc32(record["slug"].encode()) % offering_shards].append(("provider", record))
        rest = self.entries[-1]
        rest += [("page", record) for record in content.pages]
        shared = (("site", content.site), ("places", content.places), ("thesaurus", content.thesaurus))
        rest += [(kind, facts) for kind, facts in shared if facts]
        # Every document of an offering reads the site file (its district's names), the places (its area's
        # neighbourhoods), and the code analyses it.
        common = json.dumps(
            [code_release(), content.site, content.places], sort_keys=True, ensure_ascii=False, default=str
        )
        self.digests = [
            _digest(common, [_entry_digest(content, entry) for entry in entries]) for entries in self.entries
        ]

    @property
    def count(self) -> int:
        return len(self.entries)

    def documents(self, shard: int) -> list[dict[str, str]]:
        return [self._make_document(self.content, entry) for entry in self.entries[shard]]


def _entry_digest(content: Content, entry: Entry) -> str:
    """An offering's or a page's digest is its file's (``Content.digests``); the site file's, the places' and
    the thesaurus', their facts'."""
    kind, record = entry
    if kind in ("provider", "page"):
        return content.digests[f"{kind}s/{record['slug']}"]
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)


def _digest(common: str, entry_digests: list[str]) -> str:
    return hashlib.sha256("\0".join([common, *entry_digests]).encode()).hexdigest()


def reuse(plan: Plan, previous: Path, folder: Path) -> dict[int, Segment | None]:
    """The previous build's segments for the shards whose digest is unchanged, linked into ``folder``."""
    try:
        manifest = json.loads((previous / MANIFEST).read_text(encoding="utf-8"))
        old_segments = {segment.segid: segment for segment in index.open_dir(str(previous))._segments()}
    except (OSError, ValueError):  # a build from before shards, or unreadable: write every shard
        return {}
    if len(manifest.get("digests", [])) != plan.count:
        return {}
    reused: dict[int, Segment | None] = {}
    for shard, (digest, segid) in enumerate(zip(manifest["digests"], manifest["segments"], strict=True)):
        usable = segid is None or (segid in old_segments and (previous / _terms_file(segid)).exists())
        if digest == plan.digests[shard] and usable:
            reused[shard] = old_segments[segid] if segid else None
            for path in previous.glob(f"*{segid}*") if segid else ():
                _link(path, folder / path.name)
    return reused


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links: a copy costs disk, not correctness
        shutil.copy2(source, target)


_WRITING: tuple[Plan, FileIndex] | None = None  # what the forked writers read (see parallel.fork_map)


def write(plan: Plan, ix: FileIndex, shards: list[int]) -> dict[int, Segment | None]:
    """Each listed shard written as a new segment of ``ix`` (None for an empty shard); in parallel when large."""
    global _WRITING
    _WRITING = (plan, ix)
    try:
        documents = sum(len(plan.entries[shard]) for shard in shards)
        return dict(zip(shards, fork_map(_write_segment, shards, documents), strict=True))
    finally:
        _WRITING = None


def _write_segment(shard: int) -> Segment | None:
    assert _WRITING is not None
    plan, ix = _WRITING
    documents = plan.documents(shard)
    if not documents:
        return None
    writer = SegmentWriter(ix, _lk=False, limitmb=64)  # the build's own folder: no other writer is there
    for document in documents:
        writer.add_document(**document)
    segment = writer._finalize_segment()  # the temporary folder is shared: the build's commit removes it
    reader = SegmentReader(ix.storage, ix.schema, segment)
    try:
        terms = terms_of(reader)
    finally:
        reader.close()
    (Path(ix.storage.folder) / _terms_file(segment.segid)).write_bytes(pickle.dumps(terms, pickle.HIGHEST_PROTOCOL))
    return segment


SPELLING = "spelling"  # the field whose words the speller knows, with how many documents have each
TERM_MAP = "terms.pickle"
SegmentTerms = dict[str, Any]  # field -> its terms (bytes); for SPELLING, word -> document frequency


def _terms_file(segid: str) -> str:
    return f"terms-{segid}.pickle"  # named by the segment: shared with it by ``reuse``


def terms_of(leaf: IndexReader) -> SegmentTerms:
    """One segment's terms by field (read from Whoosh's terms file: about 2 µs a term)."""
    terms: SegmentTerms = {}
    for field in leaf.indexed_field_names():
        if field == SPELLING:
            terms[field] = {term.decode(): info.doc_frequency() for term, info in leaf.iter_field(field)}
        elif field != "key":
            terms[field] = list(leaf.lexicon(field))
    return terms


TermMap = dict[str, Any]  # "where": field -> term -> segment bits; "spelling": word -> documents; "segments"


def term_map(each_segment: list[SegmentTerms]) -> TermMap:
    """Which segments (bit n: the n-th) have each term of each field, and the speller's words with their
    document frequencies: so that a search asks a dictionary, not each segment's terms file in turn."""
    made: TermMap = {"where": {}, "spelling": {}}
    for position, terms in enumerate(each_segment):
        _change_terms(made, terms, 1 << position, add=True)
    return made


def _change_terms(made: TermMap, terms: SegmentTerms, bit: int, add: bool) -> None:
    """Mark a segment's terms in the map with its bit and count its words in, or (``add`` false) take them out
    again; a term or word nothing has any more leaves the map."""
    for field, listed in terms.items():
        into = made["where"].setdefault(field, {})
        for term in listed if field != SPELLING else (word.encode() for word in listed):
            _keep(into, term, into.get(term, 0) | bit if add else into.get(term, 0) & ~bit)
    for word, documents in terms.get(SPELLING, {}).items():
        _keep(made["spelling"], word, made["spelling"].get(word, 0) + (documents if add else -documents))


def _keep(table: dict[Any, int], key: Any, value: int) -> None:
    if value:
        table[key] = value
    else:
        table.pop(key, None)


def write_term_map(folder: Path, segments: list[Segment], previous: Path | None) -> None:
    """The build's term map: the previous build's with the changed segments' terms taken out and put in
    (a publish reads two segments' terms, not 65), or made from every segment's when they do not line up."""
    segment_ids = [segment.segid for segment in segments]
    made = _updated_term_map(folder, segment_ids, previous) if previous is not None else None
    if made is None:
        made = term_map([_segment_terms(folder, segid) for segid in segment_ids])
    made["spelling"] = dict(sorted(made["spelling"].items()))
    made["segments"] = segment_ids
    (folder / TERM_MAP).write_bytes(pickle.dumps(made, pickle.HIGHEST_PROTOCOL))


def _segment_terms(folder: Path, segid: str) -> SegmentTerms:
    terms: SegmentTerms = pickle.loads((folder / _terms_file(segid)).read_bytes())
    return terms


def _updated_term_map(folder: Path, segment_ids: list[str], previous: Path) -> TermMap | None:
    try:
        made: TermMap = pickle.loads((previous / TERM_MAP).read_bytes())
        if len(made["segments"]) != len(segment_ids):
            return None  # a shard became empty, or filled: positions moved
        for position, (old, new) in enumerate(zip(made["segments"], segment_ids, strict=True)):
            if old != new:
                _change_terms(made, _segment_terms(previous, old), 1 << position, add=False)
                _change_terms(made, _segment_terms(folder, new), 1 << position, add=True)
    except (OSError, ValueError, KeyError, pickle.UnpicklingError):
        return None
    return made


def write_manifest(plan: Plan, segments: dict[int, Segment | None], folder: Path) -> None:
    segment_ids = [segment.segid if segment else None for _shard, segment in sorted(segments.items())]
    manifest = {"digests": plan.digests, "segments": segment_ids}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
