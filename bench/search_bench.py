"""Benchmark: index build and search latency at 100, 1 000 and 10 000 synthetic providers.

For each size it writes synthetic provider files to a temporary folder (never
under content/), builds the index in a child process (time and peak memory),
starts the site under waitress on loopback and times the search page
(free text + two filters + every facet count, rendered HTML) over many
requests. Prints a Markdown table for BENCHMARKS.md.

    .venv/bin/python bench/search_bench.py [--sizes 100 1000 10000] [--requests 300]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
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
sys.path.insert(0, str(ROOT))

from catalogue.facts import vocabulary as v  # noqa: E402
from catalogue.index.content import read_municipality  # noqa: E402

# The synthetic catalogues are in Stockholm's districts: every script that imports this module speaks of them.
v.use_municipality(read_municipality(ROOT / "content"))

WORDS = """arbete gemenskap kafé kök musik trädgård odling hantverk snickeri textil keramik måleri foto film
radio tidning webb data dator kontor ekonomi butik försäljning lager cykel verkstad reparation motion
promenad yoga gym simning friluftsliv skog natur djur stall bakning lunch frukost fika samtal stöd
grupp studier kurs språk svenska engelska matematik körkort praktik jobb arbetsträning rehabilitering
vardag struktur rutiner återhämtning lugn trygghet delaktighet inflytande medlem klubbhus träfflokal
mötesplats utflykt resa teater dans sång kör band studio inspelning design tryck sömnad återbruk
second hand loppis städning fastighet trädgårdsskötsel växthus grönsaker blommor honung biodling
matlagning catering servering disk kassa reception lokal vaktmästeri transport flytt montering
förpackning post sortering skanning arkiv bibliotek läsning skrivande poesi berättelse konst utställning
galleri hälsa sömn kost stress oro nedstämdhet självförtroende mål plan steg väg framtid""".split()


def _vocabulary() -> tuple[list[str], list[float]]:
    """About 4 000 words (the list plus Swedish-style compounds of it) with Zipf weights 1/rank,
    the shape of word frequencies in real text: a few words everywhere, most words rare."""
    rng = random.Random(42)
    compounds = {a + b for a in WORDS for b in WORDS if a != b and len(a + b) <= 16}
    words = WORDS + rng.sample(sorted(compounds), 4000 - len(WORDS))
    rng.shuffle(words)
    return words, [1 / rank for rank in range(1, len(words) + 1)]


VOCABULARY, ZIPF_WEIGHTS = _vocabulary()
QUERY_WORDS = VOCABULARY[:500]  # people search for topic words, common and less common ones


def _sentence(rng: random.Random, length: int) -> str:
    return " ".join(rng.choices(VOCABULARY, ZIPF_WEIGHTS, k=length)).capitalize() + "."


def synthetic_provider(number: int, rng: random.Random) -> str:
    districts = [d for d in v.DISTRICTS if d != "hela-staden"]
    name = f"{rng.choice(VOCABULARY).capitalize()} {number}"
    front = {
        "name": name,
        "summary": _sentence(rng, 12),
        "status": "active" if rng.random() > 0.03 else "closed",
        "reviewed": "2025-06-01",
        "orientation": rng.sample(list(v.ORIENTATIONS), rng.randint(1, 2)),
        "activities": rng.sample(list(v.ACTIVITIES), rng.randint(1, 4)),
        "district": rng.choice(districts),
        "hours": rng.sample(list(v.HOURS), rng.randint(1, 3)),
        "ips": rng.random() < 0.2,
        "access": rng.sample(list(v.ACCESS), rng.randint(1, 2)),
        "operator": rng.choice(list(v.OPERATORS)),
        "age": {"min": 18, "max": rng.choice([30, 35, 65, 67])},
        "sources": [{"url": "https://example.org/", "title": "Syntetisk källa", "date": "2024"}],
    }
    body = "\n\n".join(_sentence(rng, 40) for _ in range(3))
    return "---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n" + body + "\n"


def write_content(folder: Path, size: int) -> None:
    """``size`` offerings in Stockholm's districts (the real site file's)."""
    rng = random.Random(size)
    providers = folder / "providers"
    providers.mkdir(parents=True)
    shutil.copy(ROOT / "content" / "site.yml", folder / "site.yml")
    for number in range(size):
        (providers / f"syntetisk-{number:05d}.md").write_text(synthetic_provider(number, rng), encoding="utf-8")


def copy_thesaurus(content: Path) -> None:
    """The real concepts (and the guidance pages some of them suggest): the query layer a real search runs."""
    shutil.copy(ROOT / "content" / "thesaurus.yml", content / "thesaurus.yml")
    shutil.copytree(ROOT / "content" / "pages", content / "pages")


BUILD = """
import json, resource, sys, time
from pathlib import Path
from catalogue.index import builder
started = time.perf_counter()
loaded = builder.rebuild(Path(sys.argv[1]), Path(sys.argv[2]))
seconds = time.perf_counter() - started
assert not loaded.errors, loaded.errors[:3]
peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"seconds": seconds, "providers": len(loaded.providers), "peak_mb": peak / 1024}))
"""


def build_index(content: Path, index: Path) -> dict:
    output = subprocess.run(
        [sys.executable, "-c", BUILD, str(content), str(index)], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(content: Path, index: Path, port: int) -> subprocess.Popen:
    """The site under waitress (4 threads, its default) on loopback, with its database beside the index:
    never the instance/ database that a developer's server or the tests may be using."""
    env = dict(
        os.environ,
        CATALOGUE_CONTENT_DIR=str(content),
        CATALOGUE_INDEX_DIR=str(index),
        DATABASE_URL=f"sqlite:///{index.parent / 'catalogue.db'}",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "waitress", "--host=127.0.0.1", f"--port={port}", "--threads=4", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_serving(server, f"http://127.0.0.1:{port}/api/v1/sok")
    return server


def wait_until_serving(server: subprocess.Popen, url: str, seconds: float = 60) -> None:
    """Poll ``url`` until it answers; a server that never does is killed, so no benchmark leaves one behind."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"server did not start: {url}")


def concept_words() -> list[str]:
    """The one-word entries of the real thesaurus: a query led by one of them runs the concept layer."""
    data = yaml.safe_load((ROOT / "content" / "thesaurus.yml").read_text(encoding="utf-8"))
    return sorted({w for entry in data["concepts"] if "filter" in entry for w in entry["words"] if " " not in w})


def search_urls(port: int, count: int, first_words: list[str] | None = None) -> list[str]:
    rng = random.Random(7)
    districts = [d for d in v.DISTRICTS if d != "hela-staden"]
    urls = []
    for _ in range(count):
        params = [
            ("q", f"{rng.choice(first_words or QUERY_WORDS)} {rng.choice(QUERY_WORDS)}"),
            ("stadsdel", rng.choice(districts)),
            ("timmar", rng.choice(list(v.HOURS))),
        ]
        urls.append(f"http://127.0.0.1:{port}/sok?" + urllib.parse.urlencode(params))
    return urls


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(size: int, requests: int, thesaurus: bool, concepts: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        content, index = Path(tmp) / "content", Path(tmp) / "index"
        write_content(content, size)
        if thesaurus:
            copy_thesaurus(content)
        build = build_index(content, index)
        port = free_port()
        server = start_server(content, index, port)
        try:
            urls = search_urls(port, requests + 20, concept_words() if concepts else None)
            for url in urls[:20]:  # warm-up: first request opens the index and builds the facet bitsets
                urllib.request.urlopen(url, timeout=30).read()
            timings, totals = [], []
            for url in urls[20:]:
                started = time.perf_counter()
                with urllib.request.urlopen(url, timeout=30) as response:
                    body = response.read()
                    assert response.status == 200
                timings.append((time.perf_counter() - started) * 1000)
                totals.append(body.count(b'class="hit"'))
            memory = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait()
    timings.sort()
    return {
        "size": size,
        "build_s": build["seconds"],
        "build_peak_mb": build["peak_mb"],
        "server_rss_mb": memory,
        "requests": len(timings),
        "p50_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "mean_hits_per_page": statistics.mean(totals),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument(
        "--no-thesaurus", dest="thesaurus", action="store_false", help="leave out content/thesaurus.yml (concepts)"
    )
    parser.add_argument(
        "--concept-queries", action="store_true", help="lead every query with a thesaurus word (the concept layer)"
    )
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}, "
        f"thesaurus {'on' if args.thesaurus else 'off'}, queries led by a concept word: {args.concept_queries}"
    )
    print(
        "| providers | build (s) | build peak RSS, largest process (MB) | server RSS (MB) | requests "
        "| search p50 (ms) | search p95 (ms) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        row = measure(size, args.requests, args.thesaurus, args.concept_queries)
        print(
            f"| {row['size']:,} | {row['build_s']:.1f} | {row['build_peak_mb']:.0f} | {row['server_rss_mb']:.0f} "
            f"| {row['requests']} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
