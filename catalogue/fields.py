"""The facts a provider file can state, each defined once.

One row per field ties together its checker (content validation), how people
read its name and value (the comparison table, later the provider page), its
vocabulary (filters) and whether the JSON twin returns it. Content validation,
the facets, ``compare.html`` and ``api.py`` all read this table.

A dotted key ("contact.phone") is a field inside a mapping ("contact").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from babel import Locale
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import checks
from . import vocabulary as v

MAX_NAME = 120
MAX_SUMMARY = 200

Shown = str | list[str] | None  # one line, several lines, or unknown


@dataclass(frozen=True)
class ProviderField:
    key: str
    check: checks.Checker
    label: Any = None  # a lazy string: how people read the field's name
    vocabulary: v.Vocabulary | None = None
    compare: bool = False  # a row in the comparison table
    api: bool = False  # returned for each result by the JSON twin
    swedish: bool = False  # free text written in Swedish, marked lang="sv" on other-language pages
    display: Callable[[dict], Shown] | None = None  # the value as people read it, when labels are not enough

    def value(self, record: dict) -> Any:
        value: Any = record
        for part in self.key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    def show(self, record: dict) -> Shown:
        """The value in the page's language, or None when the provider has not stated it."""
        if self.display:
            return self.display(record)
        value = self.value(record)
        if value is None or value == []:
            return None
        if isinstance(value, bool):
            return _("Ja") if value else _("Nej")
        if self.vocabulary is not None:
            values = value if isinstance(value, list) else [value]
            return ", ".join(self.vocabulary.label(item) for item in values)
        return ", ".join(value) if isinstance(value, list) else str(value)


def _district(record: dict) -> Shown:
    if not record.get("district"):
        return record.get("neighbourhood")
    name = v.DISTRICTS.label(record["district"])
    return f"{name} ({record['neighbourhood']})" if record.get("neighbourhood") else name


def _clock(time: str) -> str:
    return time.replace(":", ".")


def opening_hours_lines(record: dict) -> Shown:
    """ "Måndag–fredag 09.00–16.00 (lunch 12–13)", one line per period."""
    lines = []
    for period in record.get("opening_hours") or []:
        days = v.WEEKDAYS.label(period["days"][0]).capitalize()
        if len(period["days"]) > 1:
            days += "–" + v.WEEKDAYS.label(period["days"][1])
        line = f"{days} {_clock(period['opens'])}–{_clock(period['closes'])}"
        lines.append(line + (f" ({period['note']})" if period.get("note") else ""))
    return lines or None


def language_name(code: str) -> str:
    """A language named in the page's language: "sv" is "Swedish" on /en/."""
    return Locale.parse(str(get_locale())).languages.get(code, code)


def _languages(record: dict) -> Shown:
    return ", ".join(language_name(code) for code in record["languages"]) if record.get("languages") else None


FIELDS: tuple[ProviderField, ...] = (
    ProviderField("name", checks.text(MAX_NAME, single_line=True), api=True, swedish=True),
    ProviderField("summary", checks.text(MAX_SUMMARY, single_line=True), api=True, swedish=True),
    ProviderField("status", checks.one_of(v.STATUSES), vocabulary=v.STATUSES),
    ProviderField("verified", checks.date),
    ProviderField("sources", checks.sources),
    ProviderField("orientation", checks.list_of(checks.one_of(v.ORIENTATIONS)), _l("Inriktning"), v.ORIENTATIONS,
                  compare=True, api=True),
    ProviderField("activities", checks.list_of(checks.one_of(v.ACTIVITIES)), _l("Aktiviteter"), v.ACTIVITIES,
                  compare=True, api=True),
    ProviderField("hours", checks.list_of(checks.one_of(v.HOURS)), _l("Timmar i veckan"), v.HOURS,
                  compare=True, api=True),
    ProviderField("ips", checks.boolean, _l("Stöd till jobb enligt IPS"), compare=True, api=True),
    ProviderField("access", checks.list_of(checks.one_of(v.ACCESS)), _l("Hur du börjar"), v.ACCESS,
                  compare=True, api=True),
    ProviderField("district", checks.one_of(v.DISTRICTS), _l("Stadsdel"), v.DISTRICTS, compare=True, api=True,
                  display=_district),
    ProviderField("neighbourhood", checks.text(80, single_line=True), swedish=True),
    ProviderField("transport", checks.list_of(checks.text(120, single_line=True)), _l("Kollektivtrafik"),
                  compare=True, swedish=True),
    ProviderField("opening_hours", checks.list_of(checks.opening_period), _l("Öppettider"), compare=True,
                  display=opening_hours_lines),
    ProviderField("opening_note", checks.text(300), _l("Om öppettiderna"), swedish=True),
    ProviderField("languages", checks.list_of(checks.language), _l("Språk som personalen talar"), compare=True,
                  display=_languages),
    ProviderField("physical_accessibility", checks.list_of(checks.one_of(v.PHYSICAL_ACCESSIBILITY)),
                  _l("Tillgänglighet"), v.PHYSICAL_ACCESSIBILITY, compare=True),
    ProviderField("operator", checks.one_of(v.OPERATORS), _l("Driver verksamheten"), v.OPERATORS, compare=True,
                  api=True),
    ProviderField("operator_name", checks.text(120, single_line=True), _l("Organisation"), swedish=True),
    ProviderField("valfrihetssystem", checks.boolean, _l("Ingår i stadens valfrihetssystem")),
    ProviderField("target_group", checks.text(300), _l("Målgrupp"), swedish=True),
    ProviderField("age", checks.age, _l("Ålder")),
    ProviderField("address", checks.mapping({"street": checks.text(100), "postal_code": checks.text(10),
                                             "city": checks.text(60), "note": checks.text(200)}),
                  _l("Adress"), swedish=True),
    ProviderField("contact.phone", checks.phone, _l("Telefon"), compare=True),
    ProviderField("contact.email", checks.email, _l("E-post")),
    ProviderField("contact.website", checks.url, _l("Webbplats")),
)  # fmt: skip
FIELDS_BY_KEY = {field.key: field for field in FIELDS}
REQUIRED = ("name", "summary", "status", "verified", "sources")
COMPARED = tuple(field for field in FIELDS if field.compare)
API_FIELDS = tuple(field for field in FIELDS if field.api)


def checkers() -> dict[str, checks.Checker]:
    """The checker of every top-level key; dotted keys are gathered into their mapping."""
    top: dict[str, checks.Checker] = {}
    nested: dict[str, dict[str, checks.Checker]] = {}
    for field in FIELDS:
        parent, _dot, child = field.key.partition(".")
        if child:
            if parent not in nested:
                nested[parent] = {}
                top[parent] = checks.mapping(nested[parent])
            nested[parent][child] = field.check
        else:
            top[parent] = field.check
    return top
