"""Suggestions: "Föreslå ändring" on a provider page, and "Tipsa om en verksamhet som saknas".

The people who know the facts are the providers and those who use them. A suggestion is a
structured form over the provider fields (``fields.FIELDS``), pre-filled with what the site says
today; only what the sender changed is stored. Nothing about the sender is required. Afterwards the
sender gets a private status address, ``/forslag/<token>``, with no account and no cookie.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any, cast

from flask import Blueprint, Response, abort, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from catalogue.db import Invitation, Suggestion, db
from catalogue.editorial import editing, invitations
from catalogue.editorial.feedback import ROBOT_TRAP
from catalogue.errors import error_page
from catalogue.facts import checks, fields, textpolicy
from catalogue.facts import vocabulary as v
from catalogue.facts.fields import FIELDS_BY_KEY, MAX_NAME, ProviderField
from catalogue.index.content import SLUG_PATTERN
from catalogue.limits import ensure_room
from catalogue.page_kit import snapshot
from catalogue.routes import localized

suggestions = Blueprint("suggestions", __name__)

MAX_MESSAGE = 2000
MAX_EMAIL = checks.MAX_EMAIL
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,40}")  # secrets.token_urlsafe(24): 32 characters
YES, NO = "ja", "nej"


@dataclass(frozen=True)
class Question:
    """One field of the form: a provider field, asked as its row says (``fields.Ask``)."""

    field: ProviderField
    asked_as: fields.Ask | None = None  # another way to ask than the row's: the tip's name question

    @property
    def ask(self) -> fields.Ask:
        ask = self.asked_as or self.field.ask_as
        assert ask is not None
        return ask

    @property
    def key(self) -> str:
        return self.field.key

    @property
    def kind(self) -> str:
        """ "choices" (a vocabulary), "yes_no", "line", "lines" (one per line) or "text"."""
        return self.ask.kind

    @property
    def hint(self) -> Any:
        return self.ask.hint

    @property
    def shape(self) -> Any:
        """What to say when the answer is not in the shape the content needs."""
        return self.ask.shape

    @property
    def max_length(self) -> int:
        """The content's own limit, so that nothing the form takes is refused when an editor accepts it."""
        if self.ask.limit is not None:
            return self.ask.limit
        return self.field.check.limit if isinstance(self.field.check, checks.Text) else MAX_LINE

    @property
    def name(self) -> str:
        return self.key.replace(".", "-")

    @property
    def title(self) -> str:
        return str(self.ask.label or self.field.label)

    @property
    def vocabulary(self) -> v.Vocabulary:
        assert self.field.vocabulary is not None
        return self.field.vocabulary

    def options(self) -> list[tuple[str, str]]:
        return list(self.vocabulary.labels().items())

    def asked_about(self, record: dict[str, Any] | None) -> bool:
        """An offering with parts states its access in each part: one answer for all could not be written."""
        return not (self.key == "access" and record and record.get("parts"))

    def today(self, record: dict[str, Any] | None) -> Any:
        """What the site says now, as the form holds it: the starting point of every change."""
        field = self.field
        if record is None:
            return [] if self.kind == "choices" else ""
        value = field.value(record)
        if self.kind == "choices":
            return [slug for slug in self.vocabulary if slug in (value or [])]
        if self.kind == "yes_no":
            return "" if value is None else (YES if value else NO)
        if field.kind is not None and field.kind.form_text is not None:
            return field.kind.form_text(record)  # the opening periods alone, as the editor reads them back
        shown = field.show(record)
        if isinstance(shown, list):
            return "\n".join(shown) if self.kind == "lines" else ", ".join(shown)
        return shown or ""

    def read(self, form: MultiDict[str, str]) -> Any:
        """The sender's answer, in the same shape as ``today``; None when the form did not ask it.

        A group of check boxes always sends an empty value of its own, so that "none ticked" (a
        proposal to remove them all) differs from "not asked" (no change)."""
        if self.name not in form:
            return None
        if self.kind == "choices":
            chosen = set(form.getlist(self.name))
            return [slug for slug in self.vocabulary if slug in chosen]
        answer = (form.get(self.name) or "").strip()
        if self.kind == "yes_no":
            return answer if answer in (YES, NO) else ""
        if self.kind == "lines":
            return "\n".join(line.strip() for line in answer.splitlines() if line.strip())
        return answer if self.kind == "text" else " ".join(answer.split())

    def problem(self, answer: Any, record: dict[str, Any] | None = None) -> str | None:
        """What is wrong with an answer, by the same rules as the content file it will become."""
        if self.kind in ("choices", "yes_no") or not answer:
            return None  # a vocabulary's values, or "Vet inte": always writable
        if said := textpolicy.problem(answer):
            return f"{self.title}: {said}"
        if len(answer) > self.max_length:
            return cast(str, _("%(field)s: skriv högst %(count)d tecken.", field=self.title, count=self.max_length))
        try:
            value = editing.content_value(self.key, self.kind, answer, record)
        except editing.EditError:
            value = None
        found = checks.Problems("")
        if value is None or self.field.check(value, found, ()) is None or found.errors:
            shape = self.shape or _l("%(field)s: det går inte att spara så. Skriv det gärna i meddelandet i stället.")
            return str(shape) % {"field": self.title}
        return None

    def display(self, answer: Any) -> str | list[str]:
        """An answer as people read it: labels for choices, "Vet inte" for nothing."""
        if self.kind == "choices":
            labels = ", ".join(self.vocabulary.label(slug) for slug in answer if slug in self.vocabulary)
            return labels or cast(str, _("Vet inte"))
        if self.kind == "yes_no":
            return {YES: cast(str, _("Ja")), NO: cast(str, _("Nej"))}.get(answer, cast(str, _("Vet inte")))
        if self.kind == "lines":
            return cast("list[str]", answer.splitlines()) or cast(str, _("Vet inte"))
        return cast(str, answer or _("Vet inte"))


