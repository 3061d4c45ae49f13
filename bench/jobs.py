"""A 1,000-letter PDF batch as a job, on one worker process and on two (all on this machine).

Run: .venv/bin/python bench/jobs.py [--letters 1000] [--rounds 2] [--record]

Each run starts `python -m service worker --workers N` on a fresh embedded queue (Huey on SQLite in
/dev/shm, the README's default), waits until its LibreOffices are warm (a small job first), then submits
one job of `--letters` leave-refusal letters as PDF (`POST /batches`'s job, through `service.jobs`) and
times it from submission to `done`. Every PDF of the result is checked (it parses, it names the pupil).
Reports letters per second for one and two workers and their ratio, with the machine's load beside them.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from service.jobs.queue import Jobs  # noqa: E402
from service.jobs.settings import Settings  # noqa: E402
from service.jobs.settings import new_key  # noqa: E402
from service.jobs.work import Spec  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
HEADING = "## Jobs: a 1,000-letter PDF batch on one and two worker processes (bench/jobs.py)"


def run(workers: int, letters: int, redis_url: str | None = None) -> tuple[float, float]:
    """Return (seconds, letters per second) for one job of `letters` PDF letters on `workers` processes."""
    folder = tempfile.mkdtemp(prefix="bench-jobs-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    key = new_key()
    database = None if redis_url else os.path.join(folder, "jobs.db")
    settings = Settings(redis_url, database, key.encode(), ttl=3600, lease=30, chunk=20)
    env = {**os.environ, "ATTENDANCE_JOBS_KEY": key}
    env |= {"ATTENDANCE_REDIS_URL": redis_url} if redis_url else {"ATTENDANCE_JOBS_DATABASE": database}
    worker = subprocess.Popen([sys.executable, "-m", "service", "worker", "--workers", str(workers)], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    jobs = Jobs(settings)
    case = json.loads((ROOT / "examples" / "wiltshire-holiday.json").read_text())
    try:
        wait(jobs, jobs.submit(Spec("cases", "leave-refusal", "pdf", {}), {"cases": [case] * (20 * workers)}).id)
        started = time.perf_counter()
        job = jobs.submit(Spec("cases", "leave-refusal", "pdf", {}), {"cases": [case] * letters})
        wait(jobs, job.id)
        seconds = time.perf_counter() - started
        with jobs.take_result(job.id) as result:
            archive = zipfile.ZipFile(result)
            pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
            assert len(pdfs) == letters, len(pdfs)
            for name in pdfs:
                assert "Fairweather" in PdfReader(io.BytesIO(archive.read(name))).pages[0].extract_text()
        return seconds, letters / seconds
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def wait(jobs: Jobs, job_id: str, timeout: float = 1800) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = jobs.status(job_id)
        if status.state == "done":
            return
        if status.state not in ("queued", "running"):
            raise RuntimeError(f"job {status.state}: {status.error}")
        time.sleep(0.2)
    raise RuntimeError("job not done in time")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument(
        "--rounds", type=int, default=2, help="1: one worker then two; 2: one, two, two, one (ABBA); and so on"
    )
    parser.add_argument("--redis", help="a Redis URL: the distributed queue instead of the embedded SQLite")
    parser.add_argument("--record", action="store_true", help="write the table to bench/RESULTS.md")
    args = parser.parse_args(argv)
    # ABBA: a load that rises or falls during the run weighs on both sides alike.
    order = [n for r in range(args.rounds) for n in ((1, 2) if r % 2 == 0 else (2, 1))]
    runs: list[tuple[int, float, float, float]] = []
    for workers in order:
        load = os.getloadavg()[0]
        runs.append((workers, *run(workers, args.letters, args.redis), load))
    lines = [
        HEADING,
        "",
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, runs in the order "
        f"{', '.join(map(str, order))} (worker processes); the 1-minute load average beside each run (other "
        "work shares this machine).",
        "",
        "| worker processes | letters | seconds | letters/s | load average before |",
        "| --- | --- | --- | --- | --- |",
        *(f"| {w} | {args.letters} | {sec:.1f} | {rate:.1f} | {load:.2f} |" for w, sec, rate, load in runs),
        "",
    ]
    rate = {n: sum(args.letters for w, *_ in runs if w == n) / sum(sec for w, sec, *_ in runs if w == n)
            for n in (1, 2)}
    lines += [f"Two workers / one: **{rate[2] / rate[1]:.2f}×** ({rate[2]:.1f} / {rate[1]:.1f} letters/s; "
              "target ≥ 1.7×).", ""]
    print("\n".join(lines))
    if args.record:
        record(HEADING, lines)
    return 0


LOAD_HEADING = "## Load tests (bench/load.py)"  # bench/load.py keeps that section last


def record(heading: str, lines: list[str]) -> None:
    """Replace (or add, before the load tests) this section of bench/RESULTS.md."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    section = "\n".join(lines).rstrip("\n") + "\n\n"
    if heading in text:
        before, _, rest = text.partition(heading)
        after = rest[rest.find("\n## ") + 1 :] if "\n## " in rest else ""
        text = before + section + after
    elif LOAD_HEADING in text:
        before, _, rest = text.partition(LOAD_HEADING)
        text = before + section + LOAD_HEADING + rest
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text.rstrip("\n") + "\n")


if __name__ == "__main__":
    sys.exit(main())
