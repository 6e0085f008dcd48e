"""Rapportera fel: readers report wrong facts; nothing about them is stored."""

from catalogue.db import ErrorReport, db


def stored(app):
    with app.app_context():
        return [(r.page, r.message) for r in db.session.scalars(db.select(ErrorReport))]


def test_provider_pages_link_to_the_report_form_for_that_page(client):
    page = client.get("/verksamhet/kafe-solsidan").get_data(as_text=True)
    assert 'href="/rapportera-fel?sida=/verksamhet/kafe-solsidan"' in page
    form = client.get("/rapportera-fel?sida=/verksamhet/kafe-solsidan").get_data(as_text=True)
    assert 'name="sida" value="/verksamhet/kafe-solsidan"' in form
    assert '<label for="meddelande">Vad är fel?</label>' in form


def test_a_report_is_stored_and_the_reader_is_thanked(app, app_client):
    response = app_client.post(
        "/rapportera-fel", data={"sida": "/verksamhet/kafe-solsidan", "meddelande": "Telefonnumret är fel."}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/rapportera-fel/tack?sida=/verksamhet/kafe-solsidan"
    assert "Set-Cookie" not in response.headers
    assert stored(app) == [("/verksamhet/kafe-solsidan", "Telefonnumret är fel.")]
    thanks = app_client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'href="/verksamhet/kafe-solsidan">Tillbaka' in thanks


def test_an_empty_report_shows_an_error_summary_linked_to_the_field(app, app_client):
    response = app_client.post("/rapportera-fel", data={"sida": "/sok", "meddelande": " x "})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<a href="#meddelande">Skriv vad som är fel, med minst 5 tecken.</a>' in page
    assert "<title>Fel: Rapportera fel" in page
    assert stored(app) == []


def test_a_prefilled_form_sent_unchanged_is_not_a_report(app, app_client):
    """ "Vet du? Berätta för oss" pre-fills headings; sending them empty says nothing and is not stored."""
    unchanged = "Telefon: \nE-post: \nÖppettider: \n"
    response = app_client.post("/rapportera-fel", data={"sida": "/verksamhet/kafe-solsidan", "meddelande": unchanged})
    assert response.status_code == 400 and stored(app) == []
    filled = "Telefon: 08-123 45 67 enligt deras hemsida\nE-post: \n"
    response = app_client.post("/rapportera-fel", data={"sida": "/verksamhet/kafe-solsidan", "meddelande": filled})
    assert response.status_code == 303 and len(stored(app)) == 1


def test_a_too_long_report_is_refused(app, app_client):
    assert app_client.post("/rapportera-fel", data={"meddelande": "a" * 2001}).status_code == 400
    assert stored(app) == []


def test_pages_outside_the_site_are_never_stored_or_linked(app, app_client):
    app_client.post("/rapportera-fel", data={"sida": "https://evil.example/", "meddelande": "Något är fel här."})
    assert stored(app) == [("/", "Något är fel här.")]
    form = app_client.get("/rapportera-fel?sida=//evil.example").get_data(as_text=True)
    assert 'name="sida" value="/"' in form and 'href="/">Tillbaka utan att skicka' in form
    assert 'href="//evil' not in form


def test_robots_filling_the_hidden_field_are_thanked_but_not_stored(app, app_client):
    response = app_client.post("/rapportera-fel", data={"meddelande": "Köp billiga saker", "webbplats": "http://spam"})
    assert response.status_code == 303
    assert stored(app) == []


def test_editors_list_and_clear_reports(app, app_client):
    app_client.post("/rapportera-fel", data={"sida": "/stadsdel/farsta", "meddelande": "Adressen har ändrats."})
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["catalogue", "reports"])
    assert "/stadsdel/farsta\n    Adressen har ändrats." in listing.output
    assert runner.invoke(args=["catalogue", "reports", "--done", "1"]).exit_code == 0
    assert stored(app) == []
    assert runner.invoke(args=["catalogue", "reports", "--done", "99"]).exit_code == 1
