"""The launch campaign: invite many offerings at once, and see whether it works.

An offering whose e-mail address is known gets its invitation by e-mail (through the outbox, so a
mail server that is down loses nothing); the others get a letter: a printable A4 page with the link,
a QR code, what we ask and why. Every invitation records how it went out, when it was first opened,
and the suggestion that answered it, so the desk can count sent, opened, answered and accepted.
The same invitations export as CSV for the city's own mail merge.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import segno
from flask import current_app, url_for
from markupsafe import Markup

from catalogue.db import Invitation, OutgoingMail, Suggestion, db, utc
from catalogue.editorial import contacts, invitations, mail
from catalogue.facts import evidence, fields
from catalogue.facts import vocabulary as v
from catalogue.page_kit import absolute_url, snapshot

INVITE_AGAIN_AFTER = dt.timedelta(days=180)
FACTS_GROW_OLD_DAYS = 365
GROUPS = {
    "dags": "De som det är dags att fråga (något saknas eller uppgifterna är äldre än ett år)",
    "saknar": "De som saknar någon uppgift",
    "alla": "Alla aktiva verksamheter",
}


@dataclass(frozen=True)
class Freshness:
    """One offering on the freshness page: how old its facts are, what it lacks, when it was last asked."""

    record: dict[str, Any]
    evidence: evidence.Evidence
    missing: list[str]
    last_invited: dt.datetime | None

    @property
    def age_days(self) -> int | None:
        """Counted from the newest source or the offering's confirmation, never from a re-read."""
        return self.evidence.age_days(dt.date.today())

    @property
    def recently_invited(self) -> bool:
        return self.last_invited is not None and self.last_invited > dt.datetime.now(dt.UTC) - INVITE_AGAIN_AFTER

    @property
    def invitation_due(self) -> bool:
        old = self.age_days is None or self.age_days > FACTS_GROW_OLD_DAYS
        return not self.recently_invited and (bool(self.missing) or old)


def freshness_rows() -> list[Freshness]:
    records = [record for record in snapshot().providers() if record.get("status") == "active"]
    invited = invitations.last_sent([record["slug"] for record in records])
    rows = [
        Freshness(
            record,
            evidence.evidence_of(record),
            _missing(record),
            invited.get(record["slug"]),
        )
        for record in records
    ]
    return sorted(
        rows,
        key=lambda row: (row.evidence.current_since or dt.date.min, -len(row.missing), row.record["name"]),
    )


def _missing(record: dict[str, Any]) -> list[str]:
    return [str(field.label) for field in fields.FACTS if field.ask and not fields.stated(field, record)]


def email_of(record: dict[str, Any]) -> str | None:
    """The editors' own contact first (the person who can answer), else the offering's public address."""
    contact = contacts.of(record["slug"])
    return (contact.email if contact else None) or (record.get("contact") or {}).get("email")


def postal_address_of(record: dict[str, Any]) -> str | None:
    """The contact's postal address, else the offering's own if the post can deliver to it (street, postal
    code and town; "Götgatan, Stockholm" without a number or code cannot be), else None."""
    contact = contacts.of(record["slug"])
    if contact and contact.postal_address:
        return contact.postal_address
    address = record.get("address") or {}
    if all(address.get(part) for part in ("street", "postal_code", "city")):
        return f"{address['street']}, {address['postal_code']} {address['city']}"
    return None


@dataclass(frozen=True)
class Letter:
    """One printed invitation: to whom, where, the link and its QR code."""

    name: str
    person: str
    address_lines: list[str]  # "Box 1, 100 01 Stockholm" is printed on two lines
    link: str
    qr: Markup
    expires: dt.date
    missing: list[str]


def link_of(invitation: Invitation) -> str:
    return absolute_url(url_for("suggestions.invited_form", token=invitations.token_of(invitation)))


def _lines(address: str | None) -> list[str]:
    return [line.strip() for line in (address or "").split(",") if line.strip()]


def letter_of(invitation: Invitation) -> Letter:
    record = snapshot().provider(invitation.provider) or {"slug": invitation.provider, "name": invitation.provider}
    link = link_of(invitation)
    qr = Markup(segno.make(link, error="m").svg_inline(scale=3, border=2))  # noqa: S704 - segno's own SVG
    contact = contacts.of(invitation.provider)
    return Letter(record["name"], contact.person if contact else "", _lines(postal_address_of(record)), link, qr,
                  utc(invitation.expires_at).date(), _missing(record))  # fmt: skip


