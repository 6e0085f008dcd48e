"""The launch campaign played in a real browser over a git copy of the real content, with a real SMTP
server on loopback: an editor imports a contact and invites every offering; three providers answer on a
phone (one "Allt stämmer", one change, one new phone number); the editor accepts each with one click;
the coverage chart and `flask catalogue coverage` move; the public pages say the offering confirmed."""

import datetime as dt
import os
import re
import shutil
import subprocess
import threading

import flask_migrate
import pytest
from aiosmtpd.controller import Controller
from babel.dates import format_date
from conftest import ROOT
from test_editors_desk import PASSWORD, sign_in
from test_mail import Inbox, free_port
from waitress import create_server

from catalogue import create_app
from catalogue.editorial import desk, mail

EARLIER = "2026-11-01T12:00:00+01:00"  # the copy's first commit: the chart's first point
CONTACT = "alfa.kontakt@example.se"
CONFIRMS, CHANGES_HOURS, ADDS_PHONE = "alfa", "droppen-bruket", "emma-trafflokal"


@pytest.fixture(scope="module")
def campaign_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("campaign-site")
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    someone = ["-c", "user.name=Test", "-c", "user.email=test@example.se"]
    dated = os.environ | {"GIT_AUTHOR_DATE": EARLIER, "GIT_COMMITTER_DATE": EARLIER}
    for command in (["init", "-q"], ["add", "."], [*someone, "commit", "-qm", "Innehållet"]):
        subprocess.run(["git", "-C", str(content), *command], check=True, env=dated)
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    app = create_app({
        "CONTENT_DIR": content, "INDEX_DIR": folder / "index", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'db'}",
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port, "SMTP_SECURITY": "none",
        "MAIL_FROM": "Hitta sysselsättning <redaktionen@sysselsattning.example.se>",
    })  # fmt: skip
    with app.app_context():
        flask_migrate.upgrade()
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    yield app, f"http://127.0.0.1:{server.effective_port}", inbox, folder
    server.close()
    smtp.stop()


def counted(app, key: str) -> int:
    """How many active offerings state a fact, as `flask catalogue coverage` prints it."""
    output = app.test_cli_runner().invoke(args=["catalogue", "coverage", "--history"]).output
    return int(re.search(rf"^{re.escape(key)}\s+(\d+)", output, re.MULTILINE).group(1))


def coverage_rows(editor, base: str) -> dict[str, list[str]]:
    """The campaign page's coverage table, as a reader of the table (not the chart) sees it: day -> cells."""
    editor.goto(base + "/redaktion/kampanj")
    assert editor.locator("svg[role=img]").count() == 1
    rows = editor.locator("table", has_text="Telefon").locator("tbody tr")  # in a closed <details>: text
    return {rows.nth(i).locator("th").text_content(): rows.nth(i).locator("td").all_text_contents()
            for i in range(rows.count())}  # fmt: skip


def answer_on_a_phone(browser, link: str):
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(link)
    assert page.locator("h1").inner_text().startswith("Uppdatera era uppgifter")
    return page


