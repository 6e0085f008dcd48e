"""One text policy at the edge: a NUL, a C0 control or a bidi override is refused in every field a
visitor, a provider or an editor can fill in, with a message in the page's language, and nothing is
stored, committed or published. What goes out is well-formed whatever the content holds.
"""

from __future__ import annotations

import importlib
import re
import xml.dom.minidom
from html import unescape
from pathlib import Path

import pytest
from forms import prefilled
from test_desk import PASSWORD, accept, sign_in, suggest

from catalogue.db import ErrorReport, Suggestion, db
from catalogue.editorial import desk
from catalogue.editorial.suggestions import QUESTIONS
from catalogue.facts import fields, textpolicy
from catalogue.index.content import parse_provider
from catalogue.site.shortlinks import QR_MAX_BYTES

# NUL, BEL, ESC, the right-to-left override and a first strong isolate: one of each class refused.
BAD = {"nul": "\x00", "bel": "\x07", "esc": "\x1b", "rlo": "\u202e", "fsi": "\u2068"}
SAID = {"sv": "osynliga styrtecken", "en": "invisible control characters"}


def stored(app, model) -> list:
    with app.app_context():
        return db.session.scalars(db.select(model)).all()


def test_the_rule_itself():
    assert textpolicy.forbidden("Kafé\tmed\r\nlunch") is None  # tab and line endings are text
    assert textpolicy.forbidden("a\x00b") == "U+0000" and textpolicy.forbidden("\u202egnp.exe") == "U+202E"
    assert textpolicy.forbidden("\u200fمرحبا") is None  # a right-to-left mark is not an override
    assert textpolicy.one_line("Unga\n\nSigned-off-by: M <m@x>\x00", 30) == "”Unga Signed-off-by: M <m@x>”"
    assert textpolicy.one_line("x" * 100, 10) == "”xxxxxxxxx…”"
    assert textpolicy.xml_safe("a\x00\x07b\tc\ufffe\ud800") == "ab\tc"


FIELDS = [question.name for question in QUESTIONS] + ["meddelande", "epost"]  # every field of the form


@pytest.mark.parametrize("kind", BAD)
def test_every_suggestion_field_refuses_invisible_characters(app, app_client, kind):
    """Field by field, in one app: each form is sent with one bad field, and nothing is ever stored."""
    examples = {"epost": "a@exempel.se", "contact-phone": "08-123 456 78", "contact-email": "a@exempel.se",
                "contact-website": "https://exempel.se", "hours": "1-12", "ips": "ja", "access": "beslut",
                "physical_accessibility": "hiss"}  # fmt: skip
    for number, field in enumerate(FIELDS):
        form = prefilled(app_client, "/verksamhet/kafe-solsidan/foresla-andring")
        form.setlist(field, [examples.get(field, "Text") + BAD[kind]])
        sender = {"REMOTE_ADDR": f"10.0.{number}.1"}  # one visitor each: the rate limit is not what is tested
        response = app_client.post("/verksamhet/kafe-solsidan/foresla-andring", data=form, environ_base=sender)
        assert response.status_code == 400, (field, kind)
    assert stored(app, Suggestion) == []


@pytest.mark.parametrize("kind", BAD)
def test_a_tips_name_and_an_error_report_refuse_them_too_in_the_visitors_language(app, app_client, kind):
    form = prefilled(app_client, "/en/tipsa")
    form.setlist("name", ["Café" + BAD[kind]])
    page = app_client.post("/en/tipsa", data=form)
    assert page.status_code == 400 and SAID["en"] in page.get_data(as_text=True)
    report = app_client.post("/rapportera-fel", data={"sida": "/sok", "meddelande": "Fel nummer" + BAD[kind]})
    assert report.status_code == 400 and SAID["sv"] in unescape(report.get_data(as_text=True))
    assert stored(app, Suggestion) == [] and stored(app, ErrorReport) == []


