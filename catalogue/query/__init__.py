"""The public URL contract of a search, parsed and written back.

Links are printed and shared, so parsing is strict about what could be
misread (repeated single values, unknown filter values) and every state can be
written back to the same parameters: parse(to_params(x)) == x. Each filter
parses and writes its own parameter (see ``facets``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from catalogue.query.facets import FACETS, FACETS_BY_PARAM, BadParameter, Chosen, whole_number

__all__ = ["BadParameter", "SearchRequest", "chosen", "parse", "parse_leniently", "relax_text"]

MAX_QUERY_LENGTH = 200
MAX_PAGE = 10_000
MAX_SAVED = 20
SORTS = ("relevans", "namn")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    filters: dict[str, Any] = field(default_factory=dict)  # facet parameter -> that facet's state
    sort: str = "relevans"
    page: int = 1
    saved: tuple[str, ...] = ()  # "Min lista": offerings kept while browsing, in the address, no cookie
    literal: bool = False  # "ordagrant=1": search the words as typed, without the thesaurus's concepts

    def to_params(self, **changes: Any) -> list[tuple[str, str]]:
        """Query parameters in a stable order; defaults are left out to keep links short."""
        state = replace(self, **changes) if changes else self
        params = [("q", state.q)] if state.q else []
        if state.literal and state.q:
            params.append(("ordagrant", "1"))
        for facet in FACETS:
            if facet.param in state.filters:
                params += facet.to_params(state.filters[facet.param])
        if state.sort != "relevans":
            params.append(("sortera", state.sort))
        if state.page != 1:
            params.append(("sida", str(state.page)))
        params += [("v", slug) for slug in state.saved]
        return params

    def saving(self, slug: str) -> SearchRequest:
        return replace(self, saved=self.saved + (slug,)) if slug not in self.saved else self

    def unsaving(self, slug: str) -> SearchRequest:
        return replace(self, saved=tuple(s for s in self.saved if s != slug))

    def without(self, param: str, value: str | None = None) -> SearchRequest:
        """The same search with one filter value (or a whole filter) removed, back on page 1."""
        if param == "q":
            return replace(self, q="", literal=False, page=1)
        filters = dict(self.filters)
        kept = FACETS_BY_PARAM[param].removing(filters.pop(param), value) if param in filters else None
        if kept is not None:
            filters[param] = kept
        return replace(self, filters=filters, page=1)


def _single(args: MultiDict[str, str], name: str) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        raise BadParameter(name, _("Parametern %(name)s får bara finnas en gång.", name=name))
    return values[0] if values else None


def parse(args: MultiDict[str, str]) -> SearchRequest:
    """Raises BadParameter naming the first parameter that cannot be understood."""
    q = " ".join((_single(args, "q") or "").split())
    if len(q) > MAX_QUERY_LENGTH:
        raise BadParameter("q", _("Sökningen är för lång. Använd högst %(limit)d tecken.", limit=MAX_QUERY_LENGTH))
    if any(ord(char) < 32 or char == "\ufffd" for char in q):
        raise BadParameter("q", _("Sökningen innehåller tecken som inte går att söka på."))
    filters = {}
    for facet in FACETS:
        state = facet.parse(args)
        if state is not None:
            filters[facet.param] = state
    sort = _single(args, "sortera") or "relevans"
    if sort not in SORTS:
        raise BadParameter("sortera", _("Sorteringen finns inte. Välj relevans eller namn."))
    page_raw = _single(args, "sida")
    page = 1
    if page_raw not in (None, ""):
        message = _("Sidnumret ska vara ett heltal från 1 och uppåt.")
        page = whole_number(page_raw, "sida", 1, MAX_PAGE, message)
    saved = tuple(dict.fromkeys(args.getlist("v")))
    if len(saved) > MAX_SAVED:
        raise BadParameter("v", _("Min lista kan ha högst %(count)d verksamheter.", count=MAX_SAVED))
    if any(not _SLUG.match(slug) for slug in saved):
        raise BadParameter("v", _("Min lista innehåller en verksamhet som inte finns."))
    literal = _single(args, "ordagrant")
    if literal not in (None, "", "1"):
        raise BadParameter("ordagrant", _("Parametern ordagrant kan bara vara 1."))
    return SearchRequest(q=q, filters=filters, sort=sort, page=page, saved=saved, literal=literal == "1")


_SINGLE_VALUED = ("q", "sortera", "sida", "ordagrant")


def parse_leniently(args: MultiDict[str, str]) -> SearchRequest:
    """Keeps what can be understood, for back links and error pages."""
    clean: MultiDict[str, str] = MultiDict()
    for name in [*_SINGLE_VALUED, "v", *FACETS_BY_PARAM]:
        for value in args.getlist(name)[:MAX_SAVED]:
            try:
                parse(MultiDict([(name, value)]))
            except BadParameter:
                continue
            clean.add(name, value)
            if name in _SINGLE_VALUED or (name in FACETS_BY_PARAM and not FACETS_BY_PARAM[name].repeatable):
                break
    return parse(clean)


def chosen(request: SearchRequest) -> list[Chosen]:
    """ "Du har valt": the search words and every active filter value, each with the search without it."""
    words = [Chosen(_l("Ta bort sökordet: %(q)s", q=request.q), request.without("q"), _("Sökning: %(q)s", q=request.q))]
    return [*(words if request.q else []), *(choice for facet in FACETS for choice in facet.chosen(request))]


def relax_text(param: str) -> str:
    """The zero-results advice's link that drops one constraint: the search words or a filter."""
    return _("Ta bort sökordet") if param == "q" else FACETS_BY_PARAM[param].relax_text()
