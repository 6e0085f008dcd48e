"""Other people's checkers over the served site: the Nu HTML Checker, pa11y (HTML_CodeSniffer) and Lighthouse.

The tests (tests/browser/test_other_checkers.py) and `make audit` run the same functions. `make audit`
serves the real content on loopback, runs all three over every page kind in every language (Lighthouse
over the main page kinds in Swedish and Arabic, on a phone and a desktop), and writes one report:
instance/audit/report.md (and report.json beside it).

    .venv/bin/python bench/audit.py [--out instance/audit]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKERS = ROOT / "tests" / "checkers"
VNU_JAR = CHECKERS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE = CHECKERS / "node_modules" / ".bin" / "lighthouse"
LANGUAGES = ("sv", "en", "fi", "ar", "so")

# Every kind of page a person can reach, on the real content (the axe test walks the same list).
PAGE_KINDS = {
    "start": "/",
    "search": "/sok?q=kaf%C3%A9",
    "search with filters": "/sok?inriktning=social&stadsdel=farsta&stadsdel=hagersten-alvsjo&tillgang=oppen",
    "zero results": "/sok?stadsdel=bromma&ips=ja",
    "corrected search": "/sok?q=fontanhueset",
    "provider": "/verksamhet/fountain-house-stockholm",
    "provider with two ways in": "/verksamhet/aktivitetshuset?stadsdel=sodermalm",
    "closed provider": "/verksamhet/sympati-sysselsattning",
    "district": "/stadsdel/farsta",
    "guidance index": "/vagledning",
    "guidance page": "/vagledning/sa-far-du-sysselsattning",
    "easy-read page": "/vagledning/lattlast-sa-far-du-sysselsattning",
    "accessibility statement": "/tillganglighet",
    "report form": "/rapportera-fel?sida=/sok",
    "suggest a change": "/verksamhet/fountain-house-stockholm/foresla-andring",
    "tip about a missing offering": "/tipsa",
    "my list": "/lista?v=misa&v=alfa&v=fountain-house-stockholm",
    "empty list": "/lista",
    "compare": "/jamfor?v=misa&v=alfa&v=fountain-house-stockholm",
    "guide question": "/hitta-ratt?tillgang=beslut&vill=jobb&steg=4",
    "guide end": "/hitta-ratt/klar?tillgang=oppen&vill=skapa&stadsdel=farsta",
    "guide end that may fit": "/hitta-ratt/klar?tillgang=beslut&vill=gemenskap&stadsdel=farsta&ips=ja",
    "search with a word a fact contradicts": "/sok?q=IPS",
    "districts map": "/stadsdelar",
    "unknown short link": "/l/zzzzzz",
    "bad parameter": "/sok?stadsdel=atlantis",
    "not found": "/finns-inte",
    "page past the last": "/sok?sida=99",
    "open data": "/oppna-data",
    "for providers": "/for-verksamheter",
    "privacy notice": "/personuppgifter",
}
# The fixture content (tests/fixtures/content), where every fact is stated: its own slugs.
FIXTURE_PAGE_KINDS = {
    "start": "/",
    "search": "/sok?q=musik",
    "provider": "/verksamhet/musikhuset",
    "provider with every fact": "/verksamhet/kafe-solsidan",
    "district": "/stadsdel/farsta",
    "my list": "/lista?v=musikhuset&v=kafe-solsidan",
    "compare": "/jamfor?v=musikhuset&v=kafe-solsidan&v=jobbsteget",
    "suggest a change": "/verksamhet/kafe-solsidan/foresla-andring",
}
# Lighthouse on the pages most people see first, in Swedish and in the right-to-left language.
LIGHTHOUSE_KINDS = ("start", "search with filters", "provider")
LIGHTHOUSE_LANGUAGES = ("sv", "ar")
FORM_FACTORS = ("mobile", "desktop")
ASSERTED_CATEGORIES = ("accessibility", "best-practices", "seo")  # performance is recorded, not asserted

# Nu HTML Checker warnings that stay, each with its reason. Empty: every warning was fixed.
ALLOWED_VNU_WARNINGS: dict[str, str] = {}


def localized(path: str, lang: str) -> str:
    return path if lang == "sv" else f"/{lang}{path}"


def addresses(base: str, kinds: dict[str, str], languages=LANGUAGES) -> list[tuple[str, str, str]]:
    """(kind, language, whole address) for every page kind in every language."""
    return [(kind, lang, base + localized(path, lang)) for kind, path in kinds.items() for lang in languages]


def fetch(url: str) -> bytes:
    """The page as served, whatever its status (a 404 page is checked like any other)."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        return error.read()


def chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Chromium is missing: `make test` and `make audit` install Debian's chromium")
    return path


def _need(path: Path) -> None:
    if not path.exists():
        raise RuntimeError(
            f"{path.relative_to(ROOT)} is missing: `make checkers` installs it (npm ci in tests/checkers)"
        )


def vnu(pages: dict[str, bytes]) -> list[dict]:
    """The Nu HTML Checker over saved pages (name -> HTML) in one run: its messages, each with the page's name."""
    _need(VNU_JAR)
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for number, (name, html) in enumerate(pages.items()):
            path = Path(folder) / f"{number}.html"
            path.write_bytes(html)
            files[f"file:{path}"] = name  # how the checker names a file it was given by its path
        paths = [name.removeprefix("file:") for name in files]
        done = subprocess.run(["java", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *paths],
                              capture_output=True, text=True, timeout=600, check=True)  # fmt: skip
    messages = json.loads(done.stderr)["messages"]
    return [{**message, "page": files.get(message.get("url", ""), message.get("url", ""))} for message in messages]


