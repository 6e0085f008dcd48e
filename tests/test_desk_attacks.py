"""The desk and the invitations, tested as an attacker would try them."""

import re
import sqlite3
import threading
from html import unescape

import pytest
from app_factory import make_app
from forms import prefilled
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from test_desk import PASSWORD, accept, csrf_token, only, provider_file, sign_in, suggest

from catalogue.db import AuditEntry, Invitation, Suggestion, db
from catalogue.editorial import desk, editing, invitations

MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def editor(app):
    with app.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)


@pytest.fixture
def signed_in(app, editor):
    client = app.test_client()
    sign_in(client)
    return client


def desk_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("desk.") and rule.endpoint != "desk.sign_in"
    ]


def example_path(rule) -> str:
    return rule.build({"number": 1, "slug": "kafe-solsidan"})[1]


def test_every_desk_page_needs_a_signed_in_editor(app, editor):
    suggest(app.test_client(), **{"contact-phone": "08-111 11 11"})
    before = provider_file(app)
    client = app.test_client()
    token = csrf_token(client)  # a genuine token, but nobody has signed in
    rules = desk_rules(app)
    assert {rule.endpoint for rule in rules} >= {
        "desk.queue",
        "desk.review",
        "desk.accept",
        "desk.invite",
        "desk.audit_log",
    }
    for rule in rules:
        path = example_path(rule)
        if "GET" in rule.methods:
            response = client.get(path)
            assert response.status_code == 302 and response.headers["Location"].startswith("/redaktion/logga-in"), path
        else:
            assert client.post(path, data={"csrf_token": token, "svar": "x"}).status_code == 403, path
    assert provider_file(app) == before and only(app, Suggestion)[0].status == "new" and only(app, Invitation) == []


def test_a_post_without_the_forms_csrf_token_is_refused(app, signed_in):
    suggest(signed_in, **{"contact-phone": "08-111 11 11"})
    form = prefilled(signed_in, "/redaktion/forslag/1", action="/redaktion/forslag/1/godta")
    del form["csrf_token"]
    missing = signed_in.post("/redaktion/forslag/1/godta", data=form)
    other = app.test_client()
    form["csrf_token"] = csrf_token(other)  # another session's token: what a forged page could carry
    forged = signed_in.post("/redaktion/forslag/1/godta", data=form)
    assert missing.status_code == forged.status_code == 400
    assert "Ladda om sidan" in forged.get_data(as_text=True)
    assert only(app, Suggestion)[0].status == "new"


def test_under_https_a_desk_post_must_come_from_the_desk(site, tmp_path):
    secure = make_app(tmp_path, template=site.config["CONTENT_DIR"].parent, FORCE_HTTPS=True)
    with secure.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    client = secure.test_client()
    base = "https://localhost"
    page = client.get("/redaktion/logga-in", base_url=base)
    assert page.headers["Referrer-Policy"] == "same-origin"
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    data = {"namn": "anna", "losenord": PASSWORD, "csrf_token": token}
    elsewhere = client.post(
        "/redaktion/logga-in", data=data, base_url=base, headers={"Referer": "https://evil.example/"}
    )
    assert elsewhere.status_code == 400
    signed = client.post(
        "/redaktion/logga-in", data=data, base_url=base, headers={"Referer": f"{base}/redaktion/logga-in"}
    )
    assert signed.status_code == 303


def test_brute_force_sign_in_hits_the_rate_limit(app, editor):
    client = app.test_client()
    answers = [sign_in(client, password=f"gissning {n}").status_code for n in range(6)]
    assert answers == [400] * 5 + [429]


def test_repeated_failures_lock_the_account(site, tmp_path):
    unlimited = make_app(tmp_path, template=site.config["CONTENT_DIR"].parent, RATELIMIT_ENABLED=False)
    with unlimited.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    client = unlimited.test_client()
    for attempt in range(desk.MAX_FAILED_SIGN_INS):
        sign_in(client, password=f"gissning {attempt}")
    locked = sign_in(client)  # the right password, too late
    unknown = sign_in(client, name="finns-inte")
    assert locked.status_code == unknown.status_code == 400
    summary = re.compile(r'<div class="error-summary".*?</div>', re.S)  # the rest differs by the CSRF token
    assert summary.findall(locked.get_data(as_text=True)) == summary.findall(unknown.get_data(as_text=True)) != []
    assert client.get("/redaktion/").status_code == 302
    actions = [entry.action for entry in only(unlimited, desk.AuditEntry)]
    assert actions.count("misslyckad inloggning") == 6 and "konto spärrat" in actions and "inloggning" not in actions
    assert "inloggning under spärr" in actions


