"""Every user-facing string goes through Babel: the committed template lists exactly what the code says."""
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).parent.parent


def msgids(path: Path) -> set:
    with path.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def test_messages_pot_is_up_to_date(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                                "--no-location", "--omit-header", "-o", str(fresh), "."])
    assert msgids(fresh) == msgids(ROOT / "translations" / "messages.pot"), \
        "run `make messages` and commit translations/messages.pot"
