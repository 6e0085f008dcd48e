"""The production set-up of deploy/, started for real (issue 12 §6): nginx with TLS in front of two
gunicorn app nodes on loopback, one PostgreSQL, one memcached; each node builds its own index from
its own copy of the same content.

Checked: a short link made on node A opens on node B; a rate limit holds across both; publishing new
content reaches both; and nginx keeps its promises (TLS with FORCE_HTTPS, security headers on its own
errors, a short cache, slow clients kept away from the nodes, a log without addresses or queries).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))

from render_nginx import render  # noqa: E402

FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "content"
NEW_PROVIDER = """---
name: Verkstaden vid vattnet
summary: Snickeri och båtbygge i lugn takt.
status: active
reviewed: 2026-11-01
district: farsta
sources: [{title: Test, date: 2026}]
---
Text.
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited early:\n{log.read_text(errors='replace')[-3000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"did not start:\n{log.read_text(errors='replace')[-3000:]}")


class Cluster:
    """Two nodes and nginx; ``request`` speaks to either node directly or to nginx over TLS."""

    def __init__(self, folder: Path, database_url: str, memcached_url: str) -> None:
        self.folder, self.processes = folder, []
        self.proxy_port = _free_port()
        self.public_url = f"https://localhost:{self.proxy_port}"
        self.nodes = {name: _free_port() for name in ("a", "b")}
        self.environments = {
            name: {
                **os.environ,
                "DATABASE_URL": database_url,
                "CATALOGUE_RATELIMIT_STORAGE_URI": memcached_url,
                "CATALOGUE_CONTENT_DIR": str(folder / f"content-{name}"),
                "CATALOGUE_INDEX_DIR": str(folder / f"index-{name}"),
                "CATALOGUE_PUBLIC_URL": self.public_url,
                "CATALOGUE_TRUSTED_PROXIES": "1",
                "CATALOGUE_FORCE_HTTPS": "1",
                "CATALOGUE_BIND": f"127.0.0.1:{port}",
                "CATALOGUE_WORKERS": "1",
            }
            for name, port in self.nodes.items()
        }

    def start(self) -> None:
        for name in self.nodes:
            shutil.copytree(FIXTURE_CONTENT, self.folder / f"content-{name}")
        self.flask("a", "db", "upgrade")  # as the unit's ExecStartPre does
        for name, port in self.nodes.items():
            self._spawn(f"node-{name}", [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
                        self.environments[name], port)  # fmt: skip
        self._start_nginx()

    def flask(self, node: str, *args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
        done = subprocess.run(command, cwd=ROOT, env=self.environments[node], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done

    def _spawn(self, name: str, command: list[str], environment: dict, port: int) -> None:
        log = self.folder / f"{name}.log"
        with log.open("w") as output:  # the child keeps its own copy of the descriptor
            process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
        self.processes.append(process)
        _wait_for_port(port, process, log, seconds=120)

    def _start_nginx(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            pytest.fail("nginx is missing: `make test` installs Debian's nginx")
        home = self.folder / "nginx"
        home.mkdir()
        key, certificate = str(home / "key.pem"), str(home / "cert.pem")
        openssl = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"]
        subprocess.run([*openssl, "-keyout", key, "-out", certificate], check=True, capture_output=True)
        site = render([f"127.0.0.1:{port}" for port in self.nodes.values()], [f"127.0.0.1:{self.proxy_port}"],
                      "localhost", certificate, key, str(home / "cache"), str(home))  # fmt: skip
        (home / "site.conf").write_text(site, encoding="utf-8")
        temporary = " ".join(f"{kind}_temp_path {home / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                                "uwsgi", "scgi"))  # fmt: skip
        # As root (CI), nginx's workers would run as nobody, who cannot enter pytest's private folders.
        user = "user root;" if os.geteuid() == 0 else ""
        (home / "nginx.conf").write_text(
            f"{user} daemon off; pid {home / 'nginx.pid'}; error_log {home / 'error.log'}; worker_processes 1;\n"
            f"events {{ worker_connections 1024; }}\n"
            f"http {{ include /etc/nginx/mime.types; {temporary} include {home / 'site.conf'}; }}\n",
            encoding="utf-8",
        )
        self._spawn("nginx", [nginx, "-p", str(home), "-c", str(home / "nginx.conf")], dict(os.environ),
                    self.proxy_port)  # fmt: skip

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=30)

    def request(self, where: str, method: str, path: str, body: str | bytes | None = None, headers: dict | None = None):
        """``where`` is "a", "b" (a node, as nginx would call it) or "nginx" (over TLS, as a browser would)."""
        if where == "nginx":
            connection = http.client.HTTPSConnection("127.0.0.1", self.proxy_port, timeout=30,
                                                     context=ssl._create_unverified_context())  # fmt: skip
            headers = {"Host": f"localhost:{self.proxy_port}", **(headers or {})}
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.nodes[where], timeout=30)
            headers = {"Host": "localhost", "X-Forwarded-Proto": "https", **(headers or {})}
        if isinstance(body, str):
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response, data.decode("utf-8", "replace")

    def node_log(self, name: str) -> list[dict]:
        lines = (self.folder / f"node-{name}.log").read_text(errors="replace").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, postgres_url, memcached):
    admin = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    name = f"deploy_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    running = Cluster(tmp_path_factory.mktemp("deploy"), postgres_url.rsplit("/", 1)[0] + f"/{name}", memcached)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def test_a_short_link_made_on_node_a_opens_on_node_b(cluster):
    made, _ = cluster.request("a", "POST", "/l", "url=/sok%3Fq%3Dmusik", {"X-Forwarded-For": "198.51.100.1"})
    assert made.status == 303
    code = made.getheader("Location").split("/l/")[1].split("#")[0]
    followed, _ = cluster.request("b", "GET", f"/l/{code}")
    assert followed.status == 302 and followed.getheader("Location") == f"/sok?q=musik&kort={code}"
    page, text = cluster.request("b", "GET", f"/sok?q=musik&kort={code}")
    assert page.status == 200 and f"{cluster.public_url}/l/{code}" in text  # the public address, not the node's


def test_a_rate_limit_holds_across_both_nodes_behind_nginx(cluster):
    statuses = [cluster.request("nginx", "POST", "/rapportera-fel", "sida=/sok&meddelande=Fel+telefonnummer.")[0].status
                for _ in range(11)]  # fmt: skip
    assert statuses == [303] * 10 + [429]
    served_by = {name for name in cluster.nodes for entry in cluster.node_log(name)
                 if entry["method"] == "POST" and entry["route"] == "/rapportera-fel"}  # fmt: skip
    assert served_by == {"a", "b"}  # nginx sent the posts to both, and they counted together
    assert cluster.request("a", "POST", "/rapportera-fel", "sida=/sok&meddelande=Fel+telefonnummer.",
                           {"X-Forwarded-For": "127.0.0.1"})[0].status == 429  # fmt: skip


def test_publishing_new_content_reaches_both_nodes(cluster):
    for node in cluster.nodes:
        assert "Verkstaden vid vattnet" not in cluster.request(node, "GET", "/sok?q=b%C3%A5tbygge")[1]
    for node in cluster.nodes:  # what deploy/publish.sh does on each node after `git pull`
        (cluster.folder / f"content-{node}" / "providers" / "verkstaden-vid-vattnet.md").write_text(NEW_PROVIDER)
        cluster.flask(node, "catalogue", "index")
    for node in cluster.nodes:
        response, text = cluster.request(node, "GET", "/sok?q=b%C3%A5tbygge")
        assert response.status == 200 and "Verkstaden vid vattnet" in text, node
    etags = {cluster.request(node, "GET", "/sok?q=b%C3%A5tbygge")[0].getheader("ETag") for node in cluster.nodes}
    assert len(etags) == 1  # the same content gives the same ETag on every node: shared caches revalidate


def test_nginx_serves_over_tls_with_force_https_and_one_copy_of_each_security_header(cluster):
    response, text = cluster.request("nginx", "GET", "/sok?q=kaf%C3%A9")
    assert response.status == 200 and "Hitta sysselsättning" in text  # no redirect loop behind TLS
    headers = [name.lower() for name, _ in response.getheaders()]
    for name in ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy",
                 "strict-transport-security"):  # fmt: skip
        assert headers.count(name) == 1, name


def test_nginx_caches_briefly_and_revalidates(cluster):
    path = "/sok?q=snickeri&stadsdel=farsta"  # a canonical address: others redirect to theirs
    first = cluster.request("nginx", "GET", path)[0]
    again = cluster.request("nginx", "GET", path)[0]
    assert (first.getheader("X-Cache-Status"), again.getheader("X-Cache-Status")) == ("MISS", "HIT")
    static = cluster.request("nginx", "GET", "/")[1].split('href="/static/', 1)[1].split('"', 1)[0]
    response = cluster.request("nginx", "GET", f"/static/{static}")[0]
    assert response.status == 200 and "immutable" in response.getheader("Cache-Control")


@pytest.mark.parametrize("kind", ["too large", "malformed", "plain http"])
def test_nginx_own_errors_carry_the_security_headers(cluster, kind):
    if kind == "too large":
        response = cluster.request("nginx", "POST", "/l", "url=" + "x" * 100_000)[0]
        assert response.status == 413
    else:
        with socket.create_connection(("127.0.0.1", cluster.proxy_port)) as raw:
            if kind == "malformed":
                wrapped = ssl._create_unverified_context().wrap_socket(raw, server_hostname="localhost")
                wrapped.sendall(b"GET /\x00 HTTP/1.1\r\nHost: localhost\r\n\r\n")
                reply = wrapped.recv(65536).decode("latin-1")
                wrapped.close()
            else:
                raw.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
                reply = raw.recv(65536).decode("latin-1")
        assert reply.startswith("HTTP/1.1 400"), reply[:200]
        assert "Content-Security-Policy:" in reply and "X-Frame-Options: DENY" in reply
        return
    assert response.getheader("Content-Security-Policy") and response.getheader("X-Frame-Options") == "DENY"


def test_slow_clients_do_not_shut_out_other_visitors(cluster):
    """150 connections that never finish their headers (120 shut out waitress for 70 s): nginx holds them."""
    with contextlib.ExitStack() as stack:
        for _ in range(150):
            slow = stack.enter_context(socket.create_connection(("127.0.0.1", cluster.proxy_port)))
            slow.sendall(b"\x16\x03\x01")  # the first bytes of a TLS hello, then nothing
        started = time.perf_counter()
        response = cluster.request("nginx", "GET", "/sok?q=kaf%C3%A9&stadsdel=farsta")[0]
        assert response.status == 200 and time.perf_counter() - started < 5


def test_the_nginx_log_keeps_no_address_and_no_query(cluster):
    cluster.request("nginx", "GET", "/sok?q=hemlig%20s%C3%B6kning")
    cluster.request("nginx", "POST", "/l", "url=" + "x" * 100_000)  # an error nginx would log with the client
    log = (cluster.folder / "nginx" / "catalogue-access.log").read_text()
    assert '"GET /sok"' in log and "hemlig" not in log and "127.0.0.1" not in log
    errors = (cluster.folder / "nginx" / "catalogue-error.log").read_text()
    assert "127.0.0.1" not in errors and "hemlig" not in errors


def test_the_desk_is_served_by_the_first_node_and_signs_in_through_nginx(cluster):
    """Behind nginx over TLS: the desk's CSRF check sees its own referrer, and every desk request
    reaches node a, whose content checkout editors write to; public pages keep no-referrer."""
    cluster.flask("a", "catalogue", "editor", "add", "anna", "--password", "ett långt och hemligt lösenord")
    page, text = cluster.request("nginx", "GET", "/redaktion/logga-in")
    assert page.getheader("Referrer-Policy") == "same-origin" and page.getheader("Cache-Control") == "no-store"
    cookie = page.getheader("Set-Cookie").split(";")[0]
    token = text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    body = f"namn=anna&losenord=ett+l%C3%A5ngt+och+hemligt+l%C3%B6senord&csrf_token={token}"
    referrer = f"{cluster.public_url}/redaktion/logga-in"  # what Chromium sends under "same-origin"
    signed, _ = cluster.request("nginx", "POST", "/redaktion/logga-in", body, {"Cookie": cookie, "Referer": referrer})
    assert signed.status == 303 and signed.getheader("Location") == "/redaktion/", _
    queue, text = cluster.request("nginx", "GET", "/redaktion/", headers={"Cookie": signed.getheader("Set-Cookie")})
    assert queue.status == 200 and "Att hantera" in text
    assert not any(entry["route"].startswith("/redaktion") for entry in cluster.node_log("b"))
    assert cluster.request("nginx", "GET", "/")[0].getheader("Referrer-Policy") == "no-referrer"
