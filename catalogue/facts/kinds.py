"""Structured kinds of value: an opening period, an address, an age range, languages.

Each kind is the one home of its shape: how the content's value is checked, how people read it, how an
answer on the suggestion form is read back into it, and its JSON schema (the JSON twin, OpenAPI). A
provider field of a kind names it in its row (``fields.FIELDS``); the checks, the pages, the form,
``editing`` and ``openapi`` read it from there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from babel import Locale
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from catalogue import i18n
from catalogue.facts import checks
from catalogue.facts import vocabulary as v

Shown = str | list[str] | None  # one line, several lines, or unknown
TEXT = {"type": "string"}


class Unreadable(ValueError):
    """A form answer that cannot be read as its kind; the message says how to write it (in Swedish, for
    the editor: a visitor's form says it in the visitor's language, from the question's ``shape``)."""


@dataclass(frozen=True)
class Kind:
    check: checks.Checker
    show: Callable[[dict[str, Any]], Shown]  # from the whole record: a kind may say more than its own value
    schema: dict[str, Any]
    read: Callable[[str, dict[str, Any] | None], Any] | None = None  # a form answer, and the record as it is now
    form_text: Callable[[dict[str, Any]], str] | None = None  # what the form holds today, when not the shown lines


# Opening periods: "Måndag–fredag 09.00–16.00 (lunch 12–13)".

_PERIOD_LINE = re.compile(
    r"^(?P<first>[^\W\d_]+)(?:\s*[–-]\s*(?P<last>[^\W\d_]+))?\s+"
    r"(?P<opens>\d{1,2})[.:](?P<opens_min>\d\d)\s*[–-]\s*(?P<closes>\d{1,2})[.:](?P<closes_min>\d\d)"
    r"(?:\s*\((?P<note>[^)]*)\))?$"
)


def _clock(time: str) -> str:
    return time.replace(":", ".")


class PeriodLine(str):
    """ "Måndag–fredag 09.00–16.00 (Öppna delen – lunch)": the days and times in the page's language, and in
    brackets what the content says in Swedish (``said``), which pages mark as Swedish (``_macros.period``)."""

    times: str
    said: str

    def __new__(cls, times: str, said: str) -> PeriodLine:
        line = super().__new__(cls, times + (f" ({said})" if said else ""))
        line.times, line.said = times, said
        return line


def opening_hours_lines(record: dict[str, Any]) -> list[str]:
    """One line per period, the part it belongs to or its note in brackets. The form reads them back."""
    lines: list[str] = []
    for period in record.get("opening_hours") or []:
        days = v.WEEKDAYS.label(period["days"][0]).capitalize()
        if len(period["days"]) > 1:
            days += "–" + v.WEEKDAYS.label(period["days"][1])
        times = f"{days} {_clock(period['opens'])}–{_clock(period['closes'])}"
        said = " – ".join(filter(None, [period.get("part"), period.get("note")]))  # "(Öppna delen – lunch)"
        lines.append(PeriodLine(times, said))
    return lines


class SwedishLine(str):
    """A line of free text from the content inside a translated list: pages mark it lang="sv"."""

    swedish = True


def _when_open(record: dict[str, Any]) -> Shown:
    """The opening periods and, after them, what the structure cannot say ("Mest öppet på eftermiddagar"):
    one fact, so that no page says the hours are unknown while it knows something about them."""
    note = [SwedishLine(record["opening_note"])] if record.get("opening_note") else []
    return opening_hours_lines(record) + note or None


def _weekday_names() -> dict[str, str]:
    """Day names in every language of the site ("måndag", "Monday", "maanantai" …) and the slugs."""
    names = {slug: slug for slug in v.WEEKDAYS}
    for code in i18n.LANGUAGES:
        with force_locale(code):
            names |= {str(v.WEEKDAYS.label(slug)).casefold(): slug for slug in v.WEEKDAYS}
    return names


def _read_periods(text: str, record: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    """Lines as the provider page writes them back to periods; a bracket that names one of the offering's
    parts ("(Öppna delen)") says whose times they are."""
    parts = tuple(part["name"] for part in (record or {}).get("parts") or [])
    days = _weekday_names()
    periods = []
    for number, line in enumerate(text.splitlines(), start=1):
        found = _PERIOD_LINE.match(line.strip())
        first = days.get((found.group("first") if found else "").casefold())
        last = days.get(found.group("last").casefold()) if found and found.group("last") else None
        if not found or first is None or (found.group("last") and last is None):
            raise Unreadable(
                f"Öppettider, rad {number}: skriv som ”Måndag–fredag 09.00–16.00” eller ”Tisdag 10.00–14.00 (lunch)”."
            )
        period: dict[str, Any] = {
            "days": f"{first}-{last}" if last else first,
            "opens": f"{int(found['opens']):02d}:{found['opens_min']}",
            "closes": f"{int(found['closes']):02d}:{found['closes_min']}",
        }
        if found.group("note"):  # "(Öppna delen – lunch)": a part's name, a note, or both
            said = found.group("note").strip()
            part, _dash, note = said.partition(" – ")
            if part in parts:
                period["part"] = part
                said = note.strip()
            if said:
                period["note"] = said
        periods.append(period)
    return periods or None


OPENING_HOURS = Kind(
    check=checks.list_of(checks.opening_period),
    show=_when_open,
    schema={"type": ["array", "null"], "items": {
        "type": "object",
        "required": ["days", "opens", "closes"],
        "properties": {
            "days": {"type": "array", "items": {"enum": list(v.WEEKDAYS)}, "minItems": 1, "maxItems": 2},
            "opens": {"type": "string", "pattern": r"^\d\d:\d\d$"},
            "closes": {"type": "string", "pattern": r"^\d\d:\d\d$"},
            "note": TEXT,
            "part": TEXT,
        },
    }},
    read=_read_periods,
    form_text=lambda record: "\n".join(opening_hours_lines(record)),  # the periods alone, not the note
)  # fmt: skip


# An address: "Götgatan 12, 118 46 Stockholm, ingång från gården".

_POSTAL_TOWN = re.compile(r"^(\d{3}\s?\d{2})\s+(.+)$")


def address_line(record: dict[str, Any]) -> str | None:
    address = record.get("address") or {}
    town = " ".join(filter(None, [address.get("postal_code"), address.get("city")]))
    return ", ".join(filter(None, [address.get("street"), town, address.get("note")])) or None


def _read_address(line: str, record: dict[str, Any] | None) -> dict[str, str] | None:
    """The line as the page writes it (street, "postal code city", note) -> street, postal code and city; the
    rest is a note. What is still as the file says keeps its place, commas and all, so an address known only
    by its note stays a note."""
    current = (record or {}).get("address") or {}
    town = " ".join(filter(None, [current.get("postal_code"), current.get("city")]))
    kept = {"street": current.get("street"), "town": town, "note": current.get("note")}
    for key, text in kept.items():
        if text and text in line:
            line = line.replace(text, f"\0{key}\0", 1)
    address: dict[str, str] = {}
    notes: list[str] = []
    for part in (part.strip() for part in line.split(",") if part.strip()):
        found = _POSTAL_TOWN.match(part)
        if part == "\0town\0":
            address |= {key: current[key] for key in ("postal_code", "city") if current.get(key)}
        elif part == "\0street\0" or (not address and not notes and not found and "\0" not in part):
            address["street"] = str(kept["street"]) if part == "\0street\0" else part
        elif found and "postal_code" not in address:
            address["postal_code"], address["city"] = found.group(1), found.group(2)
        else:
            notes.append(part.replace("\0note\0", kept["note"] or "").replace("\0", ""))
    if notes:
        address["note"] = ", ".join(notes)
    return address or None


ADDRESS = Kind(
    check=checks.mapping({"street": checks.text(100), "postal_code": checks.text(10), "city": checks.text(60),
                          "note": checks.text(200)}),
    show=address_line,
    schema={"type": ["object", "null"], "properties": {key: TEXT for key in ("street", "postal_code", "city", "note")}},
    read=_read_address,
)  # fmt: skip


# An age range: "18–30 år", "från 18 år".


def _age(record: dict[str, Any]) -> Shown:
    limits = record.get("age") or {}
    if "min" in limits and "max" in limits:
        return cast(str, _("%(min)d–%(max)d år", min=limits["min"], max=limits["max"]))
    if "min" in limits:
        return cast(str, _("från %(min)d år", min=limits["min"]))
    if "max" in limits:
        return cast(str, _("upp till %(max)d år", max=limits["max"]))
    return None


AGE_RANGE = Kind(
    check=checks.age,
    show=_age,
    schema={"type": ["object", "null"], "properties": {"min": {"type": "integer"}, "max": {"type": "integer"}}},
)


# Languages the staff speak, as ISO codes: "en", "ar".


def language_name(code: str) -> str:
    """A language named in the page's language: "sv" is "Swedish" on /en/."""
    return cast(str, Locale.parse(str(get_locale())).languages.get(code, code))


def _languages(record: dict[str, Any]) -> Shown:
    return ", ".join(language_name(code) for code in record["languages"]) if record.get("languages") else None


def _read_languages(line: str, record: dict[str, Any] | None = None) -> list[str] | None:
    """ "engelska, arabiska" (or "English", "en") -> ISO codes, in any language of the site."""
    known: dict[str, str] = {str(code): str(code) for code in Locale("sv").languages}
    for code in i18n.LANGUAGES:
        known |= {str(name).casefold(): str(iso) for iso, name in Locale.parse(code).languages.items()}
    codes = []
    for name in (part.strip() for part in re.split(r",|\boch\b|\band\b", line) if part.strip()):
        if name.casefold() not in known:
            raise Unreadable(
                f"Språk som personalen talar: okänt språk ”{name}”. Skriv till exempel: engelska, arabiska."
            )
        codes.append(known[name.casefold()])
    return list(dict.fromkeys(codes)) or None


LANGUAGES = Kind(
    check=checks.list_of(checks.language),
    show=_languages,
    schema={"type": ["array", "null"], "items": {"type": "string", "pattern": "^[a-z]{2,3}$"}},
    read=_read_languages,
)
