"""Min lista, Jämför, short links, sharing, printing details, Hitta rätt and the districts map."""

import re
from html import unescape

import pytest

from catalogue.db import ShortLink, db
from catalogue.site.shortlinks import ALPHABET


def html(client, path):
    return unescape(client.get(path).get_data(as_text=True))


# Min lista ---------------------------------------------------------------------------------------


def test_saving_from_the_results_keeps_the_search_and_adds_to_the_address(client):
    page = html(client, "/sok?stadsdel=farsta")
    assert '<a href="/sok?stadsdel=farsta&v=kafe-solsidan#v-kafe-solsidan">Spara Kafé Solsidan i min lista</a>' in page
    saved = html(client, "/sok?stadsdel=farsta&v=kafe-solsidan")
    assert 'href="/sok?stadsdel=farsta#v-kafe-solsidan">Ta bort Kafé Solsidan från min lista</a>' in saved
    assert '<a href="/lista?stadsdel=farsta&v=kafe-solsidan">Min lista (1)</a>' in saved
    assert 'href="/verksamhet/musikhuset?stadsdel=farsta&v=kafe-solsidan"' in saved


def test_the_provider_page_saves_and_unsaves(client):
    page = html(client, "/verksamhet/musikhuset?v=kafe-solsidan")
    assert '<a href="/verksamhet/musikhuset?v=kafe-solsidan&v=musikhuset">Spara i min lista</a>' in page
    saved = html(client, "/verksamhet/musikhuset?v=kafe-solsidan&v=musikhuset")
    assert '<a href="/verksamhet/musikhuset?v=kafe-solsidan">Ta bort från min lista</a>' in saved


def test_the_list_shows_saved_offerings_in_order_with_remove_links(client):
    page = html(client, "/lista?v=musikhuset&v=kafe-solsidan")
    assert page.index("Musikhuset") < page.index("Kafé Solsidan")
    assert '<a href="/lista?v=kafe-solsidan">Ta bort Musikhuset från listan</a>' in page
    assert '<a class="button-link" href="/jamfor?v=musikhuset&v=kafe-solsidan">' in page
    assert "Listan är tom" in html(client, "/lista")


def test_min_lista_travels_with_every_form_and_site_link(client):
    """A filter submit, the header, the languages, the guide and the districts all keep the list."""
    page = html(client, "/sok?ips=ja&v=kafe-solsidan&v=musikhuset")
    form = page[page.index('<form class="search"') : page.index("</form>")]
    assert form.count('<input type="hidden" name="v"') == 2
    header = page[page.index('<header class="site-header">') : page.index("</header>")]
    for link in ["/?v=kafe-solsidan&v=musikhuset", "/sok?v=kafe-solsidan&v=musikhuset",
                 "/hitta-ratt?v=kafe-solsidan&v=musikhuset", "/stadsdelar?v=kafe-solsidan&v=musikhuset",
                 "/en/sok?ips=ja&v=kafe-solsidan&v=musikhuset"]:  # fmt: skip
        assert f'href="{link}"' in header, link
    assert '<a href="/lista?ips=ja&v=kafe-solsidan&v=musikhuset">Min lista (2)</a>' in header
    district = html(client, "/stadsdel/farsta?v=musikhuset")
    assert "Min lista (1)" in district and 'href="/verksamhet/kafe-solsidan?v=musikhuset"' in district
    guide = html(client, "/hitta-ratt?v=musikhuset")
    assert '<input type="hidden" name="v" value="musikhuset">' in guide
    assert "Min lista" not in html(client, "/sok?ips=ja")  # nothing saved, nothing shown
    assert client.get("/api/v1/sok?v=musikhuset").get_json()["results"][0]["url"].count("v=") == 0


@pytest.mark.parametrize(
    "query", ["?v=finns-inte", "?v=../etc", "?v=KAFE", "?" + "&".join(f"v=a{i}" for i in range(21))]
)
def test_bad_lists_are_400(client, query):
    assert client.get("/lista" + query).status_code == 400
    assert client.get("/sok" + query).status_code == 400


