"""Job workers: Huey's consumer with the reaper beside it, as a command, a child of gunicorn, or threads.

`python -m service worker --workers N` runs N worker processes (each with its own warm LibreOffice) against
the queue the environment names: any number of machines can run it against one Redis. Without Redis, the
gunicorn master starts one such command on its own SQLite file (`embedded_process`), and an app created
outside gunicorn runs its jobs in threads of its own process (`ThreadWorkers`).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading

from huey.consumer import Worker

from service.jobs.queue import JobEvents
from service.jobs.queue import Jobs
from service.jobs.settings import Settings

log = logging.getLogger(__name__)


class Reaper(threading.Thread):
    """Every half lease, put back the tasks whose worker died (any worker's reaper may do it: CAS)."""

    def __init__(self, jobs: Jobs) -> None:
        super().__init__(name="jobs-reaper", daemon=True)
        self.jobs = jobs
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.jobs.settings.lease / 2):
            try:
                self.jobs.reap()
            except Exception as exc:  # the store away for a moment: try again next round
                log.warning("reaper: %s", type(exc).__name__)


def run(settings: Settings, workers: int, warm: bool = True, events: JobEvents | None = None) -> None:
    """Run the consumer in this process until SIGINT/SIGTERM: `workers` processes and the reaper; `events`
    (the metrics) hear what the jobs do."""
    jobs = Jobs(settings, events=events)
    if warm:

        @jobs.huey.on_startup()
        def warm_up() -> None:  # in each worker process: LibreOffice starts before the first letter
            converter = jobs.engines().converter
            if hasattr(converter, "warm_up"):
                converter.warm_up()

    consumer = jobs.huey.create_consumer(
        workers=workers,
        worker_type="process",
        periodic=False,
        initial_delay=0.05,
        max_delay=0.5,
        health_check_interval=2,
    )
    Reaper(jobs).start()
    log.info("job workers: %d processes on %s", workers, "Redis" if settings.distributed else "SQLite")
    consumer.run()


class ThreadWorkers:
    """Jobs run by threads of this process (an app created outside gunicorn, or a test)."""

    def __init__(self, jobs: Jobs, workers: int = 1) -> None:
        self.jobs = jobs
        self.stop_flag = threading.Event()
        self.reaper = Reaper(jobs)
        self.threads = [
            threading.Thread(target=self._loop, name=f"jobs-worker-{i}", daemon=True) for i in range(workers)
        ]

    def start(self) -> ThreadWorkers:
        self.reaper.start()
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        self.stop_flag.set()
        self.reaper.stopped.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _loop(self) -> None:
        worker = Worker(self.jobs.huey, self.stop_flag, 0.02, 0.2, 1.15)
        while not self.stop_flag.is_set():
            worker.loop()


def embedded_process(workers: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start `python -m service worker` as a child that dies with its parent (the gunicorn master)."""
    return subprocess.Popen(
        [sys.executable, "-m", "service", "worker", "--workers", str(workers)],
        env=env or dict(os.environ),
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - only prctl, before exec
    )


def _die_with_parent() -> None:
    """Ask Linux to send SIGTERM when the parent dies (a SIGKILLed master must not leave workers)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def in_process(workers: int = 1) -> tuple[Jobs, ThreadWorkers]:
    """Return jobs on a private SQLite file (removed at exit) run by threads of this process."""
    import atexit
    import shutil
    import tempfile

    from service.jobs.settings import new_key

    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    folder = tempfile.mkdtemp(prefix="attendance-jobs-", dir=base)
    atexit.register(shutil.rmtree, folder, True)
    settings = Settings(None, os.path.join(folder, "jobs.db"), new_key().encode())
    jobs = Jobs(settings)
    return jobs, ThreadWorkers(jobs, workers).start()
