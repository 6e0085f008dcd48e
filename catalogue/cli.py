"""Commands for content editors: ``flask catalogue check``, ``index``, ``stale``, ``coverage``,
``reports``, ``invite``, ``remind``, ``send-mail`` and ``editor add``.

Their messages are for the Swedish-speaking editors and are not translated.
"""

from __future__ import annotations

import datetime as dt
import sys

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup

from . import campaign, desk, evidence, fields, indexing, invitations, mail
from .content import load_content
from .db import ErrorReport, db
from .shortlinks import expire_unused

REMINDER = "påminnelse"  # the editor named in the audit log and on a reminder's invitation
catalogue_cli = AppGroup("catalogue", help="Check content and build the search index.")


def _report(errors) -> None:
    for error in errors:
        click.echo(str(error), file=sys.stderr)


@catalogue_cli.command("check")
def check() -> None:
    """Validate every provider file and report every problem at once."""
    loaded = load_content(current_app.config["CONTENT_DIR"])
    _report(loaded.errors)
    if loaded.errors:
        click.echo(f"{len(loaded.errors)} fel hittades.", file=sys.stderr)
        sys.exit(1)
    click.echo(f"{len(loaded.providers)} verksamheter, inga fel.")


@catalogue_cli.command("index")
def build_index() -> None:
    """Validate, then build and publish a new index; on any error keep the current one."""
    try:
        loaded = indexing.rebuild(current_app.config["CONTENT_DIR"], current_app.config["INDEX_DIR"], strict=True)
    except OSError as error:  # a full disk, a folder that may not be written: one line, not a traceback
        where = f" ({error.filename})" if error.filename else ""
        click.echo(f"Indexet kunde inte byggas: {error.strerror or error}{where}. Det senaste fungerande "
                   "indexet används fortfarande.", err=True)  # fmt: skip
        sys.exit(1)
    _report(loaded.errors)
    if loaded.errors:
        click.echo("Indexet byggdes inte. Det senaste fungerande indexet används fortfarande.", file=sys.stderr)
        sys.exit(1)
    click.echo(f"{len(loaded.providers)} verksamheter indexerade i {current_app.config['INDEX_DIR']}.")


@catalogue_cli.command("stale")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=0),
    default=None,
    metavar="DAYS",
    help="Only facts older than DAYS days: the newest source, or the offering's confirmation if later.",
)
def stale(days: int | None) -> None:
    """List providers and pages by the age of their facts, the oldest first.

    A file whose sources were re-read yesterday still rests on sources from 2014: the age counts from the
    newest source, or from the day the offering itself confirmed its facts, never from a re-read.
    Files without a source come first."""
    content = load_content(current_app.config["CONTENT_DIR"])
    _report(content.errors)
    today = dt.date.today()
    due = []
    for kind, records in (("providers", content.providers), ("pages", content.pages)):
        for record in records:
            found = evidence.evidence_of(record)
            age = found.age_days(today)
            if days is None or age is None or age > days:
                due.append((found.current_since or dt.date.min, kind, record, found))
    for _since, kind, record, found in sorted(due, key=lambda item: (item[0], item[2]["slug"])):
        years = found.years
        sources = (years[0] if years[0] == years[1] else f"{years[0]}–{years[1]}") if years else "ingen källa"
        confirmed = found.confirmation.date.isoformat() if found.confirmation else "aldrig"
        facts = sorted({fact for source in record.get("sources", []) for fact in source.get("covers", [])})
        click.echo(
            f"{sources:<11}  {confirmed:<10}  content/{kind}/{record['slug']}.md  "
            f"{record.get('name') or record.get('title')}" + (f"  ({', '.join(facts)})" if facts else "")
        )
    click.echo(f"{len(due)} att fråga om. Kolumner: källornas år, bekräftad av verksamheten, fil.", err=True)


@catalogue_cli.command("coverage")
def coverage() -> None:
    """For each fact, how many active offerings state it: where the catalogue's gaps are."""
    content = load_content(current_app.config["CONTENT_DIR"])
    _report(content.errors)
    active = [record for record in content.providers if record.get("status") == "active"]
    click.echo(f"{len(active)} aktiva verksamheter. Antal som anger varje uppgift:")
    for field in fields.FACTS:
        count = sum(fields.stated(field, record) for record in active)
        share = round(100 * count / len(active)) if active else 0
        click.echo(f"{field.key:<24} {count:>3}  {share:>3} %  {'#' * round(share / 5)}".rstrip())


