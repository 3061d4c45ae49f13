"""Warm DOCX→PDF conversion: one headless LibreOffice per process, driven over pipes by uno_worker.py.

The service's venv has no `uno`, so a small worker runs under the system Python (python3-uno); it starts
soffice, connects over UNO and converts in memory. LibreOfficeConverter owns that worker: it starts it on
the first conversion (or warm_up()), sends one framed request at a time under a lock, kills the worker's
process group on a timeout or protocol error, and starts a fresh one on the next call. One retry when the
worker died; a restart every `max_conversions` to bound LibreOffice's memory.

soffice's profile and TMPDIR go under `work_dir`, by default /dev/shm: LibreOffice itself writes temp
copies of the document while converting, and there they stay in memory. All is removed when it stops.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import json
import logging
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from pathlib import Path

from service.engines import ConversionUnavailable
from service.engines import ConverterEvents
from service.engines import soffice_path

log = logging.getLogger(__name__)

WORKER_SCRIPT = Path(__file__).with_name("uno_worker.py")
HEADER = struct.Struct(">cI")
MAX_REPLY = 256 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
UNO_PYTHON = "/usr/bin/python3"


class ConversionFailed(RuntimeError):
    """LibreOffice could not turn this document into a PDF (refused it, or gave something else)."""


class ConversionTimeout(ConversionFailed):
    """A conversion took longer than the converter's timeout; the worker was killed."""


class ConverterBusy(ConversionUnavailable):
    """Waited too long for the converter: other conversions in this process are ahead."""


class QueueFull(ConverterBusy):
    """The conversion queue is at its depth: refused at once (load shedding), not queued."""


class _WorkerDied(Exception):
    """The worker or its soffice ended mid-request: worth one retry on a fresh worker."""


class _ProtocolError(Exception):
    """The worker answered something that is not a valid frame."""


@dataclass
class _Worker:
    """One uno_worker.py process (leading its own process group) and the soffice it started."""

    proc: subprocess.Popen[bytes]
    profile: str
    version: str = ""
    soffice_pid: int | None = None
    sockets: list[str] = field(default_factory=list)
    conversions: int = 0

    @classmethod
    def spawn(cls, python: str, soffice: str, profile: str, timeout: float) -> _Worker:
        """Start a worker and wait (up to `timeout`) for LibreOffice to be ready."""
        pipe = f"attendance-lo-{os.getpid()}-{os.urandom(6).hex()}"
        argv = [
            python,
            "-I",
            str(WORKER_SCRIPT),
            "--soffice",
            soffice,
            "--pipe",
            pipe,
            "--profile",
            profile,
            "--start-timeout",
            f"{timeout:g}",
        ]
        proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0, start_new_session=True
        )
        os.set_blocking(proc.stdin.fileno(), False)
        worker = cls(proc, profile)
        try:
            kind, payload = worker.read_frame(time.monotonic() + timeout + 5)
            if kind != b"R":
                raise _WorkerDied(payload.decode(errors="replace")[:300])
            ready = json.loads(payload)
            worker.version, worker.soffice_pid = str(ready["version"]), int(ready["soffice_pid"])
            worker.sockets = [str(path) for path in ready["sockets"]]
        except BaseException:
            worker.kill()
            raise
        return worker

    @property
    def pid(self) -> int:
        """Return the worker's pid (also its process group id)."""
        return self.proc.pid

    def alive(self) -> bool:
        """Return whether the worker process still runs."""
        return self.proc.poll() is None

    def request(self, kind: bytes, payload: bytes, timeout: float) -> tuple[bytes, bytes]:
        """Send one frame and return the reply frame; raise TimeoutError, _WorkerDied or _ProtocolError."""
        deadline = time.monotonic() + timeout
        self._write(HEADER.pack(kind, len(payload)) + payload, deadline)
        return self.read_frame(deadline)

    def _write(self, data: bytes, deadline: float) -> None:
        """Write all of `data` to the worker's stdin before the deadline."""
        fd, view = self.proc.stdin.fileno(), memoryview(data)
        while view:
            _wait_for(fd, deadline, write=True)
            try:
                view = view[os.write(fd, view) :]
            except BlockingIOError:
                continue
            except (BrokenPipeError, ConnectionResetError) as exc:
                raise _WorkerDied("worker closed its input") from exc

    def read_frame(self, deadline: float) -> tuple[bytes, bytes]:
        """Read one (kind, payload) frame from the worker's stdout before the deadline."""
        kind, size = HEADER.unpack(self._read_exact(HEADER.size, deadline))
        if size > MAX_REPLY or kind not in b"RPED":
            raise _ProtocolError(f"bad frame header {kind!r} {size}")
        return kind, self._read_exact(size, deadline)

    def _read_exact(self, size: int, deadline: float) -> bytes:
        """Read exactly `size` bytes from the worker's stdout."""
        fd, chunks, remaining = self.proc.stdout.fileno(), [], size
        while remaining:
            _wait_for(fd, deadline)
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                raise _WorkerDied(f"worker exited (code {self.proc.poll()})")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def stop(self, grace: float = 10.0) -> None:
        """Ask the worker to quit (it stops soffice and removes its profile); kill it if it does not."""
        with contextlib.suppress(OSError, ValueError, TimeoutError, _WorkerDied):
            self._write(HEADER.pack(b"Q", 0), time.monotonic() + 1)
        self._close_pipes()
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()
        self._cleanup()

    def kill(self) -> None:
        """Kill soffice (the worker then exits by itself), then anything left in the group; reap all."""
        if self.alive():
            if self.soffice_pid is not None and _group_of(self.soffice_pid) == self.pid:
                _signal(self.soffice_pid)
            else:  # still starting: the worker stops its soffice on TERM
                _signal(self.pid, signal.SIGTERM)
            self._close_pipes()
            if not _wait_exited(self.pid, 5.0):
                log.warning("LibreOffice worker %d did not exit; killing its process group", self.pid)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)  # the unreaped worker still pins the group id
        self.proc.wait()
        self._close_pipes()
        self._cleanup()

    def _close_pipes(self) -> None:
        """Close our ends of the worker's stdin and stdout."""
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()

    def _cleanup(self) -> None:
        """Remove the profile and soffice's pipe sockets if the worker could not."""
        shutil.rmtree(self.profile, ignore_errors=True)
        for path in self.sockets:
            with contextlib.suppress(OSError):
                os.unlink(path)


