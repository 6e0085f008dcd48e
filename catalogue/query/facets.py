"""The filters people can combine, each one object that owns its whole life.

Modelled on Datasette's facets: a facet parses its state from the address and
writes it back, builds its bitsets once per index version, and prepares a
``FacetResult`` (options with value, label, count and whether it is selected;
the page's form ticks and unticks them) that templates and the JSON twin only render. It also
says itself in words: for the "Du har valt" links, the zero-results advice and
"Passar dina val".

Adding a filter is one line in ``FACETS`` (a vocabulary from ``vocabulary.py``
and a field from ``fields.py``), its translations and a test.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, Self, cast

import numpy as np
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from catalogue.facts import fields
from catalogue.facts import vocabulary as v

MAX_VALUES_PER_FILTER = 20
_WHOLE_NUMBER = re.compile(r"[0-9]{1,6}")  # ASCII digits only: str.isdigit() accepts "²", which int() refuses


class BadParameter(ValueError):
    """A parameter in the address that cannot be understood; names it for the error page and the API."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter, self.message = parameter, message


def whole_number(raw: str, name: str, low: int, high: int, message: str) -> int:
    """An integer typed in the address, or BadParameter naming it."""
    raw = raw.strip()
    if not _WHOLE_NUMBER.fullmatch(raw) or not low <= int(raw) <= high:
        raise BadParameter(name, message)
    return int(raw)


def mask_of(docnums: Iterable[int], size: int) -> int:
    """A set of documents as a bitset: bit n is document n."""
    found = np.zeros(size + 1, dtype=bool)
    found[np.fromiter(docnums, dtype=np.int64)] = True
    return bitset(found)


def bitset(found: np.ndarray) -> int:
    """Documents marked in a boolean array as a bitset (bit n is document n), without a Python loop."""
    return int.from_bytes(np.packbits(found, bitorder="little").tobytes(), "little")


class Filtered(Protocol):
    """What a facet reads of a search (``query.SearchRequest``, which uses the facets to parse itself):
    its filters, and the same search without one of them."""

    @property
    def filters(self) -> dict[str, Any]: ...

    def without(self, param: str, value: str | None = None) -> Self: ...


@dataclass(frozen=True)
class Option:
    param: str
    value: str
    label: str
    count: int  # confirmed: offerings that have said they have this value (and fit every other filter)
    selected: bool
    everywhere: int = 0  # of ``count``, the offerings for the whole city (district options only)
    maybe: int = 0  # have this value but have not stated another chosen filter's fact: "kan passa"

    @property
    def local(self) -> int:
        return self.count - self.everywhere


@dataclass(frozen=True)
class Chosen:
    """One active choice said in words, with the search without it."""

    text: str  # the link that removes it: "Ta bort filtret Stadsdel: Farsta"
    removed: Filtered  # the search without it: the link that removes it
    said: str  # what a printout says instead: "Stadsdel: Farsta"


@dataclass(frozen=True)
class FacetResult:
    """What a page needs to draw one filter."""

    facet: Facet
    state: Any
    options: tuple[Option, ...] = ()
    unknown: int = 0  # offerings that fit every other filter but have not stated this fact
    everywhere: int = 0  # of each option's count, the offerings for the whole city (districts)
    nobody_stated: bool = False  # no listed offering has told us any value: the filter cannot confirm anything

    @property
    def counts(self) -> dict[str, int]:
        return {option.value: option.count for option in self.options}


@dataclass(frozen=True)
class Prepared:
    """A facet's bitsets for one index version."""

    known: int  # the listed offerings that have stated this fact, yes or no
    values: dict[str, int] = field(default_factory=dict)  # value -> offerings that have it
    limits: tuple[tuple[int, dict[str, int]], ...] = ()  # (docnum, {min, max}) for a range


