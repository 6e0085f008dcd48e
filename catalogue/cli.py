"""Commands for content editors: ``flask catalogue check``, ``index``, ``stale``, ``coverage``,
``reports``, ``invite``, ``remind``, ``send-mail``, ``digest``, ``purge``, ``contacts`` and ``editor add``.

Their messages are for the Swedish-speaking editors and are not translated.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup
from flask.ctx import RequestContext

from catalogue import page_kit, retention
from catalogue.db import ErrorReport, Invitation, db
from catalogue.editorial import campaign, contacts, coverage, desk, digest, invitations, mail
from catalogue.facts import evidence
from catalogue.index import builder
from catalogue.index.content import load_content
from catalogue.page_kit import absolute_url, snapshot
from catalogue.site.shortlinks import expire_unused

REMINDER = "påminnelse"  # the editor named in the audit log and on a reminder's invitation
COMMAND_LINE = "kommandoraden"  # the editor named for what is done from the command line
catalogue_cli = AppGroup("catalogue", help="Check content and build the search index.")


def _report(errors: Iterable[object]) -> None:
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
@click.option("--full", is_flag=True, help="Build every shard anew, sharing none with the published index.")
def build_index(full: bool) -> None:
    """Validate, then build and publish a new index; on any error keep the current one.

    Only the shards whose files changed are built again, unless --full."""
    try:
        config = current_app.config
        loaded = builder.rebuild(config["CONTENT_DIR"], config["INDEX_DIR"], strict=True, full=full)
    except OSError as error:  # a full disk, a folder that may not be written: one line, not a traceback
        where = f" ({error.filename})" if error.filename else ""
        click.echo(f"Indexet kunde inte byggas: {error.strerror or error}{where}. Det senaste fungerande "
                   "indexet används fortfarande.", err=True)  # fmt: skip
        sys.exit(1)
    _report(loaded.errors)
    if loaded.errors:
        click.echo("Indexet byggdes inte. Det senaste fungerande indexet används fortfarande.", file=sys.stderr)
        sys.exit(1)
    page_kit.published()
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
@click.option("--history", "over_time", is_flag=True, help="Also the share of each key fact over time, from git.")
def show_coverage(over_time: bool) -> None:
    """For each fact, how many active offerings state it: where the catalogue's gaps are."""
    content = load_content(current_app.config["CONTENT_DIR"])
    _report(content.errors)
    now = coverage.measure(content.providers)
    click.echo(f"{now.active} aktiva verksamheter. Antal som anger varje uppgift:")
    for fact in now.facts:
        click.echo(f"{fact.key:<24} {fact.count:>3}  {fact.share:>3} %  {'#' * round(fact.share / 5)}".rstrip())
    if over_time:
        _coverage_history()


def _coverage_history() -> None:
    """One line per point in time: the day, how many offerings were read, and each key fact's share."""
    points = coverage.history(current_app.config["CONTENT_DIR"], coverage.cache_dir(current_app.config))
    keys = [field.key for field in coverage.KEY_FACTS]
    click.echo("\nAndel i procent över tid, efter dagens sista ändring i git (fel: filer som inte klarar dagens")
    click.echo("kontroller och därför inte räknas; – när ingen aktiv verksamhet kunde läsas):")
    click.echo("  ".join(["datum     ", "aktiva", "fel", *keys]))
    for point in points:
        shares = [f"{point.share(key) if point.active else '–':>{len(key)}}" for key in keys]
        click.echo("  ".join([point.day.isoformat(), f"{point.active:>6}", f"{point.errors:>3}", *shares]))


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


def _public_context() -> RequestContext:
    """A request context on the public address, so that links in mail and letters are absolute."""
    return current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"] or "http://localhost:5000")


def _invite_each(
    records: list[dict[str, Any]], editor: str, action: str, days: int = invitations.INVITATION_DAYS
) -> list[Invitation]:
    """One invitation at a time, each committed and logged as it is made: a run cut off keeps what it did."""
    made = []
    for record in records:
        [invitation] = campaign.invite([record], editor, days)
        desk.audit(action, record["slug"], f"{invitation.channel}, giltig till {invitation.expires_at:%Y-%m-%d}",
                   editor=editor)  # fmt: skip
        db.session.commit()
        made.append(invitation)
        click.echo(f"{record['name']}: {'e-post' if invitation.channel == 'email' else 'brev'}")
    letters = [invitation for invitation in made if invitation.channel == "letter"]
    if letters:
        path = url_for("desk.campaign_letters", fran=letters[0].id, till=made[-1].id)
        click.echo(f"Breven att skriva ut: {absolute_url(path)}")
    return made


