"""The Open Referral HSDS 3.0 API under /api/hsds/ (catalogue/opendata/hsds.py).

Every answer is checked against the specification's own JSON schemas, copied into tests/hsds/ (see its
README), made strict the way the specification checks its examples: no property outside HSDS
("additionalProperties": false everywhere), formats checked (uuid, email, date, uri) and the
``datapackage_type`` dates and times parsed. Both the fixture catalogue and the real content are
crawled whole: every list page, every object by id.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from catalogue.opendata.hsds import hsds_id

SCHEMAS = Path(__file__).parent / "hsds"
BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
HSDS_FILES = (
    "compiled/service.json", "compiled/service_list.json", "compiled/organization.json",
    "compiled/organization_list.json", "compiled/service_at_location.json",
    "compiled/service_at_location_list.json", "taxonomy.json", "taxonomy_term.json", "metadata.json",
)  # fmt: skip
API = "/api/hsds"


def _strict(schema):
    """As the specification's validate_examples_json_schema.sh: additionalProperties false everywhere."""
    if isinstance(schema, dict):
        schema = {key: _strict(value) for key, value in schema.items()}
        if isinstance(schema.get("properties"), dict) and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
    elif isinstance(schema, list):
        schema = [_strict(item) for item in schema]
    return schema


def _datapackage_type(validator, kind, instance, schema):
    """HSDS marks dates and times with datapackage_type, not a JSON Schema format: parse them too."""
    parse = {"date": dt.date.fromisoformat, "time": dt.time.fromisoformat, "datetime": dt.datetime.fromisoformat}
    if isinstance(instance, str) and kind in parse:
        try:
            parse[kind](instance)
        except ValueError:
            yield ValidationError(f"{instance!r} is not a {kind}")


FORMATS = FormatChecker()
FORMATS.checkers.update(Draft202012Validator.FORMAT_CHECKER.checkers)


@FORMATS.checks("uri")
def _is_uri(instance) -> bool:
    """jsonschema checks "uri" only with rfc3987 installed; an absolute http(s) address is what we send."""
    parts = urlsplit(instance) if isinstance(instance, str) else None
    return parts is None or (parts.scheme in ("http", "https") and bool(parts.netloc))


Validator = validators.extend(Draft202012Validator, {"datapackage_type": _datapackage_type})
_documents = {name: _strict(json.loads((SCHEMAS / name).read_text(encoding="utf-8"))) for name in HSDS_FILES}
_documents["openapi.json"] = json.loads((SCHEMAS / "openapi.json").read_text(encoding="utf-8"))
REGISTRY = Registry().with_resources(
    (BASE + name, DRAFT202012.create_resource(document)) for name, document in _documents.items()
)


def check(instance, reference: str) -> None:
    """Validates against one schema by its address: "compiled/service.json" or a pointer into openapi.json."""
    validator = Validator({"$ref": BASE + reference}, registry=REGISTRY, format_checker=FORMATS)
    errors = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(error.absolute_path)}: {error.message}" for error in errors[:10])


def response_schema(path: str) -> str:
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"openapi.json#/paths/{escaped}/get/responses/200/content/application~1json/schema"


PAGE = "openapi.json#/components/schemas/Page"
ENVELOPE = ("total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty")

# Each list: its address, the variants its parameters make, and the schema of one item of each variant.
# /service_at_locations/{id} is checked against compiled/service_at_location.json: the OpenAPI file names
# compiled/service.json there, but its own example for that endpoint (and the object) is a service_at_location.
LISTS = {
    "services": ("compiled/service.json", {"": None, "full=true": "compiled/service.json", "minimal=true": None}),
    "organizations": (
        "compiled/organization.json",
        {"": None, "full=true": "compiled/organization.json", "full_service=true": "compiled/organization.json"},
    ),
    "service_at_locations": (
        "compiled/service_at_location.json",
        {"": None, "full=true": "compiled/service_at_location.json"},
    ),
    "taxonomies": ("taxonomy.json", {"": None}),
    "taxonomy_terms": ("taxonomy_term.json", {"": None}),
}


