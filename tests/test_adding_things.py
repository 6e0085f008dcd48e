"""Adding a provider field is one row; adding a filter is one line (docs/architecture.md, "Adding things").

Each test copies the package, makes exactly that one edit to the copy, and runs the copy's site in a
process of its own over the fixture content and a few files that use the new fact. Everything else a
person or a program sees must follow by itself: the provider page, "Vi vet ännu inte", Jämför, the JSON
twin, the OpenAPI description, the suggestion form, the content check, the search form and its counts,
"kan också passa", "Du har valt" and a bad value's 400. Translations are the one other step, by hand.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# Each test copies the package and starts its site in a process of its own (about 5 s): `make test` runs them.
pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "content"

# The copy's site answers each address with its status and page (run in the copy's folder).
_VISIT = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from catalogue import create_app
    from catalogue.index.content import load_content

    folder = Path(sys.argv[1])
    app = create_app({"CONTENT_DIR": folder / "content", "INDEX_DIR": folder / "index",
                      "SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    client = app.test_client()
    pages = {}
    for address in json.loads(sys.argv[2]):
        response = client.get(address)
        pages[address] = [response.status_code, response.get_data(as_text=True)]
    problems = [str(error) for error in load_content(folder / "content").errors]
    print(json.dumps({"pages": pages, "problems": problems}))
""")


def site_with(tmp_path: Path, edits: dict[str, tuple[str, str]], providers: dict[str, str], addresses: list[str]):
    """The package copied with ``edits`` (file -> (after this line, insert this)), over the fixture content
    and ``providers`` (slug -> front matter): each address's status and page, and the content's problems."""
    tree = tmp_path / "tree"
    for folder in ("catalogue", "templates", "static", "translations"):
        shutil.copytree(ROOT / folder, tree / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name, (anchor, added) in edits.items():
        path = tree / "catalogue" / name
        source = path.read_text(encoding="utf-8")
        assert source.count(anchor) == 1, f"{name}: the anchor must be there once"
        path.write_text(source.replace(anchor, anchor + added), encoding="utf-8")
    shutil.copytree(FIXTURES, tmp_path / "content")
    for slug, front in providers.items():
        text = f"---\n{front.strip()}\n---\nText.\n"
        (tmp_path / "content" / "providers" / f"{slug}.md").write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _VISIT, str(tmp_path), json.dumps(addresses)], cwd=tree,
                          capture_output=True, text=True, check=True)  # fmt: skip
    answer = json.loads(done.stdout.splitlines()[-1])
    return {address: (status, page) for address, (status, page) in answer["pages"].items()}, answer["problems"]


BASE = """
summary: Ett ställe att vara på.
status: active
reviewed: 2025-01-15
district: farsta
sources:
  - title: Verksamhetens webbplats
    date: 2025
"""


def test_a_plain_provider_field_is_one_row(tmp_path):
    """The example: whether pets are welcome, a yes/no that providers can tell us."""
    row = (
        '    ProviderField("pets", checks.boolean, _l("Husdjur välkomna"), compare=True, api=True, describes=True,\n'
        '                  section="for-vem", ask_as=Ask("yes_no")),\n'
    )
    providers = {
        "hundkollot": "name: Hundkollot" + BASE + "pets: true",
        "utan-husdjur": "name: Utan husdjur" + BASE,
        "kanske-hundar": "name: Kanske hundar" + BASE + "pets: kanske",
    }
    addresses = ["/verksamhet/hundkollot", "/verksamhet/utan-husdjur", "/api/v1/verksamhet/hundkollot",
                 "/api/v1/openapi.json", "/verksamhet/hundkollot/foresla-andring",
                 "/jamfor?v=hundkollot&v=utan-husdjur"]  # fmt: skip
    pages, problems = site_with(
        tmp_path, {"facts/fields.py": ('    ProviderField("name", checks.text(MAX_NAME, single_line=True), '
                                       'api=True, swedish=True),\n', row)}, providers, addresses)  # fmt: skip

    assert all(status == 200 for status, _page in pages.values()), {a: s for a, (s, _p) in pages.items()}
    stated = pages["/verksamhet/hundkollot"][1]
    assert "Husdjur välkomna" in stated and "Ja" in stated[stated.index("Husdjur välkomna") :]
    unknown = pages["/verksamhet/utan-husdjur"][1]
    assert "husdjur välkomna" in unknown[unknown.index("Vi vet ännu inte") :]  # unknown, not "Nej"
    assert json.loads(pages["/api/v1/verksamhet/hundkollot"][1])["pets"] is True
    schema = json.loads(pages["/api/v1/openapi.json"][1])
    assert {"type": ["boolean", "null"]} in _schemas_named(schema, "pets")
    assert 'name="pets"' in pages["/verksamhet/hundkollot/foresla-andring"][1]
    assert "Husdjur välkomna" in pages["/jamfor?v=hundkollot&v=utan-husdjur"][1]
    assert any("kanske-hundar.md" in problem and "pets: ska vara true eller false" in problem for problem in problems)


