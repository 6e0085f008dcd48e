"""The write path: an accepted suggestion becomes a change to a provider's Markdown file.

Markdown in git stays the source of truth. A change is made as a YAML round trip (ruamel.yaml), so
the field order and the editors' comments are kept. It is validated with the same checks as every
file before anything is written; the file is replaced whole (never half-written); in a git work tree
it becomes one commit with the editor as author; then a new index is published. One change is
written at a time (a lock file), so two editors accepting at once never overwrite each other.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import os
import re
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from catalogue import page_kit
from catalogue.facts import fields, kinds
from catalogue.index import builder
from catalogue.index.content import SLUG_PATTERN, parse_provider

FROM_PROVIDER = "Uppgifter från verksamheten"
FROM_READER = "Förslag från en läsare, kontrollerat av redaktionen"
# Where a new field goes: in the order of the content format, with the sources last, as editors write them.
_KEY_ORDER = [field.key for field in fields.FIELDS if field.key != "sources"] + ["sources"]
_CLOCK = re.compile(r"^\d\d:\d\d$")  # quoted as the content format asks, though "09:00" would read right


class EditError(Exception):
    """Why a change was not written, for the editor: the file and the site are as they were."""


class NotPublished(Exception):
    """The change is written (and committed) but the new index could not be built: the site shows the old one."""


@dataclass(frozen=True)
class Author:
    name: str
    email: str


def content_value(key: str, kind: str, answer: Any, record: dict[str, Any] | None = None) -> Any:
    """One answer of the suggestion form as the content file states it; None: the fact is unknown.

    ``record`` is the provider as its file says now (None for a new one). A field of a structured kind
    reads the answer by its kind (``kinds``): an address line, opening-hours lines, language names."""
    if kind == "choices":
        return list(answer) or None
    if kind == "yes_no":
        return {"ja": True, "nej": False}.get(answer)  # "Vet inte" removes the fact; it never becomes "no"
    if not answer:
        return None
    field = fields.FIELDS_BY_KEY.get(key)
    if field is not None and field.kind is not None and field.kind.read is not None:
        try:
            return field.kind.read(answer, record)
        except kinds.Unreadable as error:
            raise EditError(str(error)) from error
    if kind == "lines":
        return answer.splitlines()
    return answer


# The YAML round trip.


def _yaml() -> YAML:
    round_trip = YAML()
    round_trip.preserve_quotes = True
    round_trip.width = 4096  # never fold a long line: editors diff these files
    round_trip.indent(mapping=2, sequence=4, offset=2)
    return round_trip


def _plain(value: Any) -> Any:
    """A new value as YAML should write it: short lists in brackets, and strings quoted where the site's
    YAML reader (YAML 1.1) would read them as something else ("09:00" as a number, "no" as false)."""
    if isinstance(value, list):
        items = CommentedSeq(_plain(item) for item in value)
        if all(isinstance(item, str | bool | int) for item in value):
            items.fa.set_flow_style()
        return items
    if isinstance(value, dict):
        return CommentedMap((key, _plain(item)) for key, item in value.items())
    if isinstance(value, str) and (_CLOCK.match(value) or value != value.strip() or not _reads_back(value)):
        return DoubleQuotedScalarString(value)
    return value


def _reads_back(text: str) -> bool:
    """Whether the site's YAML reader takes the text, written plain, as this very string."""
    try:
        loaded: object = yaml.safe_load(text)
        return loaded == text
    except yaml.YAMLError:  # "@alla", "a: b: c": not even readable plain
        return False


def _set(mapping: CommentedMap, key: str, value: Any) -> None:
    """Set (or remove, for None) a dotted key, a new key placed where the content format lists it."""
    parent, _dot, child = key.partition(".")
    if child:
        inner = mapping.get(parent)
        if inner is None:
            if value is None:
                return
            inner = CommentedMap()
            _set(mapping, parent, inner)
            inner = mapping[parent]
        _set_in_order(inner, child, value, [k.partition(".")[2] for k in _KEY_ORDER if k.startswith(parent + ".")])
        if not inner:
            del mapping[parent]
        return
    _set_in_order(mapping, key, value, [k.partition(".")[0] for k in _KEY_ORDER])


def _set_in_order(mapping: CommentedMap, key: str, value: Any, order: list[str]) -> None:
    if value is None:
        if key in mapping:
            _keep_following_comment(mapping, key)
            del mapping[key]
        return
    if isinstance(mapping.get(key), CommentedSeq) and isinstance(value, list):
        mapping[key][:] = list(_plain(value))  # in place: the list's comments and style stay
        return
    if key in mapping:
        mapping[key] = _plain(value)
        return
    rank = order.index(key) if key in order else len(order)
    position = sum(1 for existing in mapping if existing in order and order.index(existing) < rank)
    mapping.insert(position, key, _plain(value))


