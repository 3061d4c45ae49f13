"""Faults under load, against a real gunicorn: LibreOffice killed, a worker killed. Nothing partial is served."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from pypdf import PdfReader

from tests.conftest import family_case
from tests.conftest import running_gunicorn

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def server() -> Iterator[tuple[str, subprocess.Popen]]:
    """A private gunicorn (2 workers) for faults, so the shared server is not disturbed."""
    with running_gunicorn(workers=2) as running:
        yield running


def children(pid: int) -> list[int]:
    """Return the direct children of a process, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def gunicorn_workers(pid: int) -> list[int]:
    """Return the master's gunicorn workers (not the job workers or the heavy lane it also starts)."""
    return [child for child in children(pid) if "service worker" not in cmdline(child) and not heavy_lane(child)]


def heavy_lane(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return b"ATTENDANCE_LANE=heavy" in f.read().split(b"\0")
    except OSError:
        return False


def descendants(pid: int) -> list[int]:
    out = []
    for child in children(pid):
        out += [child, *descendants(child)]
    return out


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def post(url: str, document: str, family: str, query: str = "") -> httpx.Response | Exception:
    body = json.dumps(family_case(family)).encode()
    try:
        return httpx.post(f"{url}/api/v1/documents/{document}{query}", content=body,
                          headers={"Content-Type": "application/json"}, timeout=60)
    except httpx.TransportError as exc:
        return exc


def complete_pdf(response: httpx.Response) -> bool:
    reader = PdfReader(io.BytesIO(response.content))
    return len(reader.pages) >= 1 and bool(reader.pages[0].extract_text())


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_killed_during_load(server):
    url, proc = server
    letter = ("leave-refusal", "holiday-two-children", "?format=pdf")
    assert post(url, *letter).status_code == 200  # warm
    stop = threading.Event()

    def killer() -> None:
        time.sleep(0.5)
        for pid in descendants(proc.pid):
            if "soffice" in cmdline(pid):
                os.kill(pid, signal.SIGKILL)
        stop.set()

    threading.Thread(target=killer).start()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: post(url, *letter), range(16)))
    stop.wait(10)
    for result in results:
        assert not isinstance(result, Exception), result
        if result.status_code == 200:
            assert complete_pdf(result)
        else:
            assert result.status_code == 503, result.text
            assert result.headers["content-type"] == "application/problem+json"
    after = post(url, *letter)
    assert after.status_code == 200
    assert complete_pdf(after)


def test_worker_killed_during_load(server):
    url, proc = server
    form = ("generic-request", "holiday-two-children", "")
    workers = gunicorn_workers(proc.pid)
    assert len(workers) == 2

    def killer() -> None:
        time.sleep(0.3)
        os.kill(workers[0], signal.SIGKILL)

    threading.Thread(target=killer).start()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: post(url, *form), range(40)))
    for result in results:
        if isinstance(result, Exception):
            continue  # the connection broke: the client knows it got nothing
        assert result.status_code == 200, result.text[:200]
        assert complete_pdf(result)
        assert "generic-request-fairweather-zoe" in result.headers["content-disposition"]
    for _ in range(100):
        if len(gunicorn_workers(proc.pid)) >= 2 and workers[0] not in children(proc.pid):
            break
        time.sleep(0.1)
    assert len(gunicorn_workers(proc.pid)) >= 2  # gunicorn replaced the worker
    assert complete_pdf(post(url, *form))
