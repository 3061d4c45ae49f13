"""Jobs on Huey: submitted by the service, run by worker processes on any number of machines.

A job is one `scan` task (read the input, list the items, split them into chunks) and one `chunk` task per
chunk of `Settings.chunk` items, so a school's letters spread over every worker (and so over every worker's
LibreOffice). Huey carries the tasks (Redis, or one machine's SQLite file); the job's data lives in the
store (`store.py`) under the job's random id, with a TTL fixed at submission.

Acknowledged only when done: Huey hands a task to one worker and forgets it, so every task also has a state
in the store (`queued <attempts>`, `running <attempt> <worker>`, `done`) and, while it runs, a lease the
worker renews every third of `Settings.lease`. A task whose worker died (its lease ran out while it was
`running`) is put back on the queue by the reaper that every worker process runs, once: a second death fails
the job (`worker_lost`). A task that raises is retried once by Huey (`retries=1`) the same way. States change
by compare-and-set only, so two reapers, or a worker that was merely slow, cannot run a chunk twice into the
result.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from itertools import chain
from typing import IO
from typing import Any
from typing import Protocol

from huey import RedisHuey
from huey import SqliteHuey
from huey.serializer import Serializer

from service.engines import Engines
from service.imports import batch
from service.jobs import work
from service.jobs.errors import JobNotFinished
from service.jobs.errors import JobNotFound
from service.jobs.errors import ResultGone
from service.jobs.settings import Settings
from service.jobs.store import Vault
from service.jobs.store import backend_for
from service.problems import Problem

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 2  # the first run and one retry
ACTIVE = ("queued", "running")
SCAN = "scan"


@dataclass(frozen=True)
class Status:
    """What a caller sees of a job: its state and progress (items done of total, failures so far)."""

    id: str
    state: str  # queued, running, done, failed, cancelled, downloaded
    document: str
    format: str
    total: int | None
    done: int
    produced: int
    failures: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    expires_at: float = 0.0
    kind: str = ""  # what the job reads: ctf, csv (a school's export) or cases (a list of cases)


JOB_STATES = ("queued", "running", "done", "failed", "cancelled", "downloaded")


class JobEvents(Protocol):
    """What a job tells the service's metrics (service.observability.Metrics): document ids, formats,
    states and counts only, never a case's data. Jobs know no metrics library."""

    def job_submitted(self, document: str, fmt: str) -> None: ...

    def job_item(self, document: str, status: str) -> None: ...

    def job_finished(self, document: str, state: str, seconds: float, produced: int) -> None: ...

    def job_task_requeued(self) -> None: ...


class NoEvents:
    """Jobs with no metrics attached (a test, a script)."""

    def job_submitted(self, document: str, fmt: str) -> None:
        """Nothing to count."""

    def job_item(self, document: str, status: str) -> None:
        """Nothing to count."""

    def job_finished(self, document: str, state: str, seconds: float, produced: int) -> None:
        """Nothing to count."""

    def job_task_requeued(self) -> None:
        """Nothing to count."""


class SealedSerializer(Serializer):
    """Huey's task messages, encrypted with the jobs key like everything else the queue holds."""

    def __init__(self, vault: Vault) -> None:
        super().__init__()
        self.vault = vault

    def _serialize(self, data: Any) -> bytes:
        return self.vault.seal(data)

    def _deserialize(self, data: bytes) -> Any:
        return self.vault.open(data)


