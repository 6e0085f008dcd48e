"""Issue 25: a sentence of an offering's own that says "not" never makes it a match, and words the files
say otherwise ("means" in the thesaurus) are searched as the files say them."""

from __future__ import annotations

from app_factory import Publisher

from catalogue.index import builder
from catalogue.page_kit import snapshot
from catalogue.query import SearchRequest
from catalogue.search import engine


def test_a_not_denies_only_what_follows_it_in_its_clause():
    kept, denied, sentences = builder.negated_apart(
        "Här får du stöd att hitta ett vanligt jobb med lön, och stödet slutar inte när du har fått jobbet. "
        "Verksamheten riktar sig inte till personer som har insatser enligt LSS. Det kostar ingenting."
    )
    assert "vanligt jobb med lön" in kept and "LSS" not in kept and "när du har fått jobbet" not in kept
    assert denied == "inte när du har fått jobbet. inte till personer som har insatser enligt LSS."
    assert sentences == [
        "Här får du stöd att hitta ett vanligt jobb med lön, och stödet slutar inte när du har fått jobbet.",
        "Verksamheten riktar sig inte till personer som har insatser enligt LSS.",
    ]


def test_an_offering_that_says_it_does_not_take_a_group_is_shown_apart_with_its_own_sentence(real_site):
    for query in ("lss", "min bror har lss"):
        body = real_site.get("/api/v1/sok", query_string={"q": query}).get_json()
        assert "fountain-house-stockholm" not in [result["slug"] for result in body["results"]]
        [apart] = [item for item in body["stated_otherwise"] if item["slug"] == "fountain-house-stockholm"]
        assert apart["stated"] == ["Verksamheten riktar sig inte till personer som har insatser enligt LSS."]
    page = real_site.get("/sok?q=lss").get_data(as_text=True)
    assert "Nämner det du sökte, men har berättat något annat" in page
    # A word before the "not" is not denied by it: "år" in "Samma år skrev stadsdelen att lokalerna inte ...".
    body = real_site.get("/api/v1/sok", query_string={"q": "hon är 45 år"}).get_json()
    assert body["stated_otherwise"] == []


def test_a_word_the_files_say_otherwise_is_searched_as_they_say_it(app):
    thesaurus = app.config["CONTENT_DIR"] / "thesaurus.yml"
    thesaurus.write_text(
        thesaurus.read_text(encoding="utf-8") + "  - means: trädgårdsgrupp\n    words: [odlingslag, garden club]\n",
        encoding="utf-8",
    )
    front = (
        "name: Odlarna\nsummary: En trädgårdsgrupp i Farsta.\nstatus: active\nreviewed: 2025-01-15\ndistrict: farsta"
    )
    Publisher(app).write("odlarna", front + "\nsources:\n  - title: En rapport\n    date: 2024")
    loaded = builder.rebuild(app.config["CONTENT_DIR"], app.config["INDEX_DIR"])
    assert loaded.errors == []
    with app.test_request_context("/sok"):
        app.preprocess_request()
        result = engine.run(snapshot(), SearchRequest(q="odlingslag"), "sv")
    assert {hit.record["slug"] for hit in result.hits} == {"odlarna", "tradgardsgruppen"}  # "Trädgårdsgruppen"
    assert [(item.text, item.concept.label) for item in result.understood] == [("odlingslag", "”trädgårdsgrupp”")]
    page = app.test_client().get("/sok?q=garden+club").get_data(as_text=True)
    assert "Odlarna" in page and "Vi tolkade ”garden club” som ”trädgårdsgrupp”." in page


def test_a_means_entry_is_checked_like_the_others():
    import yaml

    from catalogue.query.thesaurus import parse_thesaurus

    def read_yaml(text, problems, line):
        return yaml.safe_load(text)

    ok, errors = parse_thesaurus("t.yml", "concepts:\n  - means: klubbhus\n    words: [clubhouse]\n", read_yaml)
    assert errors == [] and ok["concepts"][0]["filter"] == "means"
    _none, errors = parse_thesaurus("t.yml", "concepts:\n  - means: klubbhus\n", read_yaml)
    assert [error.message for error in errors] != []


def test_a_condition_an_also_or_a_no_of_the_asker_is_not_a_denial(real_site):
    kept, denied, _sentences = builder.negated_apart(
        "Har du ingen handläggare kan huset hjälpa dig.", "Vi vet inte heller om du behöver ett beslut.",
        "Inte bara för unga, utan för alla."
    )  # fmt: skip
    assert denied == "" and "handläggare" in kept
    # Asking for "no decision" is the walk-in wish, not a contradiction with those that need none.
    body = real_site.get("/api/v1/sok", query_string={"q": "behöver inget beslut"}).get_json()
    assert body["understood"][0]["values"] == ["oppen"] and "alfa" in [r["slug"] for r in body["results"]]
    assert body["stated_otherwise"] == []


def test_a_bad_means_or_page_entry_is_reported_not_a_crash():
    import yaml

    from catalogue.query.thesaurus import parse_thesaurus

    _none, errors = parse_thesaurus("t.yml", "concepts:\n  - means: [a, list]\n    words: [x]\n",
                                    lambda text, problems, line: yaml.safe_load(text))  # fmt: skip
    assert errors and "concepts.0.means" in str(errors[0])


def test_what_the_page_leads_with_is_decided_once(real_site):
    """ "matches", "partial", "maybe", "pages" or "nothing": every template reads the same outcome."""
    app = real_site.application
    cases = [("måla", {}, "matches"), ("trädgård rullstol", {}, "partial"), ("", {"timmar": ("1-12",)}, "maybe"),
             ("xyzzyqq", {}, "nothing")]  # fmt: skip
    for q, filters, outcome in cases:
        with app.test_request_context("/sok"):
            app.preprocess_request()
            assert engine.run(snapshot(), SearchRequest(q=q, filters=filters), "sv").outcome == outcome, q
    page = real_site.get("/sok?timmar=1-12").get_data(as_text=True)
    assert "Hoppa till det som kan passa" in page and "kan passa" in page.split("<title>")[1].split("</title>")[0]