def test_a_report_with_a_nul_is_refused_on_postgresql_with_400_not_503(postgres_url, site, tmp_path):
    """PostgreSQL cannot store a NUL: it used to answer 503 with Retry-After, as if trying again could help."""
    import flask_migrate
    from app_factory import drop_database, make_app

    app = make_app(tmp_path, template=Path(site.config["CONTENT_DIR"]).parent, SQLALCHEMY_DATABASE_URI=postgres_url)
    with app.app_context():
        flask_migrate.upgrade()
    try:
        client = app.test_client()
        response = client.post("/rapportera-fel", data={"sida": "/sok", "meddelande": "Fel nummer\x00 här"})
        assert response.status_code == 400  # not a 503 "try again soon": trying again cannot help
        assert client.get("/forslag/abc%00def").status_code == 404
        form = prefilled(client, "/redaktion/logga-in")
        form.setlist("namn", ["an\x00na"])
        form.setlist("losenord", ["x" * 12])
        signing = client.post("/redaktion/logga-in", data=form)
        assert signing.status_code == 400 and "Fel namn eller lösenord" in signing.get_data(as_text=True)
    finally:
        drop_database(app)


@pytest.fixture
def signed_in(app):
    with app.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    client = app.test_client()
    assert sign_in(client).status_code == 303
    return client


@pytest.mark.parametrize("kind", ["nul", "rlo"])
def test_an_editors_edits_and_reply_refuse_them_and_nothing_is_written(app, signed_in, kind):
    before = (Path(app.config["CONTENT_DIR"]) / "providers" / "kafe-solsidan.md").read_text(encoding="utf-8")
    suggest(signed_in, **{"contact-phone": "08-111 11 11"})
    edited = accept(signed_in, 1, **{"contact-phone": "08-111 11 11" + BAD[kind]})
    assert edited.status_code == 400
    replied = accept(signed_in, 1, svar="Tack" + BAD[kind])
    assert replied.status_code == 400 and "osynligt styrtecken" in unescape(replied.get_data(as_text=True))
    assert (Path(app.config["CONTENT_DIR"]) / "providers" / "kafe-solsidan.md").read_text(encoding="utf-8") == before
    assert stored(app, Suggestion)[0].status == "new"


@pytest.mark.parametrize(
    ("name", "email"),
    [("anna\nSigned-off-by: x", "a@b.se"), ("Anna <a@b.se>", "a@b.se"), ("an\x00na", "a@b.se"),
     ("\u202eanna", "a@b.se"), ("anna", "a@b.se>\nx"), ("anna", "a <a@b.se>"), ("", "a@b.se"), ("x" * 81, "a@b.se")],
)  # fmt: skip
def test_editor_names_and_addresses_are_fit_to_sign_commits_with(app, name, email):
    result = app.test_cli_runner().invoke(args=["catalogue", "editor", "add", name, "--email", email],
                                          input=f"{PASSWORD}\n{PASSWORD}\n")  # fmt: skip
    assert result.exit_code == 1, result.output
    with app.app_context():
        assert db.session.scalars(db.select(desk.Editor)).all() == []


@pytest.mark.parametrize("kind", BAD)
def test_content_files_refuse_them_with_file_line_and_field(kind):
    escaped = {"nul": "\\0", "bel": "\\a", "esc": "\\e", "rlo": "\\u202e", "fsi": "\\u2068"}[kind]  # as YAML writes it
    text = (
        f'---\nname: "Kafé {escaped}Ängen"\nsummary: S.\nstatus: active\nreviewed: 2025-01-01\n'
        "sources: [{title: T, date: 2024}]\n---\n"
    )
    record, errors = parse_provider(Path("angen.md"), text)
    assert record is None
    [error] = [str(error) for error in errors]
    assert error.startswith("angen.md:2: name: innehåller ett osynligt styrtecken (U+")


# What goes out: the feeds are XML, well-formed whatever the content holds.

EVERY_CLASS = "".join(chr(code) for code in [*range(0, 0x20), 0x7F, 0x85, 0xA0, 0x200E, 0x202E, 0x2068, 0xFEFF,
                                               0xFFFE, 0xFFFF, 0x1F600, 0xE000])  # fmt: skip


