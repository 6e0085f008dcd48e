"""The editors' notice of new suggestions: one e-mail per editor and run, never one per suggestion.

``flask catalogue digest`` (cron, for example every morning) lists the suggestions, tips and
provider answers that arrived since the last digest, with a link to each on the desk. It says who
sent them only as "a visitor" or "the offering": no message text and no reply address leave the
desk by e-mail. A suggestion is marked as told in the same transaction as the messages are queued,
so a run that fails queues nothing and the next run tells it again; of two runs at once, one tells.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, url_for

from catalogue.db import Editor, Suggestion, db, rows_changed
from catalogue.editorial import mail
from catalogue.editorial.desk import NO_ADDRESS_DOMAIN, WAITING
from catalogue.page_kit import absolute_url, snapshot

SUBJECT = "Nya förslag att hantera på Hitta sysselsättning"


def _line(suggestion: Suggestion) -> str:
    if suggestion.provider is None:
        about = "tips om en ny verksamhet"
    else:  # an offering since removed or renamed is named by its file
        about = (snapshot().provider(suggestion.provider) or {}).get("name", suggestion.provider)
    sender = "från verksamheten" if suggestion.from_provider else "från en besökare"
    return f"- #{suggestion.id} {about}, {sender}: {absolute_url(url_for('desk.review', number=suggestion.id))}"


def text(fresh: list[Suggestion], waiting: int) -> str:
    lines = ["Hej!", "", f"{len(fresh)} nya förslag har kommit sedan förra meddelandet:", ""]
    lines += [_line(suggestion) for suggestion in fresh]
    lines += ["", f"Sammanlagt väntar {waiting} på redaktionen: {absolute_url(url_for('desk.queue'))}", "",
              "Det här meddelandet skickas av flask catalogue digest."]  # fmt: skip
    return "\n".join(lines) + "\n"


def send(now: dt.datetime) -> int:
    """Queue one message per editor with an address about the suggestions not yet told; returns how
    many suggestions were told. With mail off, or nobody to tell, nothing is marked."""
    config = current_app.config
    recipients = [
        editor.email
        for editor in db.session.scalars(db.select(Editor).order_by(Editor.name))
        if not editor.email.endswith("@" + NO_ADDRESS_DOMAIN)
    ]
    fresh = list(
        db.session.scalars(
            db.select(Suggestion)
            .where(Suggestion.status == "new", Suggestion.notified_at.is_(None))
            .order_by(Suggestion.id)
        )
    )
    if not fresh or not recipients or not mail.enabled(config):
        db.session.rollback()
        return 0
    told = rows_changed(
        db.update(Suggestion)
        .where(Suggestion.id.in_([suggestion.id for suggestion in fresh]), Suggestion.notified_at.is_(None))
        .values(notified_at=now)
    )
    if told != len(fresh):  # another run told some of them first: it tells the rest too
        db.session.rollback()
        return 0
    waiting = db.session.scalar(
        db.select(db.func.count()).where(Suggestion.status.in_(WAITING)).select_from(Suggestion)
    )
    body = text(fresh, waiting or 0)
    for address in recipients:
        mail.queue(config, "digest", address, SUBJECT, body)
    db.session.commit()
    return len(fresh)
