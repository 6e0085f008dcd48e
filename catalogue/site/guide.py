"""Hitta rätt: one question at a time, ending on what fits, with the full search one link away.

The 2007 report's idea of a "förmedling", made self-service. Every answer is
a plain URL parameter, so the guide works without JavaScript, Back works,
and any step can be opened again to change an answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from catalogue import i18n, query
from catalogue.facts.vocabulary import CITYWIDE
from catalogue.page_kit import address, saved_in_request, snapshot
from catalogue.query import BadParameter, SearchRequest
from catalogue.query.facets import FACETS_BY_PARAM, ChoiceFacet, whole_number
from catalogue.routes import localized
from catalogue.search import engine
from catalogue.site import next_steps

guide = Blueprint("guide", __name__)


Options = tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class Question:
    step: int  # its number in the address (steg=N): kept when the order of asking changes, so old links work
    param: str
    text: object
    hint: object
    answers: Options | Callable[[], Options]  # called when asked: the districts are the catalogue's own
    several: bool = False  # checkboxes rather than radio buttons

    @property
    def options(self) -> Options:
        """(value, label) for each answer."""
        return self.answers() if callable(self.answers) else self.answers


# What a person wants from the days, and the filter values that give it: "skapa" is said as
# "måla, spela, laga mat, odla", so it is those activities, not an orientation.
WISHES = {
    "gemenskap": (("inriktning", "social"),),
    "struktur": (("inriktning", "social"), ("inriktning", "arbetsinriktad")),
    "skapa": (
        ("aktivitet", "kreativt"),
        ("aktivitet", "musik"),
        ("aktivitet", "kafe-och-kok"),
        ("aktivitet", "tradgard"),
    ),
    "jobb": (("inriktning", "arbetsinriktad"),),
    "studier": (("inriktning", "studier"),),
}
DONT_KNOW = "vet-inte"


def _choices(param: str, leave_out: str = "") -> Options:
    """A filter's values with their labels, lazy so that each page shows them in its own language."""
    facet = FACETS_BY_PARAM[param]
    assert isinstance(facet, ChoiceFacet)
    return tuple((slug, text) for slug, text in facet.vocabulary.terms.items() if slug != leave_out)


# The decision comes first: a person who wants to walk in without one is never asked about the hours
# of a decision, and every later question can take the answer into account (``applies``).
QUESTIONS = (
    Question(
        4,
        "tillgang",
        _l("Har du ett beslut om sysselsättning från din stadsdel?"),
        _l("Ett beslut får du från socialtjänsten. Till öppna verksamheter kan du gå utan beslut."),
        (
            ("beslut", _l("Ja, eller jag tänker ansöka om ett")),
            ("oppen", _l("Nej, jag vill ha något öppet som jag kan gå till utan beslut")),
            (DONT_KNOW, _l("Jag vet inte")),
        ),
    ),
    Question(
        1,
        "vill",
        _l("Vad vill du få ut av dina dagar?"),
        _l("Välj allt som passar."),
        (
            ("gemenskap", _l("Träffa andra och ha sällskap")),
            ("struktur", _l("Få en rytm och struktur i veckan")),
            ("skapa", _l("Skapa något – måla, spela, laga mat, odla")),
            ("jobb", _l("Ta steg mot ett jobb")),
            ("studier", _l("Ta steg mot studier")),
        ),
        several=True,
    ),
    Question(
        2,
        "timmar",
        _l("Hur många timmar i veckan vill du vara där?"),
        _l("Om du har ett beslut står det där. Timmarna går in i varandra, så du kan välja det som ligger närmast."),
        _choices("timmar") + ((DONT_KNOW, _l("Jag vet inte")),),
    ),
    Question(
        3,
        "stadsdel",
        _l("Var i staden vill du vara?"),
        _l("Du kan välja en plats i hela staden, inte bara där du bor."),
        lambda: _choices("stadsdel", leave_out=CITYWIDE) + ((DONT_KNOW, _l("Det spelar ingen roll")),),
    ),
    Question(
        5,
        "ips",
        _l("Vill du ha stöd att hitta och behålla ett vanligt jobb?"),
        _l("Det kallas IPS. Du får hjälp att hitta ett jobb med lön, och stöd när du har fått det."),
        (
            ("ja", _l("Ja")),
            (DONT_KNOW, _l("Nej eller vet inte")),
        ),
    ),
)
QUESTIONS_BY_PARAM = {question.param: question for question in QUESTIONS}


