"""Two lanes on one machine: cheap calls never queue behind a LibreOffice conversion or a bundle.

Measured (issue #16): threads alone do not separate them (the GIL and the sync workers' accept queue are
shared), separate worker pools do. So the gunicorn that listens (the front, `gthread` workers: its threads
mostly wait) answers validation, forms, certificates, councils and pages itself, and forwards the heavy
calls (letters, bundles, imports, the pages' downloads) over a Unix socket to a second gunicorn, the heavy
lane: a bounded pool of sync workers, each with its warm LibreOffice. The front master starts the heavy
lane (`start`) and stops it (`stop`), so README's one command still runs everything.

The heavy lane sees the front as its peer (a Unix socket: this machine), so the front passes on the
caller's own address (`X-Attendance-Peer`, set by the front only, never taken from the caller) and the heavy
lane puts it back in REMOTE_ADDR: the local-only and key checks judge the real caller.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from service.processes import end

PEER_HEADER = "X-Attendance-Peer"
_PEER_ENVIRON = "HTTP_X_ATTENDANCE_PEER"
# When the front received the call (epoch seconds): the heavy lane's time budget counts from then.
ARRIVED_HEADER = "X-Attendance-Arrived"
_ARRIVED_HEADER_ENVIRON = "HTTP_X_ATTENDANCE_ARRIVED"
ARRIVED_ENVIRON = "attendance.arrived"
CHUNK = 64 * 1024
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}
HEAVY_PATHS = frozenset({"/api/v1/bundles", "/api/v1/bundles/verify", "/download", "/bundle", "/import"})

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# The heavy lane's places, shared by every front worker (made by the front master before it forks them):
# each heavy worker converting one call and ATTENDANCE_CONVERSION_QUEUE calls waiting behind each. Past that,
# a call is refused at once with 503 conversion_queue_full and Retry-After (load shedding, as Gotenberg's
# --libreoffice-max-queue-size), never left to wait in a socket's backlog: the heavy lane's sync workers take
# one call each, so the converter's own queue there never fills.
SLOTS: Any = None
# Set by the front on a page's call it refused (the code): the pages answer it as a page, not problem+json.
REFUSED_ENVIRON = "attendance.refused"


def queue_setting(value: str | None) -> int:
    """Return ATTENDANCE_CONVERSION_QUEUE (calls waiting behind each converting worker, 0 to 100);
    raise ValueError for anything else (the start stops)."""
    text = "4" if value is None or value == "" else str(value).strip()
    if not text.isdigit() or int(text) > 100:
        shown = str(value)[:40]
        raise ValueError(f"ATTENDANCE_CONVERSION_QUEUE {shown!r}: give a whole number from 0 to 100")
    return int(text)


class Places:
    """The heavy lane's places, shared by the front's workers (made by the master before it forks them).

    Who holds how many is recorded per worker, so the places of a worker killed mid-call are given back
    (gunicorn's child_exit, `worker_exited`) instead of being lost until every call is shed.
    """

    MAX_WORKERS = 256

    def __init__(self, count: int) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.count = count
        self.free = context.BoundedSemaphore(count)
        self.held = context.Array("q", 2 * self.MAX_WORKERS)  # (pid, places held) pairs, with its own lock

    def take(self) -> bool:
        """Take a place if one is free, at once; return whether one was."""
        if not self.free.acquire(block=False):
            return False
        self._record(os.getpid(), +1)
        return True

    def give(self) -> None:
        """Give back a place this worker took."""
        self._record(os.getpid(), -1)
        self.free.release()

    def worker_exited(self, pid: int) -> int:
        """Give back every place a dead worker held; return how many."""
        held = 0
        lock = self.held.get_lock()
        if lock.acquire(timeout=1):
            try:
                for i in range(0, len(self.held), 2):
                    if self.held[i] == pid:
                        held, self.held[i], self.held[i + 1] = self.held[i + 1], 0, 0
                        break
            finally:
                lock.release()
        for _ in range(held):
            self.free.release()
        return held

    def _record(self, pid: int, change: int) -> None:
        lock = self.held.get_lock()
        if not lock.acquire(timeout=1):  # its holder died in these few lines: count without recording
            return
        try:
            free = None
            for i in range(0, len(self.held), 2):
                if self.held[i] == pid:
                    self.held[i + 1] += change
                    if self.held[i + 1] <= 0:
                        self.held[i], self.held[i + 1] = 0, 0
                    return
                if free is None and self.held[i] == 0:
                    free = i
            if free is not None and change > 0:
                self.held[free], self.held[free + 1] = pid, change
        finally:
            lock.release()


def make_slots(heavy_workers: int, queue: int) -> Places:
    """Make the front's shared heavy-lane places (before the workers fork: they inherit them)."""
    global SLOTS
    SLOTS = Places(heavy_workers * (1 + queue))
    return SLOTS


def heavy(method: str, path: str) -> bool:
    """Return whether a call belongs to the heavy lane: a letter (rendered, maybe converted), a bundle,
    an import, or a page that makes one of those. Forms and certificates are cheap (tenths of a ms)."""
    if method != "POST":
        return False
    if path in HEAVY_PATHS or path.startswith("/api/v1/imports/"):
        return True
    if path.startswith("/api/v1/documents/"):
        from service import forms

        try:
            return isinstance(forms.get(path.rsplit("/", 1)[-1]), forms.Letter)
        except forms.UnknownDocument:
            return False
    return False


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self.unix_path)
        except OSError:
            sock.close()  # the heavy lane is not there: no socket left open per refused call
            raise
        self.sock = sock


