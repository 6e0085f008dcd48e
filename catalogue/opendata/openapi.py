"""The OpenAPI 3.1 description of our own API, /api/v1, built from the tables it describes.

Parameters come from the filters (``facets.FACETS``) and the provider fields (``fields.FIELDS``),
so a new filter or field is described the day it exists. ``tests/test_openapi.py`` sends generated
requests (schemathesis) and checks every answer against this description.
"""

from __future__ import annotations

from typing import Any

from catalogue import query
from catalogue.facts import fields
from catalogue.facts import vocabulary as v
from catalogue.facts.fields import NULLABLE_TEXT, TEXT
from catalogue.query.facets import FACETS, MAX_VALUES_PER_FILTER, ChoiceFacet, Facet, RangeFacet


def _provider_schema(keys: list[str]) -> dict[str, Any]:
    properties = {field.key: field.json_schema for field in fields.FIELDS if field.key in keys}
    return {"type": "object", "required": ["slug", "url", *keys], "properties": {
        "slug": TEXT, "url": TEXT, **properties}}  # fmt: skip


def _filter_parameter(facet: Facet) -> dict[str, Any]:
    if isinstance(facet, RangeFacet):
        schema: dict[str, Any] = {"type": "integer", "minimum": facet.low, "maximum": facet.high}
    else:
        assert isinstance(facet, ChoiceFacet)
        # A value given twice counts once; more than MAX_VALUES_PER_FILTER values is a bad address.
        schema = {"type": "array", "items": {"enum": list(facet.vocabulary)}, "maxItems": MAX_VALUES_PER_FILTER}
    return {"name": facet.param, "in": "query", "required": False, "schema": schema, "style": "form",
            "explode": True, "description": str(facet.legend)}  # fmt: skip


def _error() -> dict[str, Any]:
    return {"description": "A parameter that cannot be read, or something that does not exist.", "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}  # fmt: skip


def description(server: str) -> dict[str, Any]:
    """The whole document; ``server`` is the site's address, where the API lives under /api/v1."""
    result_keys = [
        "name",
        "summary",
        *(field.key for field in fields.API_FIELDS if field.key not in ("name", "summary")),
    ]
    result = _provider_schema(result_keys)
    result["properties"]["unknown"] = {"type": "array", "items": {"enum": [facet.param for facet in FACETS]}}
    result["required"].append("unknown")
    provider = _provider_schema([field.key for field in fields.FIELDS])
    provider["properties"] |= {
        "description_html": TEXT,
        "unknown": {"type": "array", "items": {"enum": [f.key for f in fields.FACTS if f.absent_is_unknown]}},
    }
    provider["required"] += ["description_html", "unknown"]
    results = {"type": "array", "items": {"$ref": "#/components/schemas/Result"}}
    counts = {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}}}
    search_parameters = [
        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": query.MAX_QUERY_LENGTH,
                                                "pattern": r"^[^\u0000-\u001f\ufffd]*$"},
         "description": "Words to search for."},
        *(_filter_parameter(facet) for facet in FACETS),
        {"name": "sortera", "in": "query", "schema": {"enum": list(query.SORTS)}},
        {"name": "sida", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": query.MAX_PAGE}},
        {"name": "ordagrant", "in": "query", "schema": {"enum": ["1"]},
         "description": "Search the words as typed, without reading them as concepts."},
    ]  # fmt: skip
    city = v.municipality().name
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hitta sysselsättning API",
            "version": "1",
            "description": "Sysselsättning for adults with psychiatric disabilities in "
            f"{city.in_language('en')}. A fact a provider has not stated is null (or left out "
            "of a list), never false. Open data: see /oppna-data.",
        },
        "servers": [{"url": server + "/api/v1"}],
        "paths": {
            "/sok": {
                "get": {
                    "summary": "Search, with the same parameters as the search page /sok.",
                    "parameters": search_parameters,
                    "responses": {
                        "200": {
                            "description": "The results",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResult"}}},
                        },
                        "400": _error(),
                        "404": _error(),
                    },
                }
            },
            "/verksamhet/{slug}": {
                "get": {
                    "summary": "One offering: the JSON twin of its page.",
                    "parameters": [
                        {
                            "name": "slug",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 120},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The offering",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Provider"}}},
                        },
                        "404": _error(),
                    },
                }
            },
        },  # fmt: skip
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "parameter"],
                    "properties": {"error": TEXT, "parameter": NULLABLE_TEXT},
                },
                "Result": result,
                "Provider": provider,
                "SearchResult": {
                    "type": "object",
                    "required": ["total", "page", "pages", "results"],
                    "properties": {
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "results": results,
                        "maybe": {"type": "object", "properties": {"total": {"type": "integer"}, "results": results}},
                        "partial": {
                            "type": "object",
                            "properties": {"matched": {"type": "array", "items": TEXT}, "results": results},
                        },
                        "understood": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "text": TEXT,
                                    "parameter": TEXT,
                                    "values": {"type": "array", "items": TEXT},
                                },
                            },
                        },
                        "places": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "district": TEXT,
                                    "located_here": {"type": "integer"},
                                    "nearby": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {"district": TEXT, "located_here": {"type": "integer"}},
                                        },
                                    },
                                },
                            },
                        },
                        "facets": counts,
                        "maybe_facets": counts,
                        "unknown": {"type": "object", "additionalProperties": {"type": "integer"}},
                        "nobody_stated": {"type": "array", "items": {"enum": [facet.param for facet in FACETS]}},
                        "stated_otherwise": {
                            "type": "array",
                            "items": {
                                "allOf": [
                                    {"$ref": "#/components/schemas/Result"},
                                    {
                                        "type": "object",
                                        "required": ["stated"],
                                        "properties": {"stated": {"type": "array", "items": TEXT}},
                                    },
                                ]
                            },
                        },
                        "guidance": {
                            "type": "array",
                            "items": {"type": "object", "properties": {"slug": TEXT, "title": TEXT, "url": TEXT}},
                        },
                        "corrected_query": NULLABLE_TEXT,
                    },
                },
            },  # fmt: skip
        },
    }
