"""Reads provider Markdown files and checks every fact before it can be published.

Editors fix content from the messages, so every problem in a file is reported
at once as ``path:line: field: message``, with a suggestion for near misses.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from html import unescape
from dataclasses import dataclass
from pathlib import Path

import markdown
import nh3
import yaml
from babel import Locale
from flask_babel import gettext as _

from . import vocabulary as v

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_PHONE = re.compile(r"^\+?[\d\s-]{6,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SWEDISH_NAMES = Locale("sv")
# libyaml's parser when PyYAML was built with it (the wheels are), else the pure-Python one.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_SUMMARY = 200
MAX_NAME = 120

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "h2", "h3", "blockquote", "br"}


@dataclass(frozen=True)
class ContentError:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class _Problems:
    """Collects errors for one file, finding each field's line in the YAML."""

    def __init__(self, path: str, lines: dict[tuple, int], offset: int):
        self.path, self.lines, self.offset = path, lines, offset
        self.errors: list[ContentError] = []

    def add(self, field_path: tuple, message: str) -> None:
        line = self.offset
        for depth in range(len(field_path), 0, -1):
            if field_path[:depth] in self.lines:
                line = self.lines[field_path[:depth]]
                break
        name = ".".join(str(part) for part in field_path) or "front matter"
        self.errors.append(ContentError(self.path, line, name, message))


def _node_lines(node, path: tuple, offset: int, into: dict) -> None:
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


def _did_you_mean(suggestion: str | None) -> str:
    return _(" – menade du '%(word)s'?", word=suggestion) if suggestion else ""


# Field checkers: each takes (value, problems, path) and returns the clean value
# or None after reporting what is wrong.

def _text(limit: int, single_line: bool = False):
    def check(value, problems, path):
        if not isinstance(value, str) or not value.strip():
            problems.add(path, _("ska vara en text"))
            return None
        text = " ".join(value.split())
        if single_line and "\n" in value.strip():
            problems.add(path, _("ska vara en enda rad"))
        if len(text) > limit:
            problems.add(path, _("är %(length)d tecken, högst %(limit)d är tillåtet", length=len(text), limit=limit))
            return None
        return text
    return check


def _boolean(value, problems, path):
    if not isinstance(value, bool):
        problems.add(path, _("ska vara true eller false"))
        return None
    return value


def _one_of(vocabulary: v.Vocabulary):
    def check(value, problems, path):
        slug = vocabulary.canonical(value) if isinstance(value, (str, int)) else None
        if slug is None:
            allowed = ", ".join(vocabulary)
            problems.add(path, _("okänt värde '%(value)s'%(hint)s (tillåtna: %(allowed)s)",
                                 value=value, hint=_did_you_mean(vocabulary.suggest(value)), allowed=allowed))
        return slug
    return check


def _list_of(check_item):
    def check(value, problems, path):
        items = value if isinstance(value, list) else [value]
        clean = []
        for index, item in enumerate(items):
            result = check_item(item, problems, path + (index,) if isinstance(value, list) else path)
            if result is not None and result not in clean:
                clean.append(result)
        return clean or None
    return check


def _language(value, problems, path):
    code = str(value).strip().lower()
    if code not in _SWEDISH_NAMES.languages:
        problems.add(path, _("okänd språkkod '%(value)s' (använd ISO 639-1, till exempel sv, en, fi, ar, so)", value=value))
        return None
    return code


def _date(value, problems, path):
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        if value > dt.date.today():
            problems.add(path, _("datumet ligger i framtiden"))
            return None
        return value.isoformat()
    problems.add(path, _("ska vara ett datum som ÅÅÅÅ-MM-DD"))
    return None


def _url(value, problems, path):
    if not isinstance(value, str) or not re.match(r"^https?://[^\s/$.?#][^\s]*$", value):
        problems.add(path, _("ska vara en webbadress som börjar med https:// eller http://"))
        return None
    return value


def _mapping(fields: dict, required: tuple = ()):
    def check(value, problems, path):
        if not isinstance(value, dict):
            problems.add(path, _("ska vara en lista med fält (nyckel: värde)"))
            return None
        return _check_fields(value, fields, required, problems, path)
    return check


