"""Every page state is a URL: parsing and writing back the public parameters round-trips."""

import re
from html import unescape

import pytest
from werkzeug.datastructures import MultiDict

from catalogue.query import parse

CANONICAL_QUERIES = [
    "",
    "q=kaf%C3%A9",
    "q=kaf%C3%A9&stadsdel=farsta&stadsdel=skarholmen&timmar=10-24&ips=ja",
    "inriktning=social&inriktning=studier&tillgang=oppen&huvudman=ideburen&alder=30&sortera=namn&sida=2",
]


@pytest.mark.parametrize("query", CANONICAL_QUERIES)
def test_parse_then_write_gives_back_the_same_query(app, query):
    from urllib.parse import parse_qsl, urlencode

    with app.test_request_context():
        request = parse(MultiDict(parse_qsl(query)))
        assert urlencode(request.to_params()) == query
        assert parse(MultiDict(request.to_params())) == request


def test_aliases_and_order_are_normalised(app):
    with app.test_request_context():
        request = parse(
            MultiDict(
                [
                    ("stadsdel", "skarholmen"),
                    ("stadsdel", "Rinkeby-Kista"),
                    ("stadsdel", "farsta"),
                    ("stadsdel", "farsta"),
                    ("timmar", "10–24"),
                ]
            )
        )
        assert request.filters == {"stadsdel": ("farsta", "jarva", "skarholmen"), "timmar": ("10-24",)}


def test_the_search_form_reproduces_the_state_it_was_opened_with(client):
    page = client.get("/sok?q=kaf%C3%A9&stadsdel=farsta&timmar=10-24&ips=ja&alder=30&sortera=namn").get_data(
        as_text=True
    )
    assert 'name="q" value="kafé"' in page
    assert re.search(r'name="stadsdel" value="farsta" checked', page)
    assert not re.search(r'name="stadsdel" value="sodermalm" checked', page)
    assert re.search(r'name="timmar" value="10-24" checked', page)
    assert re.search(r'name="ips" value="ja" checked', page)
    assert 'name="alder" value="30"' in page
    assert '<option value="namn" selected>' in page


def test_removing_a_filter_is_one_link_that_keeps_the_rest(client):
    page = unescape(client.get("/sok?q=kaf%C3%A9&stadsdel=farsta&stadsdel=sodermalm&ips=ja").get_data(as_text=True))
    assert '<a href="/sok?q=kaf%C3%A9&stadsdel=sodermalm&ips=ja">Ta bort filtret Stadsdel: Farsta</a>' in page
    assert '<a href="/sok?stadsdel=farsta&stadsdel=sodermalm&ips=ja">Ta bort sökordet: kafé</a>' in page


def test_a_provider_link_carries_the_search_and_the_back_link_restores_it(client):
    results = unescape(client.get("/sok?stadsdel=farsta&timmar=1-12&sortera=namn").get_data(as_text=True))
    link = re.search(r'href="(/verksamhet/kafe-solsidan[^"]*)"', results).group(1)
    assert link == "/verksamhet/kafe-solsidan?stadsdel=farsta&timmar=1-12&sortera=namn"
    provider = unescape(client.get(link).get_data(as_text=True))
    assert '<a href="/sok?stadsdel=farsta&timmar=1-12&sortera=namn">Tillbaka till sökresultaten</a>' in provider


def test_a_provider_page_ignores_a_broken_back_link_instead_of_failing(client):
    response = client.get("/verksamhet/kafe-solsidan?stadsdel=atlantis&stadsdel=farsta&sida=x")
    assert response.status_code == 200
    assert 'href="/sok?stadsdel=farsta">Tillbaka' in unescape(response.get_data(as_text=True))


def test_the_start_page_is_a_search_page(client):
    page = client.get("/").get_data(as_text=True)
    assert "<h1>Hitta sysselsättning i Stockholm</h1>" in page
    assert 'action="/sok"' in page and "8 verksamheter" in page


def test_a_submitted_form_is_answered_with_the_short_canonical_address(client):
    response = client.get("/sok?q=&stadsdel=farsta&stadsdel=Rinkeby-Kista&alder=&sortera=relevans&sida=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sok?stadsdel=farsta&stadsdel=jarva"
    assert client.get("/en/sok?q=&ips=ja").headers["Location"] == "/en/sok?ips=ja"
