"""The facts a provider file can state, each defined once.

One row per field holds what is the field's own: its checker (content validation), how people read its
name and value (the provider page, Jämför, Min lista), its vocabulary (filters), whether the JSON twin
returns it and its JSON schema, its HSDS taxonomy, and its question on the suggestion form. A field of a
structured kind (``kinds``: a period, an address, an age range, languages) takes its check, display,
form reading and schema from the kind. Content validation, the facets, the pages, ``suggestions``,
``editing`` and ``openapi`` read this table; ``hsds`` reads its taxonomies from it and maps the fields
into HSDS's own objects itself.

A dotted key ("contact.phone") is a field inside a mapping ("contact").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from catalogue.facts import checks, evidence, kinds
from catalogue.facts import vocabulary as v
from catalogue.facts.kinds import Kind, Shown

MAX_NAME = 120
MAX_SUMMARY = 200

TEXT = {"type": "string"}
NULLABLE_TEXT = {"type": ["string", "null"]}
_SOURCE = {
    "type": "object",
    "required": ["title", "date"],
    "properties": {"title": TEXT, "date": {"type": "string", "pattern": r"^\d{4}(-\d\d){0,2}$"}, "url": TEXT,
                   "covers": {"type": "array", "items": TEXT}},
}  # fmt: skip


@dataclass(frozen=True)
class Ask:
    """How the suggestion form asks for a field (``suggestions.Question``): "choices" (its vocabulary),
    "yes_no", "line", "lines" (one per line) or "text"; a hint, a limit below the content's own, and what to
    say when an answer cannot be written in the shape the content needs."""

    kind: str
    hint: Any = None
    limit: int | None = None
    shape: Any = None
    label: Any = None  # when the form names it otherwise than the page


@dataclass(frozen=True)
class ProviderField:
    key: str
    check: checks.Checker
    label: Any = None  # a lazy string: how people read the field's name
    vocabulary: v.Vocabulary | None = None
    compare: bool = False  # a row in the comparison table
    api: bool = False  # returned for each result by the JSON twin
    swedish: bool = False  # free text written in Swedish, marked lang="sv" on other-language pages
    display: Callable[[dict[str, Any]], Shown] | None = None  # the value as people read it, when labels are not enough
    describes: bool = False  # tells what, where, when or for whom: an offering with none is known only by name
    section: str | None = None  # where the provider page shows it (see SECTIONS)
    ask: bool = True  # when unknown, named in "Vi vet ännu inte: …" so that someone who knows can tell us
    link: str | None = None  # "tel", "mailto" or "web": the value is a link
    dated: bool = False  # changes often: shown with its year when the evidence is older than three years
    absent_is_unknown: bool = True  # False where leaving it out says something: no parts is one way in
    kind: Kind | None = None  # a structured kind (``kinds``): its check, display, form reading and schema
    schema: dict[str, Any] | None = None  # its JSON schema, when neither its kind, vocabulary nor checker says it
    ask_as: Ask | None = None  # a question on the suggestion form
    taxonomy: str | None = None  # an HSDS taxonomy, attached to this entity ("service" or "organization")
    taxonomy_terms: dict[str, object] | None = None  # the taxonomy's terms, when not its vocabulary's

    @property
    def json_schema(self) -> dict[str, Any]:
        """How the field is sent (JSON twin, OpenAPI): null, or absent from a list, when it is not stated."""
        if self.kind is not None:
            return self.kind.schema
        if self.schema is not None:
            return self.schema
        if self.vocabulary is not None:
            values = list(self.vocabulary)
            many = isinstance(self.check, checks.ListOf)
            return {"type": ["array", "null"], "items": {"enum": values}} if many else {"enum": [*values, None]}
        if self.check is checks.boolean:
            return {"type": ["boolean", "null"]}
        return NULLABLE_TEXT

    def value(self, record: dict[str, Any]) -> Any:
        value: Any = record
        for part in self.key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    def show(self, record: dict[str, Any]) -> Shown:
        """The value in the page's language, or None when the provider has not stated it."""
        if self.kind is not None:
            return self.kind.show(record)
        if self.display:
            return self.display(record)
        value = self.value(record)
        if value is None or value == []:
            return None
        if isinstance(value, bool):
            return cast(str, _("Ja") if value else _("Nej"))
        if self.vocabulary is not None:
            values = value if isinstance(value, list) else [value]
            return ", ".join(self.vocabulary.label(item) for item in values)
        return ", ".join(value) if isinstance(value, list) else str(value)


