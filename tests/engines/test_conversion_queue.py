"""Load shedding: past the conversion queue's depth a letter is refused at once with 503 and Retry-After."""

from __future__ import annotations

import threading
import time

import pytest

from service import create_app
from service.engines import Engines
from service.engines.libreoffice import ConverterBusy
from service.engines.libreoffice import LibreOfficeConverter
from service.engines.libreoffice import QueueFull


@pytest.fixture
def held() -> LibreOfficeConverter:
    """A converter whose one conversion slot is taken (as by a long conversion); LibreOffice never starts."""
    conv = LibreOfficeConverter(max_queue=2, busy_timeout=1.5)
    conv._lock.acquire()
    yield conv
    conv._lock.release()
    conv.close()


def queue_up(conv: LibreOfficeConverter, n: int) -> list[threading.Thread]:
    outcomes: list[type] = []

    def wait() -> None:
        try:
            conv.convert(b"docx")
        except ConverterBusy as exc:
            outcomes.append(type(exc))

    threads = [threading.Thread(target=wait) for _ in range(n)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 5
    while conv.queue_depth < n and time.monotonic() < deadline:
        time.sleep(0.01)
    return threads


def test_past_the_queue_depth_a_conversion_is_refused_at_once(held):
    waiting = queue_up(held, 2)
    assert held.queue_depth == 2
    started = time.monotonic()
    with pytest.raises(QueueFull):
        held.convert(b"docx")
    assert time.monotonic() - started < 0.5  # shed, not queued
    assert held.shed == 1
    for t in waiting:
        t.join(5)
    assert held.queue_depth == 0


def test_a_full_queue_answers_503_with_retry_after_and_is_counted(held, family):
    app = create_app({"TESTING": True, "ENGINES": Engines(converter=held)})
    client = app.test_client()
    waiting = queue_up(held, 2)
    response = client.post("/api/v1/documents/leave-refusal?format=pdf", json=family("holiday-two-children"))
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "conversion_queue_full"
    assert int(response.headers["Retry-After"]) > 0
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'attendance_failures_total{code="conversion_queue_full"} 1.0' in metrics
    for t in waiting:
        t.join(5)
