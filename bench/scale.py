"""Benchmark (issue 28): how the catalogue's costs grow at 1 000, 10 000 and 50 000 synthetic offerings.

For each size, synthetic provider files are written to a temporary folder (never under content/) and
two child processes measure them, so that each one's memory is its own:

- **the editor's side** (``--build``): reading and checking every file (in one process, as the site
  does with two processes from 1 000 files, and again from the parse cache); a full build; publishing
  one change (one file edited, the rebuild sharing the unchanged shards, and the snapshot of the new
  version in a process that was serving the previous one, as after a desk's accept);
- **the visitor's side** (``--serve``): the site started on that index with a public address (so it
  makes the open-data files), searches never asked before (uncached) and asked again (cached), in
  the engine alone and as the rendered search page over the Flask test client (no network), p50
  and p95; the HSDS page, the exports, the feed and the sitemap; and the process's peak memory.

    .venv/bin/python bench/scale.py [--sizes 1000 10000 50000] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import search_bench  # noqa: E402

PUBLIC_URL = "https://hittasysselsattning.example.se"


def _seconds(work: Any) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _milliseconds(samples: list[float]) -> str:
    """p50 / p95 in milliseconds."""
    ordered = sorted(samples)
    return f"{statistics.median(ordered) * 1000:.1f} / {ordered[int(0.95 * (len(ordered) - 1))] * 1000:.1f}"


def _peak_memory_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def editor_side(work: Path) -> dict[str, Any]:
    from catalogue.index import builder, content, parallel, parse_cache
    from catalogue.search import engine

    folder, index_root = work / "content", work / "index"
    cache = index_root / parse_cache.FILE_NAME
    result: dict[str, Any] = {}
    parallel_from, parallel.PARALLEL_FROM = parallel.PARALLEL_FROM, 10**9
    result["load and check, one process (s)"] = round(_seconds(lambda: content.load_content(folder)), 2)
    parallel.PARALLEL_FROM = parallel_from
    result["load and check, as the site does (s)"] = round(_seconds(lambda: content.load_content(folder, cache)), 2)
    result["load and check, from the parse cache (s)"] = round(_seconds(lambda: content.load_content(folder, cache)), 2)
    loaded = content.load_content(folder, cache)
    assert not loaded.errors, loaded.errors[:3]
    result["full build (s)"] = round(_seconds(lambda: builder.build(loaded, index_root, full=True)), 2)
    snapshot = engine.Snapshot(builder.current_folder(index_root))  # the version serving before the change
    changed = sorted((folder / "providers").glob("*.md"))[len(loaded.providers) // 2]
    text = changed.read_text(encoding="utf-8")

    def publish_one_change() -> None:
        builder.rebuild(folder, index_root)
        engine.Snapshot(builder.current_folder(index_root))  # what the next page reads

    changed.write_text(text.replace('"summary": "', '"summary": "Ändrad. ', 1), encoding="utf-8")
    result["publish one change, to the public page (s)"] = round(_seconds(publish_one_change), 2)
    changed.write_text(text, encoding="utf-8")
    builder.rebuild(folder, index_root)
    del snapshot
    result["editor's process, peak memory (MB)"] = _peak_memory_mb()
    return result


def visitor_side(work: Path, size: int, queries: int) -> dict[str, Any]:
    from werkzeug.datastructures import MultiDict

    from catalogue import create_app
    from catalogue.opendata import files
    from catalogue.query import parse
    from catalogue.search import engine

    result: dict[str, Any] = {}
    started = time.perf_counter()
    app = create_app({"CONTENT_DIR": work / "content", "INDEX_DIR": work / "index", "PUBLIC_URL": PUBLIC_URL,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://", "PAGE_CACHE_BYTES": 0})  # fmt: skip
    result["start: snapshot and open-data files (s)"] = round(time.perf_counter() - started, 2)
    snapshot = app.extensions["catalogue_index"].snapshot()
    shutil.rmtree(snapshot.folder / files.FOLDER)
    result["make the open-data files (s)"] = round(_seconds(lambda: files.make(app)), 2)
    rng = random.Random(size)

    def asked() -> list[MultiDict[str, str]]:
        words = [" ".join(rng.sample(search_bench.QUERY_WORDS, 2)) for _ in range(queries)]
        return [MultiDict([("q", query), ("timmar", rng.choice(["1-12", "10-24"]))]) for query in words]

    searches = asked()
    uncached = [_seconds(lambda args=args: engine.run(snapshot, parse(args), "sv")) for args in searches]
    cached = [_seconds(lambda args=args: engine.run(snapshot, parse(args), "sv")) for args in searches]
    result["search, engine, uncached p50 / p95 (ms)"] = _milliseconds(uncached)
    result["search, engine, cached p50 / p95 (ms)"] = _milliseconds(cached)
    client = app.test_client()
    pages = [f"/sok?{urllib.parse.urlencode(list(args.items(multi=True)))}" for args in asked()]
    result["search page, uncached p50 / p95 (ms)"] = _milliseconds([_seconds(lambda page=page: client.get(page))
                                                                     for page in pages])  # fmt: skip
    for name, address in {
        "HSDS /services, 50 on a page (ms)": "/api/hsds/services?per_page=50&page=2",
        "catalogue.csv (ms)": "/oppna-data/katalog.csv",
        "catalogue.ndjson (ms)": "/oppna-data/katalog.ndjson",
        "feed.atom (ms)": "/feed.atom",
        "sitemap.xml (ms)": "/sitemap.xml",
    }.items():
        samples = []
        for _ in range(7):
            started = time.perf_counter()
            response = client.get(address, headers={"Accept-Encoding": "gzip"})
            response.get_data()
            response.close()
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, (address, response.status_code)
        result[name] = round(statistics.median(samples) * 1000, 1)
    result["visitor's process, peak memory (MB)"] = _peak_memory_mb()
    return result


def _child(arguments: list[str]) -> dict[str, Any]:
    output = subprocess.run([sys.executable, __file__, *arguments], check=True, stdout=subprocess.PIPE, text=True,
                            cwd=ROOT).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)  # the children, on a written catalogue
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.build:
        print(json.dumps(editor_side(arguments.build), ensure_ascii=False))
        return
    if arguments.serve:
        print(json.dumps(visitor_side(arguments.serve, arguments.size, arguments.queries), ensure_ascii=False))
        return
    rows = []
    for size in arguments.sizes:
        with tempfile.TemporaryDirectory() as temporary:
            work = Path(temporary)
            search_bench.write_content(work / "content", size)
            search_bench.copy_thesaurus(work / "content")
            row = {"offerings": f"{size:,}"} | _child(["--build", str(work)])
            row |= _child(["--serve", str(work), "--size", str(size), "--queries", str(arguments.queries)])
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
    command = f"bench/scale.py --sizes {' '.join(map(str, arguments.sizes))}"
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.node()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}; `{command}`\n")  # fmt: skip
    print("| | " + " | ".join(row["offerings"] for row in rows) + " |")
    print("|---|" + "---:|" * len(rows))
    for name in list(rows[0])[1:]:
        print(f"| {name} | " + " | ".join(str(row[name]) for row in rows) + " |")


if __name__ == "__main__":
    main()
