"""HTTP caching: every GET page is a function of a few things the site knows before rendering it.

Those are the release (code, templates, translations, static files), the index version, the date
(printouts carry it, old evidence ages), the host, the address with its query (the language is
in the path) and, for ``?kort=``, whether that short link exists. Their digest is the page's ETag, so:

- a browser or a shared cache revalidates with ``If-None-Match`` and gets a 304 before any search;
- a bounded in-process cache keeps rendered, compressed pages, emptied when the index changes;
- ``Cache-Control`` lets a shared cache (nginx) serve a page for ``SHARED_MAX_AGE`` seconds.

Flask-Compress compresses; this module stores what it made, once per ``Accept-Encoding``.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from pathlib import Path

from cachetools import LRUCache
from flask import Flask, Response, after_this_request, current_app, g, request

from catalogue import page_kit
from catalogue.index.parse_cache import code_release
from catalogue.site.shortlinks import current_short_code

SHARED_MAX_AGE = 30  # seconds a shared cache may serve a page before it asks again; publishing shows by then
CACHE_CONTROL = f"public, max-age=0, s-maxage={SHARED_MAX_AGE}"  # browsers always revalidate
PAGE_CACHE_BYTES = 64 * 1024 * 1024
LARGEST_PAGE = 1024 * 1024
ENCODINGS = ["br", "gzip"]  # what Flask-Compress may choose; it adds ":<encoding>" to the ETag
# Files (static, the favicon) have their own rules; health is live; a suggestion's status and an invitation are
# private, and change.
_UNCACHED_ENDPOINTS = {
    "static", "favicon", "health.alive", "health.ready", "suggestions.status", "suggestions.invited_form",
}  # fmt: skip
_UNCACHED_BLUEPRINTS = {"desk"}  # the editors' desk: private, and changes with every decision
_Key = tuple[str, str]  # the page's ETag and the request's Accept-Encoding
_Page = tuple[list[tuple[str, str]], bytes]  # a rendered response's headers and body


@functools.cache
def release(root: Path) -> str:
    """A digest of everything that shapes a page besides the index: a deploy changes every ETag. The code
    and its libraries are the digest the parse cache keys on; the rest are the files beside it."""
    digest = hashlib.sha256(code_release().encode())
    for folder in ("templates", "static", "translations"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path.suffix in {".html", ".css", ".js", ".po", ".mo", ".svg"}:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


class PageCache:
    """Rendered responses by ETag and Accept-Encoding, bounded in bytes; one index version at a time."""

    def __init__(self, max_bytes: int) -> None:
        self._pages: LRUCache[_Key, _Page] = LRUCache(maxsize=max_bytes, getsizeof=lambda page: len(page[1]))
        self._version: str | None = None
        self._lock = threading.Lock()

    def get(self, version: str, key: _Key) -> _Page | None:
        with self._lock:
            if version != self._version:
                self._pages.clear()  # pages of an older index are never asked for again
                self._version = version
            return self._pages.get(key)

    def put(self, version: str, key: _Key, page: _Page) -> None:
        with self._lock:
            if version == self._version and len(page[1]) <= min(LARGEST_PAGE, self._pages.maxsize):
                self._pages[key] = page


def _etag() -> str | None:
    """The page's version, or None for what is not a cacheable GET."""
    if (
        request.method not in ("GET", "HEAD")
        or request.endpoint in _UNCACHED_ENDPOINTS
        or request.endpoint is None
        or request.blueprint in _UNCACHED_BLUEPRINTS
    ):
        return None
    parts = [
        current_app.config["RELEASE"],
        page_kit.snapshot().version,
        page_kit.today().isoformat(),
        current_app.config["PUBLIC_URL"] or request.host_url,  # share, print and QR addresses start with it
        request.full_path,
        current_short_code() or "",
        current_app.config.get("CONTROLLER") or "",  # named on /personuppgifter: a new one is a new page
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def _label(response: Response) -> Response:
    """Runs before Flask-Compress, so that it can mark the ETag with the encoding it chose."""
    if response.status_code == 200 and "etag" in g:
        encoded = response.headers.get("Content-Encoding")  # a file made compressed (opendata.files)
        response.set_etag(f"{g.etag}:{encoded}" if encoded else g.etag)
        response.headers.setdefault("Cache-Control", CACHE_CONTROL)
    return response


def _cache_key() -> _Key:
    return (g.etag, request.headers.get("Accept-Encoding", ""))


def init_app(app: Flask) -> None:
    """Register after Talisman (its https redirect comes first) and before Flask-Compress."""
    app.config.setdefault("RELEASE", release(Path(app.root_path).parent))
    pages = PageCache(app.config.get("PAGE_CACHE_BYTES", PAGE_CACHE_BYTES))

    @app.before_request
    def answer_from_cache() -> Response | None:
        etag = _etag()
        if etag is None:
            return None
        g.etag = etag
        known = [etag, *(f"{etag}:{encoding}" for encoding in ENCODINGS)]
        # Not "*": it matches any version of a page that exists, and whether this one does only the view knows.
        sent = request.if_none_match.as_set(include_weak=True)
        if matched := next((tag for tag in known if tag in sent), None):
            unchanged = Response(status=304)
            unchanged.set_etag(matched)
            unchanged.headers["Cache-Control"] = CACHE_CONTROL
            return unchanged
        if page := pages.get(page_kit.snapshot().version, _cache_key()):
            g.from_page_cache = True
            return Response(page[1], status=200, headers=page[0])
        after_this_request(_label)
        return None

    @app.after_request
    def keep_rendered_page(response: Response) -> Response:
        if "etag" in g and "from_page_cache" not in g and response.status_code == 200 and not response.is_streamed:
            pages.put(page_kit.snapshot().version, _cache_key(), (list(response.headers.items()), response.get_data()))
        return response