def _age(value, problems, path):
    age = _mapping({"min": _whole_number, "max": _whole_number})(value, problems, path)
    if age and "min" in age and "max" in age and age["min"] > age["max"]:
        problems.add(path, _("min är större än max"))
        return None
    return age


def _whole_number(value, problems, path):
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 120:
        problems.add(path, _("ska vara ett heltal mellan 0 och 120"))
        return None
    return value


def _time(value, problems, path):
    text = str(value)
    if not _TIME.match(text):
        problems.add(path, _("ska vara en tid som TT:MM inom citattecken, till exempel \"09:00\""))
        return None
    return text


def _days(value, problems, path):
    text = str(value).strip().lower()
    parts = [part.strip() for part in text.split("-")]
    if len(parts) > 2 or any(part not in v.WEEKDAYS for part in parts):
        problems.add(path, _("ska vara en veckodag eller ett spann som mon-fri (mon tue wed thu fri sat sun)"))
        return None
    return parts


def _opening_period(value, problems, path):
    period = _mapping({"days": _days, "opens": _time, "closes": _time, "note": _text(120)},
                      required=("days", "opens", "closes"))(value, problems, path)
    if period and "opens" in period and "closes" in period and period["opens"] >= period["closes"]:
        problems.add(path + ("closes",), _("stänger före eller samtidigt som den öppnar"))
        return None
    return period


def _phone(value, problems, path):
    if not _PHONE.match(str(value)):
        problems.add(path, _("ska vara ett telefonnummer, till exempel 08-508 00 000"))
        return None
    return str(value)


def _email(value, problems, path):
    if not isinstance(value, str) or not _EMAIL.match(value):
        problems.add(path, _("ska vara en e-postadress"))
        return None
    return value


PROVIDER_FIELDS = {
    "name": _text(MAX_NAME, single_line=True),
    "summary": _text(MAX_SUMMARY, single_line=True),
    "status": _one_of(v.STATUSES),
    "verified": _date,
    "sources": _list_of(_mapping({"url": _url, "title": _text(200), "covers": _list_of(_text(40))},
                                 required=("title",))),
    "orientation": _list_of(_one_of(v.ORIENTATIONS)),
    "activities": _list_of(_one_of(v.ACTIVITIES)),
    "district": _one_of(v.DISTRICTS),
    "neighbourhood": _text(80, single_line=True),
    "hours": _list_of(_one_of(v.HOURS)),
    "ips": _boolean,
    "access": _list_of(_one_of(v.ACCESS)),
    "operator": _one_of(v.OPERATORS),
    "operator_name": _text(120, single_line=True),
    "valfrihetssystem": _boolean,
    "target_group": _text(300),
    "age": _age,
    "languages": _list_of(_language),
    "physical_accessibility": _list_of(_one_of(v.PHYSICAL_ACCESSIBILITY)),
    "address": _mapping({"street": _text(100), "postal_code": _text(10), "city": _text(60), "note": _text(200)}),
    "transport": _list_of(_text(120, single_line=True)),
    "opening_hours": _list_of(_opening_period),
    "opening_note": _text(300),
    "contact": _mapping({"phone": _phone, "email": _email, "website": _url}),
}
REQUIRED_FIELDS = ("name", "summary", "status", "verified", "sources")


def _check_fields(data: dict, fields: dict, required: tuple, problems: _Problems, path: tuple) -> dict:
    clean = {}
    for key, value in data.items():
        if key not in fields:
            close = difflib.get_close_matches(str(key), fields, n=1)
            problems.add(path + (key,), _("okänt fält%(hint)s", hint=_did_you_mean(close[0] if close else None)))
            continue
        if value is None:
            problems.add(path + (key,), _("saknar värde – ta bort fältet om uppgiften är okänd"))
            continue
        result = fields[key](value, problems, path + (key,))
        if result is not None:
            clean[key] = result
    for key in required:
        if key not in data:
            problems.add(path + (key,) if path else (key,), _("fältet krävs men saknas"))
    return clean


