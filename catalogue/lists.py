"""Min lista and Jämför: offerings a person keeps while browsing, all in the address."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from . import query
from .i18n import localized
from .query import BadParameter
from .views import saved_records

lists = Blueprint("lists", __name__)

COMPARE_MIN, COMPARE_MAX = 2, 4


@localized(lists, "/lista")
def saved_list():
    search_request = query.parse(request.args)
    return render_template("list.html", req=search_request, providers=saved_records(search_request))


@localized(lists, "/jamfor")
def compare():
    search_request = query.parse(request.args)
    if not COMPARE_MIN <= len(search_request.saved) <= COMPARE_MAX:
        raise BadParameter("v", _("Välj två till fyra verksamheter att jämföra."))
    return render_template("compare.html", req=search_request, providers=saved_records(search_request))