def test_a_filter_is_one_facet_line(tmp_path):
    """The example: "Tillgänglighet", over a field and a vocabulary that exist (a new vocabulary is one entry
    in ``facts/vocabulary.py``, as the field's row names it)."""
    line = '    ChoiceFacet("tillganglighet", "physical_accessibility", _l("Tillgänglighet"), _l("hur lokalen är")),\n'
    providers = {
        "stegfria-huset": "name: Stegfria huset" + BASE + "physical_accessibility: [stegfritt, horslinga]",
        "trappuset": "name: Trapphuset" + BASE + "physical_accessibility: [horslinga]",
        "okanda-huset": "name: Okända huset" + BASE,
    }
    addresses = ["/sok", "/sok?tillganglighet=stegfritt", "/api/v1/sok?tillganglighet=stegfritt",
                 "/api/v1/openapi.json", "/sok?tillganglighet=hiss", "/api/v1/sok?tillganglighet=hiss"]  # fmt: skip
    pages, problems = site_with(
        tmp_path, {"query/facets.py": ("FACETS: tuple[Facet, ...] = (\n", line)}, providers, addresses
    )

    assert problems == []
    form = pages["/sok"][1]
    assert 'name="tillganglighet"' in form and "Stegfri entré" in form
    chosen = pages["/sok?tillganglighet=stegfritt"][1]
    assert "Stegfria huset" in chosen and "Trapphuset" not in chosen.split("Kan också passa")[0]
    assert "Ta bort filtret Tillgänglighet: Stegfri entré" in chosen
    twin = json.loads(pages["/api/v1/sok?tillganglighet=stegfritt"][1])
    assert [hit["slug"] for hit in twin["results"]] == ["stegfria-huset"]
    maybe = {hit["slug"] for hit in twin["maybe"]["results"]}
    assert "okanda-huset" in maybe and "trappuset" not in maybe  # unknown is not no; a stated other value is
    parameters = json.loads(pages["/api/v1/openapi.json"][1])["paths"]["/sok"]["get"]["parameters"]
    assert "tillganglighet" in {parameter["name"] for parameter in parameters}
    assert pages["/sok?tillganglighet=hiss"][0] == 400 and "Tillgänglighet" in pages["/sok?tillganglighet=hiss"][1]
    assert json.loads(pages["/api/v1/sok?tillganglighet=hiss"][1])["parameter"] == "tillganglighet"


def _schemas_named(document, name: str) -> list:
    """Every schema given for a property of that name, anywhere in an OpenAPI document."""
    found = []
    if isinstance(document, dict):
        properties = document.get("properties")
        if isinstance(properties, dict) and name in properties:
            found.append(properties[name])
        for value in document.values():
            found += _schemas_named(value, name)
    elif isinstance(document, list):
        for value in document:
            found += _schemas_named(value, name)
    return found
