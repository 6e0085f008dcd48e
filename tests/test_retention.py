"""The retention periods the privacy notice states are enforced by ``flask catalogue purge``: everything
older goes, everything a day younger stays."""

from __future__ import annotations

import datetime as dt

from catalogue import retention
from catalogue.db import (
    Acceptance,
    AuditEntry,
    Contact,
    ErrorReport,
    Invitation,
    OutgoingMail,
    Suggestion,
    db,
)

NOW = dt.datetime.now(dt.UTC)
DAY = dt.timedelta(days=1)


def expired(months: int) -> dt.datetime:
    return retention.months_before(NOW, months) - DAY


def kept(months: int) -> dt.datetime:
    return retention.months_before(NOW, months) + DAY


def suggestion(number: int, handled: dt.datetime | None, status: str = "accepted", **more) -> Suggestion:
    return Suggestion(id=number, token=f"t{number}", provider="musikhuset", changes={}, status=status,
                      handled_at=handled, **more)  # fmt: skip


def invitation(number: int, expires: dt.datetime) -> Invitation:
    return Invitation(id=number, provider="musikhuset", nonce=f"n{number}", created_by="anna", expires_at=expires)


def mail(number: int, status: str, created: dt.datetime) -> OutgoingMail:
    return OutgoingMail(id=number, kind="reply", to_address="a@example.se", subject="s", body="text",
                        message_id=f"<{number}@x>", status=status, created_at=created,
                        last_error="{'a@example.se': (550, 'no such user')}" if status == "failed" else "")  # fmt: skip


def test_purge_deletes_exactly_what_is_older_than_the_notice_says(app):
    purge_and_check(app)


def purge_and_check(app) -> None:
    """Rows of every kind, a day past and a day short of their period, then ``purge`` twice. (Also run on
    PostgreSQL, which enforces the foreign keys between suggestions, invitations and acceptances.)"""
    with app.app_context():
        db.session.add_all([
            invitation(1, expired(retention.INVITATION_MONTHS)),
            invitation(2, kept(retention.INVITATION_MONTHS)),
        ])  # fmt: skip
        db.session.flush()
        db.session.add_all([
            suggestion(1, expired(retention.SUGGESTION_MONTHS), invitation_id=2),
            suggestion(2, kept(retention.SUGGESTION_MONTHS)),
            suggestion(3, None, status="new", created_at=expired(60)),  # waiting for the editors: never purged
            suggestion(4, kept(retention.SUGGESTION_MONTHS), status="rejected", invitation_id=1),
            ErrorReport(id=1, page="/", message="old", created_at=expired(retention.ERROR_REPORT_MONTHS)),
            ErrorReport(id=2, page="/", message="new", created_at=kept(retention.ERROR_REPORT_MONTHS)),
            Contact(provider="musikhuset", imported_by="anna", imported_at=expired(retention.CONTACT_MONTHS)),
            Contact(provider="jobbsteget", imported_by="anna", imported_at=kept(retention.CONTACT_MONTHS)),
            AuditEntry(id=1, editor="anna", action="old", at=expired(retention.AUDIT_MONTHS)),
            AuditEntry(id=2, editor="anna", action="new", at=kept(retention.AUDIT_MONTHS)),
            mail(1, "sent", NOW - dt.timedelta(days=retention.MAIL_DAYS) - DAY),
            mail(2, "failed", NOW - dt.timedelta(days=retention.MAIL_DAYS) - DAY),
            mail(3, "sent", NOW - dt.timedelta(days=retention.MAIL_DAYS) + DAY),
            mail(4, "queued", NOW - dt.timedelta(days=retention.MAIL_DAYS) - DAY),  # still to go: kept whole
        ])  # fmt: skip
        db.session.flush()
        db.session.add(Acceptance(suggestion_id=1, editor="anna"))
        db.session.commit()

    result = app.test_cli_runner().invoke(args=["catalogue", "purge"])
    assert result.exit_code == 0, result.output
    assert "1 förslag, 1 inbjudningar, 1 felrapporter, 1 kontakter, 1 loggrader, 2 e-post" in result.output

    with app.app_context():
        assert db.session.scalars(db.select(Suggestion.id).order_by(Suggestion.id)).all() == [2, 3, 4]
        assert db.session.get(Suggestion, 4).invitation_id is None  # its invitation went; the answer stays
        assert db.session.scalars(db.select(Invitation.id)).all() == [2]
        assert db.session.scalars(db.select(Acceptance)).all() == []
        assert db.session.scalars(db.select(ErrorReport.id)).all() == [2]
        assert db.session.scalars(db.select(Contact.provider)).all() == ["jobbsteget"]
        assert db.session.scalars(db.select(AuditEntry.id)).all() == [2]
        mails = {m.id: (m.to_address, m.body, m.last_error) for m in db.session.scalars(db.select(OutgoingMail))}
        assert mails == {
            1: (None, "", ""),
            2: (None, "", ""),
            3: ("a@example.se", "text", ""),
            4: ("a@example.se", "text", ""),
        }

    again = app.test_cli_runner().invoke(args=["catalogue", "purge"])
    assert "0 förslag, 0 inbjudningar, 0 felrapporter, 0 kontakter, 0 loggrader, 0 e-post" in again.output


def test_months_are_calendar_months_and_the_31st_becomes_the_last_day():
    moment = dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC)
    assert retention.months_before(moment, 1) == dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
    assert retention.months_before(moment, 12) == dt.datetime(2025, 3, 31, 12, tzinfo=dt.UTC)
    assert retention.months_before(moment, 15) == dt.datetime(2024, 12, 31, 12, tzinfo=dt.UTC)


def test_an_editor_who_stops_is_removed_and_their_session_ends(app):
    from test_desk import PASSWORD, sign_in

    from catalogue.db import Editor
    from catalogue.editorial import desk

    with app.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    client = app.test_client()
    assert sign_in(client).status_code == 303
    assert client.get("/redaktion/").status_code == 200
    runner = app.test_cli_runner()
    assert "är borttagen" in runner.invoke(args=["catalogue", "editor", "remove", "anna"]).output
    with app.app_context():
        assert db.session.scalars(db.select(Editor)).all() == []
    assert client.get("/redaktion/").status_code == 302  # the open session no longer signs anyone in
    assert runner.invoke(args=["catalogue", "editor", "remove", "anna"]).exit_code == 1
