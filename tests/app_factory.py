"""Making test apps over the fixture content, and publishing provider files into them.

A module of its own (not conftest.py): tests/ and tests/browser/ each have a conftest.py, so
``from conftest import`` would be ambiguous.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import flask_migrate
from sqlalchemy import text

from catalogue import create_app
from catalogue.db import db
from catalogue.index import builder

FIXTURES = Path(__file__).parent / "fixtures"


def make_app(folder: Path, template: Path | None = None, **settings):
    """An app over a copy of the fixture content in ``folder``; from ``template`` (a folder made
    by an earlier call) it copies the built index and the migrated database instead of making them."""
    shutil.copytree(FIXTURES / "content", folder / "content")
    if template is not None:
        shutil.copytree(template / "index", folder / "index", symlinks=True)
        shutil.copy(template / "test.db", folder / "test.db")
    database = f"sqlite:///{folder / 'test.db'}"
    app = create_app(
        {"CONTENT_DIR": folder / "content", "INDEX_DIR": folder / "index", "SQLALCHEMY_DATABASE_URI": database,
         "TESTING": True} | settings
    )  # fmt: skip
    if template is None:
        with app.app_context():
            flask_migrate.upgrade()  # the same migrations as production, not create_all()
            # SQLite runs in WAL mode: fold the log into the file, which later apps copy on its own.
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    return app


def drop_database(app) -> None:
    """Undo every migration on the shared PostgreSQL test database and close the app's connections,
    so that the next test starts from nothing and no connection outlives the server."""
    with app.app_context():
        db.session.remove()
        flask_migrate.downgrade(revision="base")
        db.engine.dispose()


class Publisher:
    """Writes provider files into a fresh app's content folder and publishes a new index."""

    def __init__(self, app):
        self.app, self.content_dir = app, Path(app.config["CONTENT_DIR"])

    def write(self, slug: str, front_matter: str, body: str = "Text.") -> Path:
        path = self.content_dir / "providers" / f"{slug}.md"
        path.write_text(f"---\n{front_matter.strip()}\n---\n{body}\n", encoding="utf-8")
        return path

    def rebuild(self) -> None:
        builder.rebuild(self.content_dir, self.app.config["INDEX_DIR"])

    def __call__(self, slug: str, front_matter: str, body: str = "Text.") -> Path:
        path = self.write(slug, front_matter, body)
        self.rebuild()
        return path
