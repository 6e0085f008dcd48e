"""The editors' desk, ``/redaktion``: the way from "someone knows a fact" to "it is on the site".

Editors sign in (argon2 hashes, a rate limit and a lockout), see suggestions, tips and error reports
oldest first, and accept (perhaps after editing) or reject each with a reply that the sender reads at
their status address. Accepting writes the provider file through ``editing``. Every action is in the
audit log. The session cookie exists only under /redaktion; public pages stay free of cookies.

The desk is for a few trained Swedish-speaking people: its words are Swedish and not translated.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from catalogue import retention
from catalogue.db import Acceptance, AuditEntry, Editor, ErrorReport, Invitation, Suggestion, db, rows_changed, utc
from catalogue.editorial import campaign, contacts, coverage, editing, invitations, mail
from catalogue.editorial.suggestions import QUESTIONS_BY_KEY, Question
from catalogue.facts import checks, textpolicy
from catalogue.index.content import SLUG_PATTERN, parse_provider
from catalogue.page_kit import absolute_url, snapshot

desk = Blueprint("desk", __name__, url_prefix="/redaktion")
csrf = CSRFProtect()
hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters

SIGN_IN_LIMIT = "5 per minute;30 per hour"  # per client address, on top of the lockout per editor
# Per signed-in editor, not per address: editors behind one office address each have their own, far
# above a day's work (accepting during a campaign is a few a minute), far below what a script would send.
EDITOR_WRITES = "120 per minute;5000 per day"
MAX_FAILED_SIGN_INS = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD = 12
MAX_REPLY = 2000
SESSION_HOURS = 8  # a working day; a form's CSRF token lasts as long as the session
_UNKNOWN_EDITOR_HASH = hasher.hash(secrets.token_urlsafe(16))  # an unknown name costs the same time as a known one


STOCKHOLM = ZoneInfo("Europe/Stockholm")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@desk.app_template_filter("stockholm")
def stockholm_time(moment: dt.datetime) -> str:
    """A stored time (UTC) as the editors' clock shows it: "2026-11-24 14.05"."""
    return f"{utc(moment).astimezone(STOCKHOLM):%Y-%m-%d %H.%M}"


def audit(action: str, subject: str = "", detail: str = "", editor: str | None = None) -> None:
    """One line in the audit log, written with the change it describes (same transaction)."""
    name = editor or (g.editor.name if g.get("editor") else "")
    db.session.add(AuditEntry(editor=name, action=action, subject=subject[:200], detail=detail))


MAX_EDITOR_NAME = 80
NO_ADDRESS_DOMAIN = "redaktionen.invalid"  # an editor added without --email: the digest skips them


def editor_problem(name: str, email: str) -> str | None:
    """A name and an address fit to sign commits with: one line, nothing invisible, no angle brackets."""
    if not name or len(name) > MAX_EDITOR_NAME or name != name.strip() or textpolicy.forbidden(name):
        return f"Namnet ska vara 1–{MAX_EDITOR_NAME} synliga tecken på en rad."
    if any(char in name for char in "<>\n\r") or not name.isprintable():
        return "Namnet får inte innehålla < > eller radbrytningar."
    if len(email) > 254 or not checks.is_email(email):
        return "E-postadressen ska se ut som namn@exempel.se."
    return None


def add_editor(name: str, email: str, password: str) -> Editor:
    """A new editor (``flask catalogue editor add``); the password is kept only as an argon2 hash."""
    if problem := editor_problem(name, email):
        raise ValueError(problem)
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"Lösenordet ska ha minst {MIN_PASSWORD} tecken.")
    if db.session.scalar(db.select(Editor).filter_by(name=name)) is not None:
        raise ValueError(f"Det finns redan en redaktör som heter {name}.")
    editor = Editor(name=name, email=email, password_hash=hasher.hash(password), failed_sign_ins=0)
    db.session.add(editor)
    audit("redaktör skapad", name, editor="kommandoraden")
    db.session.commit()
    return editor


