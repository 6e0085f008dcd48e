"""Whom to contact in a district: the view model of "Så ansöker du" on a district page.

``content/places.yml`` knows little for most districts. This module turns what it does know into
rows, always starting with whom to contact and how to reach them (``next_steps.apply_actions``: the
district's own number, else the city's contact centre, and the city's page for applying), and names
what is not known so that the page can ask for it instead of showing empty rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from catalogue.facts import evidence
from catalogue.site.next_steps import APPLY_FOR_DECISION, TEXT, Action, WayIn, apply_actions, guidance_way


@dataclass(frozen=True)
class DistrictContacts:
    contacts: list[Action]
    guidance: WayIn | None = None  # the city's guidance service, which anyone may ask
    unknown: list[str] = field(default_factory=list)  # what we do not know yet, in words
    sources: list[dict[str, Any]] = field(default_factory=list)  # every source behind a shown contact

    def unknown_labels(self) -> str:
        return ", ".join(self.unknown)

    @property
    def closing(self) -> WayIn | None:
        """How the district page ends: the concrete ways to reach social services there."""
        actions = tuple(action for action in self.contacts if action.concrete)
        return WayIn(APPLY_FOR_DECISION, _("Ansök om ett beslut"), None, actions) if actions else None


def district_contacts(
    slug: str,
    name: str,
    facts: dict[str, Any],
    places: dict[str, Any],
    today: dt.date,
    guidance: dict[str, Any] | None = None,
) -> DistrictContacts:
    """Rows for the district called ``name``; the first names whom to contact, the next how to reach them.

    ``guidance`` is the city's guidance service (``next_steps.guidance_service``), which anyone may ask."""
    sources = list(facts.get("sources", []))
    who = facts.get("social_services")
    contacts = [
        Action(TEXT, _("Vem du kontaktar"), who, swedish=True)
        if who
        else Action(
            TEXT,
            _("Vem du kontaktar"),
            _("Socialtjänsten i %(district)s. Be att få tala med en biståndshandläggare.", district=name),
        )
    ]
    contacts += apply_actions(places, slug, today, with_page=False)
    unknown = []
    if not facts.get("phone"):
        unknown.append(_("stadsdelens eget telefonnummer"))
        sources += (places.get("switchboard") or {}).get("sources", [])
    if not facts.get("email"):
        unknown.append(_("e-post"))
    sources += (places.get("how_to_apply") or {}).get("sources", [])
    if "relatives_consultant" in facts:
        has_one = facts["relatives_consultant"]
        contacts.append(
            Action(
                TEXT,
                _("Anhörigkonsulent"),
                _("Ja, det fanns en när vi senast fick veta.")
                if has_one
                else _("Nej, det fanns ingen när vi senast fick veta."),
                old_year=evidence.fact_old_year(facts, "relatives_consultant", today),
            )
        )
        if facts.get("relatives_consultant_note"):
            contacts.append(Action(TEXT, _("Om anhörigkonsulenten"), facts["relatives_consultant_note"], swedish=True))
    else:
        unknown.append(_("om det finns en anhörigkonsulent"))
    unique = {(source.get("url"), source["title"]): source for source in sources}
    return DistrictContacts(contacts, guidance_way(guidance, places, today), unknown, list(unique.values()))