class Router:
    """WSGI middleware of the front: heavy calls go to the heavy lane, the rest to the app here."""

    def __init__(
        self, app: WsgiApp, socket_path: str, timeout: float = 120.0, slots: Any = None, events: Any = None
    ) -> None:
        self.app, self.socket_path, self.timeout = app, socket_path, timeout
        self.slots = slots if slots is not None else SLOTS
        self.events = events  # service.observability.Metrics: in flight, shed
        self.in_flight = 0  # this worker's calls in the heavy lane

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ.pop(_PEER_ENVIRON, None)  # only the front says who the peer is, and when it arrived
        environ.pop(_ARRIVED_HEADER_ENVIRON, None)
        arrived = time.time()
        if not heavy(environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")):
            return self.app(environ, start_response)
        if self.slots is not None and not self.slots.take():
            if self.events is not None:
                self.events.lane_shed()
            return self._refuse(environ, start_response, "conversion_queue_full")
        self._count(+1)
        try:
            response, connection = self._forward(environ, arrived)
        except OSError:
            self._release()
            return self._refuse(environ, start_response, "conversion_unavailable")
        except BaseException:
            self._release()
            raise
        headers = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
        start_response(f"{response.status} {response.reason}", headers)
        return _body(response, connection, self._release)

    def _refuse(
        self, environ: dict[str, Any], start_response: Callable[..., Any], code: str
    ) -> Iterable[bytes]:
        """Refuse a heavy call: the API gets problem+json here; a page is answered by the app here, which
        says it in words and in the officer's language (it reads nothing of the request's body)."""
        if not environ.get("PATH_INFO", "").startswith("/api/"):
            environ[REFUSED_ENVIRON] = code
            return self.app(environ, start_response)
        refuse = _queue_full if code == "conversion_queue_full" else _unavailable
        return refuse(start_response)

    def _count(self, change: int) -> None:
        self.in_flight += change
        if self.events is not None:
            self.events.lane_in_flight(self.in_flight)

    def _release(self) -> None:
        """Give the call's place back (once its answer has been sent, or it failed)."""
        self._count(-1)
        if self.slots is not None:
            self.slots.give()

    def _forward(
        self, environ: dict[str, Any], arrived: float
    ) -> tuple[http.client.HTTPResponse, _UnixConnection]:
        connection = _UnixConnection(self.socket_path, self.timeout)
        target = environ.get("RAW_URI") or environ.get("PATH_INFO", "/")
        if "?" not in target and environ.get("QUERY_STRING"):
            target += "?" + environ["QUERY_STRING"]
        connection.putrequest(environ["REQUEST_METHOD"], target, skip_host=True, skip_accept_encoding=True)
        for name, value in _request_headers(environ):
            connection.putheader(name, value)
        connection.putheader(PEER_HEADER, environ.get("REMOTE_ADDR") or "")
        connection.putheader(ARRIVED_HEADER, f"{arrived:.6f}")
        body = environ["wsgi.input"]
        length = environ.get("CONTENT_LENGTH")
        if length:
            connection.putheader("Content-Length", length)
            connection.endheaders()
            remaining = int(length)
            while remaining > 0 and (chunk := body.read(min(CHUNK, remaining))):
                connection.send(chunk)
                remaining -= len(chunk)
        else:
            data = body.read()
            connection.putheader("Content-Length", str(len(data)))
            connection.endheaders(data)
        return connection.getresponse(), connection


def _request_headers(environ: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if environ.get("CONTENT_TYPE"):
        yield "Content-Type", environ["CONTENT_TYPE"]
    for key, value in environ.items():
        if key.startswith("HTTP_") and key not in ("HTTP_CONTENT_LENGTH", "HTTP_TRANSFER_ENCODING"):
            name = key[5:].replace("_", "-").title()
            if name.lower() not in HOP_BY_HOP:
                yield name, value


def _body(
    response: http.client.HTTPResponse, connection: _UnixConnection, done: Callable[[], None]
) -> Iterator[bytes]:
    try:
        while chunk := response.read(CHUNK):
            yield chunk
    finally:
        connection.close()
        done()


def _unavailable(start_response: Callable[..., Any]) -> list[bytes]:
    detail = "The workers that make letters and bundles are restarting; try again shortly."
    return _problem(start_response, "conversion_unavailable", "PDF conversion unavailable", detail)


def _queue_full(start_response: Callable[..., Any]) -> list[bytes]:
    detail = (
        "Every worker that makes letters, bundles and imports is busy and the queue behind them is full; "
        "try again in a few seconds (a whole school's letters go as a job: POST /api/v1/batches)."
    )
    return _problem(start_response, "conversion_queue_full", "Too many letters are being converted", detail)


def _problem(start_response: Callable[..., Any], code: str, title: str, detail: str) -> list[bytes]:
    body = json.dumps(
        {
            "type": f"https://attendance-paperwork.example/problems/{code}",
            "title": title,
            "status": 503,
            "detail": detail,
            "code": code,
            "retry_after": 5,
        }
    ).encode()
    start_response(
        "503 Service Unavailable",
        [
            ("Content-Type", "application/problem+json"),
            ("Content-Length", str(len(body))),
            ("Retry-After", "5"),
        ],
    )
    return [body]


class TrustFront:
    """WSGI middleware of the heavy lane: the caller's address is the one the front passed on."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        peer = environ.pop(_PEER_ENVIRON, None)
        arrived = environ.pop(_ARRIVED_HEADER_ENVIRON, None)
        if not environ.get("REMOTE_ADDR"):  # over our Unix socket: only the front can connect (0700 folder)
            environ["REMOTE_ADDR"] = peer or ""
            with contextlib.suppress(TypeError, ValueError):
                environ[ARRIVED_ENVIRON] = float(arrived)  # type: ignore[arg-type]
        return self.app(environ, start_response)


def wrap(app: WsgiApp, events: Any = None) -> WsgiApp:
    """Return the WSGI app for this process's lane (set by the front master in the environment)."""
    if os.environ.get("ATTENDANCE_LANE") == "heavy":
        return TrustFront(app)
    if socket_path := os.environ.get("ATTENDANCE_HEAVY_LANE"):
        return Router(app, socket_path, events=events)
    return app


@dataclass
class HeavyLane:
    """The heavy lane's gunicorn, started by the front master."""

    process: subprocess.Popen[bytes]
    folder: str
    socket_path: str


def start(workers: int, config: str = "gunicorn.conf.py") -> HeavyLane:
    """Start the heavy lane's gunicorn on a Unix socket in a private folder; wait until it answers."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    folder = tempfile.mkdtemp(prefix="attendance-lane-", dir=base)  # 0700: only this user connects
    path = os.path.join(folder, "heavy.sock")
    env = {
        **os.environ,
        "ATTENDANCE_LANE": "heavy",
        "ATTENDANCE_WORKERS": str(workers),
        "ATTENDANCE_BIND": f"unix:{path}",
    }
    env.pop("GUNICORN_CMD_ARGS", None)
    from service.jobs.worker import _die_with_parent

    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", config, "wsgi:app"],
        env=env,
        preexec_fn=_die_with_parent,  # noqa: PLW1509
    )
    lane = HeavyLane(process, folder, path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = _UnixConnection(path, 2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                connection.close()
                return lane
        time.sleep(0.1)
    stop(lane)
    raise SystemExit("attendance: the heavy lane (letters and bundles) did not start")


def stop(lane: HeavyLane | None) -> None:
    """Stop the heavy lane and remove its folder."""
    if lane is None:
        return
    end(lane.process, grace=40)
    shutil.rmtree(lane.folder, ignore_errors=True)