def remove_editor(name: str) -> bool:
    """Delete an editor who has stopped (``flask catalogue editor remove``): their name, address and hash.
    Their session stops working with the row; the audit log keeps their name for its own retention time."""
    removed = rows_changed(db.delete(Editor).where(Editor.name == name)) == 1
    if removed:
        audit("redaktör borttagen", name, editor="kommandoraden")
    db.session.commit()
    return removed


# Signing in.


def _check_password(editor: Editor | None, password: str) -> bool:
    try:
        return hasher.verify(editor.password_hash if editor else _UNKNOWN_EDITOR_HASH, password) and editor is not None
    except (VerificationError, InvalidHashError):
        return False


SIGN_IN_REFUSED = (
    f"Fel namn eller lösenord. Efter {MAX_FAILED_SIGN_INS} misslyckade försök i rad spärras kontot i "
    f"{LOCKOUT.seconds // 60} minuter."
)  # the same words whatever was wrong, even for a locked account: nobody learns which names exist


def sign_in_problem(name: str, password: str) -> str | None:
    """None when the name and password are right and the account is not locked; else what to say."""
    editor = db.session.scalar(db.select(Editor).filter_by(name=name)) if name else None
    right = _check_password(editor, password)  # always: a locked or unknown name takes as long as any
    locked = editor is not None and editor.locked_until is not None and utc(editor.locked_until) > now()
    if editor is None or locked or not right:
        if editor is not None and not locked:
            _count_failure(editor)
        audit("inloggning under spärr" if locked else "misslyckad inloggning", name[:80], editor=name[:80])
        db.session.commit()
        return SIGN_IN_REFUSED
    editor.failed_sign_ins, editor.locked_until = 0, None
    if hasher.check_needs_rehash(editor.password_hash):
        editor.password_hash = hasher.hash(password)
    audit("inloggning", editor=editor.name)
    db.session.commit()  # recorded first: a sign-in the database cannot record (a full disk) signs nobody in
    session.clear()  # a new session on every sign-in: nothing from before carries over
    session.permanent = True  # ends after SESSION_HOURS without a request, even if the browser stays open
    session.update(editor=editor.id, version=editor.session_version)
    g.editor = editor
    return None


def _count_failure(editor: Editor) -> None:
    """Counted in the database (parallel guesses all count); the last allowed one locks the account."""
    db.session.execute(
        db.update(Editor).where(Editor.id == editor.id).values(failed_sign_ins=Editor.failed_sign_ins + 1)
    )
    db.session.refresh(editor)
    if editor.failed_sign_ins >= MAX_FAILED_SIGN_INS:
        editor.locked_until, editor.failed_sign_ins = now() + LOCKOUT, 0
        editor.session_version += 1  # a lockout also ends the sessions already open
        audit("konto spärrat", editor.name, f"{MAX_FAILED_SIGN_INS} misslyckade försök", editor=editor.name)


@desk.before_request
def signed_in_only() -> ResponseReturnValue | None:
    """Every desk page but the sign-in needs a signed-in editor; every POST needs its CSRF token."""
    if request.method == "POST":
        csrf.protect()
    editor_id = session.get("editor")
    g.editor = db.session.get(Editor, editor_id) if isinstance(editor_id, int) else None
    if g.editor is not None and session.get("version") != g.editor.session_version:
        g.editor = None  # signed out, or locked, since this cookie was made
    if g.editor is None and request.endpoint != "desk.sign_in":
        if request.method == "POST":
            abort(403)
        return redirect(url_for("desk.sign_in", next=request.path))
    return None


@desk.after_request
def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _desk_referrer(response: Response) -> Response:
    """Public pages send no referrer; the desk's forms send one to the desk itself, because Flask-WTF's
    CSRF check under HTTPS requires it to name this site. Runs after Talisman, which sets no-referrer."""
    if request.blueprint == "desk":
        response.headers["Referrer-Policy"] = "same-origin"
    return response


