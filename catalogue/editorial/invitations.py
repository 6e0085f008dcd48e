"""Invitations: a signed, expiring link through which one provider updates its own facts.

The link carries a signed (invitation, provider, nonce) triple; the row it names says whether it has
expired or been used. The provider it may change comes only from the signed link, never from the
address or the form, so a link for one provider can never touch another.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from catalogue.db import Invitation, db, rows_changed, utc

INVITATION_DAYS = 30
_SALT = "catalogue.invitation"


class InvitationProblem(Exception):
    """Why a link cannot be used: "broken" (not one of ours), "expired" or "used"."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)  # type: ignore[arg-type]


def create(slug: str, created_by: str, days: int = INVITATION_DAYS, channel: str = "link") -> tuple[Invitation, str]:
    """A new invitation for one provider and its token (the last part of its address)."""
    now = dt.datetime.now(dt.UTC)
    invitation = Invitation(
        provider=slug,
        nonce=secrets.token_urlsafe(16),
        created_by=created_by,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
        channel=channel,
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token_of(invitation)


def token_of(invitation: Invitation) -> str:
    """The invitation's token, the same every time: a letter can be printed again from the row."""
    return _serializer().dumps([invitation.id, invitation.provider, invitation.nonce])


def opened(invitation: Invitation) -> None:
    """Note the first time the link was opened (the campaign counts it); never anything about who opened it."""
    if invitation.opened_at is None:
        invitation.opened_at = dt.datetime.now(dt.UTC)
        db.session.commit()


def read(token: str) -> Invitation:
    """The invitation a token names, if it is genuine, current and unused; else InvitationProblem."""
    try:
        number, slug, nonce = _serializer().loads(token)
    except (BadSignature, TypeError, ValueError) as error:
        raise InvitationProblem("broken") from error
    invitation = db.session.get(Invitation, number) if isinstance(number, int) else None
    if invitation is None or invitation.provider != slug or invitation.nonce != nonce:
        raise InvitationProblem("broken")
    if invitation.used_at is not None:
        raise InvitationProblem("used")
    if utc(invitation.expires_at) <= dt.datetime.now(dt.UTC):
        raise InvitationProblem("expired")
    return invitation


def use(invitation: Invitation) -> bool:
    """Mark it used, in the caller's transaction; False when another request used it first."""
    used = rows_changed(
        db.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=dt.datetime.now(dt.UTC))
    )
    return used == 1


def last_sent(slugs: list[str]) -> dict[str, dt.datetime]:
    """When each provider was last invited: the freshness page shows whom to ask next."""
    rows = db.session.execute(
        db.select(Invitation.provider, db.func.max(Invitation.created_at))
        .where(Invitation.provider.in_(slugs))
        .group_by(Invitation.provider)
    )
    return {slug: utc(moment) for slug, moment in rows}
