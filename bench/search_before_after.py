"""Benchmark: the search page on the real content, before and after a change, side by side in one run.

Each side is a git worktree of its revision (its code and its own ``content/``, thesaurus included),
indexed by its own code and served by waitress on loopback with the page cache off. The queries are the
public evaluation set (``tests/search_eval.yml``: 303 queries in five languages, each on its language's
search page), asked of both servers alternately, query by query, so that a noisy neighbour slows both
alike. The first round is what a new query costs (nothing in any cache); later rounds are warm.

    .venv/bin/python bench/search_before_after.py --before 102e498 [--after HEAD] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Side:
    """One revision: its worktree, its index, its server."""

    def __init__(self, revision: str, folder: Path):
        self.revision = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", revision],
                                       capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        self.tree = folder / self.revision
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(self.tree), revision],
                       check=True)  # fmt: skip
        pybabel = Path(sys.executable).parent / "pybabel"
        translations = str(self.tree / "translations")
        subprocess.run([str(pybabel), "compile", "-d", translations], check=True, capture_output=True)
        self.port = free_port()
        self.env = os.environ | {
            "PYTHONPATH": str(self.tree),
            "CATALOGUE_CONTENT_DIR": str(self.tree / "content"),
            "CATALOGUE_INDEX_DIR": str(folder / f"index-{self.revision}"),
            "CATALOGUE_WORDS_DIR": str(folder / f"words-{self.revision}"),
            "DATABASE_URL": f"sqlite:///{folder / f'{self.revision}.db'}",
            "CATALOGUE_PAGE_CACHE_MB": "0",
        }
        where = subprocess.run([sys.executable, "-c", "import catalogue; print(catalogue.__file__)"], cwd=self.tree,
                               env=self.env, capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        assert where.startswith(str(self.tree)), f"{self.revision} would run the code in {where}"
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        for command in (["db", "upgrade"], ["catalogue", "index"]):
            subprocess.run([*flask, *command], cwd=self.tree, env=self.env, check=True, capture_output=True)
        self.server = subprocess.Popen(
            [sys.executable, "-m", "waitress", "--host=127.0.0.1", f"--port={self.port}", "--threads=1", "wsgi:app"],
            cwd=self.tree, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.revision} did not start")

    def time(self, path: str) -> float:
        started = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=30) as response:
            response.read()
            assert response.status == 200, path
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.server.terminate()
        self.server.wait(10)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(self.tree)], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    cases = yaml.safe_load((ROOT / "tests" / "search_eval.yml").read_text(encoding="utf-8"))["queries"]
    prefixes = {case["lang"]: "" if case["lang"] == "sv" else f"/{case['lang']}" for case in cases}
    paths = [f"{prefixes[case['lang']]}/sok?{urllib.parse.urlencode({'q': case['query']})}" for case in cases]
    with tempfile.TemporaryDirectory() as folder:
        sides = [Side(arguments.before, Path(folder)), Side(arguments.after, Path(folder))]
        try:
            for side in sides:  # one page each, so that the first measured request is not a process's first
                side.time("/")
            timings: dict[tuple[str, int], list[float]] = {}
            for round_number in range(arguments.rounds):
                for path in paths:
                    for side in sides if round_number % 2 == 0 else reversed(sides):
                        timings.setdefault((side.revision, round_number), []).append(side.time(path))
        finally:
            for side in sides:
                side.close()
    print(f"{platform.node()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}; {len(paths)} queries "
          f"(tests/search_eval.yml), page cache off, alternating query by query\n")  # fmt: skip
    print("| round | revision | p50 (ms) | p95 (ms) |\n|---|---|---:|---:|")
    for (revision, round_number), values in timings.items():
        label = "1 (new queries)" if round_number == 0 else str(round_number + 1)
        print(f"| {label} | {revision} | {statistics.median(values):.1f} | {percentile(values, 0.95):.1f} |")
    before, after = sides[0].revision, sides[1].revision
    for round_number in range(arguments.rounds):
        ratio = percentile(timings[(after, round_number)], 0.95) / percentile(timings[(before, round_number)], 0.95)
        print(f"\nround {round_number + 1}: p95 after / before = {ratio:.2f}", end="")
    print()


if __name__ == "__main__":
    main()
