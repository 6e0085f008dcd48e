"""Request logs for operators: one JSON line per request, with nothing about the person.

No IP address, no query text, no user agent and no referrer: what someone searched for on a
mental-health service is theirs. The route (``/<lang>/sok``, not the address), the status, the
time taken, the size, the cache outcome and the index version are enough to run the site.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from flask import Flask, Response, g, request

log = logging.getLogger("catalogue.requests")


def _cache_outcome(response: Response) -> str | None:
    if "etag" not in g or response.status_code not in (200, 304):
        return None
    if response.status_code == 304:
        return "not-modified"
    return "hit" if "from_page_cache" in g else "miss"


def init_app(app: Flask) -> None:
    """Register first, so that the clock starts before any other hook runs."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)

    @app.before_request
    def start_clock() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("started", time.perf_counter())
        entry = {
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1),
            "bytes": response.content_length,
            "cache": _cache_outcome(response),
            "index": g.snapshot.version if "snapshot" in g else None,
        }
        log.info(json.dumps(entry))
        return response
