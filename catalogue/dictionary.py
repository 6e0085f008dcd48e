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
TWICE_UP_TO = 9  # letters: the speller finds two-edit typos in words up to this long
WHOLE_FROM = 3.9  # a word this common is read as itself, not as its parts ("verksamheter", 3.99)


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


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swapped neighbours."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Speller:
    """Spelling suggestions from the words of the index, in memory.

    Whoosh's corrector walks the term dictionary on disk for every word, tens of milliseconds each;
    here every word and its one- and two-letter deletions are looked up in a dict (symmetric delete),
    so a suggestion costs microseconds and a query of nonsense cannot slow the site down."""

    def __init__(self, frequencies: dict[str, int]):
        self.frequencies = frequencies
        self.by_deletion: dict[str, set[str]] = {}
        for word in frequencies:
            once = _deletions(word)
            # Two deletions for short words only: memory grows with the square of a word's length.
            short = len(word) <= TWICE_UP_TO
            twice = {deeper for shorter in once for deeper in _deletions(shorter)} if short else set()
            for key in once | twice | {word}:
                self.by_deletion.setdefault(key, set()).add(word)

    def suggest(self, word: str, maxdist: int) -> str | None:
        """The most common index word at the smallest edit distance up to ``maxdist``; None if there is none."""
        keys = {word} | _deletions(word)
        if maxdist > 1:
            keys |= {deeper for key in list(keys) for deeper in _deletions(key)}
        candidates = {found for key in keys for found in self.by_deletion.get(key, ())} - {word}
        scored = [(edit_distance(word, found), -self.frequencies[found], found) for found in candidates]
        best = min((entry for entry in scored if entry[0] <= maxdist), default=None)
        return best[2] if best else None
