"""What a person can do next, as data: the ways into an offering and whom to contact to apply.

Every page that shows offerings ends in a concrete action (a number to call, an address to write to,
a web address to apply, or an address with opening times), never in "ask your case handler" without
saying how to reach one. The ways are derived from what is known, best first:

1. walk in: the offering (or an open part of it) takes people without a decision, and we know its
   address and when it is open;
2. call or write to the offering itself;
3. apply for a decision through social services in the district where the person lives: that
   district's own number and mailbox when known, else the city's contact centre, and always the
   city's web page for applying;
4. ask the city's guidance service (Stockholm's Alfa; ``guidance_service`` in the site file), which needs no
   decision.

Views build these once per page; templates only render them (``_macros.html``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from catalogue.facts import evidence, fields, kinds
from catalogue.facts import vocabulary as v
from catalogue.page_kit import snapshot, tel_href
from catalogue.query import SearchRequest

# What an action is, for how it is drawn and whether it counts as a concrete next step.
TEL, MAIL, APPLY, VISIT = "tel", "mailto", "apply", "visit"  # concrete: a person can act on them at once
WEB, PAGE, TEXT = "web", "page", "text"  # a website, a page of this site, or words without a link
CONCRETE = (TEL, MAIL, APPLY, VISIT)

WALK_IN, CONTACT, APPLY_FOR_DECISION, GUIDANCE = "walk-in", "contact", "apply", "guidance"


@dataclass(frozen=True)
class Action:
    """One thing to do: call this number, write to this address, apply here, go there at these times."""

    kind: str
    label: str  # what it is: "Telefon", "Ansök på webben", "Gå dit"
    text: str  # the number, the address, or the words of the link
    href: str | None = None
    lines: tuple[str, ...] = ()  # a visit's opening times
    lines_old_year: str | None = None  # the year of the opening times' evidence, when old
    note: str | None = None  # what to say or ask when you get there
    who: str | None = None  # whom a number or address reaches, when it is not the offering itself
    old_year: str | None = None  # the year of its evidence, when that is more than three years ago
    swedish: bool = False  # free text from the content, written in Swedish

    @property
    def concrete(self) -> bool:
        """Something a tired person can do at once: a visit counts only with its opening times."""
        return self.kind in CONCRETE and (self.kind != VISIT or bool(self.lines))

    @property
    def external(self) -> bool:
        """A page on another site: opened without telling it where the reader came from."""
        return self.href is not None and self.href.startswith(("http://", "https://"))

    @property
    def left_to_right(self) -> bool:
        """Numbers and addresses read left to right in every language."""
        return self.kind in (TEL, MAIL)


@dataclass(frozen=True)
class WayIn:
    """One way into an offering, or to a decision: a heading, one sentence, and what to do."""

    kind: str
    title: str
    text: str | None
    actions: tuple[Action, ...]
    part: str | None = None  # the part of the offering it leads to

    @property
    def concrete(self) -> bool:
        return any(action.concrete for action in self.actions)


@dataclass(frozen=True)
class PartView:
    """One part of an offering with more than one way in, said after its name so that the open part and
    the part with a decision never read as a contradiction. What you do there is under "Vad du gör där"."""

    name: str
    access: str  # one sentence: whether this part needs a decision
    start: str | None


@dataclass(frozen=True)
class NextSteps:
    """How to start with one offering ("Så börjar du"), or whom to contact when no offering is chosen."""

    intro: list[str]
    ways: list[WayIn]
    parts: list[PartView] = field(default_factory=list)
    reader_district: str | None = None  # the district the search or the guide was narrowed to

    @property
    def best(self) -> WayIn | None:
        """The first way with a concrete action: what the page ends with."""
        return next((way for way in self.ways if way.concrete), None)

    @property
    def concrete(self) -> bool:
        return self.best is not None

    @property
    def closing(self) -> WayIn | None:
        """The best way once more, only what can be done at once: how a provider page ends."""
        best = self.best
        if best is None:
            return None
        return WayIn(
            best.kind, best.title, None, tuple(action for action in best.actions if action.concrete), best.part
        )

    @property
    def own(self) -> list[WayIn]:
        """The ways that belong to this offering (walk in, call or write), without the general ones."""
        return [way for way in self.ways if way.kind in (WALK_IN, CONTACT)]

    @property
    def own_best(self) -> list[Action]:
        """What to do at once with this offering itself: a comparison's "Så börjar du" cell."""
        way = next((way for way in self.own if way.concrete), None)
        return [action for action in way.actions if action.concrete] if way else []

    @property
    def needs_applying(self) -> bool:
        """A decision is needed, or may be: a list then points to its one "Ansök om ett beslut"."""
        return any(way.kind == APPLY_FOR_DECISION for way in self.ways)


