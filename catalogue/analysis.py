"""Swedish text analysis for the index.

Whoosh's Swedish snowball stemmer joins inflections (verksamhet, verksamheter)
but leaves nouns made from verbs (träning) apart from the verb (träna), and
keeps definite neuter forms (huset) apart from the base form. ``_SwedishSuffixes``
closes those two gaps. The folded analyzer also maps å/ä/ö to a/a/o so that a
query typed on a keyboard without them still finds its words; it is kept in
separate fields so that mal/mål and var/vår stay apart for those who type them.
"""

from __future__ import annotations

from whoosh.analysis import CharsetFilter, Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

from .vocabulary import ACCENT_FOLD

_VOWELS = set("aeiouyåäö")


def _extra_stem(word: str) -> str:
    if word.endswith("ning") and len(word) >= 7:
        # utbildning -> utbild (utbilda); träning -> trän (träna)
        return word[:-4] if word[-5] not in _VOWELS else word[:-3]
    if word.endswith("ing") and len(word) >= 7:
        return word[:-3]  # rehabilitering -> rehabiliter (rehabilitera)
    if word.endswith("et") and len(word) >= 5:
        return word[:-2]  # huset -> hus, kaféet -> kafé
    return word


class _SwedishSuffixes(Filter):
    def __call__(self, tokens):
        for token in tokens:
            if not token.stopped:
                token.text = _extra_stem(token.text)
            yield token


_STOPWORDS = frozenset(stopwords_for_language("sv"))
_WORDS = r"\w+"


def swedish_analyzer():
    return (
        RegexTokenizer(_WORDS)
        | LowercaseFilter()
        | StopFilter(stoplist=_STOPWORDS, minsize=1)
        | StemFilter(lang="sv", cachesize=50000)
        | _SwedishSuffixes()
    )


def folded_analyzer():
    """Folds before stemming, so "kafe" and "kafé" reach the stemmer as the same word."""
    return (
        RegexTokenizer(_WORDS)
        | LowercaseFilter()
        | StopFilter(stoplist=_STOPWORDS, minsize=1)
        | CharsetFilter(accent_map)
        | StemFilter(lang="sv", cachesize=50000)
        | _SwedishSuffixes()
    )


# Words people put around what they look for ("kafé nära Hökarängen", "jag vill hitta jobb"); every
# offering is in Stockholm. Searching for them would only make an AND query fail.
QUERY_FILLER = frozenset(
    "nära närheten runt kring omkring området trakten stockholm stockholms söker letar hitta vill finns behöver".split()
)
# Stop words as typed on a keyboard without å/ä/ö: "vad ar ips" is "vad är ips".
_FOLDED_STOPWORDS = frozenset(word.translate(ACCENT_FOLD) for word in _STOPWORDS)


def spelling_analyzer():
    """Whole, unstemmed words: the words of a query, and what "Menade du …?" may suggest."""
    stoplist = _STOPWORDS | _FOLDED_STOPWORDS | QUERY_FILLER
    return RegexTokenizer(_WORDS) | LowercaseFilter() | StopFilter(stoplist=stoplist, minsize=1)
