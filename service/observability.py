"""Structured JSON logs with a request id, and Prometheus metrics, with no personal data in either."""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram
from prometheus_client import generate_latest
from prometheus_client import multiprocess
from prometheus_client import values
from prometheus_client.core import GaugeMetricFamily

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id(incoming: str | None) -> str:
    """Return the caller's X-Request-ID when it is a plain token, else a new one."""
    return incoming if incoming and _VALID_ID.match(incoming) else uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id (and the exception's type)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": REQUEST_ID.get(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0]:
            entry["exception"] = record.exc_info[0].__name__  # the type only: messages may carry case data
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    """Send the service's logs to stderr as JSON lines (idempotent)."""
    root = logging.getLogger("service")
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = True


MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    """Return the folder every process of the service writes its metrics to, or None (one process).

    gunicorn.conf.py makes it (private, in /dev/shm) before prometheus_client is imported, which picks its
    storage at import: both lanes, their workers and the job workers inherit it, so /metrics is the
    service's, not the worker's that answers, and a recycled worker's counts stay counted.
    """
    folder = os.environ.get(MULTIPROCESS_DIR)
    if not folder:
        return None
    if not getattr(values.ValueClass, "_multiprocess", False):
        # prometheus_client was imported before the folder was set: counts would silently stay per worker.
        raise RuntimeError(f"{MULTIPROCESS_DIR} set after prometheus_client was imported")
    if not os.path.isdir(folder):
        raise RuntimeError(f"{MULTIPROCESS_DIR} {folder!r} is not a directory")
    return folder


RESTART_REASONS = ("died", "exited", "timeout", "protocol_error", "recycled")
BUDGETED_ROUTES = ("/api/v1/cases/validate", "/api/v1/documents/<document_id>", "/api/v1/bundles",
                   "/api/v1/bundles/verify")


class Metrics:
    """The service's metrics; labels are route rules, document ids, formats and codes: never case data.

    Others add their metrics here (one place), each registered on `self.registry`. In multiprocess mode a
    gauge needs a `multiprocess_mode` (how the processes' values combine): "livesum" for a level summed
    over the processes alive now.
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.folder = multiprocess_dir()
        r = self.registry
        self.requests = Counter(
            "attendance_requests", "HTTP requests", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "attendance_request_seconds",
            "Request latency",
            ["route"],
            registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.documents = Counter(
            "attendance_documents", "Documents produced", ["document", "format"], registry=r
        )
        self.conversions = Counter(
            "attendance_conversions", "DOCX to PDF conversions", ["outcome"], registry=r
        )
        self.failures = Counter("attendance_failures", "Problem responses by code", ["code"], registry=r)
        self.conversion_queue = Gauge(
            "attendance_conversion_queue_depth",
            "Letters, bundles and imports waiting for a converting worker (all processes)",
            ["lane"],
            registry=r,
            multiprocess_mode="livesum",
        )
        self.shed = Counter(
            "attendance_shed", "Requests refused at once because the queue was full", ["lane"], registry=r
        )
        self.libreoffice_restarts = Counter(
            "attendance_libreoffice_restarts",
            "LibreOffice processes replaced (died, timed out, recycled)",
            ["reason"],
            registry=r,
        )
        self.budget_exhausted = Counter(
            "attendance_time_budget_exhausted",
            "Requests stopped because their time budget ran out",
            ["route"],
            registry=r,
        )

        # Jobs (service/jobs): counted where they happen, in the job workers (their processes write to the
        # same folder on this machine; a worker machine serves its own, `worker --metrics-port`).
        self.jobs_submitted = Counter(
            "attendance_jobs_submitted", "Jobs submitted", ["document", "format"], registry=r
        )
        self.job_items = Counter(
            "attendance_job_items",
            "Pupils or cases a job worker finished, by outcome (produced, not_allowed, cannot_produce, "
            'failed): rate(...{status="produced"}[1m]) is documents per second',
            ["document", "status"],
            registry=r,
        )
        self.job_seconds = Histogram(
            "attendance_job_seconds",
            "Jobs from submission to their end (done or failed)",
            ["document", "state"],
            registry=r,
            buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600),
        )
        self.job_letters_per_second = Gauge(
            "attendance_job_documents_per_second",
            "Documents per second of the last job that ended, submission to end",
            ["document"],
            registry=r,
            multiprocess_mode="mostrecent",
        )
        self.job_tasks_requeued = Counter(
            "attendance_job_tasks_requeued",
            "Job tasks put back on the queue after their worker died",
            registry=r,
        )
        self._collectors: list[Any] = []

        # Zero from the start, so a dashboard sees the series before the first event.
        self.conversion_queue.labels("converter").set(0)
        for lane in ("converter", "heavy_lane"):
            self.shed.labels(lane)
        for reason in RESTART_REASONS:
            self.libreoffice_restarts.labels(reason)
        for route in BUDGETED_ROUTES:
            self.budget_exhausted.labels(route)

    # The converter's events (service.engines.ConverterEvents): the engine knows no metrics library.
    def queue_changed(self, depth: int) -> None:
        self.conversion_queue.labels("converter").set(depth)

    def conversion_shed(self) -> None:
        self.shed.labels("converter").inc()

    # The front's router (service.lanes.Router): its calls in the heavy lane, those it refused.
    def lane_in_flight(self, count: int) -> None:
        self.conversion_queue.labels("heavy_lane").set(count)

    def lane_shed(self) -> None:
        self.shed.labels("heavy_lane").inc()
        self.failures.labels("conversion_queue_full").inc()

    def libreoffice_restarted(self, reason: str) -> None:
        self.libreoffice_restarts.labels(reason).inc()

    # The jobs' events (service.jobs.queue.JobEvents).
    def job_submitted(self, document: str, fmt: str) -> None:
        self.jobs_submitted.labels(document, fmt).inc()

    def job_item(self, document: str, status: str) -> None:
        self.job_items.labels(document, status).inc()

    def job_finished(self, document: str, state: str, seconds: float, produced: int) -> None:
        self.job_seconds.labels(document, state).observe(seconds)
        if state == "done" and seconds > 0:
            self.job_letters_per_second.labels(document).set(produced / seconds)

    def job_task_requeued(self) -> None:
        self.job_tasks_requeued.inc()

    def watch_jobs(self, states: Callable[[], Mapping[str, int]]) -> None:
        """Report `attendance_jobs{state}` at each scrape from `states` (the queue's store, which every
        machine shares): how many jobs are queued, running, done, failed, cancelled, downloaded."""
        collector = _JobStates(states)
        self._collectors.append(collector)
        if self.folder is None:
            self.registry.register(collector)

    def merged(self) -> CollectorRegistry:
        """Return a registry that reads every process's metrics at each collection (multiprocess mode), or
        this process's registry."""
        if self.folder is None:
            return self.registry
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged, path=self.folder)
        for collector in self._collectors:
            merged.register(collector)
        return merged

    def exposition(self) -> bytes:
        """Return /metrics: every process's metrics merged in multiprocess mode, else this process's."""
        return generate_latest(self.merged())

    content_type = CONTENT_TYPE_LATEST


