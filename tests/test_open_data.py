"""Open data: /oppna-data, the CSV and NDJSON exports (read back as a spreadsheet or a program would),
/sok.csv for any search, the JSON twin of a provider page, CORS, and the Atom feeds (read by a feed library)."""

import csv
import io
import json
import os
import subprocess
from html import unescape

import feedparser
import pytest

from catalogue.facts import fields

IDENTITY = {"Accept-Encoding": "identity"}


def read_csv(client, path: str) -> list[dict]:
    response = client.get(path, headers=IDENTITY)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())  # Excel reads UTF-8 by its byte order mark
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def read_ndjson(client, path: str) -> list[dict]:
    response = client.get(path, headers=IDENTITY)
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


@pytest.mark.parametrize("site_kind", ["client", "real_site"])
def test_the_catalogue_csv_has_one_row_per_offering_and_unknown_is_an_empty_cell(request, site_kind):
    client = request.getfixturevalue(site_kind)
    rows = read_csv(client, "/oppna-data/katalog.csv")
    records = read_ndjson(client, "/oppna-data/katalog.ndjson")
    assert [row["Id"] for row in rows] == [record["slug"] for record in records]
    assert len({row["Id"] for row in rows}) == len(rows) > 0
    for row, record in zip(rows, records, strict=True):
        assert row["Namn"] == record["name"]
        assert row["Bekräftad av verksamheten"] == (record["confirmed"] or {}).get("date", "")  # never a re-read
        assert row["Sida"] == f"http://localhost/verksamhet/{record['slug']}" == record["url"]
        ips = row["Stöd till jobb enligt IPS"]
        assert ips == {None: "", True: "Ja", False: "Nej"}[record["ips"]]  # unknown is empty, never "Nej"
        assert row["Telefon"] == (record["contact.phone"] or "")
        for source in record["sources"]:
            assert f"{source['title']} ({source['date']})" in row["Källor"]
        assert row["Nyaste källa"] == max(str(source["date"]) for source in record["sources"])
        assert set(record["unknown"]) == {
            f.key for f in fields.FACTS if f.absent_is_unknown and record[f.key] in (None, [], {})
        }


def test_the_ndjson_twin_lines_are_the_provider_pages_json(client):
    for line in read_ndjson(client, "/oppna-data/katalog.ndjson"):
        twin = client.get(f"/api/v1/verksamhet/{line['slug']}").get_json()
        assert twin | {"url": line["url"]} == line


def test_a_search_exports_every_match_and_the_maybes_with_why(client, real_site):
    rows = read_csv(real_site, "/sok.csv?timmar=10-24")  # no real offering states its hours: all "Kanske"
    api = real_site.get("/api/v1/sok?timmar=10-24").get_json()
    sure = [row["Id"] for row in rows if row["Passar sökningen"] == "Ja"]
    maybe = [row for row in rows if row["Passar sökningen"].startswith("Kanske")]
    assert sure == [result["slug"] for result in api["results"]] and len(sure) == api["total"]
    assert [row["Id"] for row in maybe] == [result["slug"] for result in api["maybe"]["results"]] and maybe
    assert len(rows) == api["total"] + api["maybe"]["total"]
    assert all("har inte berättat hur många timmar i veckan" in row["Passar sökningen"] for row in maybe)
    bad = client.get("/sok.csv?stadsdel=atlantis", headers={"Accept": "application/json"})
    assert bad.status_code == 400 and bad.get_json()["parameter"] == "stadsdel"


def test_the_search_page_links_its_export_and_its_feed(client):
    page = unescape(client.get("/sok?stadsdel=farsta&v=musikhuset").get_data(as_text=True))
    assert 'href="/sok.csv?stadsdel=farsta"' in page and "Ladda ner listan" in page
    assert 'href="/sok.atom?stadsdel=farsta"' in page
    assert '<link rel="alternate" type="application/atom+xml"' in page


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "=1+1", "-2+3", "@1", "+1"])
def test_a_cell_that_would_be_a_formula_is_text(app, app_client, publish, name):
    publish(
        "formel",
        f'name: {json.dumps(name)}\nsummary: "@SUM(1)"\nstatus: active\nreviewed: 2025-01-01\n'
        'contact:\n  phone: +46 8 508 000 00\nsources:\n  - title: "-1+1"\n    date: 2025',
    )
    (row,) = [row for row in read_csv(app_client, "/oppna-data/katalog.csv") if row["Id"] == "formel"]
    assert row["Namn"] == "'" + name and row["Sammanfattning"] == "'@SUM(1)" and row["Källor"].startswith("'-1+1")
    assert row["Telefon"] == "+46 8 508 000 00"  # a phone number in the phone column is no formula


def test_a_search_with_only_partial_matches_exports_them(client):
    page = client.get("/sok?q=kaf%C3%A9+rymdraket").get_data(as_text=True)
    api = client.get("/api/v1/sok?q=kaf%C3%A9+rymdraket").get_json()
    assert api["total"] == 0 and api["partial"]["results"] and "Ladda ner listan" in page
    rows = read_csv(client, "/sok.csv?q=kaf%C3%A9+rymdraket")
    assert [row["Id"] for row in rows] == [result["slug"] for result in api["partial"]["results"]]
    assert all(row["Passar sökningen"].startswith("Matchar orden: ") for row in rows)
    feed = read_feed(client, "/sok.atom?q=kaf%C3%A9+rymdraket")
    assert [entry.link for entry in feed.entries] == [f"http://localhost{r['url']}" for r in api["partial"]["results"]]


