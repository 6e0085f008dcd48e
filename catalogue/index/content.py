"""Reads the site file, provider Markdown files, guidance pages and places, and checks every fact before it can
be published.

Every problem in a file is reported at once as ``path:line: field: message``
(see ``checks``); a file with any problem is never half-loaded.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any, cast

import markdown
import nh3
import yaml

from catalogue import i18n, routes
from catalogue.facts import checks, fields
from catalogue.facts import vocabulary as v
from catalogue.facts.checks import ContentError, FieldPath, Problems
from catalogue.index import parse_cache
from catalogue.query.thesaurus import parse_thesaurus

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# libyaml's parser when PyYAML was built with it (the wheels are), else the pure-Python one.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "h2", "h3", "h4", "blockquote", "br"}


def _node_lines(node: yaml.Node, path: FieldPath, offset: int, into: dict[FieldPath, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = path + (key.value,)
            into[child] = key.start_mark.line + 1 + offset
            _node_lines(value, child, offset, into)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = path + (index,)
            into[child] = item.start_mark.line + 1 + offset
            _node_lines(item, child, offset, into)


def _check_sources_cover_known_fields(record: dict[str, Any], known: set[str], problems: Problems) -> None:
    for index, source in enumerate(record.get("sources", [])):
        for position, name in enumerate(source.get("covers", [])):
            if name not in known:
                hint = checks.did_you_mean(checks.closest(name, known))
                problems.add(("sources", index, "covers", position), f"okänt fält '{name}'{hint}")


_converters = threading.local()


def _markdown() -> markdown.Markdown:
    """One converter per thread, reset for each file: building one costs more than converting a file."""
    if not hasattr(_converters, "markdown"):
        _converters.markdown = markdown.Markdown(output_format="html")
    return cast(markdown.Markdown, _converters.markdown).reset()


def render_description(body: str) -> str:
    """Markdown to HTML, sanitised: editors may paste anything, readers must be safe."""
    html = _markdown().convert(body)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


def plain_text(html: str) -> str:
    return " ".join(unescape(nh3.clean(html, tags=set())).split())


def _split_front_matter(text: str, problems: Problems) -> tuple[str, str, int] | None:
    """Front matter, body, and the file line where the body starts."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---" or "---" not in (line.strip() for line in lines[1:]):
        problems.add((), "filen ska börja med fakta mellan två rader med bara ---")
        return None
    end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    return "\n".join(lines[1:end]), "\n".join(lines[end + 1 :]), end + 2


def _read_yaml(text: str, problems: Problems, first_line: int) -> dict[str, Any] | None:
    """The YAML mapping in text (which starts at first_line of the file), with each key's line noted."""
    loader = _YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        # An unclosed bracket is noticed lines later; the context mark is where it was opened.
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = mark.line + first_line if mark else first_line
        reason = getattr(error, "problem", None) or str(error)
        problems.errors.append(ContentError(problems.path, line, "front matter", f"YAML-fel: {reason}"))
        return None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        problems.add((), "faktadelen ska vara fält med nyckel: värde")
        return None
    assert node is not None  # the document is a mapping, so it has a node
    _node_lines(node, (), first_line - 1, problems.lines)
    return data


def _parse_document(
    path: Path,
    text: str,
    checkers: dict[str, checks.Checker],
    required: tuple[str, ...],
    display_path: str | None,
    covered: set[str],
    rules: Callable[[dict[str, Any], Problems], None] | None = None,
) -> tuple[dict[str, Any] | None, list[ContentError]]:
    """A Markdown file with front matter: (record, errors), the record None if anything is wrong."""
    problems = Problems(display_path or str(path))
    if not SLUG_PATTERN.match(path.stem):
        problems.add((), "filnamnet ska bara innehålla a–z, 0–9 och bindestreck, till exempel fontanhuset-sodermalm.md")
    parts = _split_front_matter(text, problems)
    data = _read_yaml(parts[0], problems, 2) if parts else None
    if parts is None or data is None:
        return None, problems.errors
    record = checks.check_fields(data, checkers, required, problems, ())
    _check_sources_cover_known_fields(record, covered, problems)
    if rules is not None and not problems.errors:
        rules(record, problems)
    if problems.errors:
        return None, problems.errors
    record["slug"] = path.stem
    record["description_html"] = render_description(parts[1])
    record["body_line"] = parts[2]
    return record, []


