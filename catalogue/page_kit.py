"""What every page needs: the request's index snapshot, page addresses, and template globals and filters.

Registered with ``init_app(app)``; ``site/pages.py`` and the other blueprints keep only their routes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, cast
from urllib.parse import urlencode

from flask import Flask, current_app, g, has_request_context, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from catalogue import i18n, query
from catalogue.facts import fields, kinds
from catalogue.facts import vocabulary as v
from catalogue.query import BadParameter, SearchRequest
from catalogue.query.facets import FACETS, ChoiceFacet
from catalogue.search.engine import Snapshot


def snapshot() -> Snapshot:
    """The index version this request reads: every part of one page answers from the same one, and speaks of
    its municipality's districts and names."""
    if "snapshot" not in g:
        g.snapshot = current_app.extensions["catalogue_index"].snapshot()
        v.use_municipality(g.snapshot.municipality)
    return cast(Snapshot, g.snapshot)


def _read_one_version() -> None:
    """Each request reads its index version first, so that a district named anywhere on the page (a filter,
    a check on the desk) is one of that version's. With no index at all, the page that needs one says so;
    the health checks (which say whether one opens) and static files need none."""
    if request.endpoint != "static" and request.blueprint != "health":
        with contextlib.suppress(FileNotFoundError):
            snapshot()


_AFTER_PUBLISH = "catalogue_after_publish"


def after_publish(app: Flask, hook: Callable[[Flask], None]) -> None:
    """Run ``hook`` each time this app publishes an index version (the open-data files are made so)."""
    app.extensions.setdefault(_AFTER_PUBLISH, []).append(hook)