def _keep_following_comment(mapping: CommentedMap, key: str) -> None:
    """ruamel keeps a comment line after a value with that value: before removing it, give the comment
    to the value before it, so that "# --- Kontakt ---" stays above the next section."""
    after = (mapping.ca.items.get(key) or [None] * 4)[2]
    keys = list(mapping)
    position = keys.index(key)
    if after is None or position == 0 or not isinstance(mapping[keys[position - 1]], str | int | bool | dt.date):
        return
    lines = after.value if after.value.startswith("\n") else "\n" + after.value.partition("\n")[2]
    slots = mapping.ca.items.setdefault(keys[position - 1], [None] * 4)
    if slots[2] is None and lines.strip():  # the removed value's own end-of-line comment goes with it
        slots[2] = CommentToken(lines, after.start_mark, None)


def changed_text(
    text: str | None, values: dict[str, Any], source_title: str, today: dt.date, confirmed_via: str | None = None
) -> str:
    """The provider file with ``values`` set, the review date moved to today and a source added for them.

    ``confirmed_via`` ("invitation") records that the offering itself confirmed its facts today: only the
    offering, or an editor who spoke to it, confirms; an editor's re-read or a reader's tip never does."""
    round_trip = _yaml()
    if text is None:
        data, body = CommentedMap(), ""
    else:
        lines = text.split("\n")
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
        data, body = round_trip.load("\n".join(lines[1:end])) or CommentedMap(), "\n".join(lines[end + 1 :])
    for key, value in values.items():
        _set(data, key, value)
    if text is None:
        _set(data, "status", "active")
    _set(data, "reviewed", today)
    if confirmed_via is not None:
        _set(data, "confirmed", {"date": dt.date.fromordinal(today.toordinal()), "via": confirmed_via})
    covers = sorted(key for key, value in values.items() if value is not None and key not in ("name", "summary"))
    source_date = dt.date.fromordinal(today.toordinal())  # not the checked date's object: no YAML alias
    source = {"title": source_title, "date": source_date} | ({"covers": covers} if covers else {})
    if "sources" not in data:
        _set(data, "sources", [])
    data["sources"].append(_plain(source))
    out = io.StringIO()
    round_trip.dump(data, out)
    return f"---\n{out.getvalue()}---\n{body}"


# Writing, committing and publishing.


@contextmanager
def one_writer(config: Mapping[str, Any]) -> Iterator[None]:
    """Hold it while a change is decided, read, written, committed and published: one writer at a time,
    across threads and processes, so a change is always made to the file as the last one left it."""
    lock_file = Path(config["INDEX_DIR"]).parent / "desk.lock"
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def provider_path(content_dir: Path, slug: str) -> Path:
    """The file of one provider; a slug that is not a plain name (``../x``, ``a/b``) names none."""
    folder = (Path(content_dir) / "providers").resolve()
    if not SLUG_PATTERN.fullmatch(slug or "") or len(slug) > fields.MAX_NAME:
        raise EditError(f"”{slug}” är inget giltigt filnamn: bara a–z, 0–9 och bindestreck.")
    path = folder / f"{slug}.md"
    if path.parent != folder:
        raise EditError(f"”{slug}” är inget giltigt filnamn.")
    return path


def _write(path: Path, text: str) -> None:
    """The whole new file or nothing: written beside it, then moved over it."""
    partial = path.with_name(f".{path.name}.tmp")
    try:
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise EditError(f"Filen kunde inte sparas ({error.strerror or error}). Inget har ändrats.") from error


