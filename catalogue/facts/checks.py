"""Checkers for content fields, and how their problems are reported.

Editors fix content from the messages, so every problem in a file is reported
at once as ``path:line: field: message``, with a suggestion for near misses.
The messages are for the Swedish-speaking editors only and are not translated.

A checker takes (value, problems, path) and returns the clean value, or None
after reporting what is wrong.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from babel import Locale

from catalogue.facts import textpolicy
from catalogue.facts import vocabulary as v

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_PHONE = re.compile(r"^\+?[\d\s-]{6,20}$")
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]+$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_LANGUAGE_NAMES = Locale("sv").languages


# Where a value is in a file: its keys and list positions, ("contact", "phone") or ("sources", 0, "date").
FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class ContentError:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field + ': ' if self.field else ''}{self.message}"


class Problems:
    """Collects errors for one file, finding each field's line in the YAML."""

    def __init__(self, path: str, offset: int = 1) -> None:
        self.path, self.offset = path, offset
        self.lines: dict[FieldPath, int] = {}
        self.errors: list[ContentError] = []

    def add(self, field_path: FieldPath, message: str) -> None:
        line = self.offset
        for depth in range(len(field_path), 0, -1):
            if field_path[:depth] in self.lines:
                line = self.lines[field_path[:depth]]
                break
        name = ".".join(str(part) for part in field_path) or "front matter"
        self.errors.append(ContentError(self.path, line, name, message))


Checker = Callable[[Any, Problems, FieldPath], Any]


def did_you_mean(suggestion: str | None) -> str:
    return f" – menade du '{suggestion}'?" if suggestion else ""


