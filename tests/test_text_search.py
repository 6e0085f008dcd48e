"""Swedish free-text search: stemming, å/ä/ö folding, weighting, snippets and spelling help."""

import re
from html import unescape

import numpy as np
import pytest
from markupsafe import escape
from whoosh.query import And, Or, Term

from catalogue.language.analysis import folded_analyzer, swedish_analyzer
from catalogue.search.engine import _word_terms


def terms(analyzer, text):
    return [token.text for token in analyzer(text)]


@pytest.mark.parametrize(
    "one, other",
    [
        ("verksamhet", "verksamheter"),
        ("verksamhet", "verksamheten"),
        ("arbetsträning", "arbetsträna"),
        ("utbildning", "utbilda"),
        ("fontänhuset", "fontänhus"),
        ("trädgården", "trädgård"),
        ("skolan", "skola"),  # a definite -an the stemmer leaves whole
        ("studiecirkel", "studiecirklar"),  # an -el noun loses its e in the plural
    ],
)
def test_inflections_meet_in_one_stem(one, other):
    assert terms(swedish_analyzer(), one) == terms(swedish_analyzer(), other)


def test_words_typed_without_a_ring_and_umlauts_fold_to_the_same_term():
    assert terms(folded_analyzer(), "fontanhuset") == terms(folded_analyzer(), "Fontänhuset")


def test_the_main_analyzer_keeps_mal_and_mål_apart():
    assert terms(swedish_analyzer(), "mål") != terms(swedish_analyzer(), "mal")


FACTS = "status: active\nreviewed: 2025-01-01\ndistrict: bromma\nsources: [{title: T, date: 2024}]"


def slugs(api, query):
    return [result["slug"] for result in api(query)[1]["results"]]


def test_search_finds_other_inflections(api):
    assert slugs(api, "?q=verksamheten") == ["arbetstraning-city"]
    assert "verkstan-vast" in slugs(api, "?q=arbetsträna")


def test_search_without_swedish_letters_finds_the_word(api):
    assert slugs(api, "?q=appelkallaren") == ["appelkallaren"]
    assert slugs(api, "?q=tradgardsgruppen") == ["tradgardsgruppen"]


def test_a_word_typed_with_or_without_a_ring_ranks_its_exact_spelling_first(publish, app_api):
    publish.write("lopargruppen", "name: Löpargruppen\nsummary: Vi springer mot målet.\n" + FACTS)
    publish("symaskinen", "name: Symaskinen\nsummary: Vi lagar kläder som malen ätit.\n" + FACTS)
    assert slugs(app_api, "?q=mål") == ["lopargruppen"]
    assert slugs(app_api, "?q=mal") == ["symaskinen", "lopargruppen"]


def test_name_weighs_more_than_activities(api):
    # Both offer "Kafé och kök"; only one has kafé in its name.
    assert slugs(api, "?q=kafé") == ["kafe-solsidan", "appelkallaren"]


def test_short_words_are_searched_too(publish, app_api):
    publish("datorverkstan", "name: Datorverkstan\nsummary: Vi lagar datorer.\nactivities: [it]\n" + FACTS)
    assert slugs(app_api, "?q=IT") == ["datorverkstan"]


def test_a_query_of_only_stop_words_lists_everything(api):
    assert api("?q=och%20att")[1]["total"] == 8


def test_all_words_must_match(api):
    assert slugs(api, "?q=kafé hökarängen") == ["kafe-solsidan"]
    assert slugs(api, "?q=kafé tensta") == []


def test_district_and_neighbourhood_names_are_searchable(api):
    assert slugs(api, "?q=tensta") == ["studiegarden"]
    assert slugs(api, "?q=spånga") == ["studiegarden"]
    assert slugs(api, "?q=östermalm") == ["arbetstraning-city"]


@pytest.mark.parametrize(
    "query",
    [
        "kafé*",
        "name:kafé",
        "(kafé",
        "kafé OR",
        '"kafé',
        "kafé AND NOT",
        "*",
        "[a TO z]",
        "kafé^9",
        "~",
        "title:(x OR y)",
    ],
)
def test_query_syntax_is_just_text(client, query):
    """Operators, fields and wildcards mean nothing: the page answers as for the same words without them."""
    response = client.get("/sok", query_string={"q": query})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'name="q" value="{escape(query)}"' in page
    as_plain_words = client.get("/api/v1/sok", query_string={"q": re.sub(r"[^\w]+", " ", query)}).get_json()
    as_typed = client.get("/api/v1/sok", query_string={"q": query}).get_json()
    assert [r["slug"] for r in as_typed["results"]] == [r["slug"] for r in as_plain_words["results"]]
    partial = [r["slug"] for r in as_typed["partial"]["results"]]
    assert partial == [r["slug"] for r in as_plain_words["partial"]["results"]]
    # Words that together match nothing show what matches some of them ("kafé AND NOT": "kafé").
    assert (f"{as_typed['total']} verksamhet" if not partial else "Inget matchar alla orden.") in page