def _wait_for(fd: int, deadline: float, write: bool = False) -> None:
    """Block until `fd` is readable (or writable, or hung up); raise TimeoutError at the deadline."""
    remaining = deadline - time.monotonic()
    poller = select.poll()
    poller.register(fd, select.POLLOUT if write else select.POLLIN)
    if remaining <= 0 or not poller.poll(remaining * 1000):
        raise TimeoutError


def _wait_exited(pid: int, timeout: float) -> bool:
    """Wait until child `pid` has exited, without reaping it; return whether it did in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return True
        except ChildProcessError:  # already reaped
            return True
        time.sleep(0.01)
    return False


def _group_of(pid: int) -> int | None:
    """Return the process group of `pid`, or None when it is gone."""
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def _signal(pid: int, signum: int = signal.SIGKILL) -> None:
    """Send a signal, ignoring a process that is already gone."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


class LibreOfficeConverter:
    """A warm DOCX→PDF converter: one LibreOffice per process, one conversion at a time."""

    def __init__(
        self,
        soffice: str | None = None,
        python: str = UNO_PYTHON,
        *,
        timeout: float = 20.0,
        start_timeout: float = 60.0,
        busy_timeout: float = 30.0,
        max_conversions: int = 200,
        max_queue: int | None = None,
        work_dir: str | None = None,
    ) -> None:
        self.soffice = soffice if soffice is not None else soffice_path()
        self.python = python
        self.work_dir = work_dir or _default_work_dir()
        self.timeout, self.start_timeout, self.busy_timeout = timeout, start_timeout, busy_timeout
        self.max_conversions = max_conversions
        # Conversions waiting behind the one in progress; past this depth a request is shed with 503 and
        # Retry-After at once (like Gotenberg's --libreoffice-max-queue-size), instead of waiting in line.
        env_queue = os.environ.get("ATTENDANCE_CONVERSION_QUEUE", "4")
        self.max_queue = max_queue if max_queue is not None else int(env_queue)
        self._lock = threading.Lock()
        self._queue = threading.Lock()
        self._waiting = 0
        self.shed = 0  # requests refused because the queue was full, since start
        self._worker: _Worker | None = None
        self._base: str | None = None
        self._checked: tuple[str | None, str] | None = None
        self.events: ConverterEvents | None = None  # metrics (service.observability.Metrics)
        self.board: str | None = None  # a folder where this process says how its LibreOffice is (/health)
        self.restarts = 0  # LibreOffice processes replaced since start (died, timed out, recycled)
        self._failed: str | None = None  # why the last start failed, until one succeeds
        _LIVE.add(self)

    @property
    def worker_pid(self) -> int | None:
        """Return the running worker's pid (its process group id), or None when cold."""
        worker = self._worker
        return worker.pid if worker is not None and worker.alive() else None

    def available(self) -> tuple[bool, str]:
        """Return (True, "LibreOffice <version>, warm|cold|dead …") or (False, why not)."""
        state = self.state()
        return state["state"] in CAN_CONVERT, str(state["detail"])

    def state(self) -> dict[str, object]:
        """Return how this process's LibreOffice really is now (its processes checked, not remembered):
        warm (running), cold (starts on the first letter), dead (its processes are gone: a fresh one
        starts on the next letter), failed (the last start failed) or unavailable (not installed)."""
        reason, version = self._check()
        worker = self._worker
        if reason is not None:
            return {"state": "unavailable", "detail": reason}
        if worker is None:
            if self._failed is not None:
                return {"state": "failed", "detail": self._failed, "restarts": self.restarts}
            return {"state": "cold", "detail": f"LibreOffice {version}, cold", "restarts": self.restarts}
        return _checked_state(self._record(worker))

    def _record(self, worker: _Worker) -> dict[str, object]:
        return {
            "state": "warm",
            "detail": f"LibreOffice {worker.version}, warm",
            "worker_pid": worker.pid,
            "soffice_pid": worker.soffice_pid,
            "conversions": worker.conversions,
            "restarts": self.restarts,
        }

    def publish(self) -> None:
        """Write this process's converter state to the board (cheap: a small file in /dev/shm), so that
        /health, answered by another process (the front), reports it without waiting behind work."""
        if self.board is None:
            return
        worker = self._worker
        entry = self._record(worker) if worker is not None else self.state()
        entry["pid"] = os.getpid()
        path = os.path.join(self.board, f"{os.getpid()}.json")
        try:
            with open(path + ".tmp", "w", encoding="utf-8") as out:
                json.dump(entry, out)
            os.replace(path + ".tmp", path)
        except OSError as exc:
            log.warning("engine state not published: %s", type(exc).__name__)

    def convert(self, docx: bytes) -> bytes:
        """Return the PDF of a DOCX; raise ConversionFailed, ConversionUnavailable or ConverterBusy."""
        with self._locked():
            return self._convert(docx)

    def warm_up(self) -> bool:
        """Start LibreOffice now (e.g. from gunicorn's post_fork); return False (logged) if it cannot."""
        try:
            with self._locked():
                self._ready_worker()
        except ConversionUnavailable as exc:
            log.warning("LibreOffice warm-up failed: %s", exc)
            return False
        return True

    def close(self) -> None:
        """Stop the worker and its LibreOffice and remove their temp files."""
        got = self._lock.acquire(timeout=5)
        try:
            self._retire("closed")
            if self._base is not None:
                shutil.rmtree(self._base, ignore_errors=True)
                self._base = None
        finally:
            if got:
                self._lock.release()

    def __del__(self) -> None:
        # A converter dropped with its worker running must not leave LibreOffice, its pipes or files behind.
        with contextlib.suppress(Exception):
            if self._worker is not None or self._base is not None:
                self.close()

    @property
    def queue_depth(self) -> int:
        """Return how many conversions are waiting for LibreOffice now (the one converting not counted)."""
        return self._waiting

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the conversion lock, waiting at most busy_timeout, behind at most max_queue others."""
        if self._lock.acquire(blocking=False):
            got = True
        else:
            with self._queue:
                if self._waiting >= self.max_queue:
                    self.shed += 1
                    if self.events is not None:
                        self.events.conversion_shed()
                    raise QueueFull(f"{self._waiting} conversions waiting (queue depth {self.max_queue})")
                self._waiting += 1
                self._queue_changed()
            try:
                got = self._lock.acquire(timeout=self.busy_timeout)
            finally:
                with self._queue:
                    self._waiting -= 1
                    self._queue_changed()
        if not got:
            raise ConverterBusy(f"LibreOffice busy for more than {self.busy_timeout:g} s")
        try:
            yield
        finally:
            self._lock.release()

    def _queue_changed(self) -> None:
        if self.events is not None:
            self.events.queue_changed(self._waiting)

    def _check(self) -> tuple[str | None, str]:
        """Return (reason LibreOffice cannot run or None, version), checked once."""
        if self._checked is None:
            self._checked = _check_installation(self.soffice, self.python)
        return self._checked

    def _convert(self, docx: bytes) -> bytes:
        """Convert under the lock, retrying once on a fresh worker when the worker died."""
        for attempt in (1, 2):
            worker = self._ready_worker()
            started = time.perf_counter()
            try:
                kind, payload = worker.request(b"C", docx, self.timeout)
                worker.conversions += 1
                pdf = _pdf_from_reply(kind, payload)
            except _WorkerDied as exc:
                self._discard(f"died ({exc})", "died")
                if attempt == 2:
                    raise ConversionUnavailable(f"LibreOffice died twice: {exc}") from exc
                continue
            except TimeoutError as exc:
                self._discard(f"timed out after {self.timeout:g} s", "timeout")
                raise ConversionTimeout(f"no PDF from LibreOffice within {self.timeout:g} s") from exc
            except _ProtocolError as exc:
                self._discard(f"protocol error ({exc})", "protocol_error")
                raise ConversionUnavailable(f"LibreOffice worker failed: {exc}") from exc
            self.publish()
            log.debug(
                "converted a DOCX of %d bytes to a PDF of %d bytes in %.0f ms",
                len(docx),
                len(pdf),
                (time.perf_counter() - started) * 1000,
            )
            return pdf
        raise AssertionError("unreachable")

    def _ready_worker(self) -> _Worker:
        """Return a running worker, recycling a dead or worn one and starting one if needed."""
        worker = self._worker
        if worker is not None and not worker.alive():
            self._discard("exited", "exited")
        elif worker is not None and worker.conversions >= self.max_conversions:
            self._retire(f"recycled after {worker.conversions} conversions")
        if self._worker is None:
            try:
                self._worker = self._start()
            except ConversionUnavailable as exc:
                self._failed = str(exc)
                self.publish()
                raise
            self._failed = None
            self.publish()
        return self._worker

    def _start(self) -> _Worker:
        """Start a worker; raise ConversionUnavailable when LibreOffice cannot run or start."""
        reason, _ = self._check()
        if reason is not None:
            raise ConversionUnavailable(reason)
        if self._base is None:
            _sweep_orphans(self.work_dir)
            self._base = tempfile.mkdtemp(prefix=f"libreoffice-{os.getpid()}-", dir=self.work_dir)
        profile = tempfile.mkdtemp(prefix="profile-", dir=self._base)
        started = time.perf_counter()
        try:
            worker = _Worker.spawn(self.python, self.soffice, profile, self.start_timeout)
        except (OSError, TimeoutError, _WorkerDied, _ProtocolError, ValueError, KeyError) as exc:
            shutil.rmtree(profile, ignore_errors=True)
            log.error("LibreOffice did not start: %s", exc)
            raise ConversionUnavailable(f"LibreOffice did not start: {exc or type(exc).__name__}") from exc
        log.info(
            "LibreOffice %s started in %.2f s (worker %d, soffice %s)",
            worker.version,
            time.perf_counter() - started,
            worker.pid,
            worker.soffice_pid,
        )
        return worker

    def _discard(self, why: str, reason: str) -> None:
        """Kill the current worker after a failure (counted as a restart: the next call starts one)."""
        worker, self._worker = self._worker, None
        if worker is not None:
            log.warning(
                "LibreOffice worker %d %s after %d conversions; killed", worker.pid, why, worker.conversions
            )
            worker.kill()
            self._restarted(reason)

    def _retire(self, why: str) -> None:
        """Stop the current worker cleanly."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop()
            log.info(
                "LibreOffice worker %d stopped, %s after %d conversions", worker.pid, why, worker.conversions
            )
            if why != "closed":
                self._restarted("recycled")

    def _restarted(self, reason: str) -> None:
        """Count a replaced LibreOffice: `reason` is died, exited, timeout, protocol_error or recycled."""
        self.restarts += 1
        if self.events is not None:
            self.events.libreoffice_restarted(reason)
        self.publish()

    def _forget_after_fork(self) -> None:
        """In a forked child: drop the parent's worker (not ours to stop) and start afresh."""
        worker, self._worker, self._base = self._worker, None, None
        self._lock, self._queue, self._waiting = threading.Lock(), threading.Lock(), 0
        self.board, self.events = None, None  # the child publishes and counts once it is set up to
        if worker is not None:
            worker._close_pipes()