@desk.errorhandler(CSRFError)
def stale_form(error: CSRFError) -> tuple[str, int]:
    message = (
        "Formuläret kom inte från redaktionens sidor, eller så var sidan för gammal. Ladda om sidan och försök igen."
    )
    return render_template("desk/message.html", title="Det gick inte att skicka", message=message), 400


@desk.errorhandler(403)
def not_signed_in(error: HTTPException) -> tuple[str, int]:
    return render_template("desk/message.html", title="Logga in först", message="Du behöver logga in."), 403


@desk.route("/logga-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    target = request.args.get("next", "")
    target = target if target.startswith("/redaktion") and "//" not in target else url_for("desk.queue")
    if request.method == "GET":
        return render_template("desk/sign_in.html", problem=None)
    name = (request.form.get("namn") or "").strip()[:MAX_EDITOR_NAME]
    if textpolicy.forbidden(name):  # never a name the database could choke on (PostgreSQL refuses a NUL)
        return render_template("desk/sign_in.html", problem=SIGN_IN_REFUSED), 400
    problem = sign_in_problem(name, request.form.get("losenord") or "")
    if problem:
        return render_template("desk/sign_in.html", problem=problem), 400
    return redirect(target, code=303)


@desk.route("/logga-ut", methods=["POST"])
def sign_out() -> ResponseReturnValue:
    g.editor.session_version += 1  # this cookie, and any copy of it, stops working
    audit("utloggning")
    db.session.commit()
    session.clear()
    return redirect(url_for("desk.sign_in"), code=303)


# The queue.

WAITING = ("new", "accepting")  # "accepting": an accept was cut off; the editor accepts again, and nothing doubles
STATUS_NAMES = {"new": "Väntar", "accepting": "Godkännandet avbröts", "accepted": "Godkänt", "rejected": "Avslaget"}


@desk.route("/")
def queue() -> ResponseReturnValue:
    waiting = db.session.scalars(
        db.select(Suggestion).where(Suggestion.status.in_(WAITING)).order_by(Suggestion.created_at)
    )
    reports = db.session.scalars(db.select(ErrorReport).order_by(ErrorReport.created_at))
    outbox = mail.waiting() if mail.enabled(current_app.config) else None
    return render_template("desk/queue.html", suggestions=list(waiting), reports=list(reports), outbox=outbox)


@dataclass
class Row:
    """One field of a suggestion: what the file says now, and what is proposed."""

    question: Question
    now: str
    proposed: str
    answer: Any  # the proposal in the form's shape, for "edit then accept"


def _one_line(shown: str | list[str]) -> str:
    return shown if isinstance(shown, str) else "; ".join(shown)


@dataclass(frozen=True)
class NewField:
    """A field a new offering needs that a tip does not ask: its name, summary and file name."""

    key: str
    label: str
    hint: str
    value: str
    problem: str | None


ACCEPT_STEPS = (
    ("written_at", "Skrivet i filen"),
    ("committed_at", "Incheckat i git"),
    ("published_at", "Publicerat på webbplatsen"),
    ("told_at", "Klart, och avsändarens statussida säger det"),
)


@dataclass(frozen=True)
class AcceptStep:
    label: str
    done_at: dt.datetime | None


@dataclass
class Review:
    """A suggestion beside the current file: the diff, field by field, and what went wrong last time."""

    suggestion: Suggestion
    record: dict[str, Any] | None  # the provider file as it is on disk now; None for a tip
    problems: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)  # the editor's edits, when sent back with an error

    @classmethod
    def of(cls, suggestion: Suggestion) -> Review:
        record = None
        if suggestion.provider:
            path = editing.provider_path(Path(current_app.config["CONTENT_DIR"]), suggestion.provider)
            if path.exists():
                record, _errors = parse_provider(path, path.read_text(encoding="utf-8"))
        return cls(suggestion, record)

    @property
    def rows(self) -> list[Row]:
        rows = []
        for key, change in self.suggestion.changes.items():
            question = QUESTIONS_BY_KEY.get(key)
            if question is None or not question.asked_about(self.record):
                continue  # e.g. one "access" for an offering that has since got parts: it cannot be written
            answer = self.answers.get(key, change["after"])
            now_shown, proposed = question.display(question.today(self.record)), question.display(answer)
            rows.append(Row(question, _one_line(now_shown), _one_line(proposed), answer))
        return rows

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.suggestion.status]

    @property
    def open(self) -> bool:
        return self.suggestion.status in WAITING

    @property
    def confirms_only(self) -> bool:
        """ "Allt stämmer": the offering confirmed its facts through its invitation and changed nothing."""
        return self.suggestion.from_provider and not self.suggestion.changes and self.record is not None

    @property
    def steps(self) -> list[AcceptStep]:
        """An accept's recorded steps: after a crash the editor sees what is done and what accepting
        again will still do."""
        recorded = db.session.get(Acceptance, self.suggestion.id)
        if recorded is None:
            return []
        return [AcceptStep(label, getattr(recorded, name)) for name, label in ACCEPT_STEPS]

    @property
    def source_title(self) -> str:
        """The source an accepted change becomes, with the day's date."""
        return editing.FROM_PROVIDER if self.suggestion.from_provider else editing.FROM_READER

    @property
    def name(self) -> str:
        return cast(str, self.answers.get("name") or self.suggestion.changes.get("name", {}).get("after", ""))

    def new_fields(self) -> list[NewField]:
        """For a tip: what the new file needs besides the answers, pre-filled where the tip says it."""
        if self.record is not None:
            return []
        given = {"name": self.name, "summary": self.answers.get("summary", ""), "slug": self.answers.get("slug")}
        given["slug"] = given["slug"] if given["slug"] is not None else slug_of(self.name)
        return [
            NewField("name", "Namn", "", given["name"], self.problem("name")),
            NewField("summary", "Kort beskrivning", "En mening som visas i sökträffarna. Högst 200 tecken.",
                     given["summary"], self.problem("summary")),
            NewField("slug", "Filnamn", "Blir adressen /verksamhet/filnamn. Bara a–z, 0–9 och bindestreck.",
                     given["slug"], self.problem("slug")),
        ]  # fmt: skip

    def problem(self, name: str) -> str | None:
        return self.problems.get(name)


