"""Föreslå ändring and Tipsa: a structured form over the provider fields; only what changed is kept."""

import pytest
from forms import prefilled
from werkzeug.datastructures import MultiDict

from catalogue.db import Suggestion, db
from catalogue.editorial.suggestions import QUESTIONS


def changed(fields: MultiDict, name: str, *values: str) -> MultiDict:
    """The form with one field's answer replaced, as a person would change it."""
    return MultiDict([(n, v) for n, v in fields.items(multi=True) if n != name] + [(name, v) for v in values])


def suggestions(app) -> list[Suggestion]:
    with app.app_context():
        return list(db.session.scalars(db.select(Suggestion).order_by(Suggestion.id)))


FORM = "/verksamhet/kafe-solsidan/foresla-andring"


def test_every_provider_page_offers_the_change_form(client):
    page = client.get("/verksamhet/kafe-solsidan").get_data(as_text=True)
    assert f'href="{FORM}">Föreslå ändring</a>' in page


def test_the_form_asks_every_field_pre_filled_with_todays_facts(client):
    form = client.get(FORM).get_data(as_text=True)
    for question in QUESTIONS:
        assert question.title in form
    fields = prefilled(client, FORM)
    assert fields.getlist("hours") == ["", "1-12", "10-24"]
    assert fields["ips"] == "nej" and fields.getlist("access") == ["", "oppen"]
    assert fields["contact-phone"] == ""  # unknown: empty, to be filled in by someone who knows


def test_a_form_sent_unchanged_is_refused_with_a_message(app, app_client):
    response = app_client.post(FORM, data=prefilled(app_client, FORM))
    assert response.status_code == 400
    assert 'href="#meddelande">Du har inte ändrat något.' in response.get_data(as_text=True)
    assert suggestions(app) == []


def test_only_the_changed_fields_are_kept_and_the_sender_gets_a_private_status_address(app, app_client):
    fields = changed(prefilled(app_client, FORM), "hours", "", "22-40")
    response = app_client.post(FORM, data=changed(fields, "contact-phone", "08-111 222 33"))
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers
    [suggestion] = suggestions(app)
    assert suggestion.provider == "kafe-solsidan"
    assert set(suggestion.changes) == {"hours", "contact.phone"}
    assert suggestion.changes["contact.phone"] == {"before": "", "after": "08-111 222 33"}
    assert suggestion.changes["hours"] == {"before": ["1-12", "10-24"], "after": ["22-40"]}
    assert suggestion.reply_to is None and suggestion.status == "new"
    assert response.headers["Location"] == f"/forslag/{suggestion.token}"
    assert len(suggestion.token) >= 32

    status = app_client.get(response.headers["Location"])
    page = status.get_data(as_text=True)
    assert status.headers["Cache-Control"] == "no-store"
    assert status.headers["X-Robots-Tag"] == "noindex"
    assert "Tack! Vi har fått förslaget men inte hunnit titta på det ännu." in page
    assert "Nu på webbplatsen: Vet inte<br>Ditt förslag: <strong>08-111 222 33</strong>" in page
    assert "<dt>Timmar i veckan</dt>" in page


def test_the_status_page_shows_the_editors_decision_and_reply(app, app_client):
    app_client.post(FORM, data=changed(prefilled(app_client, FORM), "vacancies", "Två platser i januari"))
    [suggestion] = suggestions(app)
    with app.app_context():
        stored = db.session.get(Suggestion, suggestion.id)
        stored.status, stored.reply = "accepted", "Tack, nu står det på sidan."
        db.session.commit()
    page = app_client.get(f"/forslag/{suggestion.token}").get_data(as_text=True)
    assert "Vi har lagt in förslaget på webbplatsen." in page
    assert "Tack, nu står det på sidan." in page


def test_an_unknown_status_address_is_a_calm_404(client):
    assert client.get("/forslag/finns-inte").status_code == 404
    assert client.get("/en/forslag/" + "x" * 300).status_code == 404


def test_a_tip_about_a_missing_offering_needs_only_its_name(app, app_client):
    refused = app_client.post("/tipsa", data=prefilled(app_client, "/tipsa"))
    assert refused.status_code == 400
    assert 'href="#name">Skriv vad verksamheten heter.' in refused.get_data(as_text=True)
    sent = app_client.post("/tipsa", data=changed(prefilled(app_client, "/tipsa"), "name", "Trädgårdsgruppen i Farsta"))
    assert sent.status_code == 303
    [tip] = suggestions(app)
    assert tip.provider is None
    assert tip.changes == {"name": {"before": "", "after": "Trädgårdsgruppen i Farsta"}}


