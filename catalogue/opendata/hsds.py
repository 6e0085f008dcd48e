"""The catalogue as Open Referral HSDS 3.0 (Human Services Data Specification), under /api/hsds/.

Why: directories and referral tools that read HSDS can take the catalogue as it is, without learning
our /api/v1. The endpoints, parameters and list envelope follow the specification's OpenAPI
description (``schema/openapi.json`` on its 3.0 branch): ``/`` (which version and profile),
``/services``, ``/organizations``, ``/service_at_locations``, ``/taxonomies`` and ``/taxonomy_terms``,
each a paged list and one object by id. ``tests/test_hsds.py`` checks every answer against the
specification's JSON schemas (copied into ``tests/hsds/``).

The catalogue's rule holds here too: a fact that is not stated is left out, never guessed. A key is
sent only when its value is known (no phone: no ``phones``), and ``ips: false`` becomes the term
"Arbetar inte med IPS" while an absent ``ips`` gives no attribute at all. Each HSDS object is made
by one small function from the provider record.

Identifiers are UUIDs, as HSDS requires: uuid5 over a fixed namespace from the kind of object and
the provider's slug (a taxonomy term: its field and code), so they stay the same across index
builds, nodes and releases. Texts are Swedish, the catalogue's language (the API has no language
prefix, so vocabulary labels come out in Swedish); error messages are English, for the developers
who read them, in the site's API error shape ``{"error", "parameter"}``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from babel import Locale
from flask import Blueprint, Response, jsonify, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from markupsafe import escape

from catalogue.errors import error_response
from catalogue.facts import fields
from catalogue.facts import vocabulary as v
from catalogue.opendata.api import readable_anywhere
from catalogue.page_kit import absolute_links, absolute_url, public_provider_url, snapshot
from catalogue.query import MAX_QUERY_LENGTH
from catalogue.query.facets import BadParameter, whole_number
from catalogue.search import engine
from catalogue.site.next_steps import ACCESS_SENTENCES, PART_ACCESS_SENTENCES

hsds = Blueprint("hsds", __name__, url_prefix="/api/hsds")
hsds.after_request(readable_anywhere)

VERSION = "3.0"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
PROFILE = "https://github.com/openreferral/specification/tree/3.0/schema"  # HSDS itself: we add no profile
NAMESPACE = uuid.UUID("7e5b277d-1366-5434-89d9-6cc03ceca6f4")  # fixed for good: every published id hangs on it
PER_PAGE, MAX_PER_PAGE = 50, 100
STOCKHOLM = ZoneInfo("Europe/Stockholm")
SWEDISH = Locale("sv")
COUNTRY = "SE"

# Our statuses in HSDS's words. "paused" is temporarily closed; a closed offering is no longer run.
STATUS = {"active": "active", "paused": "temporarily closed", "closed": "defunct"}
RRULE_DAYS = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
# The parameters the specification defines anywhere: one an endpoint does not apply is refused, not ignored,
# so that nobody takes an unfiltered list for a filtered one. Other parameters (cache busters) are ignored.
STANDARD_PARAMETERS = (
    "search", "page", "per_page", "format", "taxonomy_term_id", "taxonomy_id", "organization_id",
    "modified_after", "minimal", "full", "full_service", "postcode", "proximity", "top_only", "parent_id",
)  # fmt: skip
SERVICE_FILTERS = ("search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after")
PAGING = ("page", "per_page", "format")

_T = TypeVar("_T")


def hsds_id(kind: str, *parts: str) -> str:
    """A stable UUID for one object: "service", "aktivitetshuset" gives the same id on every node, every build."""
    return str(uuid.uuid5(NAMESPACE, ":".join((kind, *parts))))


def _known(**values: Any) -> dict[str, Any]:
    """The object with only what is stated: an unknown fact is left out, never sent as null, "" or a guess."""
    return {key: value for key, value in values.items() if value is not None and value != "" and value != []}


def _field(key: str, record: dict[str, Any]) -> Any:
    return fields.FIELDS_BY_KEY[key].value(record)


# Taxonomies: our vocabularies, so that a consumer can filter by them as the site does.


@dataclass(frozen=True)
class Taxonomy:
    """One of our vocabularies as an HSDS taxonomy; its terms are attached to services (or organizations)."""

    key: str  # the provider field it classifies; its label is the taxonomy's name
    link_entity: str = "service"

    @property
    def terms(self) -> Mapping[str, Any]:
        """code -> label: the row's own (a yes/no's "ja" and "nej"), else its vocabulary's, read when asked
        (the operator "kommunal" is named after the catalogue's council). The codes are the same for all."""
        field = fields.FIELDS_BY_KEY[self.key]
        if field.taxonomy_terms is not None:
            return field.taxonomy_terms
        assert field.vocabulary is not None, f"{field.key}: a taxonomy needs terms"
        return field.vocabulary.terms

    @property
    def id(self) -> str:
        return hsds_id("taxonomy", self.key)

    def term_id(self, code: str) -> str:
        return hsds_id("taxonomy_term", self.key, code)

    @property
    def name(self) -> str:
        return str(fields.FIELDS_BY_KEY[self.key].label)

    def stated(self, record: dict[str, Any]) -> list[str]:
        """The codes the provider has stated: a yes/no is the term "ja" or "nej", an unstated fact none."""
        value = _field(self.key, record)
        if isinstance(value, bool):
            return ["ja" if value else "nej"]
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]