def slug_of(name: str) -> str:
    """A file name for a new offering: "Café Ängen" -> "cafe-angen"."""
    plain = name.casefold().translate(str.maketrans("åäöéèüæø", "aaoeeuao"))
    return "-".join("".join(char if char.isalnum() and char.isascii() else " " for char in plain).split())[:80]


def _suggestion(number: int) -> Suggestion:
    suggestion = db.session.get(Suggestion, number)
    if suggestion is None:
        abort(404)
    return suggestion


def _review_page(review: Review, status: int = 200) -> tuple[str, int]:
    return render_template("desk/review.html", review=review), status


@desk.route("/forslag/<int:number>")
def review(number: int) -> ResponseReturnValue:
    return _review_page(Review.of(_suggestion(number)))


def _reply() -> str:
    return (request.form.get("svar") or "").strip()[:MAX_REPLY]


def _claim(number: int, statuses: tuple[str, ...], status: str) -> bool:
    """Move a suggestion on only from one of ``statuses``: of two editors deciding at once, one wins."""
    claimed = rows_changed(
        db.update(Suggestion).where(Suggestion.id == number, Suggestion.status.in_(statuses)).values(status=status)
    )
    db.session.commit()
    return claimed == 1


def _handled(suggestion: Suggestion, status: str) -> None:
    """The decision and the reply are kept for the sender's status page; their e-mail address is not.

    With mail on, a sender who left an address gets the answer by e-mail: the address goes into the
    outbox with it, in this transaction, and is deleted there once the message is sent."""
    suggestion.status, suggestion.reply, suggestion.handled_at = status, _reply(), now()
    if suggestion.reply_to and mail.enabled(current_app.config):
        mail.queue(current_app.config, "reply", suggestion.reply_to, REPLY_SUBJECT, _reply_text(suggestion))
    suggestion.reply_to = None


