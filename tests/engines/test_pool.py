"""The converter pool and the ordered parallel map a batch of PDF letters runs on."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from service.engines.pool import ConverterPool
from service.engines.pool import ordered_map


class Meeting:
    """A converter whose conversion waits until `parties` conversions are in flight at once: a pool that
    converted one at a time would break the barrier (BrokenBarrierError) instead of returning."""

    def __init__(self, barrier: threading.Barrier, used: list[int]) -> None:
        self.barrier, self.used = barrier, used

    def convert(self, docx: bytes) -> bytes:
        self.used.append(id(self))
        self.barrier.wait()
        return b"%PDF-" + docx

    def available(self) -> tuple[bool, str]:
        return True, "LibreOffice 7.4, warm"


def test_conversions_run_side_by_side_each_on_its_own_converter():
    barrier, used = threading.Barrier(2, timeout=10), []
    pool = ConverterPool(2, lambda: Meeting(barrier, used))
    with ThreadPoolExecutor(2) as threads:
        pdfs = list(threads.map(pool.convert, [b"one", b"two"]))
    assert pdfs == [b"%PDF-one", b"%PDF-two"]
    assert sorted(used) == sorted(id(c) for c in pool.converters)  # each converter took one
    assert pool.available() == (True, "2 × LibreOffice 7.4, warm")


def test_a_busy_pool_waits_for_an_idle_converter():
    barrier, used = threading.Barrier(1), []
    pool = ConverterPool(1, lambda: Meeting(barrier, used))
    with ThreadPoolExecutor(4) as threads:
        assert list(threads.map(pool.convert, [b"a", b"b", b"c", b"d"])) == [b"%PDF-a", b"%PDF-b", b"%PDF-c", b"%PDF-d"]
    assert len(used) == 4 and len(set(used)) == 1


def test_ordered_map_keeps_the_order_and_holds_a_bounded_window():
    started, lock = [], threading.Lock()
    gates = {n: threading.Event() for n in range(40)}

    def work(n: int) -> int:
        with lock:
            started.append(n)
        if n % 3 == 0:  # some finish only after later ones: the order must still hold
            gates[n].wait(timeout=10)
        return n * n

    got = []
    for result in ordered_map(work, _releasing(range(40), gates), workers=3):
        got.append(result)
        with lock:
            assert len(started) <= len(got) + 2 * 3  # never more than the window ahead
    assert got == [n * n for n in range(40)]


def _releasing(items, gates):
    for n in items:
        if n >= 3:
            gates[n - 3].set()
        yield n
    for gate in gates.values():
        gate.set()


def test_ordered_map_raises_the_first_failure_in_order():
    def work(n: int) -> int:
        if n == 5:
            raise ValueError("pupil 5")
        return n

    results = ordered_map(work, range(20), workers=2)
    got = [next(results) for _ in range(5)]
    with pytest.raises(ValueError, match="pupil 5"):
        next(results)
    assert got == [0, 1, 2, 3, 4]


def test_a_pool_needs_a_converter():
    with pytest.raises(ValueError, match="at least one"):
        ConverterPool(0, lambda: Meeting(threading.Barrier(1), []))
