"""E-mail for real: a reply to the sender of a suggestion goes through the outbox to a real SMTP server
on loopback (aiosmtpd), and a server that refuses, drops the connection, is slow or is down never loses
a message, never sends one twice, and never costs a visitor or an editor a 500.
"""

from __future__ import annotations

import datetime as dt
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from app_factory import make_app
from test_desk import PASSWORD, accept, sign_in, suggest

from catalogue.db import OutgoingMail, Suggestion, db
from catalogue.editorial import desk, mail

ROOT = Path(__file__).parent.parent


class Inbox:
    """An aiosmtpd handler that keeps every message, and refuses or stalls when told to."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: set[str] = set()
        self.stall = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox does not exist"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.stall:
            time.sleep(self.stall)  # blocks the server's loop: a server that does not answer in time
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def mail_settings(port: int) -> dict:
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_SECURITY": "none",
            "MAIL_FROM": "Hitta sysselsättning <redaktionen@sysselsattning.example.se>"}  # fmt: skip


def mail_app(tmp_path, site, port: int):
    app = make_app(tmp_path, template=site.config["CONTENT_DIR"].parent, **mail_settings(port))
    with app.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    return app


def outbox(app) -> list[OutgoingMail]:
    with app.app_context():
        return db.session.scalars(db.select(OutgoingMail).order_by(OutgoingMail.id)).all()


def send(app) -> mail.Delivery:
    with app.app_context():
        return mail.deliver(app.config)


def reply_to_a_sender(app, address: str = "anna.andersson@example.org") -> str:
    """A visitor suggests a change and leaves an address; an editor accepts with a reply."""
    client = app.test_client()
    status = suggest(client, **{"contact-phone": "08-123 456 78", "epost": address})
    assert sign_in(client).status_code == 303
    assert accept(client, 1, svar="Tack, nu står numret på sidan.").status_code == 303
    return status


def test_the_reply_reaches_the_sender_and_their_address_is_then_gone(tmp_path, site, inbox):
    handler, port = inbox
    app = mail_app(tmp_path, site, port)
    status = reply_to_a_sender(app)
    with app.app_context():
        assert db.session.get(Suggestion, 1).reply_to is None  # moved into the outbox with the decision
    [waiting] = outbox(app)
    assert waiting.status == "queued" and waiting.to_address == "anna.andersson@example.org"
    assert handler.messages == []  # nothing is sent inside the editor's request

    assert send(app) == mail.Delivery(sent=1)
    [message] = handler.messages
    assert message["To"] == "anna.andersson@example.org" and message["Subject"] == desk.REPLY_SUBJECT
    body = message.get_content()
    assert "Tack, nu står numret på sidan." in body and "Vi har lagt in förslaget på webbplatsen." in body
    assert f"http://localhost{status}" in body and "Kafé Solsidan" in body
    [sent] = outbox(app)
    assert sent.status == "sent" and sent.to_address is None and sent.message_id == message["Message-ID"].strip()


def test_a_refused_address_is_given_up_on_and_shown_on_the_desk(tmp_path, site, inbox):
    handler, port = inbox
    handler.refuse.add("finns.inte@example.org")
    app = mail_app(tmp_path, site, port)
    reply_to_a_sender(app, "finns.inte@example.org")
    assert send(app) == mail.Delivery(failed=1)
    [failed] = outbox(app)
    assert failed.status == "failed" and "550" in failed.last_error and handler.messages == []
    assert send(app) == mail.Delivery()  # never tried again
    client = app.test_client()
    assert sign_in(client).status_code == 303
    assert "1 gick inte att skicka" in client.get("/redaktion/").get_data(as_text=True)


def test_a_server_that_is_down_gets_the_message_later_and_once(tmp_path, site, inbox):
    handler, port = inbox
    app = mail_app(tmp_path, site, free_port())  # nothing listens here: the connection is refused
    reply_to_a_sender(app)
    assert send(app) == mail.Delivery(later=1)
    [waiting] = outbox(app)
    assert waiting.status == "queued" and waiting.attempts == 1 and "Connection refused" in waiting.last_error
    assert send(app) == mail.Delivery()  # not due yet: it waits its pause
    # The server is back (the right port), the pause is over, and the site has restarted: a new app.
    again = make_app(tmp_path / "again", template=tmp_path, **mail_settings(port),
                     SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])  # fmt: skip
    with app.app_context():
        db.session.execute(db.update(OutgoingMail).values(next_attempt_at=dt.datetime.now(dt.UTC)))
        db.session.commit()
    assert send(again) == mail.Delivery(sent=1)
    assert send(again) == mail.Delivery()  # and never again
    assert len(handler.messages) == 1


def test_a_dropped_connection_and_a_slow_server_are_tried_again(tmp_path, site, inbox, monkeypatch):
    handler, port = inbox
    app = mail_app(tmp_path, site, port)
    reply_to_a_sender(app)

    async def drops(self, arg):
        self.transport.close()  # the connection goes at the start of the message

    with monkeypatch.context() as patched:
        patched.setattr(SMTPServer, "smtp_DATA", drops, raising=True)
        assert send(app).later == 1
    monkeypatch.setattr(mail, "TIMEOUT_SECONDS", 0.5)
    handler.stall = 1.2
    with app.app_context():
        db.session.execute(db.update(OutgoingMail).values(next_attempt_at=dt.datetime.now(dt.UTC)))
        db.session.commit()
    started = time.monotonic()
    assert send(app) == mail.Delivery(later=1)
    assert time.monotonic() - started < 1.2  # the run gave up at its time-out
    assert outbox(app)[0].attempts == 2


def test_two_runs_at_once_send_a_message_once(tmp_path, site, inbox):
    handler, port = inbox
    app = mail_app(tmp_path, site, port)
    reply_to_a_sender(app)
    with app.app_context():
        now = dt.datetime.now(dt.UTC)
        assert mail._claim(1, now) is not None  # another run holds it
        assert mail._claim(1, now) is None
    assert send(app) == mail.Delivery()  # claimed a moment ago: not this run's
    with app.app_context():  # the other run was killed while sending: after STALE_CLAIM it is due again
        stale = dt.datetime.now(dt.UTC) - mail.STALE_CLAIM - dt.timedelta(seconds=1)
        db.session.execute(db.update(OutgoingMail).values(claimed_at=stale))
        db.session.commit()
    assert send(app) == mail.Delivery(sent=1) and len(handler.messages) == 1


def test_without_smtp_nothing_is_queued_and_the_desk_says_mail_is_off(app):
    with app.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    reply_to_a_sender(app)
    assert outbox(app) == []
    client = app.test_client()
    assert sign_in(client).status_code == 303
    assert "E-post är avstängd" in client.get("/redaktion/").get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["catalogue", "send-mail"])
    assert result.exit_code == 0 and "E-post är avstängd" in result.output


def test_the_editors_digest_tells_each_editor_once_about_what_is_new(tmp_path, site, inbox):
    handler, port = inbox
    app = mail_app(tmp_path, site, port)
    with app.app_context():
        desk.add_editor("bo", "bo@example.se", PASSWORD)
        desk.add_editor("cecilia", "cecilia@redaktionen.invalid", PASSWORD)  # added without an address
    visitor = app.test_client()
    suggest(visitor, **{"contact-phone": "08-123 456 78", "epost": "privat@example.org"})
    suggest(visitor, "musikhuset", **{"contact-phone": "08-765 432 10"})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["catalogue", "digest"])
    assert result.exit_code == 0 and "2 nya förslag" in result.output
    assert send(app) == mail.Delivery(sent=2)
    assert sorted(message["To"] for message in handler.messages) == ["anna@example.se", "bo@example.se"]
    body = handler.messages[0].get_content()
    assert "#1 Kafé Solsidan, från en besökare: http://localhost:5000/redaktion/forslag/1" in body
    assert "#2 Musikhuset" in body and "Sammanlagt väntar 2" in body
    assert "privat@example.org" not in body and "08-123" not in body  # nothing the sender wrote leaves the desk
    assert "0 nya förslag" in runner.invoke(args=["catalogue", "digest"]).output  # told once
    suggest(visitor, "studiegarden", **{"contact-phone": "08-111 222 33"})
    assert "1 nya förslag" in runner.invoke(args=["catalogue", "digest"]).output
    assert send(app) == mail.Delivery(sent=2)
    body = handler.messages[-1].get_content()
    assert "#3" in body and "#1" not in body and "Sammanlagt väntar 3" in body


def test_without_smtp_the_digest_marks_nothing_and_tells_later(app):
    with app.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    suggest(app.test_client(), **{"contact-phone": "08-123 456 78"})
    result = app.test_cli_runner().invoke(args=["catalogue", "digest"])
    assert "E-post är avstängd" in result.output
    with app.app_context():
        assert db.session.get(Suggestion, 1).notified_at is None


class HoldingInbox(Inbox):
    """Holds the client at one step of the conversation until told, so that a test can kill it there."""

    def __init__(self, step: str) -> None:
        super().__init__()
        self.step, self.reached, self.release = step, threading.Event(), threading.Event()

    def _hold(self, step: str) -> None:
        if step == self.step:
            self.reached.set()
            self.release.wait(30)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self._hold("RCPT")  # before the message: the server has not taken it
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        self._hold("DATA")  # the server has the message; its "250" has not reached the client
        return answer


@pytest.mark.system
@pytest.mark.parametrize(("step", "copies"), [("RCPT", 1), ("DATA", 2)])
def test_send_mail_killed_with_sigkill_mid_message(tmp_path, site, step, copies):
    """A real ``send-mail`` process killed with SIGKILL while talking to the server. Killed before the server
    took the message, the next run after STALE_CLAIM sends it once. Killed after the server took it but
    before the database noted it (the window catalogue/editorial/mail.py documents), it is sent twice, with the same
    Message-ID, so the receiving mail program can tell the copies apart."""
    handler = HoldingInbox(step)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app = mail_app(tmp_path, site, controller.port)
        reply_to_a_sender(app)
        env = os.environ | {
            "CATALOGUE_CONTENT_DIR": str(app.config["CONTENT_DIR"]),
            "CATALOGUE_INDEX_DIR": str(app.config["INDEX_DIR"]),
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "CATALOGUE_SMTP_HOST": "127.0.0.1",
            "CATALOGUE_SMTP_PORT": str(controller.port),
            "CATALOGUE_SMTP_SECURITY": "none",
        }
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "catalogue", "send-mail"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        assert handler.reached.wait(60), "send-mail never reached the server"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        handler.release.set()
        [held] = outbox(app)
        assert held.status == "sending" and held.to_address  # claimed, not lost
        assert send(app) == mail.Delivery()  # a fresh claim: not taken from a run that may still be alive
        with app.app_context():
            stale = dt.datetime.now(dt.UTC) - mail.STALE_CLAIM - dt.timedelta(seconds=1)
            db.session.execute(db.update(OutgoingMail).values(claimed_at=stale))
            db.session.commit()
        assert send(app) == mail.Delivery(sent=1)
        assert send(app) == mail.Delivery()
        assert len(handler.messages) == copies
        assert len({message["Message-ID"] for message in handler.messages}) == 1
    finally:
        handler.release.set()
        controller.stop()
