"""Bad input gets a clear Swedish message and a way back: never a 500, a stack trace or echoed markup."""

import pytest

BAD_SEARCHES = [
    ("?stadsdel=atlantis", "stadsdel", "Filtret Stadsdel har inget val som heter så."),
    ("?timmar=5-7", "timmar", None),
    ("?ips=kanske", "ips", None),
    ("?q=a&q=b", "q", "Parametern q får bara finnas en gång."),
    ("?sida=0", "sida", None),
    ("?sida=-1", "sida", None),
    ("?sida=abc", "sida", None),
    ("?sida=1&sida=2", "sida", None),
    ("?sida=99999999999999999999", "sida", None),
    ("?alder=tjugo", "alder", None),
    # Digits that str.isdigit() accepts but int() refuses: superscript two, circled one, Arabic-Indic three.
    ("?sida=%C2%B2", "sida", "Sidnumret ska vara ett heltal från 1 och uppåt."),
    ("?alder=%E2%91%A0", "alder", "Skriv ålder som ett heltal mellan 0 och 120."),
    ("?alder=%D9%A3", "alder", None),
    ("?alder=500", "alder", None),
    ("?sortera=pris", "sortera", None),
    ("?q=" + "a" * 201, "q", "Sökningen är för lång. Använd högst 200 tecken."),
    ("?q=%00", "q", None),
    ("?stadsdel=" + "&stadsdel=".join(["farsta"] * 21), "stadsdel", None),
    ("?q=%FF%FE", None, "Adressen innehåller tecken som inte går att läsa."),
    ("?stadsdel=%3Cscript%3Ealert(1)%3C/script%3E", "stadsdel", None),
]


@pytest.mark.parametrize("query, parameter, message", BAD_SEARCHES)
def test_bad_search_parameters_get_a_400_page_with_a_way_back(client, query, parameter, message):
    response = client.get("/sok" + query)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<h1>Vi kunde inte förstå adressen</h1>" in page
    assert 'href="/sok">Börja en ny sökning</a>' in page
    assert "<script>" not in page and "Traceback" not in page
    if message:
        assert message in page


@pytest.mark.parametrize("query, parameter, message", BAD_SEARCHES)
def test_bad_api_parameters_get_a_json_error_naming_the_parameter(api, query, parameter, message):
    status, body = api(query)
    assert status == 400
    assert set(body) == {"error", "parameter"}
    assert body["parameter"] == parameter
    if message:
        assert body["error"] == message


def test_the_way_back_keeps_what_could_be_understood(client):
    page = client.get("/sok?q=kaf%C3%A9&stadsdel=atlantis&stadsdel=farsta").get_data(as_text=True)
    assert 'href="/sok?q=kaf%C3%A9&amp;stadsdel=farsta">Tillbaka till sökningen' in page


def test_a_page_past_the_last_is_404_with_a_link_to_the_last(client, api):
    response = client.get("/sok?stadsdel=farsta&sida=5")
    assert response.status_code == 404
    assert 'href="/sok?stadsdel=farsta">Gå till sista sidan</a>' in response.get_data(as_text=True)
    assert api("?sida=5") == (404, {"error": "Sidan finns inte. Sista sidan är 1.", "parameter": "sida"})


def test_unknown_parameters_are_dropped_from_the_address(client):
    response = client.get("/sok?utm_source=x&foo=bar&stadsdel=farsta")
    assert response.status_code == 302 and response.headers["Location"] == "/sok?stadsdel=farsta"


@pytest.mark.parametrize(
    "path",
    [
        "/verksamhet/finns-inte",
        "/verksamhet/..%2F..%2Fetc%2Fpasswd",
        "/verksamhet/../../etc/passwd",
        "/verksamhet/%FF",
        "/verksamhet/KAFE",
        "/verksamhet/kafe-solsidan/extra",
        "/finns/inte",
        "/static/../wsgi.py",
        "/api/v1/finns-inte",
    ],
)
def test_unknown_and_tricky_paths_get_a_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_api_404_is_json(client):
    response = client.get("/api/v1/finns-inte")
    assert response.get_json() == {"error": "Sidan finns inte", "parameter": None}


def test_wrong_method_is_a_kind_405(client):
    response = client.post("/sok")
    assert response.status_code == 405
    assert "Det går inte att göra så här" in response.get_data(as_text=True)


def test_an_unexpected_failure_shows_a_calm_page_not_a_stack_trace(app, app_client, monkeypatch):
    from catalogue.search import engine

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(engine, "run", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app_client.get("/sok")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Något gick fel hos oss" in page and "disk on fire" not in page


@pytest.mark.parametrize("step", ["%C2%B2", "%E2%91%A0", "%D9%A3", "-1", "1.0"])
def test_the_guide_refuses_steps_that_are_not_plain_digits(client, step):
    response = client.get(f"/hitta-ratt?steg={step}")
    assert response.status_code == 400
    assert "Frågan finns inte. Börja gärna om." in response.get_data(as_text=True)


@pytest.mark.parametrize("raw", ["q=\xff\xfe", "v=\xc3", "q=%FF"])
def test_a_query_string_that_is_not_utf8_gets_the_400_page(client, raw):
    response = client.get("/sok", environ_overrides={"QUERY_STRING": raw})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Traceback" not in page
    assert "Adressen innehåller tecken som inte går att läsa." in page
