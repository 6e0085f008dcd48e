"""Benchmark: the open-data answers at 10,000 synthetic providers, in process, with the page cache off.

Issue 14 asks for the time to produce the full export, and an HSDS /services page of 50 services in
at most 50 ms. Every answer is asked for ``--repeats`` times, alternating between them, and the
median is reported (these machines are noisy); each request has its own address, so nothing is
answered from a cache.

    .venv/bin/python bench/open_data_bench.py [--providers 10000] [--repeats 15]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import search_bench  # noqa: E402

from catalogue import create_app  # noqa: E402
from catalogue.index import builder  # noqa: E402

ANSWERS = {
    "catalogue.csv": "/oppna-data/katalog.csv?n={n}",
    "catalogue.ndjson": "/oppna-data/katalog.ndjson?n={n}",
    "search.csv (one district)": "/sok.csv?stadsdel=farsta&n={n}",
    "hsds /services, 50 on a page": "/api/hsds/services?per_page=50&page={page}",
    "hsds /services/{id}": "/api/hsds/services/{service}",
    "feed.atom": "/feed.atom?n={n}",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=15)
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="open-data-bench-"))
    search_bench.write_content(work / "content", arguments.providers)
    search_bench.copy_thesaurus(work / "content")
    started = time.perf_counter()
    builder.rebuild(work / "content", work / "index")
    built = time.perf_counter() - started
    app = create_app(
        {"CONTENT_DIR": work / "content", "INDEX_DIR": work / "index", "SQLALCHEMY_DATABASE_URI": "sqlite://",
         "PAGE_CACHE_BYTES": 0}
    )  # fmt: skip
    client = app.test_client()
    services = client.get("/api/hsds/services?per_page=50").get_json()["contents"]
    pages = max(1, arguments.providers // 50)
    timings: dict[str, list[float]] = {name: [] for name in ANSWERS}
    sizes: dict[str, int] = {}
    for n in range(arguments.repeats):
        for name, address in ANSWERS.items():
            path = address.format(n=n, page=1 + (n * 37) % pages, service=services[n % len(services)]["id"])
            started = time.perf_counter()
            response = client.get(path, headers={"Accept-Encoding": "identity"})
            body = response.get_data()
            timings[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            sizes[name] = len(body)
    print(
        json.dumps(
            {
                "providers": arguments.providers,
                "repeats": arguments.repeats,
                "python": platform.python_version(),
                "index_build_s": round(built, 1),
                "median_ms": {name: round(statistics.median(values), 1) for name, values in timings.items()},
                "max_ms": {name: round(max(values), 1) for name, values in timings.items()},
                "bytes": sizes,
            },
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