# Jämför ------------------------------------------------------------------------------------------


def test_compare_is_a_real_table_with_headers_and_unknowns_said(client):
    page = html(client, "/jamfor?v=kafe-solsidan&v=jobbsteget&v=musikhuset")
    assert [name for name in re.findall(r'<th scope="col"><a [^>]+>([^<]+)</a></th>', page)] == [
        "Kafé Solsidan",
        "Jobbsteget",
        "Musikhuset",
    ]
    rows = re.findall(r'<th scope="row">([^<]+)</th>', page)
    assert rows[:5] == ["Hur gamla uppgifterna är", "Inriktning", "Aktiviteter", "Timmar i veckan",
                        "Stöd till jobb enligt IPS"]  # fmt: skip
    assert rows[-1] == "Så börjar du"
    assert "<td>Ja</td>" in page and "data-label" not in page  # each name once, in the header
    assert "role=" not in page[page.index("<table") : page.index("</table>")]  # a plain, conformant table
    assert "<td>Bekräftade av verksamheten 20 januari 2025</td>" in page  # Musikhuset confirmed
    assert "<td>Från 2024, inte bekräftade</td>" in page
    assert "Uppgift saknas" not in page  # every row someone answered is answered by all three here
    assert "Ingen av dem har berättat: adress, kollektivtrafik, öppettider" in page
    partly = html(client, "/jamfor?v=kafe-solsidan&v=appelkallaren")
    assert '<td><span class="missing">Uppgift saknas</span></td>' in partly
    assert 'id="nasta-steg"' in partly and 'href="tel:' in partly[partly.index('id="nasta-steg"') :]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?v=kafe-solsidan",
        "?v=kafe-solsidan&v=jobbsteget&v=musikhuset&v=studiegarden&v=verkstan-vast",
        "?v=kafe-solsidan&v=finns-inte",
    ],
)
def test_compare_needs_two_to_four_known_offerings(client, query):
    response = client.get("/jamfor" + query)
    assert response.status_code == 400
    assert "<h1>Vi kunde inte förstå adressen</h1>" in response.get_data(as_text=True)


# Short links -------------------------------------------------------------------------------------


def test_a_short_link_is_made_followed_and_shown_on_the_page(app, app_client):
    response = app_client.post("/l", data={"url": "/lista?v=kafe-solsidan&v=musikhuset"})
    assert response.status_code == 303
    code = response.headers["Location"].removeprefix("/l/").removesuffix("#ny-kort-lank")
    assert len(code) == 6 and set(code) <= set(ALPHABET) and not set(code) & set("01ilo")
    followed = app_client.get(f"/l/{code}")
    assert followed.status_code == 302
    assert followed.headers["Location"] == f"/lista?v=kafe-solsidan&v=musikhuset&kort={code}"
    page = html(app_client, followed.headers["Location"])
    assert f'Kort länk: <strong class="short-link">http://localhost/l/{code}</strong>' in page
    assert app_client.get(f"/l/{code.upper()}").status_code == 302
    again = app_client.post("/l", data={"url": "/lista?v=kafe-solsidan&v=musikhuset&kort=" + code})
    assert again.headers["Location"] == f"/l/{code}#ny-kort-lank"  # the same address keeps its code
    with app.app_context():
        assert [(link.code, link.target) for link in db.session.scalars(db.select(ShortLink))] == [
            (code, "/lista?v=kafe-solsidan&v=musikhuset")
        ]


def test_searches_and_other_languages_get_short_links_too(client):
    code = (
        client.post("/l", data={"url": "/en/sok?stadsdel=farsta"})
        .headers["Location"]
        .removeprefix("/l/")
        .removesuffix("#ny-kort-lank")
    )
    assert client.get(f"/l/{code}").headers["Location"] == f"/en/sok?stadsdel=farsta&kort={code}"
    assert client.get(f"/en/sok?stadsdel=farsta&kort={code}").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/",
        "//evil.example/sok",
        "/\\evil.example",
        "javascript:alert(1)",
        "/admin",
        "/sok" + "x" * 2000,
        "",
    ],
)
def test_short_links_only_lead_to_this_sites_lists_and_searches(client, url):
    response = client.post("/l", data={"url": url})
    assert response.status_code == 400
    assert "Det går bara att göra korta länkar" in response.get_data(as_text=True)