def pa11y(urls: list[str]) -> dict[str, list[dict]]:
    """pa11y with HTML_CodeSniffer, WCAG 2 AA, in Debian's Chromium: the issues of each address."""
    _need(CHECKERS / "node_modules" / "pa11y")
    done = subprocess.run(["node", str(CHECKERS / "pa11y_run.mjs"), *urls], capture_output=True, text=True,
                          timeout=1800, check=True, env={**os.environ, "CHROMIUM": chromium()})  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def lighthouse(url: str, form_factor: str) -> dict:
    """Lighthouse's four category scores (0–100) and the audits that cost points, for one page."""
    _need(LIGHTHOUSE)
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
                   "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                   "--only-categories=performance,accessibility,best-practices,seo"]  # fmt: skip
        if form_factor == "desktop":
            command.append("--preset=desktop")
        subprocess.run(command, capture_output=True, text=True, timeout=300, check=True,
                       env={**os.environ, "CHROME_PATH": chromium()})  # fmt: skip
        result = json.loads(report.read_text(encoding="utf-8"))
    scores = {name: round(category["score"] * 100) for name, category in result["categories"].items()}
    failing = sorted(
        f"{name}: {ref['id']}"
        for name, category in result["categories"].items()
        for ref in category["auditRefs"]
        if ref.get("weight")
        and (result["audits"][ref["id"]].get("score") or 0) < 1
        and result["audits"][ref["id"]].get("scoreDisplayMode") not in ("notApplicable", "informative", "manual")
    )
    return {"scores": scores, "failing": failing}


def serve_real_content(folder: Path):
    """The site over the real content on a free loopback port, in a thread: (base address, server)."""
    sys.path.insert(0, str(ROOT))
    import flask_migrate
    from waitress import create_server

    from catalogue import create_app

    app = create_app({"CONTENT_DIR": ROOT / "content", "INDEX_DIR": folder / "index",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'site.db'}"})  # fmt: skip
    with app.app_context():
        flask_migrate.upgrade()
    logging.getLogger("catalogue.requests").setLevel(logging.WARNING)  # a report, not a request log
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}", server


def audit(base: str) -> dict:
    """Every checker over the site at ``base``: the figures of the report."""
    pages = addresses(base, PAGE_KINDS)
    messages = vnu({f"{kind} ({lang})": fetch(url) for kind, lang, url in pages})
    errors = [message for message in messages if message["type"] == "error"]
    warnings = [message for message in messages if message["type"] != "error"]
    issues = pa11y([url for _kind, _lang, url in pages])
    runs = [
        {"page": kind, "lang": lang, "form_factor": form_factor,
         **lighthouse(base + localized(PAGE_KINDS[kind], lang), form_factor)}
        for kind in LIGHTHOUSE_KINDS for lang in LIGHTHOUSE_LANGUAGES for form_factor in FORM_FACTORS
    ]  # fmt: skip
    return {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "pages": len(pages),
        "vnu": {"errors": errors, "warnings": warnings},
        "pa11y": {url: found for url, found in issues.items() if found},
        "pa11y_pages": len(issues),
        "lighthouse": runs,
    }


def report_markdown(figures: dict) -> str:
    """The report a person reads: one table of figures, then every finding."""
    runs = figures["lighthouse"]
    lines = [
        f"# Audit of the served site ({figures['date']})",
        "",
        f"Machine: {figures['machine']}. Pages: {figures['pages']} (every page kind in every language).",
        "",
        "| checker | result |",
        "|---|---|",
        f"| Nu HTML Checker, {figures['pages']} pages | {len(figures['vnu']['errors'])} errors, "
        f"{len(figures['vnu']['warnings'])} warnings |",
        f"| pa11y (HTML_CodeSniffer, WCAG 2 AA), {figures['pa11y_pages']} pages | "
        f"{sum(len(found) for found in figures['pa11y'].values())} issues |",
    ]
    for name in ("performance", *ASSERTED_CATEGORIES):
        values = sorted(run["scores"][name] for run in runs)
        lines.append(f"| Lighthouse {name}, {len(runs)} runs | {values[0]}–{values[-1]} (median "
                     f"{values[len(values) // 2]}) |")  # fmt: skip
    lines += ["", "## Lighthouse runs", "", "| page | language | form factor | performance | accessibility | "
              "best practices | SEO | audits that cost points |", "|---|---|---|---:|---:|---:|---:|---|"]  # fmt: skip
    for run in runs:
        score = run["scores"]
        lines.append(f"| {run['page']} | {run['lang']} | {run['form_factor']} | {score['performance']} | "
                     f"{score['accessibility']} | {score['best-practices']} | {score['seo']} | "
                     f"{', '.join(run['failing']) or '–'} |")  # fmt: skip
    lines += ["", "## Findings", ""]
    for message in figures["vnu"]["errors"] + figures["vnu"]["warnings"]:
        lines.append(f"- Nu HTML Checker, {message['page']}: {message['type']}: {message['message']}")
    for url, found in figures["pa11y"].items():
        lines += [f"- pa11y, {url}: {issue['code']}: {issue['message']}" for issue in found]
    if lines[-1] == "":
        lines.append("None.")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "instance" / "audit")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base, server = serve_real_content(Path(folder))
        try:
            figures = audit(base)
        finally:
            server.close()
    arguments.out.mkdir(parents=True, exist_ok=True)
    (arguments.out / "report.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    report = report_markdown(figures)
    (arguments.out / "report.md").write_text(report, encoding="utf-8")
    print(report.split("\n## Lighthouse runs")[0])
    print(f"Written: {arguments.out / 'report.md'}")


if __name__ == "__main__":
    main()
