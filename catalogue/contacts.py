"""The editors' own contacts at each offering: whom to send the invitation to.

Only a few offerings publish an e-mail address or a postal address, so the campaign needs the city's
register of contracted providers. Editors import it as CSV (from the desk or ``flask catalogue
contacts import``). The contacts live in the database only: never in the Markdown files, the public
pages, the feeds or the APIs. They can be deleted one by one or all at once, and the retention run
deletes them ``retention.CONTACT_MONTHS`` after their import.

An import is all or nothing: a file with any problem changes nothing, and every problem is reported
as ``file:row: column: what is wrong``, the way content errors are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from . import checks, textpolicy
from .db import Contact, db, rows_changed

COLUMNS = {  # the heading in the file -> what it holds, as the desk explains it
    "verksamhet": "verksamhetens filnamn (till exempel fountain-house) eller namn som på webbplatsen",
    "kontaktperson": "den ni skriver till (får vara tom)",
    "e-post": "kontaktpersonens e-postadress",
    "postadress": "postadress, rader åtskilda med kommatecken (e-post eller postadress måste finnas)",
}
LIMITS = {"kontaktperson": 120, "e-post": 254, "postadress": 300}
MAX_ROWS = 2000


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.column}: {self.message}"


@dataclass(frozen=True)
class Imported:
    count: int
    problems: list[Problem]


def decoded(raw: bytes) -> str:
    """UTF-8 (with or without Excel's byte-order mark); failing that, Windows-1252, which a Swedish Excel
    writes when asked for "CSV"."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _rows(text: str) -> csv.DictReader:
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.DictReader(io.StringIO(text), dialect=dialect)


def _slugs_by_name(records: list[dict]) -> dict[str, str]:
    found = {record["slug"]: record["slug"] for record in records}
    found |= {record["name"].casefold(): record["slug"] for record in records}
    return found


def read(text: str, filename: str, records: list[dict]) -> tuple[list[Contact], list[Problem]]:
    """The file's contacts, or the problems that keep it from being imported."""
    rows = _rows(text)
    headings = [(heading or "").strip().lower() for heading in rows.fieldnames or []]
    missing = [column for column in COLUMNS if column not in headings]
    if missing:
        return [], [Problem(filename, 1, column, "kolumnen saknas i första raden") for column in missing]
    rows.fieldnames = headings
    slugs = _slugs_by_name(records)
    contacts: dict[str, Contact] = {}
    problems: list[Problem] = []
    for row in rows:
        line = rows.line_num
        if line > MAX_ROWS + 1:
            problems.append(Problem(filename, line, "verksamhet", f"filen har fler än {MAX_ROWS} rader"))
            break
        values = {column: (row.get(column) or "").strip() for column in COLUMNS}
        if not any(values.values()):
            continue
        row_problems = [Problem(filename, line, column, message) for column, message in _problems(values, slugs)]
        slug = slugs.get(values["verksamhet"]) or slugs.get(values["verksamhet"].casefold())
        if slug in contacts:
            row_problems.append(Problem(filename, line, "verksamhet", "verksamheten finns redan på en rad ovanför"))
        problems += row_problems
        if not row_problems and slug:
            contacts[slug] = Contact(
                provider=slug,
                person=values["kontaktperson"],
                email=values["e-post"] or None,
                postal_address=values["postadress"] or None,
            )
    return list(contacts.values()), problems


def _problems(values: dict[str, str], slugs: dict[str, str]):
    for column, value in values.items():
        if code := textpolicy.forbidden(value):
            yield column, f"innehåller ett osynligt styrtecken ({code})"
        elif len(value) > LIMITS.get(column, 200):
            yield column, f"är längre än {LIMITS.get(column, 200)} tecken"
    name = values["verksamhet"]
    if not name:
        yield "verksamhet", "tom: skriv verksamhetens filnamn eller namn"
    elif name not in slugs and name.casefold() not in slugs:
        yield "verksamhet", f"ingen verksamhet heter {textpolicy.one_line(name, 80)}"
    if values["e-post"] and not checks.is_email(values["e-post"]):
        yield "e-post", "är inte en e-postadress"
    if not values["e-post"] and not values["postadress"]:
        yield "e-post", "ange e-post eller postadress, annars når inbjudan ingen"


def import_file(raw: bytes, filename: str, records: list[dict], editor: str) -> Imported:
    """Replace the contacts of the offerings in the file, or change nothing if any row is wrong."""
    found, problems = read(decoded(raw), filename, records)
    if problems:
        return Imported(0, problems)
    for contact in found:
        contact.imported_by = editor
        contact.imported_at = dt.datetime.now(dt.UTC)
        db.session.merge(contact)
    return Imported(len(found), [])


def of(slug: str) -> Contact | None:
    return db.session.get(Contact, slug)


def every() -> list[Contact]:
    return list(db.session.scalars(db.select(Contact).order_by(Contact.provider)))


def delete(slugs: list[str] | None = None) -> int:
    """Delete some contacts, or all of them when no slugs are given; returns how many went."""
    query = db.delete(Contact)
    if slugs is not None:
        query = query.where(Contact.provider.in_(slugs))
    return rows_changed(query)
