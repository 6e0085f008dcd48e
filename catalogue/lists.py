"""Min lista and Jämför: offerings a person keeps while browsing, all in the address."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from . import fields, query
from .query import BadParameter
from .routes import localized
from .views import GUIDANCE_SERVICE
from .web import saved_records, snapshot

lists = Blueprint("lists", __name__)

COMPARE_MIN, COMPARE_MAX = 2, 4


@localized(lists)
def saved_list():
    search_request = query.parse(request.args)
    providers = saved_records(search_request)
    take_home = {record["slug"]: _take_home(record) for record in providers}
    return render_template("list.html", req=search_request, providers=providers, take_home=take_home,
                           guidance=snapshot().provider(GUIDANCE_SERVICE))  # fmt: skip


def _take_home(record: dict) -> dict:
    """How to start, where, and whom to call, as known; and whether the offering itself can be reached."""
    shown = [(field, value) for field in fields.TAKE_HOME if (value := field.show(record))]
    return {"facts": shown, "reachable": any(field.key in fields.REACH for field, _value in shown)}


@localized(lists)
def compare():
    search_request = query.parse(request.args)
    if not COMPARE_MIN <= len(search_request.saved) <= COMPARE_MAX:
        raise BadParameter("v", _("Välj två till fyra verksamheter att jämföra."))
    providers = saved_records(search_request)
    rows = [(field, [(provider, field.show(provider)) for provider in providers]) for field in fields.COMPARED]
    # A row that no offering has answered says nothing but "Uppgift saknas" four times: one line says it all.
    unknown_to_all = [field for field, cells in rows if all(shown is None for _provider, shown in cells)]
    rows = [(field, cells) for field, cells in rows if field not in unknown_to_all]
    return render_template(
        "compare.html",
        req=search_request,
        providers=providers,
        rows=rows,
        unknown_to_all=", ".join(fields.lower_first(str(field.label)) for field in unknown_to_all),
    )