MAX_LINE = 300  # a line whose field is not plain text (an address, a web address): far above real ones
# The order the form asks in: what people come to tell first. A field whose row has a question and is not
# named here is asked after these, in the field table's order.
FORM_ORDER = ("hours", "ips", "access", "vacancies", "contact.phone", "contact.email", "contact.website", "address",
              "transport", "opening_hours", "languages", "physical_accessibility", "target_group")  # fmt: skip
QUESTIONS: tuple[Question, ...] = tuple(
    Question(field)
    for field in sorted((field for field in fields.FIELDS if field.ask_as is not None),
                        key=lambda field: FORM_ORDER.index(field.key) if field.key in FORM_ORDER else len(FORM_ORDER))
)  # fmt: skip
QUESTIONS_BY_KEY = {question.key: question for question in QUESTIONS}


def asked(record: dict[str, Any] | None) -> list[Question]:
    """The questions the form asks about this offering (all of them for a tip)."""
    return [question for question in QUESTIONS if question.asked_about(record)]


NAME = Question(FIELDS_BY_KEY["name"], fields.Ask("line", label=_l("Vad heter verksamheten?"), limit=MAX_NAME))


ALL_CORRECT = "allt-stammer"  # the field of the invitation's one-step confirmation


@dataclass
class Form:
    """The form's state: what the sender wrote, and what is wrong with it."""

    provider: dict[str, Any] | None
    answers: dict[str, Any]
    before: dict[str, Any]  # what the site says today, the answers a change is measured against
    name: str = ""
    message: str = ""
    reply_to: str = ""
    problems: dict[str, str] | None = None
    # Fields whose raw value breaks the text policy: a choice's unknown value is otherwise just dropped.
    refused: frozenset[str] = frozenset()
    # "Allt stämmer": an offering, through its invitation, says every fact shown holds. Nothing changes.
    confirms: bool = False

    @property
    def questions(self) -> list[Question]:
        return asked(self.provider)

    @classmethod
    def today(cls, provider: dict[str, Any] | None) -> Form:
        today = {question.key: question.today(provider) for question in asked(provider)}
        return cls(provider, today, today)

    @classmethod
    def submitted(cls, provider: dict[str, Any] | None, form: MultiDict[str, str], invited: bool = False) -> Form:
        """What was sent; ``invited`` (the offering's own link) may also say "Allt stämmer"."""
        today = {question.key: question.today(provider) for question in asked(provider)}
        confirms = invited and form.get(ALL_CORRECT) == "ja"
        answers = {question.key: None if confirms else question.read(form) for question in asked(provider)}
        sent = cls(
            provider,
            {key: today[key] if answer is None else answer for key, answer in answers.items()},
            today,
            name=NAME.read(form) or "",
            message=textpolicy.normalized(form.get("meddelande") or "").strip(),
            reply_to=(form.get("epost") or "").strip(),
            refused=frozenset(name for name, value in form.items(multi=True) if textpolicy.forbidden(value)),
            confirms=confirms,
        )
        sent.problems = sent._problems()
        return sent

    def problem(self, name: str) -> str | None:
        """What is wrong with one field, for its message beside it."""
        return (self.problems or {}).get(name)

    def changes(self) -> dict[str, dict[str, Any]]:
        """Only the fields the sender changed, with what the site said when they wrote."""
        return {
            key: {"before": self.before[key], "after": answer}
            for key, answer in self.answers.items()
            if answer != self.before[key]
        }

    def _problems(self) -> dict[str, str]:
        problems = {}
        for question in self.questions:
            if question.name in self.refused:
                problems[question.name] = f"{question.title}: {textpolicy.refusal()}"
                continue
            if self.answers[question.key] == self.before[question.key]:
                continue  # what the site says today is not the sender's to correct
            problem = question.problem(self.answers[question.key], self.provider)
            if problem:
                problems[question.name] = problem
        if self.provider is None and not self.name:
            problems[NAME.name] = _("Skriv vad verksamheten heter.")
        elif len(self.name) > MAX_NAME:
            problems[NAME.name] = _("Namnet får vara högst %(count)d tecken.", count=MAX_NAME)
        elif said := textpolicy.problem(self.name):
            problems[NAME.name] = said
        if len(self.message) > MAX_MESSAGE:
            problems["meddelande"] = _("Skriv högst %(count)d tecken.", count=MAX_MESSAGE)
        elif said := textpolicy.problem(self.message):
            problems["meddelande"] = said
        if self.reply_to and (len(self.reply_to) > MAX_EMAIL or not checks.is_email(self.reply_to)):
            problems["epost"] = _("Skriv en e-postadress som namn@exempel.se, eller lämna fältet tomt.")
        if not problems and self.provider is not None and not self.changes() and not self.message and not self.confirms:
            problems["meddelande"] = _("Du har inte ändrat något. Ändra en uppgift eller skriv ett meddelande.")
        return problems

    def stored(self, from_provider: bool = False) -> Suggestion:
        changes = self.changes()
        if self.provider is None:
            changes = {"name": {"before": "", "after": self.name}, **changes}
        return Suggestion(
            token=secrets.token_urlsafe(24),
            provider=self.provider["slug"] if self.provider else None,
            changes=changes,
            message=self.message,
            reply_to=self.reply_to or None,
            from_provider=from_provider,
        )


