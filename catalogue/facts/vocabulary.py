"""Controlled vocabularies: the one place that says which words content may use.

Content files and URLs use ASCII slugs (``norra-innerstaden``); people see the
translated labels. The districts are the municipality's own, read from its
``content/site.yml`` (see ``Municipality``): the code knows no city. Former
district names are aliases, so that old documents, habits and links keep working
after a reorganisation.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import operator
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, cast

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

CITYWIDE = "hela-staden"  # the district value of an offering for the whole municipality


@dataclass(frozen=True)
class Name:
    """A name as the content gives it: in Swedish, and in the site's other languages where it differs
    ("Göteborg", {"en": "Gothenburg"}). It reads in the page's language, like a translated label."""

    swedish: str
    translations: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.in_language(str(get_locale()))

    def in_language(self, code: str) -> str:
        return self.translations.get(code, self.swedish)

    def every_form(self) -> list[str]:
        """Every language's form, each once: a search in any language may name the place."""
        return list(dict.fromkeys([self.swedish, *self.translations.values()]))


@dataclass(frozen=True)
class Municipality:
    """The municipality a catalogue is for, from its ``content/site.yml``: the city's name where pages say
    "i Stockholm", the council that runs its own offerings, its county, and its districts."""

    name: Name
    council: Name  # "Stockholms stad": the label of the operator "kommunal"
    county: str  # "Stockholms län", for an address in open data; "" when not given
    districts: Vocabulary  # the districts in the order the site file gives, then CITYWIDE
    district_map: DistrictMap | None = None  # when the site file places every district on one
    guidance: Guidance | None = None  # the service anyone may ask, when the municipality has one

    @classmethod
    def from_site(cls, site: Mapping[str, Any] | None) -> Municipality:
        """From the site file as checked (``index.content.parse_site``); None (no or a broken file) gives
        ``UNKNOWN``, which knows no district."""
        if not site:
            return UNKNOWN
        about = site["municipality"]
        districts = site.get("districts", {})
        places = {slug: (facts["map"][0], facts["map"][1]) for slug, facts in districts.items() if "map" in facts}
        guidance = site.get("guidance_service")
        return cls(
            name=_name(about, "name"),
            council=_name(about, "council"),
            county=about.get("county", ""),
            districts=Vocabulary(
                {slug: _name(facts, "name") for slug, facts in districts.items()} | {CITYWIDE: _WHOLE_MUNICIPALITY},
                aliases={other: slug for slug, facts in districts.items() for other in facts.get("other_names", [])},
            ),
            district_map=DistrictMap(places) if places else None,  # the check asks for all or none
            guidance=Guidance(guidance["offering"], guidance["name"]) if guidance else None,
        )

    @functools.cached_property
    def operators(self) -> Vocabulary:
        """Who runs an offering: the municipality's own are run by its council ("Stockholms stad")."""
        return Vocabulary({"kommunal": self.council} | _OTHER_OPERATORS)


@dataclass(frozen=True)
class Guidance:
    """The municipality's guidance to sysselsättning, which anyone may ask without a decision: an offering
    of the catalogue, and the short name to ask for on the phone ("Alfa")."""

    offering: str  # its slug
    name: str


@dataclass(frozen=True)
class DistrictMap:
    """A schematic map, not a geographic one: each district's box on a grid of columns and rows, roughly as
    the districts lie (``map: [column, row]`` in the site file). The list beside it says the same."""

    places: Mapping[str, tuple[int, int]]  # slug -> (column, row)
    CELL = (190, 100)  # a box's width and height with the margin around it, in the picture's units
    MARGIN = 5

    @property
    def size(self) -> tuple[int, int]:
        columns = 1 + max(column for column, _row in self.places.values())
        rows = 1 + max(row for _column, row in self.places.values())
        return columns * self.CELL[0], rows * self.CELL[1]

    @property
    def boxes(self) -> list[MapBox]:
        width, height = self.CELL
        return [
            MapBox(slug, column * width + self.MARGIN, row * height + self.MARGIN)
            for slug, (column, row) in self.places.items()
        ]


