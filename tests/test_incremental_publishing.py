"""Publishing one change in seconds (issue 28): files unchanged since the last load are not checked
again, and a new index shares the unchanged shards of the published one. Both must give exactly
what a full load and a full build give, and a crash half-way must keep the last good index."""

import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from app_factory import FIXTURES
from werkzeug.datastructures import MultiDict

from catalogue.index import builder, content, parallel, parse_cache, shards
from catalogue.query import parse
from catalogue.search import engine

ROOT = Path(__file__).parent.parent
QUERIES = ["", "q=kafé", "q=arbete", "q=musik", "q=jobb&timmar=1-12", "q=stöd", "q=fontänhuset", "q=söder"]


@pytest.fixture
def many_shards(monkeypatch):
    """The fixture catalogue in several shards (it is too small to have more than one of its own)."""
    monkeypatch.setattr(shards, "SHARD_SIZE", 1)


def _loaded(folder: Path, cache: Path | None = None):
    loaded = content.load_content(folder, cache)
    return loaded.providers, loaded.pages, loaded.places, loaded.thesaurus, [str(error) for error in loaded.errors]


def _answers(index_root: Path) -> list[tuple]:
    """What the engine answers for QUERIES: each list of offerings in order, the totals, every facet count."""
    snapshot = engine.Snapshot(builder.current_folder(index_root))
    answers = []
    for query in QUERIES:
        request = parse(MultiDict([tuple(pair.split("=")) for pair in query.split("&") if pair]))
        result = engine.run(snapshot, request, "sv", 50)
        counts = {facet.facet.param: [(option.value, option.count, option.maybe) for option in facet.options]
                  for facet in result.facets}  # fmt: skip
        lists = [[hit.record["slug"] for hit in hits] for hits in (result.hits, result.maybe, result.partial,
                                                                    result.stated_otherwise)]  # fmt: skip
        answers.append((lists, [hit.snippet for hit in result.hits], result.total, result.maybe_total, counts,
                        result.suggestion))  # fmt: skip
    return answers


def _stored(index_root: Path) -> list[str]:
    """Every stored document, by document number."""
    snapshot = engine.Snapshot(builder.current_folder(index_root))
    with snapshot.index.searcher() as searcher:
        return [json.dumps(stored, sort_keys=True) for _docnum, stored in searcher.reader().iter_docs()]


def _term_map(index_root: Path) -> tuple:
    made = pickle.loads((builder.current_folder(index_root) / shards.TERM_MAP).read_bytes())
    return made["where"], made["spelling"], len(made["segments"])


