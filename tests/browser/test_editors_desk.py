"""The way from a provider's invitation to the public page, in a real browser, over a copy of the real content."""

import re
import shutil
import subprocess
import threading

import flask_migrate
import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import ROOT
from test_keyboard_and_layout import FOCUSED, TABBABLE
from waitress import create_server

from catalogue import create_app
from catalogue.editorial import desk

PASSWORD = "ett långt och hemligt lösenord"


@pytest.fixture(scope="module")
def desk_site(tmp_path_factory):
    """A live site over a git work tree copied from content/, with one editor: the desk writes to it."""
    folder = tmp_path_factory.mktemp("desk-site")
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    someone = ["-c", "user.name=Test", "-c", "user.email=test@example.se"]
    for command in (["init", "-q"], ["add", "."], [*someone, "commit", "-qm", "Innehållet"]):
        subprocess.run(["git", "-C", str(content), *command], check=True)
    app = create_app(
        {"CONTENT_DIR": content, "INDEX_DIR": folder / "index", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'db'}"}
    )
    with app.app_context():
        flask_migrate.upgrade()
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    yield app, f"http://127.0.0.1:{server.effective_port}"
    server.close()


def invitation_link(app, slug: str) -> str:
    output = app.test_cli_runner().invoke(args=["catalogue", "invite", slug]).output
    return re.search(r"http://localhost:5000(/uppdatera/\S+)", output).group(1)


def sign_in(page, base: str) -> None:
    page.goto(base + "/redaktion/")
    page.get_by_label("Namn").fill("anna")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/redaktion/")


def test_a_provider_update_goes_from_invitation_to_the_public_page(browser, desk_site):
    app, base = desk_site
    provider = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    provider.goto(base + invitation_link(app, "aktivitetshuset"))
    assert provider.locator("h1").inner_text().startswith("Uppdatera era uppgifter")
    provider.get_by_label("10–24 timmar i veckan").check()
    provider.get_by_role("button", name="Skicka förslaget").click()
    provider.wait_for_url(re.compile(r".*/forslag/[\w-]+$"))
    status_address = provider.url

    editor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(editor, base)
    editor.get_by_role("link", name=re.compile("Förslag #1")).click()
    diff = editor.locator("table").inner_text()
    assert "Timmar i veckan\tVet inte\t10–24 timmar i veckan" in diff
    editor.get_by_label("Svar till avsändaren (visas på deras statussida)").fill("Tack, nu står det på sidan.")
    editor.get_by_role("button", name="Godta och publicera").click()
    assert "är godkänt och publicerat" in editor.locator(".desk-notice").inner_text()

    reader = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    reader.goto(base + "/verksamhet/aktivitetshuset")
    text = reader.locator("main").inner_text()
    assert "10–24 timmar i veckan" in text and "Uppgifter från verksamheten" in text
    assert reader.context.cookies() == []  # the reader has no cookie; only the editor's context does

    provider.goto(status_address)
    status = provider.locator("main").inner_text()
    assert "Vi har lagt in förslaget på webbplatsen." in status and "Tack, nu står det på sidan." in status
    log = subprocess.run(
        ["git", "-C", str(app.config["CONTENT_DIR"]), "log", "-1", "--format=%an%n%s"], capture_output=True, text=True
    ).stdout
    assert log.startswith("anna\naktivitetshuset: hours (förslag #1)")
    assert [cookie["path"] for cookie in editor.context.cookies()] == ["/redaktion"]


def test_the_desk_pages_have_no_axe_violations(browser, desk_site):
    app, base = desk_site
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    invited = invitation_link(app, "fountain-house-stockholm")
    pages = {"invited form": invited}
    page.goto(base + "/redaktion/logga-in")
    page.get_by_label("Namn").fill("anna")
    page.get_by_label("Lösenord").fill("fel")
    page.get_by_role("button", name="Logga in").click()
    violations = Axe().run(page, options={"resultTypes": ["violations"]}).response["violations"]
    assert violations == []
    page.goto(base + invited)
    page.get_by_label("Telefon").fill("08-508 00 000")
    page.get_by_role("button", name="Skicka förslaget").click()
    sign_in(page, base)
    number = re.search(r"/redaktion/forslag/(\d+)", page.content()).group(1)
    pages |= {
        "queue": "/redaktion/",
        "suggestion": f"/redaktion/forslag/{number}",
        "freshness": "/redaktion/aktualitet",
        "audit log": "/redaktion/logg",
        "used invitation": invited,
    }
    for name, path in pages.items():
        page.goto(base + path)
        results = Axe().run(page, options={"resultTypes": ["violations"]})
        assert results.response["violations"] == [], (name, results.generate_report())
        assert page.locator("h1").count() == 1, name
    page.goto(base + "/redaktion/aktualitet")
    page.locator("form[action^='/redaktion/inbjudan/'] button").first.click()  # the page with a new link
    assert Axe().run(page, options={"resultTypes": ["violations"]}).response["violations"] == []


def test_an_editor_can_sign_in_and_work_with_the_keyboard_alone(browser, desk_site):
    _app, base = desk_site
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(base + "/redaktion/logga-in")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["text"] == "Hoppa till innehållet"
    while page.evaluate(FOCUSED)["id"] != "namn":
        page.keyboard.press("Tab")
    page.keyboard.type("anna")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/redaktion/")
    page.goto(base + "/redaktion/aktualitet")
    for _ in range(len(page.evaluate(TABBABLE))):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["visible"] and focused["outline"] != "none", focused
