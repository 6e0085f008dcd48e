"""How many active offerings state each fact: today, and over time from the content's git history.

The CLI (``flask catalogue coverage``) and the desk's campaign page share these counts, so both say the
same. Git is the source of truth, so the history needs no table of its own: each point is the provider
files as they were at a commit that touched them, read with the same parser as the site. A file that
did not pass validation then is skipped and counted, never a crash. Counts per commit never change, so
they are kept in one small JSON file per commit (written whole, so several workers may share them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from markupsafe import Markup

from catalogue.facts import fields
from catalogue.facts import vocabulary as v
from catalogue.index.content import parse_provider, read_municipality

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MAX_POINTS = 60  # a chart and a table that stay readable and fast whatever the length of the history
CACHE_VERSION = 1  # raise when validation or counting changes, so old counts are made again
GIT_TIMEOUT = 30
# The facts that lead a person to an offering (how to reach it, when, how many hours, IPS): the launch
# campaign's measure. Six lines stay readable in one chart; `catalogue coverage` lists every fact.
KEY_FACTS = tuple(
    fields.FIELDS_BY_KEY[key] for key in ("hours", "contact.phone", "contact.email", "address", "opening_hours", "ips")
)


@dataclass(frozen=True)
class FactCoverage:
    """One fact at one point: how many active offerings state it, and their share in whole percent."""

    key: str
    label: str
    count: int
    share: int


@dataclass(frozen=True)
class Coverage:
    """The coverage of every fact on one day: at a commit, or in the working files (``commit`` None)."""

    day: dt.date
    active: int
    facts: tuple[FactCoverage, ...]
    errors: int = 0  # provider files skipped because they did not pass validation
    commit: str | None = None

    def share(self, key: str) -> int:
        return next(fact.share for fact in self.facts if fact.key == key)


def _share(count: int, active: int) -> int:
    return round(100 * count / active) if active else 0


def _coverage(counts: dict[str, int], active: int, day: dt.date, errors: int, commit: str | None) -> Coverage:
    facts = tuple(
        FactCoverage(field.key, str(field.label), counts[field.key], _share(counts[field.key], active))
        for field in fields.FACTS
    )
    return Coverage(day, active, facts, errors, commit)


def _count(records: Iterable[dict[str, Any]]) -> tuple[dict[str, int], int]:
    active = [record for record in records if record.get("status") == "active"]
    return {field.key: sum(fields.stated(field, record) for record in active) for field in fields.FACTS}, len(active)


def measure(records: Iterable[dict[str, Any]], day: dt.date | None = None, errors: int = 0) -> Coverage:
    """For each fact, how many of the active offerings among ``records`` state it."""
    counts, active = _count(records)
    return _coverage(counts, active, day or _today(), errors, None)


def _today() -> dt.date:
    return dt.datetime.now(STOCKHOLM).date()


def _parse_files(files: Iterable[tuple[str, bytes | None]]) -> tuple[list[dict[str, Any]], int]:
    """Records from (file name, bytes) pairs, and how many files were skipped: invalid, not UTF-8 or
    unreadable (None)."""
    records, errors = [], 0
    for name, data in files:
        try:
            record = None if data is None else parse_provider(Path(name), data.decode("utf-8"))[0]
        except UnicodeDecodeError:
            record = None
        if record is None:
            errors += 1
        else:
            records.append(record)
    return records, errors


def _working_files(folder: Path) -> Iterable[tuple[str, bytes | None]]:
    for path in sorted((folder / "providers").glob("*.md")):
        try:
            yield path.name, path.read_bytes()
        except OSError:
            yield path.name, None


def today(content_dir: Path | str) -> Coverage:
    """Today's coverage from the working files (what the desk shows as "now")."""
    with v.using_municipality(read_municipality(Path(content_dir))):
        return _now(Path(content_dir))


def _now(folder: Path) -> Coverage:
    """Today's working files, read as the municipality chosen."""
    records, errors = _parse_files(_working_files(folder))
    return measure(records, errors=errors)


def cache_dir(config: Mapping[str, Any]) -> Path:
    """Where counts per commit are kept: beside the index folder (the instance folder), like the desk's lock."""
    return Path(config["INDEX_DIR"]).parent / "coverage"


# --- the history -------------------------------------------------------------------------------------------