@catalogue_cli.command("reports")
@click.option("--done", "done", type=int, multiple=True, metavar="ID", help="Delete a handled report.")
def reports(done: tuple[int, ...]) -> None:
    """List readers' error reports, oldest first; --done ID removes one that has been handled."""
    for report_id in done:
        report = db.session.get(ErrorReport, report_id)
        if report is None:
            click.echo(f"Det finns ingen rapport {report_id}.", err=True)
            sys.exit(1)
        db.session.delete(report)
    db.session.commit()
    for report in db.session.scalars(db.select(ErrorReport).order_by(ErrorReport.created_at)):
        click.echo(f"#{report.id}  {report.created_at:%Y-%m-%d %H:%M}  {report.page}\n    {report.message}")


def register(app: Flask) -> None:
    app.cli.add_command(catalogue_cli)


@catalogue_cli.command("expire-links")
def expire_links() -> None:
    """Remove short links nobody has followed in CATALOGUE_SHORT_LINK_MONTHS (24 by default)."""
    months = current_app.config["SHORT_LINK_MONTHS"]
    click.echo(f"{expire_unused(months)} korta länkar som inte använts på {months} månader togs bort.")


@catalogue_cli.command("send-mail")
@click.option("--limit", type=click.IntRange(1, 10000), default=100, show_default=True)
def send_mail(limit: int) -> None:
    """Deliver the outbox's due messages (run it from cron every minute); failures are tried again later."""
    config = current_app.config
    if not mail.enabled(config):
        click.echo("E-post är avstängd: CATALOGUE_SMTP_HOST är inte satt. Inget skickades.")
        return
    done = mail.deliver(config, limit)
    click.echo(f"{done.sent} skickade, {done.later} försöks igen senare, {done.failed} gick inte att skicka.")


@catalogue_cli.command("remind")
@click.option("--older-than-months", type=click.IntRange(1, 120), default=12, show_default=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
def remind(older_than_months: int, limit: int) -> None:
    """Fresh invitations, for cron, to offerings whose confirmation is older than the age or never made.

    At most LIMIT a run, each committed and logged as it is made. An offering invited in the last half
    year is skipped, so a run cut off half-way and started again, or two runs, never invite anyone twice."""
    base = current_app.config["PUBLIC_URL"] or "http://localhost:5000"
    with current_app.test_request_context(base_url=base):
        due = campaign.reminders_due(dt.date.today(), older_than_months)[:limit]
        made = []
        for record in due:
            [invitation] = campaign.invite([record], REMINDER)
            until = f"{invitation.channel}, giltig till {invitation.expires_at:%Y-%m-%d}"
            desk.audit("påminnelse", record["slug"], until, editor=REMINDER)
            db.session.commit()
            made.append(invitation)
            click.echo(f"{record['name']}: {'e-post' if invitation.channel == 'email' else 'brev'}")
        letters = [invitation for invitation in made if invitation.channel == "letter"]
        if letters:
            path = url_for("desk.campaign_letters", fran=letters[0].id, till=made[-1].id)
            click.echo(f"Breven att skriva ut: {base}{path}")
    click.echo(f"{len(made)} påminnelser.")


@catalogue_cli.command("invite")
@click.argument("slug")
@click.option("--days", type=click.IntRange(1, 365), default=invitations.INVITATION_DAYS, show_default=True)
def invite(slug: str, days: int) -> None:
    """A signed link, valid for DAYS days and used once, through which one provider updates its own facts."""
    record = current_app.extensions["catalogue_index"].snapshot().provider(slug)
    if record is None:
        click.echo(f"Det finns ingen verksamhet {slug}.", err=True)
        sys.exit(1)
    invitation, token = invitations.create(slug, "kommandoraden", days)
    desk.audit("inbjudan skapad", slug, f"giltig till {invitation.expires_at:%Y-%m-%d}", editor="kommandoraden")
    db.session.commit()
    base = current_app.config["PUBLIC_URL"] or "http://localhost:5000"
    with current_app.test_request_context():
        path = url_for("suggestions.invited_form", token=token)
    click.echo(f"Inbjudan till {record['name']}, giltig till {invitation.expires_at:%Y-%m-%d}:\n{base}{path}")


editor_cli = AppGroup("editor", help="The people who may sign in to the desk, /redaktion.")
catalogue_cli.add_command(editor_cli)


@editor_cli.command("add")
@click.argument("name")
@click.option("--email", default=None, help="The author address of the commits this editor's changes become.")
@click.password_option("--password", prompt="Lösenord", confirmation_prompt="Upprepa lösenordet")
def editor_add(name: str, email: str | None, password: str) -> None:
    """Create an editor; the password is asked for and kept only as an argon2 hash."""
    try:
        desk.add_editor(name, email or f"{name}@redaktionen.invalid", password)
    except ValueError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(f"Redaktören {name} kan nu logga in på /redaktion.")