@pytest.mark.parametrize("code", ["zzzzzz", "k7m2x", "0o1l1i", "%FF"])
def test_unknown_codes_get_a_clear_page(client, code):
    response = client.get(f"/l/{code}")
    assert response.status_code == 404
    assert "Den korta länken finns inte" in response.get_data(as_text=True)


def test_a_code_with_a_slash_is_no_short_link_but_a_page_that_does_not_exist(client):
    response = client.get("/l/abc/def")
    assert response.status_code == 404
    assert "<h1>Sidan finns inte</h1>" in response.get_data(as_text=True)


def test_a_made_up_code_in_the_address_is_not_shown_as_a_short_link(client):
    assert "Kort länk:" not in html(client, "/lista?v=musikhuset&kort=zzzzzz")


# Sharing and printing ----------------------------------------------------------------------------


def test_sharing_uses_e_mail_and_a_copy_button_that_needs_javascript(client):
    page = client.get("/lista?v=musikhuset").get_data(as_text=True)
    assert (
        'href="mailto:?subject=Verksamheter%20fr%C3%A5n%20Hitta%20syssels%C3%A4ttning&amp;body=http%3A//localhost/lista%3Fv%3Dmusikhuset"'
        in page
    )
    assert '<button type="button" class="secondary copy-link" hidden' in page
    assert "Set-Cookie" not in client.get("/lista?v=musikhuset").headers


def test_every_page_carries_a_print_block_with_date_address_and_a_qr_code_drawn_here(client):
    page = client.get("/lista?v=musikhuset").get_data(as_text=True)
    block = page[page.index('<div class="print-only">') : page.index("</div>", page.index('<div class="print-only">'))]
    assert "Utskriven" in block and "http://localhost/lista?v=musikhuset" in block
    assert '<img src="/qr.svg?u=/lista?v%3Dmusikhuset" alt="QR-kod till sidan"' in block
    qr = client.get("/qr.svg?u=/lista?v%3Dmusikhuset")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and qr.cache_control.max_age == 86400
    assert "<path" in qr.get_data(as_text=True) and "http" not in qr.get_data(as_text=True).split("<svg", 1)[1].replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )


@pytest.mark.parametrize("u", ["", "https://evil.example/", "//evil.example", "x" * 10])
def test_qr_codes_are_only_drawn_for_addresses_on_this_site(client, u):
    assert client.get("/qr.svg", query_string={"u": u}).status_code == 404


# Hitta rätt --------------------------------------------------------------------------------------


def test_the_guide_asks_one_question_at_a_time_and_keeps_earlier_answers(client):
    first = html(client, "/hitta-ratt")
    assert "<legend><h1>Har du ett beslut om sysselsättning från din stadsdel?</h1></legend>" in first
    assert "fråga 1 av 5" in first  # the decision first: later questions depend on it
    # A question keeps its number in the address (steg) whatever the order of asking: old links still work.
    second = html(client, "/hitta-ratt?tillgang=beslut&vill=jobb&vill=gemenskap&steg=1")
    assert "<legend><h1>Vad vill du få ut av dina dagar?</h1></legend>" in second and "fråga 2 av 5" in second
    assert '<input type="hidden" name="tillgang" value="beslut">' in second
    back = '<a href="/hitta-ratt?tillgang=beslut&vill=jobb&vill=gemenskap&steg=4">Tillbaka till förra frågan</a>'
    assert back in second
    assert 'Ändra<span class="visually-hidden"> svaret på frågan: Vad vill du få ut av dina dagar?' in second
    assert '<input type="hidden" name="steg" value="2">' in second  # next: the hours of the decision
    changing = html(client, "/hitta-ratt?vill=jobb&timmar=10-24&steg=1")
    assert (
        'name="vill" value="jobb" checked' in changing
        and '<input type="hidden" name="timmar" value="10-24">' in changing
    )


