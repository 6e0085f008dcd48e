"""Limits on every write (issue 12 §1): a body limit, and rate limits per client on every POST."""

from html import unescape


def test_a_body_larger_than_any_form_is_refused_calmly(app):
    client = app.test_client()
    response = client.post("/rapportera-fel", data={"sida": "/sok", "meddelande": "x" * 100_000})
    assert response.status_code == 413
    page = unescape(response.get_data(as_text=True))
    assert "Det du skickade är för stort" in page and "Skriv kortare och försök igen." in page
    assert "Traceback" not in page


def test_posts_are_rate_limited_per_client_with_a_polite_page_in_the_visitors_language(app):
    client = app.test_client()
    made = [client.post("/l", data={"url": f"/sok?q=ord{n}"}).status_code for n in range(10)]
    assert made == [303] * 10
    refused = client.post("/l", data={"url": "/sok?q=en-till"})
    assert refused.status_code == 429 and refused.headers.get("Retry-After")
    assert "Du har skickat många gånger på kort tid" in unescape(refused.get_data(as_text=True))
    assert "Set-Cookie" not in refused.headers
    english = client.post("/en/rapportera-fel", data={"sida": "/sok", "meddelande": "hej"})
    assert english.status_code != 429  # counted per route: the report form has its own count
    for _ in range(10):
        client.post("/en/rapportera-fel", data={"sida": "/sok", "meddelande": "hej"})
    polite = client.post("/en/rapportera-fel", data={"sida": "/sok", "meddelande": "hej"})
    assert polite.status_code == 429 and "You have sent many times in a short time" in polite.get_data(as_text=True)


def test_reading_is_never_rate_limited(app):
    client = app.test_client()
    assert all(client.get("/sok?q=kafé").status_code == 200 for _ in range(30))


def test_another_client_is_not_held_up_by_one_that_sent_too_much(app):
    client = app.test_client()
    for n in range(11):
        client.post("/l", data={"url": f"/sok?q=ord{n}"})
    other = client.post("/l", data={"url": "/sok?q=annan"}, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 303


def test_a_short_link_that_would_not_work_when_followed_is_refused_when_made(app):
    client = app.test_client()
    too_long = client.post("/l", data={"url": "/sok?q=" + "ord " * 60})  # more than 200 characters of search
    assert too_long.status_code == 400
    assert "Vi kunde inte göra en kort länk" in unescape(too_long.get_data(as_text=True))
    assert client.post("/l", data={"url": "/sok?stadsdel=atlantis"}).status_code == 400
    assert client.post("/l", data={"url": "/sok?q=kafé&stadsdel=farsta"}).status_code == 303
