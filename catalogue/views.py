"""The public HTML pages: start page, search, providers, districts and guidance."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import query, search
from . import vocabulary as v
from .content import SLUG_PATTERN
from .query import SearchRequest
from .routes import localized
from .shortlinks import SHORT_CODE_PARAM
from .web import saved_records, search_url, snapshot

site = Blueprint("site", __name__)

SIMILAR_LIMIT = 5


def _render_search(template: str):
    search_request = query.parse(request.args)
    saved_records(search_request)  # an unknown saved offering is a bad address
    given = [(k, v) for k, v in request.args.items(multi=True) if k != SHORT_CODE_PARAM]
    if given != search_request.to_params():
        # The form sends empty and default fields too (q=&alder=&sortera=relevans); a link to share
        # should be short and say only what was chosen, so answer with the canonical address.
        return redirect(search_url(search_request), code=302)
    try:
        result = search.run(snapshot(), search_request)
    except search.PageOutOfRange as out_of_range:
        return render_template(
            "error.html",
            status=404,
            title=_("Sidan finns inte"),
            message=_("Sökningen har bara %(pages)d sidor.", pages=out_of_range.last_page),
            back_url=search_url(search_request, page=out_of_range.last_page),
            back_label=_("Gå till sista sidan"),
        ), 404
    return render_template(template, result=result)


@localized(site)
def start():
    return _render_search("start.html")


@localized(site, "search")
def search_page():
    return _render_search("search.html")


@localized(site)
def provider(slug: str):
    record = snapshot().provider(slug) if SLUG_PATTERN.match(slug) else None
    if record is None:
        abort(404)
    back = query.parse_leniently(request.args)
    if record.get("status") == "closed":
        return render_template("provider_closed.html", provider=record, back=back, similar=_similar_open(record)), 410
    return render_template("provider.html", provider=record, back=back)


def _similar_open(record: dict) -> list[dict]:
    """Open offerings with the same orientation, nearest first in the same district."""
    filters = {"inriktning": tuple(record.get("orientation", ()))} if record.get("orientation") else {}
    result = search.run(snapshot(), SearchRequest(filters=filters, sort="namn"))
    same_district = [hit.record for hit in result.hits if hit.record.get("district") == record.get("district")]
    others = [hit.record for hit in result.hits if hit.record.get("district") != record.get("district")]
    return [r for r in same_district + others if r["slug"] != record["slug"] and r.get("status") == "active"][
        :SIMILAR_LIMIT
    ]


@localized(site)
def guidance_index():
    return render_template("guidance_index.html", pages=snapshot().pages())


@localized(site)
def easy_read_index():
    return render_template("guidance_index.html", pages=snapshot().pages(easy_read=True), easy_read=True)


@localized(site)
def accessibility_statement():
    return guidance_page("tillganglighet")


@localized(site)
def guidance_page(slug: str):
    page = snapshot().page(slug) if SLUG_PATTERN.match(slug) else None
    if page is None:
        abort(404)
    return render_template("guidance_page.html", page=page)


@localized(site)
def district(slug: str):
    canonical = v.DISTRICTS.canonical(slug)
    if canonical is None or canonical == "hela-staden":
        abort(404)
    if canonical != slug:
        # Old names (rinkeby-kista, ostermalm …) still lead to today's district.
        return redirect(url_for("site.district", slug=canonical), code=301)
    here = search.run(snapshot(), SearchRequest(filters={"stadsdel": (canonical,)}, sort="namn"))
    citywide = search.run(snapshot(), SearchRequest(filters={"stadsdel": ("hela-staden",)}, sort="namn"))
    return render_template(
        "district.html",
        slug=canonical,
        name=v.DISTRICTS.label(canonical),
        facts=snapshot().places.get("districts", {}).get(canonical, {}),
        switchboard=snapshot().places.get("switchboard"),
        former_names=v.DISTRICTS.other_names(canonical),
        here=here,
        citywide=citywide,
    )


# A schematic map, not a geographic one: each district's place on a grid of columns and rows,
# roughly as they lie from north-west (Järva) to south-east (Farsta).
DISTRICT_GRID = {
    "jarva": (1, 0),
    "hasselby-vallingby": (0, 1),
    "bromma": (1, 1),
    "norra-innerstaden": (3, 1),
    "kungsholmen": (2, 2),
    "sodermalm": (3, 2),
    "skarholmen": (0, 3),
    "hagersten-alvsjo": (1, 3),
    "enskede-arsta-vantor": (2, 3),
    "skarpnack": (3, 3),
    "farsta": (3, 4),
}


@localized(site)
def districts():
    counts = search.run(snapshot(), SearchRequest()).facet("stadsdel").counts
    return render_template(
        "districts.html",
        grid=DISTRICT_GRID,
        counts=counts,
        names={slug: v.DISTRICTS.label(slug) for slug in v.DISTRICTS},
    )
