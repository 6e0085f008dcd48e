"""Swedish text analysis for the index.

Whoosh's Swedish snowball stemmer joins inflections (verksamhet, verksamheter)
but leaves nouns made from verbs (träning) apart from the verb (träna), and
keeps definite neuter forms (huset) apart from the base form. ``index_word``
closes those two gaps. The folded analyzer also maps å/ä/ö to a/a/o so that a
query typed on a keyboard without them still finds its words; it is kept in
separate fields so that mal/mål and var/vår stay apart for those who type them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import CharsetFilter, Filter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.support.charset import accent_map

from catalogue.facts.vocabulary import ACCENT_FOLD
from catalogue.language import dictionary

_VOWELS = set("aeiouyåäö")
_SNOWBALL = stemmer_for_language("sv")


def swedish_stem(word: str) -> str:
    """Snowball's Swedish stemmer, except that a final -s stays when the word is more common with it.

    Snowball drops a genitive -s, which also cuts "kurs" to "kur" while "kurser" becomes "kurs", so
    singular and plural never meet; "dans" and "kors" alike. The word list tells a genitive ("Annas")
    from a word that ends in s."""
    stem: str = _SNOWBALL(word)
    if word.endswith("s") and stem == word[:-1] and dictionary.frequency(word) > dictionary.frequency(stem):
        return word
    return stem


def _extra_stem(word: str) -> str:
    if word.endswith("ning") and len(word) >= 7:
        # utbildning -> utbild (utbilda); träning -> trän (träna)
        return word[:-4] if word[-5] not in _VOWELS else word[:-3]
    if word.endswith("ing") and len(word) >= 7:
        return word[:-3]  # rehabilitering -> rehabiliter (rehabilitera)
    if word.endswith("et") and len(word) >= 5:
        return word[:-2]  # huset -> hus, kaféet -> kafé
    if word.endswith("el") and len(word) >= 5 and word[-3] not in _VOWELS | {"l"}:
        return word[:-2] + "l"  # studiecirkel -> studiecirkl, as the stemmer leaves studiecirklar
    if word.endswith("an") and len(word) >= 6 and word[-3] not in _VOWELS:
        return word[:-2]  # skolan -> skol (skola), which the stemmer leaves whole
    return word


# The stemmer's false friends: forms it would join with a word of another meaning. "måla" (paint)
# must not meet "mål"/"målet" (goal); each form becomes a key that no stemming touches. Kept as a
# tested list (tests/test_text_search.py); "arbete"/"arbeta" are meant to meet and are not here.
FALSE_FRIENDS = {
    form: key
    for key, forms in {
        "måla": ("måla", "målar", "målade", "målat", "målas"),
        "målning": ("målning", "målningar", "målningen", "målningarna"),
        "målare": ("målare", "målaren", "målarna"),
    }.items()
    for form in forms
}
_PROTECTED = frozenset(FALSE_FRIENDS.values())
_FOLDED_FRIENDS = {form.translate(ACCENT_FOLD): key.translate(ACCENT_FOLD) for form, key in FALSE_FRIENDS.items()}


_FOLDED_PROTECTED = frozenset(_FOLDED_FRIENDS.values())


class _FalseFriends(Filter):  # type: ignore[misc]  # whoosh is untyped: its Filter is Any
    """Replaces each listed form with its key, and writes "café" the Swedish way ("kafé")."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table

    @staticmethod
    def rename(word: str, table: dict[str, str]) -> str:
        word = "ka" + word[2:] if word.startswith("caf") else word
        return table.get(word, word)

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = self.rename(token.text, self.table)
            yield token


_STOPWORDS = frozenset(stopwords_for_language("sv"))
STOPWORDS = _STOPWORDS
_WORDS = r"\w+"


@lru_cache(maxsize=200_000)
def index_word(word: str, folded: bool) -> str:
    """A lower-case word as the index keeps it: false friends, the stemmer, then the suffixes.

    Remembered: a catalogue repeats the same few thousand words, and stemming each occurrence anew
    was a third of an index build."""
    friends, protected = (_FOLDED_FRIENDS, _FOLDED_PROTECTED) if folded else (FALSE_FRIENDS, _PROTECTED)
    word = _FalseFriends.rename(word, friends)
    if word in protected:
        return word
    stem = swedish_stem(word)
    return stem if stem in protected else _extra_stem(stem)