CAN_CONVERT = ("warm", "cold", "dead")  # dead: a fresh LibreOffice starts on the next letter


def running(pid: object) -> bool:
    """Return whether process `pid` runs (a zombie, dead but not yet reaped, does not)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def _checked_state(entry: dict[str, object]) -> dict[str, object]:
    """Return a warm entry as it is now: dead when its worker or its soffice no longer runs."""
    alive = running(entry.get("worker_pid")) and running(entry.get("soffice_pid"))
    if entry.get("state") == "warm" and not alive:
        detail = "LibreOffice has exited; a fresh one starts on the next letter"
        return {**entry, "state": "dead", "detail": detail}
    return entry


def board_states(board: str) -> list[dict[str, object]]:
    """Return the converter state of every live process that publishes to `board` (cheap: small files),
    each checked now; entries of processes that have ended are removed."""
    states = []
    try:
        names = sorted(os.listdir(board))
    except OSError:
        return []
    for name in names:
        if not name.endswith(".json"):
            continue
        path = os.path.join(board, name)
        try:
            with open(path, encoding="utf-8") as entry_file:
                entry = json.load(entry_file)
        except (OSError, ValueError):
            continue
        if not isinstance(entry, dict) or not running(entry.get("pid")):
            with contextlib.suppress(OSError):
                os.unlink(path)
            continue
        states.append(_checked_state(entry))
    return states


def forget_process(board: str | None, pid: int) -> None:
    """Remove an ended process's entry from the board (gunicorn's child_exit)."""
    if board:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(board, f"{pid}.json"))


def _pdf_from_reply(kind: bytes, payload: bytes) -> bytes:
    """Return the PDF from a worker reply, or raise for a refusal, a death or a non-PDF."""
    if kind == b"P":
        if not payload.startswith(PDF_MAGIC):
            raise ConversionFailed("LibreOffice returned something that is not a PDF")
        return payload
    if kind == b"E":
        raise ConversionFailed(f"LibreOffice refused the document: {payload.decode(errors='replace')}")
    if kind == b"D":
        raise _WorkerDied(payload.decode(errors="replace"))
    raise _ProtocolError(f"unexpected reply {kind!r}")


def _check_installation(soffice: str | None, python: str) -> tuple[str | None, str]:
    """Return (reason LibreOffice cannot run here or None, its version)."""
    if not soffice or not os.access(soffice, os.X_OK) or os.path.isdir(soffice):
        return f"LibreOffice (soffice) is not installed{f' at {soffice}' if soffice else ''}", ""
    if not os.access(python, os.X_OK):
        return f"{python} (a Python with the uno module, package python3-uno) is not installed", ""
    if _run([python, "-I", "-c", "import uno, unohelper"]) is None:
        return f"{python} has no uno module (install python3-uno)", ""
    match = re.search(r"\d+(\.\d+)+", _run([soffice, "--version"]) or "")
    return None, match.group(0) if match else "(unknown version)"


def _default_work_dir() -> str:
    """Return /dev/shm when usable, else the temp dir: soffice keeps temp copies of documents there."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else tempfile.gettempdir()


