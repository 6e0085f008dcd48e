""" "För verksamheter" and "Personuppgifter": two pages in all five languages, linked from every footer, from the
invitation and from the printed letter; the privacy notice states the periods the purge enforces."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from flask import g
from test_campaign import campaign_app, invite_all
from test_desk import sign_in

from catalogue import retention
from catalogue.editorial import campaign
from catalogue.page_kit import snapshot

# The page headings as translated in translations/<lang>/LC_MESSAGES/messages.po.
FOR_PROVIDERS = {
    "": "För verksamheter",
    "/en": "For providers",
    "/fi": "Toimintojen järjestäjille",
    "/ar": "للجهات التي تقدم الأنشطة",
    "/so": "Loogu talagalay adeeg-bixiyeyaasha",
}
PRIVACY = {
    "": "Personuppgifter",
    "/en": "Personal data",
    "/fi": "Henkilötiedot",
    "/ar": "البيانات الشخصية",
    "/so": "Xogta shakhsiga ah",
}
PAGES = {"/for-verksamheter": FOR_PROVIDERS, "/personuppgifter": PRIVACY}


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    assert "Set-Cookie" not in response.headers, path
    return unescape(response.get_data(as_text=True))


def main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.parametrize("prefix", list(FOR_PROVIDERS))
@pytest.mark.parametrize("path", list(PAGES))
def test_both_pages_answer_in_every_language_with_the_heading_translated(client, path, prefix):
    html = page(client, prefix + path)
    lang = prefix.strip("/") or "sv"
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert f"<h1>{PAGES[path][prefix]}</h1>" in html
    assert f"<title>{PAGES[path][prefix]} – " in html
    if prefix:  # nothing left in Swedish but the names of things
        swedish = PAGES[path][""]
        assert swedish not in main(html)


def test_every_footer_links_to_both_pages_in_the_pages_language(client):
    for prefix in FOR_PROVIDERS:
        footer = page(client, f"{prefix}/")
        footer = footer[footer.index("<footer") :]
        assert f'<a href="{prefix}/for-verksamheter">{FOR_PROVIDERS[prefix]}</a>' in footer
        assert f'<a href="{prefix}/personuppgifter">{PRIVACY[prefix]}</a>' in footer


def test_both_pages_are_in_the_sitemap(client):
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    for path in PAGES:
        assert re.search(rf"<loc>https?://[^<]+{path}</loc>", sitemap), path
        assert re.search(rf'hreflang="ar" href="https?://[^"]+/ar{path}"', sitemap), path


def test_for_providers_ends_in_the_tip_form_and_the_way_to_suggest_a_change(client):
    html = page(client, "/for-verksamheter")
    closing = html[html.rindex('id="nasta-steg"') :]
    assert 'href="/tipsa"' in closing and 'href="/sok"' in closing and "”Föreslå ändring”" in closing
    assert "”Allt stämmer”" in html and "1–12, 10–24 eller 22–40 timmar" in html
    assert 'href="/oppna-data"' in html
    # Only the forms: the editors have no phone number or address of their own to give.
    assert "tel:" not in main(html) and "mailto:" not in main(html)
    english = page(client, "/en/for-verksamheter")
    assert "“Suggest a change”" in english and "“Everything is correct”" in english
    assert 'href="/en/tipsa"' in english


def test_the_privacy_notice_states_every_period_from_the_retention_constants(app, monkeypatch):
    """Unusual values, so that a number typed into the text could not pass for the constant."""
    periods = {
        "SUGGESTION_MONTHS": 17,
        "ERROR_REPORT_MONTHS": 19,
        "MAIL_DAYS": 23,
        "INVITATION_MONTHS": 29,
        "CONTACT_MONTHS": 31,
        "AUDIT_MONTHS": 37,
    }
    for name, value in periods.items():
        monkeypatch.setattr(retention, name, value)
    client = app.test_client()
    swedish = main(page(client, "/personuppgifter"))
    assert "Förslaget tas bort 17 månader efter redaktionens beslut." in swedish
    assert "Rapporten tas bort 19 månader efter att du skickade den." in swedish
    assert "Texten tas bort 23 dagar efter att mejlet skrevs." in swedish
    assert "Inbjudan tas bort 29 månader efter att länken slutade gälla." in swedish
    assert "De tas bort 31 månader efter att redaktionen hämtade dem." in swedish
    assert "Varje rad i loggen tas bort 37 månader efter att den skrevs." in swedish
    assert "högst 24 timmar" in swedish  # the longest window of the rate limit (100 per day)
    for default in ("12 månader", "24 månader", "30 dagar"):
        assert default not in swedish
    english = main(page(client, "/en/personuppgifter"))
    for text in ("17 months", "19 months", "23 days", "29 months", "31 months", "37 months", "24 hours"):
        assert text in english
    arabic = main(page(client, "/ar/personuppgifter"))
    assert "بعد 17 شهرًا" in arabic and "بعد 23 يومًا" in arabic


def test_one_month_and_one_day_are_said_in_the_singular(app, monkeypatch):
    monkeypatch.setattr(retention, "SUGGESTION_MONTHS", 1)
    monkeypatch.setattr(retention, "MAIL_DAYS", 1)
    client = app.test_client()
    assert "Förslaget tas bort 1 månad efter" in page(client, "/personuppgifter")
    assert "deleted 1 day after the e-mail was written" in page(client, "/en/personuppgifter")


def test_the_default_periods_are_the_constants(client):
    swedish = main(page(client, "/personuppgifter"))
    assert f"Förslaget tas bort {retention.SUGGESTION_MONTHS} månader" in swedish
    assert f"Inbjudan tas bort {retention.INVITATION_MONTHS} månader" in swedish


def test_the_privacy_notice_says_what_is_true_for_visitors_and_how_to_be_removed(client):
    html = page(client, "/personuppgifter")
    body = main(html)
    assert "inga kakor" in body and "IP-adress" in body and "ingen besöksstatistik" in body
    assert "Integritetsskyddsmyndigheten (IMY)" in body and 'href="https://www.imy.se/"' in body
    closing = body[body.rindex('id="nasta-steg"') :]
    assert 'href="/rapportera-fel?sida=/personuppgifter"' in closing and 'href="/sok"' in closing
    assert "Personuppgiftsansvarig är den som driver webbplatsen." in body
    # The report form keeps the page it came from, so the editors see a request about personal data as one.
    form = page(client, "/en/rapportera-fel?sida=/en/personuppgifter")
    assert 'name="sida" value="/en/personuppgifter"' in form


def test_the_controller_is_named_when_it_is_configured(app):
    app.config["CONTROLLER"] = "Exempelförvaltningen i Stockholms stad"
    client = app.test_client()
    assert "Personuppgiftsansvarig är Exempelförvaltningen i Stockholms stad." in page(client, "/personuppgifter")
    assert "The controller of personal data is Exempelförvaltningen i Stockholms stad." in page(
        client, "/en/personuppgifter"
    )


def test_the_invitation_email_links_to_the_page_for_providers(site):
    site.config["PUBLIC_URL"], before = "https://hitta.example.se", site.config["PUBLIC_URL"]
    try:
        with site.test_request_context("/redaktion/kampanj"):
            record = snapshot().provider("kafe-solsidan")
            text = campaign.invitation_text(record, "https://hitta.example.se/uppdatera/x", dt.date(2027, 1, 31))
    finally:
        site.config["PUBLIC_URL"] = before
    assert "\nhttps://hitta.example.se/for-verksamheter\n" in text


def test_the_invitation_email_is_in_swedish_even_when_made_from_another_language(site):
    with site.test_request_context("/en/"):
        g.lang = "en"  # as i18n.remember_language sets it for a page under /en/
        record = snapshot().provider("kafe-solsidan")
        text = campaign.invitation_text(record, "http://localhost/uppdatera/x", dt.date(2027, 1, 31))
    assert "\nhttp://localhost/for-verksamheter\n" in text


def test_every_printed_letter_prints_the_page_for_providers(tmp_path, site):
    app = campaign_app(tmp_path, site, None)  # mail off: every invitation is a letter
    client = app.test_client()
    assert sign_in(client).status_code == 303
    summary = unescape(client.get(invite_all(client)).get_data(as_text=True))
    letters = unescape(
        client.get(re.search(r'href="([^"]*/kampanj/brev[^"]*)"', summary).group(1)).get_data(as_text=True)
    )
    count = letters.count('<article class="letter">')
    assert count >= 2
    assert letters.count('<span class="letter-link">http://localhost/for-verksamheter</span>') == count