class _IndexWords(Filter):  # type: ignore[misc]  # whoosh is untyped: its Filter is Any
    """``index_word`` for every token; a stop word kept for highlighting only meets its false friend."""

    def __init__(self, folded: bool = False) -> None:
        self.folded = folded

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        friends = _FOLDED_FRIENDS if self.folded else FALSE_FRIENDS
        for token in tokens:
            if token.stopped:
                token.text = _FalseFriends.rename(token.text, friends)
            else:
                token.text = index_word(token.text, self.folded)
            yield token


def swedish_analyzer() -> Any:
    return RegexTokenizer(_WORDS) | LowercaseFilter() | StopFilter(stoplist=_STOPWORDS, minsize=1) | _IndexWords()


def folded_analyzer() -> Any:
    """Folds before stemming, so "kafe" and "kafé" reach the stemmer as the same word."""
    return (
        RegexTokenizer(_WORDS)
        | LowercaseFilter()
        | StopFilter(stoplist=_STOPWORDS, minsize=1)
        | CharsetFilter(accent_map)
        | _IndexWords(folded=True)
    )


def concept_key(text: str) -> tuple[str, ...]:
    """A word or phrase as the thesaurus compares it: folded and stemmed, stop words kept.

    "Målar", "måla" and "mala" give the same key; "utan beslut" keeps its "utan"."""
    return tuple(token.text for token in _CONCEPT_ANALYZER(text))


# Words people put around what they look for ("kafé nära Hökarängen", "jag vill hitta jobb"). Searching for
# them would only make an AND query fail. (The city's own name is left out too: see ``Snapshot.query_words``.)
# Who a relative asks for ("min son är 19 år") says nothing about the offering either.
QUERY_FILLER = frozenset(
    (
        "nära närheten runt kring omkring området trakten söker letar hitta vill finns behöver "
        "ställe ställen stället nåt något någonting grej göra gör dagarna dagar "
        "son sonen dotter dottern bror brorsan syster mamma pappa barnet "
        "tillbaka igen börja borja sitter hemma hela "
        # The rest of a sentence around what is asked: "jag bor i Alvik och gillar att måla".
        "bor boende gillar tycker skulle kunna typ liksom gärna ganska lite mycket jätte väldigt kanske hej tack "
        "gammal gammel åring dagen haft fått blivit saknar välja "
        # The same in the site's other languages (their everyday words are in the thesaurus).
        "want would like live living looking something somewhere place near my am im please old "
        "in to the and a an for with of is are be at on me what where how can do "
        "haluan haluaisin asun etsin jotain paikka lähellä olen "
        "أريد اريد أسكن اسكن أبحث ابحث مكان قريب أنا انا في من إلى الى على عن مع "
        "waxaan doonayaa rabaa deggan degan raadinayaa meel aan "
        "mom mum dad son daughter brother sister friend äiti isä poika tytär veli sisko siskoni veljeni poikani "
        "ابني ابنتي أخي اخي أختي اختي أمي امي أبي ابي wiilkayga gabadhayda walaalkay walaashay hooyaday aabahay"
    ).split()
)
# Stop words as typed on a keyboard without å/ä/ö: "vad ar ips" is "vad är ips".
_FOLDED_STOPWORDS = frozenset(word.translate(ACCENT_FOLD) for word in _STOPWORDS)


def spelling_analyzer() -> Any:
    """Whole, unstemmed words: the words of a query, and what "Menade du …?" may suggest."""
    stoplist = _STOPWORDS | _FOLDED_STOPWORDS | QUERY_FILLER
    return RegexTokenizer(_WORDS) | LowercaseFilter() | StopFilter(stoplist=stoplist, minsize=1)


_CONCEPT_ANALYZER = (
    RegexTokenizer(_WORDS)
    | LowercaseFilter()
    | _FalseFriends(FALSE_FRIENDS)
    | CharsetFilter(accent_map)
    | _IndexWords(folded=True)
)
