"""The editors' desk, /redaktion: signing in, the queue, accepting and rejecting, freshness and the audit log.

Most tests sign in as an editor over a fresh app (its own copy of the fixture content); the attacker's
tests are in test_desk_attacks.py.
"""

import datetime as dt
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import flask_migrate
import pytest
from babel.dates import format_date
from forms import prefilled

from catalogue import create_app
from catalogue.db import Acceptance, AuditEntry, ErrorReport, Suggestion, db
from catalogue.editorial import desk, editing, invitations

PASSWORD = "ett långt och hemligt lösenord"
ROOT = Path(__file__).parent.parent


def csrf_token(client, path: str = "/redaktion/logga-in") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def sign_in(client, name: str = "anna", password: str = PASSWORD):
    return client.post(
        "/redaktion/logga-in", data={"namn": name, "losenord": password, "csrf_token": csrf_token(client)}
    )


@pytest.fixture
def editor(app):
    with app.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    return "anna"


@pytest.fixture
def signed_in(app, editor):
    client = app.test_client()
    assert sign_in(client).status_code == 303
    return client


def suggest(client, slug: str = "kafe-solsidan", **changes) -> str:
    """Send "Föreslå ändring" with some fields changed, as a visitor; the status address."""
    form = prefilled(client, f"/verksamhet/{slug}/foresla-andring")
    for name, value in changes.items():
        form.setlist(name, value if isinstance(value, list) else [value])
    response = client.post(f"/verksamhet/{slug}/foresla-andring", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def only(app, model):
    with app.app_context():
        return db.session.scalars(db.select(model).order_by(*model.__table__.primary_key.columns)).all()


def accept(client, number: int, **edits):
    form = prefilled(client, f"/redaktion/forslag/{number}", action=f"/redaktion/forslag/{number}/godta")
    for name, value in edits.items():
        form.setlist(name, value if isinstance(value, list) else [value])
    return client.post(f"/redaktion/forslag/{number}/godta", data=form)


def provider_file(app, slug: str = "kafe-solsidan") -> str:
    return (app.config["CONTENT_DIR"] / "providers" / f"{slug}.md").read_text(encoding="utf-8")


def test_an_editor_is_made_from_the_command_line_with_an_argon2_hash(app):
    result = app.test_cli_runner().invoke(
        args=["catalogue", "editor", "add", "bertil", "--email", "bertil@example.se"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = db.session.scalar(db.select(desk.Editor).filter_by(name="bertil"))
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    short = app.test_cli_runner().invoke(args=["catalogue", "editor", "add", "cecilia"], input="kort\nkort\n")
    assert short.exit_code == 1 and "minst 12 tecken" in short.output


def test_signing_in_gives_a_session_cookie_only_for_the_desk(app, editor):
    client = app.test_client()
    cookie = client.get("/redaktion/logga-in").headers["Set-Cookie"]
    assert "Path=/redaktion" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert sign_in(client).headers["Location"] == "/redaktion/"
    for path in ("/", "/verksamhet/kafe-solsidan", "/sok?q=kafe"):
        assert "Set-Cookie" not in client.get(path).headers


def test_the_session_cookie_is_secure_under_https(site, tmp_path):
    from app_factory import make_app

    secure = make_app(tmp_path, template=site.config["CONTENT_DIR"].parent, FORCE_HTTPS=True)
    cookie = secure.test_client().get("/redaktion/logga-in", base_url="https://localhost").headers["Set-Cookie"]
    assert "Secure" in cookie and "Path=/redaktion" in cookie


def test_a_wrong_password_says_so_without_saying_which_part_was_wrong(app, editor):
    client = app.test_client()
    wrong = sign_in(client, password="fel lösenord")
    unknown = sign_in(client, name="okänd")
    assert wrong.status_code == unknown.status_code == 400
    assert unescape(wrong.get_data(as_text=True)).count(desk.SIGN_IN_REFUSED) == 1
    assert unescape(unknown.get_data(as_text=True)).count(desk.SIGN_IN_REFUSED) == 1
    assert client.get("/redaktion/").status_code == 302


def test_the_queue_lists_suggestions_tips_and_reports_oldest_first(app, signed_in):
    suggest(signed_in, **{"contact-phone": "08-111 11 11"})
    suggest(signed_in, "musikhuset", meddelande="De har flyttat.")
    with app.app_context():
        db.session.add(ErrorReport(page="/verksamhet/musikhuset", message="Fel telefonnummer"))
        db.session.commit()
    page = signed_in.get("/redaktion/").get_data(as_text=True)
    assert page.index("Förslag #1") < page.index("Förslag #2")
    assert "Fel telefonnummer" in page
    assert signed_in.get("/redaktion/").headers["Cache-Control"] == "no-store"


def test_a_suggestion_shows_a_diff_against_the_current_file(app, signed_in):
    suggest(signed_in, hours=["", "1-12", "22-40"], **{"contact-phone": "08-111 11 11"})
    page = unescape(signed_in.get("/redaktion/forslag/1").get_data(as_text=True))
    table = page[page.index("Nu i filen") : page.index("</table>")]
    assert "Timmar i veckan" in table and "1–12 timmar i veckan, 10–24 timmar i veckan" in table
    assert "Telefon" in table and "Vet inte" in table and "08-111 11 11" in table
    assert "Adress" not in table  # unchanged fields are not in the diff


def test_accepting_writes_the_file_publishes_it_and_answers_the_sender(app, signed_in):
    status = suggest(signed_in, hours=["", "22-40"], epost="sandare@example.se", **{"contact-phone": "08-111 11 11"})
    response = accept(signed_in, 1, svar="Tack, nu står det rätt.")
    assert response.status_code == 303
    text = provider_file(app)
    assert "hours: [22-40]" in text and "phone: 08-111 11 11" in text
    assert "- title: Förslag från en läsare, kontrollerat av redaktionen" in text
    assert "covers: [contact.phone, hours]" in text
    page = unescape(signed_in.get("/verksamhet/kafe-solsidan").get_data(as_text=True))
    assert "08-111 11 11" in page and "Förslag från en läsare" in page
    status_page = unescape(signed_in.get(status).get_data(as_text=True))
    assert "Vi har lagt in förslaget på webbplatsen." in status_page and "Tack, nu står det rätt." in status_page
    (suggestion,) = only(app, Suggestion)
    assert suggestion.status == "accepted" and suggestion.reply_to is None  # the address is deleted when handled
    assert [entry.action for entry in only(app, AuditEntry)][-1] == "godkänt"


def test_accepting_keeps_field_order_and_comments(app, signed_in, publish):
    publish(
        "med-kommentar",
        "name: Med kommentar\nsummary: En verksamhet.\nstatus: active\nreviewed: 2025-01-01\n"
        "# Ringt och frågat i januari\nips: true\nsources:\n  - title: Egen sida\n    date: 2025",
    )
    suggest(signed_in, "med-kommentar", ips="nej")
    assert accept(signed_in, 1).status_code == 303
    text = provider_file(app, "med-kommentar")
    assert "# Ringt och frågat i januari\nips: false\n" in text
    assert text.index("name:") < text.index("summary:") < text.index("ips:") < text.index("sources:")


def test_removing_a_fact_or_replacing_a_list_keeps_the_comments_around_it(app, signed_in, publish):
    publish(
        "kommentarer",
        "name: Kommentarer\nsummary: En verksamhet.\nstatus: active\nreviewed: 2025-01-01\n"
        "ips: true # sagt i telefon\n# --- Så tar du dig dit ---\ntransport: [Buss 1]\n# Källor nedan\n"
        "sources:\n  - title: Egen sida\n    date: 2025",
    )
    suggest(signed_in, "kommentarer", ips="", transport="Buss 2\nTunnelbana Gullmarsplan")
    assert accept(signed_in, 1).status_code == 303
    text = provider_file(app, "kommentarer")
    assert "ips" not in text.split("sources:")[0] and "sagt i telefon" not in text  # its own comment went with it
    assert "# --- Så tar du dig dit ---\ntransport: [Buss 2, Tunnelbana Gullmarsplan]\n# Källor nedan\nsources:" in text


def test_an_editor_can_edit_before_accepting(app, signed_in):
    suggest(signed_in, **{"contact-phone": "08-111 11 11"})
    assert accept(signed_in, 1, **{"contact-phone": "08-222 22 22"}).status_code == 303
    assert "phone: 08-222 22 22" in provider_file(app)


def test_opening_hours_and_languages_are_read_back_from_how_the_page_writes_them(app, signed_in):
    suggest(
        signed_in,
        opening_hours="Måndag–fredag 09.00–15.00\nLördag 10.00–12.00 (bara kaféet)",
        languages="engelska, Arabic",
    )
    assert accept(signed_in, 1).status_code == 303
    text = provider_file(app)
    assert '- days: mon-fri\n    opens: "09:00"\n    closes: "15:00"' in text
    assert "note: bara kaféet" in text and "languages: [en, ar]" in text


def test_an_invalid_result_is_never_written_and_the_desk_says_why(app, signed_in):
    """An editor may edit a suggestion before accepting it: what the content would refuse is refused here,
    each field with its problem, and nothing is written."""
    before = provider_file(app)
    suggest(signed_in, opening_hours="Måndag 09.00–12.00", **{"contact-phone": "08-111 11 11"})
    response = accept(signed_in, 1, opening_hours="Ibland på förmiddagen", **{"contact-phone": "ring Lisa"})
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and "Ändringen sparades inte" in page
    assert "Öppettider, rad 1" in page and "Telefon: skriv ett telefonnummer" in page
    assert provider_file(app) == before
    assert only(app, Suggestion)[0].status == "new" and only(app, Acceptance) == []


def test_the_suggestion_form_takes_only_what_the_content_takes(client):
    """The form's limits are the content's: a sender never gets a thank-you for what an editor cannot save."""
    form = prefilled(client, "/verksamhet/kafe-solsidan/foresla-andring")
    form.setlist("vacancies", ["x" * 201])  # the content takes 200 (it was 300 on the form)
    form.setlist("target_group", ["y" * 301])  # the content takes 300 (it was 600)
    form.setlist("contact-phone", ["ring Lisa"])
    form.setlist("opening_hours", ["Ibland på förmiddagen"])
    response = client.post("/verksamhet/kafe-solsidan/foresla-andring", data=form)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Lediga platser: skriv högst 200 tecken." in page and "Målgrupp: skriv högst 300 tecken." in page
    assert "Telefon: skriv ett telefonnummer" in page and "Öppettider: skriv en rad för varje tid" in page


def test_rejecting_keeps_the_file_and_shows_the_reply(app, signed_in):
    before = provider_file(app)
    status = suggest(signed_in, epost="sandare@example.se", **{"contact-phone": "08-111 11 11"})
    token = csrf_token(signed_in, "/redaktion/forslag/1")
    response = signed_in.post("/redaktion/forslag/1/avsla", data={"csrf_token": token, "svar": "Numret går inte fram."})
    assert response.status_code == 303 and provider_file(app) == before
    page = unescape(signed_in.get(status).get_data(as_text=True))
    assert "Vi har inte lagt in förslaget." in page and "Numret går inte fram." in page
    assert only(app, Suggestion)[0].reply_to is None


def test_a_tip_becomes_a_new_provider_file(app, signed_in):
    form = prefilled(signed_in, "/tipsa")
    form.setlist("name", ["Café Ängen"])
    form.setlist("access", ["", "oppen"])
    assert signed_in.post("/tipsa", data=form).status_code == 303
    page = signed_in.get("/redaktion/forslag/1").get_data(as_text=True)
    assert 'value="cafe-angen"' in page
    assert accept(signed_in, 1, summary="Ett kafé i Ängen.").status_code == 303
    text = provider_file(app, "cafe-angen")
    assert "name: Café Ängen" in text and "status: active" in text and "access: [oppen]" in text
    assert signed_in.get("/verksamhet/cafe-angen").status_code == 200


def test_a_tip_needs_a_summary_before_it_is_written(app, signed_in):
    signed_in.post("/tipsa", data={**prefilled(signed_in, "/tipsa"), "name": "Nytt ställe"})
    response = accept(signed_in, 1)
    assert response.status_code == 400 and "Skriv en kort beskrivning" in response.get_data(as_text=True)
    assert not (app.config["CONTENT_DIR"] / "providers" / "nytt-stalle.md").exists()


def test_in_a_git_work_tree_each_accepted_change_is_one_commit_by_the_editor(app, signed_in):
    content = app.config["CONTENT_DIR"]
    for command in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=Test", "-c", "user.email=t@example.se", "commit", "-qm", "start"],
    ):
        subprocess.run(["git", "-C", str(content), *command], check=True)
    suggest(signed_in, **{"contact-phone": "08-111 11 11"})
    assert accept(signed_in, 1).status_code == 303
    log = subprocess.run(
        ["git", "-C", str(content), "log", "-1", "--format=%an <%ae>%n%s%n%b", "--name-only"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert log.startswith("anna <anna@example.se>\nkafe-solsidan: contact.phone (förslag #1)")
    assert "- contact.phone: ”Vet inte” -> ”08-111 11 11”" in log and "providers/kafe-solsidan.md" in log
    count = subprocess.run(["git", "-C", str(content), "rev-list", "--count", "HEAD"], capture_output=True, text=True)
    assert count.stdout.strip() == "2"


def test_when_git_fails_nothing_is_lost(app, signed_in):
    content = app.config["CONTENT_DIR"]
    subprocess.run(["git", "-C", str(content), "init", "-q"], check=True)
    hook = content / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'disken är full' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = provider_file(app)
    suggest(signed_in, **{"contact-phone": "08-111 11 11"})
    response = accept(signed_in, 1)
    assert response.status_code == 409 and "Git kunde inte spara ändringen: disken är full" in response.get_data(
        as_text=True
    )
    assert provider_file(app) == before
    assert only(app, Suggestion)[0].status == "new"  # still in the queue
    assert "08-111 11 11" not in signed_in.get("/verksamhet/kafe-solsidan").get_data(as_text=True)


def test_when_the_disk_fails_nothing_is_lost(app, signed_in, monkeypatch):
    before = provider_file(app)
    suggest(signed_in, **{"contact-phone": "08-111 11 11"})

    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(editing.os, "replace", disk_full)
    response = accept(signed_in, 1)
    assert response.status_code == 409 and "Filen kunde inte sparas (No space left on device)" in response.get_data(
        as_text=True
    )
    assert provider_file(app) == before and only(app, Suggestion)[0].status == "new"
    assert not list((app.config["CONTENT_DIR"] / "providers").glob(".*.tmp"))


def test_error_reports_are_marked_done_from_the_queue(app, signed_in):
    with app.app_context():
        db.session.add(ErrorReport(page="/verksamhet/musikhuset", message="Stängt på fredagar"))
        db.session.commit()
    token = csrf_token(signed_in, "/redaktion/")
    assert signed_in.post("/redaktion/rapport/1/klar", data={"csrf_token": token}).status_code == 303
    assert only(app, ErrorReport) == []
    done = only(app, AuditEntry)[-1]
    assert done.subject == "rapport #1" and "Stängt på fredagar" not in done.detail  # the log outlives the report


def test_freshness_lists_offerings_by_age_of_evidence_and_missing_facts(app, signed_in):
    page = unescape(signed_in.get("/redaktion/aktualitet").get_data(as_text=True))
    names = re.findall(r'<th scope="row"><a href="/verksamhet/([^"]+)"', page)
    assert names and "nedlagda-verkstaden" not in names  # closed offerings are not asked
    rows = re.findall(r"</a></th>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>", page)
    # Age counts from the newest source, or from the offering's own confirmation when that is later:
    # Musikhuset confirmed its facts on 20 January 2025 and so comes after every 2024 source.
    since = [max(newest, confirmed if confirmed != "aldrig" else "") for newest, confirmed in rows]
    assert since == sorted(since)
    assert dict(zip(names, rows, strict=True))["musikhuset"] == ("2024", "2025-01-20")
    assert dict(zip(names, rows, strict=True))["kafe-solsidan"][1] == "aldrig"  # a re-read is no confirmation
    assert "<strong>Dags att fråga</strong>" in page


def test_an_invitation_made_in_the_desk_is_logged_and_no_longer_due(app, signed_in):
    token = csrf_token(signed_in, "/redaktion/aktualitet")
    page = signed_in.post("/redaktion/inbjudan/kafe-solsidan", data={"csrf_token": token}).get_data(as_text=True)
    link = re.search(r'class="short-link">http://localhost(/uppdatera/[^<]+)<', page).group(1)
    assert signed_in.get(link).status_code == 200
    assert only(app, AuditEntry)[-1].action == "inbjudan skapad"
    freshness = signed_in.get("/redaktion/aktualitet").get_data(as_text=True)
    row = freshness[freshness.index('href="/verksamhet/kafe-solsidan"') :]
    assert (
        dt.date.today().isoformat() in row[: row.index("</tr>")] and "Dags att fråga" not in row[: row.index("</tr>")]
    )


def test_the_audit_log_records_who_did_what(app, signed_in):
    suggest(signed_in, **{"contact-phone": "08-111 11 11"})
    accept(signed_in, 1)
    signed_in.post("/redaktion/logga-ut", data={"csrf_token": csrf_token(signed_in, "/redaktion/")})
    entries = [(entry.editor, entry.action) for entry in only(app, AuditEntry)]
    assert entries == [
        ("kommandoraden", "redaktör skapad"),
        ("anna", "inloggning"),
        ("anna", "godkänt"),
        ("anna", "utloggning"),
    ]
    sign_in(signed_in)
    log = signed_in.get("/redaktion/logg").get_data(as_text=True)
    assert "godkänt" in log and "kafe-solsidan: contact.phone" in log


def test_a_provider_updates_its_own_facts_through_an_invitation(app, signed_in):
    result = app.test_cli_runner().invoke(args=["catalogue", "invite", "kafe-solsidan", "--days", "14"])
    assert result.exit_code == 0, result.output
    link = re.search(r"http://localhost:5000(/uppdatera/\S+)", result.output).group(1)
    provider = app.test_client()
    page = provider.get(link)
    assert page.status_code == 200 and "Uppdatera era uppgifter" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and page.headers["X-Robots-Tag"] == "noindex"
    assert "Set-Cookie" not in page.headers
    form = prefilled(provider, link)
    form.setlist("hours", ["", "10-24"])
    status = provider.post(link, data=form).headers["Location"]
    review = signed_in.get("/redaktion/forslag/1").get_data(as_text=True)
    assert "Verksamheten själv" in review and "”Uppgifter från verksamheten”" in unescape(review)
    assert accept(signed_in, 1, svar="Tack för uppdateringen!").status_code == 303
    public = unescape(signed_in.get("/verksamhet/kafe-solsidan").get_data(as_text=True))
    assert (
        "10–24 timmar i veckan" in public and f"Uppgifter från verksamheten ({dt.date.today().isoformat()})" in public
    )
    # The offering itself sent its facts: that is a confirmation, with its day and how.
    today = format_date(dt.date.today(), format="long", locale="sv")
    assert f"Verksamheten bekräftade uppgifterna {today} genom sin inbjudan." in public
    file = (Path(app.config["CONTENT_DIR"]) / "providers" / "kafe-solsidan.md").read_text(encoding="utf-8")
    assert f"confirmed:\n  date: {dt.date.today().isoformat()}\n  via: invitation\n" in file
    assert "Tack för uppdateringen!" in unescape(provider.get(status).get_data(as_text=True))


def test_a_provider_says_allt_stammer_in_one_step_and_the_editor_accepts_it_in_one(app, signed_in):
    result = app.test_cli_runner().invoke(args=["catalogue", "invite", "kafe-solsidan"])
    link = re.search(r"http://localhost:5000(/uppdatera/\S+)", result.output).group(1)
    provider = app.test_client()
    page = provider.get(link).get_data(as_text=True)
    assert "Stämmer allt?" in page and '<input type="hidden" name="allt-stammer" value="ja">' in page
    before = provider_file(app)
    sent = provider.post(link, data={"allt-stammer": "ja"})  # the one button, nothing else
    assert sent.status_code == 303
    [suggestion] = only(app, Suggestion)
    assert suggestion.from_provider and suggestion.changes == {} and suggestion.status == "new"
    review = signed_in.get("/redaktion/forslag/1").get_data(as_text=True)
    assert "Verksamheten bekräftar genom sin inbjudan att alla uppgifter på sidan stämmer" in review
    one_click = {"csrf_token": csrf_token(signed_in, "/redaktion/forslag/1")}  # the button, nothing edited
    assert signed_in.post("/redaktion/forslag/1/godta", data=one_click).status_code == 303
    after = provider_file(app)
    assert f"confirmed:\n  date: {dt.date.today().isoformat()}\n  via: invitation\n" in after
    added = [line.strip() for line in after.splitlines() if line not in before.splitlines()]
    today_iso = dt.date.today().isoformat()
    assert set(added) <= {"confirmed:", f"date: {today_iso}", "via: invitation", f"reviewed: {today_iso}",
                          "- title: Uppgifter från verksamheten"}, added  # no fact changed  # fmt: skip
    public = unescape(signed_in.get("/verksamhet/kafe-solsidan").get_data(as_text=True))
    today = format_date(dt.date.today(), format="long", locale="sv")
    assert f"Verksamheten bekräftade uppgifterna {today} genom sin inbjudan." in public
    assert only(app, Suggestion)[0].status == "accepted"


def test_allt_stammer_counts_only_through_an_invitation(app, app_client):
    """On the public form the same field changes nothing and confirms nothing: a visitor is not the offering."""
    response = app_client.post("/verksamhet/kafe-solsidan/foresla-andring", data={"allt-stammer": "ja"})
    assert response.status_code == 400 and "Du har inte ändrat något" in response.get_data(as_text=True)
    assert only(app, Suggestion) == []


def test_a_readers_accepted_suggestion_moves_the_review_date_but_confirms_nothing(app, signed_in):
    suggest(signed_in, **{"contact-phone": "08-111 11 11"})
    accept(signed_in, 1)
    file = (Path(app.config["CONTENT_DIR"]) / "providers" / "kafe-solsidan.md").read_text(encoding="utf-8")
    assert f"reviewed: {dt.date.today().isoformat()}" in file and "confirmed" not in file
    public = unescape(signed_in.get("/verksamhet/kafe-solsidan").get_data(as_text=True))
    assert "Verksamheten har inte bekräftat uppgifterna ännu." in public


def test_the_invite_command_refuses_an_unknown_provider(app):
    result = app.test_cli_runner().invoke(args=["catalogue", "invite", "../finns-inte"])
    assert result.exit_code == 1 and "Det finns ingen verksamhet" in result.output


@pytest.mark.system  # a copy of the whole real catalogue: `make test` runs it
def test_the_desk_works_on_the_real_catalogue(tmp_path):
    """A real provider file (comments, quoted times, old sources) takes a provider's update and stays valid."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    app = create_app(
        {"CONTENT_DIR": tmp_path / "content", "INDEX_DIR": tmp_path / "index",
         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}", "TESTING": True}
    )  # fmt: skip
    with app.app_context():
        flask_migrate.upgrade()
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    editor = app.test_client()
    sign_in(editor)
    freshness = editor.get("/redaktion/aktualitet").get_data(as_text=True)
    assert freshness.count('<th scope="row">') == sum(
        1 for path in (ROOT / "content" / "providers").glob("*.md") if "status: active" in path.read_text()
    )
    before = (tmp_path / "content" / "providers" / "aktivitetshuset.md").read_text(encoding="utf-8")
    with app.test_request_context():
        _invitation, token = invitations.create("aktivitetshuset", "anna")
        db.session.commit()
    provider = app.test_client()
    form = prefilled(provider, f"/uppdatera/{token}")
    form.setlist("hours", ["", "1-12", "10-24"])
    form.setlist("contact-phone", ["08-508 00 000"])
    assert provider.post(f"/uppdatera/{token}", data=form).status_code == 303
    assert accept(editor, 1).status_code == 303
    after = (tmp_path / "content" / "providers" / "aktivitetshuset.md").read_text(encoding="utf-8")
    assert after.startswith(before[: before.index("reviewed:")])  # name and summary untouched
    assert before[before.index("opening_hours:") : before.index("contact:")] in after  # quoted times kept
    assert "hours: [1-12, 10-24]" in after and "phone: 08-508 00 000" in after
    page = unescape(editor.get("/verksamhet/aktivitetshuset").get_data(as_text=True))
    assert "08-508 00 000" in page and "Uppgifter från verksamheten" in page


def test_a_broken_file_elsewhere_keeps_the_change_but_says_it_is_not_on_the_site_yet(app, signed_in, publish):
    suggest(signed_in, **{"contact-phone": "08-111 11 11"})
    publish.write("trasig", "name: Trasig\nstatus: kanske")
    response = accept(signed_in, 1)
    assert response.status_code == 303
    queue = unescape(signed_in.get("/redaktion/").get_data(as_text=True))
    assert "är sparat i filen men inte publicerat" in queue and "trasig.md" in queue
    written = provider_file(app)
    assert "phone: 08-111 11 11" in written
    # Not "accepted" before it is public: the sender still sees that it waits.
    [suggestion] = only(app, Suggestion)
    assert suggestion.status == "accepting"
    assert "inte hunnit titta på det ännu" in signed_in.get(f"/forslag/{suggestion.token}").get_data(as_text=True)
    [steps] = only(app, Acceptance)
    assert steps.written_at is not None and steps.published_at is None and steps.told_at is None
    (Path(app.config["CONTENT_DIR"]) / "providers" / "trasig.md").unlink()  # the editor mends the other file
    assert accept(signed_in, 1).status_code == 303
    assert provider_file(app) == written  # published now, written once
    assert only(app, Suggestion)[0].status == "accepted" and only(app, Acceptance)[0].told_at is not None
    assert "08-111 11 11" in signed_in.get("/verksamhet/kafe-solsidan").get_data(as_text=True)


def test_an_editors_session_ends_after_a_working_day(app, signed_in):
    cookie = signed_in.get("/redaktion/").headers["Set-Cookie"]
    expires = dt.datetime.strptime(re.search(r"Expires=([^;]+)", cookie).group(1), "%a, %d %b %Y %H:%M:%S GMT")
    hours = (expires.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)).total_seconds() / 3600
    assert desk.SESSION_HOURS - 0.1 < hours <= desk.SESSION_HOURS


def test_a_failed_index_build_keeps_the_change_and_says_so(app, signed_in, monkeypatch):
    suggest(signed_in, **{"contact-phone": "08-111 11 11"})

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(editing.builder, "build", disk_full)
    assert accept(signed_in, 1).status_code == 303
    queue = unescape(signed_in.get("/redaktion/").get_data(as_text=True))
    assert "inte publicerat: indexet kunde inte byggas" in queue and "godkänt och publicerat" not in queue
    assert "phone: 08-111 11 11" in provider_file(app) and only(app, Suggestion)[0].status == "accepting"
    assert signed_in.get("/verksamhet/kafe-solsidan").status_code == 200  # the old index still serves
    monkeypatch.undo()  # room on the disk again
    assert accept(signed_in, 1).status_code == 303
    assert only(app, Suggestion)[0].status == "accepted"
    assert "08-111 11 11" in signed_in.get("/verksamhet/kafe-solsidan").get_data(as_text=True)


def test_an_accept_cut_off_after_writing_is_finished_by_accepting_again_without_writing_twice(
    app, signed_in, monkeypatch
):
    suggest(signed_in, **{"contact-phone": "08-111 11 11"})

    def database_gone(*_args):
        raise RuntimeError("the process died here")

    monkeypatch.setattr(desk, "_handled", database_gone)
    assert accept(signed_in, 1).status_code == 500  # the calm error page
    written = provider_file(app)
    assert "phone: 08-111 11 11" in written and only(app, Suggestion)[0].status == "accepting"
    status = signed_in.get(f"/forslag/{only(app, Suggestion)[0].token}")  # the sender still sees a calm page
    assert status.status_code == 200 and "inte hunnit titta på det ännu" in status.get_data(as_text=True)
    monkeypatch.undo()
    queue = signed_in.get("/redaktion/").get_data(as_text=True)
    assert "godkännandet avbröts" in queue
    assert accept(signed_in, 1).status_code == 303
    assert provider_file(app) == written  # not a second source, not a second write
    assert "Filen hade redan ändringen från ett avbrutet godkännande" in unescape(
        signed_in.get("/redaktion/").get_data(as_text=True)
    )
    assert only(app, Suggestion)[0].status == "accepted"


def test_an_address_known_only_by_its_note_keeps_it_as_a_note(app, signed_in, publish):
    publish(
        "villan",
        "name: Villan\nsummary: En villa.\nstatus: active\nreviewed: 2025-01-01\n"
        "address:\n  note: En stor villa vid Stora Sköndal, granne med Ersta Sköndal\n"
        "sources:\n  - title: Egen sida\n    date: 2025",
    )
    suggest(signed_in, "villan", address="En stor villa vid Stora Sköndal, granne med Ersta Sköndal, 128 64 Sköndal")
    assert accept(signed_in, 1).status_code == 303
    text = provider_file(app, "villan")
    assert (
        "postal_code: 128 64\n  city: Sköndal\n  note: En stor villa vid Stora Sköndal, granne med Ersta Sköndal"
        in text
    )
    assert "street:" not in text


def test_text_that_yaml_would_misread_is_written_so_that_it_reads_back(app, signed_in):
    tricky = {"target_group": "@Alla vuxna: välkomna: ja", "vacancies": "no", "contact-website": "https://x.se/#a"}
    tricky |= {"transport": "*Buss 4\n!Tunnelbana: grön linje\n% nattbuss"}
    suggest(signed_in, **tricky)
    assert accept(signed_in, 1).status_code == 303
    record = app.extensions["catalogue_index"].snapshot().provider("kafe-solsidan")
    assert record["target_group"] == "@Alla vuxna: välkomna: ja" and record["vacancies"] == "no"
    assert record["transport"] == ["*Buss 4", "!Tunnelbana: grön linje", "% nattbuss"]