def test_a_field_left_out_of_the_post_is_no_change_but_an_emptied_one_is(app, app_client):
    # "Vet inte" is an answer too: someone may know a fact is no longer true.
    app_client.post(FORM, data={"meddelande": "Bara ett meddelande."})
    app_client.post(FORM, data=changed(prefilled(app_client, FORM), "ips", ""))
    first, second = suggestions(app)
    assert first.changes == {} and first.message == "Bara ett meddelande."
    assert second.changes == {"ips": {"before": "nej", "after": ""}}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("epost", "inte-en-adress", "Skriv en e-postadress som namn@exempel.se, eller lämna fältet tomt."),
        ("contact-email", "fel", "E-post: skriv en e-postadress som namn@exempel.se."),
        ("contact-phone", "0" * 41, "Telefon: skriv högst 40 tecken."),
        ("meddelande", "x" * 2001, "Skriv högst 2000 tecken."),
    ],
)
def test_bad_answers_are_shown_in_an_error_summary_and_nothing_is_kept(app, app_client, field, value, message):
    response = app_client.post(FORM, data=changed(prefilled(app_client, FORM), field, value))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'<a href="#{field}">{message}</a>' in page
    assert "<title>Fel: " in page
    assert suggestions(app) == []


def test_the_error_summary_is_in_the_visitors_language(app, app_client):
    response = app_client.post("/en/tipsa", data={"epost": "nope"})
    assert response.status_code == 400
    assert "Write the name of the offering." in response.get_data(as_text=True)


# Fields whose answer is free text; the others (a phone, a web address, opening times, languages) must
# be in the shape the content needs, and markup is not.
FREE_TEXT = ("vacancies", "address", "transport", "target_group")


def test_markup_in_any_free_text_field_is_kept_as_text_and_shown_escaped(app, app_client):
    script = '<script>alert("x")</script>'
    fields = prefilled(app_client, FORM)
    for question in QUESTIONS:
        if question.key in FREE_TEXT:
            fields = changed(fields, question.name, script[: question.max_length])
    response = app_client.post(FORM, data=changed(fields, "meddelande", script))
    assert response.status_code == 303
    page = app_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_markup_where_a_shape_is_needed_is_refused_and_shown_escaped(client):
    script = '<script>alert("x")</script>'
    for name in ("contact-phone", "contact-website", "opening_hours", "languages"):
        response = client.post(FORM, data=changed(prefilled(client, FORM), name, script))
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and "<script>alert" not in page, name
        assert "&lt;script&gt;" in page, name  # the sender sees what they wrote, harmless


def test_robots_filling_the_hidden_field_are_not_stored(app, app_client):
    response = app_client.post(FORM, data=changed(prefilled(app_client, FORM), "webbplats", "http://spam.example"))
    assert response.status_code == 303
    assert suggestions(app) == []


def test_closed_or_unknown_providers_and_path_tricks_have_no_form(client):
    for slug in ("nedlagda-verkstaden", "finns-inte", "..%2F..%2Fetc%2Fpasswd", "KAFE"):
        assert client.get(f"/verksamhet/{slug}/foresla-andring").status_code == 404
        assert client.post(f"/verksamhet/{slug}/foresla-andring", data={"meddelande": "x"}).status_code == 404


def test_a_change_form_on_the_real_catalogue_says_vet_inte_for_unknown_facts(real_site):
    # Most real facts are unknown: the form must not pre-fill a "no" for them.
    fields = prefilled(real_site, "/verksamhet/fountain-house-stockholm/foresla-andring")
    assert fields["ips"] == ""  # "Vet inte" is the ticked answer
    page = real_site.get("/verksamhet/fountain-house-stockholm/foresla-andring").get_data(as_text=True)
    assert 'id="ips-vet-inte" name="ips" value="" checked' in page


def test_the_message_and_address_fields_show_their_own_error_beside_them(app):
    client = app.test_client()
    form = prefilled(client, "/verksamhet/kafe-solsidan/foresla-andring")
    form.setlist("contact-phone", ["08-123 456 78"])
    form.setlist("epost", ["inte en adress"])
    form.setlist("meddelande", ["Hej\x07"])
    page = client.post("/verksamhet/kafe-solsidan/foresla-andring", data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    for name in ("epost", "meddelande"):
        assert f'id="{name}-fel"' in html and f'aria-describedby="{name}-hint {name}-fel"' in html, name
