"""The compact word tables answer as wordfreq does, and the compact speller as the plain search would.

Both replaced big Python dicts to keep a worker small (issue 23); these tests hold them to the
answers of what they replaced, on samples of each language, the real content's words and typos.
"""

from __future__ import annotations

import random
import re

import pytest
import wordfreq

from catalogue import i18n
from catalogue.index.content import load_content
from catalogue.language import dictionary
from catalogue.search.engine import CatalogueIndex

ALPHABET = "abcdefghijklmnopqrstuvwxyzåäö"
EDGE_CASES = ["drop-in", "covid19", "2024", "18år", "café", "kafé", "Kafé", "ARBETSTRÄNING", "مَقْهى", "e-post",
              "it-kurs", "o'neill", "", "x"]  # fmt: skip


@pytest.mark.system  # reads wordfreq's own lists (30-95 MB each), which the site never loads
def test_the_word_tables_answer_exactly_as_wordfreq(real_site):
    rng = random.Random(23)
    asked = {(word, lang) for word in EDGE_CASES for lang in dictionary.LANGUAGES}
    for lang in dictionary.LANGUAGES:
        asked |= {(word, lang) for word in rng.sample(sorted(wordfreq.get_frequency_dict(lang)), 3000)}
    content = load_content(real_site.application.config["CONTENT_DIR"])
    for record in content.providers:
        words = re.findall(r"\w+", f"{record['name']} {record['summary']} {record.get('description_html', '')}")
        asked |= {(word.lower(), lang) for word in words for lang in dictionary.LANGUAGES}
    asked |= {("".join(rng.choices(ALPHABET, k=rng.randint(3, 12))), "sv") for _ in range(2000)}  # nonsense

    different = []
    for word, lang in sorted(asked):
        theirs, ours = wordfreq.zipf_frequency(word, lang), dictionary.frequency(word, lang)
        # Below Zipf 2 no check of the site can tell words apart, so the tables keep none of them.
        if ours != (theirs if theirs >= dictionary.KEPT_FROM else 0.0):
            different.append((word, lang, theirs, ours))
    assert len(asked) > 15000 and different == []


def plain_speller(words: dict[str, int]):
    """The speller as it was before it was made compact (a dict from each deletion to its words)."""
    by_deletion: dict[str, set[str]] = {}
    for word in words:
        if not word.isdecimal():
            once = dictionary._deletions(word)
            twice = {d for shorter in once for d in dictionary._deletions(shorter)} if len(word) <= 9 else set()
            for key in once | twice | {word}:
                by_deletion.setdefault(key, set()).add(word)

    def suggest(typo: str, maxdist: int) -> str | None:
        keys = {typo} | dictionary._deletions(typo)
        if maxdist > 1:
            keys |= {deeper for key in list(keys) for deeper in dictionary._deletions(key)}
        candidates = {found for key in keys for found in by_deletion.get(key, ())} - {typo}
        scored = [(dictionary.edit_distance(typo, found), -words[found], found) for found in candidates]
        best = min((entry for entry in scored if entry[0] <= maxdist), default=None)
        return best[2] if best else None

    return suggest


def typo(word: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 2)):
        at, kind = rng.randrange(len(word) + 1), rng.random()
        if kind < 0.4:
            word = word[:at] + rng.choice(ALPHABET) + word[at + 1 :]
        elif kind < 0.7:
            word = word[:at] + word[at + 1 :]
        else:
            word = word[:at] + rng.choice(ALPHABET) + word[at:]
    return word


def test_the_compact_speller_suggests_what_the_plain_one_did(real_site):
    """On the real index's words: the hashed deletions lose no candidate, and a collision adds no wrong one."""
    snapshot = CatalogueIndex(real_site.application.config["INDEX_DIR"]).snapshot()
    words = snapshot.speller.frequencies
    plain = plain_speller(words)
    rng = random.Random(7)
    for word in rng.choices(sorted(word for word in words if word.isalpha() and len(word) > 3), k=1000):
        wrong = typo(word, rng)
        for maxdist in (1, 2):
            assert snapshot.speller.suggest(wrong, maxdist) == plain(wrong, maxdist), (wrong, maxdist)
    assert {plain(typo(word, rng), 1) for word in words} - {None}  # the comparison is not only of Nones


def test_numbers_are_never_suggested_for_a_typo():
    speller = dictionary.Speller({"kafé": 3, "12": 40, "13": 40})
    assert speller.suggest("1x", maxdist=1) is None
    assert speller.suggest("kafe", maxdist=1) == "kafé"


@pytest.mark.system  # builds the tables from wordfreq in a child process (a few seconds)
def test_word_tables_are_made_elsewhere_when_their_folder_cannot_be_written(tmp_path, monkeypatch):
    """A read-only deployment starts (a little slower), with the same answers; it never fails to start."""
    monkeypatch.setattr(dictionary, "_tables", {})
    dictionary.frequency.cache_clear()
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    dictionary.load(blocked / "words")
    assert not (blocked / "words").exists()
    assert dictionary.frequency("arbete") == wordfreq.zipf_frequency("arbete", "sv")
    dictionary.frequency.cache_clear()


def test_the_dictionary_knows_every_language_of_the_site():
    """The word tables are built by this module run alone (it imports nothing of the site): its own list
    must be the site's."""
    assert dictionary.LANGUAGES == tuple(i18n.LANGUAGES)