# Every field whose row names a taxonomy (``fields.ProviderField.taxonomy``), in the field table's order. A
# district is none: it says where an offering is (its location), not what it is.
TAXONOMIES = tuple(Taxonomy(field.key, field.taxonomy) for field in fields.FIELDS if field.taxonomy)
TAXONOMIES_BY_ID = {taxonomy.id: taxonomy for taxonomy in TAXONOMIES}
TERMS_BY_ID = {taxonomy.term_id(code): (taxonomy, code) for taxonomy in TAXONOMIES for code in taxonomy.terms}


def taxonomy(chosen: Taxonomy) -> dict[str, Any]:
    return {
        "id": chosen.id,
        "name": chosen.name,
        "description": f'Vokabulären "{chosen.name}" i Hitta sysselsättning.',
        "uri": absolute_url(url_for("hsds.taxonomy_by_id", id=chosen.id)),
    }


def taxonomy_term(chosen: Taxonomy, code: str) -> dict[str, Any]:
    """A flat vocabulary: no term has a parent. ``code`` is the value the site's own addresses use."""
    label = str(chosen.terms[code])
    return {
        "id": chosen.term_id(code),
        "code": code,
        "name": label,
        "description": f"{chosen.name}: {label}",
        "taxonomy": chosen.name,
        "taxonomy_id": chosen.id,
        "taxonomy_detail": taxonomy(chosen),
        "language": "sv",
    }


def attributes(record: dict[str, Any], link_id: str, link_entity: str) -> list[dict[str, Any]]:
    """HSDS's way of classifying: one attribute per stated term. No link_type: HSDS has no codelist for ours."""
    return [
        {
            "id": hsds_id("attribute", record["slug"], chosen.key, code),
            "link_id": link_id,
            "link_entity": link_entity,
            "taxonomy_term_id": chosen.term_id(code),
            "taxonomy_term": taxonomy_term(chosen, code),
        }
        for chosen in TAXONOMIES
        if chosen.link_entity == link_entity
        for code in chosen.stated(record)
    ]


# Organizations: one per provider.


def organization_fields(record: dict[str, Any]) -> dict[str, Any]:
    """One organization per provider: its operator when the operator's name is stated, else the provider itself.

    Providers are not merged by operator name: an id would then hang on a text that editors rewrite
    ("Järva stadsdelsförvaltning (tidigare Spånga-Tensta)"). As the organization stands for the provider,
    the provider's own website is its website."""
    operator = record.get("operator_name")
    return _known(
        id=hsds_id("organization", record["slug"]),
        name=operator or record["name"],
        description=f"Driver {record['name']}." if operator else record["summary"],
        website=_field("contact.website", record),
    )


def organization_nested(record: dict[str, Any]) -> dict[str, Any]:
    """The organization inside a service: its own fields and who runs it."""
    organization_id = hsds_id("organization", record["slug"])
    return organization_fields(record) | _known(attributes=attributes(record, organization_id, "organization"))


