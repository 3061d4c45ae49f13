"""/metrics is the service's (every worker of both lanes, across recycling) and /health says how each
LibreOffice really is, against a real gunicorn (issue 15, items 6 and 7)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import time

import httpx
import pytest

from tests.conftest import family_case
from tests.conftest import running_gunicorn
from tests.e2e.test_faults import cmdline
from tests.e2e.test_faults import complete_pdf
from tests.e2e.test_faults import descendants
from tests.e2e.test_faults import gunicorn_workers

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
LETTER = "/api/v1/documents/leave-refusal?format=pdf"


def sample(text: str, name: str, **labels: str) -> float | None:
    """Return one sample's value from a Prometheus exposition, or None when it is absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    match = re.search(rf"^{re.escape(name)}\{{{re.escape(wanted)}\}} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else None


def scrape(url: str) -> str:
    response = httpx.get(f"{url}/metrics", timeout=10)
    assert response.status_code == 200
    return response.text


def letter(url: str) -> httpx.Response:
    return httpx.post(f"{url}{LETTER}", content=json.dumps(family_case("holiday-two-children")).encode(),
                      headers={"Content-Type": "application/json"}, timeout=60)


def converter(url: str) -> dict:
    return httpx.get(f"{url}/health", timeout=10).json()["engines"]["converter"]


def wait_for(check, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@needs_libreoffice
def test_metrics_are_the_services_across_workers_lanes_and_recycling():
    with running_gunicorn(workers=2) as (url, proc):
        for _ in range(30):
            assert httpx.get(f"{url}/api/v1/councils", timeout=10).status_code == 200
        councils = {"method": "GET", "route": "/api/v1/councils", "status": "200"}
        # Before: each scrape read the counts of whichever worker answered (12, 12, 53, 12).
        assert [sample(scrape(url), "attendance_requests_total", **councils) for _ in range(8)] == [30.0] * 8
        made = letter(url)  # made in the heavy lane, counted in the front's /metrics
        assert made.status_code == 200 and complete_pdf(made)
        documents = {"document": "leave-refusal", "format": "pdf"}
        assert [sample(scrape(url), "attendance_documents_total", **documents) for _ in range(4)] == [1.0] * 4
        text = scrape(url)
        for name in ("attendance_conversion_queue_depth", "attendance_libreoffice_restarts_total",
                     "attendance_time_budget_exhausted_total", "attendance_shed_total"):
            assert f"# TYPE {name.removesuffix('_total')}" in text, name
        for worker in gunicorn_workers(proc.pid):  # every front worker killed and replaced: counts stay
            os.kill(worker, signal.SIGKILL)
            wait_for(lambda w=worker: w not in gunicorn_workers(proc.pid) and len(gunicorn_workers(proc.pid)) == 2)
        assert sample(scrape(url), "attendance_requests_total", **councils) == 30.0
        assert sample(scrape(url), "attendance_documents_total", **documents) == 1.0


@needs_libreoffice
def test_health_reports_each_libreoffice_dead_at_once_and_readiness_holds():
    with running_gunicorn(workers=2) as (url, proc):
        wait_for(lambda: [p["state"] for p in converter(url)["processes"]] == ["warm", "warm"])
        for pid in descendants(proc.pid):
            if "soffice" in cmdline(pid):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.3)
        started = time.monotonic()
        now = converter(url)
        assert time.monotonic() - started < 1
        # Before: "LibreOffice 7.4, warm" (the front's own converter, which never starts) while both were dead.
        assert now["state"] == "dead" and [p["state"] for p in now["processes"]] == ["dead", "dead"]
        assert now["available"] is True  # a fresh LibreOffice starts on the next letter
        assert httpx.get(f"{url}/health/ready", timeout=10).status_code == 200
        made = letter(url)
        assert made.status_code == 200 and complete_pdf(made)
        assert "warm" in [p["state"] for p in converter(url)["processes"]]
        text = scrape(url)  # the worker found its LibreOffice dead (died mid-request, or exited before)
        restarts = [sample(text, "attendance_libreoffice_restarts_total", reason=r) for r in ("died", "exited")]
        assert sum(restarts) == 1.0


@pytest.mark.parametrize("lanes", ["on", "off"])
def test_ready_fails_when_no_converter_can_start(lanes):
    env = {"PATH": "/nonexistent", "ATTENDANCE_LANES": lanes}  # no soffice to be found
    with running_gunicorn(workers=1, env=env) as (url, _):
        wait_for(lambda: converter(url)["processes"] != [])
        ready = httpx.get(f"{url}/health/ready", timeout=10)
        assert ready.status_code == 503
        assert ready.headers["content-type"] == "application/problem+json"
        assert ready.json()["code"] == "not_ready" and "not installed" in ready.json()["detail"]
        assert converter(url)["state"] == "unavailable"
        health = httpx.get(f"{url}/health", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok"  # alive, not ready
