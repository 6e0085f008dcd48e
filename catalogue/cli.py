"""Commands for content editors: ``flask catalogue check`` and ``flask catalogue index``."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from . import indexing
from .content import load_content

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
        click.echo(_("%(count)d fel hittades.", count=len(loaded.errors)), file=sys.stderr)
        sys.exit(1)
    click.echo(_("%(count)d verksamheter, inga fel.", count=len(loaded.providers)))


@catalogue_cli.command("index")
def build_index() -> None:
    """Validate, then build and publish a new index; on any error keep the current one."""
    loaded = indexing.rebuild(current_app.config["CONTENT_DIR"], current_app.config["INDEX_DIR"], strict=True)
    _report(loaded.errors)
    if loaded.errors:
        click.echo(_("Indexet byggdes inte. Det senaste fungerande indexet används fortfarande."), file=sys.stderr)
        sys.exit(1)
    click.echo(_("%(count)d verksamheter indexerade i %(folder)s.", count=len(loaded.providers),
                 folder=current_app.config["INDEX_DIR"]))


def register(app: Flask) -> None:
    app.cli.add_command(catalogue_cli)
