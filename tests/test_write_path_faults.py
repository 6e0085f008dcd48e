"""An accept cut off part-way, as a chaos engineer cuts it: a git hook that sleeps widens the window, and
the server's whole process group is killed with SIGKILL in it. After a restart, accepting again finishes
exactly the missing steps: the file is written once, committed once, published, and only then is the
suggestion "accepted". Git's lock left by the killed commit is removed under the desk's own lock.

On SQLite and on a real PostgreSQL server.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from html import unescape
from pathlib import Path

import flask_migrate
import pytest
import requests
from app_factory import drop_database, make_app
from forms import prefilled
from test_desk import PASSWORD, accept, sign_in, suggest

from catalogue import create_app
from catalogue.db import Acceptance, AuditEntry, Suggestion, db
from catalogue.editorial import desk, editing

ROOT = Path(__file__).parent.parent
SECRET = "a-secret-the-server-and-the-tests-share"


def git(folder: Path, *arguments: str) -> str:
    return subprocess.run(["git", "-C", str(folder), *arguments], capture_output=True, text=True, check=True).stdout


@pytest.fixture(params=["sqlite", "postgresql"])
def setting(request, site, tmp_path):
    """A fixture site whose content is a git work tree, on SQLite or on the PostgreSQL server."""
    extra = {}
    if request.param == "postgresql":
        extra["SQLALCHEMY_DATABASE_URI"] = request.getfixturevalue("postgres_url")
    app = make_app(tmp_path, template=Path(site.config["CONTENT_DIR"]).parent, SECRET_KEY=SECRET, **extra)
    with app.app_context():
        flask_migrate.upgrade()
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    content = Path(app.config["CONTENT_DIR"])
    git(content, "init", "-q")
    git(content, "add", ".")
    git(content, "-c", "user.name=Test", "-c", "user.email=t@example.se", "commit", "-qm", "start")
    yield app
    if request.param == "postgresql":
        drop_database(app)


@pytest.fixture
def restart(setting):
    """A new process over the same files and database, as after a crash: here a new app."""
    made = []

    def restarted():
        made.append(create_app(setting.config | {"TESTING": True}))
        return made[-1].test_client()

    yield restarted
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()  # a PostgreSQL connection left open would outlive the test


def hook(content: Path, name: str, seconds: float) -> None:
    path = content / ".git" / "hooks" / name
    path.write_text(f"#!/bin/sh\nsleep {seconds}\n", encoding="utf-8")
    path.chmod(0o755)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(app) -> tuple[subprocess.Popen, str]:
    """The site in a process group of its own, as a service manager runs it: waitress and its children."""
    port = free_port()
    env = os.environ | {
        "CATALOGUE_CONTENT_DIR": str(app.config["CONTENT_DIR"]),
        "CATALOGUE_INDEX_DIR": str(app.config["INDEX_DIR"]),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "CATALOGUE_SECRET_KEY": SECRET,
    }
    command = [sys.executable, "-m", "waitress", "--host=127.0.0.1", f"--port={port}", "wsgi:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if requests.get(base + "/healthz", timeout=1).status_code == 200:
                return server, base
        except requests.ConnectionError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def accept_and_kill(base: str, number: int, after: float) -> threading.Thread:
    """Sign in, press "Godta" and kill -9 the whole process group while the accept is under way."""
    browser = requests.Session()
    page = browser.get(base + "/redaktion/logga-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    signed_in = browser.post(base + "/redaktion/logga-in", allow_redirects=False,
                             data={"namn": "anna", "losenord": PASSWORD, "csrf_token": token})  # fmt: skip
    assert signed_in.status_code == 303, signed_in.text
    review = browser.get(f"{base}/redaktion/forslag/{number}").text
    form = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', review).group(1), "svar": "Tack!"}

    def press() -> None:
        try:
            browser.post(f"{base}/redaktion/forslag/{number}/godta", data=form, timeout=30,
                         headers={"Referer": f"{base}/redaktion/forslag/{number}"})  # fmt: skip
        except requests.RequestException:
            pass  # the server died under it, as it was meant to

    pressing = threading.Thread(target=press)
    pressing.start()
    time.sleep(after)
    return pressing


def kill(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=10)


def rows(app, model):
    with app.app_context():
        return db.session.scalars(db.select(model)).all()


@pytest.mark.system  # real processes, git hooks that sleep and kill -9: `make test` runs it
def test_an_accept_killed_inside_its_commit_is_finished_after_a_restart(setting, restart):
    app, content = setting, Path(setting.config["CONTENT_DIR"])
    client = app.test_client()
    assert sign_in(client).status_code == 303
    status_address = suggest(client, **{"contact-phone": "08-111 11 11"})
    hook(content, "pre-commit", 4)
    server, base = serve(app)
    pressing = accept_and_kill(base, 1, after=1.5)
    kill(server)
    pressing.join(timeout=10)
    # Cut off inside `git commit`: the file is written and staged, git's lock is left, nothing is published.
    path = content / "providers" / "kafe-solsidan.md"
    assert "phone: 08-111 11 11" in path.read_text(encoding="utf-8")
    assert (content / ".git" / "index.lock").exists()
    assert git(content, "rev-list", "--count", "HEAD").strip() == "1"
    [suggestion] = rows(app, Suggestion)
    [steps] = rows(app, Acceptance)
    assert suggestion.status == "accepting" and steps.written_at and not steps.committed_at and not steps.told_at
    assert "inte hunnit titta på det ännu" in client.get(status_address).get_data(as_text=True)
    # A restart and accept again.
    (content / ".git" / "hooks" / "pre-commit").unlink()
    again = restart()
    assert sign_in(again).status_code == 303
    queue = unescape(again.get("/redaktion/").get_data(as_text=True))
    assert "godkännandet avbröts" in queue
    review = unescape(again.get("/redaktion/forslag/1").get_data(as_text=True))
    assert re.search(r"Skrivet i filen: klart \d", review) and "Incheckat i git: <strong>inte gjort" in review
    assert "Publicerat på webbplatsen: <strong>inte gjort" in review and "bara stegen som saknas görs" in review
    assert accept(again, 1).status_code == 303
    done = unescape(again.get("/redaktion/").get_data(as_text=True))
    assert "godkänt och publicerat. Filen hade redan ändringen" in done
    assert not (content / ".git" / "index.lock").exists()
    assert git(content, "rev-list", "--count", "HEAD").strip() == "2"  # one commit for the change
    assert "contact.phone" in git(content, "log", "-1", "--format=%s") and git(content, "status", "--porcelain") == ""
    assert path.read_text(encoding="utf-8").count("Förslag från en läsare") == 1  # its source, once
    assert "08-111 11 11" in again.get("/verksamhet/kafe-solsidan").get_data(as_text=True)
    [suggestion], [steps] = rows(app, Suggestion), rows(app, Acceptance)
    assert suggestion.status == "accepted" and steps.committed_at and steps.published_at and steps.told_at
    assert steps.commit == git(content, "rev-parse", "HEAD").strip()
    assert "git-lås borttaget" in [entry.action for entry in rows(app, AuditEntry)]
    assert "Vi har lagt in förslaget" in again.get(status_address).get_data(as_text=True)


@pytest.mark.system
def test_an_accept_killed_after_its_commit_is_published_after_a_restart_without_a_second_commit(setting, restart):
    app, content = setting, Path(setting.config["CONTENT_DIR"])
    client = app.test_client()
    assert sign_in(client).status_code == 303
    suggest(client, **{"contact-phone": "08-222 22 22"})
    hook(content, "post-commit", 4)
    server, base = serve(app)
    pressing = accept_and_kill(base, 1, after=1.5)
    kill(server)
    pressing.join(timeout=10)
    # The commit exists, but the index that serves the site was never rebuilt.
    assert git(content, "rev-list", "--count", "HEAD").strip() == "2"
    assert "08-222 22 22" not in client.get("/verksamhet/kafe-solsidan").get_data(as_text=True)
    assert rows(app, Suggestion)[0].status == "accepting"
    (content / ".git" / "hooks" / "post-commit").unlink()
    again = restart()
    assert sign_in(again).status_code == 303
    assert accept(again, 1).status_code == 303
    assert git(content, "rev-list", "--count", "HEAD").strip() == "2"  # not a second commit
    assert "08-222 22 22" in again.get("/verksamhet/kafe-solsidan").get_data(as_text=True)
    [steps] = rows(app, Acceptance)
    assert rows(app, Suggestion)[0].status == "accepted" and steps.published_at and steps.told_at
    assert steps.commit == git(content, "rev-parse", "HEAD").strip()


def test_a_commit_refused_by_git_puts_the_file_back_and_records_no_step(app, tmp_path):
    """Not a crash: git itself says no (a hook that fails). The file is as it was; the suggestion waits."""
    content = Path(app.config["CONTENT_DIR"])
    git(content, "init", "-q")
    git(content, "add", ".")
    git(content, "-c", "user.name=Test", "-c", "user.email=t@example.se", "commit", "-qm", "start")
    (content / ".git" / "hooks" / "pre-commit").write_text("#!/bin/sh\necho nej >&2\nexit 1\n", encoding="utf-8")
    (content / ".git" / "hooks" / "pre-commit").chmod(0o755)
    with app.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    client = app.test_client()
    assert sign_in(client).status_code == 303
    before = (content / "providers" / "kafe-solsidan.md").read_text(encoding="utf-8")
    suggest(client, **{"contact-phone": "08-333 33 33"})
    response = accept(client, 1)
    assert response.status_code == 409 and "Git kunde inte spara ändringen: nej" in response.get_data(as_text=True)
    assert (content / "providers" / "kafe-solsidan.md").read_text(encoding="utf-8") == before
    assert git(content, "status", "--porcelain") == ""
    assert rows(app, Suggestion)[0].status == "new" and rows(app, Acceptance) == []


def test_no_visitor_text_can_add_a_line_or_a_trailer_to_a_commit_message(app):
    content = Path(app.config["CONTENT_DIR"])
    git(content, "init", "-q")
    git(content, "add", ".")
    git(content, "-c", "user.name=Test", "-c", "user.email=t@example.se", "commit", "-qm", "start")
    with app.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    client = app.test_client()
    assert sign_in(client).status_code == 303
    group = "Unga vuxna.\n\nSigned-off-by: Mallory <m@example.org>\nCo-authored-by: Eve <e@example.org>"
    form = prefilled(client, "/verksamhet/kafe-solsidan/foresla-andring")
    form.setlist("target_group", [group])
    assert client.post("/verksamhet/kafe-solsidan/foresla-andring", data=form).status_code == 303
    assert accept(client, 1).status_code == 303
    message = git(content, "log", "-1", "--format=%B")
    trailers = subprocess.run(["git", "-C", str(content), "interpret-trailers", "--parse"], input=message,
                              capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert trailers == ""
    assert all(not line.startswith(("Signed-off-by", "Co-authored-by")) for line in message.splitlines())
    assert "- target_group:" in message and "Signed-off-by: Mallory" in message  # said, inside its quotes


def test_publishing_waits_for_an_accept_in_progress(tmp_path):
    """deploy/publish.sh holds the desk's lock: a pull and an index build never run inside an accept."""
    origin, node = tmp_path / "origin", tmp_path / "node"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    subprocess.run(["git", "clone", "-q", str(origin), str(node)], check=True, capture_output=True)
    (node / "deploy").mkdir()
    (node / "deploy" / "publish.sh").write_bytes((ROOT / "deploy" / "publish.sh").read_bytes())
    flask = node / ".venv" / "bin" / "flask"  # stands in for the index build: it leaves a mark
    flask.parent.mkdir(parents=True)
    flask.write_text('#!/bin/sh\necho "$@" > indexed\n')
    flask.chmod(0o755)
    git(node, "-c", "user.name=T", "-c", "user.email=t@example.se", "commit", "-q", "--allow-empty", "-m", "c")
    git(node, "push", "-q", "origin", "HEAD")
    env = {key: value for key, value in os.environ.items() if key != "CATALOGUE_INDEX_DIR"}

    with editing.one_writer({"INDEX_DIR": node / "instance" / "index"}):
        publishing = subprocess.Popen(["sh", "deploy/publish.sh"], cwd=node, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT)  # fmt: skip
        time.sleep(1.5)
        assert publishing.poll() is None and not (node / "indexed").exists()
    output, _ = publishing.communicate(timeout=30)
    assert publishing.returncode == 0, output
    assert (node / "indexed").read_text().split() == ["--app", "wsgi", "catalogue", "index"]
