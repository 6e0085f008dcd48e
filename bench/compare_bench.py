"""Benchmark: our search page side by side with Datasette's faceted table page and a static file, in one run.

Numbers from different runs on a shared 2-core machine are not comparable, so every comparison here
is measured in the same run, on the same synthetic providers (``search_bench.synthetic_provider``),
with measurement rounds interleaved between the servers (ours, Datasette, static file, ours, ...)
so that a noisy neighbour slows all of them alike. For each size it measures:

- our search page (two-word query + district + hours, every facet count, rendered HTML) under
  waitress: every request a different address (nothing a page cache could serve), and one address
  requested again and again (what an in-process page cache would serve);
- the bytes on the wire of that page when the client accepts gzip and br, and uncompressed;
- Datasette's ordinary table page over SQLite FTS5 with the same query, the same two filters and
  facets on the same eight fields (``_size=20``: the 20 rows our page shows);
- a file of our page's size, served by the same waitress from a minimal WSGI app (the floor of
  server + HTTP cost), and our stylesheet (about the same size) through our site's ``/static/`` route;
- a mixed load of 50 concurrent keep-alive clients (threads in this process, on the same 2 cores);
- the index build time (``search_bench.build_index``).

Ends with a Markdown table against the targets. Datasette runs from its own venv:

    python3 -m venv bench/.venv-datasette
    bench/.venv-datasette/bin/pip install -r bench/requirements-datasette.txt
    .venv/bin/python bench/compare_bench.py [--sizes 1000 10000] [--requests 300] [--seconds 20]
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import itertools
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from search_bench import (
    build_index,
    copy_thesaurus,
    free_port,
    search_urls,
    start_server,
    wait_until_serving,
    write_content,
)

BENCH = Path(__file__).resolve().parent
DATASETTE = BENCH / ".venv-datasette" / "bin" / "datasette"
ROUNDS = 10  # interleaved rounds per size; each round takes requests / ROUNDS from every series
WARM_UP = 20  # requests per server before timing: opening the index or database, compiling templates
CLIENTS = 50
STYLESHEET = "/static/style.css"
MIX = {"start": 1, "search": 5, "provider": 3, "css": 1}  # relative weights of the mixed load

# Our facets, as Datasette facets: single values with _facet, lists (JSON arrays) with _facet_array.
DATASETTE_FACETS = [
    ("_facet", "district"),
    ("_facet", "ips"),
    ("_facet", "operator"),
    ("_facet", "age_max"),
    ("_facet_array", "orientation"),
    ("_facet_array", "activities"),
    ("_facet_array", "hours"),
    ("_facet_array", "access"),
]


def static_bytes_app():
    """``waitress --call`` factory: every request answered with the bytes of BENCH_STATIC_FILE.

    The floor for our page: the same server and HTTP work, no application.
    """
    body = Path(os.environ["BENCH_STATIC_FILE"]).read_bytes()
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]

    def app(environ, start_response):
        start_response("200 OK", headers)
        return [body]

    return app


def percentile(values: list[float], fraction: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


@dataclass
class Series:
    """Timings (ms) of one kind of request, gathered over the interleaved rounds."""

    label: str
    timings: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.timings)

    @property
    def p95(self) -> float:
        return percentile(self.timings, 0.95)


class Client:
    """One keep-alive HTTP connection, as a browser holds one: connection set-up is not what we compare."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str, headers: dict | None = None) -> tuple[http.client.HTTPResponse, bytes, float]:
        """The response, its body as received (still compressed, if it was) and the round trip in ms."""
        started = time.perf_counter()
        try:
            self.connection.request("GET", path, headers=headers or {})
            response = self.connection.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()  # the next request opens a new connection
            raise
        return response, body, (time.perf_counter() - started) * 1000

    def fetch(self, path: str) -> tuple[bytes, float]:
        """The body and round trip (ms) of a page that must be there."""
        response, body, ms = self.get(path)
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        return body, ms

    def timed(self, path: str) -> float:
        return self.fetch(path)[1]


