"""The runtime database: only what changes while the site runs.

Provider facts live in Markdown under git, never here. SQLite by default,
PostgreSQL through DATABASE_URL; the schema is managed by migrations
(``flask db upgrade``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.pool import ConnectionPoolEntry
    from sqlalchemy.sql.expression import Executable

db = SQLAlchemy()
migrate = Migrate()
WAIT_SECONDS = 2  # a locked or unreachable database makes one write wait this long, then a calm 503


def utc(moment: dt.datetime) -> dt.datetime:
    """A stored time, aware: SQLite gives back naive times (they were stored in UTC), PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE in the session's transaction: how many rows it changed. A guarded UPDATE
    that changed none lost a race to another request or run."""
    return cast("CursorResult[Any]", db.session.execute(statement)).rowcount or 0  # UPDATE, DELETE: a CursorResult


def engine_options(uri: str, wait: float = WAIT_SECONDS) -> dict[str, Any]:
    """Give up on a locked or unreachable database quickly: a visitor waits seconds, never minutes."""
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": wait}}  # WAL: see write_ahead_log
    milliseconds = int(wait * 1000)
    options = f"-c lock_timeout={milliseconds} -c statement_timeout={4 * milliseconds}"
    return {"connect_args": {"connect_timeout": max(1, round(wait)), "options": options}, "pool_pre_ping": True}


def write_ahead_log(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    """SQLite in WAL mode: readers never wait for a writer, and a write cut off (a full disk, a file made
    read-only, a killed process) leaves no hot journal that every later read would have to roll back.
    Following a short link, which only reads, then works whatever happens to writing."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable at each checkpoint; WAL keeps it consistent
    except Exception:  # noqa: BLE001 - a database that cannot be written keeps the mode it has
        pass
    finally:
        cursor.close()


def sqlite_file(uri: str) -> Path | None:
    """The file of a SQLite database URL, None for an in-memory one or another engine."""
    if not uri.startswith("sqlite:///") or uri in ("sqlite://", "sqlite:///:memory:"):
        return None
    return Path(uri.removeprefix("sqlite:///").removeprefix("file:").split("?")[0])


if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskModel
    from sqlalchemy.orm import DeclarativeBase

    class Model(_FlaskModel, DeclarativeBase):
        """``db.Model`` as mypy sees it: the class is made at run time, from Flask-SQLAlchemy's ``Model``
        (``query``) on a SQLAlchemy declarative base (``metadata``, the keyword constructor)."""

else:
    Model = db.Model


class ErrorReport(Model):
    """A reader's note that a fact is wrong. Nothing about the reader is kept: no IP, no cookie."""

    __tablename__ = "error_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=lambda: dt.datetime.now(dt.UTC))


class ShortLink(Model):
    """A short code for a list or search address, to read aloud or write on a whiteboard.

    Only the site-relative address is kept: which offerings and filters, never who made it.
    """

    __tablename__ = "short_link"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    target: Mapped[str] = mapped_column(String(2000), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=lambda: dt.datetime.now(dt.UTC))
    # When it was last followed (to the day): links nobody uses expire (`flask catalogue expire-links`).
    last_used: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Suggestion(Model):
    """A proposed change to a provider's facts, or a tip about an offering that is missing.

    Only what was proposed is kept, and an e-mail address when the sender asked for a reply; that
    address is to be deleted when the suggestion is handled (the editors' desk). The sender follows it at
    ``/forslag/<token>``: the token is the only key, unguessable, and no account is needed.
    """

    __tablename__ = "suggestion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    provider: Mapped[str | None] = mapped_column(String(120), nullable=True)  # None: a missing offering
    # field key -> {"before": shown text, "after": proposed text}
    changes: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text, default="")
    reply_to: Mapped[str | None] = mapped_column(String(254), nullable=True)
    from_provider: Mapped[bool] = mapped_column(Boolean, default=False)
    invitation_id: Mapped[int | None] = mapped_column(Integer, db.ForeignKey("invitation.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="new")  # new, accepted, rejected
    reply: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=lambda: dt.datetime.now(dt.UTC))
    handled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)  # in a digest


class Editor(Model):
    """One of the few trained people who handle suggestions at /redaktion (``flask catalogue editor add``)."""

    __tablename__ = "editor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    email: Mapped[str] = mapped_column(String(254))  # the author of the commits an editor's changes become
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    # In the session cookie too: signing out or a lockout raises it, and every older cookie stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=lambda: dt.datetime.now(dt.UTC))


class Invitation(Model):
    """A signed, expiring link for one provider to update its own facts; it can be used once."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(120), index=True)
    nonce: Mapped[str] = mapped_column(String(40), unique=True)  # in the signed link: a row, not just a signature
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=lambda: dt.datetime.now(dt.UTC))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # How it went out: "link" (copied by hand), "email" (through the outbox) or "letter" (printed).
    channel: Mapped[str] = mapped_column(String(20), default="link")
    mail_id: Mapped[int | None] = mapped_column(Integer, db.ForeignKey("outgoing_mail.id"), nullable=True)
    opened_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)  # the link, first


class AuditEntry(Model):
    """Who did what in the desk, and when: every sign-in, decision and invitation."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=lambda: dt.datetime.now(dt.UTC))
    editor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class Acceptance(Model):
    """The steps of one accepted suggestion, each recorded as it is done, so that an accept cut off by a
    crash is finished by the next one: exactly the missing steps, and "accepted" only once it is public.

    The order is written (the file holds the change), committed (git has it), published (the index
    serving the site was built from it) and told (the sender's status page says so)."""

    __tablename__ = "acceptance"

    suggestion_id: Mapped[int] = mapped_column(Integer, db.ForeignKey("suggestion.id"), primary_key=True)
    editor: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=lambda: dt.datetime.now(dt.UTC))
    written_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    committed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    commit: Mapped[str | None] = mapped_column(String(64), nullable=True)  # None outside a git work tree
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    index_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    told_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class OutgoingMail(Model):
    """One e-mail waiting to go, or gone: written in the same transaction as what it is about, so that an
    SMTP server that is down, slow or refusing never loses it (``catalogue.editorial.mail`` delivers and retries).

    The address is deleted once the message is sent or given up on; the text goes with the retention run."""

    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # reply, invitation, digest
    to_address: Mapped[str | None] = mapped_column(String(254), nullable=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)  # the same on every try
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued, sending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=lambda: dt.datetime.now(dt.UTC)
    )
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=lambda: dt.datetime.now(dt.UTC))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Contact(Model):
    """The person the editors write to at one offering, imported from the city's own register.

    Private to the desk: never in the Markdown files, the public pages, the feeds or the APIs. One per
    offering; a new import replaces it, and an editor can delete it."""

    __tablename__ = "contact"

    provider: Mapped[str] = mapped_column(String(120), primary_key=True)
    person: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    postal_address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    imported_by: Mapped[str] = mapped_column(String(80))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=lambda: dt.datetime.now(dt.UTC))


class ContactRefusal(Model):
    """A person who asked not to be contacted: only a digest (``contacts.refusal_key``), so that the next
    import of the city's register leaves them out without the site keeping who they are."""

    __tablename__ = "contact_refusal"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=lambda: dt.datetime.now(dt.UTC))
