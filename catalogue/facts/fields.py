"""The facts a provider file can state, each defined once.

One row per field ties together its checker (content validation), how people
read its name and value (the comparison table, later the provider page), its
vocabulary (filters) and whether the JSON twin returns it. Content validation,
the facets, ``compare.html`` and ``api.py`` all read this table.

A dotted key ("contact.phone") is a field inside a mapping ("contact").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from babel import Locale
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from catalogue.facts import checks, evidence
from catalogue.facts import vocabulary as v

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
    describes: bool = False  # tells what, where, when or for whom: an offering with none is known only by name
    section: str | None = None  # where the provider page shows it (see SECTIONS)
    ask: bool = True  # when unknown, named in "Vi vet ännu inte: …" so that someone who knows can tell us
    link: str | None = None  # "tel", "mailto" or "web": the value is a link
    dated: bool = False  # changes often: shown with its year when the evidence is older than three years
    absent_is_unknown: bool = True  # False where leaving it out says something: no parts is one way in

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


def opening_hours_lines(record: dict) -> list[str]:
    """ "Måndag–fredag 09.00–16.00 (lunch 12–13)", one line per period, the part it belongs to or its
    note in brackets. The suggestion form reads these lines back (``editing``)."""
    lines = []
    for period in record.get("opening_hours") or []:
        days = v.WEEKDAYS.label(period["days"][0]).capitalize()
        if len(period["days"]) > 1:
            days += "–" + v.WEEKDAYS.label(period["days"][1])
        line = f"{days} {_clock(period['opens'])}–{_clock(period['closes'])}"
        said = " – ".join(filter(None, [period.get("part"), period.get("note")]))  # "(Öppna delen – lunch)"
        lines.append(line + (f" ({said})" if said else ""))
    return lines


class SwedishLine(str):
    """A line of free text from the content inside a translated list: pages mark it lang="sv"."""

    swedish = True


def _when_open(record: dict) -> Shown:
    """The opening periods and, after them, what the structure cannot say ("Mest öppet på eftermiddagar"):
    one fact, so that no page says the hours are unknown while it knows something about them."""
    note = [SwedishLine(record["opening_note"])] if record.get("opening_note") else []
    return opening_hours_lines(record) + note or None


# An offering with more than one way in ("parts"): an open part anyone may walk into, and work shifts
# that need a decision. Each part says its own access; the offering's ``access`` is all of them
# (``content.parse_provider``), and an opening period may name the part it belongs to.
PART_FIELDS: dict[str, checks.Checker] = {
    "name": checks.text(60, single_line=True),
    "access": checks.list_of(checks.one_of(v.ACCESS)),
    "summary": checks.text(200),  # what you do in this part
    "start": checks.text(200),  # how you start in this part, in plain words
}


def _access_labels(access: list[str]) -> str:
    return ", ".join(v.ACCESS.label(value) for value in access)


def _access(record: dict) -> Shown:
    """How to start, said for each part when the offering has parts: nothing reads as a contradiction."""
    if record.get("parts"):
        return [f"{part['name']}: {_access_labels(part['access'])}" for part in record["parts"]]
    return _access_labels(record["access"]) if record.get("access") else None


def _parts(record: dict) -> Shown:
    """Each part and what you do there, one line each: "Öppna delen: Du kan fika …" ("Så börjar du" and
    the access field say each part's way in)."""
    lines = [f"{part['name']}: {part['summary']}" if part.get("summary") else part["name"]
             for part in record.get("parts") or []]  # fmt: skip
    return lines or None


def _age(record: dict) -> Shown:
    limits = record.get("age") or {}
    if "min" in limits and "max" in limits:
        return _("%(min)d–%(max)d år", min=limits["min"], max=limits["max"])
    if "min" in limits:
        return _("från %(min)d år", min=limits["min"])
    if "max" in limits:
        return _("upp till %(max)d år", max=limits["max"])
    return None


def address_line(record: dict) -> str | None:
    address = record.get("address") or {}
    town = " ".join(filter(None, [address.get("postal_code"), address.get("city")]))
    return ", ".join(filter(None, [address.get("street"), town, address.get("note")])) or None


def language_name(code: str) -> str:
    """A language named in the page's language: "sv" is "Swedish" on /en/."""
    return Locale.parse(str(get_locale())).languages.get(code, code)


def _languages(record: dict) -> Shown:
    return ", ".join(language_name(code) for code in record["languages"]) if record.get("languages") else None


FIELDS: tuple[ProviderField, ...] = (
    ProviderField("name", checks.text(MAX_NAME, single_line=True), api=True, swedish=True),
    ProviderField("summary", checks.text(MAX_SUMMARY, single_line=True), api=True, swedish=True),
    ProviderField("status", checks.one_of(v.STATUSES), vocabulary=v.STATUSES),
    ProviderField("reviewed", checks.date),  # when an editor last re-read the sources: never a confirmation
    ProviderField("confirmed", checks.mapping({"date": checks.date, "via": checks.one_of(v.CONFIRMATION_WAYS)},
                                              ("date", "via"))),  # when the offering itself confirmed its facts
    ProviderField("sources", checks.sources),
    ProviderField("orientation", checks.list_of(checks.one_of(v.ORIENTATIONS)), _l("Inriktning"), v.ORIENTATIONS,
                  compare=True, api=True, describes=True, section="vad"),
    ProviderField("activities", checks.list_of(checks.one_of(v.ACTIVITIES)), _l("Aktiviteter"), v.ACTIVITIES,
                  compare=True, api=True, describes=True, section="vad"),
    ProviderField("hours", checks.list_of(checks.one_of(v.HOURS)), _l("Timmar i veckan"), v.HOURS,
                  compare=True, api=True, describes=True, section="nar"),
    ProviderField("ips", checks.boolean, _l("Stöd till jobb enligt IPS"), compare=True, api=True, describes=True,
                  section="vad"),
    ProviderField("access", checks.list_of(checks.one_of(v.ACCESS)), _l("Hur du börjar"), v.ACCESS,
                  display=_access, compare=True, api=True),  # the provider page says it in sentences (next_steps)
    ProviderField("parts", checks.list_of(checks.mapping(PART_FIELDS, ("name", "access"))), _l("Delar"),
                  swedish=True, display=_parts, describes=True, section="vad", api=True, ask=False,
                  absent_is_unknown=False),
    ProviderField("vacancies", checks.text(200, single_line=True), _l("Lediga platser"), swedish=True,
                  section="start", dated=True, ask=False),  # told by providers: it changes from month to month
    ProviderField("district", checks.one_of(v.DISTRICTS), _l("Stadsdel"), v.DISTRICTS, compare=True, api=True,
                  display=_district, describes=True, section="var"),
    ProviderField("neighbourhood", checks.text(80, single_line=True), swedish=True, describes=True),
    ProviderField("address", checks.mapping({"street": checks.text(100), "postal_code": checks.text(10),
                                             "city": checks.text(60), "note": checks.text(200)}),
                  _l("Adress"), swedish=True, describes=True, display=address_line, section="var", dated=True,
                  compare=True),
    ProviderField("transport", checks.list_of(checks.text(120, single_line=True)), _l("Kollektivtrafik"),
                  compare=True, swedish=True, describes=True, section="var"),
    ProviderField("opening_hours", checks.list_of(checks.opening_period), _l("Öppettider"), compare=True,
                  display=_when_open, describes=True, section="nar", dated=True),
    ProviderField("opening_note", checks.text(300), _l("Om öppettiderna"), swedish=True, describes=True,
                  ask=False),  # shown as the last line of the opening hours
    ProviderField("physical_accessibility", checks.list_of(checks.one_of(v.PHYSICAL_ACCESSIBILITY)),
                  _l("Tillgänglighet"), v.PHYSICAL_ACCESSIBILITY, compare=True, describes=True, section="var"),
    ProviderField("operator", checks.one_of(v.OPERATORS), _l("Driver verksamheten"), v.OPERATORS, compare=True,
                  api=True, section="om"),
    ProviderField("operator_name", checks.text(120, single_line=True), _l("Organisation"), swedish=True,
                  section="om", ask=False),
    ProviderField("valfrihetssystem", checks.boolean, _l("Ingår i stadens valfrihetssystem"), section="om",
                  ask=False),
    ProviderField("target_group", checks.text(300), _l("Målgrupp"), swedish=True, describes=True, section="for-vem",
                  compare=True),
    ProviderField("age", checks.age, _l("Ålder"), describes=True, display=_age, section="for-vem"),
    ProviderField("languages", checks.list_of(checks.language), _l("Språk som personalen talar"), compare=True,
                  display=_languages, describes=True, section="for-vem"),
    ProviderField("contact.phone", checks.phone, _l("Telefon"), compare=True, describes=True, section="start",
                  link="tel", dated=True),
    ProviderField("contact.email", checks.email, _l("E-post"), describes=True, section="start", link="mailto",
                  dated=True),
    ProviderField("contact.website", checks.url, _l("Webbplats"), describes=True, section="start", link="web",
                  dated=True, compare=True),
)  # fmt: skip
FIELDS_BY_KEY = {field.key: field for field in FIELDS}
REQUIRED = ("name", "summary", "status", "reviewed", "sources")
COMPARED = tuple(field for field in FIELDS if field.compare)
# What a client takes home from Min lista, beside how to start: where it is, when, and its own addresses.
TAKE_HOME = tuple(FIELDS_BY_KEY[key] for key in ("address", "opening_hours", "vacancies", "contact.website"))
FACTS = tuple(field for field in FIELDS if field.label is not None)  # what a provider page can show, in order
API_FIELDS = tuple(field for field in FIELDS if field.api)


def stated(field: ProviderField, record: dict) -> bool:
    return field.value(record) not in (None, [], {})


def known_facts(record: dict) -> int:
    """How many facts the provider has stated: at equal relevance, the better known ranks higher."""
    return sum(stated(field, record) for field in FACTS)


def known_only_by_name(record: dict) -> bool:
    """Nothing stated about what you do there, where, when or for whom."""
    return not any(stated(field, record) for field in FIELDS if field.describes)


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


SECTIONS = {
    "start": _l("Så börjar du"),
    "vad": _l("Vad du gör där"),
    "for-vem": _l("För vem"),
    "var": _l("Var"),
    "nar": _l("När"),
    "om": _l("Om verksamheten"),
}


@dataclass(frozen=True)
class Fact:
    """One stated fact as every page shows it: the provider page, Min lista, Jämför and the printout."""

    field: ProviderField
    shown: str | list[str]
    old_year: str | None = None  # the year of its evidence, when that is more than three years ago


def fact(field: ProviderField, record: dict, today: dt.date) -> Fact | None:
    """The fact with its age label, or None when the provider has not stated it."""
    shown = field.show(record)
    if shown is None:
        return None
    return Fact(field, shown, evidence.fact_old_year(record, field.key, today) if field.dated else None)


@dataclass(frozen=True)
class ProviderFacts:
    """A provider page's view model: what we know, in the fixed order, what we do not, and how old it is."""

    sections: dict[str, list[Fact]]
    unknown: list[ProviderField]
    evidence: evidence.Evidence

    def unknown_labels(self) -> str:
        return ", ".join(lower_first(str(field.label)) for field in self.unknown)

    @property
    def evidence_said(self) -> str:
        """How old the facts are, said first on the page (``evidence.said``)."""
        return " ".join(evidence.said(self.evidence))

    @property
    def start_notes(self) -> list[Fact]:
        """What "Så börjar du" tells beside the ways in (free places): the ways show the phone and addresses."""
        return [found for found in self.sections["start"] if found.field.link is None]


def lower_first(label: str) -> str:
    """ "Stöd till jobb enligt IPS" inside a sentence: "stöd till jobb enligt IPS", acronyms kept."""
    return label[:1].lower() + label[1:]


def provider_facts(record: dict, today: dt.date) -> ProviderFacts:
    sections: dict[str, list[Fact]] = {name: [] for name in SECTIONS}
    unknown = []
    for field in FACTS:
        if field.section is None:
            continue
        found = fact(field, record, today)
        if found is None:
            if field.ask:
                unknown.append(field)
            continue
        sections[field.section].append(found)
    unknown.sort(key=lambda field: list(SECTIONS).index(field.section or ""))  # in the order of the page
    return ProviderFacts(sections, unknown, evidence.evidence_of(record))