# Whom to contact to apply: a district's own contacts, else the city's general way in.


def reader_district(search_request: SearchRequest | None) -> str | None:
    """The district a search or the guide is narrowed to, when it is one: likely where the person lives.

    Pages say "Bor du i …?" rather than assume it."""
    chosen: tuple[str, ...] = search_request.filters.get("stadsdel", ()) if search_request else ()
    return chosen[0] if len(chosen) == 1 and chosen[0] != v.CITYWIDE else None


def _phone_action(phone: str, note: str, year: str | None, today: dt.date, who: str | None = None) -> Action:
    return Action(TEL, _("Telefon"), phone, "tel:" + tel_href(phone), note=note, who=who,
                  old_year=evidence.old_year(year, today))  # fmt: skip


def apply_actions(places: dict[str, Any], district: str | None, today: dt.date, with_page: bool = True) -> list[Action]:
    """How to reach social services to apply: the district's number and mailbox when known, else the
    city's contact centre, then the city's page for applying and (``with_page``) the district's page here."""
    facts = (places.get("districts") or {}).get(district or "", {})
    name = v.DISTRICTS.label(district) if district else None
    actions = []
    switchboard = places.get("switchboard")
    if facts.get("phone"):
        note = _("Be att få tala med en biståndshandläggare på socialtjänsten.")
        who = _("Socialtjänsten i %(district)s", district=name)
        actions.append(_phone_action(facts["phone"], note, evidence.covering_year(facts, "phone"), today, who))
    elif switchboard:
        note = (
            _("%(name)s. Be att få tala med socialtjänsten i %(district)s.", name=switchboard["name"], district=name)
            if name
            else _("%(name)s. Be att få tala med socialtjänsten i stadsdelen där du bor.", name=switchboard["name"])
        )
        year = evidence.covering_year(switchboard, "phone")
        actions.append(_phone_action(switchboard["phone"], note, year, today, switchboard["name"]))
    if facts.get("email"):
        year = evidence.old_year(evidence.covering_year(facts, "email"), today)
        who = _("Socialtjänsten i %(district)s", district=name)
        actions.append(Action(MAIL, _("E-post"), facts["email"], "mailto:" + facts["email"], old_year=year, who=who))
    how_to_apply = places.get("how_to_apply") or {}
    centre, centre_phone = how_to_apply.get("contact_centre"), how_to_apply.get("contact_centre_phone")
    if centre and centre_phone:
        note = _("%(centre)s hjälper dig att få kontakt med en handläggare där du bor.", centre=centre)
        year = evidence.covering_year(how_to_apply, "contact_centre_phone")
        actions.append(_phone_action(centre_phone, note, year, today))
        centre = None  # named with its own number: the web page need not name it again
    if how_to_apply.get("e_service"):
        note = (
            _("Där finns e-tjänsten och %(centre)s, som hjälper dig att få kontakt med en handläggare.", centre=centre)
            if centre
            else _("Där finns e-tjänsten. Du som ansökan gäller loggar in själv.")
        )
        actions.append(
            Action(
                APPLY, _("Ansök på webben"), _("Stadens sida om hur du ansöker"), how_to_apply["e_service"], note=note
            )
        )
    if not with_page:
        return actions
    if district:
        actions.append(
            Action(PAGE, _("Stadsdelen"), _("Allt om att ansöka i %(district)s", district=name),
                   url_for("site.district", slug=district))
        )  # fmt: skip
    else:
        actions.append(
            Action(PAGE, _("Stadsdelen"), _("Hitta din stadsdel och hur du kontaktar den"), url_for("site.districts"))
        )
    return actions


def apply_way(
    places: dict[str, Any], district: str | None, today: dt.date, needed: bool | None = True, with_page: bool = True
) -> WayIn:
    """Apply for a decision: ``needed`` is True when the offering says it needs one, None when unknown."""
    if district:
        text = _("Bor du i %(district)s? Du ansöker hos socialtjänsten där.", district=v.DISTRICTS.label(district))
    else:
        text = _("Du ansöker hos socialtjänsten i stadsdelen där du bor. En handläggare pratar med dig och beslutar.")
    title = _("Ansök om ett beslut") if needed else _("Om du behöver ett beslut")
    return WayIn(APPLY_FOR_DECISION, title, text, tuple(apply_actions(places, district, today, with_page)))


