"""Limits on every write (issue 12 §1): a body limit, and rate limits per client on every POST."""

from html import unescape
from pathlib import Path

from app_factory import make_app

from catalogue import create_app


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


def test_a_full_table_refuses_new_rows_calmly_and_reading_goes_on(app):
    app.config["ROW_CAPS"] = {"short_link": 2, "error_report": 1}
    client = app.test_client()
    assert [client.post("/l", data={"url": f"/sok?q=ord{n}"}).status_code for n in range(2)] == [303, 303]
    full = client.post("/l", data={"url": "/sok?q=tredje"})
    assert full.status_code == 503 and "Vi kan inte spara fler just nu" in unescape(full.get_data(as_text=True))
    assert client.post("/l", data={"url": "/sok?q=ord0"}).status_code == 303  # an existing link is still given
    assert (
        client.post("/rapportera-fel", data={"sida": "/sok", "meddelande": "Telefonnumret stämmer inte"}).status_code
        == 303
    )
    assert (
        client.post("/rapportera-fel", data={"sida": "/sok", "meddelande": "Adressen stämmer inte"}).status_code == 503
    )
    assert client.get("/sok").status_code == 200


def test_short_links_nobody_follows_expire_and_used_ones_stay(app):
    import datetime as dt

    from catalogue.db import ShortLink, db

    client = app.test_client()
    old = client.post("/l", data={"url": "/sok?q=gammal"}).headers["Location"].split("/")[-1].split("#")[0]
    used = client.post("/l", data={"url": "/sok?q=anvand"}).headers["Location"].split("/")[-1].split("#")[0]
    with app.app_context():
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=800)
        for code in (old, used):
            db.session.get(ShortLink, code).created_at = long_ago
        db.session.commit()
    assert client.get(f"/l/{used}").status_code == 302  # followed today: remembered
    result = app.test_cli_runner().invoke(args=["catalogue", "expire-links"])
    assert "1 korta länkar som inte använts på 24 månader togs bort." in result.output
    assert client.get(f"/l/{old}").status_code == 404 and client.get(f"/l/{used}").status_code == 302


def test_two_nodes_sharing_a_store_hold_one_limit(site, tmp_path, memcached):
    """Several nodes count together: what one node refused, the other refuses too."""
    settings = {"RATELIMIT_STORAGE_URI": memcached, "RATELIMIT_KEY_PREFIX": tmp_path.name}
    template = Path(site.config["CONTENT_DIR"]).parent
    apps = [make_app(tmp_path / name, template=template, **settings) for name in ("a", "b")]
    node_a, node_b = (app.test_client() for app in apps)
    codes = [(node_a if n % 2 else node_b).post("/l", data={"url": f"/sok?q=ord{n}"}).status_code for n in range(10)]
    assert codes == [303] * 10
    assert node_a.post("/l", data={"url": "/sok?q=a"}).status_code == 429
    assert node_b.post("/l", data={"url": "/sok?q=b"}).status_code == 429
    for app in apps:  # the memcached client's pooled sockets
        for limiter in app.extensions["limiter"]:
            limiter.storage.storage.close()


def test_health_and_readiness_for_load_balancers(app, tmp_path):
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json() == {"status": "ok", "index": True, "database": True}
    assert "Set-Cookie" not in client.get("/readyz").headers
    unreachable = create_app({"CONTENT_DIR": app.config["CONTENT_DIR"], "INDEX_DIR": tmp_path / "index",
                              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no-such-folder/x.db"})  # fmt: skip
    response = unreachable.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json() == {"status": "unavailable", "index": True,
                                                                    "database": False}  # fmt: skip