def _run(argv: list[str]) -> str | None:
    """Run a short command with a throwaway HOME and TMPDIR; return its stdout, or None on failure."""
    with tempfile.TemporaryDirectory(prefix="lo-check-") as home:
        env = {**os.environ, "HOME": home, "TMPDIR": home}
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=30, env=env, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
    return done.stdout if done.returncode == 0 else None


_LIVE: weakref.WeakSet[LibreOfficeConverter] = weakref.WeakSet()


def _close_all() -> None:
    """At interpreter exit: stop every converter's LibreOffice."""
    for converter in list(_LIVE):
        converter.close()


def _forget_all_after_fork() -> None:
    """In a forked child: forget the parent's workers."""
    for converter in list(_LIVE):
        converter._forget_after_fork()


atexit.register(_close_all)
os.register_at_fork(after_in_child=_forget_all_after_fork)


def _sweep_orphans(work_dir: str) -> None:
    """Remove the work folders of processes that died without cleaning up (a SIGKILLed gunicorn worker)."""
    try:
        names = os.listdir(work_dir)
    except OSError:
        return
    for name in names:
        parts = name.split("-")
        if len(parts) < 3 or parts[0] != "libreoffice" or not parts[1].isdigit():
            continue
        try:
            os.kill(int(parts[1]), 0)
        except ProcessLookupError:
            shutil.rmtree(os.path.join(work_dir, name), ignore_errors=True)
        except OSError:
            continue


