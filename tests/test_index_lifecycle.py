"""The index is swapped atomically, noticed without a restart, and never lost to a content error."""

import os

from catalogue import create_app, indexing

NEW = (
    "name: Nyöppnat\nsummary: Helt ny verksamhet.\nstatus: active\nverified: 2025-01-01\n"
    "sources: [{title: T, date: 2024}]"
)


def test_the_site_builds_an_index_on_first_start(app):
    assert indexing.current_folder(app.config["INDEX_DIR"]) is not None


def test_a_broken_file_does_not_stop_the_first_start(publish, tmp_path):
    publish.write("trasig", "name: [oj")
    app = create_app(
        {"CONTENT_DIR": publish.content_dir, "INDEX_DIR": tmp_path / "idx", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert app.test_client().get("/api/v1/sok").get_json()["total"] == 8


def test_a_running_site_notices_a_new_index_without_restart(publish, app, client):
    assert client.get("/api/v1/sok?q=nyöppnat").get_json()["total"] == 0
    publish.write("nyoppnat", NEW)
    result = app.test_cli_runner().invoke(args=["catalogue", "index"])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/sok?q=nyöppnat").get_json()["total"] == 1


def test_a_content_error_keeps_the_last_good_index_serving(publish, app, client):
    before = indexing.current_folder(app.config["INDEX_DIR"])
    publish.write("nyoppnat", NEW)
    publish.write("trasig", NEW.replace("status: active", "status: oppen"))
    result = app.test_cli_runner().invoke(args=["catalogue", "index"])
    assert result.exit_code == 1
    assert "trasig.md:4: status: okänt värde 'oppen'" in result.output
    assert "Det senaste fungerande indexet används fortfarande." in result.output
    assert indexing.current_folder(app.config["INDEX_DIR"]) == before
    assert client.get("/api/v1/sok").get_json()["total"] == 8


def test_publishing_replaces_the_link_atomically_and_keeps_one_previous_build(app, content_dir):
    root = app.config["INDEX_DIR"]
    first = indexing.current_folder(root)
    for _ in range(3):
        indexing.rebuild(content_dir, root)
    builds = sorted(p.name for p in root.glob("build-*"))
    assert len(builds) == 2 and first.name not in builds
    assert os.readlink(root / "current") == builds[-1]
    assert not list(root.glob(".current-*"))


def test_a_reader_keeps_working_while_a_new_index_is_published(app, client, content_dir):
    catalogue = app.extensions["catalogue_index"]
    old = catalogue.snapshot()
    indexing.rebuild(content_dir, app.config["INDEX_DIR"])
    with old.index.searcher() as searcher:
        assert searcher.doc_count() == 13  # 9 providers, 2 guidance pages, the places and thesaurus documents
    assert catalogue.snapshot() is not old


def test_check_command_lists_every_problem_and_fails(publish, app):
    publish.write(
        "trasig",
        "name: X\nsummary: Y\nstatus: active\nverified: 2025-01-01\n"
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