def _check_sources_cover_known_fields(record: dict, fields: dict, problems: _Problems) -> None:
    for index, source in enumerate(record.get("sources", [])):
        for position, name in enumerate(source.get("covers", [])):
            if name not in fields:
                problems.add(("sources", index, "covers", position),
                             _("okänt fält '%(value)s'%(hint)s", value=name,
                               hint=_did_you_mean((difflib.get_close_matches(name, fields, n=1) or [None])[0])))


def render_description(body: str) -> str:
    """Markdown to HTML, sanitised: editors may paste anything, readers must be safe."""
    html = markdown.markdown(body, output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}},
                     url_schemes={"http", "https", "mailto", "tel"}, link_rel="noopener noreferrer")


def plain_text(html: str) -> str:
    return " ".join(unescape(nh3.clean(html, tags=set())).split())


def _split_front_matter(text: str, problems: _Problems) -> tuple[str, str, int] | None:
    """Front matter, body, and the file line where the body starts."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---" or "---" not in (line.strip() for line in lines[1:]):
        problems.add((), _("filen ska börja med fakta mellan två rader med bara ---"))
        return None
    end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    return "\n".join(lines[1:end]), "\n".join(lines[end + 1:]), end + 2


def _read_yaml(text: str, problems: _Problems, first_line: int):
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
        problems.errors.append(ContentError(problems.path, line, "front matter", _("YAML-fel: %(reason)s", reason=reason)))
        return None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        problems.add((), _("faktadelen ska vara fält med nyckel: värde"))
        return None
    _node_lines(node, (), first_line - 1, problems.lines)
    return data


def _parse_document(path: Path, text: str, fields: dict, required: tuple, display_path: str | None):
    """A Markdown file with front matter: (record, errors), the record None if anything is wrong."""
    problems = _Problems(display_path or str(path), {}, 1)
    if not SLUG_PATTERN.match(path.stem):
        problems.add((), _("filnamnet ska bara innehålla a–z, 0–9 och bindestreck, till exempel fontanhuset-sodermalm.md"))
    parts = _split_front_matter(text, problems)
    data = _read_yaml(parts[0], problems, 2) if parts else None
    if data is None:
        return None, problems.errors
    record = _check_fields(data, fields, required, problems, ())
    _check_sources_cover_known_fields(record, fields, problems)
    if problems.errors:
        return None, problems.errors
    record["slug"] = path.stem
    record["description_html"] = render_description(parts[1])
    record["body_line"] = parts[2]
    return record, []


def parse_provider(path: Path, text: str, display_path: str | None = None) -> tuple[dict | None, list[ContentError]]:
    """One provider file to a record, or the list of everything wrong with it."""
    return _parse_document(path, text, PROVIDER_FIELDS, REQUIRED_FIELDS, display_path)


PAGE_FIELDS = {
    "title": _text(120, single_line=True),
    "summary": _text(300),
    "order": _whole_number,
    "easy_read": _boolean,
    "verified": _date,
    "sources": PROVIDER_FIELDS["sources"],
}


def parse_page(path: Path, text: str, display_path: str | None = None) -> tuple[dict | None, list[ContentError]]:
    """One guidance page (content/pages/*.md)."""
    return _parse_document(path, text, PAGE_FIELDS, ("title", "summary"), display_path)


DISTRICT_FIELDS = {
    "neighbourhoods": _list_of(_text(60, single_line=True)),
    "social_services": _text(200),
    "phone": _phone,
    "relatives_consultant": _boolean,
    "relatives_consultant_note": _text(300),
    "sources": PROVIDER_FIELDS["sources"],
}
PLACES_FIELDS = {
    "switchboard": _mapping({"name": _text(100), "phone": _phone, "sources": PROVIDER_FIELDS["sources"]},
                            required=("name", "phone", "sources")),
    "districts": lambda value, problems, path: _districts(value, problems, path),
}


def _districts(value, problems, path):
    if not isinstance(value, dict):
        problems.add(path, _("ska vara en lista med stadsdelsområden"))
        return None
    clean, seen = {}, {}
    for key, facts in value.items():
        if key not in v.DISTRICTS or key == "hela-staden":
            problems.add(path + (key,), _("okänt stadsdelsområde '%(value)s'%(hint)s", value=key,
                                          hint=_did_you_mean(v.DISTRICTS.suggest(key))))
            continue
        district = _mapping(DISTRICT_FIELDS, required=("neighbourhoods", "sources"))(facts, problems, path + (key,))
        for index, name in enumerate((district or {}).get("neighbourhoods", [])):
            if name.casefold() in seen:
                problems.add(path + (key, "neighbourhoods", index),
                             _("'%(name)s' står redan under %(other)s", name=name, other=seen[name.casefold()]))
            seen[name.casefold()] = key
        if district:
            clean[key] = district
    for slug in v.DISTRICTS:
        if slug != "hela-staden" and slug not in value:
            problems.add(path, _("stadsdelsområdet %(slug)s saknas", slug=slug))
    return clean


def parse_places(path: Path, text: str, display_path: str | None = None) -> tuple[dict | None, list[ContentError]]:
    """The gazetteer and district facts (content/places.yml)."""
    problems = _Problems(display_path or str(path), {}, 1)
    data = _read_yaml(text, problems, 1)
    if data is None:
        return None, problems.errors
    places = _check_fields(data, PLACES_FIELDS, ("switchboard", "districts"), problems, ())
    return (None, problems.errors) if problems.errors else (places, [])


@dataclass
class Content:
    providers: list[dict]
    pages: list[dict]
    places: dict | None
    errors: list[ContentError]


def _read(path: Path, errors: list) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        errors.append(ContentError(str(path), 1, "fil", _("är inte UTF-8: %(reason)s", reason=error.reason)))
    except OSError as error:
        errors.append(ContentError(str(path), 1, "fil", _("kan inte läsas: %(reason)s", reason=error.strerror)))
    return None


def _load_folder(folder: Path, parse, errors: list) -> list[dict]:
    records = []
    for path in sorted(folder.glob("*.md")):
        text = _read(path, errors)
        if text is not None:
            record, file_errors = parse(path, text)
            errors.extend(file_errors)
            if record:
                records.append(record)
    return records


_INTERNAL_LINK = re.compile(r'href="(/[^"#?]*)')


def _check_internal_links(content: Content, folder: Path) -> None:
    """Links between pages must lead somewhere: a moved page must not leave dead links behind."""
    targets = {"/", "/sok", "/vagledning", "/rapportera-fel", "/lattlast", "/tillganglighet"}
    targets |= {f"/verksamhet/{p['slug']}" for p in content.providers}
    targets |= {f"/vagledning/{p['slug']}" for p in content.pages}
    targets |= {f"/stadsdel/{slug}" for slug in v.DISTRICTS if slug != "hela-staden"}
    for kind, records in (("providers", content.providers), ("pages", content.pages)):
        for record in records:
            path = folder / kind / f"{record['slug']}.md"
            for link in _INTERNAL_LINK.findall(record["description_html"]):
                if link.rstrip("/") not in targets and link != "/":
                    lines = path.read_text(encoding="utf-8").splitlines()
                    line = next((n for n, text in enumerate(lines, start=1) if link in text), record["body_line"])
                    content.errors.append(ContentError(str(path), line, "länk",
                                                       _("länken %(link)s leder inte till någon sida", link=link)))


def load_content(content_dir: Path) -> Content:
    """Everything under content/; broken files are reported, never half-loaded."""
    folder = Path(content_dir)
    errors: list[ContentError] = []
    providers = _load_folder(folder / "providers", parse_provider, errors)
    pages = _load_folder(folder / "pages", parse_page, errors)
    places = None
    places_path = folder / "places.yml"
    if places_path.exists():
        text = _read(places_path, errors)
        if text is not None:
            places, place_errors = parse_places(places_path, text)
            errors.extend(place_errors)
    content = Content(providers, pages, places, errors)
    _check_internal_links(content, folder)
    return content
