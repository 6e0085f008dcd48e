"""The filters people can combine, each one object that owns its whole life.

Modelled on Datasette's facets: a facet parses its state from the address and
writes it back, builds its bitsets once per index version, and prepares a
``FacetResult`` (options with value, label, count, selected and the search with
that option toggled) that templates and the JSON twin only render. It also
says itself in words: for the "Du har valt" links, the zero-results advice and
"Passar dina val".

Adding a filter is one line in ``FACETS`` (a vocabulary from ``vocabulary.py``
and a field from ``fields.py``), its translations and a test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from . import fields
from . import vocabulary as v

if TYPE_CHECKING:
    from .query import SearchRequest

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


def mask_of(docnums, size: int) -> int:
    """A set of documents as a bitset: bit n is document n."""
    bits = bytearray((size + 8) // 8)
    for docnum in docnums:
        bits[docnum >> 3] |= 1 << (docnum & 7)
    return int.from_bytes(bits, "little")


@dataclass(frozen=True)
class Option:
    param: str
    value: str
    label: str
    count: int
    selected: bool
    request: SearchRequest = field(repr=False, compare=False)

    @property
    def toggled(self) -> SearchRequest:
        """The same search with this option ticked or unticked; made only when a page asks for it."""
        return self.request.toggling(self.param, self.value)


@dataclass(frozen=True)
class Chosen:
    """One active choice said in words, with the search without it."""

    text: str
    removed: SearchRequest


@dataclass(frozen=True)
class FacetResult:
    """What a page needs to draw one filter."""

    facet: Facet
    state: Any
    options: tuple[Option, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        return {option.value: option.count for option in self.options}


class Facet:
    """The interface every filter keeps; see ``ChoiceFacet`` and ``RangeFacet``."""

    param: str
    legend: Any
    hint: Any = None
    partial: str
    counted = False  # whether its options have counts (and so appear in the JSON twin's "facets")
    repeatable = False  # whether its parameter may be given more than once

    def parse(self, args: MultiDict) -> Any:
        """The state in the address, None when the filter is not set; BadParameter when it cannot be read."""
        raise NotImplementedError

    def to_params(self, state: Any) -> list[tuple[str, str]]:
        raise NotImplementedError

    def prepare(self, records: list[tuple[int, dict]], size: int) -> Any:
        """Built once per index version from the listed providers (docnum, record)."""
        raise NotImplementedError

    def mask(self, prepared: Any, state: Any) -> int:
        """The documents the state lets through."""
        raise NotImplementedError

    def result(self, request: SearchRequest, prepared: Any, context: int) -> FacetResult:
        """Options counted within ``context``: the documents every other active filter lets through."""
        return FacetResult(self, request.filters.get(self.param))

    def removing(self, state: Any, value: str | None) -> Any:
        """The state without one value (or without any, for None); None when nothing is left."""
        return None

    def chosen(self, request: SearchRequest) -> list[Chosen]:
        raise NotImplementedError

    def relax_text(self) -> str:
        """The zero-results advice to drop this filter."""
        raise NotImplementedError

    def reasons(self, record: dict, state: Any) -> list[str]:
        """Why a result fits the chosen values, for "Passar dina val"."""
        return []


class ChoiceFacet(Facet):
    """Pick any values of a vocabulary (OR within the filter); the state is a tuple of slugs in vocabulary order."""

    partial = "facets/_checkboxes.html"
    counted = repeatable = True

    def __init__(self, param: str, field: str, legend, vocabulary: v.Vocabulary | None = None, hint=None):
        self.param, self.field, self.legend, self.hint = param, fields.FIELDS_BY_KEY[field], legend, hint
        vocabulary = vocabulary or self.field.vocabulary
        assert vocabulary is not None, f"{param}: a choice needs a vocabulary"
        self.vocabulary = vocabulary

    def values_of(self, record: dict) -> list[str]:
        value = self.field.value(record)
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]

    def parse(self, args: MultiDict) -> tuple[str, ...] | None:
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

    def _ordered(self, values) -> tuple[str, ...]:
        return tuple(value for value in self.vocabulary if value in set(values))

    def to_params(self, state: tuple[str, ...]) -> list[tuple[str, str]]:
        return [(self.param, value) for value in state]

    def prepare(self, records: list[tuple[int, dict]], size: int) -> dict[str, int]:
        return {value: mask_of((n for n, record in records if value in self.values_of(record)), size)
                for value in self.vocabulary}  # fmt: skip

    def mask(self, prepared: dict[str, int], state: tuple[str, ...]) -> int:
        union = 0
        for value in state:
            union |= prepared[value]
        return union

    def result(self, request: SearchRequest, prepared: dict[str, int], context: int) -> FacetResult:
        selected, labels = request.filters.get(self.param, ()), self.vocabulary.labels()
        options = tuple(
            Option(self.param, value, labels[value], (context & mask).bit_count(), value in selected, request)
            for value, mask in prepared.items()
        )  # fmt: skip
        return FacetResult(self, selected, options)

    def with_value(self, state: tuple[str, ...] | None, value: str) -> tuple[str, ...]:
        return self._ordered((state or ()) + (value,))

    def removing(self, state: tuple[str, ...], value: str | None) -> tuple[str, ...] | None:
        kept = tuple(x for x in state if value is not None and x != value)
        return kept or None

    def chosen(self, request: SearchRequest) -> list[Chosen]:
        return [
            Chosen(_l("Ta bort filtret %(legend)s: %(value)s", legend=self.legend,
                                value=self.vocabulary.label(value)), request.without(self.param, value))
            for value in request.filters.get(self.param, ())
        ]  # fmt: skip

    def relax_text(self) -> str:
        return _("Ta bort filtret %(legend)s", legend=self.legend)

    def reasons(self, record: dict, state: tuple[str, ...]) -> list[str]:
        return [self.vocabulary.label(value) for value in self.values_of(record) if value in state]


class YesFacet(ChoiceFacet):
    """A yes/no fact offered as one choice ("ja"): only a stated yes matches."""

    def values_of(self, record: dict) -> list[str]:
        return list(self.vocabulary) if self.field.value(record) is True else []


class RangeFacet(Facet):
    """A person's age, which the offering's own limits must include; the state is an int."""

    partial = "facets/_age.html"

    low, high = 0, 120  # the whole years content may state (see checks.whole_number)

    def __init__(self, param: str, field: str, legend):
        self.param, self.field, self.legend = param, fields.FIELDS_BY_KEY[field], legend

    def parse(self, args: MultiDict) -> int | None:
        values = args.getlist(self.param)
        if len(values) > 1:
            raise BadParameter(self.param, _("Parametern %(name)s får bara finnas en gång.", name=self.param))
        if not values or values[0] == "":
            return None
        return whole_number(
            values[0], self.param, self.low, self.high, _("Skriv ålder som ett heltal mellan 0 och 120.")
        )

    def to_params(self, state: int) -> list[tuple[str, str]]:
        return [(self.param, str(state))]

    def prepare(self, records: list[tuple[int, dict]], size: int) -> tuple[int, list[tuple[int, dict]], int]:
        limited = [(n, self.field.value(record)) for n, record in records if self.field.value(record)]
        return mask_of((n for n, _record in records), size), limited, size

    def mask(self, prepared, state: int) -> int:
        listed, limited, size = prepared
        outside = (n for n, limits in limited if state < limits.get("min", self.low) or state > limits.get("max", 200))
        return listed & ~mask_of(outside, size)

    def chosen(self, request: SearchRequest) -> list[Chosen]:
        age = request.filters.get(self.param)
        if age is None:
            return []
        return [Chosen(_l("Ta bort filtret ålder: %(age)d år", age=age), request.without(self.param))]

    def relax_text(self) -> str:
        return _("Ta bort ålder")


FACETS: tuple[Facet, ...] = (
    ChoiceFacet("inriktning", "orientation", _l("Inriktning")),
    ChoiceFacet("aktivitet", "activities", _l("Vad vill du göra")),
    ChoiceFacet("stadsdel", "district", _l("Stadsdel")),
    ChoiceFacet("timmar", "hours", _l("Timmar i veckan enligt beslutet")),
    YesFacet("ips", "ips", _l("Stöd till jobb"), vocabulary=v.IPS,
             hint=_l("IPS betyder att du får stöd att hitta ett vanligt jobb med lön, och att behålla det.")),
    ChoiceFacet("tillgang", "access", _l("Hur du börjar")),
    ChoiceFacet("huvudman", "operator", _l("Vem som driver verksamheten")),
    RangeFacet("alder", "age", _l("Din ålder")),
)  # fmt: skip
FACETS_BY_PARAM = {facet.param: facet for facet in FACETS}
