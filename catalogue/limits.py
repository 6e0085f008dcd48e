"""Limits on every write: one client cannot fill the database or tie up the server.

Flask-Limiter counts POSTs per client address and route; the count lives in memory by default,
or in a shared store (``CATALOGUE_RATELIMIT_STORAGE_URI``, e.g. ``memcached://host:11211``) when
several nodes serve the site. GETs are never limited here: reading is what the site is for.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from sqlalchemy import func, select

from catalogue.db import db

if TYPE_CHECKING:
    from catalogue.db import Model

WRITES_PER_CLIENT = "10 per minute;100 per day"  # a person sends a handful; more is a script
MAX_BODY = 64 * 1024  # the largest form, an error report of 2,000 characters, is a few kilobytes
# Caps on stored rows: far above honest use, low enough that no client can fill the disk.
CAPS = {"short_link": 100_000, "error_report": 10_000, "suggestion": 10_000}
SHORT_LINK_MONTHS = 24  # a short link nobody has followed for this long is removed by `expire-links`


class StoreFull(Exception):
    """A table has reached its cap: the write is refused with a calm 503, nothing else is touched."""


def ensure_room(model: type[Model]) -> None:
    cap = current_app.config["ROW_CAPS"][model.__tablename__]
    if db.session.scalar(select(func.count()).select_from(model)) >= cap:
        raise StoreFull(model.__tablename__)


def init_app(app: Flask) -> None:
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is None: no limit
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.config.setdefault("RATELIMIT_DEFAULT", WRITES_PER_CLIENT)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("ROW_CAPS", dict(CAPS))
    app.config.setdefault("SHORT_LINK_MONTHS", int(os.environ.get("CATALOGUE_SHORT_LINK_MONTHS", SHORT_LINK_MONTHS)))
    # One limiter per app: the tests make many apps, and each keeps its own count.
    limiter = Limiter(get_remote_address, app=app)
    # Reading is never limited; filtered first, a GET costs the limiter nothing.
    limiter.request_filter(lambda: request.method != "POST")
