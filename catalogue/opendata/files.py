"""The large answers that depend only on the index version, made once when it is published and then
served as files: the catalogue's CSV and NDJSON, its Atom feed and the sitemap with its parts.

At 10 000 offerings the CSV took 2.7 s to make, on every request. Now the process that publishes a
version makes each file (and its gzip twin) in the build's folder, under ``files/``, right after the
switch; any process serves them from there with the page's ETag (see ``caching``). Until they are
made (a second or two after a publish) the previous version's files are served, marked not to be
kept by any cache.

The files hold absolute addresses, so they are made for the configured public address
(``PUBLIC_URL``); without one (a development machine) each answer is made per request, as before.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from flask import Flask, Response, current_app, g, request, send_file

from catalogue import page_kit
from catalogue.index import builder
from catalogue.page_kit import snapshot

FOLDER = "files"
MANIFEST = "files.json"
NOT_MADE = "files-not-made"
_KEPT_HEADERS = ("Content-Type", "Content-Disposition")
_View = Callable[..., Response]
_addresses: list[Callable[[], list[str]]] = []  # each made-once view's addresses for the current version
_forgets: list[Callable[[], None]] = []


def made_at_publish(
    addresses: Callable[[], list[str]], forget: Callable[[], None] | None = None
) -> Callable[[_View], _View]:
    """A view whose answers are made once per index version: ``addresses`` lists them (in an app context);
    ``forget`` lets go of what making them kept (the sitemap's entries, shared by its parts)."""

    def decorate(view: _View) -> _View:
        @functools.wraps(view)
        def served(**arguments: Any) -> Response:
            if not g.get("making_files"):
                found = _from_file(request.full_path.rstrip("?"))
                if found is not None:
                    return found
            return view(**arguments)

        _addresses.append(addresses)
        if forget is not None:
            _forgets.append(forget)
        return served

    return decorate


def _made(folder: Path) -> dict[str, Any] | None:
    """A build's files, if they were made for this site's public address by this release's code."""
    try:
        manifest = json.loads((folder / FOLDER / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    made_for = (current_app.config["PUBLIC_URL"], current_app.config["RELEASE"])
    return manifest if (manifest.get("base"), manifest.get("release")) == made_for else None


def _from_file(address: str) -> Response | None:
    """The made file for ``address``: the current version's, else the newest earlier one's (not to be kept)."""
    if not current_app.config["PUBLIC_URL"]:
        return None
    current = snapshot().folder
    if (current / NOT_MADE).exists():
        return None
    for folder in [current, *(build for build in builder.builds(current.parent) if build != current)]:
        manifest = _made(folder)
        if manifest is not None and address in manifest["files"]:
            try:
                return _send(folder, manifest["files"][address], current=folder == current)
            except OSError:  # an older build removed while it was being read: make the answer instead
                return None
    return None


def _send(folder: Path, made: dict[str, Any], current: bool) -> Response:
    zipped = request.accept_encodings["gzip"] > 0
    path = folder / FOLDER / (made["name"] + (".gz" if zipped else ""))
    response = send_file(path, conditional=False, etag=False)
    for name in (*_KEPT_HEADERS, "Cache-Control"):  # as the view made them; the site's caching decides the rest
        response.headers.pop(name, None)
    response.headers.update(made["headers"])
    response.vary.add("Accept-Encoding")
    if zipped:
        response.content_encoding = "gzip"
    if not current:  # an earlier version's, for a second: no cache may keep it under this version's ETag
        g.pop("etag", None)
        response.headers["Cache-Control"] = "no-store"
    return response


def make(app: Flask) -> None:
    """Make the published version's files, unless they are made (a publish calls this, and so does the start)."""
    with app.app_context():
        base = app.config["PUBLIC_URL"]
        folder = builder.current_folder(app.config["INDEX_DIR"])
        if not base or folder is None or _made(folder) is not None:
            return
        shutil.rmtree(folder / FOLDER, ignore_errors=True)  # made by another release, or another address
        building = folder / f".{FOLDER}-{os.getpid()}-{threading.get_ident()}"
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir()
        try:
            with app.test_request_context("/", base_url=base):
                addresses = [address for listed in _addresses for address in listed()]
            try:
                files = {address: _make_one(app, address, building) for address in addresses}
            finally:
                for forget in _forgets:
                    forget()
            made = {"base": base, "release": app.config["RELEASE"], "files": files}
            (building / MANIFEST).write_text(json.dumps(made), encoding="utf-8")
            os.rename(building, folder / FOLDER)  # all of them appear together
        except OSError:
            shutil.rmtree(building, ignore_errors=True)
            if _made(folder) is None:  # else another process made them first: nothing is missing
                _could_not_make(folder)
                raise
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            _could_not_make(folder)
            raise


def _could_not_make(folder: Path) -> None:
    """Say so in the build: its answers are then made per request, not taken from an older version."""
    try:
        (folder / NOT_MADE).touch()
    except OSError:
        pass


def _make_one(app: Flask, address: str, building: Path) -> dict[str, Any]:
    with app.test_request_context(address, base_url=app.config["PUBLIC_URL"]):
        g.making_files = True
        assert request.url_rule is not None and request.view_args is not None
        response = cast(Response, app.view_functions[request.url_rule.endpoint](**request.view_args))
        headers = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
        name = hashlib.sha256(address.encode()).hexdigest()[:16]
        with open(building / name, "wb") as plain, gzip.GzipFile(building / f"{name}.gz", "wb", 6, mtime=0) as zipped:
            for chunk in response.iter_encoded():  # a streamed answer is written as it comes
                plain.write(chunk)
                zipped.write(chunk)
        response.close()
    return {"name": name, "headers": headers}


def init_app(app: Flask) -> None:
    """Make the files after each publish, and now if the published version has none (a new release, a
    restart after a crash): a failure costs speed only, never the site."""
    page_kit.after_publish(app, make)
    try:
        make(app)
    except Exception:
        app.logger.exception("the published version's files could not be made: they are made per request")
