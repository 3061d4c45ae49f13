"""Jobs fixtures: the embedded queue (SQLite in the test's folder) with thread workers; a real Redis."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.jobs.queue import Jobs
from service.jobs.settings import Settings
from service.jobs.settings import new_key
from service.jobs.worker import ThreadWorkers


def settings_for(database: Path | None = None, redis_url: str | None = None, **changes: object) -> Settings:
    values = {"ttl": 60, "lease": 1.0, "chunk": 2, **changes}
    return Settings(redis_url, str(database) if database else None, new_key().encode(), **values)


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Jobs]:
    """Jobs on a SQLite file, run by two worker threads of this process."""
    jobs = Jobs(settings_for(tmp_path / "jobs.db"))
    workers = ThreadWorkers(jobs, workers=2).start()
    yield jobs
    workers.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis (Debian's redis-server) on a free port, in memory only; skipped where it cannot start."""
    server = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None
    )
    if server is None:
        pytest.skip("redis-server is not installed (scripts/setup installs Debian's redis-server)")
    port = _free_port()
    folder = tempfile.mkdtemp(prefix="redis-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    proc = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            folder,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    try:
        for _ in range(100):
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    break
            if proc.poll() is not None:
                pytest.skip(f"redis-server did not start (exit {proc.returncode})")
            time.sleep(0.05)
        else:
            pytest.skip("redis-server did not answer within 5 s")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