def guidance_way(
    guidance: dict[str, Any] | None, places: dict[str, Any], today: dt.date, only: bool = False
) -> WayIn | None:
    """The city's guidance service: anyone may ask it, without a decision.

    Shown with its own number or address. Without one, and when it is the ``only`` way a page has, the
    city's contact centre is the number to call and ask for it; otherwise it is left out, so that nobody is
    sent to a service without a way to reach it."""
    if guidance is None:
        return None
    actions = [action for action in _contact_actions(guidance, today) if action.concrete]
    switchboard = places.get("switchboard")
    asked_for = _short_name(guidance)
    if not actions and only and switchboard:
        note = _("%(name)s. Fråga efter %(service)s, stadens vägledning till sysselsättning.", name=switchboard["name"],
                 service=asked_for)  # fmt: skip
        actions.append(_phone_action(switchboard["phone"], note, evidence.covering_year(switchboard, "phone"), today))
    if not actions:
        return None
    actions.append(Action(PAGE, _("Om %(service)s", service=asked_for), guidance["name"],
                          url_for("site.provider", slug=guidance["slug"]),
                          swedish=True))  # fmt: skip
    text = _("Stadens vägledning till sysselsättning, studier och arbete. Du behöver inget beslut.")
    return WayIn(GUIDANCE, _("Fråga om vägledning"), text, tuple(actions))


def general_steps(
    places: dict[str, Any],
    guidance: dict[str, Any] | None,
    today: dt.date,
    district: str | None = None,
    decision: bool = True,
) -> NextSteps:
    """Whom to contact when no one offering is chosen: the guide's end, Min lista, Jämför.

    ``decision`` is False for someone who wants to walk in without one (the guide's answer, or a list of
    open offerings only): the city's guidance comes first, and applying is offered as an "if"."""
    if decision:
        ways = [apply_way(places, district, today), guidance_way(guidance, places, today)]
    else:
        ways = [guidance_way(guidance, places, today, only=True), apply_way(places, district, today, needed=False)]
    return NextSteps([], [way for way in ways if way], reader_district=district)


# The ways into one offering.

# Whether a decision is needed, said for the whole offering, keyed by its access values in vocabulary order.
ACCESS_SENTENCES = {
    ("beslut",): _l(
        "Du behöver ett beslut om sysselsättning från socialtjänsten i stadsdelen där du bor. "
        "Du kan välja verksamhet i hela staden, inte bara nära dig."
    ),
    ("oppen",): _l("Du kan komma hit utan beslut."),
    ("beslut", "oppen"): _l(
        "Du kan börja på två sätt: komma hit utan beslut, eller med ett beslut om sysselsättning från stadsdelen."
    ),
    (): _l("Vi vet inte om du behöver ett beslut för att börja här. Fråga verksamheten eller socialtjänsten."),
}
NO_PLACE_NO_DECISION = _l("Du behöver inget beslut för att börja här.")  # open, but no door we know of
# The same for one part, said after the part's name ("Öppna delen: Du behöver inget beslut.").
PART_ACCESS_SENTENCES = {
    ("beslut",): _l("Du behöver ett beslut om sysselsättning från stadsdelen där du bor."),
    ("oppen",): _l("Du behöver inget beslut."),
    ("beslut", "oppen"): _l("Du kan komma med eller utan beslut."),
}


def _visit(record: dict[str, Any], part: str | None, today: dt.date) -> Action | None:
    """Walking in: the street address, and the opening times of the whole offering or of this part."""
    address = record.get("address") or {}
    if not address.get("street"):
        return None
    periods = [  # the part's own times, said without repeating its name under "Gå dit (Öppna delen)"
        {key: value for key, value in period.items() if key != "part"}
        for period in record.get("opening_hours") or []
        if period.get("part") in (None, part)
    ]
    lines = kinds.opening_hours_lines({"opening_hours": periods})  # no periods: not a time to go
    return Action(VISIT, _("Adress"), kinds.address_line(record) or "", lines=tuple(lines),
                  note=record.get("opening_note"), old_year=evidence.fact_old_year(record, "address", today),
                  lines_old_year=evidence.fact_old_year(record, "opening_hours", today) if lines else None,
                  swedish=True)  # fmt: skip


_CONTACT_FIELDS = ("contact.phone", "contact.email", "contact.website")
_CONTACT_KINDS = {"tel": TEL, "mailto": MAIL, "web": WEB}


def _contact_actions(record: dict[str, Any], today: dt.date) -> list[Action]:
    actions = []
    for key in _CONTACT_FIELDS:
        found = fields.fact(fields.FIELDS_BY_KEY[key], record, today)
        if found is None or not isinstance(found.shown, str):
            continue
        field_ = found.field
        kind = _CONTACT_KINDS[field_.link or "web"]
        href = {TEL: "tel:" + tel_href(found.shown), MAIL: "mailto:" + found.shown}.get(kind, found.shown)
        actions.append(Action(kind, str(field_.label), found.shown, href, old_year=found.old_year))
    return actions


