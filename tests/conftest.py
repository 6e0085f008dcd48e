"""Shared fixtures: an app over a small, known content set in a temporary folder."""
from __future__ import annotations

import shutil
from pathlib import Path

import flask_migrate
import pytest

from catalogue import create_app

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def content_dir(tmp_path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(FIXTURES / "content", folder)
    return folder


@pytest.fixture
def app(content_dir, tmp_path):
    app = create_app({"CONTENT_DIR": content_dir, "INDEX_DIR": tmp_path / "index",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}", "TESTING": True})
    with app.app_context():
        flask_migrate.upgrade()  # the same migrations as production, not create_all()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(client):
    """GET the JSON twin and return (status, body)."""
    def get(query: str = ""):
        response = client.get("/api/v1/sok" + query)
        return response.status_code, response.get_json()
    return get
