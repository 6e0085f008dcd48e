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

import codecs
import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterator, Set
from dataclasses import dataclass
from typing import Any

from catalogue.db import Contact, ContactRefusal, db
from catalogue.facts import checks, textpolicy

COLUMNS = {  # the heading in the file -> what it holds, as the desk explains it
    "verksamhet": "verksamhetens filnamn (till exempel fountain-house) eller namn som på webbplatsen",
    "kontaktperson": "den ni skriver till (får vara tom)",
    "e-post": "kontaktpersonens e-postadress",
    "postadress": "postadress, rader åtskilda med kommatecken (e-post eller postadress måste finnas)",
}
LIMITS = {"kontaktperson": 120, "e-post": 254, "postadress": 300}
MAX_ROWS = 2000


Problem = checks.ContentError  # file:row: column: what is wrong, as content errors are reported


@dataclass(frozen=True)
class Imported:
    count: int
    problems: list[Problem]
    refused: int = 0


def decoded(raw: bytes) -> str:
    """UTF-8 (with or without Excel's byte-order mark), UTF-16 with its mark (Excel's "Unicode text"); failing
    those, Windows-1252, which a Swedish Excel writes when asked for "CSV"."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _rows(text: str) -> csv.DictReader[str]:
    """Rows by the heading line's separator: comma, semicolon or tab, whatever the lines below hold."""
    heading = text.splitlines()[0] if text else ""
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(heading, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)  # any line ending, quoted ones too


def _slugs_by_name(records: list[dict[str, Any]]) -> dict[str, str]:
    found = {record["slug"]: record["slug"] for record in records}
    found |= {record["name"].casefold(): record["slug"] for record in records}
    return found


def read(text: str, filename: str, records: list[dict[str, Any]], refused: Set[str] = frozenset()) -> Read:
    """The file's contacts, or the problems that keep it from being imported. A person who has asked not to
    be contacted (their ``refusal_key`` in ``refused``) is left out and counted, never imported again."""
    rows = _rows(text)
    try:
        return _read(rows, filename, records, refused)
    except csv.Error as error:  # a quote never closed, a field longer than csv allows
        return Read([], [Problem(filename, rows.line_num + 1, "", f"filen går inte att läsa som CSV ({error})")], 0)


@dataclass(frozen=True)
class Read:
    contacts: list[Contact]
    problems: list[Problem]
    refused: int  # rows left out because the person asked not to be contacted


def _read(rows: csv.DictReader[str], filename: str, records: list[dict[str, Any]], refused: Set[str]) -> Read:
    headings = [(heading or "").strip().lower() for heading in rows.fieldnames or []]
    missing = [column for column in COLUMNS if column not in headings]
    if missing:
        return Read([], [Problem(filename, 1, column, "kolumnen saknas i första raden") for column in missing], 0)
    rows.fieldnames = headings
    slugs = _slugs_by_name(records)
    contacts: dict[str, Contact] = {}
    problems: list[Problem] = []
    seen, left_out = set(), 0
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
        if slug in seen:
            row_problems.append(Problem(filename, line, "verksamhet", "verksamheten finns redan på en rad ovanför"))
        seen.add(slug)
        problems += row_problems
        if row_problems or slug is None:
            continue
        contact = Contact(provider=slug, person=values["kontaktperson"], email=values["e-post"] or None,
                          postal_address=values["postadress"] or None)  # fmt: skip
        if refusal_key(contact) in refused:
            left_out += 1
        else:
            contacts[slug] = contact
    if not seen and not problems:
        problems.append(Problem(filename, 2, "verksamhet", "filen har bara rubrikraden: inga kontakter att läsa in"))
    return Read(list(contacts.values()), problems, left_out)


def refusal_key(contact: Contact) -> str:
    """What is kept of a person who asked not to be contacted: a digest of their address (or of their name at
    the offering, when there is no address), enough to leave them out of the next import and nothing more."""
    who = (contact.email or f"{contact.person}|{contact.provider}").strip().casefold()
    return hashlib.sha256(who.encode("utf-8")).hexdigest()


def _problems(values: dict[str, str], slugs: dict[str, str]) -> Iterator[tuple[str, str]]:
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


def import_file(raw: bytes, filename: str, records: list[dict[str, Any]], editor: str) -> Imported:
    """Replace the contacts of the offerings in the file, or change nothing if any row is wrong."""
    refused = set(db.session.scalars(db.select(ContactRefusal.digest)))
    found = read(decoded(raw), filename, records, refused)
    if found.problems:
        return Imported(0, found.problems, found.refused)
    for contact in found.contacts:
        contact.imported_by = editor
        contact.imported_at = dt.datetime.now(dt.UTC)
        db.session.merge(contact)
    return Imported(len(found.contacts), [], found.refused)


def of(slug: str) -> Contact | None:
    return db.session.get(Contact, slug)


def every() -> list[Contact]:
    return list(db.session.scalars(db.select(Contact).order_by(Contact.provider)))


def delete(slugs: list[str] | None = None, refused: bool = False) -> int:
    """Delete some contacts, or all of them when no slugs are given; returns how many went. ``refused``: the
    people asked not to be contacted, so that a later import leaves them out."""
    chosen = db.select(Contact)
    if slugs is not None:
        chosen = chosen.where(Contact.provider.in_(slugs))
    gone = list(db.session.scalars(chosen))
    for contact in gone:
        if refused:
            db.session.merge(ContactRefusal(digest=refusal_key(contact)))
        db.session.delete(contact)
    return len(gone)