def offering_steps(
    record: dict[str, Any],
    places: dict[str, Any],
    guidance: dict[str, Any] | None,
    today: dt.date,
    search_request: SearchRequest | None = None,
) -> NextSteps:
    """ "Så börjar du" for one offering: how to start in each part, and its ways in, best first."""
    district = reader_district(search_request)
    access = v.ACCESS.ordered(record.get("access"))
    parts = [
        PartView(part["name"], str(PART_ACCESS_SENTENCES[v.ACCESS.ordered(part["access"])]), part.get("start"))
        for part in record.get("parts") or []
    ]
    somewhere = bool((record.get("address") or {}).get("street"))
    sentence = NO_PLACE_NO_DECISION if access == ("oppen",) and not somewhere else ACCESS_SENTENCES[access]
    intro = [] if parts else [str(sentence)]
    ways: list[WayIn] = []
    open_parts = [part["name"] for part in record.get("parts") or [] if "oppen" in part["access"]]
    paused = record.get("status") == "paused"  # temporarily closed: nobody is sent to its door
    for part in [] if paused else open_parts or ([None] if "oppen" in access else []):
        visit = _visit(record, part, today)
        if visit is not None:  # a part says above how to start in it ("ring och boka ett första besök")
            text = None if part else _("Du kan komma utan beslut när det är öppet.")
            ways.append(WayIn(WALK_IN, _("Gå dit"), text, (visit,), part))
    contact = _contact_actions(record, today)
    if contact:
        ways.append(WayIn(CONTACT, _("Kontakta verksamheten"), None, tuple(contact)))
    if "beslut" in access or not access:
        ways.append(apply_way(places, district, today, needed=True if access else None))
    if record.get("slug") != (guidance or {}).get("slug") and not any(
        way.concrete for way in ways if way.kind in (WALK_IN, CONTACT)
    ):
        way = guidance_way(guidance, places, today, only=not any(way.concrete for way in ways))
        ways += [way] if way else []
    if not any(way.concrete for way in ways):
        way = _ask_the_city(record, places, today)
        ways += [way] if way else []
    ways.sort(key=_best_first)
    return NextSteps(intro, ways, parts, district)


_HOUSE_NUMBER = re.compile(r"\d")


def _best_first(way: WayIn) -> tuple[bool, int]:
    """Something to do at once comes first. A door with a street number and opening times leads; a street
    without a number ("Maria Trappgränd") comes after the offering's own number, which can say where."""
    rank = {WALK_IN: 0, CONTACT: 1, APPLY_FOR_DECISION: 3, GUIDANCE: 4}[way.kind]
    if way.kind == WALK_IN and not any(_HOUSE_NUMBER.search(action.text) for action in way.actions):
        rank = 2
    return not way.concrete, rank


def _ask_the_city(record: dict[str, Any], places: dict[str, Any], today: dt.date) -> WayIn | None:
    """The last resort, when nothing else leads anywhere: the city's contact centre. It is asked for the
    offering by name only when the city runs it (its guidance service itself); otherwise for guidance to
    sysselsättning."""
    switchboard = places.get("switchboard")
    if not switchboard:
        return None
    if record.get("operator") == "kommunal":
        note = _("%(switchboard)s. Fråga efter %(name)s.", switchboard=switchboard["name"], name=record["name"])
    else:
        note = _("%(switchboard)s. Fråga om vägledning till sysselsättning.", switchboard=switchboard["name"])
    action = _phone_action(switchboard["phone"], note, evidence.covering_year(switchboard, "phone"), today)
    return WayIn(GUIDANCE, _("Fråga staden"), None, (action,))


# For the views: the request's index snapshot, today's date and the guidance service filled in.


def guidance_service() -> dict[str, Any] | None:
    """The city's guidance service (the site file's ``guidance_service``), named wherever someone needs a
    person to ask; None when the municipality has none, or it is not open."""
    guidance = v.municipality().guidance
    record = snapshot().provider(guidance.offering) if guidance else None
    return record if record and record.get("status") == "active" else None


def _short_name(guidance: dict[str, Any]) -> str:
    """What to ask for on the phone: "Alfa", not the offering's whole name, when the site file gives it."""
    known = v.municipality().guidance
    return known.name if known and known.offering == guidance["slug"] else str(guidance["name"])


def for_offering(record: dict[str, Any], search_request: SearchRequest | None = None) -> NextSteps:
    return offering_steps(record, snapshot().places, guidance_service(), dt.date.today(), search_request)


def for_search(search_request: SearchRequest | None, decision: bool = True) -> NextSteps:
    """Whom to contact beside a list of offerings: the district searched for, else the city's way in.

    A search (or the guide) for walking in only, "tillgang=oppen", leads with guidance, not applying."""
    walk_in = search_request is not None and search_request.filters.get("tillgang") == ("oppen",)
    return general_steps(snapshot().places, guidance_service(), dt.date.today(), reader_district(search_request),
                         decision and not walk_in)  # fmt: skip
