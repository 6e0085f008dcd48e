"""The public URL contract of a search, parsed and written back.

Links are printed and shared, so parsing is strict about what could be
misread (repeated single values, unknown filter values) and every state can be
written back to the same parameters: parse(to_params(x)) == x.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from .facets import FACETS, FACETS_BY_PARAM

MAX_QUERY_LENGTH = 200
MAX_VALUES_PER_FILTER = 20
MAX_PAGE = 10_000
MAX_SAVED = 20
SORTS = ("relevans", "namn")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class BadParameter(ValueError):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter, self.message = parameter, message


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    age: int | None = None
    sort: str = "relevans"
    page: int = 1
    saved: tuple[str, ...] = ()  # "Min lista": offerings kept while browsing, in the address, no cookie

    def to_params(self, **changes) -> list[tuple[str, str]]:
        """Query parameters in a stable order; defaults are left out to keep links short."""
        state = replace(self, **changes) if changes else self
        params = []
        if state.q:
            params.append(("q", state.q))
        for facet in FACETS:
            params += [(facet.param, value) for value in state.filters.get(facet.param, ())]
        if state.age is not None:
            params.append(("alder", str(state.age)))
        if state.sort != "relevans":
            params.append(("sortera", state.sort))
        if state.page != 1:
            params.append(("sida", str(state.page)))
        params += [("v", slug) for slug in state.saved]
        return params

    def saving(self, slug: str) -> "SearchRequest":
        return replace(self, saved=self.saved + (slug,)) if slug not in self.saved else self

    def unsaving(self, slug: str) -> "SearchRequest":
        return replace(self, saved=tuple(s for s in self.saved if s != slug))

    def without(self, param: str, value: str | None = None) -> "SearchRequest":
        """The same search with one filter value (or a whole filter) removed, back on page 1."""
        if param == "q":
            return replace(self, q="", page=1)
        if param == "alder":
            return replace(self, age=None, page=1)
        filters = dict(self.filters)
        kept = tuple(x for x in filters.get(param, ()) if value is not None and x != value)
        if kept:
            filters[param] = kept
        else:
            filters.pop(param, None)
        return replace(self, filters=filters, page=1)

    @property
    def has_filters(self) -> bool:
        return bool(self.filters) or self.age is not None


def _single(args: MultiDict, name: str) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        raise BadParameter(name, _("Parametern %(name)s får bara finnas en gång.", name=name))
    return values[0] if values else None


def _whole_number(raw: str, name: str, low: int, high: int, message: str) -> int:
    if not raw.strip().isdigit() or not low <= int(raw) <= high:
        raise BadParameter(name, message)
    return int(raw)


def parse(args: MultiDict) -> SearchRequest:
    """Raises BadParameter naming the first parameter that cannot be understood."""
    q = " ".join((_single(args, "q") or "").split())
    if len(q) > MAX_QUERY_LENGTH:
        raise BadParameter("q", _("Sökningen är för lång. Använd högst %(limit)d tecken.", limit=MAX_QUERY_LENGTH))
    if any(ord(char) < 32 or char == "\ufffd" for char in q):
        raise BadParameter("q", _("Sökningen innehåller tecken som inte går att söka på."))
    filters = {}
    for facet in FACETS:
        raw_values = args.getlist(facet.param)
        if len(raw_values) > MAX_VALUES_PER_FILTER:
            raise BadParameter(facet.param, _("För många val i filtret."))
        values = []
        for raw in raw_values:
            value = facet.vocabulary.canonical(raw)
            if value is None:
                raise BadParameter(facet.param, _("Filtret %(legend)s har inget val som heter så.",
                                                  legend=facet.legend))
            if value not in values:
                values.append(value)
        if values:
            filters[facet.param] = tuple(sorted(values, key=list(facet.vocabulary).index))
    age_raw = _single(args, "alder")
    age = None
    if age_raw not in (None, ""):
        age = _whole_number(age_raw, "alder", 0, 120, _("Skriv ålder som ett heltal mellan 0 och 120."))
    sort = _single(args, "sortera") or "relevans"
    if sort not in SORTS:
        raise BadParameter("sortera", _("Sorteringen finns inte. Välj relevans eller namn."))
    page_raw = _single(args, "sida")
    page = 1
    if page_raw not in (None, ""):
        page = _whole_number(page_raw, "sida", 1, MAX_PAGE, _("Sidnumret ska vara ett heltal från 1 och uppåt."))
    saved = tuple(dict.fromkeys(args.getlist("v")))
    if len(saved) > MAX_SAVED:
        raise BadParameter("v", _("Min lista kan ha högst %(count)d verksamheter.", count=MAX_SAVED))
    if any(not _SLUG.match(slug) for slug in saved):
        raise BadParameter("v", _("Min lista innehåller en verksamhet som inte finns."))
    return SearchRequest(q=q, filters=filters, age=age, sort=sort, page=page, saved=saved)


def parse_leniently(args: MultiDict) -> SearchRequest:
    """Keeps what can be understood, for back links and error pages."""
    clean = MultiDict()
    for name in ["q", "alder", "sortera", "sida", "v"] + list(FACETS_BY_PARAM):
        for value in args.getlist(name)[:MAX_SAVED]:
            try:
                parse(MultiDict([(name, value)]))
            except BadParameter:
                continue
            clean.add(name, value)
            if name in ("q", "alder", "sortera", "sida"):
                break
    return parse(clean)
