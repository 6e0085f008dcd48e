"""Memory per gunicorn worker (`make bench-memory`): the real content/ and synthetic catalogues.

Why: a node's size is set by its workers' memory. Each worker holds its own index snapshot, its page
cache and whatever its searches loaded; the spelling data in particular once cost 30-95 MB per
language in every worker. This starts the production set-up (gunicorn with deploy/gunicorn.conf.py)
on each catalogue, warms every worker up in all five languages (misspelt searches, which load the
word tables; correct searches with filters; the start page, a provider page, the guide and the API),
and then reads each worker's memory from /proc:

- RSS: every page the worker has in memory, shared or not (what `ps` and most dashboards show);
- PSS: shared pages divided among the processes that share them (what the workers add up to);
- USS: the worker's private pages (what stopping it would free).

Then ``--distinct`` different searches fill the workers' page caches as a day of varied searches
would, and RSS is read again.

Index, database and synthetic content live in a temporary folder. Prints a Markdown table.

    .venv/bin/python bench/memory.py [--sizes 1000 10000] [--workers 3] [--rounds 12]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from load import WORDS, canonical, server_env, start_gunicorn, stop_gunicorn
from search_bench import QUERY_WORDS, copy_thesaurus, free_port, wait_until_serving, write_content

from catalogue.facts import vocabulary as v

ROOT = Path(__file__).resolve().parent.parent
LIMIT_MB = 150  # issue 23: a worker after the five-language warm-up, at 1 000 providers
# Misspelt words in each language: each round searches one pair, so every worker corrects them.
MISSPELT = {
    "": ["promenra kaffe", "trädgrd snikeri", "mlaning textill", "arbetstäning kafee", "musk målnig"],
    "/en": ["cofee walkng", "gardning carpentyr", "paintng cookin", "wrok trainig", "musc textil"],
    "/fi": ["kahvla kävelyy", "puutarah puutyö", "maalamista ruokaa", "työharjotelu kahvila", "musikki tekstiili"],
    "/ar": ["مقهي مشيي", "حديقه نجاره", "رسمم طبخخ", "تدريبب عمل", "موسيقي نسيجج"],
    "/so": ["qaxwoo socodka", "beerta nijaarnimo", "sawirka karinta", "tababarka shaqoo", "muusiko dharka"],
}
PAGES = ["", "/sok?timmar=10-24", "/hitta-ratt", "/stadsdelar"]


def warm_up_addresses(provider: str, rounds: int) -> list[str]:
    """Every language's pages and misspelt searches, ``rounds`` times (the searches differ each round)."""
    addresses = []
    for round_number in range(rounds):
        for lang, misspellings in MISSPELT.items():
            words = misspellings[round_number % len(misspellings)]
            if round_number >= len(misspellings):
                words += f" {round_number}"  # a new address, so a worker's page cache cannot answer it
            addresses.append(f"{lang}/sok?" + urllib.parse.urlencode({"q": words}))
            addresses += [f"{lang}{page}" if page.startswith("/") else lang or "/" for page in PAGES]
            addresses.append(f"{lang}/verksamhet/{provider}")
        addresses.append("/api/v1/sok?" + urllib.parse.urlencode({"q": MISSPELT[""][round_number % 5]}))
    return addresses


def distinct_searches(count: int, seed: int = 23) -> list[str]:
    """``count`` different canonical search addresses: the page cache keeps each, as it would for
    many people searching differently over a day (it is bounded by CATALOGUE_PAGE_CACHE_MB)."""
    rng = random.Random(seed)
    words = WORDS + QUERY_WORDS[:200]
    districts = [None, *(d for d in v.DISTRICTS if d != "hela-staden")]
    found: set[str] = set()
    while len(found) < count:
        params = [("q", rng.choice(words))]
        if district := rng.choice(districts):
            params.append(("stadsdel", district))
        if hours := rng.choice([None, *v.HOURS]):
            params.append(("timmar", hours))
        found.add(canonical(params))
    return sorted(found)