# Deterministic output ------------------------------------------------------------------------------------
# LibreOffice stamps each export with the time (/CreationDate), a random document ID and its own checksum
# of them, so two exports of one letter differ. A school must be able to reproduce a bundle's hash: the
# export is rewritten with the letter's own date, an ID derived from what is drawn, and a fixed producer.

PRODUCER = "attendance-paperwork (LibreOffice)"
_VARIABLE = re.compile(rb"/(CreationDate|ModDate)\s*\([^)]*\)|/ID\s*\[[^\]]*\]|/DocChecksum\s*/[0-9A-Fa-f]+")


def deterministic(pdf: bytes, day: date) -> bytes:
    """Return the PDF with its dates set to `day` (midnight UTC), an ID derived from its content without
    the export's variable parts, and a fixed producer: two exports of one letter give the same bytes."""
    digest = hashlib.md5(_VARIABLE.sub(b"", pdf), usedforsecurity=False).digest()
    stamp = f"D:{day:%Y%m%d}000000Z"
    return _patched(pdf, digest, stamp) or _rewritten(pdf, digest, stamp)


# LibreOffice writes a classic xref table and one Info dictionary: rewritten in place, padded to its own
# length, so every offset still holds (a tenth of a millisecond; pypdf's rewrite of the file took 4 to 6).
_INFO_REF = re.compile(rb"trailer\s*<<.*?/Info\s+(\d+)\s+0\s+R", re.S)
_ID = re.compile(rb"/ID\s*\[[^\]]*\]")
_CHECKSUM = re.compile(rb"/DocChecksum\s*/[0-9A-Fa-f]+")