def closest(word: str, candidates: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(str(word), list(candidates), n=1)
    return close[0] if close else None


# Fields that were renamed, and what to write instead: an editor with an old habit gets the reason.
RENAMED = {
    "verified": (
        "reviewed",
        "fältet heter nu reviewed (dagen då redaktionen senast läste källorna). Har verksamheten själv "
        "bekräftat uppgifterna skrivs det som confirmed: {date: ÅÅÅÅ-MM-DD, via: invitation, phone, email eller visit}",
    ),
}


def check_fields(
    data: dict[str, Any], fields: dict[str, Checker], required: tuple[str, ...], problems: Problems, path: FieldPath
) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if key not in fields:
            if key in RENAMED and RENAMED[key][0] in fields:
                problems.add(path + (key,), RENAMED[key][1])
            else:
                problems.add(path + (key,), "okänt fält" + did_you_mean(closest(key, fields)))
            continue
        if value is None:
            problems.add(path + (key,), "saknar värde – ta bort fältet om uppgiften är okänd")
            continue
        result = fields[key](value, problems, path + (key,))
        if result is not None:
            clean[key] = result
    for key in required:
        if key not in data:
            problems.add(path + (key,), "fältet krävs men saknas")
    return clean


@dataclass(frozen=True)
class Text:
    """Free text: trimmed, at most ``limit`` characters, one line when ``single_line``, nothing invisible.

    The suggestion form asks with the same limit (``suggestions.Question``): what a visitor may send, a
    file may hold."""

    limit: int
    single_line: bool = False

    def __call__(self, value: Any, problems: Problems, path: FieldPath) -> str | None:
        if not isinstance(value, str) or not value.strip():
            problems.add(path, "ska vara en text")
            return None
        if code := textpolicy.forbidden(value):
            problems.add(path, f"innehåller ett osynligt styrtecken ({code}): ta bort det")
            return None
        clean = " ".join(value.split())
        if self.single_line and "\n" in value.strip():
            problems.add(path, "ska vara en enda rad")
        if len(clean) > self.limit:
            problems.add(path, f"är {len(clean)} tecken, högst {self.limit} är tillåtet")
            return None
        return clean


def text(limit: int, single_line: bool = False) -> Text:
    return Text(limit, single_line)


def boolean(value: Any, problems: Problems, path: FieldPath) -> bool | None:
    if not isinstance(value, bool):
        problems.add(path, "ska vara true eller false")
        return None
    return value


def one_of(vocabulary: v.Vocabulary) -> Callable[[Any, Problems, FieldPath], str | None]:
    def check(value: Any, problems: Problems, path: FieldPath) -> str | None:
        slug = vocabulary.canonical(value) if isinstance(value, (str, int)) else None
        if slug is None:
            hint = did_you_mean(vocabulary.suggest(value))
            problems.add(path, f"okänt värde '{value}'{hint} (tillåtna: {', '.join(vocabulary)})")
        return slug

    return check


@dataclass(frozen=True)
class ListOf:
    """A list of values each checked by ``item``; one value alone is read as a list of one. The field table
    reads a list's shape from it (``fields.ProviderField.json_schema``)."""

    item: Checker

    def __call__(self, value: Any, problems: Problems, path: FieldPath) -> list[Any] | None:
        items = value if isinstance(value, list) else [value]
        clean: list[Any] = []
        for index, item in enumerate(items):
            result = self.item(item, problems, path + (index,) if isinstance(value, list) else path)
            if result is not None and result not in clean:
                clean.append(result)
        return clean or None


def list_of(check_item: Checker) -> ListOf:
    return ListOf(check_item)


def mapping(
    fields: dict[str, Checker], required: tuple[str, ...] = ()
) -> Callable[[Any, Problems, FieldPath], dict[str, Any] | None]:
    def check(value: Any, problems: Problems, path: FieldPath) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            problems.add(path, "ska vara en lista med fält (nyckel: värde)")
            return None
        return check_fields(value, fields, required, problems, path)

    return check


def language(value: Any, problems: Problems, path: FieldPath) -> str | None:
    code = str(value).strip().lower()
    if code not in _LANGUAGE_NAMES:
        problems.add(path, f"okänd språkkod '{value}' (använd ISO 639-1, till exempel sv, en, fi, ar, so)")
        return None
    return code


def date(value: Any, problems: Problems, path: FieldPath) -> str | None:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        if value > dt.date.today():
            problems.add(path, "datumet ligger i framtiden")
            return None
        return value.isoformat()
    problems.add(path, "ska vara ett datum som ÅÅÅÅ-MM-DD")
    return None


def url(value: Any, problems: Problems, path: FieldPath) -> str | None:
    if not isinstance(value, str) or not _URL.match(value) or textpolicy.forbidden(value):
        problems.add(path, "ska vara en webbadress som börjar med https:// eller http://")
        return None
    return value


def whole_number(value: Any, problems: Problems, path: FieldPath) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 120:
        problems.add(path, "ska vara ett heltal mellan 0 och 120")
        return None
    return value


def age(value: Any, problems: Problems, path: FieldPath) -> dict[str, Any] | None:
    limits = mapping({"min": whole_number, "max": whole_number})(value, problems, path)
    if limits and "min" in limits and "max" in limits and limits["min"] > limits["max"]:
        problems.add(path, "min är större än max")
        return None
    return limits


def time(value: Any, problems: Problems, path: FieldPath) -> str | None:
    clean = str(value)
    if not _TIME.match(clean):
        problems.add(path, 'ska vara en tid som TT:MM inom citattecken, till exempel "09:00"')
        return None
    return clean


def days(value: Any, problems: Problems, path: FieldPath) -> list[str] | None:
    parts = [part.strip() for part in str(value).strip().lower().split("-")]
    if len(parts) > 2 or any(part not in v.WEEKDAYS for part in parts):
        problems.add(path, "ska vara en veckodag eller ett spann som mon-fri (mon tue wed thu fri sat sun)")
        return None
    return parts


def opening_period(value: Any, problems: Problems, path: FieldPath) -> dict[str, Any] | None:
    period = mapping(
        {"days": days, "opens": time, "closes": time, "note": text(120), "part": text(60, single_line=True)},
        ("days", "opens", "closes"),
    )(value, problems, path)
    if period and "opens" in period and "closes" in period and period["opens"] >= period["closes"]:
        problems.add(path + ("closes",), "stänger före eller samtidigt som den öppnar")
        return None
    return period


def phone(value: Any, problems: Problems, path: FieldPath) -> str | None:
    if not _PHONE.match(str(value)) or textpolicy.forbidden(str(value)):
        problems.add(path, "ska vara ett telefonnummer, till exempel 08-508 00 000")
        return None
    return str(value)


MAX_EMAIL = 254  # the longest address SMTP carries (RFC 5321)


def is_email(text: str) -> bool:
    """Shaped like an address (no brackets, quotes or invisible characters): the content check, the
    suggestion form's reply field and an editor's address agree."""
    return bool(_EMAIL.fullmatch(text)) and textpolicy.forbidden(text) is None


def email(value: Any, problems: Problems, path: FieldPath) -> str | None:
    if not isinstance(value, str) or not is_email(value):
        problems.add(path, "ska vara en e-postadress")
        return None
    return value


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")


def evidence_date(value: Any, problems: Problems, path: FieldPath) -> str | None:
    """When a source said it: a year (2014), a month (2014-02) or a day (2014-02-18), never in the future.

    Kept as text of that precision, so that "2014" is never shown as if it were a day."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return date(value, problems, path)
    found = _PARTIAL_DATE.match(str(value).strip())
    if not found or not 1900 <= int(found.group(1)):
        problems.add(path, "ska vara ett år (2014), en månad (2014-02) eller ett datum (2014-02-18)")
        return None
    if int(found.group(1)) > dt.date.today().year:
        problems.add(path, "datumet ligger i framtiden")
        return None
    return found.group(0)


def sources(value: Any, problems: Problems, path: FieldPath) -> list[Any] | None:
    """Where the facts come from: a title, when the source said it, an optional address, and the fields it supports."""
    source = mapping(
        {"url": url, "title": text(200), "date": evidence_date, "covers": list_of(text(40))},
        required=("title", "date"),
    )
    return list_of(source)(value, problems, path)