def test_operators_and_wildcards_find_nothing_special(api):
    assert slugs(api, "?q=kafé%20OR%20musik") == []


def test_highlighted_snippet_shows_the_matching_words(client):
    page = client.get("/sok?q=växthus").get_data(as_text=True)
    assert "<mark>växthus</mark>" in page


def test_snippets_escape_markup_from_content(publish, app_client):
    publish("taggar", "name: Taggar\nsummary: Test.\n" + FACTS, body="Vi skriver `<b>fet</b>` och om fjärilar.")
    page = app_client.get("/sok?q=fjärilar").get_data(as_text=True)
    assert "&lt;b&gt;fet&lt;/b&gt;" in page and "<b>fet</b>" not in page


def test_a_misspelling_with_no_results_shows_the_corrected_search(client, api):
    page = client.get("/sok?q=musikhuzet").get_data(as_text=True)
    assert "Inga träffar för ”musikhuzet”. Visar träffar för ”musikhuset”." in page
    assert 'href="/verksamhet/musikhuset?q=musikhuzet"' in page
    assert [r["slug"] for r in api("?q=musikhuzet")[1]["results"]] == ["musikhuset"]


def test_a_misspelling_whose_correction_finds_nothing_either_gets_a_did_you_mean_link(client):
    page = unescape(client.get("/sok?q=bullar+musikhuzet").get_data(as_text=True))
    assert "Inget matchar alla orden." in page and "Här är det som matchar ”bullar”." in page
    assert 'Menade du <a href="/sok?q=bullar+musikhuset">bullar musikhuset</a>?' in page


def test_correct_words_get_no_did_you_mean(client):
    assert "Menade du" not in client.get("/sok?q=musikhuset").get_data(as_text=True)
    assert "Menade du" not in client.get("/sok?q=tradgard").get_data(as_text=True)


def test_concepts_and_places_rank_in_a_catalogue_larger_than_a_machine_word(publish, app_client):
    """Bitsets of more than 64 documents meet the array scores (catalogue/search/scoring.py) as Python ints."""
    for number in range(80):
        publish.write(f"ateljen-{number}", f"name: Ateljén {number}\nsummary: Vi målar och tecknar.\n"
                      f"activities: [kreativt]\n" + FACTS)  # fmt: skip
    publish.rebuild()
    for query in ("måla", "måla bromma", "kreativt", "ateljén 79"):
        response = app_client.get("/sok", query_string={"q": query})
        assert response.status_code == 200, query
        assert "Ateljén" in response.get_data(as_text=True), query


@pytest.mark.system  # every word of the real index: `make test` runs it
def test_array_scores_are_whooshs_own(real_site):
    """catalogue/search/scoring.py replaces Whoosh's matchers, not its scores: every word of the real index,
    alone and in pairs, gets the documents and the BM25F scores Whoosh's And/Or query gives."""
    snapshot = real_site.application.extensions["catalogue_index"].snapshot()
    words = sorted(term.decode() for term in snapshot.searcher().reader().lexicon("spelling"))[::4]
    queries = [(word,) for word in words] + list(zip(words, words[7:] + words[:7], strict=True))
    for query in queries:
        clauses = [Or([Term(field, term, boost=boost) for field, term, boost in
                       _word_terms(word, snapshot.accented_folds)]) for word in query]  # fmt: skip
        expected = {docnum: score for score, docnum in snapshot.searcher().search(And(clauses), limit=None).top_n}
        vectors = [snapshot.word_vector(word) for word in query]
        found = np.logical_and.reduce([have for _scores, have in vectors])
        scores = np.sum([scores for scores, _have in vectors], axis=0)
        assert set(np.flatnonzero(found).tolist()) == set(expected), query
        assert all(abs(scores[docnum] - score) < 1e-9 for docnum, score in expected.items()), query
