"""The launch campaign on the desk: a whole group invited at once, by e-mail where an address is known
and by letter otherwise; the letters, the CSV for a mail merge, and the counts of sent, opened,
answered and accepted."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape
from pathlib import Path

import segno
from app_factory import make_app
from test_desk import PASSWORD, csrf_token, sign_in
from test_mail import Inbox, free_port, mail_settings, send

from catalogue.db import AuditEntry, Invitation, Suggestion, db, utc
from catalogue.editorial import desk
from catalogue.index import builder

ADDRESS = "info@kafesolsidan.example.se"


def campaign_app(tmp_path, site, port: int | None):
    settings = mail_settings(port) if port else {}
    app = make_app(tmp_path, template=site.config["CONTENT_DIR"].parent, **settings)
    content = Path(app.config["CONTENT_DIR"])
    path = content / "providers" / "kafe-solsidan.md"
    path.write_text(path.read_text(encoding="utf-8").replace("---\n", f"---\ncontact:\n  email: {ADDRESS}\n", 1),
                    encoding="utf-8")  # fmt: skip
    builder.rebuild(content, app.config["INDEX_DIR"])
    with app.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    return app


def invite_all(client):
    page = "/redaktion/kampanj"
    response = client.post(page, data={"grupp": "alla", "csrf_token": csrf_token(client, page)})
    assert response.status_code == 303
    return response.headers["Location"]


def invitations(app) -> list[Invitation]:
    with app.app_context():
        return db.session.scalars(db.select(Invitation).order_by(Invitation.id)).all()


def test_inviting_everyone_sends_mail_where_an_address_is_known_and_letters_otherwise(tmp_path, site):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app = campaign_app(tmp_path, site, controller.port)
        client = app.test_client()
        assert sign_in(client).status_code == 303
        batch = invite_all(client)
        made = invitations(app)
        active = len([1 for path in (Path(app.config["CONTENT_DIR"]) / "providers").glob("*.md")
                      if "status: active" in path.read_text(encoding="utf-8")])  # fmt: skip
        assert len(made) == active
        assert [i.provider for i in made if i.channel == "email"] == ["kafe-solsidan"]
        summary = unescape(client.get(batch).get_data(as_text=True))
        assert f"{active} inbjudningar är skapade" in summary and "1 går med e-post" in summary
        assert send(app).sent == 1
        [message] = inbox.messages
        assert message["To"] == ADDRESS and "Kafé Solsidan" in message["Subject"]
        link = re.search(r"http://localhost(/uppdatera/\S+)", message.get_content()).group(1)
        assert client.get(link).status_code == 200
    finally:
        controller.stop()

    # The letters: one per offering without an address, each with its own link and a QR code of it.
    letters_address = re.search(r'href="([^"]*/kampanj/brev[^"]*)"', summary).group(1)
    letters = unescape(client.get(letters_address).get_data(as_text=True))
    assert letters.count('<article class="letter">') == active - 1
    for invitation_link in re.findall(r'<p class="letter-link">(http://localhost/uppdatera/[^<]+)</p>', letters):
        drawn = segno.make(invitation_link, error="m").svg_inline(scale=3, border=2)
        assert drawn.split("<path", 1)[1] in letters  # the QR code encodes exactly this letter's link
    # The same batch as CSV, for the city's own mail merge.
    exported = client.get(re.search(r'href="([^"]*inbjudningar\.csv[^"]*)"', summary).group(1).replace("&amp;", "&"))
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert len(rows) == active and {row["kanal"] for row in rows} == {"email", "letter"}
    assert all(row["länk"].startswith("http://localhost/uppdatera/") for row in rows)


def test_the_campaign_counts_opened_answered_and_accepted(tmp_path, site):
    app = campaign_app(tmp_path, site, None)  # mail off: every invitation is a letter
    client = app.test_client()
    assert sign_in(client).status_code == 303
    invite_all(client)
    made = invitations(app)
    assert {i.channel for i in made} == {"letter"}
    progress = unescape(client.get("/redaktion/kampanj").get_data(as_text=True))
    assert f"Inbjudna verksamheter</dt><dd>{len(made)}" in progress
    with app.test_request_context():
        from catalogue.editorial import campaign

        links = {i.provider: campaign.link_of(i).removeprefix("http://localhost") for i in made}
    provider = app.test_client()
    provider.get(links["kafe-solsidan"])  # opened, not answered
    provider.get(links["musikhuset"])
    assert provider.post(links["musikhuset"], data={"allt-stammer": "ja"}).status_code == 303
    page = unescape(client.get("/redaktion/kampanj").get_data(as_text=True))
    assert "Har öppnat länken</dt><dd>2" in page and "Har svarat</dt><dd>1" in page
    assert "Svaret är godtaget</dt><dd>0" in page
    with app.app_context():
        answer = db.session.scalars(db.select(Suggestion)).one()
        assert answer.invitation_id == next(i.id for i in made if i.provider == "musikhuset")
    review = f"/redaktion/forslag/{answer.id}"
    assert client.post(review + "/godta", data={"csrf_token": csrf_token(client, review)}).status_code == 303
    page = unescape(client.get("/redaktion/kampanj").get_data(as_text=True))
    assert "Svaret är godtaget</dt><dd>1" in page
    waiting = page.split("Har inte svarat än", 1)[1]
    assert "Musikhuset" not in waiting and "Kafé Solsidan" in waiting


def test_a_group_that_is_not_offered_is_refused(tmp_path, site):
    app = make_app(tmp_path, template=site.config["CONTENT_DIR"].parent)
    with app.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    client = app.test_client()
    assert sign_in(client).status_code == 303
    page = "/redaktion/kampanj"
    assert client.post(page, data={"grupp": "x", "csrf_token": csrf_token(client, page)}).status_code == 400
    assert client.get("/redaktion/kampanj/brev").status_code == 404


def active_slugs(app) -> set[str]:
    folder = Path(app.config["CONTENT_DIR"]) / "providers"
    return {path.stem for path in folder.glob("*.md") if "status: active" in path.read_text(encoding="utf-8")}


def test_reminders_go_once_to_the_unconfirmed_and_a_cut_off_run_resumes_without_duplicates(app, monkeypatch):
    from catalogue.editorial import campaign

    runner = app.test_cli_runner()
    # Musikhuset confirmed its facts on 2025-01-20: not due when the age is 24 months, due at 12.
    kept = runner.invoke(args=["catalogue", "remind", "--older-than-months", "24", "--limit", "1"])
    assert kept.exit_code == 0 and "1 påminnelser." in kept.output
    assert [i.provider for i in invitations(app)] != ["musikhuset"]
    real, made = campaign.invite, []

    def cut_off(records, editor, days):
        if len(made) == 2:
            raise RuntimeError("the machine went down")
        made.append(records[0]["slug"])
        return real(records, editor, days)

    monkeypatch.setattr(campaign, "invite", cut_off)
    assert runner.invoke(args=["catalogue", "remind"]).exit_code != 0
    assert len(invitations(app)) == 3  # the first run's one, and two before the cut
    monkeypatch.setattr(campaign, "invite", real)
    resumed = runner.invoke(args=["catalogue", "remind"])
    assert resumed.exit_code == 0, resumed.output
    providers = [invitation.provider for invitation in invitations(app)]
    assert sorted(providers) == sorted(set(providers)) and set(providers) == active_slugs(app)
    assert "Breven att skriva ut: http://localhost:5000/redaktion/kampanj/brev?fran=" in resumed.output
    again = runner.invoke(args=["catalogue", "remind"])
    assert again.exit_code == 0 and "0 påminnelser." in again.output  # nobody twice
    with app.app_context():
        logged = db.session.scalars(db.select(AuditEntry).filter_by(action="påminnelse")).all()
    assert sorted(entry.subject for entry in logged) == sorted(providers)


def test_the_command_line_invites_a_group_and_writes_the_mail_merge_list(app, tmp_path):
    runner = app.test_cli_runner()
    merge = tmp_path / "brev.csv"
    result = runner.invoke(args=["catalogue", "invite", "--group", "alla", "--csv", str(merge)])
    assert result.exit_code == 0, result.output
    active = active_slugs(app)
    made = invitations(app)
    assert {i.provider for i in made} == active and len(made) == len(active)
    assert {i.channel for i in made} == {"letter"} and {i.created_by for i in made} == {"kommandoraden"}
    assert f"{len(active)} inbjudningar." in result.output
    assert (
        f"Breven att skriva ut: http://localhost:5000/redaktion/kampanj/brev?fran={made[0].id}&till={made[-1].id}"
        in result.output
    )
    rows = list(csv.DictReader(io.StringIO(merge.read_text(encoding="utf-8"))))
    assert {row["verksamhet"] for row in rows} == active
    assert all(row["länk"].startswith("http://localhost:5000/uppdatera/") for row in rows)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)) == len(active)
    with app.app_context():
        assert {utc(i.expires_at).date() - utc(i.created_at).date() for i in made} == {dt.timedelta(days=30)}
    # The group "dags" now skips everyone: they were all just invited.
    assert "0 inbjudningar." in runner.invoke(args=["catalogue", "invite", "--group", "dags"]).output
    assert runner.invoke(args=["catalogue", "invite"]).exit_code == 2
    assert runner.invoke(args=["catalogue", "invite", "musikhuset", "--group", "alla"]).exit_code == 2
    assert runner.invoke(args=["catalogue", "invite", "--group", "x"]).exit_code == 2
    short = runner.invoke(args=["catalogue", "invite", "--group", "alla", "--days", "10"])
    assert short.exit_code == 0
    latest = invitations(app)[-1]
    assert utc(latest.expires_at).date() - utc(latest.created_at).date() == dt.timedelta(days=10)
