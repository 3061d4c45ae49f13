"""Several warm LibreOffices behind the one Converter interface, and an ordered parallel map over them.

A batch of PDF letters in one process (the command-line import) would convert on one LibreOffice, one
letter at a time, leaving the other cores idle: LibreOffice converts in its own process, so threads that
render a letter (a few ms under the GIL) and then wait on their own LibreOffice (tens of ms, no GIL) keep
every LibreOffice busy. `ConverterPool` hands each conversion to an idle LibreOffice; `ordered_map` runs
the letters on threads and gives the results back in their order, holding a bounded window of them.
"""

from __future__ import annotations

import os
import queue
from collections import deque
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from service.engines import Converter

T = TypeVar("T")
R = TypeVar("R")


def default_size() -> int:
    """Return how many LibreOffices a batch on this machine should use: one per CPU."""
    return max(1, os.cpu_count() or 1)


class ConverterPool:
    """`size` converters (each its own LibreOffice); a conversion takes whichever is idle."""

    def __init__(self, size: int, make: Callable[[], Converter] | None = None) -> None:
        if size < 1:
            raise ValueError("a converter pool needs at least one converter")
        if make is None:
            from service.engines.libreoffice import LibreOfficeConverter

            make = LibreOfficeConverter
        self.converters = [make() for _ in range(size)]
        self._idle: queue.SimpleQueue[Converter] = queue.SimpleQueue()
        for converter in self.converters:
            self._idle.put(converter)

    @property
    def size(self) -> int:
        return len(self.converters)

    def convert(self, docx: bytes) -> bytes:
        """Convert on an idle converter (waiting for one when all are busy)."""
        converter = self._idle.get()
        try:
            return converter.convert(docx)
        finally:
            self._idle.put(converter)

    def available(self) -> tuple[bool, str]:
        ok, detail = self.converters[0].available()
        return ok, f"{self.size} × {detail}" if ok else detail

    def warm_up(self) -> bool:
        """Start every LibreOffice now, side by side (each takes about a second)."""
        with ThreadPoolExecutor(self.size) as pool:
            started = list(pool.map(lambda c: getattr(c, "warm_up", lambda: True)(), self.converters))
        return all(started)

    def close(self) -> None:
        """Stop every LibreOffice and remove their files."""
        for converter in self.converters:
            close = getattr(converter, "close", None)
            if close is not None:
                close()


def ordered_map(fn: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """Yield fn(item) for each item, in order, computed by `workers` threads; at most 2 × workers results
    wait at a time (a school's letters are not all held in memory). An exception is raised in order."""
    if workers <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="batch") as pool:
        window: deque[Future[R]] = deque()
        try:
            for item in items:
                window.append(pool.submit(fn, item))
                if len(window) >= 2 * workers:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()
        finally:
            for pending in window:
                pending.cancel()
