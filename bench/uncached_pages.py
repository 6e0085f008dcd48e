"""Uncached page requests over the real content, in one process: the median and p95 in ms.

For a side-by-side of two commits (issue 28 §5, the districts read from the content): run it alternately
with each commit's code, e.g. a worktree of the older one at /tmp/old:

    python bench/uncached_pages.py /tmp/old /tmp/index-old
    python bench/uncached_pages.py . /tmp/index-new

Each call builds its index into INDEX_DIR the first time. The page cache is off, so each request runs
the search and renders the page: search pages (words and district filters), the districts pages, a
provider page, the start page and the guide's end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

WORDS = ["kafé", "måla", "jobb", "musik", "trädgård", "ips", "stöd", "arbete", "hökarängen", "söder",
         "kafé i stockholm", "jag bor i farsta"]  # fmt: skip
ADDRESSES = (
    [f"/sok?q={word}" for word in WORDS]
    + [f"/sok?stadsdel={district}" for district in ("farsta", "jarva", "sodermalm")]
    + ["/stadsdelar", "/stadsdel/farsta", "/stadsdel/jarva", "/verksamhet/alfa", "/",
       "/hitta-ratt/klar?tillgang=beslut&vill=jobb&stadsdel=farsta"]
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("code", type=Path, help="the root of the code to time (its content/ is served)")
    parser.add_argument("index", type=Path, help="its index folder, built the first time")
    parser.add_argument("--rounds", type=int, default=15)
    arguments = parser.parse_args()
    sys.path.insert(0, str(arguments.code.resolve()))
    from catalogue import create_app

    app = create_app({"CONTENT_DIR": arguments.code / "content", "INDEX_DIR": arguments.index,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://", "PAGE_CACHE_BYTES": 0})  # fmt: skip
    client = app.test_client()
    for address in ADDRESSES:  # warm: templates compiled, the snapshot opened
        client.get(address)
    times = []
    for _round in range(arguments.rounds):
        for address in ADDRESSES:
            start = time.perf_counter()
            response = client.get(address)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (address, response.status_code)
    times.sort()
    print(f"median {statistics.median(times):.2f} p95 {times[int(len(times) * 0.95)]:.2f} n {len(times)}")


if __name__ == "__main__":
    main()
