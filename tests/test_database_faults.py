"""Database faults answer calmly (issue 12 §3), on SQLite and on a real PostgreSQL server.

A database that is read-only, locked or missing refuses writes with a 503 page ("försök igen om
en stund") or its JSON twin, while the read-only site keeps working: pages with ``?kort=`` show
their plain address, and the error pages never touch the database.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import sqlite3
import subprocess
import sys
import uuid
from html import unescape
from pathlib import Path

import flask_migrate
import psycopg
import pytest
from app_factory import make_app
from sqlalchemy import event

from catalogue import create_app
from catalogue.db import db

WAIT = 0.1  # seconds the app waits for a lock in these tests (production: catalogue.db.WAIT_SECONDS)
READ_PAGES = ["/", "/sok?q=kaf%C3%A9", "/sok?q=kaf%C3%A9&kort=k7m2xq", "/verksamhet/kafe-solsidan?kort=k7m2xq"]


class SQLiteDatabase:
    def __init__(self, folder: Path) -> None:
        self.path = folder / "runtime.db"
        self.url = f"sqlite:///{self.path}"

    def read_only_url(self) -> str:
        """Opened read-only, as a read-only mount or a full disk would leave it (root ignores file modes)."""
        return f"sqlite:///file:{self.path}?mode=ro&uri=true"

    @contextlib.contextmanager
    def locked(self):
        """Another process holds the write lock, as a long backup or a stuck writer would."""
        holder = sqlite3.connect(self.path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()

    def missing_url(self) -> str:
        return f"sqlite:///{self.path.parent}/no-such-folder/runtime.db"


class PostgreSQLDatabase:
    def __init__(self, server_url: str) -> None:
        self.name = f"faults_{uuid.uuid4().hex[:8]}"
        self.admin = server_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(self.admin, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {self.name}")
        self.url = server_url.rsplit("/", 1)[0] + f"/{self.name}"

    def read_only_url(self) -> str:
        with psycopg.connect(self.admin, autocommit=True) as connection:
            connection.execute(f"ALTER DATABASE {self.name} SET default_transaction_read_only = on")
        return self.url

    @contextlib.contextmanager
    def locked(self):
        with psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://")) as holder:
            holder.execute("LOCK TABLE short_link, error_report IN ACCESS EXCLUSIVE MODE")
            yield
            holder.rollback()

    def missing_url(self) -> str:
        with socket.socket() as sock:  # a port where nothing listens
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        return f"postgresql+psycopg://catalogue@127.0.0.1:{port}/postgres"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        return SQLiteDatabase(tmp_path)
    return PostgreSQLDatabase(request.getfixturevalue("postgres_url"))


@pytest.fixture
def node(site, tmp_path):
    """Makes an app over the shared fixture index with the given database; disposes of its pool after."""
    apps = []

    def make(url: str, migrate: bool = False):
        folder = tmp_path / f"node-{len(apps)}"
        app = make_app(folder, template=Path(site.config["CONTENT_DIR"]).parent, SQLALCHEMY_DATABASE_URI=url,
                       DATABASE_WAIT=WAIT)  # fmt: skip
        if migrate:
            with app.app_context():
                flask_migrate.upgrade()
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def _short_link(client, address: str = "/sok?q=musik") -> str:
    return client.post("/l", data={"url": address}).headers["Location"].split("/")[-1].split("#")[0]


def _writes_are_refused_calmly(client) -> None:
    refused = client.post("/l", data={"url": "/sok?q=kaf%C3%A9"})
    assert refused.status_code == 503 and 50 <= int(refused.headers["Retry-After"]) <= 60
    page = unescape(refused.get_data(as_text=True))
    assert "Det gick inte att spara just nu" in page and "Försök igen om en stund" in page
    english = client.post("/en/rapportera-fel", data={"sida": "/sok", "meddelande": "The phone number is wrong"})
    assert english.status_code == 503 and "It could not be saved right now" in english.get_data(as_text=True)
    json = client.post("/l", data={"url": "/sok?q=jobb"}, headers={"Accept": "application/json"})
    assert json.status_code == 503 and json.get_json() == {
        "error": "Det gick inte att spara just nu",
        "parameter": None,
    }


def _reading_goes_on(client) -> None:
    for path in READ_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "k7m2xq" not in response.get_data(as_text=True).split('<div class="print-only">')[1], path
    assert client.get("/finns-inte?kort=k7m2xq").status_code == 404


def test_a_read_only_database_refuses_writes_calmly_and_reading_goes_on(database, node):
    code = _short_link(node(database.url, migrate=True).test_client())  # made while it could be written
    client = node(database.read_only_url()).test_client()
    _writes_are_refused_calmly(client)
    _reading_goes_on(client)
    assert client.get(f"/l/{code}").status_code == 302  # following a link is reading: it still leads on
    assert client.get(f"/sok?q=musik&kort={code}").status_code == 200


@pytest.mark.system  # waits out real lock timeouts: `make test` runs it
def test_a_locked_database_refuses_writes_calmly_and_works_again_when_released(database, node):
    client = node(database.url, migrate=True).test_client()
    code = _short_link(client)
    with database.locked():
        _writes_are_refused_calmly(client)
        _reading_goes_on(client)
    # Nothing the failed writes left behind (a journal, an aborted transaction) spoils what follows.
    assert client.get(f"/sok?q=musik&kort={code}").status_code == 200
    assert code in client.get(f"/sok?q=musik&kort={code}").get_data(as_text=True)
    assert client.post("/l", data={"url": "/sok?q=kaf%C3%A9"}).status_code == 303
    assert client.post("/rapportera-fel", data={"sida": "/sok", "meddelande": "Fel adress."}).status_code == 303


def test_a_missing_database_leaves_the_read_only_site_up(database, node):
    client = node(database.missing_url()).test_client()
    _writes_are_refused_calmly(client)
    _reading_goes_on(client)
    assert client.get("/l/k7m2xq").status_code == 503
    assert client.get("/readyz").status_code == 503 and client.get("/healthz").status_code == 200


def test_error_pages_never_touch_the_database(app, app_client):
    """Even when every query fails, the error pages answer as themselves, not with a 503 or a 500."""
    code = _short_link(app_client)

    def refuse(*_args):
        raise sqlite3.OperationalError("disk I/O error")

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", refuse)
    not_found = app_client.get(f"/finns-inte?kort={code}")
    assert not_found.status_code == 404 and "Sidan finns inte" in not_found.get_data(as_text=True)
    bad = app_client.get(f"/sok?timmar=99&kort={code}")
    assert bad.status_code == 400 and "Vi kunde inte förstå adressen" in unescape(bad.get_data(as_text=True))
    assert app_client.get(f"/l/{code}").status_code == 503  # following it needs the database: a calm 503


# A worker killed half-way through a large write (a small cache makes it spill into the database file).
_CUT_OFF_WRITER = """
import os, signal, sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("PRAGMA cache_size=1")
connection.execute("BEGIN IMMEDIATE")
connection.executemany("INSERT INTO error_report (page, message, created_at) VALUES ('/', ?, '2026-01-01')",
                       [(str(n) * 50,) for n in range(5000)])
