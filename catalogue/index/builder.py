"""Builds the Whoosh index from validated content: providers, guidance pages and places.

Each build goes into a fresh folder and is then published by atomically
replacing the ``current`` link, so a reader always sees a complete index and a
failed build leaves the last good one serving.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import fields, index

from catalogue.facts import vocabulary as v
from catalogue.index import parse_cache, segment_files, shards
from catalogue.index.content import Content, load_content, plain_text
from catalogue.language import analysis, dictionary

if TYPE_CHECKING:
    from whoosh.analysis import Analyzer

segment_files.install()  # every reader of a build reads its segments from their memory map, never a copy

CURRENT = "current"
_BUILD_PREFIX = "build-"
VERSION_FILE = "content-version"
# Raised whenever the schema, the analysis or the stored record's shape changes (3: "reviewed", "confirmed"
# and "parts"): a build an older release wrote is then rebuilt at start-up instead of being searched with
# words analysed another way, or read as records the code no longer knows.
# 4: sentences that say "not" are indexed apart (``negated``); 5: analysers in catalogue.language; 6: the site file
INDEX_FORMAT = "6"
FORMAT_FILE = "index-format"


def make_schema() -> fields.Schema:
    """No positions are stored (phrase=False): queries are bags of words, and that halves build time."""

    def text(analyzer: Analyzer) -> fields.TEXT:
        return fields.TEXT(analyzer=analyzer, phrase=False)

    swedish, folded = analysis.swedish_analyzer(), analysis.folded_analyzer()
    return fields.Schema(
        key=fields.ID(unique=True),
        kind=fields.ID(stored=True),
        name=text(swedish),
        summary=text(swedish),
        activities=text(swedish),
        description=text(swedish),
        place=text(swedish),
        area=text(swedish),
        parts=text(swedish),
        negated=text(swedish),
        name_folded=text(folded),
        text_folded=text(folded),
        spelling=text(analysis.spelling_analyzer()),
        record=fields.STORED(),
    )


def _place_text(record: dict[str, Any]) -> str:
    """Neighbourhood, district and its former names, street: so "Tensta" or "Östermalm" finds a place."""
    district = record.get("district")
    words = [record.get("neighbourhood", ""), record.get("address", {}).get("street", "")]
    if district:
        words += [v.DISTRICTS.label(district)] + v.DISTRICTS.other_names(district)
    return " ".join(filter(None, words))


def _area_text(record: dict[str, Any], places: dict[str, Any] | None) -> str:
    """Every neighbourhood of the provider's district: a search for "Hökarängen" also finds the rest of Farsta."""
    district = (places or {}).get("districts", {}).get(record.get("district"), {})
    return " ".join(district.get("neighbourhoods", []))


_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
NEGATIONS = frozenset(("inte", "ej", "icke", "inga", "ingen", "inget", "aldrig"))
_NEGATION = re.compile(rf"\b({'|'.join(NEGATIONS)})\b", re.IGNORECASE)
# "inte bara", "inte minst", "inte heller" deny nothing; "om du inte", "har du ingen" are a condition.
_NOT_A_DENIAL_AFTER = re.compile(r"\s+(bara|endast|minst|heller)\b", re.IGNORECASE)
_CONDITION_BEFORE = re.compile(r"\b(om|har|är|kan|vill)\s+(du|man|ni)\s+$", re.IGNORECASE)
DENIAL_WORDS = 12  # what a "not" denies ends with its clause, and within this many words


def says_not(text: str) -> bool:
    return _NEGATION.search(text) is not None


def _denial(clause: str) -> re.Match[str] | None:
    for negation in _NEGATION.finditer(clause):
        after, before = clause[negation.end() :], clause[: negation.start()]
        if not _NOT_A_DENIAL_AFTER.match(after) and not _CONDITION_BEFORE.search(before):
            return negation
    return None


