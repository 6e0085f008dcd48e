"""Every page address of the site, defined once.

Views are registered from this table (in Swedish at the root and under each
language prefix), and the same table answers "is this an address of ours, and
of what kind?" for links in content, short-link targets and error reports, so
adding a page never means updating a regular expression elsewhere. The sitemap
(``discovery.py``) lists the routes marked ``listed``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Blueprint
from flask.typing import RouteCallable
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from .i18n import LanguageConverter

MAX_PATH = 200
_SLUG_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True)
class Route:
    endpoint: str
    rule: str
    methods: tuple[str, ...] = ("GET",)
    shareable: bool = False  # a short link may lead here
    reportable: bool = False  # a reader may report a wrong fact on it
    listed: bool = False  # in /sitemap.xml, every page of it in every language (discovery.py)


ROUTES = (
    Route("site.start", "/", shareable=True, reportable=True, listed=True),
    Route("site.search", "/sok", shareable=True, reportable=True),
    Route("site.provider", "/verksamhet/<slug>", shareable=True, reportable=True, listed=True),
    Route("site.district", "/stadsdel/<slug>", shareable=True, reportable=True, listed=True),
    Route("site.districts", "/stadsdelar", listed=True),
    Route("site.guidance_index", "/vagledning", listed=True),
    Route("site.guidance_page", "/vagledning/<slug>", reportable=True, listed=True),
    Route("site.easy_read_index", "/lattlast", listed=True),
    Route("site.accessibility_statement", "/tillganglighet", listed=True),
    Route("site.for_providers", "/for-verksamheter", reportable=True, listed=True),
    Route("site.privacy", "/personuppgifter", reportable=True, listed=True),
    Route("lists.saved_list", "/lista", shareable=True),
    Route("lists.compare", "/jamfor", shareable=True),
    Route("guide.question", "/hitta-ratt", listed=True),
    Route("guide.done", "/hitta-ratt/klar"),
    Route("feedback.report_form", "/rapportera-fel"),
    Route("feedback.report_submit", "/rapportera-fel", methods=("POST",)),
    Route("feedback.report_thanks", "/rapportera-fel/tack"),
    Route("shortlinks.create", "/l", methods=("POST",)),
    Route("suggestions.change_form", "/verksamhet/<slug>/foresla-andring"),
    Route("suggestions.change_submit", "/verksamhet/<slug>/foresla-andring", methods=("POST",)),
    Route("suggestions.tip_form", "/tipsa"),
    Route("suggestions.tip_submit", "/tipsa", methods=("POST",)),
    Route("suggestions.status", "/forslag/<token>"),
    Route("suggestions.invited_form", "/uppdatera/<token>"),
    Route("suggestions.invited_submit", "/uppdatera/<token>", methods=("POST",)),
    Route("opendata.page", "/oppna-data", listed=True),
)
ROUTES_BY_ENDPOINT = {route.endpoint: route for route in ROUTES}

_MAP = Map(
    [Rule(prefix + route.rule, endpoint=route.endpoint, methods=route.methods)
     for route in ROUTES for prefix in ("", "/<lang:lang>")],
    converters={"lang": LanguageConverter},
)  # fmt: skip
_MATCHER = _MAP.bind("localhost")
_View = TypeVar("_View", bound=RouteCallable)


def localized(blueprint: Blueprint, name: str | None = None) -> Callable[[_View], _View]:
    """Register a view at its route, in Swedish at the root and under every other language's prefix.

    The endpoint is the blueprint's name and the view's name (``site.provider``), or ``name`` when given.
    """

    def decorator(view: _View) -> _View:
        endpoint = name or view.__name__
        route = ROUTES_BY_ENDPOINT[f"{blueprint.name}.{endpoint}"]
        for prefix in ("", "/<lang:lang>"):
            blueprint.add_url_rule(prefix + route.rule, endpoint, view, methods=list(route.methods))
        return view

    return decorator


def match(path: str, method: str = "GET") -> tuple[Route, dict[str, str]] | None:
    """The page a site-relative path leads to, if it is one of ours with plain slugs; else None."""
    if not path.startswith("/") or len(path) > MAX_PATH:
        return None
    try:
        endpoint, found = _MATCHER.match(path, method=method)
    except HTTPException:
        return None
    arguments = {name: str(value) for name, value in found.items() if name != "lang"}
    if any(not value or not set(value) <= _SLUG_CHARACTERS for value in arguments.values()):
        return None
    return ROUTES_BY_ENDPOINT[endpoint], arguments
