"""Time limits for work on untrusted input (a hostile PDF must not hold a worker)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

PDF_PARSE_SECONDS = 5.0


class TimeLimitExceeded(Exception):
    """The work took longer than its limit."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` with TimeLimitExceeded.

    Uses SIGALRM, so it acts only in the main thread (gunicorn's sync workers run requests there); in other
    threads the block runs unlimited and the gunicorn worker timeout remains the backstop.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise TimeLimitExceeded(f"over {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
