"""Where the site runs: behind which proxies, under which names.

The Host header is the client's word. A request naming a host the site does not serve is answered
with the calm 400 page, rendered for the first trusted name, so the forged name is never printed
into a share address, an e-mail or a QR code. Behind a proxy (nginx), the client's address and
scheme come from X-Forwarded-For and -Proto, so rate limits count people rather than the proxy and
CATALOGUE_FORCE_HTTPS sees the TLS the proxy ended. X-Forwarded-Host is never believed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.sansio.utils import host_is_trusted

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

UNTRUSTED_HOST = "catalogue.untrusted_host"


class TrustedHosts:
    """WSGI middleware: an unknown Host is replaced by the first trusted one and the request marked."""

    def __init__(self, wsgi_app: WSGIApplication, hosts: list[str]) -> None:
        self.wsgi_app, self.hosts = wsgi_app, hosts

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not host_is_trusted(environ.get("HTTP_HOST") or environ.get("SERVER_NAME"), self.hosts):
            environ[UNTRUSTED_HOST] = environ.get("HTTP_HOST", "")
            environ["HTTP_HOST"] = self.hosts[0]
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    # ProxyFix (outermost) leaves Host as the proxy passed it (x_host=0); TrustedHosts checks that.
    app.wsgi_app = TrustedHosts(app.wsgi_app, app.config["SITE_HOSTS"])  # type: ignore[method-assign]
    if proxies := app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)  # type: ignore[method-assign]

    @app.before_request
    def refuse_untrusted_host() -> None:
        if UNTRUSTED_HOST in request.environ:
            abort(400)