def invitation_text(record: dict[str, Any], link: str, expires: dt.date) -> str:
    """The e-mail: plain Swedish, what we ask and why, the link. (The letter says the same.)"""
    missing = _missing(record)
    lines = [
        "Hej!",
        "",
        "Hitta sysselsättning är en webbplats som samlar sysselsättning och daglig verksamhet i "
        f"{v.municipality().name.swedish} för",
        f"vuxna med psykisk funktionsnedsättning. Där finns en sida om {record['name']}:",
        absolute_url(url_for("site.provider", slug=record["slug"])),
        "",
        "Vi vill att sidan stämmer och att den som letar vet hur man kommer i kontakt med er.",
    ]
    if missing:
        lines.append(f"Det här vet vi inte i dag: {', '.join(missing).lower()}.")
    lines += [
        "",
        "Öppna länken och se vad sidan säger. Stämmer allt trycker ni på ”Allt stämmer”. Annars ändrar ni",
        "det som är fel. Vi läser ändringarna innan de kommer ut på sidan.",
        link,
        "",
        f"Länken gäller till {expires.isoformat()} och kan användas en gång.",
        "",
        "Varför det är bra att finnas med och vad vi gör med uppgifterna:",
        absolute_url(url_for("site.for_providers", lang=None)),
        "",
        "Hälsningar",
        "Redaktionen för Hitta sysselsättning",
    ]
    return "\n".join(lines) + "\n"


def chosen(group: str) -> list[dict[str, Any]]:
    """The active offerings of one group, with the oldest facts first (the freshness page's order)."""
    rows = freshness_rows()
    if group == "dags":
        rows = [row for row in rows if row.invitation_due]
    elif group == "saknar":
        rows = [row for row in rows if row.missing]
    return [row.record for row in rows]


def reminders_due(today: dt.date, older_than_months: int) -> list[dict[str, Any]]:
    """Active offerings never confirmed, or confirmed longer ago than the age, and not invited lately."""
    cutoff = today - dt.timedelta(days=round(older_than_months * 30.44))
    return [
        row.record
        for row in freshness_rows()
        if not row.recently_invited and (row.evidence.confirmation is None or row.evidence.confirmation.date < cutoff)
    ]


def invite(records: list[dict[str, Any]], editor: str, days: int = invitations.INVITATION_DAYS) -> list[Invitation]:
    """One invitation each, by e-mail when mail is on and an address is known, else by letter."""
    config = current_app.config
    made = []
    for record in records:
        address = email_of(record) if mail.enabled(config) else None
        channel = "email" if address else "letter"
        invitation, _token = invitations.create(record["slug"], editor, days, channel=channel)
        if address:
            text = invitation_text(record, link_of(invitation), utc(invitation.expires_at).date())
            subject = f"Stämmer uppgifterna om {record['name']} på Hitta sysselsättning?"
            message = mail.queue(config, "invitation", address, subject, text)
            db.session.flush()
            invitation.mail_id = message.id
        made.append(invitation)
    return made


CSV_COLUMNS = ["verksamhet", "namn", "kontaktperson", "kanal", "e-post", "adress", "länk", "giltig till", "saknas"]


def csv_export(chosen_invitations: list[Invitation]) -> str:
    """For the city's own mail merge: one row per invitation, with the link and what is missing."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for invitation in chosen_invitations:
        record = snapshot().provider(invitation.provider) or {"slug": invitation.provider, "name": invitation.provider}
        contact = contacts.of(invitation.provider)
        writer.writerow([invitation.provider, record["name"], contact.person if contact else "", invitation.channel,
                         email_of(record) or "", postal_address_of(record) or "", link_of(invitation),
                         utc(invitation.expires_at).date().isoformat(), ", ".join(_missing(record))])  # fmt: skip
    return out.getvalue()


@dataclass(frozen=True)
class Progress:
    """How the campaign is going: offerings invited, and how many of them got, opened, answered and
    had an answer accepted; the offerings that have not answered yet."""

    invited: int
    sent: int
    opened: int
    answered: int
    accepted: int
    waiting: list[dict[str, Any]]


def progress() -> Progress:
    rows = db.session.execute(
        db.select(Invitation, OutgoingMail.sent_at, Suggestion.status)
        .outerjoin(OutgoingMail, OutgoingMail.id == Invitation.mail_id)
        .outerjoin(Suggestion, Suggestion.invitation_id == Invitation.id)
    ).all()
    by_provider: dict[str, set[str]] = {}
    for invitation, mail_sent, answer in rows:
        steps = by_provider.setdefault(invitation.provider, set())
        if invitation.channel != "email" or mail_sent is not None:
            steps.add("sent")
        if invitation.opened_at is not None:
            steps.add("opened")
        if invitation.used_at is not None:
            steps.add("answered")
        if answer == "accepted":
            steps.add("accepted")
    count = {step: sum(step in steps for steps in by_provider.values()) for step in ("sent", "opened", "answered")}
    unanswered = sorted(slug for slug, steps in by_provider.items() if "answered" not in steps)
    waiting = [snapshot().provider(slug) or {"slug": slug, "name": slug} for slug in unanswered]
    accepted = sum("accepted" in steps for steps in by_provider.values())
    return Progress(len(by_provider), count["sent"], count["opened"], count["answered"], accepted, waiting)
