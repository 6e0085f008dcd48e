"""Bounded load test (`make load`): the site on the real content/ under gunicorn with deploy/gunicorn.conf.py.

Why: the benchmarks time one kind of page at a time under waitress; this shows how the production
server set-up holds up under a realistic mix, and whether anything breaks (5xx, dropped connections).
It always ends: start-up, ``--seconds`` of load, at most REQUEST_TIMEOUT for requests still in flight.

The index and the SQLite database live in a temporary folder, never in instance/. ``--clients``
threads each hold a keep-alive connection (gunicorn's sync workers close it after every response,
so in practice each request opens one, as it would through nginx to a sync worker) and send
``Host: localhost`` and ``Accept-Encoding: br, gzip``. Each request is drawn from this mix:

- 10 % start page; 45 % search pages: about 200 canonical /sok addresses (common words crossed
  with district, hours and IPS filters, and page 2 of the whole catalogue), weighted 1/rank (Zipf):
  a few searches are made by many people, most by few;
- 14 % provider pages (every file in content/providers/); 4 % /stadsdelar; 4 % /hitta-ratt;
- 10 % the versioned stylesheet, as linked from the start page;
- 10 % revalidations: ``If-None-Match`` with an ETag this run received for that address (a browser
  coming back), which the site answers 304 before any search;
- 3 % POST /l (make a short link to a search): 303, or 429 once the per-client write limit is used
  up. All our clients share one address, so 429 is expected; so are redirects, which are counted,
  never followed (a 302 means a search address here was not canonical).

Prints Markdown tables; exits 1 on any 5xx or connection error (timeouts included). ``--slow-clients K``
first opens K connections that send half a request header and then wait for the whole run: what a slow
phone does to a bare gunicorn with sync workers (the reason production puts nginx in front).

    .venv/bin/python bench/load.py [--clients 50] [--seconds 20] [--workers 2] [--slow-clients 0]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

from search_bench import free_port, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.datastructures import MultiDict  # noqa: E402

from catalogue import query  # noqa: E402
from catalogue.facts import vocabulary as v  # noqa: E402

MIX = {"start": 10, "search": 45, "provider": 14, "districts": 4, "guide": 4, "css": 10, "revalidate": 10, "post": 3}
WORDS = ["kafé", "jobb", "ips", "måla", "trädgård", "musik", "stöd", "praktik", "farsta", "söder", "snickeri", "data"]
WORDS += ["matlagning", "textil", "klubbhus", "arbetsträning", "second hand"]
HEADERS = {"Host": "localhost", "Accept-Encoding": "br, gzip"}
REQUEST_TIMEOUT = 10  # seconds; a request that waits longer counts as a connection error
VENV_BIN = ROOT / ".venv" / "bin"
CACHE_OUTCOMES = ("hit", "miss", "not-modified")
NOTES = ("WORKER TIMEOUT", "Booting worker", "Traceback")  # gunicorn's log lines worth counting


def canonical(params: list[tuple[str, str]]) -> str:
    """The address the site itself would print for these parameters (``query.parse`` + ``to_params``),
    so that the load measures search pages and not the 302 to them."""
    params = query.parse(MultiDict(params)).to_params()
    return "/sok" + ("?" + urllib.parse.urlencode(params) if params else "")


def search_addresses(rng: random.Random) -> list[str]:
    """About 200 distinct search addresses, most popular first (the caller weights them 1/rank)."""
    districts = [d for d in v.DISTRICTS if d != "hela-staden"]
    filters = [[], [("ips", "ja")], *([("timmar", h)] for h in v.HOURS)]
    filters += [[("stadsdel", d)] for d in rng.sample(districts, 5)]
    filters += [[("stadsdel", rng.choice(districts)), ("timmar", rng.choice(list(v.HOURS)))]]
    found = [canonical([]), canonical([("sida", "2")]), canonical([("sortera", "namn"), ("sida", "2")])]
    found += [canonical([("q", word), *chosen]) for word, chosen in itertools.product(WORDS, filters)]
    found += [canonical(chosen) for chosen in filters]
    found = list(dict.fromkeys(found))
    head, tail = found[:3], found[3:]
    rng.shuffle(tail)
    return head + tail


def server_env(tmp: Path, port: int, workers: int) -> dict:
    return dict(
        os.environ,
        CATALOGUE_CONTENT_DIR=str(ROOT / "content"),
        CATALOGUE_INDEX_DIR=str(tmp / "index"),
        DATABASE_URL=f"sqlite:///{tmp / 'catalogue.db'}",
        CATALOGUE_BIND=f"127.0.0.1:{port}",
        CATALOGUE_WORKERS=str(workers),
    )


def start_gunicorn(env: dict, stderr) -> subprocess.Popen:
    """Index and database first, so that the workers do not race to build them at start-up."""
    for command in (["catalogue", "index"], ["db", "upgrade"]):
        subprocess.run(
            [VENV_BIN / "flask", "--app", "wsgi", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    return subprocess.Popen(
        [VENV_BIN / "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        start_new_session=True,  # our own process group: Ctrl-C reaches us, and we stop it in order
    )


def stop_gunicorn(server: subprocess.Popen) -> None:
    """SIGQUIT is gunicorn's quick shutdown (SIGTERM would wait up to graceful_timeout for slow clients);
    then SIGKILL to whatever is left of its process group, such as workers of a master that was killed."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGQUIT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