def read_providers(content: Path) -> list[dict]:
    """The providers as written to disk: front matter (JSON is valid YAML) plus body and slug."""
    providers = []
    for path in sorted((content / "providers").glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        providers.append({**json.loads(front), "slug": path.stem, "body": body})
    return providers


def write_datasette_db(providers: list[dict], database: Path) -> None:
    """The same providers as one SQLite table with an FTS5 index, laid out as ``sqlite-utils enable-fts``
    does (external content, ``content=[providers]``), which Datasette finds without metadata."""
    with sqlite3.connect(database) as db:
        db.execute(
            "CREATE TABLE providers (slug TEXT PRIMARY KEY, name TEXT, summary TEXT, body TEXT, status TEXT,"
            " district TEXT, orientation TEXT, activities TEXT, hours TEXT, ips INTEGER, access TEXT,"
            " operator TEXT, age_min INTEGER, age_max INTEGER)"
        )
        db.executemany(
            "INSERT INTO providers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (p["slug"], p["name"], p["summary"], p["body"], p["status"], p["district"],
                 json.dumps(p["orientation"]), json.dumps(p["activities"]), json.dumps(p["hours"]), int(p["ips"]),
                 json.dumps(p["access"]), p["operator"], p["age"]["min"], p["age"]["max"])
                for p in providers
            ],
        )  # fmt: skip
        db.execute("CREATE VIRTUAL TABLE providers_fts USING fts5(name, summary, body, content=[providers])")
        db.execute(
            "INSERT INTO providers_fts (rowid, name, summary, body) SELECT rowid, name, summary, body FROM providers"
        )


def datasette_path(our_path: str) -> str:
    """Datasette's table page for the same search as one of our search addresses."""
    ours = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(our_path).query))
    params = [
        ("_search", ours["q"]),
        ("district", ours["stadsdel"]),
        ("hours__arraycontains", ours["timmar"]),
        *DATASETTE_FACETS,
        ("_size", "20"),
    ]
    return "/providers/providers?" + urllib.parse.urlencode(params)


@contextmanager
def serving(command: list[str], ready_path: str, port: int, cwd: Path, env: dict | None = None) -> Iterator[int]:
    """A server process for the length of a with block; its pid is yielded for CPU accounting."""
    server = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_serving(server, f"http://127.0.0.1:{port}{ready_path}")
        yield server.pid
    finally:
        server.terminate()
        server.wait()


@contextmanager
def our_site(content: Path, index: Path) -> Iterator[tuple[int, int]]:
    """``search_bench.start_server`` for the length of a with block: its port and pid."""
    port = free_port()
    server = start_server(content, index, port)
    try:
        yield port, server.pid
    finally:
        server.terminate()
        server.wait()


def static_file_server(page_file: Path, stack: ExitStack) -> int:
    """``static_bytes_app`` under the same waitress settings as our site, until ``stack`` closes."""
    port = free_port()
    command = [sys.executable, "-m", "waitress", "--host=127.0.0.1", f"--port={port}", "--threads=4"]
    env = dict(os.environ, BENCH_STATIC_FILE=str(page_file))
    stack.enter_context(serving([*command, "--call", "compare_bench:static_bytes_app"], "/", port, BENCH, env))
    return port


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (fields 14 and 15 of its stat line)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def page_sizes(client: Client, paths: list[str]) -> dict:
    """Median bytes on the wire with and without ``Accept-Encoding: gzip, br``, and gzip -6 of the
    uncompressed page: a reference that tells a weak compression setting from a page that is simply large."""
    wire, plain, gzipped, encodings = [], [], [], set()
    for path in paths:
        response, body, _ = client.get(path, {"Accept-Encoding": "gzip, br"})
        wire.append(int(response.getheader("Content-Length") or len(body)))
        encodings.add(response.getheader("Content-Encoding") or "none")
        response, body, _ = client.get(path)
        plain.append(len(body))
        gzipped.append(len(gzip.compress(body, 6)))
    return {
        "wire": statistics.median(wire),
        "plain": statistics.median(plain),
        "encoding": ", ".join(sorted(encodings)),
        "gzip_reference": statistics.median(gzipped),
    }