def test_a_person_who_walks_in_without_a_decision_is_never_asked_about_its_hours(client):
    after_wishes = html(client, "/hitta-ratt?tillgang=oppen&vill=gemenskap&steg=1")
    assert '<input type="hidden" name="steg" value="3">' in after_wishes  # the hours (steg=2) are skipped
    assert "fråga 2 av 4" in after_wishes
    # An old link to the hours question leads on to the next one that applies.
    skipped = html(client, "/hitta-ratt?tillgang=oppen&vill=gemenskap&steg=2")
    assert "<legend><h1>Var i staden vill du vara?</h1></legend>" in skipped and "fråga 3 av 4" in skipped
    assert '<a href="/hitta-ratt?tillgang=oppen&vill=gemenskap&steg=1">Tillbaka' in skipped
    # An hours answer given before choosing to walk in no longer narrows the end.
    end = html(client, "/hitta-ratt/klar?tillgang=oppen&timmar=22-40")
    assert 'href="/sok?tillgang=oppen">Öppna sökningen med samma val' in end
    assert "Hur många timmar" not in end  # not among "Dina svar" either


def test_on_the_real_content_the_guide_skips_the_hours_nobody_has_stated(real_site):
    assert "fråga 1 av 4" in html(real_site, "/hitta-ratt")
    # An hours answer from an old link does not demote every result to "kan också passa".
    end = html(real_site, "/hitta-ratt/klar?vill=skapa&timmar=1-12&stadsdel=farsta")
    assert "<h1>Det här passar det du berättade</h1>" in end and "timmar=" not in end.split("Öppna sökningen")[0][-300:]
    hours = html(real_site, "/hitta-ratt?tillgang=beslut&vill=jobb&steg=2")  # a link from before: no hours today
    assert "<legend><h1>Var i staden vill du vara?</h1></legend>" in hours and "fråga 3 av 4" in hours


def test_the_guide_ends_on_what_fits_with_the_full_search_one_link_away(client):
    page = html(client, "/hitta-ratt/klar?vill=jobb&timmar=10-24&stadsdel=vet-inte&ips=vet-inte&v=musikhuset")
    assert "<h1>Det här passar det du berättade</h1>" in page
    assert "Passar dina val: Arbetsinriktad – steg mot ett jobb · 10–24 timmar i veckan" in page
    assert 'href="/sok?inriktning=arbetsinriktad&timmar=10-24&v=musikhuset">Öppna sökningen med samma val' in page
    assert "Dina svar" in page and "Ändra" in page
    # Nothing fits every answer: the heading says so, the end offers what dropping one answer would give,
    # and whom to contact, with a number and a web address to apply.
    empty = html(client, "/hitta-ratt/klar?tillgang=beslut&vill=studier&timmar=22-40&ips=ja")
    assert "<h1>Inget passar alla dina svar</h1>" in empty
    assert "Ingen verksamhet passar alla dina val." in empty and "Prova att ta bort ett av dem" in empty
    closing = empty[empty.index('id="nasta-steg"') :]
    assert 'href="tel:0800000000"' in closing and 'href="https://example.org/ansok"' in closing


def test_the_guide_end_names_the_district_chosen_and_its_own_number(client):
    page = html(client, "/hitta-ratt/klar?tillgang=beslut&stadsdel=jarva")
    closing = page[page.index('id="nasta-steg"') :]
    assert "Bor du i Järva? Du ansöker hos socialtjänsten där." in closing
    assert '<a href="tel:0811111111" dir="ltr">08-111 11 111</a>' in closing and "mailto:jarva@example.org" in closing
    assert 'href="/stadsdel/jarva">Allt om att ansöka i Järva</a>' in closing


