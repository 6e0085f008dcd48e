"""The runtime database on a real PostgreSQL server, started on loopback for this test run."""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import flask_migrate
import pytest

from catalogue import create_app
from catalogue.db import ErrorReport, ShortLink, db

FIXTURES = Path(__file__).parent / "fixtures" / "content"


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL is missing: `make test` installs Debian's postgresql")
    return found[-1].parent


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; as root, run it as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="module")
def postgres_url():
    bindir = _postgres_bin()
    data = Path(tempfile.mkdtemp(prefix="catalogue-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(data, user.pw_uid, user.pw_gid)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(data / "db"), "-A", "trust", "-U", "catalogue",
                                 "--no-sync"]), check=True, capture_output=True)
    subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data / "db"), "-w", "-l", str(data / "log"),
                                 "-o", f"-h 127.0.0.1 -p {port} -k {data}", "start"]), check=True, capture_output=True)
    yield f"postgresql+psycopg://catalogue@127.0.0.1:{port}/postgres"
    subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data / "db"), "-m", "fast", "stop"]),
                   capture_output=True)
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def pg_app(postgres_url, tmp_path):
    shutil.copytree(FIXTURES, tmp_path / "content")
    app = create_app({"CONTENT_DIR": tmp_path / "content", "INDEX_DIR": tmp_path / "index",
                      "SQLALCHEMY_DATABASE_URI": postgres_url})
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        flask_migrate.downgrade(revision="base")
        db.engine.dispose()  # close pooled connections before the server stops


def test_migrations_build_the_schema_on_postgresql(pg_app):
    with pg_app.app_context():
        assert db.engine.dialect.name == "postgresql"
        tables = set(db.inspect(db.engine).get_table_names())
    assert {"short_link", "error_report", "alembic_version"} <= tables


def test_short_links_and_error_reports_work_on_postgresql(pg_app):
    client = pg_app.test_client()
    made = client.post("/l", data={"url": "/lista?v=kafe-solsidan"})
    code = made.headers["Location"].removeprefix("/l/")
    assert client.get(f"/l/{code}").headers["Location"] == f"/lista?v=kafe-solsidan&kort={code}"
    assert client.post("/l", data={"url": "/lista?v=kafe-solsidan"}).headers["Location"] == f"/l/{code}"
    assert client.post("/rapportera-fel", data={"sida": "/sok", "meddelande": "Fel telefonnummer."}).status_code == 303
    with pg_app.app_context():
        assert db.session.get(ShortLink, code).target == "/lista?v=kafe-solsidan"
        assert [r.message for r in db.session.scalars(db.select(ErrorReport))] == ["Fel telefonnummer."]