def _git(
    folder: Path, *arguments: str, author: Author | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if author is not None:
        env |= {"GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email}
        env |= {"GIT_COMMITTER_NAME": author.name, "GIT_COMMITTER_EMAIL": author.email}
    return subprocess.run(
        ["git", "-C", str(folder), *arguments], capture_output=True, text=True, env=env, timeout=30, input=stdin
    )


def _in_work_tree(folder: Path) -> bool:
    try:
        return _git(folder, "rev-parse", "--is-inside-work-tree").stdout.strip() == "true"
    except (OSError, subprocess.SubprocessError):
        return False


_LEFT_LOCK = re.compile(r"Unable to create '([^']+\.lock)': File exists")


def _stale_locks(folder: Path) -> list[Path]:
    """Git's lock files in this checkout. Every writer of the content checkout holds ``one_writer`` (the
    desk, and deploy/publish.sh through flock(1)), so under it any lock git left is a killed process's."""
    git_dir = Path(folder) / _git(folder, "rev-parse", "--git-dir").stdout.strip()
    found = [git_dir / "index.lock", git_dir / "HEAD.lock"]
    found += list((git_dir / "refs" / "heads").glob("*.lock"))
    return [path for path in found if path.exists()]


def _remove_stale_locks(folder: Path, reason: str = "") -> list[str]:
    """Remove the locks a killed git left (a half-written index is only in the lock; git's own files are
    whole). Returns what was removed, for the audit log."""
    removed = []
    for path in _stale_locks(folder) + [Path(found) for found in _LEFT_LOCK.findall(reason)]:
        if path.exists():
            path.unlink()
            removed.append(str(path))
    return removed


@dataclass(frozen=True)
class Committed:
    commit: str | None  # the commit that holds the file as it is now; None outside a git work tree
    locks_removed: list[str]  # git locks a killed process had left, removed before committing


def commit_file(path: Path, author: Author, message: str) -> Committed:
    """Commit the file as it is now, unless git already holds it so (an accept cut off after its commit).

    The message goes in on standard input (a NUL or a long text cannot break the command line). A failed
    commit leaves git's index as it was; the caller decides what becomes of the file."""
    folder = path.parent
    if not _in_work_tree(folder):
        return Committed(None, [])
    removed = _remove_stale_locks(folder)
    if _git(folder, "status", "--porcelain", "--", path.name).stdout.strip() == "":
        return Committed(_git(folder, "log", "-1", "--format=%H", "--", path.name).stdout.strip() or None, removed)
    added = _git(folder, "add", "--", path.name)
    committed = added if added.returncode else _commit(folder, path.name, author, message)
    if committed.returncode and _LEFT_LOCK.search(committed.stderr or ""):  # a lock left between our check and now
        removed += _remove_stale_locks(folder, committed.stderr)
        committed = _commit(folder, path.name, author, message)
    if committed.returncode:
        _git(folder, "reset", "-q", "--", path.name)
        reason = (committed.stderr or committed.stdout).strip().splitlines()
        raise EditError(f"Git kunde inte spara ändringen: {reason[-1] if reason else 'okänt fel'}")
    return Committed(_git(folder, "rev-parse", "HEAD").stdout.strip(), removed)


def _commit(folder: Path, name: str, author: Author, message: str) -> subprocess.CompletedProcess[str]:
    return _git(folder, "commit", "-q", "-F", "-", "--", name, author=author, stdin=message)


@dataclass(frozen=True)
class Written:
    path: Path
    old: str | None  # the file before (None for a new offering): what a failed commit puts back
    changed: bool  # False: the file already held the change (an accept cut off after writing)


def write_file(
    config: Mapping[str, Any],
    slug: str,
    values: dict[str, Any],
    source_title: str,
    new: bool = False,
    confirmed_via: str | None = None,
) -> Written:
    """Validate and write one change (hold ``one_writer``); on EditError the file is as it was.

    A file that already states all of it is left alone: an accept that was cut off after writing, and
    is tried again, writes once (and adds its source once)."""
    path = provider_path(Path(config["CONTENT_DIR"]), slug)
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if old is None and not new:
        raise EditError(f"Filen {path.name} finns inte.")
    text = changed_text(old, values, source_title, dt.date.today(), confirmed_via)
    record, errors = parse_provider(path, text, display_path=f"content/providers/{path.name}")
    if errors:
        raise EditError("Ändringen sparades inte: " + "; ".join(str(error) for error in errors))
    if old is not None and _facts(parse_provider(path, old)[0]) == _facts(record):
        return Written(path, old, False)
    if new and old is not None:
        raise EditError(f"Det finns redan en fil {path.name}.")
    _write(path, text)
    return Written(path, old, True)


def undo(written: Written) -> None:
    """Put the file back as it was before ``written`` (a commit failed); EditError when that fails too."""
    try:
        written.path.unlink() if written.old is None else _write(written.path, written.old)
    except OSError as error:
        raise EditError(f"Filen kunde inte återställas ({error.strerror or error}): kontrollera den.") from error


def publish(config: Mapping[str, Any]) -> str:
    """Build and publish a new index from the content as it is now; returns the version it serves.

    Raises NotPublished when it could not be built: the files keep the change, the old index serves."""
    try:
        loaded = builder.rebuild(Path(config["CONTENT_DIR"]), config["INDEX_DIR"], strict=True)
    except Exception as error:  # a full disk, a crash in the build: the file is kept, the old index serves
        raise NotPublished(f"indexet kunde inte byggas ({error})") from error
    if loaded.errors:
        raise NotPublished("; ".join(str(error) for error in loaded.errors))
    page_kit.published()
    return builder.published_version(config["INDEX_DIR"]) or ""


def _facts(record: dict[str, Any] | None) -> dict[str, Any]:
    """What a file states, leaving out when its sources were re-read and where it came from."""
    return {key: value for key, value in (record or {}).items() if key not in ("reviewed", "sources", "body_line")}
