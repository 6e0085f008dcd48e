"""The index is swapped atomically, noticed without a restart, and never lost to a content error."""

import os
import shutil
from pathlib import Path

import pytest

from catalogue import create_app
from catalogue.index import builder

NEW = (
    "name: Nyöppnat\nsummary: Helt ny verksamhet.\nstatus: active\nreviewed: 2025-01-01\n"
    "sources: [{title: T, date: 2024}]"
)


def test_the_site_builds_an_index_on_first_start(app):
    assert builder.current_folder(app.config["INDEX_DIR"]) is not None


def test_a_broken_file_does_not_stop_the_first_start(publish, tmp_path):
    publish.write("trasig", "name: [oj")
    app = create_app(
        {"CONTENT_DIR": publish.content_dir, "INDEX_DIR": tmp_path / "idx", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert app.test_client().get("/api/v1/sok").get_json()["total"] == 8


def test_a_running_site_notices_a_new_index_without_restart(publish, app, app_client):
    assert app_client.get("/api/v1/sok?q=nyöppnat").get_json()["total"] == 0
    publish.write("nyoppnat", NEW)
    result = app.test_cli_runner().invoke(args=["catalogue", "index"])
    assert result.exit_code == 0, result.output
    assert app_client.get("/api/v1/sok?q=nyöppnat").get_json()["total"] == 1


def test_a_content_error_keeps_the_last_good_index_serving(publish, app, app_client):
    before = builder.current_folder(app.config["INDEX_DIR"])
    publish.write("nyoppnat", NEW)
    publish.write("trasig", NEW.replace("status: active", "status: oppen"))
    result = app.test_cli_runner().invoke(args=["catalogue", "index"])
    assert result.exit_code == 1
    assert "trasig.md:4: status: okänt värde 'oppen'" in result.output
    assert "Det senaste fungerande indexet används fortfarande." in result.output
    assert builder.current_folder(app.config["INDEX_DIR"]) == before
    assert app_client.get("/api/v1/sok").get_json()["total"] == 8


def test_publishing_replaces_the_link_atomically_and_keeps_one_previous_build(app, content_dir):
    root = app.config["INDEX_DIR"]
    first = builder.current_folder(root)
    for _ in range(3):
        builder.rebuild(content_dir, root)
    builds = sorted(p.name for p in root.glob("build-*"))
    assert len(builds) == 2 and first.name not in builds
    assert os.readlink(root / "current") == builds[-1]
    assert not list(root.glob(".current-*"))


def test_a_reader_keeps_working_while_a_new_index_is_published(app, app_client, content_dir):
    catalogue = app.extensions["catalogue_index"]
    old = catalogue.snapshot()
    builder.rebuild(content_dir, app.config["INDEX_DIR"])
    with old.index.searcher() as searcher:
        assert searcher.doc_count() == 14  # 9 providers, 2 guidance pages, the site, places and thesaurus
    assert catalogue.snapshot() is not old


def test_check_command_lists_every_problem_and_fails(publish, app):
    publish.write(
        "trasig",
        "name: X\nsummary: Y\nstatus: active\nreviewed: 2025-01-01\n"
        "sources: [{title: T, date: 2024}]\ninriktning: social\nhours: [1-13]",
    )
    result = app.test_cli_runner().invoke(args=["catalogue", "check"])
    assert result.exit_code == 1
    assert "trasig.md:7: inriktning: okänt fält" in result.output
    assert "trasig.md:8: hours.0: okänt värde '1-13' – menade du '1-12'?" in result.output


def test_check_command_passes_on_good_content(app):
    result = app.test_cli_runner().invoke(args=["catalogue", "check"])
    assert result.exit_code == 0
    assert "9 verksamheter, inga fel." in result.output


def test_a_dangling_current_link_at_start_up_means_no_index_and_one_is_built(app, tmp_path):
    root = tmp_path / "dangling"
    root.mkdir()
    os.symlink("build-gone", root / "current")
    started = create_app({"CONTENT_DIR": app.config["CONTENT_DIR"], "INDEX_DIR": root,
                          "SQLALCHEMY_DATABASE_URI": "sqlite://"})  # fmt: skip
    assert started.test_client().get("/api/v1/sok").get_json()["total"] == 8
    assert builder.has_readable_index(root)


def test_a_current_build_that_is_not_an_index_at_start_up_is_replaced(app, tmp_path):
    root = tmp_path / "broken"
    (root / "build-broken").mkdir(parents=True)
    os.symlink("build-broken", root / "current")
    started = create_app({"CONTENT_DIR": app.config["CONTENT_DIR"], "INDEX_DIR": root,
                          "SQLALCHEMY_DATABASE_URI": "sqlite://"})  # fmt: skip
    assert started.test_client().get("/sok?q=kafé").status_code == 200


def _start_on_a_copy_of(app, tmp_path, name: str):
    """A new server whose index folder holds a copy of the app's published build."""
    root = tmp_path / name
    old = root / "build-0-older"
    shutil.copytree(builder.current_folder(app.config["INDEX_DIR"]), old)
    os.symlink(old.name, root / "current")
    return root, old


def test_a_build_from_an_older_release_is_rebuilt_at_start_up(app, tmp_path):
    root, old = _start_on_a_copy_of(app, tmp_path, "older-format")
    (old / builder.FORMAT_FILE).write_text("1", encoding="ascii")
    started = create_app({"CONTENT_DIR": app.config["CONTENT_DIR"], "INDEX_DIR": root,
                          "SQLALCHEMY_DATABASE_URI": "sqlite://"})  # fmt: skip
    assert builder.current_folder(root) not in (None, old)
    assert (builder.current_folder(root) / builder.FORMAT_FILE).read_text(encoding="ascii") == builder.INDEX_FORMAT
    assert started.test_client().get("/api/v1/sok").get_json()["total"] == 8


def test_a_build_whose_schema_no_longer_unpickles_is_rebuilt_at_start_up(app, tmp_path, monkeypatch):
    # What a build from before a renamed analysis class gives: Whoosh cannot unpickle its schema.
    root, old = _start_on_a_copy_of(app, tmp_path, "old-classes")
    opens = builder.index.open_dir

    def open_dir(folder, *args, **kwargs):
        if folder == str(old):
            raise AttributeError("Can't get attribute '_SwedishSuffixes' on <module 'catalogue.language.analysis'>")
        return opens(folder, *args, **kwargs)

    monkeypatch.setattr(builder.index, "open_dir", open_dir)
    started = create_app({"CONTENT_DIR": app.config["CONTENT_DIR"], "INDEX_DIR": root,
                          "SQLALCHEMY_DATABASE_URI": "sqlite://"})  # fmt: skip
    assert builder.current_folder(root) not in (None, old)
    assert started.test_client().get("/sok?q=kafé").status_code == 200


def test_the_published_build_deleted_while_serving_keeps_the_site_answering(publish, app, app_client):
    import shutil

    publish.write("nyoppnat", NEW)
    assert app.test_cli_runner().invoke(args=["catalogue", "index"]).exit_code == 0  # now two builds exist
    assert app_client.get("/api/v1/sok?q=nyöppnat").get_json()["total"] == 1
    shutil.rmtree(builder.current_folder(app.config["INDEX_DIR"]))
    for path in ["/sok?q=kafé", "/sok?q=musik&stadsdel=farsta", "/api/v1/sok?q=jobb", "/"]:
        assert app_client.get(path).status_code == 200, path  # from the previous good build


def test_index_runs_started_together_take_turns_and_all_publish(app):
    import threading

    from catalogue.index.content import load_content

    content = load_content(app.config["CONTENT_DIR"])
    errors: list[BaseException] = []

    def run():
        try:
            builder.build(content, app.config["INDEX_DIR"])
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and builder.has_readable_index(app.config["INDEX_DIR"])
    assert app.test_client().get("/api/v1/sok").get_json()["total"] == 8


def test_a_published_build_that_does_not_open_is_tried_once_and_the_last_good_one_serves(app, app_client, monkeypatch):
    from catalogue.search import engine

    root = app.config["INDEX_DIR"]
    (root / "build-broken").mkdir()
    os.symlink("build-broken", root / ".current-broken")
    os.replace(root / ".current-broken", root / "current")
    opened, original = [], engine.Snapshot
    monkeypatch.setattr(engine, "Snapshot", lambda folder: opened.append(folder.name) or original(folder))
    for _ in range(5):
        assert app_client.get("/sok?q=kafé").status_code == 200
    assert opened.count("build-broken") == 1 and len(opened) == 2  # the broken one once, then the good one


@pytest.mark.parametrize(
    "error",
    [OSError(28, "No space left on device", "index/build-1/_MAIN_1.toc"),
     PermissionError(13, "Permission denied", "index/build-1")],
)  # fmt: skip
def test_a_build_that_fails_for_the_disk_says_so_in_one_line_and_leaves_no_half_build(app, monkeypatch, error):
    index_root = Path(app.config["INDEX_DIR"])
    before = sorted(path.name for path in index_root.iterdir())

    def fails(*_args):
        raise error  # after the new build's folder was made: it must not be left behind

    monkeypatch.setattr(builder, "_write_build", fails)
    result = app.test_cli_runner().invoke(args=["catalogue", "index"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().splitlines() == [
        f"Indexet kunde inte byggas: {error.strerror} ({error.filename}). "
        "Det senaste fungerande indexet används fortfarande."
    ]
    assert sorted(path.name for path in index_root.iterdir()) == before  # the half-written build is gone
