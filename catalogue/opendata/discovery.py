"""Found by search engines, without trackers: /sitemap.xml, /robots.txt, canonical links and JSON-LD.

Everything here is computed from what the site already knows (the route table, the index snapshot,
the configured public address); nothing is sent anywhere and nothing is loaded from another host.
Registered with ``init_app(app)``.

- ``/sitemap.xml`` lists every page of a route marked ``listed`` in ``routes.ROUTES``, in every
  language, each with its ``xhtml:link`` hreflang alternates and an ``x-default`` (Swedish, at the
  root). Closed providers answer 410 and are left out. One file holds 50,000 addresses, about 9,000
  providers in five languages: far more than Stockholm has.
- ``/robots.txt`` allows everything public and names the sitemap.
- ``canonical_url()`` is each HTML page's ``<link rel="canonical">`` (``base.html``).
- ``provider_structured_data(record)`` is a provider page's schema.org JSON-LD (``provider.html``).

Both files live at the root only: they describe the whole site, every language included.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from flask import Blueprint, Flask, Response, abort, current_app, g, request, url_for
from werkzeug.datastructures import MultiDict

from catalogue import i18n, query
from catalogue.facts import textpolicy
from catalogue.facts import vocabulary as v
from catalogue.opendata import files
from catalogue.page_kit import absolute_url, address, snapshot
from catalogue.routes import ROUTES, ROUTES_BY_ENDPOINT, Route
from catalogue.search.engine import Snapshot
from catalogue.site.shortlinks import SHORT_CODE_PARAM

discovery = Blueprint("discovery", __name__)

# The guidance page that site.pages.accessibility_statement shows at its own address.
ACCESSIBILITY_PAGE = "tillganglighet"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"

# Private addresses (the editors' desk; a sender's status page and a provider's invitation, whose
# address is itself the key) and machine answers (short-link redirects, the JSON twin). The private
# pages also send noindex; this keeps a polite crawler from asking for them at all.
DISALLOWED = ("/redaktion/", "/forslag/", "/uppdatera/", "/l/", "/api/", "/sok.csv", "/sok.atom")
_LOCALIZED_DISALLOWED = ("/forslag/", "/uppdatera/")  # these two also live under /en/ and the other prefixes

# Pages that say noindex (suggestions.PRIVATE): a canonical link would contradict it.
_NOT_INDEXED = {"suggestions.status", "suggestions.invited_form", "suggestions.invited_submit"}


# --- The pages of the sitemap -----------------------------------------------------------------


def _providers(site: Snapshot) -> list[dict[str, str]]:
    """Every provider page that answers 200: a paused one too (it says so), not a closed one (410)."""
    return [{"slug": record["slug"]} for record in sorted(site.providers(), key=lambda record: record["slug"])
            if record.get("status") != "closed"]  # fmt: skip


def _districts(site: Snapshot) -> list[dict[str, str]]:
    return [{"slug": slug} for slug in v.DISTRICTS if slug != v.CITYWIDE]


def _guidance_pages(site: Snapshot) -> list[dict[str, str]]:
    """Every guidance page, easy-read ones too; the accessibility statement is listed at its own address."""
    pages = site.pages() + site.pages(easy_read=True)
    return [{"slug": page["slug"]} for page in pages if page["slug"] != ACCESSIBILITY_PAGE]


def _accessibility_statement(site: Snapshot) -> list[dict[str, str]]:
    return [{}] if site.page(ACCESSIBILITY_PAGE) is not None else []


# The pages of a listed route: the arguments of each. A route without arguments has one page.
_PAGES_OF: dict[str, Callable[[Snapshot], list[dict[str, str]]]] = {
    "site.provider": _providers,
    "site.district": _districts,
    "site.guidance_page": _guidance_pages,
    "site.accessibility_statement": _accessibility_statement,
}


def listed_pages(site: Snapshot) -> list[tuple[Route, dict[str, str]]]:
    """Every page the sitemap lists, in the order of ROUTES: (route, its arguments)."""
    pages = []
    for route in ROUTES:
        if not route.listed:
            continue
        if route.endpoint in _PAGES_OF:
            pages += [(route, arguments) for arguments in _PAGES_OF[route.endpoint](site)]
        elif "<" in route.rule:
            raise LookupError(f"{route.endpoint} is listed, but the sitemap does not know its pages (_PAGES_OF)")
        else:
            pages.append((route, {}))
    return pages


def _language_versions(endpoint: str, arguments: dict[str, str]) -> dict[str, str]:
    """The page's absolute address in every language, Swedish at the root."""
    values: dict[str, Any] = {**arguments, "v": ()}  # never Min lista, whatever the request says
    return {
        code: absolute_url(url_for(endpoint, lang=None if code == i18n.DEFAULT else code, **values))
        for code in i18n.LANGUAGES
    }


SITEMAP_MAX_URLS = 50_000  # the protocol's most addresses in one file (sitemaps.org); more go into parts


