""" "Rapportera fel": readers tell the editors when a fact is wrong.

Only the page address and the message are stored, never who sent it. The form
works without JavaScript and without cookies; a hidden field catches robots.
"""

from __future__ import annotations

import re

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from catalogue.db import ErrorReport, db
from catalogue.facts import textpolicy
from catalogue.facts.fields import FIELDS_BY_KEY
from catalogue.limits import ensure_room
from catalogue.routes import localized, match

feedback = Blueprint("feedback", __name__)

MIN_MESSAGE, MAX_MESSAGE = 5, 2000
ROBOT_TRAP = "webbplats"  # hidden from people by CSS; robots fill in every field


def _page(raw: str | None) -> str:
    """Only addresses on this site are kept, so the stored page is always something editors can open."""
    found = match(raw or "")
    return raw if raw and found and found[0].reportable else "/"


@localized(feedback)
def report_form() -> ResponseReturnValue:
    """Pre-filled from "Vet du? Berätta för oss" with the facts the page does not know (``falt``)."""
    asked = [FIELDS_BY_KEY[key] for key in dict.fromkeys(request.args.getlist("falt")) if key in FIELDS_BY_KEY]
    message = "".join(f"{field.label}: \n" for field in asked)
    return render_template(
        "report_form.html", page=_page(request.args.get("sida")), message=message, error=None, asked=asked
    )


_EMPTY_HEADING = re.compile(r"[^:\n]{1,80}:\s*")


def _written(message: str) -> str:
    """What the reader wrote: the pre-filled headings ("Telefon: ") left empty do not count."""
    return "\n".join(line for line in message.splitlines() if not _EMPTY_HEADING.fullmatch(line)).strip()


@localized(feedback)
def report_submit() -> ResponseReturnValue:
    page = _page(request.form.get("sida"))
    message = textpolicy.normalized(request.form.get("meddelande") or "").strip()
    if request.form.get(ROBOT_TRAP):
        return redirect(url_for("feedback.report_thanks", sida=page), code=303)
    error = None
    if len(_written(message)) < MIN_MESSAGE:
        error = _("Skriv vad som är fel, med minst %(count)d tecken.", count=MIN_MESSAGE)
    elif len(message) > MAX_MESSAGE:
        error = _("Skriv högst %(count)d tecken.", count=MAX_MESSAGE)
    elif said := textpolicy.problem(message):  # a NUL would also be refused by PostgreSQL, as a 503
        error = said
    if error:
        return render_template("report_form.html", page=page, message=message[:MAX_MESSAGE], error=error), 400
    ensure_room(ErrorReport)
    db.session.add(ErrorReport(page=page, message=message))
    db.session.commit()
    return redirect(url_for("feedback.report_thanks", sida=page), code=303)


@localized(feedback)
def report_thanks() -> ResponseReturnValue:
    return render_template("report_thanks.html", page=_page(request.args.get("sida")))
