"""One rule for every text that comes in, and for every text that goes out where its format is strict.

Coming in: a visitor's form, a provider's update, an editor's reply or name, and every content file
are held to the same rule. C0 control characters (but newline and tab; a browser's CRLF is a newline)
and the bidirectional overrides and isolates, which turn a name around on the screen, are refused
with a message, never stored, committed or published.

Going out: a git commit message carries each value on one line, quoted and shortened, so no value
can add a line (a "Signed-off-by:" trailer) or a NUL; XML (the Atom feeds) drops what XML 1.0 cannot
hold, whatever a file or the database says.
"""

from __future__ import annotations

import re
from typing import cast

from flask_babel import gettext as _

# C0 controls except tab (\x09) and newline (\x0a); \r is a line ending, made \n before checking.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")
# Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder what follows them.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# What XML 1.0 cannot carry even escaped: C0 controls but tab, newline and return; surrogates; FFFE/FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def normalized(text: str) -> str:
    """Line endings as one newline: what a textarea sends (CRLF) is what a file holds (LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def forbidden(text: str) -> str | None:
    """The first character the rule refuses, as its code point ("U+0007"), or None when the text may be kept."""
    found = _CONTROL.search(normalized(text)) or _BIDI.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def refusal() -> str:
    """What the visitor is told, in their language, when a text holds what the rule refuses."""
    return cast(
        str, _("Texten innehåller osynliga styrtecken. Skriv den igen utan dem, eller klistra in den som vanlig text.")
    )


def problem(text: str) -> str | None:
    """The refusal when a text holds what the rule refuses, else None."""
    return None if forbidden(text) is None else refusal()


def one_line(text: str, limit: int = 80) -> str:
    """A value inside a commit message or a log line: one line, quoted, shortened, nothing invisible."""
    plain = " ".join(_BIDI.sub("", _CONTROL.sub(" ", normalized(str(text)))).split())
    shortened = plain if len(plain) <= limit else plain[: limit - 1].rstrip() + "…"
    return f"”{shortened}”"


def xml_safe(text: str) -> str:
    """Text that XML 1.0 can carry: what it cannot is dropped (escaping is the template's job)."""
    return _NOT_XML.sub("", text)