def _sitemap_entries() -> list[str]:
    """One ``<url>`` element for each language version of each listed page, naming all its versions; made
    once for the sitemap and all its parts (250,000 of them at 50,000 offerings)."""
    return _entries_of(snapshot().version, absolute_url("/"))


@functools.lru_cache(maxsize=1)
def _entries_of(_version: str, _base: str) -> list[str]:
    """The entries for an index version and a public address (the key: what they depend on)."""
    entries = []
    for route, arguments in listed_pages(snapshot()):
        versions = _language_versions(route.endpoint, arguments)
        alternates = [*versions.items(), ("x-default", versions[i18n.DEFAULT])]
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang="{code}" href={quoteattr(url)}/>' for code, url in alternates
        )
        entries += [f"<url><loc>{escape(url)}</loc>{links}</url>" for url in versions.values()]
    return entries


def _urlset(entries: list[str]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">', *entries, "</urlset>"]  # fmt: skip
    return "\n".join(lines) + "\n"


def _parts(entries: list[str]) -> list[list[str]]:
    limit = current_app.config.get("SITEMAP_MAX_URLS", SITEMAP_MAX_URLS)
    return [entries[start : start + limit] for start in range(0, len(entries), limit)] or [[]]


def sitemap_xml() -> str:
    """The sitemap; once there are more addresses than one file may hold, an index of its parts."""
    parts = _parts(_sitemap_entries())
    if len(parts) == 1:
        return _urlset(parts[0])
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{SITEMAP_NS}">']
    for number in range(1, len(parts) + 1):
        part = absolute_url(url_for("discovery.sitemap_part", number=number))
        lines.append(f"<sitemap><loc>{escape(part)}</loc></sitemap>")
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


def sitemap_part_xml(number: int) -> str | None:
    """Part ``number`` (from 1) of a sitemap too large for one file, or None when there is no such part."""
    parts = _parts(_sitemap_entries())
    return _urlset(parts[number - 1]) if 1 <= number <= len(parts) and len(parts) > 1 else None


def robots_txt() -> str:
    prefixes = [f"/{code}" for code in i18n.LANGUAGES if code != i18n.DEFAULT]
    disallowed = [*DISALLOWED, *(prefix + path for path in _LOCALIZED_DISALLOWED for prefix in prefixes)]
    return "\n".join(
        [
            "# Every public page may be indexed. Not these: private addresses (the editors' desk, a",
            "# sender's suggestion status, a provider's invitation: each address is itself a key) and",
            "# machine answers (short-link redirects, the JSON twins, every search's file and feed).",
            "User-agent: *",
            *(f"Disallow: {path}" for path in disallowed),
            "Allow: /",
            "",
            f"Sitemap: {absolute_url(url_for('discovery.sitemap'))}",
            "",
        ]
    )


def _sitemap_addresses() -> list[str]:
    parts = len(_parts(_sitemap_entries()))
    numbered = [url_for("discovery.sitemap_part", number=number) for number in range(1, parts + 1)] if parts > 1 else []
    return [url_for("discovery.sitemap"), *numbered]


@discovery.get("/sitemap.xml")
@files.made_at_publish(_sitemap_addresses, forget=_entries_of.cache_clear)
def sitemap() -> Response:
    return Response(textpolicy.xml_safe(sitemap_xml()), mimetype="application/xml")


@discovery.get("/sitemap-<int:number>.xml")
@files.made_at_publish(lambda: [])  # listed with the sitemap, which knows how many parts there are
def sitemap_part(number: int) -> Response:
    found = sitemap_part_xml(number)
    if found is None:
        abort(404)
    return Response(textpolicy.xml_safe(found), mimetype="application/xml")


@discovery.get("/robots.txt")
def robots() -> Response:
    return Response(robots_txt(), mimetype="text/plain")


# --- Canonical links --------------------------------------------------------------------------


def _search_query(args: MultiDict[str, str]) -> list[tuple[str, str]]:
    """A search's own parameters, in the order the search page redirects to, without Min lista."""
    return query.parse_leniently(args).to_params(saved=())


def _saved_query(args: MultiDict[str, str]) -> list[tuple[str, str]]:
    """Min lista and Jämför show the saved offerings: the list is what the page is (its search is a back link)."""
    return [("v", slug) for slug in query.parse_leniently(args).saved]


def _own_query(args: MultiDict[str, str]) -> list[tuple[str, str]]:
    """The guide's answers, the reported page: everything but Min lista and the short code."""
    return [(key, value) for key, value in args.items(multi=True) if key not in ("v", SHORT_CODE_PARAM)]


# Pages whose content depends on their query; every other page is its path alone (a provider page's
# query is only its back link to the search, a district's only Min lista).
_CANONICAL_QUERY: dict[str, Callable[[MultiDict[str, str]], list[tuple[str, str]]]] = {
    "site.start": _search_query,
    "site.search": _search_query,
    "lists.saved_list": _saved_query,
    "lists.compare": _saved_query,
    "guide.question": _own_query,
    "guide.done": _own_query,
    "feedback.report_form": _own_query,
    "feedback.report_thanks": _own_query,
}


def canonical_url() -> str | None:
    """This page's own absolute address with its canonical query, for ``<link rel="canonical">``.

    None where a canonical address would say something false: error pages, answers to a POST,
    pages that say noindex, a closed provider (410), and anything outside the route table."""
    endpoint = request.endpoint
    if (
        g.get("error_page")
        or request.method not in ("GET", "HEAD")
        or endpoint not in ROUTES_BY_ENDPOINT
        or endpoint in _NOT_INDEXED
    ):
        return None
    arguments = dict(request.view_args or {})
    arguments.pop("lang", None)
    if endpoint == "site.provider":
        record = snapshot().provider(arguments.get("slug", ""))
        if record is None or record.get("status") == "closed":
            return None
    if endpoint == "site.guidance_page" and arguments.get("slug") == ACCESSIBILITY_PAGE:
        endpoint, arguments = "site.accessibility_statement", {}  # the same page at its own address
    params = _CANONICAL_QUERY[endpoint](request.args) if endpoint in _CANONICAL_QUERY else []
    return absolute_url(address(endpoint, params, carry_list=False, **arguments))


# --- JSON-LD ----------------------------------------------------------------------------------

_DAYS = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday",
         "sat": "Saturday", "sun": "Sunday"}  # fmt: skip