def test_markup_in_every_suggestion_field_is_shown_escaped_in_the_desk(app, signed_in):
    fields = {name: MARKUP for name in ("address", "transport", "target_group", "vacancies", "meddelande")}
    suggest(signed_in, **fields)
    form = prefilled(signed_in, "/tipsa")
    form.setlist("name", [MARKUP[:100]])
    signed_in.post("/tipsa", data=form)
    for path in ("/redaktion/", "/redaktion/forslag/1", "/redaktion/forslag/2", "/redaktion/logg"):
        page = signed_in.get(path).get_data(as_text=True)
        assert "<script>" not in page and "<img src=x" not in page, path
    assert "&lt;script&gt;" in signed_in.get("/redaktion/forslag/1").get_data(as_text=True)


@pytest.mark.parametrize(
    "slug", ["../wsgi", "..", "a/b", "providers/../x", "x.md", "/etc/passwd", "%2e%2e", "Kafe", ""]
)
def test_slugs_with_path_tricks_never_name_a_file(app, slug):
    with pytest.raises(editing.EditError):
        editing.provider_path(app.config["CONTENT_DIR"], slug)


def test_a_tip_with_a_path_trick_as_its_file_name_writes_nothing(app, signed_in):
    signed_in.post("/tipsa", data={**prefilled(signed_in, "/tipsa"), "name": "Nytt"})
    response = accept(signed_in, 1, summary="En ny verksamhet.", slug="../../pwned")
    assert response.status_code == 400 and "Filnamnet får bara innehålla" in response.get_data(as_text=True)
    assert not list(app.config["CONTENT_DIR"].parent.rglob("pwned*"))
    assert (
        signed_in.post("/redaktion/inbjudan/..%2F..%2Fwsgi", data={"csrf_token": csrf_token(signed_in)}).status_code
        == 404
    )


