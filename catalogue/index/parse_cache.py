"""Each content file's parse result, kept by its text: a file unchanged since the last build is not
read and checked again.

Kept beside the index (``INDEX_DIR/parsed-files.pickle``, written by this process only) and valid for
one release of the code and one places.yml: a change to either checks every file anew, and so does a
missing or unreadable cache. Only files without errors are kept: a file with errors is checked again
each time, so an error is always today's (its ``file:line`` message exactly as parsing gives it).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from catalogue.facts.checks import ContentError
from catalogue.index.parallel import fork_map

FILE_NAME = "parsed-files.pickle"
PACKAGE = Path(__file__).resolve().parent.parent
Parsed = tuple[dict[str, Any] | None, list[ContentError]]
Item = tuple[str, Path, str]  # (folder, path, text)


@functools.cache
def code_release() -> str:
    """A digest of the code that checks and analyses a file: the package's source, and every installed
    library's version (Whoosh's analysis, the word tables made from wordfreq, Markdown, nh3 ...).

    Read when the package is imported, so that it describes the code running, not a newer one pulled
    onto the disk before a restart."""
    digest = hashlib.sha256()
    for source in sorted(PACKAGE.rglob("*.py")):
        digest.update(str(source.relative_to(PACKAGE)).encode() + b"\0" + source.read_bytes())
    libraries = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions())
    digest.update("\0".join(libraries).encode())
    return digest.hexdigest()


class ParseCache:
    def __init__(self, path: Path | None, context: str) -> None:
        """``context``: everything besides a file's own text that its checks read (the places file)."""
        self.path = path
        self._salt = hashlib.sha256(f"{code_release()}\0{context}".encode()).digest()
        self._entries = self._read()
        self._kept: dict[bytes, Parsed] = {}

    def _read(self) -> dict[bytes, Parsed]:
        if self.path is None:
            return {}
        try:
            with open(self.path, "rb") as file:
                entries = pickle.load(file)
        except Exception:  # none yet, half-written by a crash, or from another Python: check every file anew
            return {}
        return entries if isinstance(entries, dict) else {}

    def _key(self, item: Item) -> bytes:
        folder, path, text = item
        return hashlib.sha256(self._salt + f"{folder}\0{path}\0{text}".encode()).digest()

    def parse_all(self, items: list[Item], parse: Callable[[Item], Parsed]) -> list[Parsed]:
        """Each item's result, in order: remembered ones as they were, the rest parsed (in parallel if many)."""
        keys = [self._key(item) for item in items]
        missing = [index for index, key in enumerate(keys) if key not in self._entries]
        fresh = dict(zip(missing, fork_map(parse, [items[index] for index in missing], len(missing)), strict=True))
        results = [fresh[index] if index in fresh else self._entries[key] for index, key in enumerate(keys)]
        # A file with errors is checked again next time: "a date in the future" is right today, not tomorrow.
        self._kept = {key: result for key, result in zip(keys, results, strict=True) if not result[1]}
        return results

    def save(self) -> None:
        """Keep the results of this load only (files gone are forgotten); a failure to write costs speed only."""
        if self.path is None or self._kept.keys() == self._entries.keys():
            return
        temporary = self.path.with_name(f".{self.path.name}-{os.getpid()}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as file:
                pickle.dump(self._kept, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except OSError:
            temporary.unlink(missing_ok=True)


code_release()  # now, while the code on disk is the code imported