def _parts_rules(record: dict[str, Any], problems: Problems) -> None:
    """An offering with parts says each part's way in, and its ``access`` is all of them.

    One part is no parts (its facts belong to the offering), a part is named once, an opening period
    names a part that exists, and ``access`` is not written beside the parts, where it could disagree."""
    parts = record.get("parts")
    periods = record.get("opening_hours") or []
    if not parts:
        for index, period in enumerate(periods):
            if "part" in period:
                problems.add(("opening_hours", index, "part"), "verksamheten har inga delar (parts)")
        return
    if len(parts) < 2:
        problems.add(("parts",), "en enda del är ingen del: skriv dess uppgifter direkt på verksamheten")
    if "access" in record:
        problems.add(("access",), "när verksamheten har delar står access i varje del (parts), inte här")
    names = [part["name"] for part in parts if "name" in part]
    for index, part in enumerate(parts):
        if "name" in part and part["name"] in names[:index]:
            problems.add(("parts", index, "name"), f"delen '{part['name']}' finns redan")
        if not part.get("access"):  # "access: []" reads as nothing said: a part must say its way in
            problems.add(("parts", index, "access"), "säg hur man börjar i delen: beslut, oppen eller båda")
    for index, period in enumerate(periods):
        if "part" in period and period["part"] not in names:
            hint = checks.did_you_mean(checks.closest(period["part"], names))
            problems.add(("opening_hours", index, "part"), f"det finns ingen del som heter '{period['part']}'{hint}")
    record["access"] = list(v.ACCESS.ordered(value for part in parts for value in part.get("access", [])))


def parse_provider(
    path: Path, text: str, display_path: str | None = None
) -> tuple[dict[str, Any] | None, list[ContentError]]:
    """One provider file to a record, or the list of everything wrong with it."""
    record, errors = _parse_document(
        path, text, _PROVIDER_CHECKERS, fields.REQUIRED, display_path, _PROVIDER_COVERED, _parts_rules
    )
    if record:
        # On the provider page the description sits under its own heading: "##" is one level below it.
        record["description_html"] = _HEADING.sub(
            lambda found: f"<{found[1]}h{int(found[2]) + 1}>", record["description_html"]
        )
    return record, errors


_HEADING = re.compile(r"<(/?)h([23])>")


_PROVIDER_CHECKERS = fields.checkers()
_PROVIDER_COVERED = set(_PROVIDER_CHECKERS) | set(fields.FIELDS_BY_KEY)
PAGE_FIELDS: dict[str, checks.Checker] = {
    "title": checks.text(120, single_line=True),
    "summary": checks.text(300),
    "order": checks.whole_number,
    "easy_read": checks.boolean,
    "reviewed": checks.date,
    "sources": checks.sources,
}


def parse_page(
    path: Path, text: str, display_path: str | None = None
) -> tuple[dict[str, Any] | None, list[ContentError]]:
    """One guidance page (content/pages/*.md)."""
    return _parse_document(path, text, PAGE_FIELDS, ("title", "summary"), display_path, set(PAGE_FIELDS))


def _translations(names: tuple[str, ...]) -> checks.Checker:
    """``translations: {en: {name: Gothenburg}}``: names in the site's other languages, where they differ."""
    each = checks.mapping({name: checks.text(100, single_line=True) for name in names})
    languages = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]

    def check(value: Any, problems: Problems, path: FieldPath) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            problems.add(path, f"ska vara språk med namn, till exempel en: {{{names[0]}: …}}")
            return None
        clean = {}
        for language, translated in value.items():
            if language not in languages:
                problems.add(path + (language,), f"okänt språk '{language}' (webbplatsens: {', '.join(languages)})")
            elif checked := each(translated, problems, path + (language,)):
                clean[language] = checked
        return clean

    return check


def _map_place(value: Any, problems: Problems, path: FieldPath) -> list[int] | None:
    """``map: [column, row]``: where the district's box is on the schematic map of the districts page."""
    if not (isinstance(value, list) and len(value) == 2 and all(type(n) is int and 0 <= n <= 9 for n in value)):
        problems.add(path, "ska vara [kolumn, rad] på kartan, två heltal 0–9, till exempel [1, 0]")
        return None
    return value


SITE_DISTRICT_FIELDS: dict[str, checks.Checker] = {
    "name": checks.text(60, single_line=True),
    "map": _map_place,
    "other_names": checks.list_of(checks.text(60, single_line=True)),
    "translations": _translations(("name",)),
}


