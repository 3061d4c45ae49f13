"""The jobs of one machine started by the gunicorn master: README's one command runs jobs with no Redis.

Without ATTENDANCE_REDIS_URL the master makes a private folder in /dev/shm for Huey's SQLite file, a key if
none is set, and starts `python -m service worker` (ATTENDANCE_JOB_WORKERS processes, default 1) as its
child; the gunicorn workers it forks inherit the settings. With Redis, the settings are checked here (a
wrong one stops the start) and workers run where the operator starts them (or here, with
ATTENDANCE_JOB_WORKERS set).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from service.jobs.settings import Settings
from service.jobs.settings import new_key
from service.jobs.worker import embedded_process
from service.processes import end


@dataclass
class Started:
    """What the master started: the worker process and, embedded, the folder to remove."""

    process: subprocess.Popen[bytes] | None
    folder: str | None


def start() -> Started:
    """Set up the jobs settings in this (master) process's environment and start the local workers."""
    env = os.environ
    folder = None
    if not env.get("ATTENDANCE_REDIS_URL") and not env.get("ATTENDANCE_JOBS_DATABASE"):
        base = "/dev/shm" if os.path.isdir("/dev/shm") else None
        folder = tempfile.mkdtemp(prefix="attendance-jobs-", dir=base)
        env["ATTENDANCE_JOBS_DATABASE"] = os.path.join(folder, "jobs.db")
        env.setdefault("ATTENDANCE_JOBS_KEY", new_key())  # one machine: a key for this run is enough
    settings = Settings.from_env()  # raises JobsMisconfigured: gunicorn does not start
    count = env.get("ATTENDANCE_JOB_WORKERS")
    workers = int(count) if count else (0 if settings.distributed else 1)
    process = embedded_process(workers) if workers > 0 else None
    return Started(process, folder)


def stop(started: Started | None) -> None:
    """Stop the local workers and remove the embedded queue's folder."""
    if started is None:
        return
    if started.process is not None:
        end(started.process, grace=30)
    if started.folder:
        shutil.rmtree(started.folder, ignore_errors=True)
