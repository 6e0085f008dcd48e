"""Which words are real words: so that spelling correction leaves them alone, and compounds can be split.

The word lists are wordfreq's (frequencies from subtitles, Wikipedia, books and the web, for
Swedish and for each language the site speaks). A word is known when it is common enough to be
more than a typo: a Zipf frequency of 2 is about once per 100 million words.
"""

from __future__ import annotations

import functools

from wordfreq import zipf_frequency

KNOWN_FROM = 2.0  # Zipf frequency: at least once in 100 million words
PART_FROM = 3.0  # a compound's parts must be ordinary words (once per 10 million words or more)
MIN_PART = 3
WHOLE_FROM = 4.0  # a word this common is read as itself, not as its parts ("verksamheter")
SITE_LANGUAGES = ("sv", "en", "fi", "ar", "so")


@functools.lru_cache(maxsize=65536)
def frequency(word: str, lang: str = "sv") -> float:
    return zipf_frequency(word, lang)


def is_word(word: str, lang: str = "sv") -> bool:
    """A real word in Swedish or in the page's language (digits always count: "18 år" is not a typo)."""
    if word.isdecimal() or len(word) <= 2:
        return True
    return frequency(word, "sv") >= KNOWN_FROM or (lang != "sv" and frequency(word, lang) >= KNOWN_FROM)


def _heads(head: str) -> list[str]:
    """A compound's first part as written and as a word: "arbets" is "arbete", "trädgårds" is "trädgård"."""
    found = [head]
    if head.endswith("s") and len(head) > MIN_PART:
        found += [head[:-1], head[:-1] + "e"]
    return found


@functools.lru_cache(maxsize=65536)
def compound_parts(word: str) -> tuple[str, ...]:
    """The two parts of a Swedish compound ("matlagning" -> mat, lagning), or () when it is not one.

    Both parts must be ordinary words; of several possible splits the one whose rarer part is most
    common wins, so that "arbetsträning" splits as arbete + träning.
    """
    if len(word) < 2 * MIN_PART + 1 or not word.isalpha() or frequency(word) >= WHOLE_FROM:
        return ()
    best: tuple[float, tuple[str, ...]] = (0.0, ())
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        tail = word[cut:]
        tail_frequency = frequency(tail)
        if tail_frequency < PART_FROM:
            continue
        for head in _heads(word[:cut]):
            score = min(frequency(head), tail_frequency)
            if score >= PART_FROM and score > best[0]:
                best = (score, (head, tail))
    return best[1]
