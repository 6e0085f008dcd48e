"""The runtime database: only what changes while the site runs.

Provider facts live in Markdown under git, never here. SQLite by default,
PostgreSQL through DATABASE_URL; the schema is managed by migrations
(``flask db upgrade``).
"""

from __future__ import annotations

import datetime as dt

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

db = SQLAlchemy()
migrate = Migrate()
WAIT_SECONDS = 2  # a locked or unreachable database makes one write wait this long, then a calm 503


def engine_options(uri: str, wait: float = WAIT_SECONDS) -> dict:
    """Give up on a locked or unreachable database quickly: a visitor waits seconds, never minutes."""
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": wait}}
    milliseconds = int(wait * 1000)
    options = f"-c lock_timeout={milliseconds} -c statement_timeout={4 * milliseconds}"
    return {"connect_args": {"connect_timeout": max(1, round(wait)), "options": options}, "pool_pre_ping": True}


class ErrorReport(db.Model):  # type: ignore[name-defined]  # db.Model is made at run time
    """A reader's note that a fact is wrong. Nothing about the reader is kept: no IP, no cookie."""

    __tablename__ = "error_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=lambda: dt.datetime.now(dt.UTC))


class ShortLink(db.Model):  # type: ignore[name-defined]
    """A short code for a list or search address, to read aloud or write on a whiteboard.

    Only the site-relative address is kept: which offerings and filters, never who made it.
    """

    __tablename__ = "short_link"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    target: Mapped[str] = mapped_column(String(2000), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=lambda: dt.datetime.now(dt.UTC))
    # When it was last followed (to the day): links nobody uses expire (`flask catalogue expire-links`).
    last_used: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