def get_json(client, address: str, status: int = 200):
    response = client.get(address)
    assert response.status_code == status, (address, response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"
    return response.get_json()


def all_pages(client, name: str, query: str = "", per_page: int = 10, variant: str | None = None) -> list[dict]:
    """Every item of a list, page by page, each page checked against the specification; ``variant`` is the
    schema of one item when the query asks for fuller items than the list's own schema allows."""
    items, page = [], 1
    while True:
        body = get_json(client, f"{API}/{name}?{query}&page={page}&per_page={per_page}")
        assert set(ENVELOPE) <= set(body), "the whole Page envelope, always"
        if variant is None:  # the items are what the OpenAPI file says a list holds
            check(body, response_schema(f"/{name}"))
        else:  # fuller items than the list's schema: the envelope as a Page, each item as the full object
            check(body, PAGE)
            for item in body["contents"]:
                check(item, variant)
        assert body["page_number"] == page and body["size"] == len(body["contents"]) <= per_page
        assert body["first_page"] == (page == 1) and body["empty"] == (body["total_items"] == 0)
        items += body["contents"]
        if body["last_page"]:
            assert page == max(1, body["total_pages"]) and len(items) == body["total_items"]
            return items
        page += 1


def crawl(client) -> dict[str, list[dict]]:
    """Every list in every variant and every object by id, all checked; returns the default lists."""
    root = get_json(client, f"{API}/")
    check(root, response_schema("/"))
    assert root["version"] == "3.0" and set(root) == {"version", "profile", "openapi_url"}
    found = {}
    for name, (item_schema, variants) in LISTS.items():
        for query, variant in variants.items():
            items = all_pages(client, name, query, variant=variant)
            assert len({item["id"] for item in items}) == len(items)
            found.setdefault(name, items)
        for item in found[name]:
            check(get_json(client, f"{API}/{name}/{item['id']}"), item_schema)
    for item in found["organizations"]:
        check(get_json(client, f"{API}/organizations/{item['id']}?full_service=true"), "compiled/organization.json")
    return found


@pytest.mark.parametrize(
    "catalogue",
    ["client", pytest.param("real_site", marks=pytest.mark.system)],  # every real object: `make test`
)
def test_every_answer_follows_the_specification(catalogue, request):
    client = request.getfixturevalue(catalogue)
    found = crawl(client)
    assert found["services"], "the catalogue is published"
    assert len(found["organizations"]) == len(found["services"]), "one organization per provider"
    terms = {term["id"] for term in found["taxonomy_terms"]}
    taxonomies = {taxonomy["id"] for taxonomy in found["taxonomies"]}
    for service in found["services"]:
        full = get_json(client, f"{API}/services/{service['id']}")
        for attribute in full.get("attributes", []) + full["organization"].get("attributes", []):
            assert attribute["taxonomy_term_id"] in terms and attribute["taxonomy_term"]["taxonomy_id"] in taxonomies
        assert full["organization"]["id"] == full["organization_id"] == service["organization_id"]
        assert 'href="/' not in full["description"], "the site's own links are absolute, to work elsewhere"


def test_ndjson_streams_every_item_without_pages(client):
    paged = get_json(client, f"{API}/services?per_page=2")
    response = client.get(f"{API}/services?format=ndjson&per_page=2")
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == paged["total_items"] > 2
    for line in lines:
        check(json.loads(line), "compiled/service_list.json")


def test_ids_are_uuid5_of_kind_and_slug_and_stable(client, real_site):
    body = get_json(client, f"{API}/services?search=musikhuset")
    (service,) = body["contents"]
    assert service["id"] == str(uuid.uuid5(uuid.UUID("7e5b277d-1366-5434-89d9-6cc03ceca6f4"), "service:musikhuset"))
    assert service["organization_id"] == hsds_id("organization", "musikhuset")
    assert get_json(client, f"{API}/services?search=musikhuset") == body, "the same answer every time"
    real = get_json(real_site, f"{API}/services/{hsds_id('service', 'aktivitetshuset')}")
    assert real["name"] == "Aktivitetshuset"


def test_statuses_and_the_provider_page(client):
    def service(slug):
        return get_json(client, f"{API}/services/{hsds_id('service', slug)}")

    assert service("musikhuset")["status"] == "active"
    assert service("appelkallaren")["status"] == "temporarily closed"
    assert service("nedlagda-verkstaden")["status"] == "defunct", "closed offerings stay, marked"
    assert service("musikhuset")["url"] == "http://localhost/verksamhet/musikhuset"
    # Assured: the day the offering itself confirmed its facts, never the day the editors re-read sources.
    assert service("musikhuset")["assured_date"] == "2025-01-20"
    assert "assured_date" not in service("appelkallaren"), "not confirmed by the offering: left out"


def ips_terms(service: dict) -> list[str]:
    return [
        attribute["taxonomy_term"]["code"]
        for attribute in service.get("attributes", [])
        if attribute["taxonomy_term"]["taxonomy"] == "Stöd till jobb enligt IPS"
    ]


def test_unknown_facts_are_left_out_and_a_stated_no_is_published(real_site):
    """Fountain House has stated neither a phone nor IPS: no key, no attribute, no null and no false."""
    unknown = get_json(real_site, f"{API}/services/{hsds_id('service', 'fountain-house-stockholm')}")
    for key in ("phones", "email", "schedules", "languages", "service_areas"):
        assert key not in unknown
    assert ips_terms(unknown) == []
    assert None not in unknown.values() and "" not in unknown.values()
    location = unknown["service_at_locations"][0]["location"]
    assert "addresses" not in location, "no postal code: the address is not completed by a guess"
    assert "Götgatan, Stockholm" in location["description"]
    assert unknown["minimum_age"] == 18 and unknown["maximum_age"] == 63
    said_no = get_json(real_site, f"{API}/services/{hsds_id('service', 'jobbtorg-stockholm')}")
    assert ips_terms(said_no) == ["nej"], "ips: false is a stated no"
    said_yes = get_json(real_site, f"{API}/services/{hsds_id('service', 'alfa')}")
    assert ips_terms(said_yes) == ["ja"]
    assert "phones" not in said_yes, "Alfa's only number was a project's (2009–2013): not published"
    assert said_yes["service_areas"][0]["name"] == "Stockholms stad", "hela-staden serves the whole city"
    assert "service_at_locations" not in said_yes, "a city-wide offering with no address has no location"
    assert said_yes["organization"]["name"] == "Arbetsmarknadsförvaltningen"


RICH = """
name: Verkstaden Pilgatan
summary: En verkstad i Hökarängen där du snickrar och lagar saker.
status: active
reviewed: 2025-06-01
orientation: [arbetsinriktad]
activities: [hantverk]
district: farsta
neighbourhood: Hökarängen
hours: [10-24]
ips: true
access: [beslut]
operator: privat
operator_name: Exempel AB
target_group: Vuxna med psykisk ohälsa.
age: {min: 20, max: 64}
languages: [sv, fi]
address: {street: Pilgatan 1, postal_code: "123 45", city: Farsta}
transport: [T-bana Hökarängen]
physical_accessibility: [stegfritt, horslinga]
opening_hours:
  - {days: mon-wed, opens: "09:00", closes: "16:00", note: lunch 12–13}
  - {days: sat-mon, opens: "10:00", closes: "14:00"}
opening_note: Stängt i juli.
contact: {phone: 08-123 456 78, email: info@example.org, website: "https://example.org/"}
sources:
  - title: Verkstadens egen sida
    date: 2025
"""

CITYWIDE = """
name: Hela stans telefon
summary: En telefonlinje för hela staden.
status: active
reviewed: 2025-06-02
district: hela-staden
opening_note: Dagtid på vardagar.
sources:
  - title: En rapport
    date: 2025
"""


def test_a_provider_with_every_fact_maps_field_by_field(app, app_client, publish):
    publish.write("verkstaden-pilgatan", RICH)
    publish("hela-stans-telefon", CITYWIDE)
    crawl(app_client)
    service = get_json(app_client, f"{API}/services/{hsds_id('service', 'verkstaden-pilgatan')}")
    check(service, "compiled/service.json")

    # Schedules are the opening hours: weekly, the days spelled out, the note as the description.
    first, second = service["schedules"]
    assert first == {
        "id": first["id"], "service_id": service["id"], "freq": "WEEKLY", "byday": "MO,TU,WE",
        "opens_at": "09:00", "closes_at": "16:00", "description": "lunch 12–13", "notes": "Stängt i juli.",
    }  # fmt: skip
    assert (second["byday"], second["opens_at"], second["closes_at"]) == ("SA,SU,MO", "10:00", "14:00")
    assert "description" not in second

    assert service["email"] == "info@example.org"
    assert [phone["number"] for phone in service["phones"]] == ["08-123 456 78"]
    assert [(language["code"], language["name"]) for language in service["languages"]] == [
        ("sv", "svenska"),
        ("fi", "finska"),
    ]
    assert (service["minimum_age"], service["maximum_age"]) == (20, 64)
    assert service["eligibility_description"] == (
        "Vuxna med psykisk ohälsa. Du behöver ett beslut om sysselsättning från socialtjänsten i stadsdelen där du bor."
        " Du kan välja verksamhet i hela staden, inte bara nära dig."
    )
    assert "service_areas" not in service, "an offering in a district: its area is not known"
    assert service["description"].startswith("<p>En verkstad i Hökarängen")
    codes = {
        attribute["taxonomy_term"]["taxonomy"]: attribute["taxonomy_term"]["code"]
        for attribute in service["attributes"]
    }
    assert codes == {
        "Inriktning": "arbetsinriktad", "Aktiviteter": "hantverk", "Timmar i veckan": "10-24",
        "Stöd till jobb enligt IPS": "ja", "Hur du börjar": "beslut",
    }  # fmt: skip

    organization = service["organization"]
    assert (organization["name"], organization["website"]) == ("Exempel AB", "https://example.org/")
    assert [attribute["taxonomy_term"]["code"] for attribute in organization["attributes"]] == ["privat"]

    (at_location,) = service["service_at_locations"]
    location = at_location["location"]
    assert location["description"] == "Stadsdel: Farsta (Hökarängen)."
    assert location["transportation"] == "T-bana Hökarängen"
    (address,) = location["addresses"]
    assert {key: address[key] for key in ("address_1", "postal_code", "city", "state_province", "country")} == {
        "address_1": "Pilgatan 1", "postal_code": "123 45", "city": "Farsta",
        "state_province": "Stockholms län", "country": "SE",
    }  # fmt: skip
    assert [item["description"] for item in location["accessibility"]] == ["Stegfri entré", "Hörslinga"]
    alone = get_json(app_client, f"{API}/service_at_locations/{at_location['id']}")
    check(alone, "compiled/service_at_location.json")
    assert alone["service"]["id"] == service["id"] and alone["location"] == location

    citywide = get_json(app_client, f"{API}/services/{hsds_id('service', 'hela-stans-telefon')}")
    assert citywide["service_areas"] == [
        {"id": citywide["service_areas"][0]["id"], "service_id": citywide["id"], "name": "Stockholms stad",
         "description": "Hela staden"}
    ]  # fmt: skip
    assert citywide["schedules"] == [
        {"id": citywide["schedules"][0]["id"], "service_id": citywide["id"], "description": "Dagtid på vardagar."}
    ]
    assert citywide["organization"] == {
        "id": citywide["organization_id"], "name": "Hela stans telefon",
        "description": "En telefonlinje för hela staden.",
    }  # fmt: skip

    # modified_after: the Stockholm day of the moment given; a record checked that day counts.
    def names(query):
        return {item["name"] for item in all_pages(app_client, "services", query)}

    assert names("modified_after=2025-02-01") == {"Verkstaden Pilgatan", "Hela stans telefon"}
    assert names("modified_after=2025-06-02") == {"Hela stans telefon"}
    assert names("modified_after=2025-06-01T22:30:00Z") == {"Hela stans telefon"}, "00.30 on 2 June in Stockholm"
    assert names("modified_after=2025-06-01T21:30:00%2B00:00") == {"Verkstaden Pilgatan", "Hela stans telefon"}
    assert names("modified_after=2025-06-03") == set()


def test_paging_and_its_envelope(client):
    everything = get_json(client, f"{API}/services")
    total = everything["total_items"]
    assert everything["size"] == total == 9 and everything["total_pages"] == 1, "50 a page by default"
    assert everything["first_page"] and everything["last_page"] and not everything["empty"]
    first = get_json(client, f"{API}/services?per_page=4")
    assert (first["total_pages"], first["size"], first["first_page"], first["last_page"]) == (3, 4, True, False)
    middle = get_json(client, f"{API}/services?per_page=4&page=2")
    assert (middle["first_page"], middle["last_page"], middle["page_number"]) == (False, False, 2)
    last = get_json(client, f"{API}/services?per_page=4&page=3")
    assert (last["size"], last["first_page"], last["last_page"]) == (1, False, True)
    assert [item["id"] for page in (first, middle, last) for item in page["contents"]] == [
        item["id"] for item in everything["contents"]
    ], "pages follow one order"
    empty = get_json(client, f"{API}/services?search=zxqvb")
    assert (empty["total_items"], empty["size"], empty["contents"]) == (0, 0, [])
    assert empty["empty"] and empty["first_page"] and empty["last_page"]
    assert get_json(client, f"{API}/services?per_page=100")["size"] == total
    capped = get_json(client, f"{API}/services?per_page=101", 400)
    assert capped["parameter"] == "per_page" and "100" in capped["error"]
    minimal = {item["name"]: item.keys() for item in get_json(client, f"{API}/services?minimal=true")["contents"]}
    assert minimal["Musikhuset"] == {"id", "name", "status", "assured_date"}
    assert minimal["Äppelkällaren"] == {"id", "name", "status"}, "no confirmation: no assured date"


def names_of(client, query: str, name: str = "services") -> set[str]:
    contents = get_json(client, f"{API}/{name}?{query}")["contents"]
    return {item["name"] if "name" in item else item["service"]["name"] for item in contents}


def term_id(taxonomy: str, code: str) -> str:
    return hsds_id("taxonomy_term", taxonomy, code)


def test_filters_narrow_and_add_up(client):
    everything = names_of(client, "")
    music = names_of(client, f"taxonomy_term_id={term_id('activities', 'musik')}")
    assert music == {"Musikhuset"}
    ips = names_of(client, f"taxonomy_term_id={term_id('ips', 'ja')}")
    assert ips == {"Jobbsteget", "Trädgårdsgruppen"}
    stated_ips = names_of(client, f"taxonomy_id={hsds_id('taxonomy', 'ips')}")
    assert ips < stated_ips < everything and "Nedlagda verkstaden" not in stated_ips, "unknown is not no"
    run_by_city = names_of(client, f"taxonomy_term_id={term_id('operator', 'kommunal')}")
    assert run_by_city == {"Arbetsträning City", "Kafé Solsidan", "Studiegården"}, "the organization's term"
    one = names_of(client, f"organization_id={hsds_id('organization', 'jobbsteget')}")
    assert one == {"Jobbsteget"}
    assert (
        names_of(
            client, f"organization_id={hsds_id('organization', 'jobbsteget')}&taxonomy_id={hsds_id('taxonomy', 'ips')}"
        )
        == one
    )
    assert (
        names_of(
            client, f"organization_id={hsds_id('organization', 'musikhuset')}&taxonomy_term_id={term_id('ips', 'ja')}"
        )
        == set()
    )
    assert names_of(client, "modified_after=2025-01-15") == everything
    assert names_of(client, "modified_after=2025-01-16") == set()
    found = names_of(client, "search=kafé")
    assert "Kafé Solsidan" in found and found < everything
    assert names_of(client, "search=kafe") == found, "å, ä, ö and é may be left out, as on the site"
    assert names_of(client, "search=musik", "service_at_locations") == {"Musikhuset"}
    assert names_of(client, "search=jobbsteget", "organizations") == {"Jobbsteget"}
    assert names_of(client, "search=ips", "taxonomies") == {"Stöd till jobb enligt IPS"}
    ips_taxonomy = hsds_id("taxonomy", "ips")
    assert names_of(client, f"taxonomy_id={ips_taxonomy}", "taxonomy_terms") == {
        "Arbetar med IPS (stöd att få och behålla ett jobb)",
        "Arbetar inte med IPS",
    }
    assert len(names_of(client, "top_only=true&per_page=100", "taxonomy_terms")) == len(
        names_of(client, "per_page=100", "taxonomy_terms")
    ), "every term is at the top"
    assert names_of(client, f"parent_id={term_id('ips', 'ja')}", "taxonomy_terms") == set(), "and has no children"


@pytest.mark.parametrize(
    ("address", "status", "parameter"),
    [
        ("/services?page=0", 400, "page"),
        ("/services?page=abc", 400, "page"),
        ("/services?page=-1", 400, "page"),
        ("/services?page=2", 404, "page"),
        ("/services?page=1&page=2", 400, "page"),
        ("/services?per_page=10000", 400, "per_page"),
        ("/services?per_page=0", 400, "per_page"),
        ("/services?full=maybe", 400, "full"),
        ("/services?minimal=true&full=true", 400, "minimal"),
        ("/services?format=xml", 400, "format"),
        ("/services?modified_after=yesterday", 400, "modified_after"),
        ("/services?modified_after=0001-01-01T00:00:00%2B14:00", 400, "modified_after"),
        ("/services?taxonomy_term_id=musik", 400, "taxonomy_term_id"),
        (f"/services?taxonomy_term_id={uuid.UUID(int=1)}", 400, "taxonomy_term_id"),
        (f"/services?taxonomy_id={hsds_id('taxonomy_term', 'ips', 'ja')}", 400, "taxonomy_id"),
        (f"/services?organization_id={hsds_id('service', 'jobbsteget')}", 400, "organization_id"),
        ("/services?search=" + "a" * 201, 400, "search"),
        ("/services?full_service=true", 400, "full_service"),
        ("/organizations?taxonomy_id=x", 400, "taxonomy_id"),
        ("/service_at_locations?postcode=11822", 400, "postcode"),
        ("/service_at_locations?proximity=500", 400, "proximity"),
        ("/taxonomy_terms?parent_id=x", 400, "parent_id"),
        ("/taxonomy_terms?top_only=yes", 400, "top_only"),
        (f"/services/{uuid.UUID(int=1)}", 404, "id"),
        ("/services/jobbsteget", 404, "id"),
        (f"/services/{hsds_id('organization', 'jobbsteget')}", 404, "id"),
        (f"/organizations/{uuid.UUID(int=1)}", 404, "id"),
        (f"/organizations/{hsds_id('organization', 'jobbsteget')}?full_service=perhaps", 400, "full_service"),
        (f"/service_at_locations/{uuid.UUID(int=1)}", 404, "id"),
        (f"/taxonomies/{uuid.UUID(int=1)}", 404, "id"),
        (f"/taxonomy_terms/{hsds_id('taxonomy', 'ips')}", 404, "id"),
        ("/locations", 404, None),
    ],
)
def test_bad_parameters_get_the_error_shape(client, address, status, parameter):
    body = get_json(client, API + address, status)
    assert set(body) == {"error", "parameter"} and body["error"] and body["parameter"] == parameter


def test_ids_are_read_in_any_case(client):
    wanted = hsds_id("service", "jobbsteget")
    assert get_json(client, f"{API}/services/{wanted.upper()}")["id"] == wanted
    assert names_of(client, f"organization_id={hsds_id('organization', 'jobbsteget').upper()}") == {"Jobbsteget"}