REPLY_SUBJECT = "Svar på ditt förslag till Hitta sysselsättning"
REPLY_DECISIONS = {"accepted": "Vi har lagt in förslaget på webbplatsen.", "rejected": "Vi har inte lagt in förslaget."}


def _reply_text(suggestion: Suggestion) -> str:
    record = snapshot().provider(suggestion.provider) if suggestion.provider else None
    about = f"om {record['name']}" if record else "om en verksamhet som saknas"
    status_page = absolute_url(url_for("suggestions.status", token=suggestion.token))
    lines = ["Hej!", "", f"Tack för ditt förslag {about}. {REPLY_DECISIONS[suggestion.status]}", ""]
    lines += [suggestion.reply, ""] if suggestion.reply else []
    lines += [f"Svaret finns också här: {status_page}", "",
              "Vi skickar bara det här mejlet. Adressen du lämnade har vi nu tagit bort.", "",
              "Hälsningar", "Redaktionen för Hitta sysselsättning"]  # fmt: skip
    return "\n".join(lines) + "\n"


def _values(review: Review) -> dict[str, Any]:
    """What to write, read from the editor's (perhaps edited) form; problems are noted in the review."""
    values: dict[str, Any] = {}
    for row in review.rows:
        question = row.question
        answer = question.read(request.form)
        answer = row.answer if answer is None else answer
        review.answers[question.key] = answer
        problem = question.problem(answer, review.record)
        try:
            values[question.key] = editing.content_value(question.key, question.kind, answer, review.record)
        except editing.EditError as error:
            problem = str(error)  # the editor reads the parser's own words: which line, and how to write it
        if problem:
            review.problems[question.name] = problem
    if review.record is None:
        review.answers |= {key: (request.form.get(key) or "").strip() for key in ("name", "summary", "slug")}
        values |= {"name": review.answers["name"], "summary": review.answers["summary"]}
        for key in ("name", "summary"):
            if code := textpolicy.forbidden(review.answers[key]):
                review.problems[key] = f"Innehåller ett osynligt styrtecken ({code}). Skriv texten igen utan det."
        if not SLUG_PATTERN.fullmatch(review.answers["slug"]):
            review.problems["slug"] = "Filnamnet får bara innehålla a–z, 0–9 och bindestreck."
        if not review.answers["summary"]:
            review.problems["summary"] = "Skriv en kort beskrivning: den visas i sökträffarna."
        if not review.answers["name"]:
            review.problems["name"] = "Skriv vad verksamheten heter."
    return values


def _commit_message(review: Review, slug: str) -> str:
    """One line per value, quoted and shortened: nothing a visitor wrote can add a line to the message
    (a "Signed-off-by:" trailer) or a NUL."""
    suggestion = review.suggestion
    kind = "Uppgifter från verksamheten" if suggestion.from_provider else "Förslag från en läsare"
    unchanged = "bekräftat" if review.confirms_only else "ny verksamhet"
    keys = ", ".join(row.question.key for row in review.rows) or unchanged
    lines = [f"{slug}: {keys} (förslag #{suggestion.id})"]
    lines += ["", f"{kind}, godtaget av {textpolicy.one_line(g.editor.name, 80)} i redaktionen."]
    lines += [f"- {row.question.key}: {textpolicy.one_line(row.now)} -> {textpolicy.one_line(row.proposed)}"
              for row in review.rows]  # fmt: skip
    return "\n".join(lines) + "\n"


