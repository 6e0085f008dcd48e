"""Controlled vocabularies: the one place that says which words content may use.

Content files and URLs use ASCII slugs (``norra-innerstaden``); people see the
translated labels. Former district names are accepted as aliases so that old
documents, habits and links keep working after the 2023 reorganisation.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

# How people type Swedish on a keyboard without å/ä/ö: one table for slugs, stop words and search.
ACCENT_FOLD = str.maketrans("åäöéü", "aaoeu")
_FOLD = ACCENT_FOLD | str.maketrans("–—", "--")


def slugify(raw: str) -> str:
    """Loose form of a value so that "Hässelby-Vällingby" and "hasselby vallingby" match."""
    text = unicodedata.normalize("NFC", str(raw)).strip().casefold().translate(_FOLD)
    return "-".join(text.replace("_", " ").replace("-", " ").split())


@dataclass(frozen=True)
class Vocabulary:
    terms: dict[str, object]
    aliases: dict[str, str] = field(default_factory=dict)  # other name as people write it -> slug
    _alias_slugs: dict[str, str] = field(init=False, repr=False, compare=False)
    _labels: dict[str, dict[str, str]] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_alias_slugs", {slugify(name): slug for name, slug in self.aliases.items()})

    def canonical(self, raw: object) -> str | None:
        slug = slugify(str(raw))
        if slug in self.terms:
            return slug
        return self._alias_slugs.get(slug)

    def source(self, slug: str) -> str:
        """The label as written here, in Swedish: the message a translation translates, whatever the page."""
        text = self.terms[slug]
        return text._args[0] if hasattr(text, "_args") else str(text)  # a lazy_gettext keeps its message

    def other_names(self, slug: str) -> list[str]:
        return [name for name, target in self.aliases.items() if target == slug]

    def labels(self) -> dict[str, str]:
        """Every slug's label in the page's language, translated once per language for the process:
        a search page shows about a hundred, and each translation look-up costs microseconds."""
        language = str(get_locale())  # Flask-Babel's, so that force_locale is obeyed (editing's weekday names)
        if language not in self._labels:
            self._labels[language] = {slug: str(text) for slug, text in self.terms.items()}
        return self._labels[language]

    def label(self, slug: str) -> str:
        return self.labels()[slug]

    def suggest(self, raw: object) -> str | None:
        candidates = list(self.terms) + list(self._alias_slugs)
        close = difflib.get_close_matches(slugify(str(raw)), candidates, n=1, cutoff=0.6)
        return self._alias_slugs.get(close[0], close[0]) if close else None

    def ordered(self, values: Iterable[str] | None) -> tuple[str, ...]:
        """The given slugs in the vocabulary's own order, each once: ("beslut", "oppen") however written."""
        chosen = set(values or ())
        return tuple(slug for slug in self.terms if slug in chosen)

    def __iter__(self) -> Iterator[str]:
        return iter(self.terms)

    def __contains__(self, slug: object) -> bool:
        return slug in self.terms


ORIENTATIONS = Vocabulary(
    {
        "social": _l("Social – gemenskap och meningsfulla dagar"),
        "arbetsinriktad": _l("Arbetsinriktad – steg mot ett jobb"),
        "studier": _l("Mot studier"),
    }
)

ACTIVITIES = Vocabulary(
    {
        "kreativt": _l("Kreativt skapande"),
        "musik": _l("Musik"),
        "it": _l("IT och data"),
        "kafe-och-kok": _l("Kafé och kök"),
        "hantverk": _l("Hantverk"),
        "tradgard": _l("Trädgård"),
        "butik": _l("Butik"),
        "kontor": _l("Kontor"),
        "media": _l("Media"),
        "motion": _l("Motion och hälsa"),
        "kurser": _l("Kurser och studiecirklar"),
        "samtal-och-stod": _l("Samtal och stöd"),
        "arbetstraning": _l("Arbetsträning"),
        "praktik": _l("Praktik"),
        "jobbstod": _l("Stöd att hitta och behålla ett jobb"),
        "vagledning": _l("Vägledning"),
    }
)

