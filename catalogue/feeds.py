"""Atom feeds, to follow changes without an account: /feed.atom for the whole catalogue (new
offerings, changed facts, closed offerings) and /sok.atom?… for any search ("new offerings in
Farsta with IPS").

What changed when comes from the content's history: git when the content folder is a work tree
(each provider file's first and last commit), otherwise each offering's checked date. Addresses
use the configured public URL (web.absolute_url). Feeds are in Swedish, like the content they
carry (``xml:lang="sv"``), and have no language versions.
"""

from __future__ import annotations

import datetime as dt
import functools
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request

from . import query, search
from .api import readable_anywhere
from .web import absolute_url, search_url, snapshot

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
    """Per provider file, from ``git log`` (cached per index version); None when it is not a work tree."""
    try:
        done = subprocess.run(
            ["git", "-C", str(content_dir), "log", "--relative", "--no-renames", "--name-status",
             "--format=%x00%aI", "--", "providers"],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode:
        return None
    history: dict[str, History] = {}
    for commit in done.stdout.split("\0")[1:]:
        lines = commit.strip().splitlines()
        when = dt.datetime.fromisoformat(lines[0]).astimezone(dt.UTC)
        for line in lines[1:]:
            status, _tab, path = line.partition("\t")
            slug, known = Path(path).stem, history.get(Path(path).stem)  # the newest commits come first
            if known is None:
                history[slug] = History(when if status == "A" else None, when)
            elif status == "A":
                history[slug] = History(when, known.changed)
    return history


def history_of(record: dict) -> History:
    found = snapshot()
    history = _git_history(Path(current_app.config["CONTENT_DIR"]), found.version)
    if history and record["slug"] in history:
        return history[record["slug"]]
    verified = dt.datetime.combine(dt.date.fromisoformat(record["verified"]), dt.time(), dt.UTC)
    return History(None, verified)


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    url: str
    updated: dt.datetime
    summary: str


def _provider_url(record: dict) -> str:
    return absolute_url(f"/verksamhet/{record['slug']}")


def catalogue_entries() -> list[Entry]:
    """New offerings, changed facts and closed offerings, the latest first."""
    entries = []
    for record in snapshot().providers():
        history, url = history_of(record), _provider_url(record)
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
                                 f"Uppgifterna kontrollerades senast {record['verified']}."))  # fmt: skip
    return sorted(entries, key=lambda entry: entry.updated, reverse=True)[:LATEST]


def _atom(title: str, self_url: str, page_url: str, entries: list[Entry]) -> Response:
    updated = max((entry.updated for entry in entries), default=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    body = render_template("feed.xml", title=title, self_url=self_url, page_url=page_url, entries=entries,
                           updated=updated)  # fmt: skip
    return Response(body, mimetype=ATOM)


@feeds.get("/feed.atom")
def catalogue_feed():
    return _atom("Hitta sysselsättning: nytt och ändrat", absolute_url("/feed.atom"), absolute_url("/"),
                 catalogue_entries())  # fmt: skip


@feeds.get("/sok.atom")
def search_feed():
    """Each offering the search finds, dated by its last change: a new one shows as a new entry."""
    search_request = replace(query.parse(request.args), page=1, saved=())
    found = snapshot()
    result = search.run(found, search_request, page_size=found.size)
    entries = [
        Entry(_provider_url(hit.record), hit.record["name"], _provider_url(hit.record),
              history_of(hit.record).changed, hit.record["summary"])
        for hit in result.hits
    ]  # fmt: skip
    described = ", ".join(choice.said for choice in result.chosen) if result.chosen else "alla verksamheter"
    page = absolute_url(search_url(search_request))
    return _atom(f"Hitta sysselsättning: {described}", absolute_url(request.full_path.rstrip("?")), page, entries)
