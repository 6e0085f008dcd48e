"""Work over many files or documents shared between processes, when there is enough of it.

Forking costs tens of milliseconds and every result is pickled back: worth it only for large catalogues.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from typing import TypeVar

PARALLEL_FROM = 1000  # items; below this one process is faster than starting two
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


def processes_for(count: int) -> int:
    """Two processes for large work, unless other threads run here: forking a process whose other threads
    may hold a lock (a threaded server's) can leave the child waiting for it forever."""
    if count < PARALLEL_FROM or threading.active_count() > 1:
        return 1
    return min(2, os.cpu_count() or 1)


def fork_map(work: Callable[[_Item], _Result], items: list[_Item], size: int) -> list[_Result]:
    """``[work(item) for item in items]``, in order, on forked processes when ``size`` (files, documents)
    is large.

    ``work`` must be a module-level function; what it reads besides its item (set before the call)
    reaches the children by the fork itself, never by pickling."""
    processes = processes_for(size)
    if processes == 1:
        return [work(item) for item in items]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return pool.map(work, items, chunksize=max(1, len(items) // (8 * processes)))