@catalogue_cli.command("remind")
@click.option("--older-than-months", type=click.IntRange(1, 120), default=12, show_default=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
def remind(older_than_months: int, limit: int) -> None:
    """Fresh invitations, for cron, to offerings whose confirmation is older than the age or never made.

    At most LIMIT a run, each committed and logged as it is made. An offering invited in the last half
    year is skipped, so a run cut off half-way and started again, or two runs, never invite anyone twice."""
    with _public_context():
        made = _invite_each(campaign.reminders_due(dt.date.today(), older_than_months)[:limit], REMINDER, REMINDER)
    click.echo(f"{len(made)} påminnelser.")


@catalogue_cli.command("invite")
@click.argument("slug", required=False)
@click.option(
    "--group",
    type=click.Choice(sorted(campaign.GROUPS)),
    default=None,
    help="Invite a group at once: " + "; ".join(f"{key}: {label}" for key, label in campaign.GROUPS.items()),
)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Also write the invitations as CSV for the city's own mail merge.")  # fmt: skip
@click.option("--days", type=click.IntRange(1, 365), default=invitations.INVITATION_DAYS, show_default=True)
def invite(slug: str | None, group: str | None, csv_path: str | None, days: int) -> None:
    """Invite one offering (SLUG: print its signed link, valid DAYS days, used once) or a --group at once
    (by e-mail where an address is known and mail is on, else by letter)."""
    if (slug is None) == (group is None):
        click.echo("Ange antingen en verksamhet (SLUG) eller --group.", err=True)
        sys.exit(2)
    with _public_context():
        if group:
            made = _invite_each(campaign.chosen(group), COMMAND_LINE, "inbjudan skapad", days)
            click.echo(f"{len(made)} inbjudningar.")
        else:
            made = [_invite_one(str(slug), days)]
        if csv_path:
            Path(csv_path).write_text(campaign.csv_export(made), encoding="utf-8")
            click.echo(f"Listan för koppling av brev: {csv_path}")


def _invite_one(slug: str, days: int) -> Invitation:
    record = snapshot().provider(slug)
    if record is None:
        click.echo(f"Det finns ingen verksamhet {slug}.", err=True)
        sys.exit(1)
    invitation, token = invitations.create(slug, COMMAND_LINE, days)
    desk.audit("inbjudan skapad", slug, f"giltig till {invitation.expires_at:%Y-%m-%d}", editor=COMMAND_LINE)
    db.session.commit()
    link = absolute_url(url_for("suggestions.invited_form", token=token))
    click.echo(f"Inbjudan till {record['name']}, giltig till {invitation.expires_at:%Y-%m-%d}:\n{link}")
    return invitation


@catalogue_cli.command("digest")
def send_digest() -> None:
    """Tell the editors, one e-mail each, about the suggestions that arrived since the last digest (cron)."""
    if not mail.enabled(current_app.config):
        click.echo("E-post är avstängd: CATALOGUE_SMTP_HOST är inte satt. Inget skickades.")
        return
    with _public_context():
        told = digest.send(dt.datetime.now(dt.UTC))
    click.echo(f"{told} nya förslag i sammanfattningen till redaktörerna.")


@catalogue_cli.command("purge")
def purge() -> None:
    """Delete what has been kept as long as /personuppgifter says (cron, daily)."""
    counts = retention.purge(dt.datetime.now(dt.UTC))
    click.echo("Borttaget: " + ", ".join(f"{count} {what}" for what, count in counts.items()) + ".")


contacts_cli = AppGroup("contacts", help="The editors' private contacts at each offering.")
catalogue_cli.add_command(contacts_cli)


@contacts_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def contacts_import(path: str) -> None:
    """Read a CSV file (columns: verksamhet, kontaktperson, e-post, postadress); all rows or none."""
    imported = contacts.import_file(Path(path).read_bytes(), Path(path).name, snapshot().providers(), COMMAND_LINE)
    if imported.problems:
        db.session.rollback()
        _report(imported.problems)
        click.echo(f"{len(imported.problems)} fel: ingen rad lästes in.", err=True)
        sys.exit(1)
    desk.audit("kontakter inlästa", Path(path).name, f"{imported.count} verksamheter", editor=COMMAND_LINE)
    db.session.commit()
    click.echo(f"{imported.count} kontakter lästes in.")


@contacts_cli.command("delete")
@click.argument("slugs", nargs=-1)
@click.option("--all", "everyone", is_flag=True, help="Delete every contact.")
@click.option("--refused", is_flag=True, help="They asked not to be contacted: later imports leave them out.")
def contacts_delete(slugs: tuple[str, ...], everyone: bool, refused: bool) -> None:
    """Delete the contacts of the given offerings, or --all."""
    if not slugs and not everyone:
        click.echo("Ange verksamheter eller --all.", err=True)
        sys.exit(2)
    gone = contacts.delete(None if everyone else list(slugs), refused=refused)
    action = "kontakter spärrade" if refused else "kontakter borttagna"
    desk.audit(action, "alla" if everyone else ", ".join(slugs)[:200], str(gone), editor=COMMAND_LINE)
    db.session.commit()
    click.echo(f"{gone} kontakter togs bort.")


editor_cli = AppGroup("editor", help="The people who may sign in to the desk, /redaktion.")
catalogue_cli.add_command(editor_cli)


@editor_cli.command("add")
@click.argument("name")
@click.option("--email", default=None, help="The author address of the commits this editor's changes become.")
@click.password_option("--password", prompt="Lösenord", confirmation_prompt="Upprepa lösenordet")
def editor_add(name: str, email: str | None, password: str) -> None:
    """Create an editor; the password is asked for and kept only as an argon2 hash."""
    try:
        desk.add_editor(name, email or f"{name}@{desk.NO_ADDRESS_DOMAIN}", password)
    except ValueError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(f"Redaktören {name} kan nu logga in på /redaktion.")


@editor_cli.command("remove")
@click.argument("name")
def editor_remove(name: str) -> None:
    """Delete an editor who has stopped: their name, e-mail address and password hash."""
    if not desk.remove_editor(name):
        click.echo(f"Det finns ingen redaktör som heter {name}.", err=True)
        sys.exit(1)
    click.echo(f"Redaktören {name} är borttagen och kan inte längre logga in.")