def mixed_load(port: int, server_pid: int, pools: dict[str, list[str]], seconds: float) -> dict:
    """CLIENTS threads, each with its own keep-alive connection, requesting a weighted mix of pages for
    ``seconds``. Search addresses are taken in turn from a pool of distinct ones (no page served twice
    unless the pool runs out). Errors are exceptions and statuses of 400 and above."""
    searches = itertools.cycle(pools["search"])
    lock = threading.Lock()
    timings: list[float] = []
    errors: list[str] = []
    searched = 0
    deadline = time.perf_counter() + seconds

    def client(number: int) -> None:
        nonlocal searched
        rng, connection = random.Random(number), Client(port)
        mine, failed = [], []
        while time.perf_counter() < deadline:
            kind = rng.choices(list(MIX), list(MIX.values()))[0]
            if kind == "search":
                with lock:
                    path, searched = next(searches), searched + 1
            else:
                path = rng.choice(pools[kind])
            try:
                response, _, ms = connection.get(path)
                mine.append(ms)
                if response.status >= 400:
                    failed.append(f"{path}: HTTP {response.status}")
            except (http.client.HTTPException, OSError) as error:
                failed.append(f"{path}: {error!r}")
        with lock:
            timings.extend(mine)
            errors.extend(failed)

    threads = [threading.Thread(target=client, args=(number,)) for number in range(CLIENTS)]
    server_cpu, client_cpu, started = cpu_seconds(server_pid), time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "requests": len(timings),
        "rps": len(timings) / elapsed,
        "p50": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "server_cpu": (cpu_seconds(server_pid) - server_cpu) / elapsed,
        "client_cpu": (time.process_time() - client_cpu) / elapsed,
        "searches_repeated": max(0, searched - len(pools["search"])),
    }