# The 11 district administrations since 1 July 2023 (in Swedish alphabetical order), plus a value for services
# that serve the whole city from no single place.
DISTRICTS = Vocabulary(
    {
        "bromma": _l("Bromma"),
        "enskede-arsta-vantor": _l("Enskede-Årsta-Vantör"),
        "farsta": _l("Farsta"),
        "hagersten-alvsjo": _l("Hägersten-Älvsjö"),
        "hasselby-vallingby": _l("Hässelby-Vällingby"),
        "jarva": _l("Järva"),
        "kungsholmen": _l("Kungsholmen"),
        "norra-innerstaden": _l("Norra innerstaden"),
        "skarpnack": _l("Skarpnäck"),
        "skarholmen": _l("Skärholmen"),
        "sodermalm": _l("Södermalm"),
        "hela-staden": _l("Hela staden"),
    },
    aliases={
        "Rinkeby-Kista": "jarva",
        "Spånga-Tensta": "jarva",
        "Norrmalm": "norra-innerstaden",
        "Östermalm": "norra-innerstaden",
    },
)

HOURS = Vocabulary(
    {
        "1-12": _l("1–12 timmar i veckan"),
        "10-24": _l("10–24 timmar i veckan"),
        "22-40": _l("22–40 timmar i veckan"),
    }
)

IPS = Vocabulary({"ja": _l("Arbetar med IPS (stöd att få och behålla ett jobb)")})

ACCESS = Vocabulary(
    {
        "beslut": _l("Med beslut från stadsdelen"),
        "oppen": _l("Öppen – gå dit utan beslut"),
    }
)

OPERATORS = Vocabulary(
    {
        "kommunal": _l("Stockholms stad"),
        "privat": _l("Privat företag"),
        "ideburen": _l("Idéburen organisation"),
        "annan": _l("Annan huvudman (region, myndighet, samverkan)"),
    }
)

STATUSES = Vocabulary(
    {
        "active": _l("Öppen"),
        "paused": _l("Tillfälligt stängd"),
        "closed": _l("Nedlagd"),
    }
)

PHYSICAL_ACCESSIBILITY = Vocabulary(
    {
        "stegfritt": _l("Stegfri entré"),
        "horslinga": _l("Hörslinga"),
        "lugnt-rum": _l("Lugnt rum att dra sig tillbaka till"),
        "anpassad-toalett": _l("Tillgänglighetsanpassad toalett"),
    }
)

# How an offering confirmed its facts (``confirmed.via`` in a provider file), said after its date:
# "Verksamheten bekräftade uppgifterna 3 december 2026 genom sin inbjudan."
CONFIRMATION_WAYS = Vocabulary(
    {
        "invitation": _l("genom sin inbjudan"),
        "phone": _l("i ett samtal med redaktionen"),
        "email": _l("i ett mejl till redaktionen"),
        "visit": _l("när redaktionen besökte den"),
    }
)

WEEKDAYS = Vocabulary(
    {
        "mon": _l("måndag"),
        "tue": _l("tisdag"),
        "wed": _l("onsdag"),
        "thu": _l("torsdag"),
        "fri": _l("fredag"),
        "sat": _l("lördag"),
        "sun": _l("söndag"),
    }
)
CITYWIDE = "hela-staden"  # the district value of an offering for the whole city


def weekday_span(days: list[str] | tuple[str, ...]) -> list[str]:
    """An opening period's days, every one: ["mon", "wed"] is Monday to Wednesday; a span may run over
    the weekend (["sat", "mon"])."""
    order = list(WEEKDAYS)
    first, last = order.index(days[0]), order.index(days[-1])
    return [order[(first + step) % len(order)] for step in range((last - first) % len(order) + 1)]