@desk.route("/forslag/<int:number>/godta", methods=["POST"])
def accept(number: int) -> ResponseReturnValue:
    """Accept as one recoverable transaction: write, commit, publish, tell the sender, each step recorded
    (``Acceptance``) as it is done. An accept cut off by a crash stays "accepting"; accepting it again
    does exactly the steps that are missing, and nothing says "accepted" before the change is public."""
    suggestion = _suggestion(number)
    if code := textpolicy.forbidden(_reply()):
        review = Review.of(suggestion)
        review.error = f"Svaret innehåller ett osynligt styrtecken ({code}). Skriv det igen utan det."
        return _review_page(review, 400)
    with editing.one_writer(current_app.config):
        if not _claim(number, WAITING, "accepting"):
            flash(f"Förslag #{number} är redan hanterat.", "info")
            return redirect(url_for("desk.queue"), code=303)
        db.session.refresh(suggestion)
        review = Review.of(suggestion)
        steps = db.session.get(Acceptance, number) or Acceptance(suggestion_id=number, editor=g.editor.name)
        db.session.add(steps)
        db.session.commit()
        problem = _accept_steps(review, steps)
        if problem is not None:
            if steps.written_at is None:  # nothing done: it waits as before
                db.session.delete(steps)
                db.session.commit()
                _claim(number, ("accepting",), "new")
            return problem
    return redirect(url_for("desk.queue"), code=303)


def _accept_steps(review: Review, steps: Acceptance) -> tuple[str, int] | None:
    """The steps still missing, in order; the page to show when one could not be done, else None."""
    number = review.suggestion.id
    if review.suggestion.provider and review.record is None:
        review.error = f"Filen för {review.suggestion.provider} finns inte längre eller har fel. Avslå förslaget."
        return _review_page(review, 409)
    values = _values(review)
    if review.problems:
        review.error = "Ändringen sparades inte. Rätta det som är markerat."
        return _review_page(review, 400)
    slug = review.suggestion.provider or review.answers["slug"]
    config = current_app.config
    try:
        confirmed_via = "invitation" if review.suggestion.from_provider else None
        written = editing.write_file(config, slug, values, review.source_title, review.record is None, confirmed_via)
        steps.written_at = steps.written_at or now()
        db.session.commit()
        try:
            committed = editing.commit_file(written.path, editing.Author(g.editor.name, g.editor.email),
                                            _commit_message(review, slug))  # fmt: skip
        except editing.EditError:
            if written.changed:
                editing.undo(written)  # git refused (a hook, a broken repository): the file as it was
                steps.written_at = None
            raise
        for lock in committed.locks_removed:
            audit("git-lås borttaget", f"förslag #{number}", f"{lock} (lämnat av en avbruten process)")
        steps.committed_at, steps.commit = steps.committed_at or now(), committed.commit
        db.session.commit()
    except editing.EditError as error:
        review.error = str(error)
        audit("godkännande misslyckades", f"förslag #{number}", str(error))
        db.session.commit()
        return _review_page(review, 409)
    try:
        steps.index_version, steps.published_at = editing.publish(config), now()
    except editing.NotPublished as error:
        audit("inte publicerat", f"förslag #{number}", f"{slug}: {error}")
        db.session.commit()
        flash(f"Förslag #{number} är sparat i filen men inte publicerat: {error}. Rätta felet och godta igen: "
              "då publiceras det, utan att något skrivs två gånger.", "warning")  # fmt: skip
        return None
    _handled(review.suggestion, "accepted")
    steps.told_at = now()
    audit("godkänt", f"förslag #{number}", f"{slug}: {', '.join(sorted(values))}")
    db.session.commit()
    resumed = "" if written.changed else " Filen hade redan ändringen från ett avbrutet godkännande."
    flash(f"Förslag #{number} är godkänt och publicerat.{resumed}", "success")
    return None


@desk.route("/forslag/<int:number>/avsla", methods=["POST"])
def reject(number: int) -> ResponseReturnValue:
    suggestion = _suggestion(number)
    if not _claim(number, ("new",), "rejected"):  # never one that is being accepted, or was
        flash(f"Förslag #{number} är redan hanterat.", "info")
        return redirect(url_for("desk.queue"), code=303)
    db.session.refresh(suggestion)
    _handled(suggestion, "rejected")
    audit("avslaget", f"förslag #{number}", suggestion.reply)
    db.session.commit()
    flash(f"Förslag #{number} är avslaget.", "success")
    return redirect(url_for("desk.queue"), code=303)