def fetch(port: int, address: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", address, headers={"Host": "localhost", "Accept-Encoding": "br, gzip"})
    status = connection.getresponse().status
    connection.close()
    return status


def workers_of(master: int) -> list[int]:
    """The gunicorn master's child processes."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def memory_mb(pid: int) -> dict[str, float]:
    """RSS, PSS and USS (private clean + private dirty) of one process, from smaps_rollup."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_unit = line.split()
        fields[name.rstrip(":")] = int(value) / 1024
    return {"rss": fields["Rss"], "pss": fields["Pss"], "uss": fields["Private_Clean"] + fields["Private_Dirty"]}


@contextlib.contextmanager
def gunicorn(content: Path, tmp: Path, workers: int) -> Iterator[tuple[int, int]]:
    port = free_port()
    env = server_env(tmp, port, workers) | {"CATALOGUE_CONTENT_DIR": str(content)}
    server = start_gunicorn(env, subprocess.DEVNULL)
    try:
        wait_until_serving(server, f"http://127.0.0.1:{port}/healthz")
        while len(workers_of(server.pid)) < workers:
            time.sleep(0.2)
        yield port, server.pid
    finally:
        stop_gunicorn(server)


def fetch_all(port: int, addresses: list[str], clients: int) -> None:
    with ThreadPoolExecutor(clients) as pool:  # as many clients as workers, so each gets its share
        statuses = list(pool.map(lambda address: fetch(port, address), addresses))
    failed = [address for address, status in zip(addresses, statuses, strict=True) if status >= 400]
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(addresses)} requests failed, such as {failed[0]}")


def measure(label: str, content: Path, tmp: Path, workers: int, rounds: int, distinct: int) -> dict:
    provider = sorted((content / "providers").glob("*.md"))[0].stem
    tmp.mkdir(parents=True)
    with gunicorn(content, tmp, workers) as (port, master):
        started = {pid: memory_mb(pid) for pid in workers_of(master)}
        addresses = warm_up_addresses(provider, rounds)
        fetch_all(port, addresses, workers)
        warm = {pid: memory_mb(pid) for pid in workers_of(master)}
        fetch_all(port, distinct_searches(distinct), workers)
        filled = {pid: memory_mb(pid) for pid in workers_of(master)}
        return {
            "label": label,
            "requests": len(addresses),
            "master": memory_mb(master),
            "started": started,
            "warm": warm,
            "filled": filled,
        }


def report(rows: list[dict], workers: int, distinct: int) -> None:
    print(f"\n{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')}; gunicorn, {workers} workers\n")  # fmt: skip
    print("| providers | warm-up requests | master RSS | worker RSS at start | worker RSS warm (max) | "
          f"worker PSS warm (max) | worker USS warm (max) | all processes PSS | worker RSS after {distinct:,} "
          "more searches (max) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        warm = row["warm"].values()
        total_pss = row["master"]["pss"] + sum(m["pss"] for m in warm)
        print(
            f"| {row['label']} | {row['requests']} | {row['master']['rss']:.0f} | "
            f"{max(m['rss'] for m in row['started'].values()):.0f} | {max(m['rss'] for m in warm):.0f} | "
            f"{max(m['pss'] for m in warm):.0f} | {max(m['uss'] for m in warm):.0f} | {total_pss:.0f} | "
            f"{max(m['rss'] for m in row['filled'].values()):.0f} |"
        )
    print("\n(MB. RSS counts shared pages in every process; PSS divides them among the sharers.)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000], help="synthetic catalogues")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (production: cores + 1)")
    parser.add_argument("--rounds", type=int, default=12, help="times the five-language warm-up is sent")
    parser.add_argument("--distinct", type=int, default=2000, help="different searches sent after the warm-up")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        real = ROOT / "content"
        rows.append(measure(f"{len(list((real / 'providers').glob('*.md')))} (content/)", real, tmp / "real",
                            args.workers, args.rounds, args.distinct))  # fmt: skip
        for size in args.sizes:
            content = tmp / f"content-{size}"
            write_content(content, size)
            copy_thesaurus(content)
            rows.append(
                measure(f"{size:,} (synthetic)", content, tmp / str(size), args.workers, args.rounds, args.distinct)
            )
    report(rows, args.workers, args.distinct)
    one_thousand = next((row for row in rows if row["label"].startswith("1,000 ")), None)
    if one_thousand:
        worst = max(m["rss"] for m in one_thousand["warm"].values())
        print(f"\nWorker RSS at 1,000 providers after the warm-up: {worst:.0f} MB (limit {LIMIT_MB} MB)")
        return 0 if worst <= LIMIT_MB else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