class Facet(ABC):
    """The interface every filter keeps; see ``ChoiceFacet`` and ``RangeFacet``.

    Every fact has three states: stated yes (or a value), stated no, and not stated. A filter's
    mask holds only the confirmed matches; the offerings that have not stated the fact are kept
    apart (``Prepared.known``), never counted as matches and never dropped.
    """

    param: str
    field: fields.ProviderField
    legend: Any
    hint: Any = None
    partial: str
    counted = False  # whether its options have counts (and so appear in the JSON twin's "facets")
    repeatable = False  # whether its parameter may be given more than once
    # Whether a stated value rules out the others: one district, a yes or a no, how to start, an age range.
    # Only then can a stated fact contradict a word (search.engine.Snapshot.stated_otherwise); a list of activities
    # says what is done there, not everything that is.
    exclusive = False
    not_stated: Any = ""  # what an offering has not told us, said after "har inte berättat"

    @abstractmethod
    def parse(self, args: MultiDict[str, str]) -> Any:
        """The state in the address, None when the filter is not set; BadParameter when it cannot be read."""

    @abstractmethod
    def to_params(self, state: Any) -> list[tuple[str, str]]:
        """The state written back as query parameters: parse(to_params(x)) == x."""

    @abstractmethod
    def prepare(self, records: list[tuple[int, dict[str, Any]]], size: int) -> Prepared:
        """Built once per index version from the listed providers (docnum, record)."""

    @abstractmethod
    def mask(self, prepared: Prepared, state: Any) -> int:
        """The offerings that have said they fit the state."""

    def anyone_stated(self, prepared: Prepared, listed: int) -> bool:
        """Whether any listed offering has told us this fact, yes or no."""
        return bool(prepared.known & listed)

    def result(
        self, request: Filtered, prepared: Prepared, context: int, listed: int, possible: int = 0
    ) -> FacetResult:
        """Options counted within ``context``: the documents every other active filter lets through.

        ``possible`` adds those that have not stated some other filter's fact: they may fit."""
        unknown = (context & listed & ~prepared.known).bit_count()
        nobody = not self.anyone_stated(prepared, listed)
        return FacetResult(self, request.filters.get(self.param), unknown=unknown, nobody_stated=nobody)

    def removing(self, state: Any, value: str | None) -> Any:
        """The state without one value (or without any, for None); None when nothing is left."""
        return None

    @abstractmethod
    def chosen(self, request: Filtered) -> list[Chosen]:
        """Each chosen value said in words, with the search without it: "Du har valt"."""

    @abstractmethod
    def relax_text(self) -> str:
        """The zero-results advice to drop this filter."""

    def reasons(self, record: dict[str, Any], state: Any) -> list[str]:
        """Why a result fits the chosen values, for "Passar dina val"."""
        return []