def published() -> None:
    """Tell the hooks a new version is published; one that fails is logged, and the publish stands."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for hook in app.extensions.get(_AFTER_PUBLISH, []):
        try:
            hook(app)
        except Exception:
            app.logger.exception("after publishing, %s failed", getattr(hook, "__qualname__", hook))


def saved_in_request() -> tuple[str, ...]:
    """Min lista as the current address has it ("v"), so that every link and form can carry it on.

    Read leniently: a broken value is left out here; the page that shows the list reports it."""
    if not has_request_context() or request.blueprint == "api":
        return ()
    if "saved" not in g:
        g.saved = query.parse_leniently(MultiDict(("v", slug) for slug in request.args.getlist("v"))).saved
    return cast("tuple[str, ...]", g.saved)


def saved_list_url() -> str:
    """Min lista, with the search the person came from, so that its back link returns there."""
    return list_url(query.parse_leniently(request.args))


def address(endpoint: str, params: list[tuple[str, str]], carry_list: bool = True, **values: Any) -> str:
    """A page address with its parameters in the given order: the printed-link contract.

    The saved list travels along, unless ``params`` come from a search state that says its own."""
    if carry_list:
        params = [*params, *(("v", slug) for slug in saved_in_request())]
    return url_for(endpoint, v=(), **values) + ("?" + urlencode(params) if params else "")


SITE_LINKS_KEPT = 10_000  # languages × Min lista × the layout's links; beyond this the memo starts again


def site_link(endpoint: str, **values: Any) -> str:
    """A link of the layout (header, footer, stylesheet), which depends only on the page's language and
    Min lista: made once per app, language and list, not on every page (url_for costs about 20 µs)."""
    key = (endpoint, tuple(sorted(values.items())), i18n.current(), saved_in_request(), request.script_root)
    made: dict[tuple[object, ...], str] = current_app.extensions.setdefault("site_links", {})
    link = made.get(key)  # one look-up: another thread may empty the memo at any moment
    if link is None:
        if len(made) >= SITE_LINKS_KEPT:
            made.clear()
        link = made[key] = url_for(endpoint, **values)
    return link


def search_url(search_request: SearchRequest, **changes: Any) -> str:
    return address("site.search", search_request.to_params(**changes), carry_list=False)


def export_url(endpoint: str, search_request: SearchRequest) -> str:
    """The same search as a file or a feed ("Ladda ner listan", "Följ sökningen"): all pages, no Min lista."""
    return address(endpoint, replace(search_request, page=1, saved=()).to_params(), carry_list=False)


def list_url(search_request: SearchRequest, endpoint: str = "lists.saved_list", **changes: Any) -> str:
    return address(endpoint, search_request.to_params(page=1, **changes), carry_list=False)


def provider_url(slug: str, search_request: SearchRequest | None = None) -> str:
    """Carries the search state so the provider page can link back to exactly those results."""
    if search_request is None:
        return address("site.provider", [], slug=slug)
    return address("site.provider", search_request.to_params(), carry_list=False, slug=slug)


@dataclass(frozen=True)
class HitLinks:
    """The two links of every hit on one results page (its page, "Spara i min lista"), from one encoding of
    the search: the same addresses as ``provider_url(slug, req)`` and ``search_url(req.saving(slug))``, at a
    fraction of the cost of building each one (a results page with "kan också passa" has up to 70 hits)."""

    provider_prefix: str  # the provider page's address up to its slug
    search_path: str
    query: str  # the search's parameters, encoded once

    def provider(self, slug: str) -> str:
        return self.provider_prefix + slug + ("?" + self.query if self.query else "")

    def save(self, slug: str) -> str:
        return self.search_path + "?" + (self.query + "&" if self.query else "") + urlencode([("v", slug)])


_SLUG_MARK = "__slug__"


def hit_links(search_request: SearchRequest) -> HitLinks:
    """Made once per page and search (kept in ``g``)."""
    kept: tuple[SearchRequest, HitLinks] | None = g.get("hit_links")
    if kept is None or kept[0] is not search_request:
        provider = url_for("site.provider", slug=_SLUG_MARK, v=())
        links = HitLinks(provider.removesuffix(_SLUG_MARK), url_for("site.search", v=()),
                         urlencode(search_request.to_params()))  # fmt: skip
        g.hit_links = kept = (search_request, links)
    return kept[1]


def saved_records(search_request: SearchRequest) -> list[dict[str, Any]]:
    """The saved offerings, in the order they were saved; an unknown one is a bad address."""
    records = [snapshot().provider(slug) for slug in search_request.saved]
    found = [record for record in records if record is not None]
    if len(found) != len(records):
        raise BadParameter("v", _("Min lista innehåller en verksamhet som inte finns."))
    return found


# Every vocabulary a template may name: filter parameters ("stadsdel") and provider fields ("activities").
_VOCABULARIES = {facet.param: facet.vocabulary for facet in FACETS if isinstance(facet, ChoiceFacet)} | {
    field.key: field.vocabulary for field in fields.FIELDS if field.vocabulary is not None
} | {"weekday": v.WEEKDAYS}  # fmt: skip


def label(kind: str, value: str) -> str:
    """A slug as people read it, in their language: label("stadsdel", "jarva") -> "Järva"."""
    return _VOCABULARIES[kind].label(value)


def long_date(date: dt.date | str) -> str:
    """A date (or a stored ISO date) written out in the page's language: "23 november 2026"."""
    return cast(str, format_date(dt.date.fromisoformat(date) if isinstance(date, str) else date, format="long"))


def city() -> str:
    """The municipality's name in the page's language: "Hitta sysselsättning i %(city)s"."""
    return str(v.municipality().name)


def today() -> dt.date:
    """Printouts carry the date and evidence ages by it; the page cache keys on it too (caching.py)."""
    return dt.date.today()


def absolute_url(path: str) -> str:
    """An address to print, share or put in a QR code: the configured public address, else this
    request's host, which hosting.TrustedHosts has checked against SITE_HOSTS. A forged Host never gets here."""
    return (current_app.config["PUBLIC_URL"] or request.host_url.rstrip("/")) + path


