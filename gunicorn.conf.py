"""gunicorn settings: workers from the CPU count, bounded timeouts, an access log without personal data."""

import atexit
import multiprocessing
import os
import secrets
import shutil
import tempfile

# Lanes (service/lanes.py): this gunicorn is the front (threads answer cheap calls, forward letters and
# bundles), the heavy lane it starts (sync workers with LibreOffice), or with ATTENDANCE_LANES=off one pool.
LANE = os.environ.get("ATTENDANCE_LANE") or (
    "single" if os.environ.get("ATTENDANCE_LANES") == "off" else "front"
)


def _run_folder() -> str | None:
    """Make the service's private run folder (0700, in /dev/shm): `metrics/` for prometheus_client's
    multiprocess mode (every process of both lanes and the job workers writes its counts there, so /metrics
    is the service's and survives a worker's recycling) and `engines/` where converting workers publish their
    LibreOffice's state for /health. Made before prometheus_client is imported: it picks its storage at
    import. The heavy lane and the job workers inherit it; a folder left by a killed master is swept."""
    if LANE == "heavy" or os.environ.get("ATTENDANCE_RUN_DIR"):
        return None
    base = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
    for name in os.listdir(base):
        parts = name.split("-")
        if name.startswith("attendance-run-") and len(parts) > 3 and parts[2].isdigit():
            try:
                os.kill(int(parts[2]), 0)
            except ProcessLookupError:
                shutil.rmtree(os.path.join(base, name), ignore_errors=True)
            except OSError:
                continue
    folder = tempfile.mkdtemp(prefix=f"attendance-run-{os.getpid()}-", dir=base)
    owner = os.getpid()  # forked workers inherit atexit handlers: only the master removes the folder
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(folder, ignore_errors=True))
    for sub in ("metrics", "engines"):
        os.mkdir(os.path.join(folder, sub), 0o700)
    os.environ["ATTENDANCE_RUN_DIR"] = folder
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.path.join(folder, "metrics")
    os.environ["ATTENDANCE_ENGINES_DIR"] = os.path.join(folder, "engines")
    return folder


RUN_FOLDER = _run_folder()

from service import security  # noqa: E402 - after the metrics folder is set
from service.limits import BudgetSettingError  # noqa: E402
from service.limits import budget_seconds  # noqa: E402
from service.security import KeysSettingError  # noqa: E402
from service.security import is_loopback  # noqa: E402
from service.security import keys_from_environment  # noqa: E402

try:
    KEYS = keys_from_environment()
except KeysSettingError as exc:
    # A keys setting that yields no key must not leave every route open: refuse to start.
    raise SystemExit(f"attendance: not starting: {exc}") from None

bind = os.environ.get("ATTENDANCE_BIND", "127.0.0.1:8000")
if not KEYS and not is_loopback(bind):
    # Children's data: without API keys nobody but this machine may call the service.
    port = bind.rsplit(":", 1)[-1]
    print(f"attendance: no API keys configured (ATTENDANCE_API_KEYS): binding to 127.0.0.1:{port} only, "
          f"not {bind}", flush=True)
    bind = f"127.0.0.1:{port}"
# The officer pages sign their CSRF cookie with ATTENDANCE_SECRET_KEY, and every worker must use the same key:
# unset, the master makes one now and the workers it forks inherit it (pages open across a restart expire).
os.environ.setdefault("ATTENDANCE_SECRET_KEY", secrets.token_urlsafe(32))


def _whole(name: str, default: int, low: int, high: int) -> int:
    """Return a whole-number setting within [low, high]; anything else stops the start (not a traceback)."""
    value = os.environ.get(name)
    text = str(default) if value is None or value == "" else value.strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise SystemExit(f"attendance: not starting: {name} {str(value)[:40]!r}: give a whole number from "
                         f"{low} to {high}")
    return int(text)


workers = _whole("ATTENDANCE_WORKERS", max(2, multiprocessing.cpu_count()), 1, 64)
if LANE == "front":
    worker_class = "gthread"
    threads = _whole("ATTENDANCE_THREADS", 8, 1, 256)
# One slow request (a LibreOffice conversion, a big bundle) cannot hold a worker for longer than this.
timeout = _whole("ATTENDANCE_WORKER_TIMEOUT", 60, 10, 3600)
try:
    # Every request's time budget (service/limits.py) must end before the worker timeout would.
    REQUEST_BUDGET = budget_seconds(os.environ.get("ATTENDANCE_REQUEST_BUDGET"), timeout)
