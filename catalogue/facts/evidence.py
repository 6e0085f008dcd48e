"""How old the facts about an offering are: the one home for the dates that pages, the desk and the
commands show and count from.

A provider file holds three kinds of date, and they must never be mixed:

- each source's own date, when it said what it says: **the evidence**;
- ``reviewed``, when an editor last re-read the sources. It says nothing about whether the facts
  still hold, so no page shows it as a confirmation and no age is counted from it;
- ``confirmed``, when the offering itself confirmed the facts, through its invitation or to an
  editor who spoke to it. Only this makes old evidence current.

Everything here reads a provider record (or a guidance page, which has sources too) and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from flask_babel import format_date
from flask_babel import gettext as _

from catalogue.facts import vocabulary as v

OLD_AFTER_YEARS = 3  # a fact whose newest evidence is older is shown with its year


def start_of(source_date: str) -> dt.date:
    """The first day a source date can mean: "2014" is 1 January 2014, "2014-02" 1 February."""
    parts = [int(part) for part in str(source_date).split("-")]
    return dt.date(parts[0], *(parts[1:] + [1, 1])[:2])


@dataclass(frozen=True)
class Confirmation:
    """The offering said its facts hold: on this day, this way (``vocabulary.CONFIRMATION_WAYS``)."""

    date: dt.date
    via: str


@dataclass(frozen=True)
class Evidence:
    """The dates behind one record's facts."""

    first: str | None  # the oldest source's date, as written ("2014", "2014-02", "2014-02-18")
    newest: str | None  # the newest source's date
    confirmation: Confirmation | None
    reviewed: dt.date | None  # when the editors last re-read the sources: never a confirmation

    @property
    def years(self) -> tuple[str, str] | None:
        """The years of the oldest and the newest source, for "Uppgifterna kommer från 2014–2021"."""
        return (self.first[:4], self.newest[:4]) if self.first and self.newest else None

    @property
    def current_since(self) -> dt.date | None:
        """The last day the facts were known to hold: the confirmation, else the newest source."""
        dates = [start_of(self.newest)] if self.newest else []
        dates += [self.confirmation.date] if self.confirmation else []
        return max(dates, default=None)

    def age_days(self, today: dt.date) -> int | None:
        """How old the facts are, counted from evidence and confirmation, never from a re-read."""
        since = self.current_since
        return (today - since).days if since else None


def evidence_of(record: dict[str, Any]) -> Evidence:
    dates = sorted(str(source["date"]) for source in record.get("sources", []) if source.get("date"))
    confirmed = record.get("confirmed")
    confirmation = Confirmation(dt.date.fromisoformat(confirmed["date"]), confirmed["via"]) if confirmed else None
    reviewed = dt.date.fromisoformat(record["reviewed"]) if record.get("reviewed") else None
    return Evidence(dates[0] if dates else None, dates[-1] if dates else None, confirmation, reviewed)


def covering_year(record: dict[str, Any], key: str) -> str | None:
    """The year of the newest evidence for one fact: a source that covers it (or the mapping it is in,
    "contact" for "contact.phone"), or the offering's confirmation, which covers every fact."""
    names = {key, key.partition(".")[0]}
    years = [str(source["date"])[:4] for source in record.get("sources", []) if names & set(source.get("covers", []))]
    if record.get("confirmed"):
        years.append(str(record["confirmed"]["date"])[:4])
    return max(years, default=None)


def old_year(year: str | None, today: dt.date) -> str | None:
    """The year, when it is old enough to be shown beside the fact: "(uppgift från 2014)"."""
    return year if year and int(year) <= today.year - OLD_AFTER_YEARS else None


def fact_old_year(record: dict[str, Any], key: str, today: dt.date) -> str | None:
    return old_year(covering_year(record, key), today)


def said(found: Evidence) -> list[str]:
    """How old the facts are, in the page's language, leading every provider page.

    "Uppgifterna kommer från 2014–2021. Verksamheten har inte bekräftat uppgifterna ännu." A confirmation date
    is named only when the offering confirmed; the editors' re-read date is never shown as one."""
    sentences = [] if found.years else [_("Vi har inga källor till uppgifterna.")]
    if found.years:
        first, last = found.years
        sentences.append(
            _("Uppgifterna kommer från %(year)s.", year=first)
            if first == last
            else _("Uppgifterna kommer från %(first)s–%(last)s.", first=first, last=last)
        )
    if found.confirmation:
        sentences.append(
            _(
                "Verksamheten bekräftade uppgifterna %(date)s %(how)s.",
                date=format_date(found.confirmation.date, format="long"),
                how=v.CONFIRMATION_WAYS.label(found.confirmation.via),
            )
        )
    else:
        sentences.append(_("Verksamheten har inte bekräftat uppgifterna ännu."))
    return sentences


def said_briefly(found: Evidence) -> str:
    """The same in a few words, for a table cell: "Från 2014–2017, inte bekräftade"."""
    if found.confirmation:
        return cast(
            str, _("Bekräftade av verksamheten %(date)s", date=format_date(found.confirmation.date, format="long"))
        )
    if not found.years:
        return cast(str, _("Inga källor, inte bekräftade"))
    first, last = found.years
    return cast(str, _("Från %(years)s, inte bekräftade", years=first if first == last else f"{first}–{last}"))
