"""Which words are real words: so that spelling correction leaves them alone, and compounds can be split.

The word lists are wordfreq's (frequencies from subtitles, Wikipedia, books and the web, for
Swedish and for each language the site speaks). A word is known when it is common enough to be
more than a typo: a Zipf frequency of 2 is about once per 100 million words.

wordfreq keeps each language as a Python dict of several hundred thousand words: 30 to 95 MB per
language in every process, and a search in each of the site's languages loaded all of them (a worker
grew to almost 400 MB). Here each language is two arrays instead, made once from wordfreq by a
separate process (``python catalogue/language/dictionary.py [folder]``, run by create_app when they are
missing) and memory-mapped, so that every worker shares the same pages: a 64-bit hash of each word
with Zipf 2 or more (rarer words are below every threshold used here), sorted, and its frequency in
centibels, wordfreq's own quantum. A lookup is wordfreq's own arithmetic (``zipf_frequency``) over
these arrays, so it answers exactly as wordfreq does for every word that can matter (6 MB in all).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import os
import subprocess
import sys
import tempfile
import threading
from importlib.metadata import version
from pathlib import Path
from typing import cast

import numpy as np
from wordfreq.numbers import digit_freq, smash_numbers
from wordfreq.tokens import lossy_tokenize

LANGUAGES = ("sv", "en", "fi", "ar", "so")  # the site's; wordfreq has no Somali list and answers with English
KEPT_FROM = 2.0  # Zipf: rarer words are below every threshold below, so they are not kept
DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "instance" / "words"  # create_app passes WORDS_DIR
KNOWN_FROM = 2.0  # Zipf frequency: at least once in 100 million words
PART_FROM = 3.0  # a compound's parts must be ordinary words (once per 10 million words or more)
MIN_PART = 3
TWICE_UP_TO = 9  # letters: the speller finds two-edit typos in words up to this long
WHOLE_FROM = 3.9  # a word this common is read as itself, not as its parts ("verksamheter", 3.99)


def _key(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


class WordTable:
    """One language's words: sorted 64-bit hashes and each word's frequency in centibels (-100 × log10 f)."""

    def __init__(self, keys: np.ndarray, centibels: np.ndarray):
        self.keys, self.centibels = keys, centibels

    def frequency(self, token: str) -> float | None:
        """The token's frequency (a proportion), or None when it is rarer than Zipf 2 or unknown."""
        key = np.uint64(_key(token))
        at = int(np.searchsorted(self.keys, key))
        if at == len(self.keys) or self.keys[at] != key:
            return None
        return float(10.0 ** (-int(self.centibels[at]) / 100))


def _zipf(tokens: list[str], table: WordTable) -> float:
    """wordfreq's zipf_frequency over our table: tokens' frequencies combined as 1/f = Σ 1/fᵢ, numbers
    smashed, rounded to 3 significant digits and then to centibels; 0.0 when any token is rare."""
    if not tokens:
        return 0.0
    one_over = 0.0
    for token in tokens:
        smashed = smash_numbers(token)
        found = table.frequency(smashed)
        if found is None:
            return 0.0
        one_over += 1.0 / (found * (digit_freq(token) if smashed != token else 1.0))
    freq = 1.0 / one_over
    freq = round(freq, math.floor(-math.log(freq, 10)) + 3)
    return round(math.log(freq, 10) + 9, 2)


_tables: dict[str, WordTable] = {}
_loading = threading.Lock()


def load(folder: Path = DEFAULT_FOLDER) -> None:
    """Map every language's table into this process, once; make them first (in another process) if missing.

    Called by create_app, so that a gunicorn master maps them before it forks its workers and no
    visitor's search waits the few seconds a first build takes. A folder that cannot be written (a
    read-only deployment) gets its tables made in a temporary folder instead: slower to start, never down."""
    with _loading:
        if _tables:
            return
        try:
            names = _names(folder)
        except (OSError, subprocess.CalledProcessError):
            folder = Path(tempfile.mkdtemp(prefix="catalogue-words-"))
            names = _names(folder)
        for lang in LANGUAGES:
            _tables[lang] = WordTable(np.load(folder / f"{names[lang]}-keys.npy", mmap_mode="r"),
                                      np.load(folder / f"{names[lang]}-centibels.npy", mmap_mode="r"))  # fmt: skip


