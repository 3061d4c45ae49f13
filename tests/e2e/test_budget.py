"""A request's time budget against a real gunicorn: 13 small slow PDFs in one request are answered 503
time_budget_exceeded (problem+json) before the worker timeout, in both lanes and with lanes off, and /health
keeps answering meanwhile (issue 15, item 4)."""

from __future__ import annotations

import base64
import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import family_case
from tests.conftest import running_gunicorn
from tests.fuzz.test_hostile_pdfs import slow_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CASE = "irregular-one-child"  # a family at a council with no file: the budget holds for every council
PDFS = [slow_pdf(n) for n in range(13)]  # ~1 KB each, ~5 s each for pypdf: 65 s in all


def validate_multipart(url: str) -> tuple[httpx.Response, float]:
    files = [("attendance_certificate", (f"c{n}.pdf", pdf, "application/pdf")) for n, pdf in enumerate(PDFS)]
    started = time.monotonic()
    response = httpx.post(f"{url}/api/v1/cases/validate?document=generic-request",
                          data={"case": json.dumps(family_case(CASE))}, files=files, timeout=90)
    return response, time.monotonic() - started


def bundle(url: str) -> tuple[httpx.Response, float]:
    data = family_case(CASE)
    data["attachments"] = [{"kind": "attendance_certificate", "filename": f"c{n}.pdf",
                            "content_base64": base64.b64encode(pdf).decode()} for n, pdf in enumerate(PDFS)]
    started = time.monotonic()
    response = httpx.post(f"{url}/api/v1/bundles?document=generic-request", json=data, timeout=90)
    return response, time.monotonic() - started


def assert_budget_problem(response: httpx.Response, seconds: float, budget: float) -> None:
    # Before: gunicorn's HTML "Internal Server Error" at the 60 s worker timeout (or a minute's wait).
    assert response.status_code == 503, response.text[:300]
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "time_budget_exceeded"
    assert response.headers["retry-after"]
    assert seconds < budget + 8


def test_the_budget_holds_in_both_lanes_and_health_keeps_answering():
    with running_gunicorn(workers=2) as (url, _):
        with ThreadPoolExecutor(2) as pool:
            front = pool.submit(validate_multipart, url)  # the front's threads
            heavy = pool.submit(bundle, url)  # forwarded to the heavy lane's sync workers
            time.sleep(1)
            waits = []
            while not (front.done() and heavy.done()):
                started = time.monotonic()
                assert httpx.get(f"{url}/health", timeout=30).status_code == 200
                waits.append(time.monotonic() - started)
                time.sleep(0.5)
            assert_budget_problem(*front.result(), budget=20)
            assert_budget_problem(*heavy.result(), budget=20)
        print(f"validate {front.result()[1]:.1f} s, bundle {heavy.result()[1]:.1f} s, "
              f"/health at most {max(waits) * 1000:.0f} ms over {len(waits)} calls")
        assert waits and max(waits) < 1, waits  # before: /health stalled for 63 s behind two such requests
        metrics = httpx.get(f"{url}/metrics", timeout=10).text
        assert 'attendance_time_budget_exhausted_total{route="/api/v1/cases/validate"} 1.0' in metrics
        assert 'attendance_time_budget_exhausted_total{route="/api/v1/bundles"} 1.0' in metrics


def test_the_budget_holds_with_lanes_off():
    with running_gunicorn(workers=1, env={"ATTENDANCE_LANES": "off", "ATTENDANCE_REQUEST_BUDGET": "8"}) as (url, _):
        (validated, v), (bundled, b) = validate_multipart(url), bundle(url)
        assert_budget_problem(validated, v, budget=8)
        assert_budget_problem(bundled, b, budget=8)
        print(f"lanes off, budget 8 s: validate {v:.1f} s, bundle {b:.1f} s")