def organization_full(record: dict[str, Any], full_service: bool = False) -> dict[str, Any]:
    """With its place and its service: the service's own fields, or all of it with ``full_service``."""
    service = service_full(record, with_organization=False) if full_service else service_fields(record)
    return organization_nested(record) | _known(
        locations=[location_full(record)] if has_location(record) else None, services=[service]
    )


# Services.


def _description(record: dict[str, Any]) -> str:
    """The summary, then the description as the provider page shows it (HSDS allows HTML here), with the
    site's own links made absolute so that they work wherever the text is shown."""
    body = absolute_links(record.get("description_html", ""))
    return f"<p>{escape(record['summary'])}</p>\n{body}".strip()


def _eligibility(record: dict[str, Any]) -> str | None:
    """Who it is for and whether a decision from social services is needed, in Swedish, in the provider
    page's words (``next_steps``). HSDS has no field for "needs a decision" (``application_process`` is the
    steps), and it decides who can come. An offering with parts says it for each part, so that the open
    part and the decision never contradict; an unknown way in is left out."""
    with force_locale("sv"):
        if record.get("parts"):
            access = [f"{part['name']}: {PART_ACCESS_SENTENCES[v.ACCESS.ordered(part['access'])]}"
                      for part in record["parts"]]  # fmt: skip
        else:
            ways = v.ACCESS.ordered(record.get("access"))
            access = [str(ACCESS_SENTENCES[ways])] if ways else []
    return " ".join(sentence for sentence in [record.get("target_group"), *access] if sentence) or None


def _application_process(record: dict[str, Any]) -> str | None:
    """How to start, part by part, as the content says it ("Öppna delen: Ring och boka ett första besök.")."""
    steps = [f"{part['name']}: {part['start']}" for part in record.get("parts") or [] if part.get("start")]
    return " ".join(steps) or None


def service_fields(record: dict[str, Any]) -> dict[str, Any]:
    """A service's one-to-one fields. ``assured_date`` is the day the offering itself confirmed its facts,
    left out until it has: the editors re-reading old sources assures nothing. ``last_modified`` is left out:
    we know the day of the last change (``reviewed``, which the desk moves with every accepted change),
    not the moment."""
    slug, age = record["slug"], record.get("age") or {}
    return _known(
        id=hsds_id("service", slug),
        organization_id=hsds_id("organization", slug),
        name=record["name"],
        description=_description(record),
        url=public_provider_url(record),
        email=_field("contact.email", record),
        status=STATUS[record["status"]],
        eligibility_description=_eligibility(record),
        application_process=_application_process(record),
        minimum_age=age.get("min"),
        maximum_age=age.get("max"),
        assured_date=(record.get("confirmed") or {}).get("date"),
    )


def service_list_item(record: dict[str, Any]) -> dict[str, Any]:
    return service_fields(record) | {"organization": organization_fields(record)}


def service_minimal(record: dict[str, Any]) -> dict[str, Any]:
    """For ``minimal``: what a copy needs to see what changed. The specification asks for "id and
    modified_date", but its schema requires name and status; ``assured_date`` comes when the offering confirmed."""
    fields_ = service_fields(record)
    return {key: fields_[key] for key in ("id", "name", "status", "assured_date") if key in fields_}


def service_full(record: dict[str, Any], with_locations: bool = True, with_organization: bool = True) -> dict[str, Any]:
    service_id = hsds_id("service", record["slug"])
    return service_fields(record) | _known(
        phones=phones(record),
        schedules=schedules(record),
        service_areas=service_areas(record),
        service_at_locations=[service_at_location_in_service(record)]
        if with_locations and has_location(record)
        else None,
        languages=languages(record),
        organization=organization_nested(record) if with_organization else None,
        attributes=attributes(record, service_id, "service"),
    )