class Jobs:
    """Submit, watch, cancel and collect jobs; and, in a worker, run their tasks."""

    def __init__(
        self, settings: Settings, engines: Callable[[], Engines] = Engines, events: JobEvents | None = None
    ) -> None:
        self.settings = settings
        self.events: JobEvents = events or NoEvents()
        self.backend = backend_for(settings.redis_url, settings.database)
        self.vault = Vault(self.backend, settings.key, settings.ttl)
        self._make_engines, self._engines, self._engines_pid = engines, None, -1
        serializer = SealedSerializer(self.vault)
        if settings.redis_url:
            self.huey = RedisHuey(
                "attendance-jobs", url=settings.redis_url, serializer=serializer, results=False
            )
        else:
            self.huey = SqliteHuey(
                "attendance-jobs", filename=settings.database, serializer=serializer, results=False
            )
        self._scan_task = self.huey.task(retries=1, name="attendance.scan")(self._scan)
        self._chunk_task = self.huey.task(retries=1, name="attendance.chunk")(self._chunk)
        self.worker_id = ""

    # --- the service's side -------------------------------------------------------------------------

    def submit(self, spec: work.Spec, payload: dict[str, Any]) -> Status:
        """Queue a job: store its request and input (encrypted, with the TTL), enqueue its scan."""
        job_id = secrets.token_hex(16)
        deadline = time.time() + self.settings.ttl
        self.vault.put(f"{job_id}:spec", spec)
        self.vault.put(f"{job_id}:input", payload)
        self._plain(job_id, "deadline", f"{deadline:.3f}", deadline)
        self._plain(job_id, f"task:{SCAN}", "queued 0", deadline)
        self._plain(job_id, "state", "queued", deadline)
        self._scan_task(job_id)
        self.events.job_submitted(spec.document, spec.fmt)
        return self.status(job_id, spec.owner)

    def states(self) -> dict[str, int]:
        """Return how many jobs the store holds in each state (every machine's: the store is shared)."""
        keys = self.backend.keys(":state")
        found = dict.fromkeys(JOB_STATES, 0)
        for raw in self.backend.get_many(keys):
            word = (raw or b"").decode().split(" ")[0]
            word = "done" if word == "downloading" else word
            if word in found:
                found[word] += 1
        return found

    def status(self, job_id: str, owner: str | None = None) -> Status:
        """Return the job's state and progress; raise JobNotFound."""
        state = self._state(job_id)
        spec = self._spec(job_id, owner, state)
        chunks = self._int(job_id, "chunks")
        total = self._int(job_id, "total")
        counts = self.backend.get_many([f"{job_id}:count:{n}" for n in range(chunks or 0)])
        done = produced = 0
        for raw in counts:
            if raw:
                one, made = raw.decode().split()
                done, produced = done + int(one), produced + int(made)
        failures: list[dict[str, Any]] = []
        for n in range(chunks or 0):
            failures += self.vault.get(f"{job_id}:failures:{n}") or []
        error = None
        if state.startswith("failed"):
            state, _, error = state.partition(" ")
        return Status(
            job_id,
            state,
            spec.document if spec else "",
            spec.fmt if spec else "",
            total,
            done,
            produced,
            failures,
            error,
            self._deadline(job_id),
            spec.kind if spec else "",
        )

    def take_result(self, job_id: str, owner: str | None = None) -> IO[bytes]:
        """Return the result ZIP (a spooled temporary file) and delete the job's data: one download only."""
        state = self._state(job_id)
        spec = self._spec(job_id, owner, state)
        if state != "done":
            if state in ("downloaded", "cancelled"):
                raise ResultGone(state)
            raise JobNotFinished(state.split()[0])
        if not self.backend.replace(f"{job_id}:state", b"done", b"downloading", self._ttl(job_id)):
            raise ResultGone("downloaded")
        assert spec is not None
        chunks = self._int(job_id, "chunks") or 0
        parts = [self.vault.get(f"{job_id}:out:{n}") for n in range(chunks)]
        try:
            if any(part is None for part in parts):
                raise ResultGone("expired")
            return batch.write_archive(chain.from_iterable(parts), spec.columns)
        finally:
            self._forget(job_id, chunks, "downloaded")

    def cancel(self, job_id: str, owner: str | None = None) -> Status:
        """Stop a job: workers stop at their next item, its data is deleted now; a done job's result too."""
        state = self._state(job_id)
        self._spec(job_id, owner, state)
        if state.split()[0] in ("queued", "running", "done"):
            self._forget(job_id, self._int(job_id, "chunks") or 0, "cancelled", keep_spec=True)
        return self.status(job_id, owner)

    # --- the workers' side --------------------------------------------------------------------------

    def _scan(self, job_id: str) -> None:
        """Read the job's input, split its items into chunks, enqueue one task per chunk."""
        with self._claimed(job_id, SCAN) as lease:
            if lease is None:
                return
            spec, payload = self.vault.get(f"{job_id}:spec"), self.vault.get(f"{job_id}:input")
            if spec is None or payload is None:
                return
            try:
                found = work.items(spec, payload)
            except Problem as exc:  # the input is refused (checked at submission, so rarely): no retry
                if lease.finish():
                    self._fail(job_id, exc.code)
                return
            size = self.settings.chunk
            pieces = [found[i : i + size] for i in range(0, len(found), size)]
            deadline = self._deadline(job_id)
            for n, piece in enumerate(pieces):
                self.vault.put(f"{job_id}:in:{n}", (n * size, piece), self._ttl(job_id))
                self._plain(job_id, f"task:{n}", "queued 0", deadline)
            self._plain(job_id, "total", str(len(found)), deadline)
            self._plain(job_id, "chunks", str(len(pieces)), deadline)
            if not lease.finish():
                return
            self.backend.delete(f"{job_id}:input")
            new_state = b"running" if pieces else b"done"
            if not self.backend.replace(f"{job_id}:state", b"queued", new_state, self._ttl(job_id)):
                return  # cancelled meanwhile
            for n in range(len(pieces)):
                self._chunk_task(job_id, n)

    def _chunk(self, job_id: str, n: int) -> None:
        """Render one chunk's items, keep their outcomes, and count the job done after its last chunk."""
        with self._claimed(job_id, str(n)) as lease:
            if lease is None:
                return
            spec, given = self.vault.get(f"{job_id}:spec"), self.vault.get(f"{job_id}:in:{n}")
            if spec is None or given is None:
                return
            first, pieces = given
            engines = self.engines()
            outcomes: list[batch.Outcome] = []
            failures: list[dict[str, Any]] = []
            produced = 0
            for offset, item in enumerate(pieces):
                if lease.lost or self._state(job_id, missing="cancelled") != "running":
                    return  # cancelled, failed, or taken over by another worker
                done = work.outcome(spec, item, engines)
                self.events.job_item(spec.document, done.status)
                outcomes.append(done)
                produced += done.rendered is not None
                if (found := work.failure(spec, first + offset, done)) is not None:
                    failures.append(found)
                    self.vault.put(f"{job_id}:failures:{n}", failures, self._ttl(job_id))
                self._plain(job_id, f"count:{n}", f"{len(outcomes)} {produced}", self._deadline(job_id))
            self.vault.put(f"{job_id}:out:{n}", outcomes, self._ttl(job_id))
            finished = lease.finish()
            if self._state(job_id, missing="gone") != "running":
                # cancelled (or failed) while this chunk ran: what it made must not outlive the cancel
                self.backend.delete(f"{job_id}:out:{n}", f"{job_id}:in:{n}")
                return
            if not finished:
                return  # taken over by another worker, whose outcomes count
            self.backend.delete(f"{job_id}:in:{n}")
            if self.backend.incr(f"{job_id}:chunks_done", self._ttl(job_id)) == self._int(job_id, "chunks"):
                if self.backend.replace(f"{job_id}:state", b"running", b"done", self._ttl(job_id)):
                    self._finished(job_id, spec.document, "done")

    def _finished(self, job_id: str, document: str, state: str) -> None:
        """Tell the metrics a job ended: its time from submission and the documents it produced."""
        seconds = max(0.0, time.time() - (self._deadline(job_id) - self.settings.ttl))
        counts = [f"{job_id}:count:{n}" for n in range(self._int(job_id, "chunks") or 0)]
        produced = sum(int(raw.decode().split()[1]) for raw in self.backend.get_many(counts) if raw)
        self.events.job_finished(document, state, seconds, produced)

    def engines(self) -> Engines:
        """Return this process's engines (one warm LibreOffice per worker process)."""
        if self._engines is None or self._engines_pid != os.getpid():
            self._engines, self._engines_pid = self._make_engines(), os.getpid()
        return self._engines

    def reap(self) -> int:
        """Put back on the queue the tasks whose worker died (lease gone while running); return how many."""
        requeued = 0
        for key in self.backend.keys(":state"):
            job_id = key.rsplit(":", 1)[0]
            if (self.backend.get(key) or b"").decode() not in ACTIVE:
                continue
            tasks = [SCAN] + [str(n) for n in range(self._int(job_id, "chunks") or 0)]
            for task in tasks:
                requeued += self._reap_task(job_id, task)
        return requeued

    def _reap_task(self, job_id: str, task: str) -> int:
        raw = self.backend.get(f"{job_id}:task:{task}")
        if not raw or not raw.startswith(b"running") or self.backend.get(f"{job_id}:lease:{task}"):
            return 0
        attempt = int(raw.split()[1])
        ttl = self._ttl(job_id)
        if attempt >= MAX_ATTEMPTS:
            if self.backend.replace(f"{job_id}:task:{task}", raw, b"failed", ttl):
                log.warning("job task %s died twice; the job failed", task)
                self._fail(job_id, "worker_lost")
            return 0
        if not self.backend.replace(f"{job_id}:task:{task}", raw, f"queued {attempt}".encode(), ttl):
            return 0
        log.warning("job task %s lost its worker; queued again", task)
        self.events.job_task_requeued()
        if task == SCAN:
            self._scan_task(job_id)
        else:
            self._chunk_task(job_id, int(task))
        return 1

    # --- leases -------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _claimed(self, job_id: str, task: str) -> Iterator[_Lease | None]:
        """Claim a queued task (compare-and-set) and hold its lease while the body runs; None if not ours."""
        key = f"{job_id}:task:{task}"
        raw = self.backend.get(key) or b""
        if not raw.startswith(b"queued") or self._state(job_id, missing="gone") not in ACTIVE:
            yield None
            return
        attempt = int(raw.split()[1]) + 1
        mine = f"running {attempt} {self.worker_id or _worker_id()}".encode()
        if not self.backend.replace(key, raw, mine, self._ttl(job_id)):
            yield None
            return
        lease = _Lease(self, job_id, task, mine)
        lease.start()
        try:
            yield lease
        except Exception:
            lease.stop()
            if attempt >= MAX_ATTEMPTS:
                if self.backend.replace(key, mine, b"failed", self._ttl(job_id)):
                    log.exception("job task %s failed twice; the job failed", task)
                    self._fail(job_id, "job_failed")
                return
            self.backend.replace(key, mine, f"queued {attempt}".encode(), self._ttl(job_id))
            raise  # Huey retries it once (retries=1)
        finally:
            lease.stop()

    # --- small helpers ------------------------------------------------------------------------------

    def _plain(self, job_id: str, name: str, value: str, deadline: float) -> None:
        self.backend.put(f"{job_id}:{name}", value.encode(), max(1.0, deadline - time.time()))

    def _int(self, job_id: str, name: str) -> int | None:
        raw = self.backend.get(f"{job_id}:{name}")
        return int(raw) if raw else None

    def _deadline(self, job_id: str) -> float:
        raw = self.backend.get(f"{job_id}:deadline")
        return float(raw) if raw else time.time()

    def _ttl(self, job_id: str) -> float:
        return max(1.0, self._deadline(job_id) - time.time())

    def _state(self, job_id: str, missing: str | None = None) -> str:
        raw = self.backend.get(f"{job_id}:state") if _valid_id(job_id) else None
        if raw is None:
            if missing is not None:
                return missing
            raise JobNotFound(job_id)
        return raw.decode()

    def _spec(self, job_id: str, owner: str | None, state: str) -> work.Spec | None:
        """Return the job's spec, refusing (as not found) a job that another caller submitted."""
        spec = self.vault.get(f"{job_id}:spec")
        if spec is not None and spec.owner is not None and spec.owner != owner:
            raise JobNotFound(job_id)
        if spec is None and state not in ("downloaded", "cancelled") and not state.startswith("failed"):
            raise JobNotFound(job_id)
        return spec

    def _fail(self, job_id: str, code: str) -> None:
        chunks = self._int(job_id, "chunks") or 0
        spec = self.vault.get(f"{job_id}:spec")
        self._forget(job_id, chunks, f"failed {code}", keep_spec=True)
        self._finished(job_id, spec.document if spec else "", "failed")

    def _forget(self, job_id: str, chunks: int, state: str, keep_spec: bool = False) -> None:
        """Delete the job's personal data, keeping its state word (and spec: what was asked) until its TTL."""
        keys = [f"{job_id}:input"] + [f"{job_id}:{what}:{n}" for n in range(chunks) for what in ("in", "out")]
        if not keep_spec:
            keys += [f"{job_id}:spec"] + [f"{job_id}:failures:{n}" for n in range(chunks)]
        # The state first: a worker that stores a chunk's outcomes then reads the state, so one storing after
        # the delete below sees the job is over and deletes its own (deleting first left them until the TTL).
        self._plain(job_id, "state", state, self._deadline(job_id))
        self.backend.delete(*keys)