def measure(size: int, requests: int, seconds: float) -> dict:
    """Everything for one size; the servers run side by side and the rounds alternate between them."""
    per_round = max(1, requests // ROUNDS)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="compare-bench-") as folder, ExitStack() as stack:
        tmp = Path(folder)
        content, index, page_file = tmp / "content", tmp / "index", tmp / "page.html"
        write_content(content, size)
        copy_thesaurus(content)
        build = build_index(content, index)
        providers = read_providers(content)
        write_datasette_db(providers, tmp / "providers.db")

        port, our_pid = stack.enter_context(our_site(content, index))
        ours = Client(port)
        urls = [urllib.parse.urlsplit(url) for url in search_urls(port, WARM_UP + requests + 21 + 8000)]
        paths = iter(dict.fromkeys(f"{url.path}?{url.query}" for url in urls))  # distinct addresses only
        warm_up = list(itertools.islice(paths, WARM_UP))
        uncached = list(itertools.islice(paths, per_round * ROUNDS))
        sized, same, pool = list(itertools.islice(paths, 20)), next(paths), list(paths)
        for path in warm_up:
            ours.timed(path)
        sizes = page_sizes(ours, sized)

        page_file.write_bytes(b"x" * int(sizes["plain"]))
        bare = Client(static_file_server(page_file, stack))
        datasette_port = free_port()
        stack.enter_context(
            serving(
                [str(DATASETTE), "serve", "providers.db", "--host", "127.0.0.1", "--port", str(datasette_port)],
                "/-/versions.json",
                datasette_port,
                tmp,
            )
        )
        datasette = Client(datasette_port)
        pages_with_dropped_facets = 0

        def datasette_page(i: int) -> float:
            """Datasette drops a facet that takes longer than facet_time_limit_ms (200 ms by default) and
            says so on the page: count those pages, since a dropped facet is work not done."""
            nonlocal pages_with_dropped_facets
            body, ms = datasette.fetch(datasette_path(uncached[i]))
            pages_with_dropped_facets += b'class="facets-timed-out"' in body
            return ms

        for path in warm_up:
            datasette.timed(datasette_path(path))
            bare.timed("/")
        css_bytes = len(ours.fetch(STYLESHEET)[0])
        ours.timed(same)  # the one warm-up of the address requested again and again

        series: dict[str, Series] = {
            "uncached": Series("our search page, a different address each time"),
            "same": Series("our search page, the same address again"),
            "datasette": Series("Datasette table page, a different address each time"),
            "static": Series("same-size file, minimal WSGI app under waitress"),
            "css": Series(f"our stylesheet ({css_bytes:,} bytes), our site's /static/ route"),
        }
        requests_of: dict[str, Callable[[int], float]] = {
            "uncached": lambda i: ours.timed(uncached[i]),
            "same": lambda i: ours.timed(same),
            "datasette": datasette_page,
            "static": lambda i: bare.timed("/"),
            "css": lambda i: ours.timed(STYLESHEET),
        }
        for round_number in range(ROUNDS):
            for key, request in requests_of.items():
                for i in range(round_number * per_round, (round_number + 1) * per_round):
                    series[key].timings.append(request(i))

        datasette_bytes = len(datasette.fetch(datasette_path(uncached[0]))[0])
        active = [f"/verksamhet/{p['slug']}" for p in providers if p["status"] == "active"]
        pools = {"start": ["/"], "search": pool, "provider": active, "css": [STYLESHEET]}
        mixed = mixed_load(port, our_pid, pools, seconds)
    return {
        "size": size,
        "load": (load_before, os.getloadavg()[0]),
        "build_s": build["seconds"],
        "series": series,
        "sizes": sizes,
        "datasette_bytes": datasette_bytes,
        "dropped_facets": pages_with_dropped_facets,
        "mixed": mixed,
    }


UNCACHED_P95_TARGET = {1000: 10.0, 10000: 40.0}


def report(row: dict) -> None:
    """The measurements of one size, as they were taken."""
    s, sizes, mixed = row["series"], row["sizes"], row["mixed"]
    print(f"\n### {row['size']:,} providers\n")
    print(
        f"index build: {row['build_s']:.1f} s. Load average (1 min) before and after this size: "
        f"{row['load'][0]:.1f}, {row['load'][1]:.1f} (the benchmark itself keeps about one core busy; "
        "more means other work competed).\n"
    )
    print("| series | requests | p50 (ms) | p95 (ms) |\n|---|---:|---:|---:|")
    for series in s.values():
        print(f"| {series.label} | {len(series.timings)} | {series.p50:.2f} | {series.p95:.2f} |")
    print(
        f"\nDatasette / ours (uncached): {s['datasette'].p50 / s['uncached'].p50:.1f}x at p50, "
        f"{s['datasette'].p95 / s['uncached'].p95:.1f}x at p95. "
        f"Ours / static file (minimal WSGI): {s['uncached'].p50 / s['static'].p50:.1f}x at p50, "
        f"{s['uncached'].p95 / s['static'].p95:.1f}x at p95; "
        f"ours / our stylesheet from /static/: {s['uncached'].p50 / s['css'].p50:.1f}x at p50."
    )
    print(
        f"Search page: {sizes['plain']:,.0f} bytes uncompressed, {sizes['wire']:,.0f} bytes on the wire with "
        f"Accept-Encoding: gzip, br (Content-Encoding: {sizes['encoding']}; gzip -6 of the same page would be "
        f"{sizes['gzip_reference']:,.0f} bytes). Datasette's page: {row['datasette_bytes']:,} bytes uncompressed. "
        f"Datasette pages with a facet dropped for taking over 200 ms: {row['dropped_facets']} of "
        f"{len(s['datasette'].timings)}."
    )
    print(
        f"Mixed load, {CLIENTS} keep-alive clients (weights {MIX}): {mixed['requests']:,} requests, "
        f"{mixed['rps']:.0f} requests/s, p50 {mixed['p50']:.1f} ms, p95 {mixed['p95']:.1f} ms, "
        f"{mixed['errors']} errors{' (first: ' + mixed['first_error'] + ')' if mixed['errors'] else ''}, "
        f"{mixed['searches_repeated']} search addresses served a second time (pool exhausted); "
        f"server used {mixed['server_cpu']:.0%} of a core, the client (this process, same 2 cores) "
        f"{mixed['client_cpu']:.0%}."
    )


def targets(rows: list[dict]) -> None:
    """The Markdown table against the targets; ratios are within one size and one run."""
    print("\n| target | goal | providers | measured | met |\n|---|---|---:|---|---|")

    def line(target: str, goal: str, size: int | str, measured: str, met: bool | None) -> None:
        verdict = "not measured" if met is None else ("met" if met else "not met")
        print(f"| {target} | {goal} | {size if isinstance(size, str) else f'{size:,}'} | {measured} | {verdict} |")

    for row in rows:
        s, size, mixed = row["series"], row["size"], row["mixed"]
        goal = UNCACHED_P95_TARGET.get(size)
        line(
            "uncached search page p95",
            f"≤ {goal:.0f} ms" if goal else "(no target at this size)",
            size,
            f"{s['uncached'].p95:.1f} ms",
            s["uncached"].p95 <= goal if goal else None,
        )
        line(
            "same address again (median)",
            "≤ 2 ms",
            size,
            f"{s['same'].p50:.1f} ms (p95 {s['same'].p95:.1f})",
            s["same"].p50 <= 2,
        )
        faster = s["datasette"].p50 / s["uncached"].p50
        line("against Datasette's page (medians)", "≥ 3× faster", size, f"{faster:.1f}× faster", faster >= 3)
        slower = s["uncached"].p50 / s["static"].p50
        line("against the static file (medians)", "≤ 5×", size, f"{slower:.1f}×", slower <= 5)
        line(
            f"mixed load at {CLIENTS} clients",
            "≥ 400 requests/s with 0 errors",
            size,
            f"{mixed['rps']:.0f} requests/s, {mixed['errors']} errors",
            mixed["rps"] >= 400 and mixed["errors"] == 0,
        )
        wire = row["sizes"]["wire"]
        line("search page compressed", "≤ 6 kB", size, f"{wire / 1000:.1f} kB", wire <= 6000)
    build = next((row["build_s"] for row in rows if row["size"] == 10000), None)
    line(
        "index build, 10 000 providers",
        "≤ 30 s",
        "10,000",
        f"{build:.1f} s" if build is not None else "—",
        None if build is None else build <= 30,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--requests", type=int, default=300, help="timed requests per series and size")
    parser.add_argument("--seconds", type=float, default=20, help="length of the mixed load")
    args = parser.parse_args()
    if not DATASETTE.exists():
        sys.exit(
            f"{DATASETTE} is missing; create it with\n"
            "    python3 -m venv bench/.venv-datasette\n"
            "    bench/.venv-datasette/bin/pip install -r bench/requirements-datasette.txt"
        )
    datasette_version = subprocess.run([DATASETTE, "--version"], capture_output=True, text=True).stdout.strip()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {datasette_version}, "
        f"{time.strftime('%Y-%m-%d %H:%M')}. Servers and client share the cores; rounds interleaved "
        f"({ROUNDS} rounds per size), one keep-alive connection per server for the single-client series."
    )
    rows = []
    for size in args.sizes:
        rows.append(measure(size, args.requests, args.seconds))
        report(rows[-1])
    targets(rows)


if __name__ == "__main__":
    main()