def _site_districts(value: Any, problems: Problems, path: FieldPath) -> dict[str, dict[str, Any]] | None:
    """The municipality's districts, each under the slug its addresses use (/stadsdel/bromma): every name
    and former name once, since a search for it must lead to one district."""
    if not isinstance(value, dict) or not value:
        problems.add(path, "ska vara kommunens stadsdelar, var och en med sitt namn (name)")
        return None
    clean: dict[str, dict[str, Any]] = {}
    named: dict[str, str] = {}
    for slug, facts in value.items():
        if slug == v.CITYWIDE:
            problems.add(path + (slug,), f"{slug} betyder hela kommunen och kan inte vara en stadsdel")
            continue
        if not SLUG_PATTERN.match(str(slug)):
            problems.add(path + (str(slug),), f"'{slug}' går inte att ha i en adress: bara a–z, 0–9 och bindestreck")
            continue
        district = checks.mapping(SITE_DISTRICT_FIELDS, ("name",))(facts, problems, path + (slug,))
        if not district or "name" not in district:  # a name that is not one is reported already
            continue
        names = [("name", district["name"]), *(("other_names", name) for name in district.get("other_names", []))]
        for key, name in names:
            loose = v.slugify(name)
            if named.get(loose, slug) != slug:
                problems.add(path + (slug, key), f"'{name}' är redan ett namn på {named[loose]}")
            named[loose] = slug
        clean[slug] = district
    _check_map(clean, problems, path)
    return clean


def _check_map(districts: dict[str, dict[str, Any]], problems: Problems, path: FieldPath) -> None:
    """The map shows every district, each in a box of its own, or it is not drawn at all."""
    placed: dict[tuple[int, ...], str] = {}
    for slug, district in districts.items():
        if "map" not in district:
            continue
        if tuple(district["map"]) in placed:
            problems.add(path + (slug, "map"), f"{placed[tuple(district['map'])]} har redan den platsen på kartan")
        placed[tuple(district["map"])] = slug
    unplaced = [slug for slug, district in districts.items() if "map" not in district]
    if placed and unplaced:
        problems.add(path, f"kartan visar alla stadsdelar eller ingen: ge {', '.join(unplaced)} en plats (map)")


SITE_FIELDS: dict[str, checks.Checker] = {
    "municipality": checks.mapping(
        {
            "name": checks.text(60, single_line=True),
            "council": checks.text(100, single_line=True),
            "county": checks.text(100, single_line=True),
            "translations": _translations(("name", "council")),
        },
        ("name", "council"),
    ),
    "districts": _site_districts,
    "guidance_service": checks.mapping(
        {"offering": checks.text(80, single_line=True), "name": checks.text(60, single_line=True)}, ("offering", "name")
    ),
}


def parse_site(
    path: Path, text: str, display_path: str | None = None
) -> tuple[dict[str, Any] | None, list[ContentError]]:
    """The municipality and its districts (content/site.yml): what makes this catalogue Stockholm's, or any
    other municipality's."""
    problems = Problems(display_path or str(path))
    data = _read_yaml(text, problems, 1)
    if data is None:
        return None, problems.errors
    site = checks.check_fields(data, SITE_FIELDS, ("municipality", "districts"), problems, ())
    return (None, problems.errors) if problems.errors else (site, [])