def _patched(pdf: bytes, digest: bytes, stamp: str) -> bytes | None:
    """Return the PDF with its Info, ID and checksum overwritten in place, or None when it is not laid out
    as LibreOffice lays it out (one trailer, an Info object of its own): then pypdf rewrites it."""
    refs = _INFO_REF.findall(pdf)
    if len(refs) != 1 or pdf.count(b"trailer") != 1 or pdf.count(b"startxref") != 1:
        return None
    start = re.search(rb"(?:^|[\r\n])" + refs[0] + rb" 0 obj\s*", pdf)
    end = pdf.find(b"endobj", start.end()) if start else -1
    if start is None or end < 0:
        return None
    old = pdf[start.end() : end]
    info = (
        f"<</Producer({_pdf_string(PRODUCER)})/Creator(attendance-paperwork)/CreationDate({stamp})"
        f"/ModDate({stamp})>>"
    ).encode()
    hexed = digest.hex().upper().encode()
    ids = [m for m in _ID.finditer(pdf) if m.start() > pdf.rfind(b"trailer")]
    new_id = b"/ID [<" + hexed + b"><" + hexed + b">]"
    if len(info) > len(old) or len(ids) != 1 or len(new_id) > len(ids[0].group()):
        return None
    out = pdf[: start.end()] + info.ljust(len(old)) + pdf[end:]
    out = out[: ids[0].start()] + new_id.ljust(len(ids[0].group())) + out[ids[0].end() :]
    return _CHECKSUM.sub(lambda m: (b"/DocChecksum /" + hexed).ljust(len(m.group()))[: len(m.group())], out)


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _rewritten(pdf: bytes, digest: bytes, stamp: str) -> bytes:
    """Return the PDF rewritten by pypdf with the fixed Info and ID."""
    from pypdf import PdfReader
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject
    from pypdf.generic import ByteStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.metadata = {
        "/Producer": PRODUCER,
        "/Creator": "attendance-paperwork",
        "/CreationDate": stamp,
        "/ModDate": stamp,
    }
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