def test_creating_something_in_the_guide_means_those_activities_not_an_orientation(client):
    page = html(client, "/hitta-ratt/klar?vill=skapa")
    assert 'href="/sok?aktivitet=kreativt&aktivitet=musik&aktivitet=kafe-och-kok&aktivitet=tradgard"' in page
    assert "Passar dina val: Musik" in page and "inriktning=social" not in page


def test_the_guide_on_the_real_content_never_ends_empty_while_something_could_fit(real_site):
    """Age is stated by few offerings: the end leads to those that may fit, each saying what is unknown, under
    a heading that promises no more than that."""
    page = html(real_site, "/hitta-ratt/klar?vill=gemenskap&stadsdel=farsta&tillgang=beslut&ips=ja")
    assert "<h1>Det här kan passa, men vi vet inte säkert</h1>" in page
    assert "Kan också passa" in page and "Har inte berättat: Stöd till jobb enligt IPS" in page
    assert "Ingen verksamhet passar alla dina val." not in page and "Det här passar det du berättade" not in page


@pytest.mark.parametrize("query", ["?vill=flyga", "?timmar=1-12&timmar=10-24", "?steg=6", "?steg=0", "?steg=x"])
def test_the_guide_refuses_answers_it_cannot_understand(client, query):
    assert client.get("/hitta-ratt" + query).status_code == 400


# The districts map -------------------------------------------------------------------------------


def test_the_districts_map_links_every_district_with_its_count_and_a_list_says_the_same(client):
    page = html(client, "/stadsdelar")
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'aria-hidden="true"' in svg and svg.count('tabindex="-1"') == 11
    assert svg.count('<a href="/stadsdel/') == 11 and ">2 verksamheter</text>" in svg
    listing = page[page.index('<ul class="district-list">') :]
    assert '<a href="/stadsdel/farsta">Farsta</a> – 2 verksamheter' in listing
    assert '<a href="/stadsdel/bromma">Bromma</a> – 0 verksamheter' in listing


def test_the_list_says_how_to_start_and_whom_to_call_with_links(real_site):
    page = html(real_site, "/lista?v=stadsmissionen-motesplats-mariatorget&v=emma-trafflokal")
    mariatorget = page[: page.index("EMMA Träfflokal</a>")]
    # Walk in: the address with its times first, then the e-mail, each with the age of its evidence.
    assert mariatorget.index("Mariatorget 10") < mariatorget.index("mailto:info@stadsmissionen.se")
    assert "Måndag–söndag 11.30–20.00" in mariatorget and "Restaurangen serverar lunch" in mariatorget
    assert "(uppgift från 2022)" in mariatorget and "(uppgift från 2021)" in mariatorget
    # EMMA has no phone or e-mail: the list sends the reader to one place that says how to apply, which
    # names a number to call and a web address to apply, never "ask your case handler" alone.
    emma = page[page.index("EMMA Träfflokal</a>") : page.index('id="nasta-steg"')]
    assert 'href="#nasta-steg">Så ansöker du om ett beslut' in emma and "handläggare" not in emma
    closing = page[page.index('id="nasta-steg"') :]
    assert '<a href="tel:0850800508" dir="ltr">08-508 00 508</a>' in closing
    assert 'href="https://funktionsnedsattning.stockholm/ansok-om-stod-och-omsorg/"' in closing


def test_links_built_with_their_own_query_keep_one_address_with_min_lista(real_site):
    """Found by walking the site: a saved list must not break the 'Hela staden' link or a report's page."""
    districts = html(real_site, "/stadsdelar?v=alfa&v=misa")
    assert 'href="/sok?stadsdel=hela-staden&v=alfa&v=misa"' in districts
    provider = html(real_site, "/verksamhet/misa?v=alfa&v=misa")
    assert "/rapportera-fel?sida=/verksamhet/misa&v=alfa&v=misa" in provider  # the page is named without the list
    assert real_site.get("/rapportera-fel?sida=/verksamhet/misa&v=alfa&v=misa").status_code == 200
    search = html(real_site, "/sok?q=kafé&v=alfa")
    assert search.count('form="kort-lank-form"') == 2 and '<form id="kort-lank-form" method="post"' in search