class ChoiceFacet(Facet):
    """Pick any values of a vocabulary (OR within the filter); the state is a tuple of slugs in vocabulary order.

    A provider that states the field has said yes to its values and no to the others.
    """

    partial = "facets/_checkboxes.html"
    counted = repeatable = True

    def __init__(
        self,
        param: str,
        field: str,
        legend: Any,
        not_stated: Any,
        vocabulary: v.Vocabulary | None = None,
        hint: Any = None,
    ) -> None:
        self.param, self.field, self.legend, self.hint = param, fields.FIELDS_BY_KEY[field], legend, hint
        self.not_stated = not_stated
        vocabulary = vocabulary or self.field.vocabulary
        assert vocabulary is not None, f"{param}: a choice needs a vocabulary"
        self.vocabulary = vocabulary

    def values_of(self, record: dict[str, Any]) -> list[str]:
        value = self.field.value(record)
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]

    def stated(self, record: dict[str, Any]) -> bool:
        return self.field.value(record) not in (None, [])

    def parse(self, args: MultiDict[str, str]) -> tuple[str, ...] | None:
        raw_values = args.getlist(self.param)
        if len(raw_values) > MAX_VALUES_PER_FILTER:
            raise BadParameter(self.param, _("För många val i filtret."))
        values = []
        for raw in raw_values:
            value = self.vocabulary.canonical(raw)
            if value is None:
                raise BadParameter(self.param, _("Filtret %(legend)s har inget val som heter så.", legend=self.legend))
            values.append(value)
        return self._ordered(values) or None

    def _ordered(self, values: Iterable[str]) -> tuple[str, ...]:
        return tuple(value for value in self.vocabulary if value in set(values))

    def to_params(self, state: tuple[str, ...]) -> list[tuple[str, str]]:
        return [(self.param, value) for value in state]

    def prepare(self, records: list[tuple[int, dict[str, Any]]], size: int) -> Prepared:
        """One pass over the records: who stated the fact at all, and who has each value."""
        stated: list[int] = []
        having: dict[str, list[int]] = {value: [] for value in self.vocabulary}
        for n, record in records:
            if self.stated(record):
                stated.append(n)
            for value in self.values_of(record):
                if value in having:
                    having[value].append(n)
        return Prepared(mask_of(stated, size), {value: mask_of(docnums, size) for value, docnums in having.items()})

    def mask(self, prepared: Prepared, state: tuple[str, ...]) -> int:
        union = 0
        for value in state:
            union |= prepared.values[value]
        return union

    def result(
        self, request: Filtered, prepared: Prepared, context: int, listed: int, possible: int = 0
    ) -> FacetResult:
        selected, labels = request.filters.get(self.param, ()), self.vocabulary.labels()
        only_possible = possible & ~context
        options = tuple(
            Option(self.param, value, labels[value], (context & self.mask(prepared, (value,))).bit_count(),
                   value in selected, maybe=(only_possible & self.mask(prepared, (value,))).bit_count())
            for value in prepared.values
        )  # fmt: skip
        unknown = (context & listed & ~prepared.known).bit_count()
        return FacetResult(self, selected, options, unknown, nobody_stated=not self.anyone_stated(prepared, listed))

    def removing(self, state: tuple[str, ...], value: str | None) -> tuple[str, ...] | None:
        kept = tuple(x for x in state if value is not None and x != value)
        return kept or None

    def chosen(self, request: Filtered) -> list[Chosen]:
        return [
            Chosen(_l("Ta bort filtret %(legend)s: %(value)s", legend=self.legend,
                      value=self.vocabulary.label(value)), request.without(self.param, value),
                   f"{self.legend}: {self.vocabulary.label(value)}")
            for value in request.filters.get(self.param, ())
        ]  # fmt: skip

    def relax_text(self) -> str:
        return cast(str, _("Ta bort filtret %(legend)s", legend=self.legend))

    def reasons(self, record: dict[str, Any], state: tuple[str, ...]) -> list[str]:
        return [self.vocabulary.label(value) for value in self.values_of(record) if value in state]


class DistrictFacet(ChoiceFacet):
    """Districts, where an offering for the whole city is available to someone in every district.

    Choosing Farsta finds what is in Farsta and what serves the whole city, labelled "I hela staden".
    """

    EVERYWHERE = v.CITYWIDE
    exclusive = True

    def mask(self, prepared: Prepared, state: tuple[str, ...]) -> int:
        return super().mask(prepared, state) | prepared.values[self.EVERYWHERE]

    def result(
        self, request: Filtered, prepared: Prepared, context: int, listed: int, possible: int = 0
    ) -> FacetResult:
        plain = super().result(request, prepared, context, listed, possible)
        everywhere = (context & prepared.values[self.EVERYWHERE]).bit_count()
        options = tuple(replace(option, everywhere=everywhere) for option in plain.options)
        return replace(plain, options=options, everywhere=everywhere)

    def reasons(self, record: dict[str, Any], state: tuple[str, ...]) -> list[str]:
        if record.get("district") == self.EVERYWHERE and self.EVERYWHERE not in state:
            return [_("I hela staden")]
        return super().reasons(record, state)


class HoursFacet(ChoiceFacet):
    """The weekly hours of a decision. An offering you can only walk into, without a decision, has
    no hours interval at all: that is known (it does not apply), not unknown."""

    def stated(self, record: dict[str, Any]) -> bool:
        return super().stated(record) or record.get("access") == ["oppen"]

    def anyone_stated(self, prepared: Prepared, listed: int) -> bool:
        """Hours that do not apply (walk in only) are known, but no offering has told us an interval."""
        return bool(self.mask(prepared, tuple(prepared.values)) & listed)