def negated_apart(*texts: str) -> tuple[str, str, list[str]]:
    """The texts without what their "not"s deny, what they deny, and the sentences that say it.

    What a "not" denies runs from it to the next comma, the end of the sentence or of its text, and at most
    DENIAL_WORDS words: "riktar sig inte till personer som har insatser enligt LSS" must not make the offering
    a match for "LSS", while "ett vanligt jobb med lön, och stödet slutar inte när du har fått jobbet" still
    matches "jobb". The denied words are searched apart, and the page shows their sentence as the reason."""
    kept: list[str] = []
    denied: list[str] = []
    sentences: list[str] = []
    for text in texts:
        for sentence in _SENTENCE_END.split(text):
            denies = False
            for clause in sentence.split(","):
                negation = _denial(clause)
                if negation is None:
                    kept.append(clause)
                    continue
                denies = True
                scope = clause[negation.start() :].split()
                kept += [clause[: negation.start()], " ".join(scope[DENIAL_WORDS + 1 :])]
                denied.append(" ".join(scope[: DENIAL_WORDS + 1]))
            if denies:
                sentences.append(sentence)
    return " ".join(kept), " ".join(denied), sentences


def _with_joined_words(name: str) -> str:
    """A name also written as one word, as people type it on a phone: "stegförsteg" finds Steg för Steg."""
    words = _WORD.findall(name)
    joined = ["".join(words[start:end]) for start in range(len(words)) for end in range(start + 2, len(words) + 1)]
    return " ".join([name, *joined])


def compound_parts_text(text: str) -> str:
    """The parts of the compounds in a text: "Hantverkscaféet" can be found by "hantverk" and "kafé"."""
    words = {word.lower() for word in _WORD.findall(text)}
    return " ".join(part for word in sorted(words) for part in dictionary.compound_parts(word))


def _document(
    kind: str, record: dict[str, Any], name: str, summary: str, activities: str = "", place: str = "", area: str = ""
) -> dict[str, str]:
    # Who it is for is searched with the description: "missbruk" or "unga vuxna" name the target group; so are
    # what you do in each part of an offering and how you start there ("boka ett första besök").
    part_texts = [text for part in record.get("parts") or [] for text in (part.get("summary"), part.get("start"))]
    texts = [text for text in [plain_text(record.get("description_html", "")), record.get("target_group"), *part_texts]
             if text]  # fmt: skip
    shown = " ".join(texts)
    description, denied, negated = negated_apart(*texts)  # each text on its own: a "not" ends with its text
    everything = " ".join([name, summary, activities, description, place, area])
    written = " ".join([name, summary, description])
    return {
        "key": f"{kind}:{record['slug']}",
        "kind": kind,
        "name": _with_joined_words(name),
        "summary": summary,
        "activities": activities,
        "description": description,
        "place": place,
        "area": area,
        "parts": compound_parts_text(written),
        "negated": denied,
        "name_folded": name,
        "text_folded": everything,
        "spelling": everything,
        "record": json.dumps(dict(record, description_text=shown, negated_sentences=negated), ensure_ascii=False),
    }


def provider_document(record: dict[str, Any], places: dict[str, Any] | None = None) -> dict[str, str]:
    activities = " ".join(v.ACTIVITIES.label(slug) for slug in record.get("activities", []))
    return _document(
        "provider",
        record,
        record["name"],
        record["summary"],
        activities,
        _place_text(record),
        _area_text(record, places),
    )


def page_document(record: dict[str, Any]) -> dict[str, str]:
    return _document("page", record, record["title"], record["summary"])


