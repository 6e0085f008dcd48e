"""The public HTML pages: start page, search, providers, districts, guidance, and the pages for providers and
on personal data."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, cast

from babel.lists import format_list
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from limits import parse_many

from catalogue import i18n, query, retention
from catalogue.errors import error_page
from catalogue.facts import fields
from catalogue.facts import vocabulary as v
from catalogue.index.content import SLUG_PATTERN
from catalogue.page_kit import saved_in_request, saved_records, search_url, snapshot
from catalogue.query import SearchRequest
from catalogue.query.facets import DistrictFacet
from catalogue.routes import localized
from catalogue.search import engine
from catalogue.site import next_steps
from catalogue.site.places import district_contacts
from catalogue.site.shortlinks import SHORT_CODE_PARAM

site = Blueprint("site", __name__)

SIMILAR_LIMIT = 5


def _render_search(template: str) -> ResponseReturnValue:
    search_request = query.parse(request.args)
    saved_records(search_request)  # an unknown saved offering is a bad address
    given = [(k, v) for k, v in request.args.items(multi=True) if k != SHORT_CODE_PARAM]
    if given != search_request.to_params():
        # The form sends empty and default fields too (q=&alder=&sortera=relevans); a link to share
        # should be short and say only what was chosen, so answer with the canonical address.
        return redirect(search_url(search_request), code=302)
    try:
        result = engine.run(snapshot(), search_request, i18n.current())
    except engine.PageOutOfRange as out_of_range:
        return error_page(
            404,
            _("Sidan finns inte"),
            _("Sökningen har bara %(pages)d sidor.", pages=out_of_range.last_page),
            back_url=search_url(search_request, page=out_of_range.last_page),
            back_label=_("Gå till sista sidan"),
        )
    return render_template(template, result=result)


@localized(site)
def start() -> ResponseReturnValue:
    return _render_search("start.html")


@localized(site, "search")
def search_page() -> ResponseReturnValue:
    return _render_search("search.html")


@localized(site)
def provider(slug: str) -> ResponseReturnValue:
    record = snapshot().provider(slug) if SLUG_PATTERN.match(slug) else None
    if record is None:
        abort(404)
    back = query.parse_leniently(request.args)
    if record.get("status") == "closed":
        steps = next_steps.for_search(back)  # whom to ask instead, with a number and where to apply
        page = render_template("provider_closed.html", provider=record, back=back, similar=_similar_open(record),
                               steps=steps)  # fmt: skip
        return page, 410
    facts = fields.provider_facts(record, dt.date.today())
    steps = next_steps.for_offering(record, back)
    return render_template("provider.html", provider=record, back=back, facts=facts, sections=fields.SECTIONS,
                           steps=steps)  # fmt: skip


def _similar_open(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Open offerings with the same orientation, nearest first in the same district."""
    filters = {"inriktning": tuple(record.get("orientation", ()))} if record.get("orientation") else {}
    result = engine.run(snapshot(), SearchRequest(filters=filters, sort="namn"), i18n.current())
    same_district = [hit.record for hit in result.hits if hit.record.get("district") == record.get("district")]
    others = [hit.record for hit in result.hits if hit.record.get("district") != record.get("district")]
    return [r for r in same_district + others if r["slug"] != record["slug"] and r.get("status") == "active"][
        :SIMILAR_LIMIT
    ]


@localized(site)
def guidance_index() -> ResponseReturnValue:
    return render_template("guidance_index.html", pages=snapshot().pages())


@localized(site)
def easy_read_index() -> ResponseReturnValue:
    return render_template("guidance_index.html", pages=snapshot().pages(easy_read=True), easy_read=True)


@localized(site)
def accessibility_statement() -> ResponseReturnValue:
    return guidance_page("tillganglighet")


@localized(site)
def for_providers() -> ResponseReturnValue:
    """Why and how an offering is listed, in every language (the guidance pages are Swedish only)."""
    return render_template("for_providers.html")


def _months(count: int) -> str:
    return cast(str, ngettext("%(num)d månad", "%(num)d månader", count))


def _days(count: int) -> str:
    return cast(str, ngettext("%(num)d dag", "%(num)d dagar", count))


def _hours(count: int) -> str:
    return cast(str, ngettext("%(num)d timme", "%(num)d timmar", count))


def privacy_periods() -> dict[str, str]:
    """How long each kind of record is kept, in words, from the constants the purge enforces
    (``catalogue.retention``), and how long a client's count of sent forms lives (the rate limit)."""
    longest_window = max(item.get_expiry() for item in parse_many(current_app.config["RATELIMIT_DEFAULT"]))
    return {
        "suggestion": _months(retention.SUGGESTION_MONTHS),
        "error_report": _months(retention.ERROR_REPORT_MONTHS),
        "mail": _days(retention.MAIL_DAYS),
        "invitation": _months(retention.INVITATION_MONTHS),
        "contact": _months(retention.CONTACT_MONTHS),
        "audit": _months(retention.AUDIT_MONTHS),
        "form_count": _hours(math.ceil(longest_window / 3600)),
    }


@localized(site)
def privacy() -> ResponseReturnValue:
    """The privacy notice: what is kept about whom, why and for how long, and how to have it removed."""
    return render_template("privacy.html", periods=privacy_periods(), controller=current_app.config.get("CONTROLLER"))


@localized(site)
def guidance_page(slug: str) -> ResponseReturnValue:
    page = snapshot().page(slug) if SLUG_PATTERN.match(slug) else None
    if page is None:
        abort(404)
    return render_template("guidance_page.html", page=page)


@localized(site)
def district(slug: str) -> ResponseReturnValue:
    canonical = v.DISTRICTS.canonical(slug)
    if canonical is None or canonical == v.CITYWIDE:
        abort(404)
    if canonical != slug:
        # Old names (rinkeby-kista, ostermalm …) still lead to today's district.
        return redirect(url_for("site.district", slug=canonical), code=301)
    # The same search as /sok?stadsdel=<slug>, so the page and the search always agree.
    search_request = SearchRequest(filters={"stadsdel": (canonical,)}, sort="namn", saved=saved_in_request())
    result = engine.run(snapshot(), search_request, i18n.current())
    option = next(option for option in result.facet("stadsdel").options if option.value == canonical)
    places = snapshot().places
    facts = places.get("districts", {}).get(canonical, {})
    name = v.DISTRICTS.label(canonical)
    listed = [snapshot().record(docnum) for docnum in snapshot().by_name]  # every one, not a page of them
    nearby = snapshot().place_answer(canonical).nearby
    return render_template(
        "district.html",
        slug=canonical,
        name=name,
        facts=facts,
        contacts=district_contacts(canonical, name, facts, places, dt.date.today(), next_steps.guidance_service()),
        former_names=format_list(v.DISTRICTS.other_names(canonical), locale=get_locale()),  # "A, B och C"
        result=result,
        option=option,
        nearby=nearby,
        local=[record for record in listed if record.get("district") == canonical],
        citywide=[record for record in listed if record.get("district") == DistrictFacet.EVERYWHERE],
    )


@localized(site)
def districts() -> ResponseReturnValue:
    everything = engine.run(snapshot(), SearchRequest(), i18n.current())
    options = {option.value: option for option in everything.facet("stadsdel").options}
    return render_template(
        "districts.html",
        map=v.municipality().district_map,
        options=options,
        names={slug: v.DISTRICTS.label(slug) for slug in v.DISTRICTS},
    )
