"""Timing for the benchmarks: run times in milliseconds, and their median and 95th percentile."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def samples(fn: Callable[[], object], runs: int, warm_up: int = 1) -> list[float]:
    """Return the run times of `fn` in milliseconds, after `warm_up` untimed calls."""
    for _ in range(warm_up):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def timed(fn: Callable[[], object], runs: int = 300) -> tuple[float, float]:
    """Return (median, p95) in milliseconds of `runs` calls after one untimed call."""
    ordered = sorted(samples(fn, runs))
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]