def rss_mb(master: int) -> float:
    """VmRSS of the gunicorn master and its workers, summed."""
    pids = [master]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue  # a process that ended while we looked
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += int(re.search(r"^VmRSS:\s+(\d+)", status, re.MULTILINE).group(1))
    return total / 1024


def stylesheet(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    connection.request("GET", "/", headers={"Host": "localhost"})
    page = connection.getresponse().read().decode()
    connection.close()
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)


def open_slow_clients(port: int, count: int) -> list[socket.socket]:
    """Connections that start a request and never finish its header: each may hold a sync worker."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow\r\n")
        sockets.append(sock)
    return sockets


class Load:
    """The mixed load: ``clients`` threads until ``deadline``, results gathered under one lock."""

    def __init__(self, port: int, pools: dict[str, list[str]], deadline: float, stop: threading.Event):
        self.port, self.pools, self.deadline, self.stop = port, pools, deadline, stop
        self.search_weights = [1 / rank for rank in range(1, len(pools["search"]) + 1)]
        self.lock = threading.Lock()
        self.etags: dict[str, str] = {}
        self.timings: list[float] = []
        self.kinds: dict[str, list[float]] = {kind: [] for kind in MIX}
        self.statuses: Counter = Counter()
        self.errors: Counter = Counter()

    def request(self, rng: random.Random) -> tuple[str, str, str, dict, bytes | None]:
        kind = rng.choices(list(MIX), list(MIX.values()))[0]
        headers = dict(HEADERS)
        if kind == "revalidate" and self.etags:
            with self.lock:
                path = rng.choice(list(self.etags))
                headers["If-None-Match"] = self.etags[path]
            return kind, "GET", path, headers, None
        if kind == "post":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode({"url": rng.choice(self.pools["search"])}).encode()
            return kind, "POST", "/l", headers, body
        if kind == "search" or kind == "revalidate":  # nothing to revalidate yet: an ordinary search
            kind, path = "search", rng.choices(self.pools["search"], self.search_weights)[0]
        else:
            path = rng.choice(self.pools[kind])
        return kind, "GET", path, headers, None

    def client(self, number: int) -> None:
        rng = random.Random(number)
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        while time.monotonic() < self.deadline and not self.stop.is_set():
            kind, method, path, headers, body = self.request(rng)
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
            except (http.client.HTTPException, OSError) as error:
                connection.close()  # the next request opens a new connection
                with self.lock:
                    self.errors[type(error).__name__] += 1
                continue
            ms = (time.perf_counter() - started) * 1000
            etag = response.getheader("ETag")
            with self.lock:
                self.timings.append(ms)
                self.kinds[kind].append(ms)
                self.statuses[response.status] += 1
                if etag and method == "GET":
                    self.etags[path] = etag
        connection.close()

    def run(self, clients: int) -> float:
        """Seconds from the start of the first client to the end of the last."""
        threads = [threading.Thread(target=self.client, args=(n,), daemon=True) for n in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started


def sample_rss(master: int, stop: threading.Event, peak: list[float]) -> None:
    while not stop.wait(0.5):
        peak[0] = max(peak[0], rss_mb(master))


def server_log(path: Path, size: int) -> tuple[Counter, Counter]:
    """Page-cache outcomes of GET pages from the app's JSON lines, and gunicorn's own notable lines.

    Only the first ``size`` bytes: what the server wrote before we stopped it (a worker stopped in the
    middle of reading a slow client's request logs a traceback that says nothing about the run)."""
    outcomes, notes = Counter(), Counter()
    for line in path.read_bytes()[:size].decode(errors="replace").splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("method") == "GET" and entry.get("cache"):
                outcomes[entry["cache"]] += 1
        for note in NOTES:
            notes[note] += note in line
    return outcomes, notes


def percentile(values: list[float], fraction: float) -> str:
    """In whole ms; a dash when nothing was answered."""
    if not values:
        return "–"
    return f"{statistics.quantiles(values, n=100, method='inclusive')[round(fraction * 100) - 1]:.0f}"


def report(load: Load, seconds: float, args, rss: dict, outcomes: Counter, notes: Counter) -> None:
    total = len(load.timings)
    server_errors = sum(count for status, count in load.statuses.items() if status >= 500)
    pages = sum(outcomes.values()) or 1
    cache = " / ".join(f"{outcomes[k]:,} ({outcomes[k] / pages:.0%})" for k in CACHE_OUTCOMES)
    rows = [
        ("clients / workers / slow clients", f"{args.clients} / {args.workers} / {args.slow_clients}"),
        ("seconds", f"{seconds:.1f}"),
        ("requests answered", f"{total:,}"),
        ("requests/s", f"{total / seconds:.0f}"),
        ("p50 / p95 / p99 (ms)", " / ".join(percentile(load.timings, f) for f in (0.5, 0.95, 0.99))),
        ("statuses", ", ".join(f"{status}: {count:,}" for status, count in sorted(load.statuses.items()))),
        ("5xx", str(server_errors)),
        ("connection errors", ", ".join(f"{k}: {n}" for k, n in load.errors.items()) or "0"),
        ("page cache: hit / miss / not-modified", cache),
        ("server RSS before / peak / after (MB)", " / ".join(f"{rss[k]:.0f}" for k in ("before", "peak", "after"))),
        ("server log: worker timeouts / workers booted / tracebacks", " / ".join(str(notes[k]) for k in NOTES)),
    ]
    print("| measure | value |\n|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    print("\n| kind | requests | p50 (ms) | p95 (ms) |\n|---|---:|---:|---:|")
    for kind, timings in load.kinds.items():
        print(f"| {kind} | {len(timings):,} | {percentile(timings, 0.5)} | {percentile(timings, 0.95)} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2, help="CATALOGUE_WORKERS for gunicorn")
    parser.add_argument("--slow-clients", type=int, default=0, help="connections that never finish a request")
    args = parser.parse_args()
    rng = random.Random(1)
    stop = threading.Event()
    with tempfile.TemporaryDirectory(prefix="load-") as folder:
        tmp, port = Path(folder), free_port()
        log_path = tmp / "server.log"
        with log_path.open("wb") as log:
            server = start_gunicorn(server_env(tmp, port, args.workers), log)
        slow: list[socket.socket] = []
        try:
            wait_until_serving(server, f"http://127.0.0.1:{port}/healthz")
            pools = {
                "start": ["/"],
                "search": search_addresses(rng),
                "provider": [f"/verksamhet/{p.stem}" for p in sorted((ROOT / "content" / "providers").glob("*.md"))],
                "districts": ["/stadsdelar"],
                "guide": ["/hitta-ratt"],
                "css": [stylesheet(port)],
            }
            rss = {"before": rss_mb(server.pid)}
            slow = open_slow_clients(port, args.slow_clients)
            peak = [rss["before"]]
            sampler = threading.Thread(target=sample_rss, args=(server.pid, stop, peak), daemon=True)
            sampler.start()
            load = Load(port, pools, time.monotonic() + args.seconds, stop)
            seconds = load.run(args.clients)
            rss["after"] = rss_mb(server.pid)
            stop.set()
            sampler.join()
            rss["peak"] = max(peak[0], rss["after"])
            logged = log_path.stat().st_size
        finally:
            stop.set()
            for sock in slow:
                sock.close()
            stop_gunicorn(server)
        print(f"{len(pools['search'])} search addresses, {len(pools['provider'])} providers, {os.cpu_count()} cores\n")
        report(load, seconds, args, rss, *server_log(log_path, logged))
    failed = sum(n for status, n in load.statuses.items() if status >= 500) + sum(load.errors.values())
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the server is stopped and the temporary folder removed by then
        sys.exit(130)