def _days_of_week(days: list[str]) -> list[str]:
    return [f"https://schema.org/{_DAYS[day]}" for day in v.weekday_span(days)]


def _opening_hours(record: dict[str, Any]) -> list[dict[str, Any]]:
    specifications = []
    for period in record.get("opening_hours") or []:
        specification = {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": _days_of_week(period["days"]),
            "opens": period["opens"],
            "closes": period["closes"],
        }
        if period.get("note"):
            specification["description"] = period["note"]  # "udda veckor" changes what the hours mean
        specifications.append(specification)
    return specifications


_POSTAL_PARTS = (("street", "streetAddress"), ("postal_code", "postalCode"), ("city", "addressLocality"))


def _postal_address(record: dict[str, Any]) -> dict[str, Any] | None:
    """Only the parts stated; the free-text note ("ingång från gården") is not a postal part."""
    stated = record.get("address") or {}
    parts = {name: stated[key] for key, name in _POSTAL_PARTS if stated.get(key)}
    return {"@type": "PostalAddress", **parts} if parts else None


def _area_served(record: dict[str, Any]) -> dict[str, Any] | None:
    """The municipality, for an offering for the whole of it. A district says where an offering is, not whom
    it serves (people from other districts may go there), so it is not written as the area served."""
    return {"@type": "City", "name": str(v.municipality().name)} if record.get("district") == v.CITYWIDE else None


def provider_structured_data(record: dict[str, Any]) -> dict[str, Any]:
    """A provider as schema.org JSON-LD: only what the provider has stated; an unknown fact is left out.

    The type is ``LocalBusiness`` for every operator: schema.org's "particular physical business or
    branch of an organization", a subtype of both Organization and Place. Each offering is that: a
    place with an address and opening hours, run by the city, a company or an association. It is the
    one common type on which every property given here is defined (``openingHoursSpecification``
    belongs to Place, not to a plain Organization), and the type search engines read for local results.
    ``GovernmentService`` was considered for the city's own offerings and not chosen: a Service has
    no address, opening hours, telephone or e-mail of its own (they would move into a nested provider
    or service channel, where local results do not look), and who runs an offering, stated on the
    page, is not what makes someone find it.

    Opening hours are left out while an offering is paused: they are not the hours now.
    The name, summary and other texts are in Swedish, as the content is; the page renders the dict
    with ``|tojson``, which escapes ``<``, ``>``, ``&`` and ``'``, so no text can end the script element.
    """
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LocalBusiness",
        "name": record["name"],
        "description": record["summary"],
        "url": absolute_url(address("site.provider", [], carry_list=False, slug=record["slug"])),
    }
    contact = record.get("contact") or {}
    optional = {
        "address": _postal_address(record),
        "areaServed": _area_served(record),
        "openingHoursSpecification": _opening_hours(record) if record.get("status") != "paused" else None,
        "telephone": contact.get("phone"),
        "email": contact.get("email"),
        "sameAs": contact.get("website"),  # the offering's own website: schema.org's "official website"
    }
    data.update((key, value) for key, value in optional.items() if value)
    return data


def init_app(app: Flask) -> None:
    """The two files at the root (never under /en/ …) and the template globals for every page."""
    app.register_blueprint(discovery)
    app.add_template_global(canonical_url)
    app.add_template_global(provider_structured_data)