def test_a_whole_campaign_from_invitations_to_confirmed_public_pages(browser, campaign_site):
    app, base, inbox, folder = campaign_site
    phones_before, hours_before = counted(app, "contact.phone"), counted(app, "hours")
    editor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(editor, base)

    # The editors' own contact for an offering that publishes no e-mail address.
    register = folder / "register.csv"
    register.write_text(f"verksamhet;kontaktperson;e-post;postadress\n{CONFIRMS};Kim Kontakt;{CONTACT};\n",
                        encoding="utf-8")  # fmt: skip
    editor.get_by_role("link", name="Kontakter").click()
    editor.get_by_label("CSV-fil").set_input_files(str(register))
    editor.get_by_role("button", name="Läs in").click()
    assert "1 kontakter lästes in" in editor.locator(".desk-notice").inner_text()
    before = coverage_rows(editor, base)

    # 1. Invite all.
    editor.get_by_label("Alla aktiva verksamheter").check()
    editor.get_by_role("button", name="Skapa inbjudningar").click()
    summary = editor.locator("main").inner_text()
    emailed = int(re.search(r"(\d+) går med e-post", summary).group(1))
    assert "25 inbjudningar är skapade" in summary and emailed == 3  # two public addresses and the contact
    with app.app_context():
        assert mail.deliver(app.config).sent == emailed
    [to_contact] = [message for message in inbox.messages if message["To"] == CONTACT]
    emailed_link = re.search(rf"{re.escape(base)}/uppdatera/\S+", to_contact.get_content()).group(0)
    assert f"{base}/for-verksamheter" in to_contact.get_content()

    editor.get_by_role("link", name="Skriv ut breven").click()
    editor.wait_for_url(re.compile(r".*/kampanj/brev\?.*"))
    letters = editor.locator("article.letter")
    assert letters.count() == 25 - emailed
    links = {}
    for i in range(letters.count()):
        letter = letters.nth(i)
        assert letter.locator(".letter-qr svg").count() == 1
        links[letter.locator("h2").inner_text()] = letter.locator(".letter-link").first.inner_text()
    pdf = editor.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 25 - emailed  # one A4 per letter

    # 2. Three providers answer, each on a phone.
    confirming = answer_on_a_phone(browser, emailed_link)
    confirming.get_by_role("button", name="Allt stämmer").click()
    confirming.wait_for_url(re.compile(r".*/forslag/[\w-]+$"))
    changing = answer_on_a_phone(browser, next(link for title, link in links.items() if "Droppen" in title))
    changing.get_by_label("10–24 timmar i veckan").check()
    changing.get_by_role("button", name="Skicka förslaget").click()
    changing.wait_for_url(re.compile(r".*/forslag/[\w-]+$"))
    phoning = answer_on_a_phone(browser, next(link for title, link in links.items() if "EMMA" in title))
    phoning.get_by_label("Telefon", exact=True).fill("08-123 456 78")
    phoning.get_by_role("button", name="Skicka förslaget").click()
    phoning.wait_for_url(re.compile(r".*/forslag/[\w-]+$"))

    editor.goto(base + "/redaktion/kampanj")
    progress = editor.locator("dl.facts").inner_text()
    assert re.search(r"Har svarat\s+3", progress) and re.search(r"Svaret är godtaget\s+0", progress)

    # 3. The editor accepts each with one click.
    for number in (1, 2, 3):
        editor.goto(f"{base}/redaktion/forslag/{number}")
        editor.get_by_role("button", name="Godta och publicera").click()
        assert "är godkänt och publicerat" in editor.locator(".desk-notice").inner_text()
    editor.goto(base + "/redaktion/kampanj")
    assert re.search(r"Svaret är godtaget\s+3", editor.locator("dl.facts").inner_text())

    # 4. The coverage chart's table and the command both move.
    assert counted(app, "contact.phone") == phones_before + 1 and counted(app, "hours") == hours_before + 1
    after = coverage_rows(editor, base)
    today = dt.date.today().isoformat()
    assert list(before) == ["2026-11-01"] and list(after) == ["2026-11-01", today]
    columns = ("aktiva", "fel", "timmar", "telefon")  # the table's first columns: key facts in KEY_FACTS order
    assert after["2026-11-01"] == before["2026-11-01"]  # the past does not change
    percent = {day: {key: int(value.rstrip(" %")) for key, value in zip(columns, cells, strict=False)}
               for day, cells in after.items()}  # fmt: skip
    assert percent[today]["timmar"] == round(100 * (hours_before + 1) / 25) > percent["2026-11-01"]["timmar"]
    assert percent[today]["telefon"] == round(100 * (phones_before + 1) / 25) > percent["2026-11-01"]["telefon"]

    # 5. The public pages say the offering itself confirmed, with the date.
    said = "Verksamheten bekräftade uppgifterna " + format_date(dt.date.today(), "d MMMM y", locale="sv")
    reader = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    for slug in (CONFIRMS, CHANGES_HOURS, ADDS_PHONE):
        reader.goto(f"{base}/verksamhet/{slug}")
        assert said in reader.locator("main").inner_text(), slug
    reader.goto(f"{base}/verksamhet/{ADDS_PHONE}")
    assert reader.get_by_role("link", name=re.compile("08-123 456 78")).count() >= 1
    assert reader.context.cookies() == []