@desk.route("/rapport/<int:number>/klar", methods=["POST"])
def report_done(number: int) -> ResponseReturnValue:
    report = db.session.get(ErrorReport, number)
    if report is None:
        abort(404)
    audit("felrapport klar", f"rapport #{number}")  # its text goes with it, not into the longer-kept log
    db.session.delete(report)
    db.session.commit()
    flash(f"Felrapport #{number} är markerad som klar och borttagen.", "success")
    return redirect(url_for("desk.queue"), code=303)


# Freshness, invitations and the audit log.


@desk.route("/aktualitet")
def freshness() -> ResponseReturnValue:
    return render_template("desk/freshness.html", rows=campaign.freshness_rows())


@desk.route("/inbjudan/<slug>", methods=["POST"])
def invite(slug: str) -> ResponseReturnValue:
    record = snapshot().provider(slug)
    if record is None:
        abort(404)
    invitation, token = invitations.create(slug, g.editor.name)
    audit("inbjudan skapad", slug, f"giltig till {invitation.expires_at:%Y-%m-%d}")
    db.session.commit()
    link = absolute_url(url_for("suggestions.invited_form", token=token))
    return render_template("desk/invitation.html", record=record, link=link, invitation=invitation)


@desk.route("/kampanj")
def campaign_page() -> ResponseReturnValue:
    over_time = coverage.over_time(current_app.config["CONTENT_DIR"], coverage.cache_dir(current_app.config))
    return render_template("desk/campaign.html", progress=campaign.progress(), groups=campaign.GROUPS,
                           mail_on=mail.enabled(current_app.config), coverage=over_time)  # fmt: skip


@desk.route("/kampanj", methods=["POST"])
def campaign_invite() -> ResponseReturnValue:
    """Invite a whole group at once: e-mails go to the outbox, letters wait to be printed."""
    group = request.form.get("grupp", "")
    if group not in campaign.GROUPS:
        abort(400)
    made = campaign.invite(campaign.chosen(group), g.editor.name)
    for invitation in made:
        audit(
            "inbjudan skapad",
            invitation.provider,
            f"{invitation.channel}, giltig till {invitation.expires_at:%Y-%m-%d}",
        )
    db.session.commit()
    if not made:
        flash("Ingen verksamhet i den gruppen behövde en inbjudan.", "info")
        return redirect(url_for("desk.campaign_page"), code=303)
    return redirect(url_for("desk.campaign_batch", fran=made[0].id, till=made[-1].id), code=303)


def _batch() -> list[Invitation]:
    first, last = request.args.get("fran", type=int), request.args.get("till", type=int)
    if first is None or last is None:
        abort(404)
    chosen = db.select(Invitation).where(Invitation.id.between(first, last)).order_by(Invitation.id)
    return list(db.session.scalars(chosen))


@desk.route("/kampanj/utskick")
def campaign_batch() -> ResponseReturnValue:
    batch = _batch()
    letters = [invitation for invitation in batch if invitation.channel == "letter"]
    return render_template("desk/campaign_batch.html", batch=batch, letters=len(letters),
                           emails=len(batch) - len(letters))  # fmt: skip


@desk.route("/kampanj/brev")
def campaign_letters() -> ResponseReturnValue:
    letters = [campaign.letter_of(invitation) for invitation in _batch() if invitation.channel == "letter"]
    return render_template("desk/letters.html", letters=letters)


@desk.route("/kampanj/inbjudningar.csv")
def campaign_csv() -> ResponseReturnValue:
    return current_app.response_class(
        campaign.csv_export(_batch()), mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="inbjudningar.csv"'},
    )  # fmt: skip


@desk.route("/logg")
def audit_log() -> ResponseReturnValue:
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(500))
    return render_template("desk/audit.html", entries=list(entries))


@dataclass(frozen=True)
class ContactRow:
    """One imported contact as the desk lists it, with the offering's name from the content."""

    contact: Any
    name: str


@desk.route("/kontakter")
def contacts_page() -> ResponseReturnValue:
    return _contacts_page([])


