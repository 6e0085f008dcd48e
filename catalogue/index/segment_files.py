"""Whoosh reads a segment's files through its memory map without copying them.

Whoosh-Reloaded 2.7.5 (pinned) maps each compound segment file, then wraps every part it opens in a
``BytesIO``, which copies the part: each reader held a private copy of every term index and postings
file, 265 MB at 50,000 offerings, once per thread's searcher (BENCHMARKS.md, "Issue 28"). A
``ViewReader`` reads the same bytes from the map itself, so the pages are the file's and every process
and thread shares them.
"""

from __future__ import annotations

import io
from typing import Any

from whoosh.filedb import structfile


class ViewReader(io.RawIOBase):
    """A read-only, seekable file over a memoryview: a read copies only what it returns."""

    def __init__(self, view: memoryview) -> None:
        super().__init__()
        self._view, self._position = view, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), len(self._view) - self._position)
        buffer[:size] = self._view[self._position : self._position + size]
        self._position += size
        return size

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(self._position + size, len(self._view))
        data = self._view[self._position : end].tobytes()
        self._position = max(self._position, end)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(self._position + size, len(self._view))
        found = bytes(self._view[self._position : end]).find(b"\n")  # lines are read only from small files
        return self.read((found + 1) if found >= 0 else end - self._position)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._view)}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position


def _buffer_file_init(self: structfile.BufferFile, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    self._buf = buf
    self._name = name
    self.file = ViewReader(memoryview(buf))
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def install() -> None:
    """Make Whoosh's in-memory files read the map (idempotent)."""
    structfile.BufferFile.__init__ = _buffer_file_init
