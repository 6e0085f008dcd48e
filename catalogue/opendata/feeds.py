"""Atom feeds, to follow changes without an account: /feed.atom for the whole catalogue (new
offerings, changed facts, closed offerings) and /sok.atom?… for any search ("new offerings in
Farsta with IPS").

What changed when comes from the content's history: git when the content folder is a work tree
(each provider file's first and last commit), otherwise each offering's checked date. Addresses
use the configured public URL (page_kit.absolute_url). Feeds are in Swedish, like the content they
carry (``xml:lang="sv"``), and have no language versions.
"""

from __future__ import annotations

import datetime as dt
import functools
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for

from catalogue import query
from catalogue.facts import evidence, textpolicy
from catalogue.opendata import files
from catalogue.opendata.api import readable_anywhere
from catalogue.opendata.exports import Match, search_matches
from catalogue.page_kit import absolute_url, export_url, public_provider_url, search_url, snapshot

feeds = Blueprint("feeds", __name__)
feeds.after_request(readable_anywhere)
LATEST = 50  # entries in the catalogue's feed
ATOM = "application/atom+xml"


@dataclass(frozen=True)
class History:
    """When a provider file first appeared and last changed."""

    added: dt.datetime | None
    changed: dt.datetime


@functools.lru_cache(maxsize=4)
def _git_history(content_dir: Path, version: str) -> dict[str, History] | None:
    """Per provider file, from ``git log`` (cached per index version); None when it is not a work tree.

    Dated when a change reached the branch (committer date; a merge counts as its first parent's
    change), and a renamed file keeps the day it was first added."""
    try:
        done = subprocess.run(
            ["git", "-C", str(content_dir), "log", "--relative", "-M", "--name-status", "--diff-merges=first-parent",
             "--format=%x00%cI", "--", "providers"],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode:
        return None
    history: dict[str, History] = {}
    renamed: dict[str, str] = {}  # an older name -> the name it has now
    for commit in done.stdout.split("\0")[1:]:  # the newest first
        lines = [line for line in commit.strip().splitlines() if line]
        when = dt.datetime.fromisoformat(lines[0]).astimezone(dt.UTC)
        for line in lines[1:]:
            status, *paths = line.split("\t")
            slug = renamed.get(Path(paths[-1]).stem, Path(paths[-1]).stem)
            known = history.get(slug)
            if known is None:
                history[slug] = known = History(None, when)
            if status.startswith("R"):
                renamed[Path(paths[0]).stem] = slug  # its earlier commits are under the old name
            elif status == "A":
                history[slug] = History(when, known.changed)
    return history


def history_of(record: dict[str, Any]) -> History:
    found = snapshot()
    history = _git_history(Path(current_app.config["CONTENT_DIR"]), found.version)
    reviewed = dt.datetime.combine(dt.date.fromisoformat(record["reviewed"]), dt.time(), dt.UTC)
    known = (history or {}).get(record["slug"])
    if known is None:
        return History(None, reviewed)
    return History(known.added, max(known.changed, reviewed))  # a change not yet committed counts too


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    url: str
    updated: dt.datetime
    summary: str


def catalogue_entries() -> list[Entry]:
    """New offerings, changed facts and closed offerings, the latest first."""
    entries = []
    for record in snapshot().providers():
        history, url = history_of(record), public_provider_url(record)
        if history.added is not None:
            entries.append(
                Entry(f"{url}#ny", f"Ny verksamhet: {record['name']}", url, history.added, record["summary"])
            )
        if record.get("status") == "closed":
            entries.append(Entry(f"{url}#nedlagd", f"Nedlagd: {record['name']}", url, history.changed,
                                 "Verksamheten finns inte längre."))  # fmt: skip
        elif history.added is None or history.changed > history.added:
            title = f"Ändrade uppgifter: {record['name']}"
            entries.append(Entry(f"{url}#{history.changed:%Y%m%d%H%M%S}", title, url, history.changed,
                                 " ".join(evidence.said(evidence.evidence_of(record)))))  # fmt: skip
    return sorted(entries, key=lambda entry: entry.updated, reverse=True)[:LATEST]


def _atom(title: str, self_url: str, page_url: str, entries: list[Entry]) -> Response:
    today = dt.datetime.combine(dt.date.today(), dt.time(), dt.UTC)  # an empty feed is as new as today
    updated = max((entry.updated for entry in entries), default=today)
    body = render_template("feed.xml", title=title, self_url=self_url, page_url=page_url, entries=entries,
                           updated=updated)  # fmt: skip
    return Response(textpolicy.xml_safe(body), mimetype=ATOM)  # well-formed whatever a file or a name holds


@feeds.get("/feed.atom")
@files.made_at_publish(lambda: [url_for("feeds.catalogue_feed")])
def catalogue_feed() -> Response:
    return _atom("Hitta sysselsättning: nytt och ändrat", absolute_url("/feed.atom"), absolute_url("/"),
                 catalogue_entries())  # fmt: skip


def _search_entry(match: Match) -> Entry:
    record, url = match.record, public_provider_url(match.record)
    if match.sure:
        return Entry(url, record["name"], url, history_of(record).changed, record["summary"])
    return Entry(url, f"Kanske: {record['name']}", url, history_of(record).changed, f"{match.fit}. {record['summary']}")


@feeds.get("/sok.atom")
def search_feed() -> Response:
    """Each offering the search shows, dated by its last change, so a new one shows as a new entry;
    one that may fit is there too, titled "Kanske", with what it has not told us."""
    search_request = replace(query.parse(request.args), page=1, saved=())
    entries = [_search_entry(match) for match in search_matches(search_request)]
    chosen = [choice.said for choice in query.chosen(search_request)]  # the feed is in Swedish, as its address
    title = f"Hitta sysselsättning: {', '.join(chosen) if chosen else 'alla verksamheter'}"
    return _atom(title, absolute_url(export_url("feeds.search_feed", search_request)),
                 absolute_url(search_url(search_request)), entries)  # fmt: skip