def _names(folder: Path) -> dict[str, str]:
    """Which files hold each language's table, from the folder's index (made first when it is missing)."""
    index = folder / f"index-{version('wordfreq')}.json"
    if not index.exists():
        # This file run as a script: the builder imports neither the site nor its other modules.
        subprocess.run([sys.executable, __file__, str(folder)], check=True, stdout=subprocess.DEVNULL)
    return cast(dict[str, str], json.loads(index.read_text(encoding="utf-8")))


def _table(lang: str) -> WordTable:
    if not _tables:
        load()
    return _tables[lang]


def build(folder: Path) -> None:
    """Make every language's table from wordfreq, in this process (``python catalogue/language/dictionary.py``).

    Tables that hold the same words (Somali falls back to English) are stored once. Written beside
    their final names and moved into place, so processes starting at once never read half a file."""
    import wordfreq  # noqa: PLC0415 - the big dicts are loaded here only, never in a serving process

    logging.getLogger("wordfreq").setLevel(logging.ERROR)  # Somali's fallback to English is known (LANGUAGES)

    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for lang in LANGUAGES:
        kept = [
            (_key(word), round(-100 * math.log10(freq)))
            for word, freq in wordfreq.get_frequency_dict(lang).items()
            if freq >= 10 ** (KEPT_FROM - 9)
        ]
        kept.sort()
        keys = np.array([key for key, _cb in kept], dtype=np.uint64)
        centibels = np.array([cb for _key_, cb in kept], dtype=np.uint16)
        name = hashlib.sha256(keys.tobytes() + centibels.tobytes()).hexdigest()[:16]
        for suffix, array in (("keys", keys), ("centibels", centibels)):
            target = folder / f"{name}-{suffix}.npy"
            if not target.exists():
                with tempfile.NamedTemporaryFile(dir=folder, suffix=".npy", delete=False) as partial:
                    np.save(partial, array)
                os.chmod(partial.name, 0o644)  # every worker reads it, whichever user runs them
                os.replace(partial.name, target)
        names[lang] = name
    index = folder / f"index-{version('wordfreq')}.json"
    partial_index = index.with_suffix(f".{os.getpid()}")
    partial_index.write_text(json.dumps(names), encoding="utf-8")
    os.replace(partial_index, index)


@functools.lru_cache(maxsize=65536)
def frequency(word: str, lang: str = "sv") -> float:
    """The word's Zipf frequency as wordfreq gives it, or 0.0 below Zipf 2 (the least any check asks)."""
    return _zipf(lossy_tokenize(word, lang), _table(lang))


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
    here every word and its one- and two-letter deletions are looked up at once (symmetric delete),
    so a suggestion costs microseconds and a query of nonsense cannot slow the site down.

    The deletions are kept as two arrays, not as a dict of sets (25 MB per worker at 1 000
    providers): the sorted hashes of every deletion and the number of the word it came from. A hash
    that collides only adds a candidate, and every candidate's edit distance is checked."""

    def __init__(self, frequencies: dict[str, int]):
        # Numbers are never typos of anything ("18 år"): they are neither corrected nor suggested.
        self.words = [word for word in frequencies if not word.isdecimal()]
        self.frequencies = frequencies
        hashes: list[int] = []
        numbers: list[int] = []
        for number, word in enumerate(self.words):
            once = _deletions(word)
            # Two deletions for short words only: their number grows with the square of a word's length.
            short = len(word) <= TWICE_UP_TO
            twice = {deeper for shorter in once for deeper in _deletions(shorter)} if short else set()
            keys = once | twice | {word}
            hashes += map(hash, keys)
            numbers += [number] * len(keys)
        order = np.argsort(np.array(hashes, dtype=np.int64), kind="stable")
        self.hashes = np.array(hashes, dtype=np.int64)[order]
        self.numbers = np.array(numbers, dtype=np.uint32)[order]

    def suggest(self, word: str, maxdist: int) -> str | None:
        """The most common index word at the smallest edit distance up to ``maxdist``; None if there is none."""
        keys = {word} | _deletions(word)
        if maxdist > 1:
            keys |= {deeper for key in list(keys) for deeper in _deletions(key)}
        wanted = np.array([hash(key) for key in keys], dtype=np.int64)
        starts = np.searchsorted(self.hashes, wanted, side="left")
        ends = np.searchsorted(self.hashes, wanted, side="right")
        numbers = {int(n) for start, end in zip(starts, ends, strict=True) for n in self.numbers[start:end]}
        candidates = {self.words[n] for n in numbers} - {word}
        scored = [(edit_distance(word, other), -self.frequencies[other], other) for other in candidates]
        best = min((entry for entry in scored if entry[0] <= maxdist), default=None)
        return best[2] if best else None


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FOLDER)