def test_the_open_data_page_says_what_how_often_and_under_which_licence(client, real_site):
    for site in (client, real_site):
        response = site.get("/oppna-data")
        page = unescape(response.get_data(as_text=True))
        assert response.status_code == 200 and "Set-Cookie" not in response.headers
        assert "CC BY 4.0" in page and "/oppna-data/katalog.csv" in page and "/oppna-data/katalog.ndjson" in page
        assert "Det betyder aldrig nej." in page and "Så anger du källan" in page
        assert "Access-Control-Allow-Origin" not in response.headers  # a page, not an API
    assert client.get("/en/oppna-data").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/sok",
        "/api/v1/verksamhet/kafe-solsidan",
        "/api/hsds/services",
        "/oppna-data/katalog.csv",
        "/sok.csv",
        "/feed.atom",
    ],
)
def test_every_machine_answer_may_be_read_by_any_site(client, path):
    response = client.get(path)
    assert response.headers["Access-Control-Allow-Origin"] == "*" and "Set-Cookie" not in response.headers


def test_the_provider_twin_says_null_for_unknown_and_keeps_the_error_shape(client):
    twin = client.get("/api/v1/verksamhet/kafe-solsidan").get_json()
    assert twin["ips"] is False and twin["contact.phone"] is None and "contact.phone" in twin["unknown"]
    assert client.get("/api/v1/verksamhet/finns-inte").get_json() == {
        "error": "Verksamheten finns inte.",
        "parameter": "slug",
    }


# Feeds.


def read_feed(client, path: str):
    response = client.get(path, headers=IDENTITY)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    return feed


def test_the_catalogue_feed_without_git_dates_changes_by_the_checked_date(client):
    feed = read_feed(client, "/feed.atom")
    assert feed.version == "atom10" and feed.entries
    titles = [entry.title for entry in feed.entries]
    assert "Nedlagd: Nedlagda verkstaden" in titles
    assert all(entry.link.startswith("http://localhost/verksamhet/") for entry in feed.entries)
    updated = [entry.updated_parsed for entry in feed.entries]
    assert updated == sorted(updated, reverse=True)


def test_the_catalogue_feed_follows_git_history(app, app_client, publish):
    content = app.config["CONTENT_DIR"]
    someone = ["-c", "user.name=Test", "-c", "user.email=t@example.se"]
    git = ["git", "-C", str(content)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    dated = {**os.environ, "GIT_COMMITTER_DATE": "2026-01-01T10:00:00+00:00"}  # the date a change reached git
    subprocess.run([*git, *someone, "commit", "-qm", "start"], check=True, env=dated)
    publish("ny-plats", "name: Ny plats\nsummary: Ny.\nstatus: active\nreviewed: 2026-02-01\n"
                        "sources:\n  - title: Egen sida\n    date: 2026")  # fmt: skip
    subprocess.run([*git, "add", "."], check=True)
    dated["GIT_COMMITTER_DATE"] = "2026-02-01T10:00:00+00:00"
    subprocess.run([*git, *someone, "commit", "-qm", "ny"], check=True, env=dated)
    publish.rebuild()
    feed = read_feed(app_client, "/feed.atom")
    first = feed.entries[0]
    assert first.title == "Ny verksamhet: Ny plats" and first.updated.startswith("2026-02-01")
    # A renamed file is no new offering: it keeps the day it was first added.
    (content / "providers" / "ny-plats.md").rename(content / "providers" / "nytt-namn.md")
    subprocess.run([*git, "add", "-A"], check=True)
    dated["GIT_COMMITTER_DATE"] = "2026-03-01T10:00:00+00:00"
    subprocess.run([*git, *someone, "commit", "-qm", "namn"], check=True, env=dated)
    publish.rebuild()
    titles = [entry.title for entry in read_feed(app_client, "/feed.atom").entries]
    assert "Ny verksamhet: Ny plats" in titles and "Ändrade uppgifter: Ny plats" in titles


def test_every_search_has_a_feed_with_public_addresses_and_the_maybes(site, tmp_path):
    from app_factory import Publisher, make_app

    public = make_app(tmp_path, template=site.config["CONTENT_DIR"].parent, PUBLIC_URL="https://hitta.example.se")
    front = "name: Utan timmar\nsummary: Inga timmar.\nstatus: active\nreviewed: 2025-01-01\n"
    Publisher(public)("utan-timmar", front + "sources:\n  - title: Egen sida\n    date: 2025")
    client = public.test_client()
    feed = read_feed(client, "/sok.atom?timmar=10-24&v=musikhuset&sida=1")
    api = client.get("/api/v1/sok?timmar=10-24").get_json()
    sure = [f"https://hitta.example.se{r['url']}" for r in api["results"]]
    maybe = [f"https://hitta.example.se{r['url']}" for r in api["maybe"]["results"]]
    assert [entry.link for entry in feed.entries] == sure + maybe and maybe  # unknown is not left out as no
    assert all(entry.title.startswith("Kanske: ") for entry in feed.entries[len(sure) :])
    assert all("Kanske: har inte berättat hur många timmar" in e.summary for e in feed.entries[len(sure) :])
    assert feed.feed.link == "https://hitta.example.se/sok?timmar=10-24"
    assert feed.feed.id == "https://hitta.example.se/sok.atom?timmar=10-24"  # the same however it was asked
    assert "Timmar i veckan" in feed.feed.title
    assert client.get("/sok.atom?ips=kanske", headers={"Accept": "application/json"}).status_code == 400


def test_feeds_of_the_real_catalogue_parse(real_site):
    assert read_feed(real_site, "/feed.atom").entries
    assert read_feed(real_site, "/sok.atom?stadsdel=sodermalm").entries