os.kill(os.getpid(), signal.SIGKILL)
"""


def _cut_off_write(path: Path) -> None:
    subprocess.run([sys.executable, "-c", _CUT_OFF_WRITER, str(path)], check=False)


def _read_only(path: Path) -> str:
    """The database as SQLite opens a file it may not write (root ignores file modes; this does not)."""
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def test_a_read_only_database_after_a_cut_off_write_still_lets_links_be_followed(app, app_client, tmp_path):
    """A write is killed half-way, and the file can no longer be written while the site serves. With
    SQLite's rollback journal every later read must first undo that write, and cannot (so following a
    short link answered 503); in WAL mode following a link only reads, and works."""
    code = _short_link(app_client)
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    with app.app_context():
        db.engine.dispose()
    # Why WAL: the same cut-off write on a copy in the old journal mode leaves a hot journal.
    journal = tmp_path / "journal.db"
    shutil.copy(path, journal)
    sqlite3.connect(journal).execute("PRAGMA journal_mode=DELETE").close()
    _cut_off_write(journal)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        sqlite3.connect(f"file:{journal}?mode=ro", uri=True).execute("SELECT count(*) FROM short_link").fetchone()
    # The site's own database, in WAL mode.
    _cut_off_write(path)
    reading = create_app(app.config | {"SQLALCHEMY_DATABASE_URI": _read_only(path)}).test_client()
    followed = reading.get(f"/l/{code}")
    assert followed.status_code == 302 and followed.headers["Location"].endswith(f"kort={code}")
    assert reading.get("/readyz").status_code == 200  # reading works: ready to serve
    _writes_are_refused_calmly(reading)  # only making a new link waits for writing to work again


def test_readiness_fails_when_the_database_file_has_gone(app, app_client):
    assert app_client.get("/readyz").status_code == 200
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    path.unlink()  # an open connection would still read the deleted file: readiness looks for the file
    answer = app_client.get("/readyz")
    assert answer.status_code == 503 and answer.get_json()["database"] is False
    assert not path.exists(), "the readiness probe made no empty database in its place"