def test_two_editors_accepting_changes_to_one_file_at_once_both_land(app, editor):
    with app.app_context():
        desk.add_editor("bertil", "bertil@example.se", PASSWORD)
    visitor = app.test_client()
    suggest(visitor, **{"contact-phone": "08-111 11 11"})
    suggest(visitor, **{"contact-website": "https://solsidan.example.se/"})
    editors = {number: app.test_client() for number in (1, 2)}
    for number, client in editors.items():
        sign_in(client, "anna" if number == 1 else "bertil")
    forms = {
        n: prefilled(c, f"/redaktion/forslag/{n}", action=f"/redaktion/forslag/{n}/godta") for n, c in editors.items()
    }
    start, answers = threading.Barrier(2), {}

    def send(number):
        start.wait()
        answers[number] = editors[number].post(f"/redaktion/forslag/{number}/godta", data=forms[number]).status_code

    threads = [threading.Thread(target=send, args=(number,)) for number in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {1: 303, 2: 303}
    text = provider_file(app)
    assert "phone: 08-111 11 11" in text and "website: https://solsidan.example.se/" in text  # neither lost
    assert text.count("Förslag från en läsare") == 2


def test_one_suggestion_accepted_twice_at_once_is_written_once(app, editor):
    suggest(app.test_client(), **{"contact-phone": "08-111 11 11"})
    clients = [app.test_client(), app.test_client()]
    for client in clients:
        sign_in(client)
    forms = [prefilled(c, "/redaktion/forslag/1", action="/redaktion/forslag/1/godta") for c in clients]
    start = threading.Barrier(2)

    def send(index):
        start.wait()
        clients[index].post("/redaktion/forslag/1/godta", data=forms[index])

    threads = [threading.Thread(target=send, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert provider_file(app).count("Förslag från en läsare") == 1
    assert [entry.action for entry in only(app, desk.AuditEntry)].count("godkänt") == 1


# Invitations.


def invite(app, slug: str = "kafe-solsidan", days: int = 30) -> str:
    with app.test_request_context():
        _invitation, token = invitations.create(slug, "test", days)
        db.session.commit()
    return f"/uppdatera/{token}"


def test_a_forged_invitation_is_refused(app):
    link = invite(app)
    body, signature = link.rsplit(".", 1)
    for forged in (body + "." + signature[::-1], "/uppdatera/WzEsImthZmUtc29sc2lkYW4iLCJ4Il0.abc", "/uppdatera/x"):
        response = app.test_client().get(forged)
        assert response.status_code == 404 and "Länken fungerar inte" in response.get_data(as_text=True), forged


def test_an_invitation_cannot_be_turned_into_one_for_another_provider(app):
    link = invite(app, "kafe-solsidan")
    with app.test_request_context():
        number, _slug, nonce = invitations._serializer().loads(link.rsplit("/", 1)[1])
        # Signed by us, but naming another provider than its row: what a leaked secret half-way gives.
        other = invitations._serializer().dumps([number, "musikhuset", nonce])
    assert app.test_client().get(f"/uppdatera/{other}").status_code == 404
    client = app.test_client()
    form = prefilled(client, link)
    form.setlist("contact-phone", ["08-111 11 11"])
    form.setlist("slug", ["musikhuset"])  # a field the form does not have: ignored
    assert client.post(link, data=form).status_code == 303
    (suggestion,) = only(app, Suggestion)
    assert suggestion.provider == "kafe-solsidan" and suggestion.from_provider


def test_an_expired_invitation_gets_a_clear_page(app):
    link = invite(app, days=1)
    with app.app_context():
        invitation = db.session.get(Invitation, 1)
        invitation.expires_at = invitation.created_at
        db.session.commit()
    response = app.test_client().get(link)
    assert response.status_code == 410 and "Länken har gått ut" in response.get_data(as_text=True)
    assert app.test_client().post(link, data={"contact-phone": "08-1"}).status_code == 410
    assert only(app, Suggestion) == []


def test_a_used_invitation_cannot_be_used_again(app):
    link = invite(app)
    client = app.test_client()
    form = prefilled(client, link)
    form.setlist("contact-phone", ["08-111 11 11"])
    assert client.post(link, data=form).status_code == 303
    again = client.post(link, data=form)
    page = unescape(again.get_data(as_text=True))
    assert again.status_code == 410 and "Länken är redan använd" in page and "dina uppgifter har kommit fram" in page
    assert client.get(link).status_code == 410
    assert len(only(app, Suggestion)) == 1


def test_a_copied_session_cookie_stops_working_at_sign_out(app, signed_in):
    cookie = signed_in.get_cookie("session", path="/redaktion")
    copy = app.test_client()
    copy.set_cookie("session", cookie.value, path="/redaktion")
    assert copy.get("/redaktion/").status_code == 200
    signed_in.post("/redaktion/logga-ut", data={"csrf_token": csrf_token(signed_in, "/redaktion/")})
    assert copy.get("/redaktion/").status_code == 302


def test_a_suggestion_being_accepted_cannot_be_rejected(app, signed_in):
    suggest(signed_in, **{"contact-phone": "08-111 11 11"})
    with app.app_context():
        assert desk._claim(1, desk.WAITING, "accepting")  # what an accept does first, under the lock
    token = csrf_token(signed_in, "/redaktion/forslag/1")
    signed_in.post("/redaktion/forslag/1/avsla", data={"csrf_token": token, "svar": "Nej"})
    assert only(app, Suggestion)[0].status == "accepting" and only(app, Suggestion)[0].reply == ""
    assert accept(signed_in, 1).status_code == 303 and only(app, Suggestion)[0].status == "accepted"
    assert signed_in.post("/redaktion/forslag/1/avsla", data={"csrf_token": token}).status_code == 303
    assert only(app, Suggestion)[0].status == "accepted"


def test_editors_are_limited_each_on_their_own_not_as_visitors_behind_one_address(app, editor):
    """The public limit (10 writes a minute per address) made the 11th accept a 429, and every editor behind
    an office's one address shared it. An editor at work never meets the desk's own limit."""
    with app.app_context():
        desk.add_editor("bertil", "bertil@example.se", PASSWORD)
    anna, bertil = app.test_client(), app.test_client()
    assert sign_in(anna).status_code == 303 and sign_in(bertil, "bertil").status_code == 303
    for client in (anna, bertil):
        token = csrf_token(client, "/redaktion/")
        answers = [client.post(f"/redaktion/rapport/{n}/klar", data={"csrf_token": token}).status_code
                   for n in range(1, 31)]  # fmt: skip
        assert 429 not in answers and set(answers) == {404}  # thirty actions a minute each, from one address
    # The desk has a limit of its own, per editor, far above a day's work.
    token = csrf_token(anna, "/redaktion/")
    rest = [anna.post("/redaktion/rapport/1/klar", data={"csrf_token": token}).status_code for _ in range(100)]
    assert rest.count(429) == 10  # 120 a minute: the 121st to the 130th are refused
    assert (
        bertil.post("/redaktion/rapport/1/klar", data={"csrf_token": csrf_token(bertil, "/redaktion/")}).status_code
        == 404
    )


def test_a_sign_in_the_database_cannot_record_does_not_sign_in(app, editor):
    """A full database answered 503 but still set a working session cookie, with no audit entry."""
    client = app.test_client()

    def database_full(session, _context, _instances):
        if any(isinstance(item, AuditEntry) and item.action == "inloggning" for item in session.new):
            raise OperationalError("INSERT INTO audit_entry", {}, sqlite3.OperationalError("database or disk is full"))

    with app.app_context():
        event.listen(db.session, "before_flush", database_full)
    try:
        response = sign_in(client)
    finally:
        with app.app_context():
            event.remove(db.session, "before_flush", database_full)
    assert response.status_code == 503
    assert "session=" not in response.headers.get(
        "Set-Cookie", ""
    ) or "Expires=Thu, 01 Jan 1970" in response.headers.get("Set-Cookie", "")
    queue = client.get("/redaktion/")
    assert queue.status_code == 302 and queue.headers["Location"].startswith("/redaktion/logga-in")
    with app.app_context():
        assert [entry.action for entry in db.session.scalars(db.select(AuditEntry))] == ["redaktör skapad"]