class _Lease:
    """A running task's lease: renewed by a thread; `lost` once another worker or a cancel took the task."""

    def __init__(self, jobs: Jobs, job_id: str, task: str, mine: bytes) -> None:
        self.jobs, self.job_id, self.task, self.mine = jobs, job_id, task, mine
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name=f"lease-{task}", daemon=True)

    def start(self) -> None:
        self._renew_once()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def finish(self) -> bool:
        """Mark the task done (the acknowledgement); False if it is no longer ours."""
        self.stop()
        key = f"{self.job_id}:task:{self.task}"
        done = self.jobs.backend.replace(key, self.mine, b"done", self.jobs._ttl(self.job_id))
        self.jobs.backend.delete(f"{self.job_id}:lease:{self.task}")
        return done

    def _renew(self) -> None:
        while not self._stop.wait(self.jobs.settings.lease / 3):
            self._renew_once()

    def _renew_once(self) -> None:
        backend = self.jobs.backend
        try:
            if backend.get(f"{self.job_id}:task:{self.task}") != self.mine:
                self.lost = True
                self._stop.set()
                return
            backend.put(f"{self.job_id}:lease:{self.task}", self.mine, self.jobs.settings.lease)
        except Exception as exc:  # the store unreachable for a moment: the next renewal tries again
            log.warning("lease renewal failed: %s", type(exc).__name__)


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _valid_id(job_id: str) -> bool:
    return len(job_id) == 32 and all(c in "0123456789abcdef" for c in job_id)
