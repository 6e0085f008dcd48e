"""How long the site keeps what it stores about people, in one place.

The privacy notice (/personuppgifter) states these periods and ``flask catalogue purge`` (cron, daily)
enforces them, so the two can never disagree.
"""

from __future__ import annotations

import calendar
import datetime as dt

from catalogue.db import (
    Acceptance,
    AuditEntry,
    Contact,
    ErrorReport,
    Invitation,
    OutgoingMail,
    Suggestion,
    db,
    rows_changed,
)

# A suggestion's text and the sender's message, counted from the editors' decision. The reply
# address goes earlier: with the decision, or once the reply has been sent.
SUGGESTION_MONTHS = 12
# A reader's error report, counted from when it was sent.
ERROR_REPORT_MONTHS = 12
# An outgoing e-mail's address and text once it has been sent or has finally failed.
MAIL_DAYS = 30
# An invitation, counted from when its link stops working.
INVITATION_MONTHS = 24
# A contact person imported by the editors, counted from the import; a new import starts it again.
CONTACT_MONTHS = 24
# The editors' audit log: who changed what and when.
AUDIT_MONTHS = 24


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time ``months`` calendar months earlier (the 31st becomes the month's last day)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def purge(now: dt.datetime) -> dict[str, int]:
    """Delete what has been kept as long as the privacy notice says, and nothing younger.

    Sent or failed mail keeps its row (the campaign counts it) without address or text. A suggestion
    goes with the record of its acceptance; an invitation leaves the suggestion that answered it."""
    old_suggestions = db.select(Suggestion.id).where(
        Suggestion.status.in_(("accepted", "rejected")),
        Suggestion.handled_at < months_before(now, SUGGESTION_MONTHS),
    )
    old_invitations = db.select(Invitation.id).where(Invitation.expires_at < months_before(now, INVITATION_MONTHS))
    db.session.execute(db.delete(Acceptance).where(Acceptance.suggestion_id.in_(old_suggestions)))
    db.session.execute(
        db.update(Suggestion).where(Suggestion.invitation_id.in_(old_invitations)).values(invitation_id=None)
    )
    done = {
        "förslag": db.delete(Suggestion).where(Suggestion.id.in_(old_suggestions)),
        "inbjudningar": db.delete(Invitation).where(Invitation.id.in_(old_invitations)),
        "felrapporter": db.delete(ErrorReport).where(ErrorReport.created_at < months_before(now, ERROR_REPORT_MONTHS)),
        "kontakter": db.delete(Contact).where(Contact.imported_at < months_before(now, CONTACT_MONTHS)),
        "loggrader": db.delete(AuditEntry).where(AuditEntry.at < months_before(now, AUDIT_MONTHS)),
        "e-post": db.update(OutgoingMail)
        .where(
            OutgoingMail.status.in_(("sent", "failed")),
            OutgoingMail.created_at < now - dt.timedelta(days=MAIL_DAYS),
            db.or_(OutgoingMail.to_address.is_not(None), OutgoingMail.body != "", OutgoingMail.last_error != ""),
        )
        .values(to_address=None, body="", last_error=""),  # a refusal's text may name the address
    }
    counts = {what: rows_changed(statement) for what, statement in done.items()}
    db.session.commit()
    return counts