def _provider(slug: str) -> dict[str, Any]:
    record = snapshot().provider(slug) if SLUG_PATTERN.match(slug) else None
    if record is None or record.get("status") == "closed":
        abort(404)
    return record


def _render(form: Form, status: int = 200, invited: bool = False) -> tuple[str, int, dict[str, str]]:
    page = render_template(
        "suggestion_form.html", form=form, questions=form.questions, name=NAME, max_email=MAX_EMAIL, invited=invited
    )
    return page, status, PRIVATE if invited else {}


def _submit(form: Form, invitation: Invitation | None = None) -> ResponseReturnValue:
    if request.form.get(ROBOT_TRAP):
        return redirect(url_for("site.start"), code=303)
    if form.problems:
        return _render(form, 400, invited=invitation is not None)
    ensure_room(Suggestion)
    if invitation is not None and not invitations.use(invitation):
        db.session.rollback()
        abort(_unusable("used"))  # sent twice at once: the first one counts
    suggestion = form.stored(from_provider=invitation is not None)
    suggestion.invitation_id = invitation.id if invitation is not None else None
    db.session.add(suggestion)
    db.session.commit()
    return redirect(url_for("suggestions.status", token=suggestion.token), code=303)


@localized(suggestions)
def change_form(slug: str) -> ResponseReturnValue:
    return _render(Form.today(_provider(slug)))


