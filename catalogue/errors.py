"""Every failure ends in a calm page (or JSON on the API) with a way back: never a stack trace."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from catalogue.db import db
from catalogue.limits import StoreFull
from catalogue.page_kit import search_url
from catalogue.query import BadParameter, parse_leniently

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_TITLES = {
    400: lambda: _("Vi kunde inte förstå adressen"),
    404: lambda: _("Sidan finns inte"),
    405: lambda: _("Det går inte att göra så här"),
    410: lambda: _("Sidan finns inte längre"),
    413: lambda: _("Det du skickade är för stort"),
    429: lambda: _("Du har skickat många gånger på kort tid"),
}
_MESSAGES = {
    413: lambda: _("Skriv kortare och försök igen."),
    429: lambda: _("Vänta en stund och försök igen. Det du har skickat tidigare är sparat."),
}


def error_page(status: int, title: str, message: str | None = None, **context: Any) -> tuple[str, int]:
    """The calm error page. It never reads the database, which may be what failed."""
    g.error_page = True
    return render_template("error.html", status=status, title=title, message=message, **context), status


def error_response(message: str, parameter: str | None, status: int) -> tuple[Response, int]:
    """The API's error shape: {"error", "parameter"}."""
    return jsonify({"error": message, "parameter": parameter}), status


def _wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


UNREADABLE_QUERY = "catalogue.unreadable_query"


class ReadableQueryStrings:
    """WSGI middleware: a query string that is not UTF-8 is set aside before anything reads it, so the
    400 page that answers it (which reads the address too) never meets it."""

    def __init__(self, wsgi_app: WSGIApplication) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            unquote_to_bytes(environ.get("QUERY_STRING", "").encode("latin-1")).decode("utf-8")
        except UnicodeError:
            environ[UNREADABLE_QUERY], environ["QUERY_STRING"] = True, ""
        return self.wsgi_app(environ, start_response)


def reject_unreadable_query_string() -> None:
    if UNREADABLE_QUERY in request.environ:
        raise BadParameter("", _("Adressen innehåller tecken som inte går att läsa."))


def _bad_parameter(error: BadParameter) -> ResponseReturnValue:
    if _wants_json():
        return error_response(error.message, error.parameter or None, 400)
    back = parse_leniently(request.args) if error.parameter else None
    return error_page(400, _TITLES[400](), error.message, back_url=search_url(back) if back else None)


def _http_error(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    title = _TITLES.get(status, lambda: _("Något gick fel"))()
    # Werkzeug's own headers stay: a 405 says which methods the address takes (Allow, RFC 9110).
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    if _wants_json():
        return *error_response(title, None, status), headers
    message = _MESSAGES[status]() if status in _MESSAGES else None
    return *error_page(status, title, message), headers


def _unexpected(error: Exception) -> ResponseReturnValue:
    """Last resort: logged for us, a kind page for the visitor."""
    if isinstance(error, HTTPException):
        return _http_error(error)
    current_app.logger.exception("unexpected error")
    title = _("Något gick fel hos oss")
    if _wants_json():
        return error_response(title, None, 500)
    return error_page(500, title)


def _cannot_save(title: str, message: str, retry_after: str | None = None) -> ResponseReturnValue:
    """A write that cannot be kept now: 503, while reading the catalogue goes on."""
    headers = {"Retry-After": retry_after} if retry_after else {}
    if _wants_json():
        return *error_response(title, None, 503), headers
    return *error_page(503, title, message), headers


def _store_full(_error: StoreFull) -> ResponseReturnValue:
    return _cannot_save(
        _("Vi kan inte spara fler just nu"), _("Försök igen senare. Det du läser på webbplatsen fungerar som vanligt.")
    )


def _database_unavailable(error: SQLAlchemyError) -> ResponseReturnValue:
    """The database is read-only, locked or gone: this one write waits."""
    db.session.rollback()
    current_app.logger.warning("database unavailable: %s", type(error).__name__)
    return _cannot_save(
        _("Det gick inte att spara just nu"),
        _("Försök igen om en stund. Sökningen och sidorna fungerar som vanligt."),
        retry_after="60",
    )


def register(app: Flask) -> None:
    app.register_error_handler(StoreFull, _store_full)
    app.register_error_handler(SQLAlchemyError, _database_unavailable)
    app.register_error_handler(BadParameter, _bad_parameter)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