def applies(question: Question, answers: dict[str, list[str]]) -> bool:
    """Whether the question means anything for this person: the hours belong to a decision, and someone
    who walks in without one has none."""
    return not (question.param == "timmar" and answers.get("tillgang") == ["oppen"])


def asked(answers: dict[str, list[str]], hours_told: bool = True) -> list[Question]:
    """The questions the guide asks this person, in order. While no offering has told us its hours
    (``hours_told``), asking for them could only move every result to "kan också passa": not asked."""
    return [q for q in QUESTIONS if applies(q, answers) and (hours_told or q.param != "timmar")]


def _hours_told() -> bool:
    facet = FACETS_BY_PARAM["timmar"]
    return facet.anyone_stated(snapshot().facet_data["timmar"], snapshot().listed)


def _answers(args: MultiDict[str, str]) -> dict[str, list[str]]:
    answers: dict[str, list[str]] = {}
    for question in QUESTIONS:
        allowed = {value for value, _label in question.options}
        values = list(dict.fromkeys(args.getlist(question.param)))
        if any(value not in allowed for value in values) or (len(values) > 1 and not question.several):
            raise BadParameter(question.param, _("Svaret går inte att förstå. Börja gärna om."))
        if values:
            answers[question.param] = values
    return answers


def _step(args: MultiDict[str, str]) -> int | None:
    """The question in the address (steg=N), or None for the first one asked."""
    if "steg" not in args:
        return None
    return whole_number(args["steg"], "steg", 1, len(QUESTIONS), _("Frågan finns inte. Börja gärna om."))


def guide_url(answers: dict[str, list[str]], step: int) -> str:
    params = [(param, value) for param, values in answers.items() for value in values] + [("steg", str(step))]
    return address("guide.question", params)


def search_request(
    answers: dict[str, list[str]], saved: tuple[str, ...] = (), hours_told: bool = True
) -> SearchRequest:
    """The search the answers lead to: "vet inte" leaves a filter out, and so does the answer to a question
    the guide does not ask (hours, after choosing to walk in, or while no offering has told us any, when
    an old link still carries it); Min lista comes along."""
    asked_params = {question.param for question in asked(answers, hours_told)}
    params = [pair for wish in answers.get("vill", []) for pair in WISHES[wish]]
    for param in ("timmar", "stadsdel", "tillgang", "ips"):
        if param in asked_params:
            params += [(param, value) for value in answers.get(param, []) if value != DONT_KNOW]
    params += [("v", slug) for slug in saved]
    return query.parse(MultiDict(params))


@dataclass(frozen=True)
class Step:
    """Where the person is in the guide: the question, its place among those asked, and the ways on."""

    question: Question
    position: int  # among the questions asked: "fråga 2 av 4"
    count: int
    previous: int | None  # the step number (steg) of the question before, None for the first
    next: int | None  # None: the last question, which leads to the end page


def _where(questions: list[Question], number: int | None) -> Step:
    """The question with this step number; one that is not asked (any more) leads on to the next asked."""
    order = [question.step for question in QUESTIONS]
    wanted = order.index(number) if number is not None else 0
    position = next((i for i, q in enumerate(questions) if order.index(q.step) >= wanted), len(questions) - 1)
    return Step(
        questions[position],
        position + 1,
        len(questions),
        questions[position - 1].step if position > 0 else None,
        questions[position + 1].step if position + 1 < len(questions) else None,
    )


@localized(guide)
def question() -> ResponseReturnValue:
    answers = _answers(request.args)
    questions = asked(answers, _hours_told())
    step = _where(questions, _step(request.args))
    return render_template("guide.html", questions=QUESTIONS, asked=questions, answers=answers, step=step,
                           current=step.question, guide_url=guide_url)  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    """The end page's heading, which never promises more than the results below it."""

    heading: str
    fits: bool


def _outcome(result: engine.SearchResult) -> Outcome:
    if result.total:
        return Outcome(_("Det här passar det du berättade"), True)
    if result.maybe_total:
        return Outcome(_("Det här kan passa, men vi vet inte säkert"), False)
    return Outcome(_("Inget passar alla dina svar"), False)


@localized(guide)
def done() -> ResponseReturnValue:
    """A calm end: what fits the answers, why, what is not known, and whom to contact; the full search is
    one link away."""
    answers = _answers(request.args)
    hours_told = _hours_told()
    searched = search_request(answers, saved_in_request(), hours_told)
    result = engine.run(snapshot(), searched, i18n.current())
    steps = next_steps.for_search(searched)
    return render_template("guide_results.html", result=result, asked=asked(answers, hours_told), answers=answers,
                           guide_url=guide_url, outcome=_outcome(result), steps=steps)  # fmt: skip
