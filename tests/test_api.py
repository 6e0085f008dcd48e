"""The JSON twin answers the same parameters with the same results as the HTML page."""

import re

from catalogue.facts.fields import API_FIELDS
from catalogue.query.facets import FACETS


def test_json_twin_has_the_documented_shape(api):
    status, body = api("?q=kaf%C3%A9&stadsdel=farsta")
    assert status == 200
    assert set(body) == {
        "total",
        "page",
        "pages",
        "results",
        "maybe",
        "partial",
        "understood",
        "facets",
        "maybe_facets",
        "unknown",
        "nobody_stated",
        "stated_otherwise",
        "places",
        "guidance",
        "corrected_query",
    }
    assert body["total"] == 1 and body["page"] == 1
    assert body["nobody_stated"] == [] and body["stated_otherwise"] == []
    # "kafé" is read as the activity Kafé och kök, and says so.
    assert body["understood"] == [{"text": "kafé", "parameter": "aktivitet", "values": ["kafe-och-kok"]}]
    assert body["partial"] == {"matched": [], "results": []}
    [result] = body["results"]
    assert set(result) == {"slug", "url", "unknown"} | {field.key for field in API_FIELDS}
    assert result["unknown"] == [] and body["maybe"] == {"total": 0, "results": []}
    assert {key: result[key] for key in KAFE_SOLSIDAN} == KAFE_SOLSIDAN
    assert set(body["facets"]) == {facet.param for facet in FACETS if facet.counted}


KAFE_SOLSIDAN = {
    "slug": "kafe-solsidan",
    "name": "Kafé Solsidan",
    "url": "/verksamhet/kafe-solsidan",
    "summary": "Ett kafé där du bakar, serverar och träffar andra i lugn takt.",
    "district": "farsta",
    "orientation": ["social"],
    "hours": ["1-12", "10-24"],
    "ips": False,
    "access": ["oppen"],
    "operator": "kommunal",
}


def test_json_lists_matching_guidance_and_a_corrected_query(api):
    body = api("?q=ips")[1]
    assert body["guidance"][0] == {"slug": "vad-ar-ips", "title": "Vad är IPS?", "url": "/vagledning/vad-ar-ips"}
    assert body["corrected_query"] is None
    assert api("?q=musikhuzet")[1]["corrected_query"] == "musikhuset"


def test_json_and_html_agree(client, api):
    for query in ["", "?q=arbetsträning", "?inriktning=social&timmar=10-24", "?tillgang=beslut&sortera=namn"]:
        body = api(query)[1]
        page = client.get("/sok" + query).get_data(as_text=True)
        confirmed, _, maybe = page.partition('class="maybe"')
        assert re.findall(r'<h3><a href="/verksamhet/([a-z0-9-]+)', confirmed) == [r["slug"] for r in body["results"]]
        assert re.findall(r'<h3><a href="/verksamhet/([a-z0-9-]+)', maybe) == [
            r["slug"] for r in body["maybe"]["results"]
        ]
        assert f"{body['total']} verksamhet" in page
        assert f"({body['facets']['stadsdel']['farsta']})" in page
