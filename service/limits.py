"""Time limits for work on untrusted input: a hostile PDF must not hold a worker, nor a request its lane.

Two bounds. `time_limit(seconds)` bounds one piece of work (one attachment's parse). `request_budget` gives a
whole request a deadline counted from its arrival (`ATTENDANCE_REQUEST_BUDGET`, 20 s): every time_limit inside
it is cut to what is left, and past the deadline TimeBudgetExceeded stops the request (503
time_budget_exceeded), whatever the number of attachments; long work belongs to jobs.

The limit interrupts pure-Python work (pypdf, pyHanko) in any thread: SIGALRM in the main thread (gunicorn's
sync workers), an asynchronous exception in other threads (the front's gthread workers). It is raised inside
the work as `_Expired`, a BaseException, because pypdf swallows `Exception` in places (a form XObject that
fails to extract is logged and skipped: measured, a SIGALRM'd `TimeLimitExceeded` let a 1 KB PDF run 6 s
under a 1 s limit), and it is raised again every 50 ms until the block ends; the block's caller sees
TimeLimitExceeded (or TimeBudgetExceeded). C code (zlib) is not interrupted: pypdf's decompression caps
bound it.
"""

from __future__ import annotations

import ctypes
import math
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import FrameType

PDF_PARSE_SECONDS = 5.0
REQUEST_BUDGET_SECONDS = 20.0
_REPEAT = 0.05  # seconds between re-raises, should the work swallow one

_DEADLINE: ContextVar[float | None] = ContextVar("request_deadline", default=None)
_BUDGET: ContextVar[float | None] = ContextVar("request_budget", default=None)


class TimeLimitExceeded(Exception):
    """The work took longer than its limit."""


class TimeBudgetExceeded(TimeLimitExceeded):
    """The request's time budget, counted from its arrival, has run out."""

    def __init__(self, budget: float | None = None) -> None:
        super().__init__(f"the request's time budget ({budget or 0:g} s) has run out")
        self.budget = budget


class _Expired(BaseException):
    """Raised inside the limited work; a BaseException so that `except Exception` in a library lets it by."""


class BudgetSettingError(ValueError):
    """ATTENDANCE_REQUEST_BUDGET is not a usable number of seconds: the service must not start."""


def budget_seconds(value: object, worker_timeout: float | None = None) -> float:
    """Return the request budget from a setting; raise BudgetSettingError for anything but a finite number
    of seconds from 1 to below gunicorn's worker timeout (past that, the budget could never answer first)."""
    if value is None or value == "":
        seconds = REQUEST_BUDGET_SECONDS
    else:
        try:
            seconds = float(str(value).strip())
        except ValueError:
            shown = str(value)[:40]
            raise BudgetSettingError(f"ATTENDANCE_REQUEST_BUDGET {shown!r} is not seconds") from None
    if not math.isfinite(seconds) or seconds < 1:
        raise BudgetSettingError(f"ATTENDANCE_REQUEST_BUDGET {seconds:g} s: give 1 s or more")
    if worker_timeout is not None and seconds >= worker_timeout - 5:
        raise BudgetSettingError(
            f"ATTENDANCE_REQUEST_BUDGET {seconds:g} s must end at least 5 s before the worker timeout "
            f"({worker_timeout:g} s), or a slow request meets gunicorn's timeout instead of its budget"
        )
    return seconds


@contextmanager
def request_budget(seconds: float, arrived: float | None = None) -> Iterator[None]:
    """Give the work inside a deadline `seconds` after `arrived` (epoch seconds; default now)."""
    start_budget(seconds, arrived)
    try:
        yield
    finally:
        end_budget()


def start_budget(seconds: float, arrived: float | None = None) -> None:
    """Set this request's deadline, counted from its arrival (a request hook; end_budget clears it)."""
    _DEADLINE.set((arrived if arrived is not None else time.time()) + seconds)
    _BUDGET.set(seconds)


def end_budget() -> None:
    """Clear the request's deadline (the thread serves other requests next)."""
    _DEADLINE.set(None)
    _BUDGET.set(None)


def remaining() -> float | None:
    """Return the seconds left in this request's budget (may be negative), or None without one."""
    deadline = _DEADLINE.get()
    return None if deadline is None else deadline - time.time()


def check_budget() -> None:
    """Raise TimeBudgetExceeded when this request's budget has run out."""
    left = remaining()
    if left is not None and left <= 0:
        raise TimeBudgetExceeded(_BUDGET.get())


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds`, or when the request's budget ends if that is sooner:
    TimeLimitExceeded, or TimeBudgetExceeded when it was the budget."""
    left = remaining()
    check_budget()
    by_budget = left is not None and left < seconds
    limit = left if by_budget and left is not None else seconds
    expired = TimeBudgetExceeded(_BUDGET.get()) if by_budget else TimeLimitExceeded(f"over {seconds:g} s")
    main = threading.current_thread() is threading.main_thread()
    try:
        with _alarm(limit) if main else _async_alarm(limit):
            yield
    except _Expired:
        raise expired from None


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT)  # again every 50 ms, should one be swallowed
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _set_async_exc(thread: int, exc: type[BaseException] | None) -> None:
    """Raise `exc` in `thread` at its next bytecode (None withdraws a pending one): CPython's API."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), ctypes.py_object(exc) if exc else None)


@contextmanager
def _async_alarm(seconds: float) -> Iterator[None]:
    """The limit in a thread other than the main one: a watcher thread raises _Expired in it."""
    target = threading.get_ident()
    done = threading.Event()
    lock = threading.Lock()

    def watch() -> None:
        wait = seconds
        while not done.wait(wait):
            with lock:
                if not done.is_set():
                    _set_async_exc(target, _Expired)
            wait = _REPEAT

    watcher = threading.Thread(target=watch, name="time-limit", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        with lock:
            done.set()
            _set_async_exc(target, None)  # withdraw one raised but not yet delivered
