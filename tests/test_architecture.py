"""The package's layers, as docs/architecture.md draws them: each part imports only the parts before it.

A part is a layer folder (``catalogue/search/``) or one of the shell's files. Within a folder,
modules may import each other; across parts, an import that runs up the order, or any cycle, fails here.
"""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "catalogue"

# From the bottom up: the shell's tables, the layers, the page kit, the pages, and the shell that builds the app.
ORDER = [
    "i18n", "db", "routes", "limits", "retention", "requestlog", "hosting", "assets",
    "facts", "language", "query", "index", "search",
    "page_kit", "errors",
    "site", "editorial", "opendata",
    "caching", "cli", "__init__",
]  # fmt: skip
ENGINE_LIMITS = {"lines": 40}  # complexity (15) is ruff's C901, for the whole package


def part_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imported_parts(path: Path) -> set[str]:
    """The parts a module imports from, whether at the top, inside a function or only for types."""
    parts = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("catalogue"):
            names = node.module.split(".")[1:] or [alias.name for alias in node.names]
            parts.update(names[:1] if node.module != "catalogue" else names)
        elif isinstance(node, ast.Import):
            parts.update(alias.name.split(".")[1] for alias in node.names if alias.name.startswith("catalogue."))
    return parts


def test_every_part_of_the_package_has_its_place_in_the_order():
    parts = {part_of(path) for path in PACKAGE.rglob("*.py")}
    assert parts == set(ORDER)


def test_no_part_imports_a_part_above_it():
    upward = []
    for path in PACKAGE.rglob("*.py"):
        here = part_of(path)
        for there in imported_parts(path) - {here}:
            if ORDER.index(there) > ORDER.index(here):
                upward.append(f"{path.relative_to(PACKAGE)} imports {there}")
    assert upward == []


def test_the_check_catches_an_upward_import(tmp_path):
    """The rule above is not vacuous: a lower layer naming a higher one is seen."""
    module = tmp_path / "facts.py"
    module.write_text("from catalogue.site import pages\n", encoding="utf-8")
    assert imported_parts(module) == {"site"} and ORDER.index("site") > ORDER.index("facts")


def test_the_engine_reads_no_request_and_writes_no_page_text():
    """The caller passes the language in; the views and the query layer say things in words."""
    for path in (PACKAGE / "search").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) flask", source, re.M), path.name
        assert "gettext" not in source, path.name


def test_the_engine_is_short_steps():
    """No function of the search engine is longer than about a screen (40 lines)."""
    long = []
    for path in (PACKAGE / "search").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > ENGINE_LIMITS["lines"]:
                    long.append(f"{path.name}:{node.name}: {lines} lines")
    assert long == []
