"""Hitta sysselsättning: a searchable catalogue of employment and day activities."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import sqlalchemy
from flask import Flask
from flask_babel import Babel
from flask_compress import Compress
from flask_talisman import Talisman

from catalogue import assets, caching, cli, errors, hosting, i18n, limits, page_kit, requestlog
from catalogue.db import WAIT_SECONDS, db, engine_options, migrate, write_ahead_log
from catalogue.editorial import desk, mail
from catalogue.editorial.feedback import feedback
from catalogue.editorial.suggestions import suggestions
from catalogue.index import builder
from catalogue.language import dictionary
from catalogue.opendata import discovery, files
from catalogue.opendata.api import api, health
from catalogue.opendata.exports import opendata
from catalogue.opendata.feeds import feeds
from catalogue.opendata.hsds import hsds
from catalogue.search.engine import CatalogueIndex
from catalogue.site.guide import guide
from catalogue.site.lists import lists
from catalogue.site.pages import site
from catalogue.site.shortlinks import shortlinks

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# No inline script or style, nothing from other hosts: browsing mental-health
# services must leave no trace elsewhere.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def _settings(app: Flask) -> dict[str, Any]:
    instance = Path(app.instance_path)
    public_url = os.environ.get("CATALOGUE_PUBLIC_URL", "").rstrip("/") or None
    return {
        "CONTENT_DIR": Path(os.environ.get("CATALOGUE_CONTENT_DIR", PROJECT_ROOT / "content")),
        "INDEX_DIR": Path(os.environ.get("CATALOGUE_INDEX_DIR", instance / "index")),
        "WORDS_DIR": Path(os.environ.get("CATALOGUE_WORDS_DIR", instance / "words")),  # language/dictionary.py
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", f"sqlite:///{instance / 'catalogue.db'}"),
        "FORCE_HTTPS": os.environ.get("CATALOGUE_FORCE_HTTPS", "0") == "1",
        "PUBLIC_URL": public_url,
        "SITE_HOSTS": _trusted_hosts(public_url),  # checked by hosting.TrustedHosts; not Flask's TRUSTED_HOSTS
        "TRUSTED_PROXIES": int(os.environ.get("CATALOGUE_TRUSTED_PROXIES", "0")),
        "RATELIMIT_STORAGE_URI": os.environ.get("CATALOGUE_RATELIMIT_STORAGE_URI", "memory://"),
        "COMPRESS_ALGORITHM": caching.ENCODINGS,
        "COMPRESS_ALGORITHM_STREAMING": ["br", "deflate"],  # static files; Flask-Compress streams no gzip
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/javascript",
            "application/json",
            "image/svg+xml",
            "text/csv",
            "application/x-ndjson",
            "application/atom+xml",
            "application/xml",
        ],
        "SECRET_KEY": os.environ.get("CATALOGUE_SECRET_KEY"),  # else desk.init_app makes one in the instance folder
        "PAGE_CACHE_BYTES": int(os.environ.get("CATALOGUE_PAGE_CACHE_MB", "64")) * 1024 * 1024,
        # Who is responsible for personal data (personuppgiftsansvarig), named on /personuppgifter when set.
        "CONTROLLER": os.environ.get("CATALOGUE_CONTROLLER", "").strip() or None,
        **mail.settings(os.environ),
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
    }


def _trusted_hosts(public_url: str | None) -> list[str]:
    """The names this site answers to; a request naming another is refused (400), its name never printed."""
    if os.environ.get("CATALOGUE_TRUSTED_HOSTS"):
        return [host.strip().lower() for host in os.environ["CATALOGUE_TRUSTED_HOSTS"].split(",") if host.strip()]
    if public_url:
        return [urlsplit(public_url).hostname or ""]
    return ["localhost", "127.0.0.1"]


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per process and shared by every app made in it (the tests make dozens).

    A template whose source changed has another checksum and is compiled again.
    """

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = _CompiledTemplates()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.jinja_options = {**app.jinja_options, "bytecode_cache": _COMPILED_TEMPLATES}
    app.config.update(_settings(app))
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    requestlog.init_app(app)
    Babel(app, locale_selector=i18n.current)
    i18n.init_app(app)
    hosting.init_app(app)  # after i18n: the refusal of a forged host is in the page's language
    app.wsgi_app = errors.ReadableQueryStrings(app.wsgi_app)  # type: ignore[method-assign]
    app.before_request(errors.reject_unreadable_query_string)  # before the page cache reads the address
    page_kit.init_app(app)
    limits.init_app(app)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS", engine_options(uri, app.config.get("DATABASE_WAIT", WAIT_SECONDS))
    )
    db.init_app(app)
    if uri.startswith("sqlite"):
        with app.app_context():
            sqlalchemy.event.listen(db.engine, "connect", write_ahead_log)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    Talisman(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="no-referrer",
        session_cookie_secure=app.config["FORCE_HTTPS"],
        session_cookie_samesite="Strict",  # the desk's cookie (the only one) goes with no request from elsewhere
    )
    assets.init_app(app)
    caching.init_app(app)  # after Talisman and before Flask-Compress: see caching.init_app
    Compress(app)

    dictionary.load(app.config["WORDS_DIR"])  # before gunicorn forks: every worker shares the pages
    app.extensions["catalogue_index"] = CatalogueIndex(app.config["INDEX_DIR"])
    if not builder.has_readable_index(app.config["INDEX_DIR"]):  # none, dangling or broken: build one
        loaded = builder.rebuild(app.config["CONTENT_DIR"], app.config["INDEX_DIR"], strict=False)
        for error in loaded.errors:
            app.logger.warning("content not published: %s", error)

    app.register_blueprint(site)
    app.register_blueprint(feedback)
    app.register_blueprint(suggestions)
    app.register_blueprint(lists)
    app.register_blueprint(shortlinks)
    app.register_blueprint(guide)
    app.register_blueprint(api)
    app.register_blueprint(hsds)  # /api/hsds: Open Referral HSDS 3.0
    app.register_blueprint(health)
    app.register_blueprint(opendata)
    app.register_blueprint(feeds)
    discovery.init_app(app)  # /sitemap.xml, /robots.txt, canonical links, JSON-LD
    files.init_app(app)  # after every blueprint: the large open-data answers, made once per index version
    desk.init_app(app)
    errors.register(app)
    cli.register(app)

    return app
