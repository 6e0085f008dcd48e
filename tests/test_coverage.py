"""Coverage of the key facts over time, read from the git history of the content: the history itself,
``flask catalogue coverage --history``, the chart drawn on the server and the desk's campaign page.

Each test builds a small git repository with commits on chosen dates, so every share is known."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest
from test_desk import PASSWORD, sign_in

from catalogue.editorial import coverage, desk
from catalogue.facts import checks, fields

SVG = "{http://www.w3.org/2000/svg}"
TODAY = dt.datetime.now(coverage.STOCKHOLM).date()
KEYS = [field.key for field in coverage.KEY_FACTS]


def git(folder: Path, *arguments: str, when: str | None = None) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="t@example.se", GIT_COMMITTER_NAME="Test",
               GIT_COMMITTER_EMAIL="t@example.se")  # fmt: skip
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    command = ["git", "-C", str(folder), "-c", "commit.gpgsign=false", *arguments]
    return subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout


def commit(folder: Path, when: str) -> str:
    git(folder, "add", "-A")
    git(folder, "commit", "-qm", f"ändring {when}", when=when)
    return git(folder, "rev-parse", "HEAD").strip()


def write(folder: Path, slug: str, facts: str = "", status: str = "active") -> None:
    (folder / "providers" / f"{slug}.md").write_text(
        f"---\nname: {slug.title()}\nsummary: S.\nstatus: {status}\nreviewed: 2026-01-01\n"
        f"sources: [{{title: T, date: 2014}}]\n{facts}---\nText.\n",
        encoding="utf-8",
    )


IPS = "ips: true\n"
TARGET = "target_group: Vuxna\n"
PHONE = "contact:\n  phone: 08-123 45 67\n"
# (day, active, files skipped, share of ips, target_group, contact.phone) after each day's last commit
EXPECTED = [
    (dt.date(2026, 1, 10), 2, 0, 50, 50, 0),
    (dt.date(2026, 2, 1), 3, 2, 67, 33, 33),
    (dt.date(2026, 3, 1), 4, 1, 50, 25, 25),
]


@pytest.fixture
def repo(tmp_path) -> Path:
    """Four days of commits: two on the first day, one that touches no provider file, broken files."""
    folder = tmp_path / "content"
    (folder / "providers").mkdir(parents=True)
    git(folder, "init", "-q")
    write(folder, "a", IPS)
    write(folder, "b")
    write(folder, "c", IPS, status="closed")  # not active: never counted
    commit(folder, "2026-01-10T09:00:00+01:00")  # a later commit the same day replaces this one
    write(folder, "b", TARGET)
    commit(folder, "2026-01-10T15:00:00+01:00")
    (folder / "places.yml").write_text("districts: {}\n", encoding="utf-8")
    commit(folder, "2026-01-20T10:00:00+01:00")  # no provider file changed: no point
    write(folder, "d", IPS + PHONE)
    write(folder, "trasig", status="kanske")  # fails validation: skipped and counted
    (folder / "providers" / "latin.md").write_bytes(b"---\nname: K\xe5fe\n---\n")  # not UTF-8
    commit(folder, "2026-02-01T10:00:00+01:00")
    write(folder, "trasig")  # mended
    commit(folder, "2026-03-01T10:00:00+01:00")
    return folder


def summary(points: list[coverage.Coverage]) -> list[tuple]:
    return [
        (p.day, p.active, p.errors, p.share("ips"), p.share("target_group"), p.share("contact.phone")) for p in points
    ]


def test_history_has_the_last_commit_of_each_day_that_touched_the_providers_with_exact_shares(repo):
    points = coverage.history(repo)
    assert summary(points) == EXPECTED
    shas = git(repo, "log", "--format=%H").split()  # newest first: 03-01, 02-01, 01-20, 01-10 15.00, 01-10 09.00
    assert [point.commit for point in points] == [shas[3], shas[1], shas[0]]
    counts = {fact.key: fact.count for fact in points[1].facts}
    assert counts["ips"] == 2 and counts["target_group"] == 1 and counts["orientation"] == 0


def test_uncommitted_changes_make_today_the_last_point(repo):
    write(repo, "a", IPS + PHONE)
    points = coverage.history(repo)
    assert summary(points) == EXPECTED + [(TODAY, 4, 1, 50, 25, 50)]
    assert points[-1].commit is None


def test_a_folder_outside_git_or_without_git_has_only_today(repo, tmp_path, monkeypatch):
    plain = tmp_path / "plain"
    shutil.copytree(repo, plain, ignore=shutil.ignore_patterns(".git"))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # git must not find a repository above it
    assert summary(coverage.history(plain)) == [(TODAY, 4, 1, 50, 25, 25)]
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))  # git is not installed
    assert summary(coverage.history(repo)) == [(TODAY, 4, 1, 50, 25, 25)]


def test_the_history_is_thinned_evenly_keeping_the_first_and_the_last(repo):
    assert [point.day for point in coverage.history(repo, limit=2)] == [dt.date(2026, 1, 10), dt.date(2026, 3, 1)]
    thinned = coverage.thin(list(range(100)), 60)
    assert len(thinned) == 60 and thinned[0] == 0 and thinned[-1] == 99
    assert thinned == sorted(set(thinned))
    assert max(b - a for a, b in zip(thinned, thinned[1:], strict=False)) == 2  # evenly: gaps of 1 or 2
    assert coverage.thin([1, 2, 3], 60) == [1, 2, 3]


def test_counts_per_commit_are_kept_and_read_back_without_parsing_again(repo, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setattr(coverage, "_MEMORY", {})
    first = coverage.history(repo, cache)
    assert sorted(path.stem for path in cache.glob("*.json")) == sorted(point.commit for point in first)
    assert not list(cache.glob("*.tmp"))

    def never(*_arguments):
        raise AssertionError("a commit's files were parsed again")

    monkeypatch.setattr(coverage, "_MEMORY", {})  # a new worker: only the files are left
    monkeypatch.setattr(coverage, "parse_provider", never)
    assert summary(coverage.history(repo, cache)) == EXPECTED


def test_the_command_prints_todays_table_unchanged_and_the_history_after_it(app):
    content = Path(app.config["CONTENT_DIR"])
    git(content, "init", "-q")
    commit(content, "2026-01-10T12:00:00+01:00")
    for slug in ("kafe-solsidan", "musikhuset"):
        path = content / "providers" / f"{slug}.md"
        path.write_text(path.read_text(encoding="utf-8").replace("---\n", f"---\n{PHONE}", 1), encoding="utf-8")
    commit(content, "2026-02-01T12:00:00+01:00")
    path = content / "providers" / "kafe-solsidan.md"
    path.write_text(path.read_text(encoding="utf-8").replace("---\n", f"---\n{TARGET}", 1), encoding="utf-8")

    runner = app.test_cli_runner()
    plain = runner.invoke(args=["catalogue", "coverage"]).output
    assert plain.startswith("7 aktiva verksamheter. Antal som anger varje uppgift:\n")
    assert "contact.phone              2   29 %  ######\n" in plain  # 2 of 7
    assert "över tid" not in plain
    output = runner.invoke(args=["catalogue", "coverage", "--history"]).output
    assert output.startswith(plain)
    lines = output[len(plain) :].strip().splitlines()
    header = lines.index(next(line for line in lines if line.startswith("datum")))
    assert lines[header].split() == ["datum", "aktiva", "fel", *KEYS]
    rows = [dict(zip(lines[header].split(), line.split(), strict=True)) for line in lines[header + 1 :]]
    assert [row["datum"] for row in rows] == ["2026-01-10", "2026-02-01", TODAY.isoformat()]
    assert [row["contact.phone"] for row in rows] == ["0", "29", "29"]
    assert "target_group" not in rows[0]  # the history follows the key facts; today's table has every fact
    assert {row["ips"] for row in rows} == {"100"} and {row["aktiva"] for row in rows} == {"7"}
    assert {row["fel"] for row in rows} == {"0"}
    assert len(list((content.parent / "coverage").glob("*.json"))) == 2  # beside the index: one per commit


def svg_of(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_the_chart_is_an_accessible_self_contained_svg_with_one_labelled_line_per_fact(repo):
    points = coverage.history(repo)
    drawn = coverage.chart(points)
    root = svg_of(drawn)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("viewBox")
    assert root.get("width") == "100%" and root.get("height") is None  # scales with the page, phones too
    title, description = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and description is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {description.get('id')}"
    assert "3 tidpunkter, 2026-01-10 till 2026-03-01" in (description.text or "")
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == len(coverage.KEY_FACTS) and not root.findall(f"{SVG}circle")
    looks = {(line.get("stroke"), line.get("stroke-dasharray")) for line in lines}
    assert len(looks) == len(lines)  # no two facts look alike, even without colour
    assert len({line.get("stroke-dasharray") for line in lines}) > 1
    # The ips line goes through 50 %, 67 % and 50 %, from the left edge to the right.
    bottom = coverage.TOP + coverage.MIN_PLOT_HEIGHT
    ips = [tuple(map(float, pair.split(","))) for pair in lines[KEYS.index("ips")].get("points").split()]
    assert [round((bottom - y) / coverage.MIN_PLOT_HEIGHT * 100) for _x, y in ips] == [50, 67, 50]
    assert ips[0][0] == coverage.LEFT and ips[-1][0] == coverage.RIGHT
    texts = {text.text for text in root.iter(f"{SVG}text")}
    for field in coverage.KEY_FACTS:
        assert f"{field.label} {points[-1].share(field.key)} %" in texts
    assert {"Stöd till jobb enligt IPS 50 %", "Telefon 25 %"} <= texts
    assert {"2026-01-10", "2026-03-01", "0 %", "100 %"} <= texts
    labels = sorted(float(text.get("y")) for text in root.iter(f"{SVG}text") if text.text.endswith(" %")
                    and text.get("x") == str(coverage.RIGHT + 26))  # fmt: skip
    assert len(labels) == len(KEYS)
    assert min(b - a for a, b in zip(labels, labels[1:], strict=False)) >= coverage.LABEL_GAP - 0.1  # none overlap
    for element in root.iter():
        assert element.tag not in (f"{SVG}script", f"{SVG}image", f"{SVG}foreignObject", f"{SVG}style")
        assert not any(name.endswith("href") or name == "style" or name.startswith("on") for name in element.attrib)
    assert "<script" not in drawn and "http://" not in drawn.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_one_point_is_drawn_as_dots_and_every_label_is_escaped(repo):
    points = coverage.history(repo)[-1:]
    odd = fields.ProviderField("ips", checks.boolean, 'Jobb & <stöd> "IPS"')
    root = svg_of(coverage.chart(points, [odd, fields.FIELDS_BY_KEY["target_group"]]))
    assert len(root.findall(f"{SVG}circle")) == 2 and not root.findall(f"{SVG}polyline")
    texts = {text.text for text in root.iter(f"{SVG}text")}
    assert 'Jobb & <stöd> "IPS" 50 %' in texts and "Målgrupp 25 %" in texts and "2026-03-01" in texts
    assert "1 tidpunkt, 2026-03-01." in (root.find(f"{SVG}desc").text or "")


def test_a_point_where_no_active_offering_could_be_read_has_no_share(repo):
    write(repo, "a", status="kanske")
    write(repo, "b", status="kanske")
    write(repo, "d", status="kanske")
    write(repo, "trasig", status="kanske")
    points = coverage.history(repo)
    assert (points[-1].active, points[-1].errors) == (0, 5)
    assert len(svg_of(coverage.chart(points)).findall(f"{SVG}polyline")) == len(KEYS)  # the three others
    assert coverage.chart(points[-1:]) == ""
    rows = coverage.table(points).rows
    assert rows[-1].shares == ("–",) * len(KEYS) and rows[1].shares[KEYS.index("ips")] == "67 %"


def test_the_campaign_page_shows_the_chart_and_the_table(app):
    content = Path(app.config["CONTENT_DIR"])
    git(content, "init", "-q")
    commit(content, "2026-01-10T12:00:00+01:00")
    path = content / "providers" / "kafe-solsidan.md"
    path.write_text(path.read_text(encoding="utf-8").replace("---\n", f"---\n{PHONE}", 1), encoding="utf-8")
    commit(content, "2026-02-01T12:00:00+01:00")
    with app.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    client = app.test_client()
    assert sign_in(client).status_code == 303
    page = client.get("/redaktion/kampanj").get_data(as_text=True)
    section = page[page.index("<h2>Täckning över tid</h2>") : page.index("<h2>Bjud in</h2>")]
    svg = section[section.index("<svg") : section.index("</svg>") + len("</svg>")]
    assert len(svg_of(svg).findall(f"{SVG}polyline")) == len(KEYS)
    assert 'role="img"' in svg and "Telefon 14 %" in svg
    table = section[section.index("<details>") : section.index("</details>")]
    assert "Siffrorna som tabell (2 tidpunkter)" in table
    headers = re.findall(r'<th scope="col">([^<]+)</th>', table)
    assert headers == ["Datum", "Aktiva", "Fel", *(unescape(str(field.label)) for field in coverage.KEY_FACTS)]
    rows = {
        day: re.findall(r"<td>([^<]*)</td>", cells)
        for day, cells in re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', table, re.S)
    }
    assert list(rows) == ["2026-01-10", "2026-02-01"]
    assert rows["2026-02-01"][:2] == ["7", "0"]
    phone = 2 + KEYS.index("contact.phone")
    assert rows["2026-01-10"][phone] == "0 %" and rows["2026-02-01"][phone] == "14 %"  # 1 of 7
    assert rows["2026-02-01"][2 + KEYS.index("ips")] == "100 %"
