"""Whom to contact in a district: the view model of "Så ansöker du" on a district page.

``content/places.yml`` knows little for most districts. This module turns what it does know
into contact rows, always starting with someone to contact, and names what is not known so
that the page can ask for it instead of showing empty rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _

from .fields import OLD_AFTER_YEARS
from .web import tel_href


@dataclass(frozen=True)
class Contact:
    label: str
    text: str
    href: str | None = None  # a tel:, mailto: or web address
    note: str | None = None  # what to say or ask when you get through
    old_year: str | None = None  # the year of its evidence, when that is more than three years ago
    swedish: bool = False  # free text from the content, written in Swedish


@dataclass(frozen=True)
class DistrictContacts:
    contacts: list[Contact]
    unknown: list[str] = field(default_factory=list)  # what we do not know yet, in words
    sources: list[dict] = field(default_factory=list)  # every source behind a shown contact

    def unknown_labels(self) -> str:
        return ", ".join(self.unknown)


def _year(sources: list[dict], key: str, today: dt.date) -> str | None:
    """The year of the newest source covering ``key``, when it is old enough to say so."""
    dates = [source["date"] for source in sources if key in source.get("covers", [])]
    year = max(dates)[:4] if dates else None
    return year if year and int(year) <= today.year - OLD_AFTER_YEARS else None


def _tel(phone: str) -> str:
    return "tel:" + tel_href(phone)


def district_contacts(
    name: str, facts: dict, places: dict, today: dt.date, guidance: tuple[str, str] | None = None
) -> DistrictContacts:
    """Contact rows for the district called ``name``; the first row always names someone.

    ``guidance`` is the name and address of the city's guidance service, which anyone may ask."""
    sources = list(facts.get("sources", []))
    contacts = [
        Contact(_("Vem du kontaktar"), facts["social_services"], swedish=True)
        if facts.get("social_services")
        else Contact(
            _("Vem du kontaktar"),
            _("Socialtjänsten i %(district)s. Be att få tala med en biståndshandläggare.", district=name),
        )
    ]
    unknown = []
    switchboard = places.get("switchboard")
    if facts.get("phone"):
        contacts.append(
            Contact(
                _("Telefon"),
                facts["phone"],
                _tel(facts["phone"]),
                _("Be att få tala med socialtjänsten och en biståndshandläggare."),
                _year(sources, "phone", today),
            )
        )
    elif switchboard:
        contacts.append(
            Contact(
                _("Telefon"),
                switchboard["phone"],
                _tel(switchboard["phone"]),
                _(
                    "%(name)s. Be att få tala med socialtjänsten i %(district)s.",
                    name=switchboard["name"],
                    district=name,
                ),
                _year(switchboard["sources"], "phone", today),
            )
        )
        sources += switchboard["sources"]
    else:
        unknown.append(_("telefon till socialtjänsten"))
    if facts.get("email"):
        contacts.append(
            Contact(_("E-post"), facts["email"], "mailto:" + facts["email"], None, _year(sources, "email", today))
        )
    else:
        unknown.append(_("e-post"))
    how_to_apply = places.get("how_to_apply") or {}
    if how_to_apply.get("e_service"):
        contacts.append(
            Contact(
                _("Ansök på webben"),
                _("Stadens sida om hur du ansöker"),
                how_to_apply["e_service"],
                _("Där finns e-tjänsten. Du som ansökan gäller loggar in själv."),
            )
        )
    if how_to_apply.get("contact_centre"):
        phone = how_to_apply.get("contact_centre_phone")
        contacts.append(
            Contact(
                _("Få hjälp att komma i kontakt"),
                f"{how_to_apply['contact_centre']}, {phone}" if phone else how_to_apply["contact_centre"],
                _tel(phone) if phone else None,
                _("De hjälper dig att få kontakt med en handläggare där du bor."),
                swedish=True,
            )
        )
    if how_to_apply:
        sources += how_to_apply.get("sources", [])
    if guidance:
        contacts.append(
            Contact(
                _("Vägledning"),
                guidance[0],
                guidance[1],
                _("Stadens vägledning till sysselsättning, studier och arbete. Du behöver inget beslut."),
                swedish=True,
            )
        )
    if "relatives_consultant" in facts:
        has_one = facts["relatives_consultant"]
        contacts.append(
            Contact(
                _("Anhörigkonsulent"),
                _("Ja, det fanns en när vi senast fick veta.")
                if has_one
                else _("Nej, det fanns ingen när vi senast fick veta."),
                old_year=_year(sources, "relatives_consultant", today),
            )
        )
        if facts.get("relatives_consultant_note"):
            contacts.append(Contact(_("Om anhörigkonsulenten"), facts["relatives_consultant_note"], swedish=True))
    else:
        unknown.append(_("om det finns en anhörigkonsulent"))
    unique = {(source.get("url"), source["title"]): source for source in sources}
    return DistrictContacts(contacts, unknown, list(unique.values()))