class AccessFacet(ChoiceFacet):
    """How to start. An offering with parts has its access from them (``content``): "Passar dina val" says
    which part fits, so the open part of a house is never mistaken for the whole house."""

    exclusive = True

    def reasons(self, record: dict[str, Any], state: tuple[str, ...]) -> list[str]:
        parts = record.get("parts")
        if not parts:
            return super().reasons(record, state)
        return [
            f"{self.vocabulary.label(value)} ({', '.join(part['name'] for part in parts if value in part['access'])})"
            for value in self.values_of(record)
            if value in state
        ]


class YesFacet(ChoiceFacet):
    """A yes/no fact offered as one choice ("ja"): only a stated yes matches; a stated no is known, not unknown."""

    exclusive = True

    def values_of(self, record: dict[str, Any]) -> list[str]:
        return list(self.vocabulary) if self.field.value(record) is True else []

    def stated(self, record: dict[str, Any]) -> bool:
        return isinstance(self.field.value(record), bool)


class RangeFacet(Facet):
    """A person's age, which the offering's own limits must include; the state is an int.

    An offering that has stated no age limits has not told us, so it is kept apart, not let through.
    """

    partial = "facets/_age.html"
    exclusive = True
    low, high = 0, 120  # the whole years content may state (see checks.whole_number)

    def __init__(self, param: str, field: str, legend: Any, not_stated: Any) -> None:
        self.param, self.field, self.legend = param, fields.FIELDS_BY_KEY[field], legend
        self.not_stated = not_stated

    def parse(self, args: MultiDict[str, str]) -> int | None:
        values = args.getlist(self.param)
        if len(values) > 1:
            raise BadParameter(self.param, _("Parametern %(name)s får bara finnas en gång.", name=self.param))
        if not values or values[0] == "":
            return None
        message = _("Skriv ålder som ett heltal mellan 0 och 120.")
        return whole_number(values[0], self.param, self.low, self.high, message)

    def to_params(self, state: int) -> list[tuple[str, str]]:
        return [(self.param, str(state))]

    def prepare(self, records: list[tuple[int, dict[str, Any]]], size: int) -> Prepared:
        limits = tuple((n, self.field.value(record)) for n, record in records if self.field.value(record))
        return Prepared(mask_of((n for n, _limits in limits), size), limits=limits)

    def mask(self, prepared: Prepared, state: int) -> int:
        inside = (n for n, limits in prepared.limits if limits.get("min", self.low) <= state <= limits.get("max", 200))
        return mask_of(inside, prepared.known.bit_length())

    def chosen(self, request: Filtered) -> list[Chosen]:
        age = request.filters.get(self.param)
        if age is None:
            return []
        return [
            Chosen(
                _l("Ta bort filtret ålder: %(age)d år", age=age),
                request.without(self.param),
                f"{self.legend}: {_('%(age)s år', age=age)}",
            )
        ]

    def relax_text(self) -> str:
        return cast(str, _("Ta bort ålder"))


FACETS: tuple[Facet, ...] = (
    ChoiceFacet("inriktning", "orientation", _l("Inriktning"), _l("vilken inriktning verksamheten har")),
    ChoiceFacet("aktivitet", "activities", _l("Vad vill du göra"), _l("vad man kan göra där")),
    DistrictFacet("stadsdel", "district", _l("Stadsdel"), _l("var verksamheten finns")),
    HoursFacet("timmar", "hours", _l("Timmar i veckan enligt beslutet"),
                _l("hur många timmar i veckan man kan vara där")),
    YesFacet("ips", "ips", _l("Stöd till jobb"), _l("om verksamheten arbetar med IPS"), vocabulary=v.IPS,
             hint=_l("IPS betyder att du får stöd att hitta ett vanligt jobb med lön, och att behålla det.")),
    AccessFacet("tillgang", "access", _l("Hur du börjar"), _l("om man behöver ett beslut")),
    ChoiceFacet("huvudman", "operator", _l("Vem som driver verksamheten"), _l("vem som driver verksamheten")),
    RangeFacet("alder", "age", _l("Ålder"), _l("vilka åldrar som är välkomna")),
)  # fmt: skip
FACETS_BY_PARAM = {facet.param: facet for facet in FACETS}
