"""Shared fixtures, after Datasette's tests/fixtures.py: one app per session for tests that only read.

- ``client`` and ``api`` read the shared ``site`` (the fixture content, never changed).
- ``app`` is a fresh app over its own copy of the fixture content, index and database, which the
  test may change freely. It is made by copying a prebuilt index and a migrated database, not by
  building them again. ``app_client`` and ``app_api`` read it; a test that has ``app`` and asks for
  ``client`` fails, so that no test reads one site while it changes the other.
- ``real_site`` is a client over the real ``content/``, where most facts are not stated.
- ``publish`` writes provider files into the fresh app's content and publishes a new index.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from app_factory import FIXTURES, Publisher, make_app
from argon2 import PasswordHasher
from postgres_server import PostgresServer

from catalogue import create_app
from catalogue.editorial import desk
from catalogue.facts import vocabulary
from catalogue.index.content import read_municipality

ROOT = Path(__file__).parent.parent

_POSTGRES = PostgresServer()


def pytest_collection_finish(session):
    """Start PostgreSQL now if any test will need it, so that it starts while other tests run."""
    if any("postgres_url" in getattr(item, "fixturenames", ()) for item in session.items):
        _POSTGRES.start()


def pytest_sessionfinish(session):
    """Stop it even when no test asked for it: a run cut short (``-x``, Ctrl-C) left servers behind."""
    _POSTGRES.stop()


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server on loopback for the whole session (see postgres_server.py)."""
    try:
        yield _POSTGRES.url()
    except RuntimeError as error:
        pytest.fail(str(error))
    finally:
        _POSTGRES.stop()


# Also while the test modules are collected: a table they build at import from the districts (a parametrize
# over every filter value) is built from the fixtures' districts, which are Stockholm's.
FIXTURES_MUNICIPALITY = read_municipality(FIXTURES / "content")
vocabulary.use_municipality(FIXTURES_MUNICIPALITY)


@pytest.fixture(autouse=True)
def fixtures_municipality():
    """A test that checks a file on its own checks it as the fixtures' municipality (their site.yml): a
    test that loads other content or makes a request speaks of that catalogue's, and the next test starts
    here again."""
    vocabulary.use_municipality(FIXTURES_MUNICIPALITY)


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    """argon2id with its smallest cost: the same code path, without 0.1 s of work per sign-in in every test.

    The site itself uses argon2-cffi's default parameters (RFC 9106, low memory)."""
    monkeypatch.setattr(desk, "hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The shared read-only app: never write to its content, index or database."""
    return make_app(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def real_site(tmp_path_factory):
    """A client for the site over the real ``content/`` (read-only), where most facts are unknown."""
    app = create_app(
        {"CONTENT_DIR": ROOT / "content", "INDEX_DIR": tmp_path_factory.mktemp("real-index"),
         "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )  # fmt: skip
    return app.test_client()


@pytest.fixture
def app(site, tmp_path):
    """A fresh app of its own, for a test that changes content, the index, the database or settings."""
    return make_app(tmp_path, template=Path(site.config["CONTENT_DIR"]).parent)


@pytest.fixture
def content_dir(app) -> Path:
    return Path(app.config["CONTENT_DIR"])


@pytest.fixture
def client(request, site):
    """A client of the shared read-only site."""
    if "app" in request.fixturenames:
        pytest.fail("this test has a fresh app: ask for app_client (and app_api), which read it")
    return site.test_client()


@pytest.fixture
def app_client(app):
    """A client of the test's own fresh app."""
    return app.test_client()


def _json_twin(client):
    """GET the JSON twin and return (status, body)."""

    def get(query: str = ""):
        response = client.get("/api/v1/sok" + query)
        return response.status_code, response.get_json()

    return get


@pytest.fixture
def api(client):
    return _json_twin(client)


@pytest.fixture
def app_api(app_client):
    return _json_twin(app_client)


@pytest.fixture
def publish(app) -> Publisher:
    return Publisher(app)


@pytest.fixture(scope="session")
def memcached():
    """Debian's memcached on a free loopback port (`make test` installs it), for the shared count.

    Shared by the session: each test keeps its counts apart with its own key prefix."""
    path = shutil.which("memcached")
    if path is None:
        pytest.fail("memcached is missing: `make test` installs Debian's memcached")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    process = subprocess.Popen([path, "-l", "127.0.0.1", "-p", str(port), "-U", "0", *user])
    deadline = time.time() + 10
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield f"memcached://127.0.0.1:{port}"
    process.terminate()
    process.wait()