def _district(record: dict[str, Any]) -> Shown:
    if not record.get("district"):
        return record.get("neighbourhood")
    name = v.DISTRICTS.label(record["district"])
    return f"{name} ({record['neighbourhood']})" if record.get("neighbourhood") else name


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


def _access(record: dict[str, Any]) -> Shown:
    """How to start, said for each part when the offering has parts: nothing reads as a contradiction."""
    if record.get("parts"):
        return [f"{part['name']}: {_access_labels(part['access'])}" for part in record["parts"]]
    return _access_labels(record["access"]) if record.get("access") else None


def _parts(record: dict[str, Any]) -> Shown:
    """Each part and what you do there, one line each: "Öppna delen: Du kan fika …" ("Så börjar du" and
    the access field say each part's way in)."""
    lines = [f"{part['name']}: {part['summary']}" if part.get("summary") else part["name"]
             for part in record.get("parts") or []]  # fmt: skip
    return lines or None


def of_kind(key: str, kind: Kind, label: Any, **row: Any) -> ProviderField:
    """A field of a structured kind: its checker is the kind's."""
    return ProviderField(key, kind.check, label, kind=kind, **row)


FIELDS: tuple[ProviderField, ...] = (
    ProviderField("name", checks.text(MAX_NAME, single_line=True), api=True, swedish=True),
    ProviderField("summary", checks.text(MAX_SUMMARY, single_line=True), api=True, swedish=True),
    ProviderField("status", checks.one_of(v.STATUSES), vocabulary=v.STATUSES),
    ProviderField("reviewed", checks.date,  # when an editor last re-read the sources: never a confirmation
                  schema={"type": "string", "format": "date"}),
    ProviderField("confirmed", checks.mapping({"date": checks.date, "via": checks.one_of(v.CONFIRMATION_WAYS)},
                                              ("date", "via")),  # when the offering itself confirmed its facts
                  schema={"type": ["object", "null"], "required": ["date", "via"], "properties": {
                      "date": {"type": "string", "format": "date"}, "via": {"enum": list(v.CONFIRMATION_WAYS)}}}),
    ProviderField("sources", checks.sources, schema={"type": "array", "items": _SOURCE}),
    ProviderField("orientation", checks.list_of(checks.one_of(v.ORIENTATIONS)), _l("Inriktning"), v.ORIENTATIONS,
                  compare=True, api=True, describes=True, section="vad", taxonomy="service"),
    ProviderField("activities", checks.list_of(checks.one_of(v.ACTIVITIES)), _l("Aktiviteter"), v.ACTIVITIES,
                  compare=True, api=True, describes=True, section="vad", taxonomy="service"),
    ProviderField("hours", checks.list_of(checks.one_of(v.HOURS)), _l("Timmar i veckan"), v.HOURS,
                  compare=True, api=True, describes=True, section="nar", taxonomy="service",
                  ask_as=Ask("choices", hint=_l("Hur många timmar i veckan man kan vara här, enligt beslutet."))),
    ProviderField("ips", checks.boolean, _l("Stöd till jobb enligt IPS"), compare=True, api=True, describes=True,
                  section="vad", ask_as=Ask("yes_no"), taxonomy="service",
                  # A stated no is a fact worth sending (the site lists it as "Nej"), so IPS has a term for it.
                  taxonomy_terms={"ja": v.IPS.terms["ja"], "nej": "Arbetar inte med IPS"}),
    ProviderField("access", checks.list_of(checks.one_of(v.ACCESS)), _l("Hur du börjar"), v.ACCESS,
                  display=_access, compare=True, api=True,  # the provider page says it in sentences (next_steps)
                  ask_as=Ask("choices"), taxonomy="service"),
    ProviderField("parts", checks.list_of(checks.mapping(PART_FIELDS, ("name", "access"))), _l("Delar"),
                  swedish=True, display=_parts, describes=True, section="vad", api=True, ask=False,
                  absent_is_unknown=False,
                  schema={"type": ["array", "null"], "items": {"type": "object", "required": ["name", "access"],
                          "properties": {"name": TEXT, "access": {"type": "array", "items": {"enum": list(v.ACCESS)}},
                                         "summary": TEXT, "start": TEXT}}}),
    ProviderField("vacancies", checks.text(200, single_line=True), _l("Lediga platser"), swedish=True,
                  section="start", dated=True, ask=False,  # told by providers: it changes from month to month
                  ask_as=Ask("line", hint=_l("Till exempel: tre lediga platser i januari."))),
    ProviderField("district", checks.one_of(v.DISTRICTS), _l("Stadsdel"), v.DISTRICTS, compare=True, api=True,
                  display=_district, describes=True, section="var"),
    ProviderField("neighbourhood", checks.text(80, single_line=True), swedish=True, describes=True),
    of_kind("address", kinds.ADDRESS, _l("Adress"), swedish=True, describes=True, section="var", dated=True,
            compare=True, ask_as=Ask("line", hint=_l("Gatuadress, postnummer och ort."))),
    ProviderField("transport", checks.list_of(checks.text(120, single_line=True)), _l("Kollektivtrafik"),
                  compare=True, swedish=True, describes=True, section="var",
                  schema={"type": ["array", "null"], "items": TEXT},
                  ask_as=Ask("lines", hint=_l("En rad för varje hållplats eller linje."))),
    of_kind("opening_hours", kinds.OPENING_HOURS, _l("Öppettider"), compare=True, describes=True, section="nar",
            dated=True, ask_as=Ask("lines", hint=_l("Till exempel: Måndag–fredag 09.00–16.00."),
            shape=_l("%(field)s: skriv en rad för varje tid, till exempel ”Måndag–fredag 09.00–16.00”."))),
    ProviderField("opening_note", checks.text(300), _l("Om öppettiderna"), swedish=True, describes=True,
                  ask=False),  # shown as the last line of the opening hours
    ProviderField("physical_accessibility", checks.list_of(checks.one_of(v.PHYSICAL_ACCESSIBILITY)),
                  _l("Tillgänglighet"), v.PHYSICAL_ACCESSIBILITY, compare=True, describes=True, section="var",
                  ask_as=Ask("choices")),
    ProviderField("operator", checks.one_of(v.OPERATORS), _l("Driver verksamheten"), v.OPERATORS, compare=True,
                  api=True, section="om",
                  taxonomy="organization"),  # who runs it describes the organization, not what is done there
    ProviderField("operator_name", checks.text(120, single_line=True), _l("Organisation"), swedish=True,
                  section="om", ask=False),
    ProviderField("valfrihetssystem", checks.boolean, _l("Ingår i stadens valfrihetssystem"), section="om",
                  ask=False),
    ProviderField("target_group", checks.text(300), _l("Målgrupp"), swedish=True, describes=True, section="for-vem",
                  compare=True, ask_as=Ask("text")),
    of_kind("age", kinds.AGE_RANGE, _l("Ålder"), describes=True, section="for-vem"),
    of_kind("languages", kinds.LANGUAGES, _l("Språk som personalen talar"), compare=True, describes=True,
            section="for-vem", ask_as=Ask("line", hint=_l("Språk som personalen talar, utom svenska."),
            shape=_l("%(field)s: skriv språkens namn, till exempel engelska, arabiska."))),
    ProviderField("contact.phone", checks.phone, _l("Telefon"), compare=True, describes=True, section="start",
                  link="tel", dated=True, ask_as=Ask("line", limit=40,
                  shape=_l("%(field)s: skriv ett telefonnummer, till exempel 08-123 456 78."))),
    ProviderField("contact.email", checks.email, _l("E-post"), describes=True, section="start", link="mailto",
                  dated=True, ask_as=Ask("line", limit=checks.MAX_EMAIL,
                  shape=_l("%(field)s: skriv en e-postadress som namn@exempel.se."))),
    ProviderField("contact.website", checks.url, _l("Webbplats"), describes=True, section="start", link="web",
                  dated=True, compare=True,
                  ask_as=Ask("line", shape=_l("%(field)s: skriv en webbadress som börjar med https://."))),
)  # fmt: skip
FIELDS_BY_KEY = {field.key: field for field in FIELDS}
REQUIRED = ("name", "summary", "status", "reviewed", "sources")
COMPARED = tuple(field for field in FIELDS if field.compare)
# What a client takes home from Min lista, beside how to start: where it is, when, and its own addresses.
TAKE_HOME = tuple(FIELDS_BY_KEY[key] for key in ("address", "opening_hours", "vacancies", "contact.website"))
FACTS = tuple(field for field in FIELDS if field.label is not None)  # what a provider page can show, in order
API_FIELDS = tuple(field for field in FIELDS if field.api)


def stated(field: ProviderField, record: dict[str, Any]) -> bool:
    return field.value(record) not in (None, [], {})


def known_facts(record: dict[str, Any]) -> int:
    """How many facts the provider has stated: at equal relevance, the better known ranks higher."""
    return sum(stated(field, record) for field in FACTS)


def known_only_by_name(record: dict[str, Any]) -> bool:
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


def fact(field: ProviderField, record: dict[str, Any], today: dt.date) -> Fact | None:
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


def provider_facts(record: dict[str, Any], today: dt.date) -> ProviderFacts:
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
