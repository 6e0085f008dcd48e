"""Limits on every write: one client cannot fill the database or tie up the server.

Flask-Limiter counts POSTs per client address and route; the count lives in memory by default,
or in a shared store (``CATALOGUE_RATELIMIT_STORAGE_URI``, e.g. ``memcached://host:11211``) when
several nodes serve the site. GETs are never limited here: reading is what the site is for.
"""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

WRITES_PER_CLIENT = "10 per minute;100 per day"  # a person sends a handful; more is a script
MAX_BODY = 64 * 1024  # the largest form, an error report of 2,000 characters, is a few kilobytes


def init_app(app: Flask) -> None:
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is None: no limit
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.config.setdefault("RATELIMIT_DEFAULT", WRITES_PER_CLIENT)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # One limiter per app: the tests make many apps, and each keeps its own count.
    Limiter(get_remote_address, app=app, default_limits_exempt_when=lambda: request.method != "POST")
