"""Structured JSON logs with a request id, and Prometheus metrics, with no personal data in either."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar

from gunicorn.glogging import Logger as GunicornLogger
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Histogram

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


class Metrics:
    """The service's metrics; labels are route rules, document ids, formats and codes: never case data."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
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