def public_provider_url(record: dict[str, Any]) -> str:
    """A provider page's public address, for files and feeds that leave the site."""
    return absolute_url(url_for("site.provider", slug=record["slug"], v=(), lang=None))


def hit_tags(record: dict[str, Any]) -> list[str]:
    """The short facts under a search hit, in the page's language: district, orientation, IPS, access."""
    district = record.get("district")
    neighbourhood = f" ({record['neighbourhood']})" if record.get("neighbourhood") else ""
    tags = [v.DISTRICTS.label(district) + neighbourhood] if district else []
    tags += [v.ORIENTATIONS.label(value) for value in record.get("orientation") or []]
    tags += [_("IPS")] if record.get("ips") else []
    return tags + [v.ACCESS.label(value) for value in record.get("access") or []]


_IN_SWEDISH, _IN_SWEDISH_LEFT_TO_RIGHT, _AS_THE_PAGE = Markup(' lang="sv"'), Markup(' lang="sv" dir="ltr"'), Markup("")


def swedish(written_in_swedish: bool = True) -> Markup:
    """` lang="sv"` for an element whose text the content wrote in Swedish, on a page in another language, so
    that screen readers read it as Swedish: ``<h1{{ swedish() }}>``, ``<span{{ swedish(a.swedish) }}>``.

    On a right-to-left page it also says ``dir="ltr"``, which isolates the Swedish: "(öppna delen)" keeps
    its brackets around its words instead of breaking apart in the Arabic around it."""
    lang = i18n.current()
    if not written_in_swedish or lang == i18n.DEFAULT:
        return _AS_THE_PAGE
    return _IN_SWEDISH_LEFT_TO_RIGHT if lang in i18n.RIGHT_TO_LEFT else _IN_SWEDISH


def tel_href(phone: str) -> str:
    """A phone number as a tel: link wants it: "08-508 29 000" -> "0850829000"."""
    return "".join(char for char in phone if char.isdigit() or char == "+")


_SITE_LINK = re.compile(r'href="(/(?!/|static/)[^"#]*)(#[^"]*)?"')


def site_links(html: str) -> Markup:
    """Links that content writes as Swedish addresses ("/sok?ips=ja") lead on in the page's language,
    carrying Min lista, like every other link of the site."""
    lang, saved = i18n.current(), saved_in_request()

    def localized(match: re.Match[str]) -> str:
        path, fragment = match.group(1), match.group(2) or ""
        if lang != i18n.DEFAULT:
            path = f"/{lang}{path}"
        if saved:
            path += ("&amp;" if "?" in path else "?") + "&amp;".join(f"v={slug}" for slug in saved)
        return f'href="{path}{fragment}"'

    return Markup(_SITE_LINK.sub(localized, html))


def absolute_links(html: str) -> str:
    """Links that content writes as site addresses made absolute, for text shown on other sites (HSDS)."""
    return _SITE_LINK.sub(lambda match: f'href="{absolute_url(match.group(1))}{match.group(2) or ""}"', html)


def init_app(app: Flask) -> None:
    app.before_request(_read_one_version)
    for function in (search_url, list_url, export_url, provider_url, hit_links, hit_tags, site_link, label,
                     saved_in_request, saved_list_url, absolute_url, swedish):  # fmt: skip
        app.add_template_global(function)

    @app.url_defaults
    def keep_saved_list(endpoint: str, values: dict[str, Any]) -> None:
        """Every link to a page of the site keeps Min lista: the header, the guide, the districts."""
        if "v" not in values and app.url_map.is_endpoint_expecting(endpoint, "lang") and saved_in_request():
            values["v"] = list(saved_in_request())

    app.add_template_global(today)
    app.add_template_global(city)
    app.add_template_filter(long_date)
    app.add_template_filter(kinds.language_name)
    app.add_template_filter(tel_href)
    app.add_template_filter(site_links)
