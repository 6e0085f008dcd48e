"""The runtime database on a real PostgreSQL server, started on loopback for this test run."""

import flask_migrate
import pytest
from app_factory import drop_database, make_app
from forms import prefilled
from test_desk import PASSWORD, accept, sign_in

from catalogue.db import AuditEntry, ErrorReport, Invitation, ShortLink, Suggestion, db
from catalogue.editorial import desk, invitations


@pytest.fixture
def pg_app(postgres_url, site, tmp_path):
    app = make_app(tmp_path, template=site.config["CONTENT_DIR"].parent, SQLALCHEMY_DATABASE_URI=postgres_url)
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    drop_database(app)


def test_migrations_build_the_schema_on_postgresql(pg_app):
    with pg_app.app_context():
        assert db.engine.dialect.name == "postgresql"
        tables = set(db.inspect(db.engine).get_table_names())
    assert {
        "short_link",
        "error_report",
        "suggestion",
        "editor",
        "invitation",
        "audit_entry",
        "acceptance",
        "outgoing_mail",
        "contact",
        "contact_refusal",
        "alembic_version",
    } <= tables


def test_short_links_and_error_reports_work_on_postgresql(pg_app):
    client = pg_app.test_client()
    made = client.post("/l", data={"url": "/lista?v=kafe-solsidan"})
    code = made.headers["Location"].removeprefix("/l/").removesuffix("#ny-kort-lank")
    assert client.get(f"/l/{code}").headers["Location"] == f"/lista?v=kafe-solsidan&kort={code}"
    assert client.post("/l", data={"url": "/lista?v=kafe-solsidan"}).headers["Location"] == f"/l/{code}#ny-kort-lank"
    assert client.post("/rapportera-fel", data={"sida": "/sok", "meddelande": "Fel telefonnummer."}).status_code == 303
    with pg_app.app_context():
        assert db.session.get(ShortLink, code).target == "/lista?v=kafe-solsidan"
        assert [r.message for r in db.session.scalars(db.select(ErrorReport))] == ["Fel telefonnummer."]


def test_suggestions_are_stored_and_followed_on_postgresql(pg_app):
    client = pg_app.test_client()
    sent = client.post("/tipsa", data={"name": "Trädgårdsgruppen", "hours": ["", "1-12"], "epost": "a@exempel.se"})
    assert sent.status_code == 303
    status = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Trädgårdsgruppen" in status and "1–12" in status
    with pg_app.app_context():
        suggestion = db.session.scalars(db.select(Suggestion)).one()
        assert suggestion.changes["hours"] == {"before": [], "after": ["1-12"]}
        assert suggestion.reply_to == "a@exempel.se"


def test_the_desk_runs_on_postgresql(pg_app):
    """Editors, a lockout time, an invitation used once, an accepted suggestion and the audit log."""
    with pg_app.app_context():
        desk.add_editor("anna", "anna@example.se", PASSWORD)
    with pg_app.test_request_context():
        _invitation, token = invitations.create("kafe-solsidan", "anna")
        db.session.commit()
    provider = pg_app.test_client()
    form = prefilled(provider, f"/uppdatera/{token}")
    form.setlist("contact-phone", ["08-111 11 11"])
    assert provider.post(f"/uppdatera/{token}", data=form).status_code == 303
    assert provider.get(f"/uppdatera/{token}").status_code == 410  # used: the time and the row come back right
    editor = pg_app.test_client()
    assert sign_in(editor, password="fel lösenord").status_code == 400
    assert sign_in(editor).status_code == 303
    assert accept(editor, 1).status_code == 303
    with pg_app.app_context():
        assert db.session.scalars(db.select(Suggestion)).one().status == "accepted"
        assert db.session.scalars(db.select(Invitation)).one().used_at is not None
        actions = [entry.action for entry in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["redaktör skapad", "misslyckad inloggning", "inloggning", "godkänt"]


def test_the_retention_purge_keeps_to_the_foreign_keys_on_postgresql(pg_app):
    from test_retention import purge_and_check

    purge_and_check(pg_app)
