"""Min lista and Jämför: offerings a person keeps while browsing, all in the address.

Both show the same facts as the provider page, with the same age labels (``fields.fact``), each
offering's own ways in, and end with whom to contact to apply (``next_steps``): a list that a case
handler prints for a client must lead somewhere on paper too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from catalogue import query
from catalogue.facts import evidence, fields
from catalogue.page_kit import saved_records
from catalogue.query import BadParameter
from catalogue.routes import localized
from catalogue.site import next_steps

lists = Blueprint("lists", __name__)

COMPARE_MIN, COMPARE_MAX = 2, 4


@dataclass(frozen=True)
class Kept:
    """One offering in Min lista or Jämför: its facts as the provider page shows them, its age and ways in."""

    record: dict[str, Any]
    facts: list[fields.Fact]
    evidence: evidence.Evidence
    steps: next_steps.NextSteps

    @property
    def closed(self) -> bool:
        """Kept in a list made before it closed: said so, and no way in is offered."""
        return self.record.get("status") == "closed"

    @property
    def evidence_said(self) -> str:
        return " ".join(evidence.said(self.evidence))

    @property
    def evidence_briefly(self) -> str:
        return evidence.said_briefly(self.evidence)


def _kept(
    record: dict[str, Any], keys: tuple[fields.ProviderField, ...], search_request: query.SearchRequest, today: dt.date
) -> Kept:
    found = [fact for field in keys if (fact := fields.fact(field, record, today)) is not None]
    closed = record.get("status") == "closed"
    steps = next_steps.NextSteps([], []) if closed else next_steps.for_offering(record, search_request)
    return Kept(record, found, evidence.evidence_of(record), steps)


def _closing(kept: list[Kept], search_request: query.SearchRequest) -> next_steps.NextSteps:
    """How a list ends: whom to contact to apply, first, unless nothing in it needs a decision."""
    return next_steps.for_search(search_request, decision=any(entry.steps.needs_applying for entry in kept))


@localized(lists)
def saved_list() -> ResponseReturnValue:
    search_request = query.parse(request.args)
    today = dt.date.today()
    kept = [_kept(record, fields.TAKE_HOME, search_request, today) for record in saved_records(search_request)]
    return render_template("list.html", req=search_request, kept=kept, steps=_closing(kept, search_request))


@dataclass(frozen=True)
class CompareRow:
    label: str
    cells: list[fields.Fact | None]  # None: not stated


@localized(lists)
def compare() -> ResponseReturnValue:
    search_request = query.parse(request.args)
    if not COMPARE_MIN <= len(search_request.saved) <= COMPARE_MAX:
        raise BadParameter("v", _("Välj två till fyra verksamheter att jämföra."))
    today = dt.date.today()
    kept = [_kept(record, fields.COMPARED, search_request, today) for record in saved_records(search_request)]
    rows = []
    unknown_to_all = []
    for field in fields.COMPARED:
        cells = [next((fact for fact in entry.facts if fact.field is field), None) for entry in kept]
        if any(cells):
            rows.append(CompareRow(str(field.label), cells))
        else:
            # A row that no offering has answered says nothing but "Uppgift saknas" four times: one line says it all.
            unknown_to_all.append(fields.lower_first(str(field.label)))
    return render_template(
        "compare.html",
        req=search_request,
        kept=kept,
        rows=rows,
        unknown_to_all=", ".join(unknown_to_all),
        steps=_closing(kept, search_request),
    )