def phones(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The number as the source writes it. No ``type``: nobody has told us whether it takes text messages."""
    number = _field("contact.phone", record)
    if not number:
        return []
    return [
        {"id": hsds_id("phone", record["slug"]), "service_id": hsds_id("service", record["slug"]), "number": number}
    ]


def languages(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Languages the staff speak: the ISO 639-1 code and its Swedish name."""
    return [
        {
            "id": hsds_id("language", record["slug"], code),
            "service_id": hsds_id("service", record["slug"]),
            "name": SWEDISH.languages.get(code, code),
            "code": code,
        }
        for code in record.get("languages") or []
    ]


def service_areas(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Only a city-wide offering has a known area, the municipality. One in a district serves whoever its
    decision or door lets in: the district is where it is (the location), not whom it serves."""
    if record.get("district") != v.CITYWIDE:
        return []
    return [
        {
            "id": hsds_id("service_area", record["slug"]),
            "service_id": hsds_id("service", record["slug"]),
            "name": v.municipality().council.swedish,
            "description": v.DISTRICTS.label(v.CITYWIDE),
        }
    ]


def schedules(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Each opening period as a weekly RRULE (freq WEEKLY, byday "MO,TU,WE"), its note as the description.

    Times are Swedish local time, as the sources give them, without a UTC offset: it is +01:00 in
    winter and +02:00 in summer, so no one offset is right for a weekly schedule. The free-text
    ``opening_note`` goes with every period as ``notes``; with no periods it is a schedule of its own."""
    slug, note = record["slug"], record.get("opening_note")
    service_id = hsds_id("service", slug)
    periods = record.get("opening_hours") or []
    found = [
        _known(
            id=hsds_id("schedule", slug, str(number)),
            service_id=service_id,
            freq="WEEKLY",
            byday=",".join(RRULE_DAYS[day] for day in v.weekday_span(period["days"])),
            opens_at=period["opens"],
            closes_at=period["closes"],
            description=" – ".join(filter(None, [period.get("part"), period.get("note")])) or None,
            notes=note,
        )
        for number, period in enumerate(periods)
    ]
    if not periods and note:
        found.append({"id": hsds_id("schedule", slug, "note"), "service_id": service_id, "description": note})
    return found


# Locations: where an offering is, as far as we know it.


def postal_address(record: dict[str, Any]) -> dict[str, Any] | None:
    """HSDS requires street, postal code, city and state or province. An address known only in part stays
    in the location's description instead of being completed by a guess. Every district of the catalogue
    is in its municipality, so an address in one is in the county its site file names (``content/site.yml``)
    and in Sweden: stated, not guessed. With no county named, no address is complete."""
    parts = record.get("address") or {}
    complete = all(parts.get(key) for key in ("street", "postal_code", "city")) and v.municipality().county
    if not complete or record.get("district") in (None, v.CITYWIDE):
        return None
    return {
        "id": hsds_id("address", record["slug"]),
        "location_id": hsds_id("location", record["slug"]),
        "address_1": parts["street"],
        "city": parts["city"],
        "state_province": v.municipality().county,
        "postal_code": parts["postal_code"],
        "country": COUNTRY,
        "address_type": "physical",
    }


def _where(record: dict[str, Any]) -> str | None:
    """The district and neighbourhood, and the address as far as it is known, as the provider page says them."""
    lines = []
    if record.get("neighbourhood") or record.get("district") not in (None, v.CITYWIDE):
        district = fields.FIELDS_BY_KEY["district"]
        lines.append(f"{district.label}: {district.show(record)}")
    place = fields.FIELDS_BY_KEY["address"]
    known = (record.get("address") or {}).get("note") if postal_address(record) else place.show(record)
    if known:
        lines.append(f"{place.label}: {known}")
    return " ".join(line.rstrip(".") + "." for line in lines) or None


def has_location(record: dict[str, Any]) -> bool:
    """A place is known when anything about where it is has been stated; a city-wide offering alone has none."""
    return bool(_where(record) or record.get("transport") or record.get("physical_accessibility"))


def location_fields(record: dict[str, Any]) -> dict[str, Any]:
    return _known(
        id=hsds_id("location", record["slug"]),
        location_type="physical",
        organization_id=hsds_id("organization", record["slug"]),
        name=record["name"],
        description=_where(record),
        transportation=", ".join(record.get("transport") or []),
    )


def accessibility(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": hsds_id("accessibility", record["slug"], code),
            "location_id": hsds_id("location", record["slug"]),
            "description": v.PHYSICAL_ACCESSIBILITY.label(code),
        }
        for code in record.get("physical_accessibility") or []
    ]


def location_full(record: dict[str, Any]) -> dict[str, Any]:
    found = postal_address(record)
    return location_fields(record) | _known(addresses=[found] if found else None, accessibility=accessibility(record))


def service_at_location_fields(record: dict[str, Any]) -> dict[str, Any]:
    """Each provider is one service in at most one place, so its service-at-location shares its slug."""
    slug = record["slug"]
    return {
        "id": hsds_id("service_at_location", slug),
        "service_id": hsds_id("service", slug),
        "location_id": hsds_id("location", slug),
    }


def service_at_location_in_service(record: dict[str, Any]) -> dict[str, Any]:
    return service_at_location_fields(record) | {"location": location_full(record)}


def service_at_location_list_item(record: dict[str, Any]) -> dict[str, Any]:
    return service_at_location_fields(record) | {
        "location": location_fields(record),
        "service": service_list_item(record),
    }


def service_at_location_full(record: dict[str, Any]) -> dict[str, Any]:
    return service_at_location_fields(record) | {
        "location": location_full(record),
        "service": service_full(record, with_locations=False),
    }


# One index version, prepared for look-ups by id.


@dataclass(frozen=True)
class Prepared:
    records: list[dict[str, Any]]  # every provider, closed ones too (HSDS has a status for them), in name order
    services: dict[str, dict[str, Any]]  # id -> provider record
    organizations: dict[str, dict[str, Any]]
    service_at_locations: dict[str, dict[str, Any]]


@functools.lru_cache(maxsize=2)
def prepare(current: engine.Snapshot) -> Prepared:
    records = sorted(current.providers(), key=lambda record: (engine.name_sort_key(record["name"]), record["slug"]))
    return Prepared(
        records,
        {hsds_id("service", record["slug"]): record for record in records},
        {hsds_id("organization", record["slug"]): record for record in records},
        {hsds_id("service_at_location", record["slug"]): record for record in records if has_location(record)},
    )


# Parameters.


class NotFound(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter, self.message = parameter, message


@hsds.errorhandler(NotFound)
def _not_found(error: NotFound) -> ResponseReturnValue:
    return error_response(error.message, error.parameter, 404)


def _one(name: str) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        raise BadParameter(name, f"Give {name} once.")
    return values[0] if values else None


def _takes(*names: str) -> None:
    """Refuses a parameter of the specification that this endpoint does not apply."""
    for name in sorted(set(STANDARD_PARAMETERS) & set(request.args) - set(names)):
        if name in ("postcode", "proximity"):
            raise BadParameter(name, f"{name} is not supported: the catalogue has no coordinates or postcode areas.")
        raise BadParameter(name, f"{name} is not a parameter of this endpoint.")


def _boolean(name: str) -> bool:
    raw = _one(name)
    if raw is None:
        return False
    if raw.strip().lower() in ("true", "1"):
        return True
    if raw.strip().lower() in ("false", "0"):
        return False
    raise BadParameter(name, f"{name} is true or false.")


def _id_in(name: str, known: Mapping[str, object], what: str) -> str | None:
    """An id given as a filter: one that names nothing is an error, not an empty list that looks like an answer."""
    raw = _one(name)
    if raw is None:
        return None
    try:
        wanted = str(uuid.UUID(raw.strip()))
    except ValueError:
        raise BadParameter(name, f"{name} is a UUID.") from None
    if wanted not in known:
        raise BadParameter(name, f"No {what} has the id {wanted}.")
    return wanted


def _by_id(known: Mapping[str, _T], raw: str, what: str) -> _T:
    try:
        found = known.get(str(uuid.UUID(raw)))
    except ValueError:
        found = None
    if found is None:
        raise NotFound("id", f"No {what} has this id.")
    return found


def _modified_after() -> str | None:
    """The Stockholm day of the moment given, as an ISO date: a record changed that day counts as changed
    after it. We know days, not moments, so a copy that asks from its last visit never misses a change."""
    raw = _one("modified_after")
    if raw is None:
        return None
    text = re.sub(r" (\d\d:?\d\d)$", r"+\1", raw.strip())  # a "+" in an address that was not encoded
    try:
        moment = dt.datetime.fromisoformat(text)
        return (moment.astimezone(STOCKHOLM) if moment.tzinfo else moment).date().isoformat()
    except (ValueError, OverflowError):  # OverflowError: a moment whose Stockholm day is before year 1 or after 9999
        raise BadParameter("modified_after", "modified_after is an ISO 8601 date or date-time.") from None


def _search_words() -> list[str]:
    raw = _one("search") or ""
    if len(raw) > MAX_QUERY_LENGTH:
        raise BadParameter("search", f"search is at most {MAX_QUERY_LENGTH} characters.")
    return raw.split()


def _text_mask(current: engine.Snapshot, words: list[str]) -> int | None:
    """The site's own text search (Swedish stemming, å/ä/ö optional): every word must match. None: no words."""
    analysed = current.query_words(" ".join(words))
    if not analysed:
        return None
    mask = -1  # every document
    for word in analysed:
        mask &= current.word_mask(word)
    return mask


def _folded(text: str) -> str:
    return text.casefold().translate(v.ACCENT_FOLD)


def _mentions(words: list[str], *texts: str) -> bool:
    whole = _folded(" ".join(texts))
    return all(_folded(word) in whole for word in words)


def _services_filtered(
    current: engine.Snapshot, prepared: Prepared, records: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The filters of /services and /service_at_locations, cumulative (AND), as the specification requires."""
    tests: list[Callable[[dict[str, Any]], bool]] = []
    if (term := _id_in("taxonomy_term_id", TERMS_BY_ID, "taxonomy term")) is not None:
        by_term, code = TERMS_BY_ID[term]  # a service's own terms, or its organization's (who runs it)
        tests.append(lambda record: code in by_term.stated(record))
    if (chosen := _id_in("taxonomy_id", TAXONOMIES_BY_ID, "taxonomy")) is not None:
        by_taxonomy = TAXONOMIES_BY_ID[chosen]
        tests.append(lambda record: bool(by_taxonomy.stated(record)))
    if (organization := _id_in("organization_id", prepared.organizations, "organization")) is not None:
        tests.append(lambda record: hsds_id("organization", record["slug"]) == organization)
    if (since := _modified_after()) is not None:
        tests.append(lambda record: record["reviewed"] >= since)
    if (mask := _text_mask(current, _search_words())) is not None:
        tests.append(lambda record: bool(mask >> current.provider_docnums[record["slug"]] & 1))
    return [record for record in records if all(test(record) for test in tests)]


def _listing(
    items: Sequence[Any], render: Callable[[Any], dict[str, Any]], per_page_default: int = PER_PAGE
) -> Response:
    """One page in the specification's envelope, or with ``format=ndjson`` every item, one JSON object a line,
    streamed without pages (as the specification describes it)."""
    kind = (_one("format") or "json").strip().lower()
    if kind not in ("json", "ndjson"):
        raise BadParameter("format", "format is json or ndjson.")
    page = whole_number(_one("page") or "1", "page", 1, 999_999, "page is a whole number from 1.")
    per_page = whole_number(
        _one("per_page") or str(per_page_default),
        "per_page",
        1,
        MAX_PER_PAGE,
        f"per_page is a whole number from 1 to {MAX_PER_PAGE}.",
    )
    if kind == "ndjson":
        # Rendered while streaming, in this request's context (absolute addresses need its host).
        lines = (json.dumps(render(item), ensure_ascii=False, separators=(",", ":")) + "\n" for item in items)
        return Response(stream_with_context(lines), mimetype="application/x-ndjson")
    total = len(items)
    pages = -(-total // per_page)
    if page > max(1, pages):
        raise NotFound("page", f"There is no page {page}: the last page is {max(1, pages)}.")
    chosen = items[(page - 1) * per_page : page * per_page]
    return jsonify(
        {
            "total_items": total,
            "total_pages": pages,
            "page_number": page,
            "size": len(chosen),
            "first_page": page == 1,
            "last_page": page >= pages,
            "empty": total == 0,
            "contents": [render(item) for item in chosen],
        }
    )


# Endpoints.


@hsds.get("/")
def about() -> Response:
    return jsonify({"version": VERSION, "profile": PROFILE, "openapi_url": OPENAPI_URL})


@hsds.get("/services")
def services() -> Response:
    _takes(*SERVICE_FILTERS, *PAGING, "minimal", "full")
    current = snapshot()
    prepared = prepare(current)
    minimal, full = _boolean("minimal"), _boolean("full")
    if minimal and full:
        raise BadParameter("minimal", "Ask for minimal or full, not both.")
    found = _services_filtered(current, prepared, prepared.records)
    if minimal:  # the specification asks for every service in one call: the largest page by default
        return _listing(found, service_minimal, per_page_default=MAX_PER_PAGE)
    return _listing(found, service_full if full else service_list_item)


@hsds.get("/services/<id>")
def service_by_id(id: str) -> Response:
    return jsonify(service_full(_by_id(prepare(snapshot()).services, id, "service")))


@hsds.get("/organizations")
def organizations() -> Response:
    _takes("search", "full_service", "full", *PAGING)
    current = snapshot()
    prepared = prepare(current)
    full_service, full = _boolean("full_service"), _boolean("full")
    words = _search_words()
    mask = _text_mask(current, words)
    found = [
        record
        for record in prepared.records
        if not words
        or _mentions(words, organization_fields(record)["name"])
        or (mask is not None and mask >> current.provider_docnums[record["slug"]] & 1)
    ]
    if full or full_service:
        return _listing(found, functools.partial(organization_full, full_service=full_service))
    return _listing(found, organization_fields)


@hsds.get("/organizations/<id>")
def organization_by_id(id: str) -> Response:
    record = _by_id(prepare(snapshot()).organizations, id, "organization")
    return jsonify(organization_full(record, full_service=_boolean("full_service")))


@hsds.get("/service_at_locations")
def service_at_locations() -> Response:
    _takes(*SERVICE_FILTERS, *PAGING, "full")
    current = snapshot()
    prepared = prepare(current)
    full = _boolean("full")
    found = _services_filtered(current, prepared, list(prepared.service_at_locations.values()))
    return _listing(found, service_at_location_full if full else service_at_location_list_item)


@hsds.get("/service_at_locations/<id>")
def service_at_location_by_id(id: str) -> Response:
    return jsonify(
        service_at_location_full(_by_id(prepare(snapshot()).service_at_locations, id, "service_at_location"))
    )


@hsds.get("/taxonomies")
def taxonomies() -> Response:
    _takes("search", *PAGING)
    words = _search_words()
    found = [chosen for chosen in TAXONOMIES if _mentions(words, chosen.name, chosen.key)]
    return _listing(found, taxonomy)


@hsds.get("/taxonomies/<id>")
def taxonomy_by_id(id: str) -> Response:
    return jsonify(taxonomy(_by_id(TAXONOMIES_BY_ID, id, "taxonomy")))


@hsds.get("/taxonomy_terms")
def taxonomy_terms() -> Response:
    """Our vocabularies are flat: every term is at the top and has no children, so ``top_only`` keeps
    them all and ``parent_id`` (of a term that exists) finds none."""
    _takes("search", "taxonomy_id", "top_only", "parent_id", *PAGING)
    words = _search_words()
    chosen = _id_in("taxonomy_id", TAXONOMIES_BY_ID, "taxonomy")
    _boolean("top_only")
    parent = _id_in("parent_id", TERMS_BY_ID, "taxonomy term")
    found = [
        (owner, code)
        for owner in TAXONOMIES
        if chosen in (None, owner.id)
        for code in owner.terms
        if parent is None and _mentions(words, code, str(owner.terms[code]))
    ]
    return _listing(found, lambda pair: taxonomy_term(*pair))


@hsds.get("/taxonomy_terms/<id>")
def taxonomy_term_by_id(id: str) -> Response:
    return jsonify(taxonomy_term(*_by_id(TERMS_BY_ID, id, "taxonomy term")))
