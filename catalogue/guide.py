"""Hitta rätt: one question at a time, ending on what fits, with the full search one link away.

The 2007 report's idea of a "förmedling", made self-service. Every answer is
a plain URL parameter, so the guide works without JavaScript, Back works,
and any step can be opened again to change an answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from . import query, search
from .facets import FACETS_BY_PARAM, ChoiceFacet, whole_number
from .query import BadParameter, SearchRequest
from .routes import localized
from .vocabulary import CITYWIDE
from .web import address, saved_in_request, snapshot

guide = Blueprint("guide", __name__)


@dataclass(frozen=True)
class Question:
    param: str
    text: object
    hint: object
    options: tuple[tuple[str, object], ...]
    several: bool = False  # checkboxes rather than radio buttons


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


def _choices(param: str, leave_out: str = "") -> tuple[tuple[str, object], ...]:
    """A filter's values with their labels, lazy so that each page shows them in its own language."""
    facet = FACETS_BY_PARAM[param]
    assert isinstance(facet, ChoiceFacet)
    return tuple((slug, text) for slug, text in facet.vocabulary.terms.items() if slug != leave_out)


QUESTIONS = (
    Question(
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
        "timmar",
        _l("Hur många timmar i veckan vill du vara där?"),
        _l("Om du har ett beslut står det där. Timmarna går in i varandra, så du kan välja det som ligger närmast."),
        _choices("timmar") + ((DONT_KNOW, _l("Jag vet inte")),),
    ),
    Question(
        "stadsdel",
        _l("Var i staden vill du vara?"),
        _l("Du kan välja en plats i hela staden, inte bara där du bor."),
        _choices("stadsdel", leave_out=CITYWIDE) + ((DONT_KNOW, _l("Det spelar ingen roll")),),
    ),
    Question(
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
        "ips",
        _l("Vill du ha stöd att hitta och behålla ett vanligt jobb?"),
        _l("Det kallas IPS. Du får hjälp att hitta ett jobb med lön, och stöd när du har fått det."),
        (
            ("ja", _l("Ja")),
            (DONT_KNOW, _l("Nej eller vet inte")),
        ),
    ),
)


def _answers(args: MultiDict) -> dict[str, list[str]]:
    answers = {}
    for question in QUESTIONS:
        allowed = {value for value, _label in question.options}
        values = list(dict.fromkeys(args.getlist(question.param)))
        if any(value not in allowed for value in values) or (len(values) > 1 and not question.several):
            raise BadParameter(question.param, _("Svaret går inte att förstå. Börja gärna om."))
        if values:
            answers[question.param] = values
    return answers


def _step(args: MultiDict) -> int:
    return whole_number(args.get("steg", "1"), "steg", 1, len(QUESTIONS), _("Frågan finns inte. Börja gärna om."))


def guide_url(answers: dict[str, list[str]], step: int) -> str:
    params = [(param, value) for param, values in answers.items() for value in values] + [("steg", str(step))]
    return address("guide.question", params)


def search_request(answers: dict[str, list[str]], saved: tuple[str, ...] = ()) -> SearchRequest:
    """The search the answers lead to: "vet inte" leaves a filter out; Min lista comes along."""
    params = [pair for wish in answers.get("vill", []) for pair in WISHES[wish]]
    for param in ("timmar", "stadsdel", "tillgang", "ips"):
        params += [(param, value) for value in answers.get(param, []) if value != DONT_KNOW]
    params += [("v", slug) for slug in saved]
    return query.parse(MultiDict(params))


@localized(guide)
def question():
    answers, step = _answers(request.args), _step(request.args)
    return render_template(
        "guide.html", questions=QUESTIONS, answers=answers, step=step, current=QUESTIONS[step - 1], guide_url=guide_url
    )


@localized(guide)
def done():
    """A calm end: what fits the answers, why, and what is not known; the full search is one link away."""
    answers = _answers(request.args)
    result = search.run(snapshot(), search_request(answers, saved_in_request()))
    return render_template("guide_results.html", result=result, questions=QUESTIONS, answers=answers,
                           guide_url=guide_url)  # fmt: skip