def test_the_feeds_are_well_formed_xml_whatever_the_content_holds(app, app_client, monkeypatch):
    """The content checks refuse these, so the index is given them directly: every code point class."""
    feeds = importlib.import_module("catalogue.opendata.feeds")  # the module; the package's name is its blueprint
    real = feeds.catalogue_entries

    def hostile():
        entries = real()
        return [entry.__class__(entry.id, entry.title + EVERY_CLASS, entry.url, entry.updated,
                                entry.summary + EVERY_CLASS) for entry in entries]  # fmt: skip

    real_search_entry = feeds._search_entry

    def hostile_search_entry(match):
        entry = real_search_entry(match)
        return entry.__class__(entry.id, entry.title + EVERY_CLASS, entry.url, entry.updated,
                               entry.summary + EVERY_CLASS)  # fmt: skip

    monkeypatch.setattr(feeds, "catalogue_entries", hostile)
    monkeypatch.setattr(feeds, "_search_entry", hostile_search_entry)
    body = app_client.get("/feed.atom").get_data(as_text=True)
    document = xml.dom.minidom.parseString(body.encode("utf-8"))  # raises on ill-formed XML
    assert document.documentElement.tagName == "feed" and "\U0001f600" in body
    search = app_client.get("/sok.atom?q=kaf%C3%A9").get_data(as_text=True)
    assert xml.dom.minidom.parseString(search.encode("utf-8")).getElementsByTagName("entry")
    assert "\U0001f600" in search


def test_a_qr_code_is_limited_by_the_bytes_it_holds(client):
    ascii_path = "/sok?q=" + "a" * 1000
    assert client.get("/qr.svg", query_string={"u": ascii_path}).status_code == 200
    # 1,200 characters of "å" are 2,400 bytes: under the 2,000-character limit, over what a code holds.
    long = "/sok?q=" + "å" * 1200
    assert len(long) < 2000 and len(("http://localhost" + long).encode()) > QR_MAX_BYTES
    assert client.get("/qr.svg", query_string={"u": long}).status_code == 404  # was a 500 (DataOverflowError)
    fits = long[: len(long) - (len(("http://localhost" + long).encode()) - QR_MAX_BYTES + 1) // 2]
    assert len(("http://localhost" + fits).encode()) <= QR_MAX_BYTES
    assert client.get("/qr.svg", query_string={"u": fits}).status_code == 200  # just under the limit: drawn
    assert re.search(r"<svg", client.get("/qr.svg", query_string={"u": fits}).get_data(as_text=True))


FREE_TEXT_LIMITS = {"vacancies": 200, "target_group": 300}  # the content's limits (issue 23: the form said 300, 600)


@pytest.mark.parametrize("key", FREE_TEXT_LIMITS)
def test_the_forms_limits_are_the_contents_so_what_a_visitor_sends_an_editor_can_accept(app, key):
    """One character over is refused on the form, with the number; exactly the limit is accepted at the desk."""
    question = next(question for question in QUESTIONS if question.key == key)
    assert question.max_length == FREE_TEXT_LIMITS[key] == fields.FIELDS_BY_KEY[key].check.limit
    with app.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    client = app.test_client()
    form = prefilled(client, "/verksamhet/kafe-solsidan/foresla-andring")
    form.setlist(question.name, ["a" * (question.max_length + 1)])
    refused = client.post("/verksamhet/kafe-solsidan/foresla-andring", data=form)
    assert refused.status_code == 400 and f"högst {question.max_length} tecken" in refused.get_data(as_text=True)
    assert stored(app, Suggestion) == []
    form.setlist(question.name, ["Ord " * (question.max_length // 4)])
    assert client.post("/verksamhet/kafe-solsidan/foresla-andring", data=form).status_code == 303
    assert sign_in(client).status_code == 303
    assert accept(client, 1).status_code == 303
    [suggestion] = stored(app, Suggestion)
    assert suggestion.status == "accepted"
