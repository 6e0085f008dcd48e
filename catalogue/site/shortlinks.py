"""Short links (/l/<code>) for lists and searches: short enough to read aloud.

Codes use lower-case letters and digits without look-alikes (no 0/o, 1/l/i),
and only site-relative addresses of a few page kinds are stored, so a code can
never lead anywhere else.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

import segno
from flask import Blueprint, Response, abort, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict

from catalogue.db import ShortLink, db, utc
from catalogue.errors import error_page
from catalogue.facts import textpolicy
from catalogue.limits import ensure_room
from catalogue.page_kit import absolute_url
from catalogue.query import BadParameter, parse
from catalogue.routes import localized, match

shortlinks = Blueprint("shortlinks", __name__)

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 6
MAX_TARGET = 2000
SHORT_CODE_PARAM = "kort"
_CODE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")


def shareable(address: str) -> str | None:
    """The address without its short-link marker, if it is a page of this site worth sharing."""
    if not address or len(address) > MAX_TARGET or "\\\\" in address:
        return None
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or not _shareable_page(parts.path):
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=False) if k != SHORT_CODE_PARAM]
    try:
        parse(MultiDict(query))  # a link that would answer 400 when followed is refused now, not later
    except BadParameter:
        return None
    return parts.path + ("?" + urlencode(query) if query else "")


def _shareable_page(path: str) -> bool:
    found = match(path)
    return found is not None and found[0].shareable


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.get(ShortLink, code) is None:
            return code


def shorten(target: str) -> ShortLink:
    """The same address always gets the same code."""
    link: ShortLink | None = db.session.scalar(db.select(ShortLink).where(ShortLink.target == target))
    if link is None:
        ensure_room(ShortLink)
        link = ShortLink(code=_new_code(), target=target)
        db.session.add(link)
        db.session.commit()
    return link


@localized(shortlinks)
def create() -> ResponseReturnValue:
    target = shareable(request.form.get("url", ""))
    if target is None:
        return error_page(
            400,
            _("Vi kunde inte göra en kort länk"),
            _("Det går bara att göra korta länkar till listor och sökningar på den här webbplatsen."),
        )
    # The fragment survives both redirects and shows the new link in the banner at the top (base.html).
    return redirect(url_for("shortlinks.follow", code=shorten(target).code) + f"#{NEW_LINK_BANNER}", code=303)


@shortlinks.get("/l/<code>")
def follow(code: str) -> ResponseReturnValue:
    code = code.strip().lower()
    link = db.session.get(ShortLink, code) if _CODE.match(code) else None
    if link is None:
        return error_page(
            404,
            _("Den korta länken finns inte"),
            _("Kontrollera att du har skrivit koden rätt. Koden har sex tecken, till exempel k7m2xq."),
        )
    _note_use(link)
    separator = "&" if "?" in link.target else "?"
    return redirect(f"{link.target}{separator}{SHORT_CODE_PARAM}={link.code}", code=302)


def _note_use(link: ShortLink) -> None:
    """One write a day at most per link, enough to know it is in use. Following a link is reading:
    when the database cannot be written, the link still leads on."""
    now = dt.datetime.now(dt.UTC)
    if link.last_used is not None and utc(link.last_used).date() == now.date():
        return
    link.last_used = now
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()


def expire_unused(months: int) -> int:
    """Remove short links not followed (or, if never followed, not made) in ``months``; how many went."""
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=round(months * 30.44))
    last = db.func.coalesce(ShortLink.last_used, ShortLink.created_at)
    expired = db.session.scalars(db.select(ShortLink.code).where(last < cutoff)).all()
    db.session.execute(db.delete(ShortLink).where(ShortLink.code.in_(expired)))
    db.session.commit()
    return len(expired)


def current_short_code() -> str | None:
    """The code in ?kort=…, if it is a real one: printed pages show it.

    Error pages never ask (the database may be what failed); when the database cannot answer,
    a page shows its plain address instead of failing."""
    code = (request.args.get(SHORT_CODE_PARAM) or "").lower()
    if g.get("error_page") or not _CODE.match(code):
        return None
    try:
        return code if db.session.get(ShortLink, code) is not None else None
    except SQLAlchemyError:
        db.session.rollback()
        return None


def short_link_url(code: str) -> str:
    """The short link as people write it down or read it aloud: the site's public address and the code."""
    return absolute_url(url_for("shortlinks.follow", code=code))


def page_path() -> str:
    """What a printout, its QR code or an e-mail names: the short link when there is one, else the
    page's own address without a ``kort`` that could not be confirmed."""
    if code := current_short_code():
        return url_for("shortlinks.follow", code=code)
    query = [(key, value) for key, value in request.args.items(multi=True) if key != SHORT_CODE_PARAM]
    return request.path + ("?" + urlencode(query) if query else "")


QR_MAX_AGE = 86400
NEW_LINK_BANNER = "ny-kort-lank"
# What a QR code holds is bytes, not characters: "å" is two. The largest code (version 40) holds 2,331
# bytes at error correction level M; an address longer than that gets no code, not a 500.
QR_MAX_BYTES = 2331


@functools.lru_cache(maxsize=1024)
def _qr_svg(address: str) -> str:
    return segno.make(address, error="m").svg_inline(scale=3, border=2)


@shortlinks.get("/qr.svg")
def qr_code() -> Response:
    """The QR code of a page on this site, drawn here so printing sends nothing to another host.

    A separate image rather than inline SVG: drawing one costs milliseconds, which
    should not be spent on every page view, and the image is cached by the browser.
    """
    path = request.args.get("u", "")
    if not path.startswith("/") or path.startswith(("//", "/\\")) or len(path) > MAX_TARGET:
        abort(404)
    address = absolute_url(path)
    if len(address.encode("utf-8")) > QR_MAX_BYTES or textpolicy.forbidden(address):
        abort(404)
    svg = '<?xml version="1.0" encoding="utf-8"?>' + _qr_svg(address).replace(
        "<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1
    )
    response = Response(svg, mimetype="image/svg+xml")
    response.cache_control.public, response.cache_control.max_age = True, QR_MAX_AGE
    response.vary.add("Host")  # without a configured PUBLIC_URL the drawn address names the host
    return response


@shortlinks.app_context_processor
def short_link_context() -> dict[str, Callable[..., str | None]]:
    return {"current_short_code": current_short_code, "page_path": page_path, "short_link_url": short_link_url}
