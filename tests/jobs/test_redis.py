"""Jobs on a real Redis (Debian's redis-server, started here): workers on separate processes, a killed
worker's task finished by another, nothing readable or kept in Redis."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from service.jobs.queue import Jobs
from service.jobs.work import Spec
from tests.jobs.conftest import settings_for
from tests.jobs.test_embedded import REQUEST
from tests.jobs.test_embedded import many_cases
from tests.jobs.test_embedded import wait

ROOT = Path(__file__).resolve().parents[2]


def worker(settings, workers: int = 1, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    env = {
        **os.environ,
        **(env or {}),
        "ATTENDANCE_REDIS_URL": settings.redis_url,
        "ATTENDANCE_JOBS_KEY": settings.key.decode(),
        "ATTENDANCE_JOBS_TTL": str(settings.ttl),
        "ATTENDANCE_JOBS_LEASE": str(settings.lease),
        "ATTENDANCE_JOBS_CHUNK": str(settings.chunk),
    }
    return subprocess.Popen([sys.executable, "-m", "service", "worker", "--workers", str(workers), *extra], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def jobs(redis_url: str) -> Jobs:
    made = Jobs(settings_for(redis_url=redis_url, lease=2.0, chunk=30))
    made.backend.client.flushdb()
    return made


def values(client) -> list[bytes]:
    """Every value Redis holds, whatever the key's type (our strings, Huey's list and hashes)."""
    found = []
    for key in client.keys("*"):
        kind = client.type(key)
        if kind == b"string":
            found.append(client.get(key))
        elif kind == b"list":
            found += client.lrange(key, 0, -1)
        elif kind == b"hash":
            found += client.hvals(key)
        elif kind == b"zset":
            found += client.zrange(key, 0, -1)
    return found


def test_payloads_in_redis_are_not_readable(jobs: Jobs) -> None:
    case = many_cases(1)[0]
    jobs.submit(Spec("cases", REQUEST, "pdf", {}), {"cases": [case]})
    held = values(jobs.backend.client)
    assert len(held) >= 4  # the spec, the input, the bookkeeping, Huey's task message
    for value in held:
        assert case["pupils"][0]["surname"].encode() not in value and case["council"].encode() not in value
        assert case["council_details"]["email"].encode() not in value
        try:
            parsed = json.loads(value)
        except ValueError:
            continue
        assert not isinstance(parsed, (dict, list)), value[:80]  # only numbers or state words are plain
    for key in jobs.backend.client.keys("attendance:jobs:*"):
        assert jobs.backend.client.pttl(key) > 0  # every key expires


def test_a_killed_workers_job_finishes_on_another(jobs: Jobs) -> None:
    first = worker(jobs.settings)
    second = None
    try:
        submitted = jobs.submit(Spec("cases", REQUEST, "pdf", {}), {"cases": many_cases(60)})
        deadline = time.monotonic() + 60
        while jobs.status(submitted.id).done < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its processes die mid-chunk
        first.wait()
        before = jobs.status(submitted.id)
        assert before.state == "running" and before.done < 60
        second = worker(jobs.settings)
        done = wait(jobs, submitted.id, "done", timeout=90)
        assert done.produced == 60 and not done.failures
        with jobs.take_result(submitted.id) as result:
            archive = zipfile.ZipFile(result)
            assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 60
        # Downloaded: nothing personal is left, only the job's state word until the TTL.
        keys = {k.decode().split(":", 3)[-1] for k in jobs.backend.client.keys("attendance:jobs:*")}
        assert not {k for k in keys if k.split(":")[0] in ("input", "in", "out", "spec", "failures")}
    finally:
        stop(first)
        if second is not None:
            stop(second)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_two_worker_machines_share_a_job_and_each_serves_its_own_metrics(redis_url: str, tmp_path) -> None:
    # Two `python -m service worker` commands stand for two machines: same Redis and key, nothing else
    # shared (each its own metrics folder and port). One job's chunks spread over both.
    import httpx

    from tests.conftest import _free_port
    from tests.e2e.test_faults import cmdline
    from tests.e2e.test_faults import descendants

    jobs = Jobs(settings_for(redis_url=redis_url, lease=5.0, chunk=2))
    jobs.backend.client.flushdb()
    machines = []
    try:
        for name in ("a", "b"):
            folder = tmp_path / f"metrics-{name}"
            folder.mkdir()
            port = _free_port()
            proc = worker(jobs.settings, 1, "--metrics-port", str(port), env={"PROMETHEUS_MULTIPROC_DIR": str(folder)})
            machines.append((proc, f"http://127.0.0.1:{port}/metrics"))
        for proc, url in machines:  # each is up, its LibreOffice warm (the warm-up runs before the first task)
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(url, timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, "worker did not start"
                time.sleep(0.1)
            while not any("soffice.bin" in cmdline(p) for p in descendants(proc.pid)):
                assert proc.poll() is None and time.monotonic() < deadline, "no LibreOffice started"
                time.sleep(0.1)
        letters = 120  # a few seconds of work, in 60 chunks: both machines take some whatever their start
        submitted = jobs.submit(Spec("cases", "leave-refusal", "pdf", {}), {"cases": many_cases(letters)})
        done = wait(jobs, submitted.id, "done", timeout=240)
        assert done.produced == letters and not done.failures
        made = []
        for _, url in machines:
            text = httpx.get(url, timeout=5).text
            line = [x for x in text.splitlines()
                    if x.startswith('attendance_job_items_total{document="leave-refusal",status="produced"}')]
            made.append(float(line[0].split()[-1]) if line else 0.0)
        assert sum(made) == letters and all(n > 0 for n in made), made  # both machines made letters
    finally:
        for proc, _ in machines:
            stop(proc)
