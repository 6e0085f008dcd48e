"""The public HTML pages: start page, search, and one page per provider."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from babel import Locale

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from . import query, search
from . import vocabulary as v
from .content import SLUG_PATTERN
from .facets import FACETS, FACETS_BY_PARAM
from .i18n import localized
from .query import SearchRequest
from .shortlinks import SHORT_CODE_PARAM

site = Blueprint("site", __name__)

SIMILAR_LIMIT = 5


def catalogue() -> search.CatalogueIndex:
    return current_app.extensions["catalogue_index"]


def address(endpoint: str, params: list[tuple[str, str]], **values) -> str:
    """A page address with its parameters in the given order: the printed-link contract."""
    return url_for(endpoint, **values) + ("?" + urlencode(params) if params else "")


def search_url(search_request: SearchRequest, **changes) -> str:
    return address("site.search", search_request.to_params(**changes))


def saved_records(search_request: SearchRequest) -> list[dict]:
    """The saved offerings, in the order they were saved; an unknown one is a bad address."""
    snapshot = catalogue().snapshot()
    records = [snapshot.provider(slug) for slug in search_request.saved]
    if any(record is None for record in records):
        raise query.BadParameter("v", _("Min lista innehåller en verksamhet som inte finns."))
    return records


def list_url(search_request: SearchRequest, endpoint: str = "lists.saved_list", **changes) -> str:
    return address(endpoint, search_request.to_params(page=1, **changes))


site.add_app_template_global(list_url)


def provider_url(slug: str, search_request: SearchRequest | None = None) -> str:
    """Carries the search state so the provider page can link back to exactly those results."""
    return address("site.provider", search_request.to_params() if search_request else [], slug=slug)


_VOCABULARIES = {facet.param: facet.vocabulary for facet in FACETS} | {
    "activities": v.ACTIVITIES, "status": v.STATUSES, "accessibility": v.PHYSICAL_ACCESSIBILITY, "weekday": v.WEEKDAYS,
}


@site.app_template_global()
def label(kind: str, value: str) -> str:
    """A slug as people read it, in their language: label("stadsdel", "jarva") -> "Järva"."""
    return _VOCABULARIES[kind].label(value)


@site.app_template_filter()
def long_date(date: dt.date | str) -> str:
    """A date (or a stored ISO date) written out in the page's language: "23 november 2026"."""
    return format_date(dt.date.fromisoformat(date) if isinstance(date, str) else date, format="long")


site.add_app_template_global(dt.date.today, name="today")


@site.app_template_filter()
def language_name(code: str) -> str:
    return Locale.parse(str(get_locale())).languages.get(code, code)


site.add_app_template_global(search_url)
site.add_app_template_global(provider_url)


def _render_search(template: str):
    search_request = query.parse(request.args)
    saved_records(search_request)  # an unknown saved offering is a bad address
    given = [(k, v) for k, v in request.args.items(multi=True) if k != SHORT_CODE_PARAM]
    if given != search_request.to_params():
        # The form sends empty and default fields too (q=&alder=&sortera=relevans); a link to share
        # should be short and say only what was chosen, so answer with the canonical address.
        return redirect(search_url(search_request), code=302)
    try:
        result = search.run(catalogue(), search_request)
    except search.PageOutOfRange as out_of_range:
        return render_template(
            "error.html", status=404, title=_("Sidan finns inte"),
            message=_("Sökningen har bara %(pages)d sidor.", pages=out_of_range.last_page),
            back_url=search_url(search_request, page=out_of_range.last_page), back_label=_("Gå till sista sidan"),
        ), 404
    return render_template(template, result=result, facets=FACETS, facets_by_param=FACETS_BY_PARAM)


@localized(site, "/")
def start():
    return _render_search("start.html")


@localized(site, "/sok", endpoint="search")
def search_page():
    return _render_search("search.html")


@localized(site, "/verksamhet/<slug>")
def provider(slug: str):
    record = catalogue().snapshot().provider(slug) if SLUG_PATTERN.match(slug) else None
    if record is None:
        abort(404)
    back = query.parse_leniently(request.args)
    if record.get("status") == "closed":
        return render_template("provider_closed.html", provider=record, back=back,
                               similar=_similar_open(record)), 410
    return render_template("provider.html", provider=record, back=back)


def _similar_open(record: dict) -> list[dict]:
    """Open offerings with the same orientation, nearest first in the same district."""
    filters = {"inriktning": tuple(record.get("orientation", ()))} if record.get("orientation") else {}
    result = search.run(catalogue(), SearchRequest(filters=filters, sort="namn"))
    same_district = [hit.record for hit in result.hits if hit.record.get("district") == record.get("district")]
    others = [hit.record for hit in result.hits if hit.record.get("district") != record.get("district")]
    return [r for r in same_district + others
            if r["slug"] != record["slug"] and r.get("status") == "active"][:SIMILAR_LIMIT]


@localized(site, "/vagledning")
def guidance_index():
    return render_template("guidance_index.html", pages=catalogue().snapshot().pages())


@localized(site, "/lattlast")
def easy_read_index():
    return render_template("guidance_index.html", pages=catalogue().snapshot().pages(easy_read=True),
                           easy_read=True)


@localized(site, "/tillganglighet")
def accessibility_statement():
    return guidance_page("tillganglighet")


@localized(site, "/vagledning/<slug>")
def guidance_page(slug: str):
    page = catalogue().snapshot().page(slug) if SLUG_PATTERN.match(slug) else None
    if page is None:
        abort(404)
    return render_template("guidance_page.html", page=page)


@localized(site, "/stadsdel/<slug>")
def district(slug: str):
    canonical = v.DISTRICTS.canonical(slug)
    if canonical is None or canonical == "hela-staden":
        abort(404)
    if canonical != slug:
        # Old names (rinkeby-kista, ostermalm …) still lead to today's district.
        return redirect(url_for("site.district", slug=canonical), code=301)
    snapshot = catalogue().snapshot()
    here = search.run(catalogue(), SearchRequest(filters={"stadsdel": (canonical,)}, sort="namn"))
    citywide = search.run(catalogue(), SearchRequest(filters={"stadsdel": ("hela-staden",)}, sort="namn"))
    return render_template("district.html", slug=canonical, name=v.DISTRICTS.label(canonical),
                           facts=snapshot.places.get("districts", {}).get(canonical, {}),
                           switchboard=snapshot.places.get("switchboard"),
                           former_names=v.DISTRICTS.other_names(canonical), here=here, citywide=citywide)


# A schematic map, not a geographic one: each district's place on a grid of columns and rows,
# roughly as they lie from north-west (Järva) to south-east (Farsta).
DISTRICT_GRID = {
    "jarva": (1, 0), "hasselby-vallingby": (0, 1), "bromma": (1, 1), "norra-innerstaden": (3, 1),
    "kungsholmen": (2, 2), "sodermalm": (3, 2), "skarholmen": (0, 3), "hagersten-alvsjo": (1, 3),
    "enskede-arsta-vantor": (2, 3), "skarpnack": (3, 3), "farsta": (3, 4),
}


@localized(site, "/stadsdelar")
def districts():
    counts = search.run(catalogue(), SearchRequest()).facet_counts["stadsdel"]
    return render_template("districts.html", grid=DISTRICT_GRID, counts=counts,
                           names={slug: v.DISTRICTS.label(slug) for slug in v.DISTRICTS})