@dataclass(frozen=True)
class MapBox:
    """One district's box: its top left corner in the picture; its size and where its two lines go follow."""

    slug: str
    x: int
    y: int
    width: int = DistrictMap.CELL[0] - 2 * DistrictMap.MARGIN
    height: int = DistrictMap.CELL[1] - 2 * DistrictMap.MARGIN

    @property
    def middle(self) -> int:
        return self.x + self.width // 2

    @property
    def name_line(self) -> int:
        return self.y + 38

    @property
    def count_line(self) -> int:
        return self.y + 65


def _name(facts: Mapping[str, Any], key: str) -> Name:
    """``facts[key]`` with its translations (``translations: {en: {name: …}}``)."""
    translated = {lang: names[key] for lang, names in facts.get("translations", {}).items() if key in names}
    return Name(facts[key], translated)


_WHOLE_MUNICIPALITY = _l("Hela staden")
# Before any content is read, or when its site file is missing or broken: a municipality with no districts,
# whose pages say "i kommunen". Content that names a district is then reported, never published half-read.
UNKNOWN = Municipality(Name("kommunen"), Name("Kommunen"), "", Vocabulary({CITYWIDE: _WHOLE_MUNICIPALITY}))
_current: ContextVar[Municipality] = ContextVar("municipality", default=UNKNOWN)


def municipality() -> Municipality:
    """The municipality of the catalogue being read, checked or served (see ``use_municipality``)."""
    return _current.get()


def use_municipality(chosen: Municipality) -> None:
    """From here on in this thread, districts and names are ``chosen``'s: each request says so first, for
    the index version it reads (``page_kit``)."""
    _current.set(chosen)


@contextlib.contextmanager
def using_municipality(chosen: Municipality) -> Iterator[None]:
    """``chosen``'s for the work inside only (checking a folder, building or opening an index): a request
    that publishes goes on speaking of the version it read."""
    token = _current.set(chosen)
    try:
        yield
    finally:
        _current.reset(token)


class _CurrentVocabulary:
    """Stands where a vocabulary is expected (a field, a filter, a check) for one of the current
    municipality's (its districts, its operators), so that each of those is still defined once, at import,
    for any municipality. It answers what a vocabulary is asked, method by method (``__getattr__`` cost a
    label twice the time); not ``len``, ``==`` or ``isinstance`` (nothing asks for them)."""

    def __init__(self, of: Callable[[Municipality], Vocabulary]) -> None:
        self._of = of

    def _current(self) -> Vocabulary:
        return self._of(municipality())

    @property
    def terms(self) -> dict[str, object]:
        return self._current().terms

    @property
    def aliases(self) -> dict[str, str]:
        return self._current().aliases

    def canonical(self, raw: object) -> str | None:
        return self._current().canonical(raw)

    def other_names(self, slug: str) -> list[str]:
        return self._current().other_names(slug)

    def labels(self) -> dict[str, str]:
        return self._current().labels()

    def label(self, slug: str) -> str:
        return self._current().label(slug)

    def suggest(self, raw: object) -> str | None:
        return self._current().suggest(raw)

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __contains__(self, slug: object) -> bool:
        return slug in self._current()


DISTRICTS = cast(Vocabulary, _CurrentVocabulary(operator.attrgetter("districts")))
OPERATORS = cast(Vocabulary, _CurrentVocabulary(operator.attrgetter("operators")))
_OTHER_OPERATORS = {
    "privat": _l("Privat företag"),
    "ideburen": _l("Idéburen organisation"),
    "annan": _l("Annan huvudman (region, myndighet, samverkan)"),
}


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


def weekday_span(days: list[str] | tuple[str, ...]) -> list[str]:
    """An opening period's days, every one: ["mon", "wed"] is Monday to Wednesday; a span may run over
    the weekend (["sat", "mon"])."""
    order = list(WEEKDAYS)
    first, last = order.index(days[0]), order.index(days[-1])
    return [order[(first + step) % len(order)] for step in range((last - first) % len(order) + 1)]