class _JobStates:
    """A collector: the jobs in each state, read from the queue's store when /metrics is scraped."""

    def __init__(self, states: Callable[[], Mapping[str, int]]) -> None:
        self.states = states

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("attendance_jobs", "Jobs in the queue's store, by state", labels=["state"])
        try:
            found = self.states()
        except Exception as exc:  # the store away for a moment: a scrape without this family, not a 500
            logging.getLogger(__name__).warning("jobs metrics: %s", type(exc).__name__)
            found = {}
        for state, count in found.items():
            family.add_metric([state], count)
        yield family

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # read at scrape time only (registering must not touch the store)


def process_exited(pid: int) -> None:
    """Forget a dead process's live gauges (gunicorn's child_exit); its counters stay counted."""
    folder = os.environ.get(MULTIPROCESS_DIR)
    if folder and os.path.isdir(folder):
        multiprocess.mark_process_dead(pid, folder)


ROUTE_KEY = "attendance.route"  # the WSGI environ key the app leaves the matched route rule in


class AccessLogger(GunicornLogger):
    """gunicorn's logger, with nothing of the request's path or query in its lines (a path can carry a name).

    The access line's `%(U)s` and `%(r)s` print the route rule the app matched
    (`/api/v1/documents/<document_id>`), never the raw path; the query string, the Referer and the request
    headers print as `-`. "Error handling request" (a worker timeout's traceback) names the method only.
    """

    def atoms(self, resp: object, req: object, environ: dict, request_time: object) -> dict:  # type: ignore
        atoms = super().atoms(resp, req, environ, request_time)
        route = environ.get(ROUTE_KEY, "unmatched")
        atoms = {k: v for k, v in atoms.items() if not k.startswith("{")}
        atoms.update(U=route, q="-", f="-", r=f"{environ.get('REQUEST_METHOD')} {route} {atoms.get('H')}")
        return atoms

    def exception(self, msg: str, *args: object, **kwargs: object) -> None:
        super().exception(*scrub_request_error(msg, args), **kwargs)  # type: ignore[arg-type]

    def error(self, msg: str, *args: object, **kwargs: object) -> None:
        super().error(*scrub_request_error(msg, args), **kwargs)  # type: ignore[arg-type]


def scrub_request_error(msg: str, args: tuple[object, ...]) -> tuple[object, ...]:
    """Return gunicorn's "Error handling request <method> <uri>" without the URI (path and query)."""
    if isinstance(msg, str) and msg.startswith("Error handling request"):
        methods = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
        method = next((a for a in args if a in methods), "")
        return ("Error handling request %s (path and query not logged)", method)
    return (msg, *args)
