"""The editors' private contacts: imported from CSV (all rows or none, each problem by row and column),
used by the campaign's e-mails, letters and CSV, deletable, and never shown to the public."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from pathlib import Path

from app_factory import make_app
from test_desk import PASSWORD, csrf_token, sign_in
from test_mail import mail_settings

from catalogue.db import AuditEntry, Contact, ContactRefusal, Invitation, db
from catalogue.editorial import campaign, contacts, desk

PERSON, EMAIL, POSTAL = "Greta Hemligsson", "greta.hemlig@example.se", "Box 4711, 100 99 Stockholm"
REGISTER = (
    f"verksamhet;kontaktperson;e-post;postadress\nkafe-solsidan;{PERSON};{EMAIL};\nMusikhuset;Olle Ton;;{POSTAL}\n"
)


def desk_app(tmp_path, site, **settings):
    app = make_app(tmp_path, template=site.config["CONTENT_DIR"].parent, **settings)
    with app.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    return app


def signed_in_desk(tmp_path, site, **settings):
    """A desk app of its own and a client signed in to it."""
    app = desk_app(tmp_path, site, **settings)
    client = app.test_client()
    assert sign_in(client).status_code == 303
    return app, client


def upload(client, text: str | bytes, filename: str = "register.csv"):
    page = "/redaktion/kontakter"
    raw = text.encode("utf-8") if isinstance(text, str) else text
    data = {"csrf_token": csrf_token(client, page), "fil": (io.BytesIO(raw), filename)}
    return client.post(page, data=data, content_type="multipart/form-data")


def stored(app) -> dict[str, Contact]:
    with app.app_context():
        return {contact.provider: contact for contact in db.session.scalars(db.select(Contact))}


def test_an_editor_imports_contacts_by_slug_or_name_with_semicolons_and_excel_bom(tmp_path, site):
    app, client = signed_in_desk(tmp_path, site)
    response = upload(client, "\ufeff" + REGISTER)
    assert response.status_code == 303
    page = unescape(client.get("/redaktion/kontakter").get_data(as_text=True))
    assert "2 kontakter lästes in från register.csv" in page
    assert PERSON in page and EMAIL in page and POSTAL in page
    found = stored(app)
    assert set(found) == {"kafe-solsidan", "musikhuset"}
    assert (found["musikhuset"].person, found["musikhuset"].email) == ("Olle Ton", None)
    assert found["kafe-solsidan"].imported_by == "anna"
    with app.app_context():
        assert db.session.scalars(db.select(AuditEntry.action)).all()[-1] == "kontakter inlästa"
    # A new import replaces an offering's contact; the others stay.
    assert upload(client, "verksamhet,kontaktperson,e-post,postadress\nkafe-solsidan,Nils Ny,nils@example.se,\n")
    assert stored(app)["kafe-solsidan"].person == "Nils Ny" and "musikhuset" in stored(app)


def test_a_file_with_problems_changes_nothing_and_names_each_row_and_column(tmp_path, site):
    app, client = signed_in_desk(tmp_path, site)
    bad = (
        "verksamhet;kontaktperson;e-post;postadress\n"
        f"kafe-solsidan;{PERSON};{EMAIL};\n"
        "finns-inte;Någon;a@example.se;\n"
        "musikhuset;Olle;inte en adress;\n"
        "jobbsteget;Kim\x07;;Gatan 1\n"
        "studiegarden;Lo;;\n"
        "Kafé Solsidan;Dubbel;d@example.se;\n"
    )
    response = upload(client, bad)
    assert response.status_code == 422
    page = unescape(response.get_data(as_text=True))
    assert "Ingen rad lästes in" in page
    for expected in (
        "register.csv:3: verksamhet: ingen verksamhet heter ”finns-inte”",
        "register.csv:4: e-post: är inte en e-postadress",
        "register.csv:5: kontaktperson: innehåller ett osynligt styrtecken",
        "register.csv:6: e-post: ange e-post eller postadress",
        "register.csv:7: verksamhet: verksamheten finns redan på en rad ovanför",
    ):
        assert expected in page, expected
    assert stored(app) == {}  # not even the good first row
    missing = upload(client, "namn;e-post\nx;y\n")
    assert "register.csv:1: verksamhet: kolumnen saknas i första raden" in unescape(missing.get_data(as_text=True))
    assert "register.csv:1: postadress: kolumnen saknas" in unescape(missing.get_data(as_text=True))
    # Windows-1252 from a Swedish Excel is read, not refused.
    assert upload(client, "verksamhet;kontaktperson;e-post;postadress\nmusikhuset;Åsa Öst;;Gatan 1\n".encode("cp1252"))
    assert stored(app)["musikhuset"].person == "Åsa Öst"
    # No file at all is a calm message, not an error page.
    page = "/redaktion/kontakter"
    response = client.post(page, data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 303
    assert "Välj en CSV-fil" in client.get(page).get_data(as_text=True)


def test_contacts_are_deleted_one_by_one_or_all_at_once(tmp_path, site):
    app, client = signed_in_desk(tmp_path, site)
    upload(client, REGISTER)
    page = "/redaktion/kontakter"
    client.post(page + "/ta-bort", data={"csrf_token": csrf_token(client, page), "verksamhet": "musikhuset"})
    assert set(stored(app)) == {"kafe-solsidan"}
    client.post(page + "/ta-bort", data={"csrf_token": csrf_token(client, page), "alla": "1"})
    assert stored(app) == {}
    assert "Inga kontakter är inlästa" in client.get(page).get_data(as_text=True)


def test_the_command_line_imports_reports_problems_and_deletes(tmp_path, site):
    app = desk_app(tmp_path, site)
    runner = app.test_cli_runner()
    register = tmp_path / "register.csv"
    register.write_text(REGISTER + "finns-inte;X;x@example.se;\n", encoding="utf-8")
    result = runner.invoke(args=["catalogue", "contacts", "import", str(register)])
    assert result.exit_code == 1
    assert "register.csv:4: verksamhet: ingen verksamhet heter ”finns-inte”" in result.output
    assert stored(app) == {}
    register.write_text(REGISTER, encoding="utf-8")
    result = runner.invoke(args=["catalogue", "contacts", "import", str(register)])
    assert result.exit_code == 0 and "2 kontakter lästes in" in result.output
    result = runner.invoke(args=["catalogue", "contacts", "delete", "kafe-solsidan"])
    assert "1 kontakter togs bort" in result.output and set(stored(app)) == {"musikhuset"}
    assert runner.invoke(args=["catalogue", "contacts", "delete"]).exit_code == 2
    assert "1 kontakter togs bort" in runner.invoke(args=["catalogue", "contacts", "delete", "--all"]).output


def test_the_campaign_writes_to_the_contact_person_and_letters_go_to_their_postal_address(tmp_path, site):
    app = desk_app(tmp_path, site, **mail_settings(2525))  # mail on; nothing is delivered in this test
    client = app.test_client()
    assert sign_in(client).status_code == 303
    upload(client, REGISTER)
    page = "/redaktion/kampanj"
    batch = client.post(page, data={"grupp": "alla", "csrf_token": csrf_token(client, page)}).headers["Location"]
    with app.app_context():
        made = {i.provider: i for i in db.session.scalars(db.select(Invitation))}
        assert made["kafe-solsidan"].channel == "email"
        assert db.session.get(campaign.OutgoingMail, made["kafe-solsidan"].mail_id).to_address == EMAIL
        assert made["musikhuset"].channel == "letter"
    summary = unescape(client.get(batch).get_data(as_text=True))
    letters = unescape(
        client.get(re.search(r'href="([^"]*/kampanj/brev[^"]*)"', summary).group(1)).get_data(as_text=True)
    )
    assert "Olle Ton<br>Musikhuset<br>Box 4711<br>100 99 Stockholm" in letters
    exported = client.get(re.search(r'href="([^"]*inbjudningar\.csv[^"]*)"', summary).group(1).replace("&amp;", "&"))
    rows = {row["verksamhet"]: row for row in csv.DictReader(io.StringIO(exported.get_data(as_text=True)))}
    assert rows["kafe-solsidan"]["kontaktperson"] == PERSON and rows["kafe-solsidan"]["e-post"] == EMAIL
    assert rows["musikhuset"]["adress"] == POSTAL


PUBLIC_PAGES = [
    "/", "/sok", "/sok?q=kafé", "/verksamhet/kafe-solsidan", "/verksamhet/musikhuset", "/en/verksamhet/kafe-solsidan",
    "/verksamhet/kafe-solsidan/foresla-andring", "/jamfor?v=kafe-solsidan&v=musikhuset", "/lista?v=kafe-solsidan",
    "/stadsdelar", "/hitta-ratt/klar", "/api/v1/sok", "/api/v1/verksamhet/kafe-solsidan", "/api/hsds/services",
    "/api/hsds/organizations", "/api/hsds/service_at_locations", "/feed.atom", "/sok.atom", "/sok.csv",
    "/oppna-data/katalog.csv", "/oppna-data/katalog.ndjson", "/sitemap.xml",
]  # fmt: skip


def test_contacts_never_reach_a_public_page_an_api_a_feed_or_the_content_files(tmp_path, site):
    app, client = signed_in_desk(tmp_path, site)
    upload(client, REGISTER)
    with app.test_request_context():
        [invitation] = campaign.invite([{"slug": "kafe-solsidan", "name": "Kafé Solsidan"}], "anna")
        db.session.commit()
        invited = campaign.link_of(invitation).removeprefix("http://localhost")
    visitor = app.test_client()
    secrets = ("Hemligsson", "greta.hemlig", "Box 4711", "Olle Ton")
    for path in [*PUBLIC_PAGES, invited]:
        response = visitor.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert not any(secret in body for secret in secrets), path
    files = "".join(path.read_text(encoding="utf-8") for path in Path(app.config["CONTENT_DIR"]).rglob("*.md"))
    assert not any(secret in files for secret in secrets)


def test_reading_is_forgiving_about_headings_and_strict_about_values():
    records = [{"slug": "musikhuset", "name": "Musikhuset"}]
    found = contacts.read(" Verksamhet ,KONTAKTPERSON,e-post,postadress\nmusikhuset,,,Gatan 1\n\n", "f.csv", records)
    assert found.problems == [] and found.contacts[0].postal_address == "Gatan 1"
    twice = contacts.read(
        "verksamhet,kontaktperson,e-post,postadress\n" + "musikhuset,x,,Gatan 1\n" * 3, "f.csv", records
    )
    assert [str(problem) for problem in twice.problems] == [
        "f.csv:3: verksamhet: verksamheten finns redan på en rad ovanför",
        "f.csv:4: verksamhet: verksamheten finns redan på en rad ovanför",
    ]


def test_a_letter_goes_to_the_contact_or_to_an_address_the_post_can_deliver_to(app):
    with app.test_request_context():
        street_only = {"slug": "x", "address": {"street": "Götgatan", "city": "Stockholm", "note": "Inget nummer."}}
        whole = {"slug": "y", "address": {"street": "Götgatan 1", "postal_code": "116 21", "city": "Stockholm"}}
        assert campaign.postal_address_of(street_only) is None
        assert campaign.postal_address_of(whole) == "Götgatan 1, 116 21 Stockholm"
        db.session.add(Contact(provider="x", person="P", postal_address=POSTAL, imported_by="anna"))
        assert campaign.postal_address_of(street_only) == POSTAL


def test_odd_files_are_read_or_refused_calmly_never_a_500(tmp_path, site):
    app, client = signed_in_desk(tmp_path, site)
    # Mac Excel's line endings (CR only), and a first row longer than any sniffer sample.
    long_address = "Gatan 1, " + "x" * 250
    assert (
        upload(client, f"verksamhet;kontaktperson;e-post;postadress\rmusikhuset;Olle;;{long_address}\r").status_code
        == 303
    )
    assert stored(app)["musikhuset"].postal_address == long_address
    # Excel's "Unicode text": UTF-16 with tabs.
    unicode_text = "verksamhet\tkontaktperson\te-post\tpostadress\r\nkafe-solsidan\tÅsa\tasa@example.se\t\r\n"
    assert upload(client, unicode_text.encode("utf-16")).status_code == 303
    assert stored(app)["kafe-solsidan"].person == "Åsa"
    only_heading = upload(client, "verksamhet;kontaktperson;e-post;postadress\n")
    assert only_heading.status_code == 422
    assert "register.csv:2: verksamhet: filen har bara rubrikraden" in unescape(only_heading.get_data(as_text=True))
    for raw in (b"\x00\x01\x02binary\xff", b""):
        assert upload(client, raw).status_code == 422
    records = [{"slug": "musikhuset", "name": "Musikhuset"}]
    huge = contacts.read(
        'verksamhet,kontaktperson,e-post,postadress\nmusikhuset,"' + "x" * 200_000 + '",,\n', "f.csv", records
    )
    assert [str(problem) for problem in huge.problems][0].startswith("f.csv:2: filen går inte att läsa som CSV")


def test_a_person_who_asks_not_to_be_contacted_is_left_out_of_every_later_import(tmp_path, site):
    app, client = signed_in_desk(tmp_path, site)
    upload(client, REGISTER)
    page = "/redaktion/kontakter"
    data = {"csrf_token": csrf_token(client, page), "verksamhet": "kafe-solsidan", "sparra": "1"}
    assert client.post(page + "/ta-bort", data=data).status_code == 303
    assert set(stored(app)) == {"musikhuset"}
    with app.app_context():
        [kept] = db.session.scalars(db.select(ContactRefusal)).all()
        assert EMAIL not in kept.digest and len(kept.digest) == 64  # a digest, not the address
    upload(client, REGISTER)  # the city's register, fetched again
    assert set(stored(app)) == {"musikhuset"}
    assert "1 lämnades utanför" in client.get(page).get_data(as_text=True)
    empty = client.post(page + "/ta-bort", data={"csrf_token": csrf_token(client, page)})
    assert empty.status_code == 400  # neither one nor all: nothing is deleted, nothing logged