def read_municipality(content_dir: Path) -> v.Municipality:
    """The municipality a content folder is for; ``UNKNOWN`` when its site file is missing or broken (the
    check reports why)."""
    try:
        text = (Path(content_dir) / SITE_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return v.UNKNOWN
    return v.Municipality.from_site(parse_site(Path(content_dir) / SITE_FILE, text)[0])


SITE_FILE = "site.yml"
DISTRICT_FIELDS: dict[str, checks.Checker] = {
    "neighbourhoods": checks.list_of(checks.text(60, single_line=True)),
    "social_services": checks.text(200),
    "phone": checks.phone,
    "email": checks.email,
    "relatives_consultant": checks.boolean,
    "neighbours": checks.list_of(checks.one_of(v.DISTRICTS)),  # the site file's
    "relatives_consultant_note": checks.text(300),
    "sources": checks.sources,
}


def _districts(value: Any, problems: Problems, path: FieldPath) -> dict[str, dict[str, Any]] | None:
    if not isinstance(value, dict):
        problems.add(path, "ska vara en lista med stadsdelar")
        return None
    clean: dict[str, dict[str, Any]] = {}
    seen: dict[str, str] = {}
    for key, facts in value.items():
        if key not in v.DISTRICTS or key == v.CITYWIDE:
            hint = checks.did_you_mean(v.DISTRICTS.suggest(key))
            problems.add(path + (key,), f"okänd stadsdel '{key}'{hint} (stadsdelarna står i {SITE_FILE})")
            continue
        district = checks.mapping(DISTRICT_FIELDS, ("neighbourhoods", "sources"))(facts, problems, path + (key,))
        for index, name in enumerate((district or {}).get("neighbourhoods", [])):
            if name.casefold() in seen:
                problems.add(
                    path + (key, "neighbourhoods", index), f"'{name}' står redan under {seen[name.casefold()]}"
                )
            seen[name.casefold()] = key
        if district:
            clean[key] = district
    for slug in v.DISTRICTS:
        if slug != v.CITYWIDE and slug not in value:
            problems.add(path, f"stadsdelen {slug} saknas")
    return clean


PLACES_FIELDS: dict[str, checks.Checker] = {
    "switchboard": checks.mapping(
        {"name": checks.text(100), "phone": checks.phone, "sources": checks.sources}, ("name", "phone", "sources")
    ),
    "how_to_apply": checks.mapping(
        {
            "e_service": checks.url,
            "contact_centre": checks.text(100),
            "contact_centre_phone": checks.phone,
            "sources": checks.sources,
        },
        ("sources",),
    ),
    "districts": _districts,
}


def parse_places(
    path: Path, text: str, display_path: str | None = None
) -> tuple[dict[str, Any] | None, list[ContentError]]:
    """The gazetteer and district facts (content/places.yml)."""
    problems = Problems(display_path or str(path))
    data = _read_yaml(text, problems, 1)
    if data is None:
        return None, problems.errors
    places = checks.check_fields(data, PLACES_FIELDS, ("districts",), problems, ())
    return (None, problems.errors) if problems.errors else (places, [])


@dataclass
class Content:
    providers: list[dict[str, Any]]
    pages: list[dict[str, Any]]
    places: dict[str, Any] | None
    errors: list[ContentError]
    thesaurus: dict[str, Any] | None = None
    site: dict[str, Any] | None = None  # the municipality and its districts (``parse_site``)
    # "providers/slug" -> a digest of its file's name and text: with the places and the code, all its record
    # depends on
    digests: dict[str, str] = field(default_factory=dict)


def _read(path: Path) -> str | ContentError:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return ContentError(str(path), 1, "fil", f"är inte UTF-8: {error.reason}")
    except OSError as error:
        return ContentError(str(path), 1, "fil", f"kan inte läsas: {error.strerror}")


_PARSERS = {"providers": parse_provider, "pages": parse_page}


def _parse(item: parse_cache.Item) -> parse_cache.Parsed:
    folder, path, text = item
    return _PARSERS[folder](path, text)


def _load_folders(
    folder: Path, cache: parse_cache.ParseCache, errors: list[ContentError], digests: dict[str, str]
) -> dict[str, list[Any]]:
    """The records of every provider and guidance page, each folder in file-name order; each record's
    digest goes into ``digests`` under "folder/slug"."""
    paths = [(name, path) for name in _PARSERS for path in sorted((folder / name).glob("*.md"), key=str)]
    read = [(name, path, _read(path)) for name, path in paths]
    items = [(name, path, text) for name, path, text in read if isinstance(text, str)]
    parsed = iter(cache.parse_all(items, _parse))
    records: dict[str, list[Any]] = {name: [] for name in _PARSERS}
    for name, path, text in read:
        if isinstance(text, ContentError):
            errors.append(text)
            continue
        record, file_errors = next(parsed)
        errors.extend(file_errors)
        if record:
            records[name].append(record)
            digests[f"{name}/{record['slug']}"] = hashlib.sha256(f"{path.name}\0{text}".encode()).hexdigest()
    return records


_INTERNAL_LINK = re.compile(r'href="(/[^"#?]*)')


def _leads_somewhere(link: str, content: Content) -> bool:
    """A page of ours (see ``routes``), and the provider, guidance page or district it names exists."""
    found = routes.match(link.rstrip("/") or "/")
    if found is None or found[0].methods != ("GET",):
        return False
    route, arguments = found
    slug = arguments.get("slug")
    if route.endpoint == "site.provider":
        return any(record["slug"] == slug for record in content.providers)
    if route.endpoint == "site.guidance_page":
        return any(record["slug"] == slug for record in content.pages)
    if route.endpoint == "site.district":
        return slug in v.DISTRICTS and slug != v.CITYWIDE
    return True


def _check_internal_links(content: Content, folder: Path) -> None:
    """Links between pages must lead somewhere: a moved page must not leave dead links behind."""
    for kind, records in (("providers", content.providers), ("pages", content.pages)):
        for record in records:
            path = folder / kind / f"{record['slug']}.md"
            for link in _INTERNAL_LINK.findall(record["description_html"]):
                if not _leads_somewhere(link, content):
                    lines = path.read_text(encoding="utf-8").splitlines()
                    line = next((n for n, text in enumerate(lines, start=1) if link in text), record["body_line"])
                    content.errors.append(
                        ContentError(str(path), line, "länk", f"länken {link} leder inte till någon sida")
                    )


def load_content(content_dir: Path, cache_file: Path | None = None) -> Content:
    """Everything under content/; broken files are reported, never half-loaded.

    ``cache_file``: where each file's result is kept for the next load (see ``parse_cache``)."""
    folder = Path(content_dir)
    errors: list[ContentError] = []
    place_errors: list[ContentError] = []  # reported after the files', as editors are used to
    site, site_text = None, _read_if_there(folder / SITE_FILE, place_errors)
    if site_text is not None:
        site, problems = parse_site(folder / SITE_FILE, site_text)
        place_errors.extend(problems)
    elif not (folder / SITE_FILE).exists():
        place_errors.append(ContentError(str(folder / SITE_FILE), 1, "fil", "saknas: den säger vilken kommun "
                                         "katalogen gäller och vilka stadsdelar den har"))  # fmt: skip
    with v.using_municipality(v.Municipality.from_site(site)):  # every district named is one of its
        content = _load_the_rest(folder, cache_file, site, site_text, errors, place_errors)
    if site and "guidance_service" in site and site_text is not None:
        _check_guidance_service(content, folder / SITE_FILE, site_text)
    return content


def _load_the_rest(
    folder: Path,
    cache_file: Path | None,
    site: dict[str, Any] | None,
    site_text: str | None,
    errors: list[ContentError],
    place_errors: list[ContentError],
) -> Content:
    places = None
    places_text = _read_if_there(folder / "places.yml", place_errors)
    if places_text is not None:
        places, problems = parse_places(folder / "places.yml", places_text)
        place_errors.extend(problems)
    # A file's result depends on the districts and on the neighbourhoods (see ``parse_cache``)
    cache = parse_cache.ParseCache(cache_file, f"{site_text or ''}\0{places_text or ''}")
    digests: dict[str, str] = {}
    records = _load_folders(folder, cache, errors, digests)
    providers, pages = records["providers"], records["pages"]
    errors.extend(place_errors)
    thesaurus = None
    thesaurus_text = _read_if_there(folder / "thesaurus.yml", errors)
    if thesaurus_text is not None:
        known_pages = frozenset(page["slug"] for page in pages)
        thesaurus, thesaurus_errors = parse_thesaurus(folder / "thesaurus.yml", thesaurus_text, _read_yaml, known_pages)
        errors.extend(thesaurus_errors)
    content = Content(providers, pages, places, errors, thesaurus, site, digests)
    _check_internal_links(content, folder)
    cache.save()
    return content


def _check_guidance_service(content: Content, path: Path, text: str) -> None:
    """The guidance service is an offering of the catalogue: a misspelt one would leave people without it."""
    assert content.site is not None
    offering = content.site["guidance_service"]["offering"]
    if not any(record["slug"] == offering for record in content.providers):
        line = next((n for n, row in enumerate(text.splitlines(), 1) if row.strip().startswith("offering:")), 1)
        missing = f"det finns ingen verksamhet {offering} (providers/{offering}.md)"
        content.errors.append(ContentError(str(path), line, "guidance_service.offering", missing))


def _read_if_there(path: Path, errors: list[ContentError]) -> str | None:
    if not path.exists():
        return None
    text = _read(path)
    if isinstance(text, ContentError):
        errors.append(text)
        return None
    return text
