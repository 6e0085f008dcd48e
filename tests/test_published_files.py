"""The large open-data answers (catalogue CSV and NDJSON, the Atom feed, the sitemap and its parts) are made
once per index version when it is published, and served as files with an ETag and gzip (issue 28)."""

import gzip
import json
import shutil
from pathlib import Path

import pytest
from app_factory import make_app

from catalogue import caching
from catalogue.editorial import editing
from catalogue.index import builder
from catalogue.opendata import exports, files

PUBLIC = "https://hittasysselsattning.example.se"
MADE = ["/oppna-data/katalog.csv", "/oppna-data/katalog.ndjson", "/feed.atom", "/sitemap.xml"]
NEW = (
    "---\nname: Nyöppnat\nsummary: Helt ny verksamhet.\nstatus: active\nreviewed: 2025-01-01\n"
    "sources: [{title: T, date: 2024}]\n---\nText.\n"
)


@pytest.fixture
def public_app(site, tmp_path):
    return make_app(tmp_path, template=Path(site.config["CONTENT_DIR"]).parent, PUBLIC_URL=PUBLIC)


@pytest.fixture
def sent(monkeypatch):
    """The files sent (each answer sent from a file, not made by its view)."""
    names = []
    real_send = files._send

    def send(folder, made, current):
        names.append(made["name"])
        return real_send(folder, made, current)

    monkeypatch.setattr(files, "_send", send)
    return names


def _get(client, address, **headers):
    """A GET whose body is read and whose file is closed, as a server does."""
    response = client.get(address, headers=headers)
    response.get_data()
    response.close()
    return response


def _files(app) -> Path:
    return builder.current_folder(app.config["INDEX_DIR"]) / files.FOLDER


@pytest.mark.parametrize("address", MADE)
def test_each_answer_is_a_file_made_at_start_and_the_same_as_made_per_request(public_app, address, sent):
    client = public_app.test_client()
    served = _get(client, address)
    assert served.status_code == 200 and len(sent) == 1  # from the file, not rendered
    shutil.rmtree(_files(public_app))
    made_now = _get(client, address)
    assert len(sent) == 1
    assert made_now.data == served.data and made_now.headers["Content-Type"] == served.headers["Content-Type"]
    assert made_now.headers.get("Content-Disposition") == served.headers.get("Content-Disposition")
    assert PUBLIC.encode() in served.data


def test_no_file_answer_is_made_during_a_request(public_app, monkeypatch):
    def refuses():
        raise AssertionError("the catalogue was made during a request")

    monkeypatch.setattr(exports, "_catalogue", refuses)
    client = public_app.test_client()
    assert _get(client, "/oppna-data/katalog.csv").status_code == 200
    assert _get(client, "/oppna-data/katalog.ndjson").status_code == 200


