"""Open data: the whole catalogue, and any search, as CSV and NDJSON; and /oppna-data, which says
what is published, under which licence, how often it changes and how to cite it.

The CSV is for a handler's spreadsheet: UTF-8 with a byte order mark and semicolons, which is what
Swedish Excel opens as columns; one row per offering; a fact that is not stated is an empty cell,
never "Nej". Both carry the checked date and every source with its date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from flask import Blueprint, Response, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from catalogue import i18n, query
from catalogue.facts import fields
from catalogue.opendata import files
from catalogue.opendata.api import provider_twin, readable_anywhere
from catalogue.page_kit import absolute_url, public_provider_url, snapshot
from catalogue.routes import localized
from catalogue.search import engine

opendata = Blueprint("opendata", __name__)
opendata.after_request(readable_anywhere)

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.sv"
DELIMITER = ";"
_FORMULA_STARTS = ("=", "@", "+", "-", "\t", "\r")
_PHONE = re.compile(r"^\+\d[\d -]*$")


def _cell(value: str, phone: bool = False) -> str:
    """A spreadsheet must show text as text: a cell that could start a formula gets a leading '.

    Only a phone number ("+46 8 508 000 00") is let through as it is, in the phone column."""
    if value.startswith(_FORMULA_STARTS) and not (phone and _PHONE.match(value)):
        return "'" + value
    return value


def _shown(field: fields.ProviderField, record: dict[str, Any]) -> str:
    if field.kind is not None and field.kind.form_text is not None:  # the opening periods alone: the note
        return "; ".join(field.kind.form_text(record).splitlines())  # has its own column, "Om öppettiderna"
    shown = field.show(record)
    return "; ".join(shown) if isinstance(shown, list) else (shown or "")


def _sources(record: dict[str, Any]) -> str:
    return " | ".join(
        f"{source['title']} ({source['date']})" + (f" {source['url']}" if source.get("url") else "")
        for source in record.get("sources", [])
    )


def header(with_fit: bool = False) -> list[str]:
    columns = [_("Id"), _("Namn"), _("Sammanfattning"), _("Sida"), _("Status")]
    columns += [str(field.label) for field in fields.FACTS]
    columns += [_("Bekräftad av verksamheten"), _("Nyaste källa"), _("Källor")]
    return ([_("Passar sökningen")] if with_fit else []) + columns


def row(record: dict[str, Any], fit: str | None = None) -> list[str]:
    dates = [str(source["date"]) for source in record.get("sources", [])]
    cells = [record["slug"], record["name"], record["summary"], public_provider_url(record)]
    cells.append(_shown(fields.FIELDS_BY_KEY["status"], record))
    facts = [_cell(_shown(field, record), phone=field.link == "tel") for field in fields.FACTS]
    cells = [_cell(cell) for cell in cells] + facts
    confirmed = (record.get("confirmed") or {}).get("date", "")
    cells += [_cell(cell) for cell in (confirmed, max(dates, default=""), _sources(record))]
    return ([_cell(fit)] if fit is not None else []) + cells


def _csv_text(rows: Iterable[list[str]]) -> Iterator[str]:
    """The rows as CSV text, a row at a time: the whole catalogue is never one string in memory."""
    yield "\ufeff"  # the byte order mark: Excel then reads UTF-8 (å, ä, ö) right
    out = io.StringIO()
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def _csv(rows: Iterable[list[str]], name: str) -> Response:
    return Response(stream_with_context(_csv_text(rows)), mimetype="text/csv", headers=_attachment(name, "csv"))


def _attachment(name: str, extension: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}-{dt.date.today().isoformat()}.{extension}"'}


def _catalogue() -> list[dict[str, Any]]:
    return sorted(snapshot().providers(), key=lambda record: (record.get("status") == "closed", record["slug"]))


@opendata.get("/oppna-data/katalog.csv")
@files.made_at_publish(lambda: [url_for("opendata.catalogue_csv")])
def catalogue_csv() -> Response:
    return _csv([header(), *(row(record) for record in _catalogue())], "hitta-sysselsattning")


@opendata.get("/oppna-data/katalog.ndjson")
@files.made_at_publish(lambda: [url_for("opendata.catalogue_ndjson")])
def catalogue_ndjson() -> Response:
    lines = (
        json.dumps(provider_twin(record) | {"url": public_provider_url(record)}, ensure_ascii=False) + "\n"
        for record in _catalogue()
    )
    headers = _attachment("hitta-sysselsattning", "ndjson")
    return Response(stream_with_context(lines), mimetype="application/x-ndjson", headers=headers)


@dataclass(frozen=True)
class Match:
    """An offering a search shows, and how it fits: the same for "Ladda ner listan" and "Följ sökningen"."""

    record: dict[str, Any]
    fit: str  # "Ja", "Kanske: har inte berättat …" or "Matchar orden: …"
    sure: bool


def search_matches(search_request: query.SearchRequest) -> list[Match]:
    """Every offering a search shows, on every page: the matches, those that match some of the words
    when none matches all, then those that may fit. Unknown is never dropped as if it were no."""
    found = snapshot()
    result = engine.run(found, replace(search_request, page=1, saved=()), i18n.current(), page_size=found.size)
    sure = _("Ja, sökt på ”%(q)s”", q=result.suggestion) if result.corrected_from else _("Ja")
    matches = [Match(hit.record, sure, True) for hit in result.hits]
    words = ", ".join(result.partial_words)
    matches += [Match(hit.record, _("Matchar orden: %(words)s", words=words), False) for hit in result.partial]
    for hit in result.maybe:
        unknown = ", ".join(str(facet.not_stated) for facet in hit.unknown)
        matches.append(Match(hit.record, _("Kanske: har inte berättat %(what)s", what=unknown), False))
    return matches


@opendata.get("/sok.csv")
def search_csv() -> Response:
    search_request = query.parse(request.args)
    rows = [row(match.record, match.fit) for match in search_matches(search_request)]
    return _csv([header(with_fit=True), *rows], "sokning")


@localized(opendata)
def page() -> ResponseReturnValue:
    records = snapshot().providers()
    active = sum(record.get("status") == "active" for record in records)
    confirmed = sum(bool(record.get("confirmed")) for record in records if record.get("status") == "active")
    citation = absolute_url("/oppna-data")
    return render_template(
        "open_data.html", total=len(records), active=active, confirmed=confirmed, citation=citation,
        licence=LICENCE, licence_url=LICENCE_URL, delimiter=DELIMITER,
    )  # fmt: skip