def build(content: Content, index_root: Path, full: bool = False) -> Path:
    """Write a complete new index and publish it; returns the new folder.

    The new build shares the published one's unchanged shards (see ``shards``) unless ``full``.
    Builds take turns (an exclusive lock on ``index_root/.lock``): runs started together each
    publish in order, and none removes a folder another is still writing."""
    index_root = Path(index_root)
    index_root.mkdir(parents=True, exist_ok=True)
    # An offering's place words name its district, in the content's own municipality.
    with v.using_municipality(v.Municipality.from_site(content.site)), open(index_root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build(content, index_root, None if full else current_folder(index_root))


def _build(content: Content, index_root: Path, previous: Path | None) -> Path:
    folder = index_root / f"{_BUILD_PREFIX}{time.time_ns()}-{os.getpid()}"
    folder.mkdir()
    try:
        _write_build(content, folder, previous)
    except BaseException:  # a full disk or a crash half-way: leave no half-written build to fill it further
        shutil.rmtree(folder, ignore_errors=True)
        raise
    published_before = current_folder(index_root)
    _publish(index_root, folder)
    _remove_old_builds(index_root, keep={folder.name, published_before.name if published_before else None})
    return folder


def _write_build(content: Content, folder: Path, previous: Path | None) -> None:
    """The index in ``folder``: each shard's segment taken from ``previous`` when its digest is unchanged,
    written anew otherwise. The format file comes last: a folder without it is no build."""
    plan = shards.Plan(content, _entry_document)
    ix = index.create_in(str(folder), make_schema())
    if previous is not None and not _readable(previous):
        previous = None
    segments = shards.reuse(plan, previous, folder) if previous is not None else {}
    segments |= shards.write(plan, ix, [shard for shard in range(plan.count) if shard not in segments])
    listed = [segment for _shard, segment in sorted(segments.items()) if segment is not None]
    ix.writer().commit(mergetype=lambda _writer, _segments: listed)
    ix.close()
    shards.write_term_map(folder, listed, previous)
    shards.write_manifest(plan, segments, folder)
    (folder / VERSION_FILE).write_text(content_version(plan), encoding="ascii")
    (folder / FORMAT_FILE).write_text(INDEX_FORMAT, encoding="ascii")


def _entry_document(content: Content, entry: shards.Entry) -> dict[str, str]:
    kind, record = entry
    if kind == "provider":
        return provider_document(record, content.places)
    if kind == "page":
        return page_document(record)
    return {"key": kind, "kind": kind, "record": json.dumps(record, ensure_ascii=False)}  # site, places, thesaurus


def content_version(plan: shards.Plan) -> str:
    """A digest of what the index holds (every shard's digest): nodes that build from the same content with
    the same release agree on it, so an ETag made on one node is valid on another."""
    return hashlib.sha256("".join(plan.digests).encode()).hexdigest()[:16]


def published_version(index_root: Path) -> str | None:
    """The version of the published build, as its snapshot reads it."""
    folder = current_folder(index_root)
    try:
        return (folder / VERSION_FILE).read_text(encoding="ascii") if folder else None
    except OSError:
        return None


def _publish(index_root: Path, folder: Path) -> None:
    link = index_root / CURRENT
    temporary = index_root / f".{CURRENT}-{os.getpid()}"
    if temporary.is_symlink():
        temporary.unlink()
    os.symlink(folder.name, temporary)
    os.replace(temporary, link)


def _remove_old_builds(index_root: Path, keep: set[str | None]) -> None:
    """Keep the new and the previously published build: a running server may still be reading it. Any
    other (older, or left half-written by a crash) goes."""
    for path in index_root.glob(f"{_BUILD_PREFIX}*"):
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def current_folder(index_root: Path) -> Path | None:
    """The published build; None when there is none or the link is dangling (cheap: every request asks)."""
    link = Path(index_root) / CURRENT
    try:
        folder = Path(index_root) / os.readlink(link)
    except OSError:
        return None
    return folder if folder.is_dir() else None


def has_readable_index(index_root: Path) -> bool:
    """At start-up: is there a published build that opens? A dangling or broken one means build anew."""
    folder = current_folder(index_root)
    return folder is not None and _readable(folder)


def builds(index_root: Path) -> list[Path]:
    """Every build folder, the newest first (complete or not)."""
    return sorted(Path(index_root).glob(f"{_BUILD_PREFIX}*"), reverse=True)


def last_good_build(index_root: Path) -> Path | None:
    """The newest complete build, for when the published one has gone: serving goes on from it."""
    return next((folder for folder in builds(index_root) if _readable(folder)), None)


def _readable(folder: Path) -> bool:
    """A complete build in this release's format that opens (its schema names this release's classes)."""
    try:
        if (folder / FORMAT_FILE).read_text(encoding="ascii") != INDEX_FORMAT:
            return False
        index.open_dir(str(folder)).close()
    except Exception:  # missing, half-written, or pickled by another release: all mean "not usable"
        return False
    return True


def rebuild(content_dir: Path, index_root: Path, strict: bool = True, full: bool = False) -> Content:
    """Validate the content and publish a new index from it.

    Strict (the CLI): any content error means nothing is published and the
    last good index keeps serving. Lenient (first start with no index at all):
    the valid files are published so the site can start, the errors reported.
    Returns the loaded Content so callers can report the errors.
    """
    content = load_content(content_dir, Path(index_root) / parse_cache.FILE_NAME)
    if not (strict and content.errors):
        build(content, index_root, full)
    return content
