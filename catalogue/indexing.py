"""Builds the Whoosh index from validated provider records.

Each build goes into a fresh folder and is then published by atomically
replacing the ``current`` link, so a reader always sees a complete index and a
failed build leaves the last good one serving.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from whoosh import fields, index

from . import analysis
from . import vocabulary as v
from .content import load_providers, plain_text

CURRENT = "current"
_BUILD_PREFIX = "build-"
PARALLEL_FROM = 1000


def make_schema() -> fields.Schema:
    """No positions are stored (phrase=False): queries are bags of words, and that halves build time."""
    def text(analyzer):
        return fields.TEXT(analyzer=analyzer, phrase=False)

    swedish, folded = analysis.swedish_analyzer(), analysis.folded_analyzer()
    return fields.Schema(
        slug=fields.ID(stored=True, unique=True),
        name=text(swedish),
        summary=text(swedish),
        activities=text(swedish),
        description=text(swedish),
        place=text(swedish),
        name_folded=text(folded),
        text_folded=text(folded),
        spelling=text(analysis.spelling_analyzer()),
        record=fields.STORED(),
    )


def _place_text(record: dict) -> str:
    """District names, former names and neighbourhood, so "Tensta" or "Östermalm" finds a place."""
    district = record.get("district")
    words = [record.get("neighbourhood", "")]
    if district:
        words.append(v.DISTRICTS.label(district))
        words += v.DISTRICTS.other_names(district)
    street = record.get("address", {}).get("street")
    return " ".join(filter(None, words + [street]))


def document_for(record: dict) -> dict:
    activities = " ".join(v.ACTIVITIES.label(slug) for slug in record.get("activities", []))
    description = plain_text(record.get("description_html", ""))
    place = _place_text(record)
    everything = " ".join([record["name"], record["summary"], activities, description, place])
    return {
        "slug": record["slug"],
        "name": record["name"],
        "summary": record["summary"],
        "activities": activities,
        "description": description,
        "place": place,
        "name_folded": record["name"],
        "text_folded": everything,
        "spelling": everything,
        "record": json.dumps(dict(record, description_text=description), ensure_ascii=False),
    }


def _processes_for(count: int) -> int:
    """Whoosh can analyse in parallel; worth its start-up cost only for large catalogues."""
    return min(2, os.cpu_count() or 1) if count >= PARALLEL_FROM else 1


def build(records: list[dict], index_root: Path) -> Path:
    """Write a complete new index and publish it; returns the new folder."""
    index_root = Path(index_root)
    index_root.mkdir(parents=True, exist_ok=True)
    folder = index_root / f"{_BUILD_PREFIX}{time.time_ns()}-{os.getpid()}"
    folder.mkdir()
    ix = index.create_in(str(folder), make_schema())
    writer = ix.writer(limitmb=128, procs=_processes_for(len(records)), multisegment=True)
    for record in records:
        writer.add_document(**document_for(record))
    writer.commit()
    ix.close()
    _publish(index_root, folder)
    _remove_old_builds(index_root, keep={folder.name, _previous_target(index_root, folder)})
    return folder


def _publish(index_root: Path, folder: Path) -> None:
    link = index_root / CURRENT
    temporary = index_root / f".{CURRENT}-{os.getpid()}"
    if temporary.is_symlink():
        temporary.unlink()
    os.symlink(folder.name, temporary)
    os.replace(temporary, link)


def _previous_target(index_root: Path, folder: Path) -> str | None:
    builds = sorted(p.name for p in index_root.glob(f"{_BUILD_PREFIX}*") if p.name != folder.name)
    return builds[-1] if builds else None


def _remove_old_builds(index_root: Path, keep: set) -> None:
    """Keep the new and the previous build: a running server may still be reading the previous one."""
    for path in index_root.glob(f"{_BUILD_PREFIX}*"):
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def current_folder(index_root: Path) -> Path | None:
    link = Path(index_root) / CURRENT
    try:
        return Path(index_root) / os.readlink(link)
    except OSError:
        return None


def rebuild(content_dir: Path, index_root: Path, strict: bool = True):
    """Validate the content and publish a new index from it.

    Strict (the CLI): any content error means nothing is published and the
    last good index keeps serving. Lenient (first start with no index at all):
    the valid files are published so the site can start, the errors reported.
    Returns the LoadResult so callers can report the errors.
    """
    loaded = load_providers(content_dir)
    if not (strict and loaded.errors):
        build(loaded.providers, index_root)
    return loaded