def test_a_file_is_sent_compressed_with_an_etag_that_revalidates(public_app):
    client = public_app.test_client()
    plain = _get(client, "/oppna-data/katalog.csv")
    zipped = _get(client, "/oppna-data/katalog.csv", **{"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + ':gzip"'
    revalidation = {"If-None-Match": zipped.headers["ETag"], "Accept-Encoding": "gzip"}
    again = _get(client, "/oppna-data/katalog.csv", **revalidation)
    assert again.status_code == 304


def test_a_publish_makes_the_new_versions_files(public_app, monkeypatch):
    content = Path(public_app.config["CONTENT_DIR"])
    (content / "providers" / "nyoppnat.md").write_text(NEW, encoding="utf-8")
    result = public_app.test_cli_runner().invoke(args=["catalogue", "index"])
    assert result.exit_code == 0, result.output
    assert (_files(public_app) / files.MANIFEST).exists()
    monkeypatch.setattr(exports, "_catalogue", lambda: pytest.fail("made during a request"))
    assert "Nyöppnat" in _get(public_app.test_client(), "/oppna-data/katalog.csv").data.decode("utf-8-sig")


def test_the_desks_publish_makes_the_files_too(public_app):
    (Path(public_app.config["CONTENT_DIR"]) / "providers" / "nyoppnat.md").write_text(NEW, encoding="utf-8")
    with public_app.test_request_context("/"):
        editing.publish(public_app.config)
    assert b"nyoppnat" in _get(public_app.test_client(), "/oppna-data/katalog.ndjson").data
    assert (_files(public_app) / files.MANIFEST).exists()


def test_until_the_new_files_are_made_the_previous_ones_serve_and_no_cache_keeps_them(public_app, monkeypatch):
    client = public_app.test_client()
    before = _get(client, "/oppna-data/katalog.csv").data
    (Path(public_app.config["CONTENT_DIR"]) / "providers" / "nyoppnat.md").write_text(NEW, encoding="utf-8")
    assert public_app.test_cli_runner().invoke(args=["catalogue", "index"]).exit_code == 0
    shutil.rmtree(_files(public_app))  # the moment after the switch, before the publishing process made them
    monkeypatch.setattr(exports, "_catalogue", lambda: pytest.fail("made during a request"))
    meanwhile = _get(client, "/oppna-data/katalog.csv")
    assert meanwhile.data == before
    assert meanwhile.headers["Cache-Control"] == "no-store" and "ETag" not in meanwhile.headers
    monkeypatch.undo()
    files.make(public_app)  # made: the new version's file serves, and caches may keep it
    made = _get(client, "/oppna-data/katalog.csv")
    assert "Nyöppnat" in made.data.decode("utf-8-sig")
    assert made.headers["Cache-Control"] == caching.CACHE_CONTROL and made.headers["ETag"]


def test_files_that_could_not_be_made_are_made_per_request_not_taken_from_an_older_version(public_app, monkeypatch):
    (Path(public_app.config["CONTENT_DIR"]) / "providers" / "nyoppnat.md").write_text(NEW, encoding="utf-8")
    monkeypatch.setattr(files, "_make_one", lambda *_arguments: 1 / 0)
    assert public_app.test_cli_runner().invoke(args=["catalogue", "index"]).exit_code == 0  # the publish stands
    assert not _files(public_app).exists()
    assert "Nyöppnat" in _get(public_app.test_client(), "/oppna-data/katalog.csv").data.decode("utf-8-sig")


def test_files_made_by_another_release_are_made_again(public_app, sent):
    manifest = _files(public_app) / files.MANIFEST
    made = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps(made | {"release": "an older one"}), encoding="utf-8")
    assert _get(public_app.test_client(), "/oppna-data/katalog.csv").status_code == 200 and sent == []
    files.make(public_app)
    assert json.loads(manifest.read_text(encoding="utf-8"))["release"] == public_app.config["RELEASE"]


def test_a_client_that_refuses_gzip_gets_the_plain_file(public_app):
    refused = _get(public_app.test_client(), "/oppna-data/katalog.csv", **{"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers and refused.data.startswith("\ufeff".encode())


def test_sitemap_parts_are_files_too(site, tmp_path, sent):
    app = make_app(tmp_path, template=Path(site.config["CONTENT_DIR"]).parent, PUBLIC_URL=PUBLIC, SITEMAP_MAX_URLS=40)
    client = app.test_client()
    index = _get(client, "/sitemap.xml")
    assert b"<sitemapindex" in index.data and b"/sitemap-2.xml" in index.data
    part = _get(client, "/sitemap-2.xml")
    assert part.status_code == 200 and b"<urlset" in part.data
    assert len(sent) == 2
    assert _get(client, "/sitemap-99.xml").status_code == 404


def test_without_a_public_address_each_answer_is_made_per_request(app, sent):
    assert not _files(app).exists()
    assert _get(app.test_client(), "/oppna-data/katalog.csv").status_code == 200 and sent == []


def test_files_that_cannot_be_made_cost_speed_never_the_site(site, tmp_path, monkeypatch):
    def disk_full(*_arguments):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "_make_one", disk_full)
    app = make_app(tmp_path, template=Path(site.config["CONTENT_DIR"]).parent, PUBLIC_URL=PUBLIC)
    assert not _files(app).exists() and not list(builder.current_folder(app.config["INDEX_DIR"]).glob(".files-*"))
    response = _get(app.test_client(), "/oppna-data/katalog.csv")
    assert response.status_code == 200 and PUBLIC.encode() in response.data