def _contacts_page(problems: list[contacts.Problem]) -> str:
    rows = [ContactRow(contact, (snapshot().provider(contact.provider) or {}).get("name", contact.provider))
            for contact in contacts.every()]  # fmt: skip
    max_kb = current_app.config["MAX_CONTENT_LENGTH"] // 1024
    return render_template("desk/contacts.html", rows=rows, columns=contacts.COLUMNS, problems=problems,
                           months=retention.CONTACT_MONTHS, max_kb=max_kb, rows_in_max=max_kb * 1024 // 80)  # fmt: skip


@desk.route("/kontakter", methods=["POST"])
def contacts_import() -> ResponseReturnValue:
    """Import a CSV file: all rows or none, and every problem named by row and column."""
    upload = request.files.get("fil")
    if upload is None or not upload.filename:
        flash("Välj en CSV-fil att läsa in.", "warning")
        return redirect(url_for("desk.contacts_page"), code=303)
    filename = Path(upload.filename).name[:80]
    filename = "filen" if textpolicy.forbidden(filename) else filename  # it is named in every problem
    imported = contacts.import_file(upload.read(), filename, snapshot().providers(), g.editor.name)
    if imported.problems:
        db.session.rollback()
        return _contacts_page(imported.problems), 422
    audit("kontakter inlästa", filename, f"{imported.count} verksamheter")
    db.session.commit()
    refused = f" {imported.refused} lämnades utanför: de har bett att inte bli kontaktade." if imported.refused else ""
    flash(f"{imported.count} kontakter lästes in från {filename}.{refused}", "info")
    return redirect(url_for("desk.contacts_page"), code=303)


@desk.route("/kontakter/ta-bort", methods=["POST"])
def contacts_delete() -> ResponseReturnValue:
    """Delete one contact (``verksamhet``) or, with ``alla``, every one of them; with ``sparra`` the person
    asked not to be contacted, and later imports leave them out."""
    slugs = None if request.form.get("alla") else request.form.getlist("verksamhet")
    if slugs == []:
        abort(400)
    refused = bool(request.form.get("sparra"))
    gone = contacts.delete(slugs, refused=refused)
    action = "kontakter spärrade" if refused else "kontakter borttagna"
    audit(action, "alla" if slugs is None else ", ".join(slugs)[:200], str(gone))
    db.session.commit()
    flash(f"{gone} kontakter togs bort{' och spärrades' if refused else ''}.", "info")
    return redirect(url_for("desk.contacts_page"), code=303)


def _editor_key() -> str:
    """The rate-limit key of a desk action: the signed-in editor (the cookie is signed), not the address."""
    return f"editor:{session.get('editor', 'none')}"


def _secret_key(instance: Path) -> str:
    """Signs the desk's session and the invitations: from CATALOGUE_SECRET_KEY, else made once and kept.

    Written beside the file and linked into place, so that processes starting at once all read one key."""
    path = instance / "secret-key"
    if not path.exists():
        draft = instance / f".secret-key.{os.getpid()}"
        draft.touch(mode=0o600)
        draft.write_text(secrets.token_hex(32), encoding="ascii")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use that one
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()


def init_app(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(Path(app.instance_path))
    app.config.update(
        SESSION_COOKIE_PATH="/redaktion",
        SESSION_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=SESSION_HOURS),
        WTF_CSRF_CHECK_DEFAULT=False,  # public forms keep no session; the desk checks its own (signed_in_only)
        WTF_CSRF_TIME_LIMIT=None,  # an editor may take an hour over a suggestion: the session bounds it
    )
    csrf.init_app(app)
    app.register_blueprint(desk)
    app.after_request_funcs.setdefault(None, []).insert(0, _desk_referrer)  # the first registered runs last
    for limiter in app.extensions.get("limiter", ()):  # this app's own limiter: the count is per app
        app.view_functions["desk.sign_in"] = limiter.limit(SIGN_IN_LIMIT, methods=["POST"])(sign_in)
        for endpoint, view in list(app.view_functions.items()):
            if endpoint.startswith("desk.") and endpoint != "desk.sign_in":
                app.view_functions[endpoint] = limiter.limit(EDITOR_WRITES, key_func=_editor_key, methods=["POST"])(
                    view
                )
