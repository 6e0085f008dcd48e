"""A live site on loopback and Debian's Chromium driven by Playwright (no browser download)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import flask_migrate
import pytest
from playwright.sync_api import sync_playwright
from waitress import create_server

from catalogue import create_app

ROOT = Path(__file__).parent.parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium; or set CHROMIUM=/path/to/it")
    return path


def _serve(content: Path, folder: Path):
    """A site over ``content``, served by waitress on a free loopback port, in a thread."""
    app = create_app(
        {
            "CONTENT_DIR": content,
            "INDEX_DIR": folder / "index",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'site.db'}",
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return server


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The real content, served for the whole session."""
    server = _serve(ROOT / "content", tmp_path_factory.mktemp("site"))
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="session")
def fixture_server(tmp_path_factory):
    """The fixture content (tests/fixtures/content, every fact stated), served for the whole session."""
    server = _serve(ROOT / "tests" / "fixtures" / "content", tmp_path_factory.mktemp("fixture-site"))
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def pytest_collection_modifyitems(items):
    """Everything under tests/browser drives Chromium: `make check` leaves it out, `make test` runs it."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
