"""Outgoing e-mail: written to the outbox with what it is about, then delivered over SMTP and retried.

Nothing is sent inside a visitor's or an editor's request: a message is a row (``OutgoingMail``) in
the same transaction as the decision or invitation it belongs to, and ``flask catalogue send-mail``
(cron, every minute) delivers what is due. A server that is down, slow or answers 4xx gets the
message again later, with growing pauses; a 5xx answer (an address that does not exist) is final and
shown on the desk. Each message keeps one Message-ID on every try, and a row is claimed before it is
sent, so two runs at once never send it twice. A run killed after the server took a message but
before the database noted it sends that message again after STALE_CLAIM, with the same Message-ID.
Without ``CATALOGUE_SMTP_HOST`` mail is off: nothing is queued and the desk says so.

The messages are built with the standard library's ``email.message.EmailMessage`` and sent with
``smtplib`` (STARTTLS or TLS with certificate checks, credentials from the environment).
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from catalogue.db import OutgoingMail, db, rows_changed, utc

RETRY_MINUTES = (1, 5, 15, 60, 240, 720)  # then given up on: about 17 hours of trying
STALE_CLAIM = dt.timedelta(minutes=10)  # a run killed while sending: the message is due again after this
TIMEOUT_SECONDS = 10


def settings(environ: Mapping[str, str]) -> dict[str, str | int | None]:
    """The mail settings from the environment (``create_app`` puts them in the config)."""
    return {
        "SMTP_HOST": environ.get("CATALOGUE_SMTP_HOST") or None,
        "SMTP_PORT": int(environ.get("CATALOGUE_SMTP_PORT", "587")),
        "SMTP_SECURITY": environ.get("CATALOGUE_SMTP_SECURITY", "starttls"),  # starttls, tls, or none (loopback)
        "SMTP_USER": environ.get("CATALOGUE_SMTP_USER") or None,
        "SMTP_PASSWORD": environ.get("CATALOGUE_SMTP_PASSWORD") or None,
        "MAIL_FROM": environ.get("CATALOGUE_MAIL_FROM", "Hitta sysselsättning <noreply@localhost>"),
    }


def enabled(config: Mapping[str, Any]) -> bool:
    return bool(config.get("SMTP_HOST"))


def queue(config: Mapping[str, Any], kind: str, to_address: str, subject: str, body: str) -> OutgoingMail:
    """Add a message to the outbox in the caller's transaction; it goes when the caller commits."""
    domain = config["MAIL_FROM"].rpartition("@")[2].rstrip(">") or "localhost"
    message = OutgoingMail(
        kind=kind, to_address=to_address, subject=subject[:200], body=body, message_id=make_msgid(domain=domain)
    )
    db.session.add(message)
    return message


@dataclass
class Delivery:
    sent: int = 0
    later: int = 0  # will be tried again
    failed: int = 0  # given up on: a final refusal, or too many tries


def _due(now: dt.datetime, limit: int) -> list[int]:
    waiting = db.or_(
        db.and_(OutgoingMail.status == "queued", OutgoingMail.next_attempt_at <= now),
        db.and_(OutgoingMail.status == "sending", OutgoingMail.claimed_at <= now - STALE_CLAIM),
    )
    return list(db.session.scalars(db.select(OutgoingMail.id).where(waiting).order_by(OutgoingMail.id).limit(limit)))


def _claim(number: int, now: dt.datetime) -> OutgoingMail | None:
    """Take one message for this run; None when another run took it first."""
    claimed = rows_changed(
        db.update(OutgoingMail)
        .where(
            OutgoingMail.id == number,
            db.or_(OutgoingMail.status == "queued", OutgoingMail.claimed_at <= now - STALE_CLAIM),
        )
        .values(status="sending", claimed_at=now, attempts=OutgoingMail.attempts + 1)
    )
    db.session.commit()
    return db.session.get(OutgoingMail, number) if claimed == 1 else None


def _email(config: Mapping[str, Any], message: OutgoingMail) -> EmailMessage:
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(utc(message.created_at))
    if message.kind != "reply":
        email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body)
    return email


def _connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    context = ssl.create_default_context()
    host, port = config["SMTP_HOST"], config["SMTP_PORT"]
    if config["SMTP_SECURITY"] == "tls":
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
        if config["SMTP_SECURITY"] == "starttls":
            server.starttls(context=context)
    if config["SMTP_USER"]:
        server.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
    return server


def _final(error: Exception) -> bool:
    """A 5xx answer to this message (its address, its content) will be the same next time."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _outcome(message: OutgoingMail, error: Exception | None, now: dt.datetime) -> str:
    """Record what happened to one message; returns "sent", "later" or "failed"."""
    message.claimed_at = None
    if error is None:
        message.status, message.sent_at, message.to_address, message.last_error = "sent", now, None, ""
        return "sent"
    message.last_error = f"{type(error).__name__}: {error}"[:1000]
    if _final(error) or message.attempts > len(RETRY_MINUTES):
        message.status = "failed"
        return "failed"
    message.status = "queued"
    message.next_attempt_at = now + dt.timedelta(minutes=RETRY_MINUTES[message.attempts - 1])
    return "later"


def deliver(config: Mapping[str, Any], limit: int = 100) -> Delivery:
    """Send what is due, oldest first, over one connection; every outcome is committed as it happens."""
    done = Delivery()
    if not enabled(config):
        return done
    server: smtplib.SMTP | None = None
    try:
        for number in _due(dt.datetime.now(dt.UTC), limit):
            now = dt.datetime.now(dt.UTC)
            message = _claim(number, now)
            if message is None:
                continue
            error: Exception | None = None
            try:
                server = server or _connect(config)
                server.send_message(_email(config, message))
            except (smtplib.SMTPException, OSError) as failure:
                error = failure
                if not isinstance(failure, smtplib.SMTPRecipientsRefused):
                    _close(server)  # a broken connection: the next message opens a new one
                    server = None
            outcome = _outcome(message, error, now)
            setattr(done, outcome, getattr(done, outcome) + 1)
            db.session.commit()
    finally:
        _close(server)
    return done


def _close(server: smtplib.SMTP | None) -> None:
    if server is not None:
        try:
            server.quit()
        except (smtplib.SMTPException, OSError):
            server.close()


def waiting() -> dict[str, int]:
    """How many messages are queued (or being sent) and how many were given up on, for the desk."""
    counts = dict(
        db.session.execute(db.select(OutgoingMail.status, db.func.count()).group_by(OutgoingMail.status)).all()
    )
    return {"waiting": counts.get("queued", 0) + counts.get("sending", 0), "failed": counts.get("failed", 0)}