def _broken_copy(tmp_path: Path, source: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(source, folder)
    provider = sorted((folder / "providers").glob("*.md"))[0]
    provider.write_text(re.sub(r"status: \w+", "status: oppen", provider.read_text(encoding="utf-8")), "utf-8")
    (folder / "providers" / "Fel namn.md").write_text("---\nname: [oj\n---\n", encoding="utf-8")
    (folder / "providers" / "latin1.md").write_bytes("---\nname: Café\n---\n".encode("latin-1"))
    return folder


@pytest.mark.parametrize("source", [ROOT / "content", ROOT / "tests" / "fixtures" / "content"], ids=["real", "fixture"])
def test_a_load_from_the_cache_gives_what_a_fresh_load_gives_errors_and_lines_included(tmp_path, source):
    folder = _broken_copy(tmp_path, source)
    fresh = _loaded(folder)
    assert any("md:" in error and "status: okänt värde 'oppen'" in error for error in fresh[4])
    assert any("latin1.md:1: fil: är inte UTF-8" in error for error in fresh[4])
    cache = tmp_path / "index" / parse_cache.FILE_NAME
    assert _loaded(folder, cache) == fresh and cache.exists()
    assert _loaded(folder, cache) == fresh  # now every file comes from the cache


@pytest.fixture
def loaded_once(tmp_path, monkeypatch):
    """The fixture content loaded once with a cache; then each file checked again is listed."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "content", folder)
    cache = tmp_path / parse_cache.FILE_NAME
    content.load_content(folder, cache)
    parsed = []
    real_parse = content._parse
    monkeypatch.setattr(content, "_parse", lambda item: parsed.append(item[1].name) or real_parse(item))
    return folder, cache, parsed


def test_a_remembered_file_is_not_checked_again_and_a_changed_one_is(loaded_once):
    folder, cache, parsed = loaded_once
    changed = sorted((folder / "providers").glob("*.md"))[1]
    changed.write_text(re.sub(r"status: \w+", "status: oppen", changed.read_text(encoding="utf-8")), "utf-8")
    errors = content.load_content(folder, cache).errors
    assert parsed == [changed.name]
    assert [error.field for error in errors] == ["status"]


def test_the_cache_is_forgotten_for_another_places_file_or_when_unreadable(loaded_once):
    folder, cache, parsed = loaded_once
    places = folder / "places.yml"
    places.write_text(places.read_text(encoding="utf-8") + "\n# en kommentar\n", encoding="utf-8")
    content.load_content(folder, cache)
    files = len(list((folder / "providers").glob("*.md"))) + len(list((folder / "pages").glob("*.md")))
    assert len(parsed) == files
    cache.write_bytes(b"not a pickle")
    assert _loaded(folder, cache) == _loaded(folder)


def test_files_checked_on_two_processes_give_what_one_gives(tmp_path, monkeypatch):
    folder = _broken_copy(tmp_path, ROOT / "content")
    one = _loaded(folder)
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)  # whatever else the test run started
    assert parallel.processes_for(2) == 2
    assert _loaded(folder) == one


def test_no_process_is_forked_while_other_threads_run(monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 3)  # a threaded server's worker
    assert parallel.processes_for(10_000) == 1
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)  # the command line, a sync worker
    assert parallel.processes_for(10_000) == 2


def _copy_fixture(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "content", folder)
    return folder


@pytest.fixture
def written(monkeypatch):
    """The shards a build writes (not shares), in the order it writes them."""
    shards_written = []
    real_write = shards._write_segment
    monkeypatch.setattr(shards, "_write_segment", lambda shard: shards_written.append(shard) or real_write(shard))
    return shards_written


@pytest.fixture
def built(tmp_path, many_shards):
    """A copy of the fixture content, built once into ``tmp_path/index``: (content folder, index root)."""
    folder = _copy_fixture(tmp_path)
    builder.rebuild(folder, tmp_path / "index")
    return folder, tmp_path / "index"


def _change_one(folder: Path) -> Path:
    changed = sorted((folder / "providers").glob("*.md"))[2]
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("summary: ", "summary: Nu med musik och kafé. ", 1), encoding="utf-8")
    return changed


def test_one_change_rewrites_only_its_shard_and_gives_what_a_full_build_gives(tmp_path, built, written):
    folder, incremental = built  # built before ``written`` watches
    before = json.loads((builder.current_folder(incremental) / shards.MANIFEST).read_text())
    assert len(before["digests"]) > 4
    _change_one(folder)
    builder.rebuild(folder, incremental)
    assert len(written) == 1
    after = json.loads((builder.current_folder(incremental) / shards.MANIFEST).read_text())
    unchanged = [
        n for n, (old, new) in enumerate(zip(before["segments"], after["segments"], strict=True)) if old == new
    ]
    assert len(unchanged) == len(before["segments"]) - 1
    builder.rebuild(folder, tmp_path / "full", full=True)
    assert _stored(incremental) == _stored(tmp_path / "full")
    assert _answers(incremental) == _answers(tmp_path / "full")
    assert _term_map(incremental) == _term_map(tmp_path / "full")  # updated, and made anew


def test_a_new_and_a_removed_offering_are_published_incrementally(tmp_path, many_shards):
    folder = _copy_fixture(tmp_path)
    builder.rebuild(folder, tmp_path / "incremental")
    removed = sorted((folder / "providers").glob("*.md"))[0]
    removed.unlink()
    (folder / "providers" / "nyoppnat.md").write_text(
        "---\nname: Nyöppnat\nsummary: Helt ny verksamhet.\nstatus: active\nreviewed: 2025-01-01\n"
        "sources: [{title: T, date: 2024}]\n---\nText.\n",
        encoding="utf-8",
    )
    builder.rebuild(folder, tmp_path / "incremental")
    builder.rebuild(folder, tmp_path / "full", full=True)
    slugs = [json.loads(stored)["record"] for stored in _stored(tmp_path / "incremental")]
    assert any('"nyoppnat"' in record for record in slugs)
    assert not any(f'"{removed.stem}"' in record for record in slugs)
    assert _answers(tmp_path / "incremental") == _answers(tmp_path / "full")
    assert _term_map(tmp_path / "incremental") == _term_map(tmp_path / "full")


def test_a_crash_half_way_through_an_incremental_build_keeps_the_last_good_index(tmp_path, built, monkeypatch):
    folder, root = built
    good, answers = builder.current_folder(root), _answers(root)
    _change_one(folder)
    (folder / "providers" / "nyoppnat.md").write_text(
        "---\nname: Nyöppnat\nsummary: Ny.\nstatus: active\nreviewed: 2025-01-01\nsources: [{title: T, date: 2024}]\n"
        "---\nText.\n",
        encoding="utf-8",
    )
    real_write = shards._write_segment
    calls = []

    def crashes_on_the_second_shard(shard):
        calls.append(shard)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_write(shard)

    monkeypatch.setattr(shards, "_write_segment", crashes_on_the_second_shard)
    with pytest.raises(OSError):
        builder.rebuild(folder, root)
    assert builder.current_folder(root) == good and _answers(root) == answers
    assert sorted(path.name for path in root.glob("build-*")) == [good.name]
    assert (good / shards.MANIFEST).exists()
    monkeypatch.setattr(shards, "_write_segment", real_write)
    builder.rebuild(folder, root)
    assert builder.current_folder(root) != good and _answers(root) != answers


KILLED_MID_BUILD = """
import os, signal, sys
from pathlib import Path
from catalogue.index import builder, shards
shards.SHARD_SIZE = 1
real_write = shards._write_segment
def dies(shard):
    real_write(shard)  # one shard's segment is on disk when the process dies
    os.kill(os.getpid(), signal.SIGKILL)
shards._write_segment = dies
builder.rebuild(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_a_build_killed_half_way_keeps_the_last_good_index_and_the_next_build_cleans_up(tmp_path, built):
    folder, root = built
    good, answers = builder.current_folder(root), _answers(root)
    _change_one(folder)
    killed = subprocess.run([sys.executable, "-c", KILLED_MID_BUILD, str(folder), str(root)], cwd=ROOT, check=False)
    assert killed.returncode == -signal.SIGKILL
    assert len(list(root.glob("build-*"))) == 2  # the half-written one is left by the kill...
    assert builder.current_folder(root) == good and builder.has_readable_index(root)
    assert builder.last_good_build(root) == good  # ...and is never taken for a build
    assert _answers(root) == answers
    builder.rebuild(folder, root)
    assert sorted(path.name for path in root.glob("build-*")) == sorted([good.name, builder.current_folder(root).name])
    builder.rebuild(folder, tmp_path / "full", full=True)
    assert _answers(root) == _answers(tmp_path / "full")


def test_a_segment_shared_with_the_previous_build_is_a_link_to_the_same_file(tmp_path, built):
    folder, root = built
    first = builder.current_folder(root)
    _change_one(folder)
    builder.rebuild(folder, root)
    second = builder.current_folder(root)
    shared = {path.name for path in first.glob("*.seg")} & {path.name for path in second.glob("*.seg")}
    assert len(shared) == len(list(first.glob("*.seg"))) - 1
    assert all(os.path.samefile(first / name, second / name) for name in shared)


def test_the_index_command_can_still_build_everything_anew(app, written):
    assert app.test_cli_runner().invoke(args=["catalogue", "index"]).exit_code == 0
    assert written == []  # nothing changed: every shard is shared
    result = app.test_cli_runner().invoke(args=["catalogue", "index", "--full"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((builder.current_folder(app.config["INDEX_DIR"]) / shards.MANIFEST).read_text())
    assert sorted(written) == list(range(len(manifest["digests"])))


def test_a_build_without_a_term_map_is_searched_the_same(tmp_path, built):
    """A build from before the term map (or with a damaged one) reads each segment's terms instead."""
    folder, root = built
    answers = _answers(root)
    term_map = builder.current_folder(root) / shards.TERM_MAP
    term_map.write_bytes(b"damaged")
    assert _answers(root) == answers
    term_map.unlink()
    for terms in builder.current_folder(root).glob("terms-*"):
        terms.unlink()
    assert _answers(root) == answers
    _change_one(folder)
    builder.rebuild(folder, root)  # segments without their terms are written anew, not shared
    builder.rebuild(folder, tmp_path / "full", full=True)
    assert _answers(root) == _answers(tmp_path / "full")


def test_a_file_renamed_with_the_same_text_is_a_new_version(tmp_path, built):
    """The slug is the file's name: the same text under another name is another record."""
    folder, root = built
    before = builder.published_version(root)
    renamed = sorted((folder / "providers").glob("*.md"))[0]
    renamed.rename(renamed.with_name("nytt-namn.md"))
    builder.rebuild(folder, root)
    assert builder.published_version(root) != before
    builder.rebuild(folder, tmp_path / "full", full=True)
    assert _stored(root) == _stored(tmp_path / "full")
    assert any(json.loads(json.loads(stored)["record"])["slug"] == "nytt-namn" for stored in _stored(root))


def test_an_index_of_nothing_opens_and_answers_nothing(tmp_path):
    (tmp_path / "content" / "providers").mkdir(parents=True)
    shutil.copy(FIXTURES / "content" / "site.yml", tmp_path / "content")  # a municipality with no offerings
    builder.rebuild(tmp_path / "content", tmp_path / "index")
    snapshot = engine.Snapshot(builder.current_folder(tmp_path / "index"))
    assert engine.run(snapshot, parse(MultiDict([("q", "kafé")])), "sv").total == 0


def test_a_file_with_errors_is_checked_again_each_time(loaded_once):
    """An error can be today's only ("a date in the future"): it is never kept in the cache."""
    folder, cache, parsed = loaded_once
    broken = sorted((folder / "providers").glob("*.md"))[0]
    broken.write_text(re.sub(r"status: \w+", "status: oppen", broken.read_text(encoding="utf-8")), "utf-8")
    content.load_content(folder, cache)
    content.load_content(folder, cache)
    assert parsed == [broken.name, broken.name]
