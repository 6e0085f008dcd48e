"""Every user-facing string goes through Babel: the committed template lists exactly what the code says."""

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from catalogue import i18n

ROOT = Path(__file__).parent.parent


def msgids(path: Path) -> set:
    with path.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def test_messages_pot_is_up_to_date(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--omit-header",
            "-o",
            str(fresh),
            ".",
        ]
    )
    assert msgids(fresh) == msgids(ROOT / "translations" / "messages.pot"), (
        "run `make messages` and commit translations/messages.pot"
    )


LANGUAGES = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT]  # a sixth language is checked too


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalogue_is_complete_and_nothing_is_fuzzy(lang):
    """The CI check: a new or changed text fails the build until it is translated into every language."""
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    expected = msgids(ROOT / "translations" / "messages.pot")
    assert {m.id for m in catalog if m.id} == expected, "run `make messages`"
    untranslated = [
        m.id
        for m in catalog
        if m.id and (not m.string or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == [] and not catalog.fuzzy


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_every_placeholder(lang):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    for message in catalog:
        if not message.id or isinstance(message.id, tuple):
            continue
        assert set(placeholder.findall(message.string)) == set(placeholder.findall(message.id)), message.id


def test_pages_are_translated(client):
    page = client.get("/fi/sok?stadsdel=farsta").get_data(as_text=True)
    assert "Suodata" in page and "2 paikkaa" in page and "Kaupunginosa" in page
    assert "Filtrera" not in page
    arabic = client.get("/ar/verksamhet/kafe-solsidan").get_data(as_text=True)
    assert "كيف تبدأ" in arabic and "لا نعرف بعد:" in arabic
    somali = client.get("/so/stadsdel/farsta").get_data(as_text=True)
    assert "Hawl maalmeedka Farsta" in somali
    english = client.get("/en/verksamhet/musikhuset").get_data(as_text=True)
    assert "January 20, 2025" in english  # dates in the page's language: the day Musikhuset confirmed its facts