except BudgetSettingError as exc:
    raise SystemExit(f"attendance: not starting: {exc}") from None
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
# The route rule the app matched (%(U)s, never the raw path or the query string), status, size and time: no
# personal data. AccessLogger also keeps the URI out of worker-timeout tracebacks.
logger_class = "service.observability.AccessLogger"
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
limit_request_line = 8190
# Whether a request came over HTTPS, and from whom, is the app's call (ATTENDANCE_TRUSTED_PROXIES, werkzeug's
# ProxyFix), not gunicorn's: by default gunicorn believes X-Forwarded-Proto from 127.0.0.1 and from any Unix
# socket (the heavy lane's, where the front passes on the caller's headers), so a caller could claim HTTPS.
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""
try:
    from service.lanes import queue_setting

    CONVERSION_QUEUE = queue_setting(os.environ.get("ATTENDANCE_CONVERSION_QUEUE"))
    # One converting worker (each with its LibreOffice) per CPU, as the front has: conversion is CPU-bound.
    HEAVY_WORKERS = _whole("ATTENDANCE_HEAVY_WORKERS", max(2, multiprocessing.cpu_count()), 1, 64)
except ValueError as exc:
    raise SystemExit(f"attendance: not starting: {exc}") from None
try:
    security.trusted_proxies(os.environ.get("ATTENDANCE_TRUSTED_PROXIES"))
except security.ProxySettingError as exc:
    raise SystemExit(f"attendance: not starting: {exc}") from None


def when_ready(server) -> None:  # noqa: ANN001 - gunicorn's hook signature
    """Say where the service really listens: `-b` or GUNICORN_CMD_ARGS may have overridden `bind` above."""
    if LANE == "heavy":
        return  # the front's own lane, on its private socket: the front says where the service listens
    listening = ", ".join(server.cfg.bind)
    if KEYS:
        print(f"attendance: {len(KEYS)} API key(s) configured; listening on {listening}", flush=True)
    elif all(is_loopback(address) for address in server.cfg.bind):
        print(f"attendance: no API keys configured: listening on {listening} (this machine only)", flush=True)
    else:
        print(f"attendance: no API keys configured: listening on {listening}, but answering this machine "
              "only (other peers get 403 local_only); set ATTENDANCE_API_KEYS to serve the network",
              flush=True)


def on_starting(server) -> None:  # noqa: ANN001 - gunicorn's hook signature
    """Jobs: check their settings (a bad one stops the start); without Redis, run them on this machine.
    The front also starts the heavy lane, and tells its workers (forked later) where it listens."""
    if LANE == "heavy":
        return
    from service import lanes
    from service.jobs import embedded

    server.job_workers = embedded.start()
    if LANE == "front":
        server.heavy_lane = lanes.start(HEAVY_WORKERS)
        lanes.make_slots(HEAVY_WORKERS, CONVERSION_QUEUE)  # before the workers fork: they share it
        os.environ["ATTENDANCE_HEAVY_LANE"] = server.heavy_lane.socket_path


def on_exit(server) -> None:  # noqa: ANN001 - gunicorn's hook signature
    from service import lanes
    from service.jobs import embedded

    lanes.stop(getattr(server, "heavy_lane", None))
    embedded.stop(getattr(server, "job_workers", None))
    if RUN_FOLDER:
        shutil.rmtree(RUN_FOLDER, ignore_errors=True)


def child_exit(server, worker) -> None:  # noqa: ANN001 - gunicorn's hook signature
    """A worker ended (recycled, killed): drop its live gauges and its converter state; counts stay."""
    from service.engines.libreoffice import forget_process
    from service.observability import process_exited

    process_exited(worker.pid)
    if LANE == "front":
        from service import lanes

        if lanes.SLOTS is not None:
            lanes.SLOTS.worker_exited(worker.pid)  # a worker killed mid-call gives its places back
    forget_process(os.environ.get("ATTENDANCE_ENGINES_DIR"), worker.pid)


def post_worker_init(worker) -> None:  # noqa: ANN001 - gunicorn's hook signature
    """Start LibreOffice in each worker before its first request (about a second), not during one; the
    front's workers convert nothing (letters go to the heavy lane)."""
    if LANE == "front":
        return
    engines = worker.wsgi.extensions.get("engines") if hasattr(worker, "wsgi") else None
    if engines is not None and hasattr(engines.converter, "warm_up"):
        engines.converter.board = os.environ.get("ATTENDANCE_ENGINES_DIR")  # for /health
        engines.converter.publish()
        engines.converter.warm_up()