@localized(suggestions)
def change_submit(slug: str) -> ResponseReturnValue:
    return _submit(Form.submitted(_provider(slug), request.form))


# An address that is itself the key: never kept by a shared cache, never indexed (no page sends a referrer).
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
_UNUSABLE_LINK = {
    "broken": (
        404,
        _l("Länken fungerar inte"),
        _l("Kontrollera att hela länken kom med. Annars kan du be redaktionen om en ny länk."),
    ),
    "expired": (
        410,
        _l("Länken har gått ut"),
        _l("Be redaktionen om en ny länk. Du kan också föreslå en ändring på verksamhetens sida."),
    ),
    "used": (
        410,
        _l("Länken är redan använd"),
        _l(
            "Varje länk kan användas en gång, och dina uppgifter har kommit fram till oss. "
            "Be redaktionen om en ny länk om du vill ändra något mer."
        ),
    ),
}


def _unusable(kind: str) -> Response:
    status, title, message = _UNUSABLE_LINK[kind]
    page, _status = error_page(status, str(title), explanation=str(message))  # calm: nothing to correct
    return make_response(page, status, PRIVATE)


def _invited(token: str) -> tuple[Invitation, dict[str, Any]]:
    """The invitation and its provider; the provider comes from the signed link alone."""
    try:
        invitation = invitations.read(token)
    except invitations.InvitationProblem as problem:
        abort(_unusable(problem.kind))
    record = snapshot().provider(invitation.provider)
    if record is None:
        abort(_unusable("broken"))
    return invitation, record


@localized(suggestions)
def invited_form(token: str) -> ResponseReturnValue:
    invitation, record = _invited(token)
    invitations.opened(invitation)
    return _render(Form.today(record), invited=True)


@localized(suggestions)
def invited_submit(token: str) -> ResponseReturnValue:
    invitation, record = _invited(token)
    return _submit(Form.submitted(record, request.form, invited=True), invitation)


@localized(suggestions)
def tip_form() -> ResponseReturnValue:
    return _render(Form.today(None))


@localized(suggestions)
def tip_submit() -> ResponseReturnValue:
    return _submit(Form.submitted(None, request.form))


@dataclass(frozen=True)
class ChangeRow:
    """One changed field on the status page: what the site said, and what was proposed."""

    label: str
    before: str
    after: str


def _one_line(shown: str | list[str]) -> str:
    return shown if isinstance(shown, str) else ", ".join(shown)


def change_rows(suggestion: Suggestion) -> list[ChangeRow]:
    rows = []
    for key, change in suggestion.changes.items():
        question = NAME if key == "name" else QUESTIONS_BY_KEY.get(key)
        if question is not None:
            before, after = (_one_line(question.display(change[side])) for side in ("before", "after"))
            rows.append(ChangeRow(question.title, before, after))
    return rows


_WAITING_TEXT = _l("Tack! Vi har fått förslaget men inte hunnit titta på det ännu.")
STATUS_TEXT = {
    "new": _WAITING_TEXT,
    "accepting": _WAITING_TEXT,  # an editor is accepting it (or was cut off): not on the site yet
    "accepted": _l("Vi har lagt in förslaget på webbplatsen."),
    "rejected": _l("Vi har inte lagt in förslaget."),
}


@localized(suggestions)
def status(token: str) -> ResponseReturnValue:
    # Only a token's own characters reach the database (PostgreSQL refuses a NUL, as an error).
    readable = _TOKEN.fullmatch(token) is not None
    suggestion = db.session.scalar(db.select(Suggestion).filter_by(token=token)) if readable else None
    if suggestion is None:
        abort(404)
    provider = snapshot().provider(suggestion.provider) if suggestion.provider else None
    page = render_template(
        "suggestion_status.html",
        suggestion=suggestion,
        provider=provider,
        rows=change_rows(suggestion),
        status_text=STATUS_TEXT[suggestion.status],
    )
    return page, PRIVATE