def _git(folder: Path, *arguments: str) -> subprocess.CompletedProcess[bytes] | None:
    """A git command in the content folder, or None when git is missing or fails.

    No optional locks: ``git status`` would otherwise take the index's lock for a moment, which the desk,
    committing at the same time, would find and remove as left by a killed process (``editing``)."""
    command = ["git", "--no-optional-locks", "-C", str(folder), *arguments]
    try:
        done = subprocess.run(command, capture_output=True, timeout=GIT_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return None
    return done if done.returncode == 0 else None


def _commits(folder: Path) -> list[tuple[str, dt.date]] | None:
    """The commits that touched the provider files, the last of each day, oldest first; None outside git."""
    log = _git(folder, "log", "--format=%H %cI", "--", "providers")
    if log is None:
        return None
    last_of_day: dict[dt.date, tuple[dt.datetime, str]] = {}
    for line in log.stdout.decode("ascii", "replace").splitlines():
        sha, _space, stamp = line.partition(" ")
        try:
            moment = dt.datetime.fromisoformat(stamp.strip())
        except ValueError:
            continue
        day = moment.astimezone(STOCKHOLM).date()
        if day not in last_of_day or moment > last_of_day[day][0]:  # newest first: a tie keeps the newer
            last_of_day[day] = (moment, sha)
    return [(sha, day) for day, (_moment, sha) in sorted(last_of_day.items())]


def _has_uncommitted_changes(folder: Path) -> bool:
    status = _git(folder, "status", "--porcelain", "--", "providers")
    return status is not None and bool(status.stdout.strip())


def _files_at(folder: Path, commit: str) -> list[tuple[str, bytes]] | None:
    """The provider files (not those in sub-folders, like ``load_content``) as they were at the commit."""
    archive = _git(folder, "archive", "--format=tar", commit, "--", "providers")
    if archive is None:
        return None
    files = []
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        for member in tar.getmembers():
            path = PurePosixPath(member.name)
            if member.isfile() and path.suffix == ".md" and path.parent.name == "providers":
                extracted = tar.extractfile(member)
                if extracted is not None:
                    files.append((path.name, extracted.read()))
    return sorted(files)


_MEMORY: dict[str, dict[str, Any]] = {}  # counts per commit in this process, in front of the files


def _version() -> str:
    """What a commit's counts depend on besides its files: the checks (``CACHE_VERSION``) and the districts
    and former names that files may name (today's site file)."""
    districts = json.dumps([list(v.DISTRICTS), sorted(v.DISTRICTS.aliases.items())], ensure_ascii=False)
    return f"{CACHE_VERSION}-{hashlib.sha256(districts.encode()).hexdigest()[:16]}"


def _cached(cache_dir: Path | None, commit: str, version: str) -> dict[str, Any] | None:
    stored = _MEMORY.get(commit)
    if stored is None and cache_dir is not None:
        try:
            stored = json.loads((cache_dir / f"{commit}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
    usable = (
        isinstance(stored, dict)
        and stored.get("version") == version
        and set(stored.get("counts", {})) >= {field.key for field in fields.FACTS}
    )
    return stored if usable else None


def _store(cache_dir: Path | None, commit: str, counted: dict[str, Any]) -> None:
    """Kept in memory and, written whole (a temporary file renamed), in the cache folder; a cache that
    cannot be written only costs time."""
    _MEMORY[commit] = counted
    if cache_dir is None:
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=cache_dir, suffix=".tmp", delete=False, encoding="utf-8") as file:
            json.dump(counted, file)
        os.replace(file.name, cache_dir / f"{commit}.json")
    except OSError:
        pass


def _at_commit(folder: Path, commit: str, day: dt.date, cache_dir: Path | None, version: str) -> Coverage | None:
    counted = _cached(cache_dir, commit, version)
    if counted is None:
        files = _files_at(folder, commit)
        if files is None:
            return None
        records, errors = _parse_files(files)
        counts, active = _count(records)
        counted = {"version": version, "counts": counts, "active": active, "errors": errors}
        _store(cache_dir, commit, counted)
    return _coverage(counted["counts"], counted["active"], day, counted["errors"], commit)


T = TypeVar("T")


def thin(items: Sequence[T], limit: int = MAX_POINTS) -> list[T]:
    """At most ``limit`` items spread evenly over the sequence, the first and the last always kept."""
    if len(items) <= limit:
        return list(items)
    if limit < 2:
        return list(items[-limit:]) if limit else []
    step = (len(items) - 1) / (limit - 1)
    return [items[round(index * step)] for index in range(limit)]


def history(content_dir: Path | str, cache_dir: Path | None = None, limit: int = MAX_POINTS) -> list[Coverage]:
    """The coverage after each day's last commit that touched the provider files, oldest first.

    Uncommitted changes make the last point today's working files. Outside a git work tree (or
    without git) the history is today alone."""
    folder = Path(content_dir)
    with v.using_municipality(read_municipality(folder)):  # today's districts: their former names read old files
        return _history(folder, cache_dir, limit)


def _history(folder: Path, cache_dir: Path | None, limit: int) -> list[Coverage]:
    commits = _commits(folder)
    if commits is None:
        return [_now(folder)]
    slots: list[tuple[str, dt.date] | None] = list(commits)
    if _has_uncommitted_changes(folder) or not commits:
        slots = [slot for slot in commits if slot[1] != _today()] + [None]  # today's commit is in the files
    points, version = [], _version()
    for slot in thin(slots, limit):
        point = _now(folder) if slot is None else _at_commit(folder, *slot, cache_dir, version)
        if point is not None:
            points.append(point)
    return points or [_now(folder)]


# --- the chart and its table -------------------------------------------------------------------------------

# Okabe and Ito's colours that keep 3:1 against white, each also with its own dash pattern: five colours and
# six patterns give 30 different lines, and each line also has its name at its end.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000")
DASHES = ("", "9 4", "2 3", "12 3 3 3", "5 5", "14 4 2 4 2 4")
WIDTH = 660
LEFT = 44  # room for "100 %"
RIGHT = 404  # where the lines end and their names begin
TOP = 12
LABEL_GAP = 14  # between the baselines of two names at the right, in the viewBox's units
FONT_SIZE = 12
MIN_PLOT_HEIGHT = 280
DATE_GAP = 80  # a date on the x axis is about 65 units wide


@dataclass(frozen=True)
class CoverageRow:
    day: str
    active: int
    errors: int
    shares: tuple[str, ...]  # "68 %", or "–" when no active offering could be read at that point


@dataclass(frozen=True)
class CoverageTable:
    """The chart's numbers as a table, for those who do not see the chart or want the exact values."""

    labels: tuple[str, ...]
    rows: tuple[CoverageRow, ...]


def table(points: Sequence[Coverage], facts: Sequence[fields.ProviderField] = KEY_FACTS) -> CoverageTable:
    rows = tuple(
        CoverageRow(
            point.day.isoformat(),
            point.active,
            point.errors,
            tuple(f"{point.share(field.key)} %" if point.active else "–" for field in facts),
        )
        for point in points
    )
    return CoverageTable(tuple(str(field.label) for field in facts), rows)


def _spread(wanted: list[float], low: float, high: float, gap: float) -> list[float]:
    """Positions as near as possible to ``wanted`` (sorted), at least ``gap`` apart, within low..high."""
    placed: list[float] = []
    for position in wanted:
        placed.append(max(position, low, placed[-1] + gap if placed else low))
    for index in range(len(placed) - 1, -1, -1):
        ceiling = high if index == len(placed) - 1 else placed[index + 1] - gap
        placed[index] = min(placed[index], ceiling)
    return placed


def _date_ticks(xs: list[float], days: list[dt.date]) -> list[tuple[float, dt.date]]:
    """Dates of real points, far enough apart to be read; the first and the last always."""
    chosen = [(xs[0], days[0])]
    for x, day in zip(xs[1:], days[1:], strict=True):
        if x - chosen[-1][0] >= DATE_GAP:
            chosen.append((x, day))
    if chosen[-1][1] != days[-1]:
        if xs[-1] - chosen[-1][0] < DATE_GAP and len(chosen) > 1:
            chosen.pop()
        chosen.append((xs[-1], days[-1]))
    return chosen


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def chart(
    points: Sequence[Coverage],
    facts: Sequence[fields.ProviderField] = KEY_FACTS,
    ident: str = "tackning",
) -> Markup:
    """An inline SVG: the share of active offerings that state each fact, one line per fact over time.

    Each line has a colour and a dash pattern of its own and its name at its right end, so no reader
    depends on colour. It scales with its container (a viewBox, no fixed size), runs no script and
    loads nothing. With one point there is no line to draw: each fact is a dot. A point where no active
    offering could be read (every file failed validation then) has no share and is left out."""
    points = [point for point in points if point.active]  # no active offering read: no share to draw
    if not points:
        return Markup("")
    plot_height = max(MIN_PLOT_HEIGHT, (len(facts) - 1) * LABEL_GAP)
    bottom = TOP + plot_height
    height = bottom + 34

    def y_of(share: float) -> float:
        return bottom - share / 100 * plot_height

    first, last = points[0].day, points[-1].day
    span = (last - first).days
    xs = [RIGHT if span == 0 else LEFT + (point.day - first).days / span * (RIGHT - LEFT) for point in points]
    title = "Andel av de aktiva verksamheterna som anger varje uppgift, över tid"
    when = f"{first.isoformat()} till {last.isoformat()}" if span else first.isoformat()
    description = (
        f"{len(points)} {'tidpunkt' if len(points) == 1 else 'tidpunkter'}, {when}. En linje per uppgift, "
        "märkt med uppgiftens namn och senaste andel till höger. Samma siffror finns i tabellen."
    )
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" '
            'aria-labelledby="{}-titel {}-beskrivning" focusable="false" class="coverage-chart" '
            'font-size="{}">'
        ).format(WIDTH, height, ident, ident, FONT_SIZE),
        Markup('<title id="{}-titel">{}</title><desc id="{}-beskrivning">{}</desc>').format(
            ident, title, ident, description
        ),
    ]
    for share in (0, 25, 50, 75, 100):
        y = _number(y_of(share))
        parts.append(
            Markup(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#b1b4b6" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" fill="currentColor">{} %</text>'
            ).format(LEFT, y, RIGHT, y, LEFT - 6, _number(y_of(share) + 4), share)
        )
    parts.append(
        Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="currentColor" stroke-width="1"/>').format(
            LEFT, bottom, RIGHT, bottom
        )
    )
    for x, day in _date_ticks(xs, [point.day for point in points]):
        parts.append(
            Markup(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="currentColor" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="middle" fill="currentColor">{}</text>'
            ).format(_number(x), bottom, _number(x), bottom + 5, _number(x), bottom + 20, day.isoformat())
        )
    ends = sorted((y_of(points[-1].share(field.key)), index) for index, field in enumerate(facts))
    label_ys = dict(
        zip(
            (index for _y, index in ends),
            _spread([y for y, _index in ends], TOP, bottom, LABEL_GAP),
            strict=True,
        )
    )
    for index, field in enumerate(facts):
        colour, dash = COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)]
        dashed = Markup(' stroke-dasharray="{}"').format(dash) if dash else Markup("")
        ys = [y_of(point.share(field.key)) for point in points]
        if len(points) == 1:
            parts.append(
                Markup('<circle cx="{}" cy="{}" r="4" fill="{}"/>').format(_number(xs[0]), _number(ys[0]), colour)
            )
        else:
            coordinates = " ".join(f"{_number(x)},{_number(y)}" for x, y in zip(xs, ys, strict=True))
            parts.append(
                Markup('<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}/>').format(
                    coordinates, colour, dashed
                )
            )
        label_y = label_ys[index]
        parts.append(
            Markup(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"{}/>'
                '<text x="{}" y="{}" fill="currentColor">{} {} %</text>'
            ).format(
                RIGHT + 4, _number(ys[-1]), RIGHT + 22, _number(label_y), colour, dashed,
                RIGHT + 26, _number(label_y + 4), str(field.label), points[-1].share(field.key),
            )
        )  # fmt: skip
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


@dataclass(frozen=True)
class CoverageOverTime:
    """The desk's "Täckning över tid": the chart, its table, and the span they cover."""

    chart: Markup  # empty when no point had an active offering to count
    table: CoverageTable
    points: int

    @property
    def points_word(self) -> str:
        return "tidpunkt" if self.points == 1 else "tidpunkter"


def over_time(content_dir: Path | str, cache_dir: Path | None = None) -> CoverageOverTime:
    points = history(content_dir, cache_dir)
    return CoverageOverTime(chart(points), table(points), len(points))
