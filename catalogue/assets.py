"""Static files under versioned names (``style.3f2a1b9c0d.css``), so browsers and caches keep them a year.

A new stylesheet has a new name, so nobody is served an old one; the plain name still answers,
with ``no-cache``, for anything that asks for it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, send_from_directory

ONE_YEAR = 365 * 24 * 3600


def _versioned_name(name: str, content: bytes) -> str:
    stem, dot, extension = name.rpartition(".")
    digest = hashlib.sha256(content).hexdigest()[:10]
    return f"{stem}.{digest}.{extension}" if dot else f"{name}.{digest}"


def init_app(app: Flask) -> None:
    folder = Path(app.static_folder or "")
    names = [path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()]
    versioned = {name: _versioned_name(name, (folder / name).read_bytes()) for name in names}
    original = {version: name for name, version in versioned.items()}

    @app.url_defaults
    def versioned_static_names(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static":
            values["filename"] = versioned.get(values["filename"], values["filename"])

    def static(filename: str) -> Response:
        if filename in original:
            response = send_from_directory(folder, original[filename], max_age=ONE_YEAR)
            response.cache_control.immutable = True
            return response
        return send_from_directory(folder, filename, max_age=0)

    app.view_functions["static"] = static

    @app.get("/favicon.ico")
    def favicon() -> Response:
        """For clients that ask the old address rather than read the page's icon link: the same icon."""
        return send_from_directory(folder, "favicon.svg", mimetype="image/svg+xml", max_age=24 * 3600)
