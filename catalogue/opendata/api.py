"""The JSON twins of every search and every provider page, for other services; described at
/api/v1/openapi.json. Any site may read them (CORS): it is public information."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import text

from catalogue import i18n, query
from catalogue.db import db, sqlite_file
from catalogue.errors import error_response
from catalogue.facts import fields
from catalogue.opendata import openapi
from catalogue.page_kit import absolute_url, snapshot
from catalogue.search import engine

api = Blueprint("api", __name__, url_prefix="/api/v1")


def readable_anywhere(response: Response) -> Response:
    """Any origin may read a GET answer of an API, an export or a feed: no cookie is involved, the data
    is public. Pages (HTML) are for people and say nothing of the kind."""
    if request.method in ("GET", "HEAD") and response.mimetype != "text/html":
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


api.after_request(readable_anywhere)


def _result(hit: engine.Hit) -> dict[str, Any]:
    record = hit.record
    item = {"slug": record["slug"], "url": url_for("site.provider", slug=record["slug"])}
    item.update({field.key: field.value(record) for field in fields.API_FIELDS})
    item["unknown"] = [facet.param for facet in hit.unknown]  # chosen filters whose fact it has not stated
    return item


@api.get("/sok")
def search_json() -> ResponseReturnValue:
    search_request = query.parse(request.args)
    try:
        result = engine.run(snapshot(), search_request, i18n.current())
    except engine.PageOutOfRange as out_of_range:
        return error_response(_("Sidan finns inte. Sista sidan är %(page)d.", page=out_of_range.last_page), "sida", 404)
    return jsonify(
        {
            "total": result.total,
            "page": search_request.page,
            "pages": result.pages,
            "results": [_result(hit) for hit in result.hits],
            "maybe": {"total": result.maybe_total, "results": [_result(hit) for hit in result.maybe]},
            "partial": {"matched": result.partial_words, "results": [_result(hit) for hit in result.partial]},
            # Their words match, but a stated fact says otherwise (ips: false for "IPS"): never matches.
            "stated_otherwise": [_result(hit) | {"stated": hit.stated_otherwise} for hit in result.stated_otherwise],
            "understood": [
                {"text": item.text, "parameter": item.concept.param, "values": list(item.concept.values)}
                for item in result.understood
            ],
            # Each district the words named: how many offerings are located there (0: those for the whole
            # city are what serves it), and the nearest districts that have some.
            "places": [
                {
                    "district": place.district,
                    "located_here": place.local,
                    "nearby": [{"district": slug, "located_here": count} for slug, _name, count in place.nearby],
                }
                for place in result.places
            ],  # fmt: skip
            "facets": {facet.facet.param: facet.counts for facet in result.facets if facet.facet.counted},
            # Per option, offerings with that value that have not stated another chosen filter's fact.
            "maybe_facets": {
                facet.facet.param: {option.value: option.maybe for option in facet.options}
                for facet in result.facets
                if facet.facet.counted
            },
            "unknown": result.unknown,
            # Chosen filters whose fact no offering has told us yet (the hours of a decision, today).
            "nobody_stated": [facet.param for facet in result.nobody_stated],
            "guidance": [
                {"slug": page["slug"], "title": page["title"], "url": url_for("site.guidance_page", slug=page["slug"])}
                for page in result.guidance
            ],
            "corrected_query": result.suggestion if result.corrected_from else None,
        }
    )


@api.get("/verksamhet/<slug>")
def provider_json(slug: str) -> ResponseReturnValue:
    """The JSON twin of a provider page: every field, null when not stated, and which facts are unknown."""
    record = snapshot().provider(slug)
    if record is None:
        return error_response(_("Verksamheten finns inte."), "slug", 404)
    return jsonify(provider_twin(record))


def provider_twin(record: dict[str, Any]) -> dict[str, Any]:
    """Every field, null when not stated, and which facts are unknown: also a line of the NDJSON export."""
    return {
        "slug": record["slug"],
        "url": url_for("site.provider", slug=record["slug"]),
        **{field.key: field.value(record) for field in fields.FIELDS},
        "description_html": record["description_html"],
        "unknown": [
            field.key for field in fields.FACTS if field.absent_is_unknown and not fields.stated(field, record)
        ],
    }


@api.get("/openapi.json")
def openapi_description() -> Response:
    return jsonify(openapi.description(absolute_url("")))


health = Blueprint("health", __name__)


@health.get("/healthz")
def alive() -> Response:
    """For a load balancer: the process answers."""
    return jsonify({"status": "ok"})


@health.get("/readyz")
def ready() -> ResponseReturnValue:
    """For a load balancer: send visitors here only when the index is loaded and the database answers."""
    checks = {"index": _index_loaded(), "database": _database_answers()}
    ready = all(checks.values())
    return jsonify({"status": "ok" if ready else "unavailable", **checks}), 200 if ready else 503


def _index_loaded() -> bool:
    try:
        snapshot()
    except Exception:  # noqa: BLE001 - any failure to open the index means "not ready"
        return False
    return True


def _database_answers() -> bool:
    """A real table answers. A SQLite file that has gone is not ready either, though a connection opened
    before it went still reads it (and a new one would make an empty file in its place)."""
    path = sqlite_file(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if path is not None and not path.exists():
        return False
    try:
        db.session.execute(text("SELECT count(*) FROM alembic_version"))
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        db.session.rollback()
        return False
    return True
