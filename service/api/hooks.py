"""Request hooks: request ids, API keys, security headers, metrics and the access log line."""

from __future__ import annotations

import logging
import time

from flask import Flask
from flask import Response
from flask import g
from flask import request

from service import limits
from service import security
from service.lanes import ARRIVED_ENVIRON
from service.observability import REQUEST_ID
from service.observability import ROUTE_KEY
from service.observability import Metrics
from service.observability import request_id
from service.problems import Problem

log = logging.getLogger("service.access")
OPEN_PATHS = ("/health", "/health/ready")  # the probes answer without a key


def install(app: Flask) -> None:
    """Register the hooks and the /metrics route on the app."""
    keys = security.load_keys(app.config.get("API_KEYS"), app.config.get("API_KEYS_FILE"))
    app.extensions["api_keys"] = keys
    metrics = app.extensions.setdefault("metrics", Metrics())
    converter = app.extensions["engines"].converter
    if hasattr(converter, "events"):
        converter.events = metrics  # queue depth, shed conversions, LibreOffice restarts

    @app.before_request
    def start() -> None:
        g.started = time.perf_counter()
        # The budget counts from the request's arrival: at the front, when the front forwarded it here.
        limits.start_budget(app.config["REQUEST_BUDGET"], request.environ.get(ARRIVED_ENVIRON))
        g.request_id = request_id(request.headers.get("X-Request-ID"))
        REQUEST_ID.set(g.request_id)
        g.caller = _authenticate(keys)

    @app.after_request
    def finish(response: Response) -> Response:
        _headers(response)
        route = request.url_rule.rule if request.url_rule else "unmatched"
        request.environ[ROUTE_KEY] = route  # for gunicorn's access line (observability.AccessLogger)
        elapsed = time.perf_counter() - getattr(g, "started", time.perf_counter())
        metrics.requests.labels(request.method, route, str(response.status_code)).inc()
        metrics.latency.labels(route).observe(elapsed)
        page_problem = getattr(g, "problem_code", None)  # a page's error page (service/web/views.py)
        if response.status_code >= 400 and (page_problem or response.mimetype == "application/problem+json"):
            code = page_problem or _code(response)
            metrics.failures.labels(code).inc()
            if code == "time_budget_exceeded":
                metrics.budget_exhausted.labels(route).inc()
        log.info(
            "request",
            extra={
                "fields": {
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "ms": round(elapsed * 1000, 1),
                    "caller": getattr(g, "caller", None),
                }
            },
        )
        return response

    @app.teardown_request
    def end(_exc: BaseException | None) -> None:
        limits.end_budget()  # this thread serves another request next

    @app.get("/metrics")
    def prometheus() -> Response:
        return Response(metrics.exposition(), mimetype=metrics.content_type)


def _authenticate(keys: tuple[security.ApiKey, ...]) -> str | None:
    """Return the caller's name; refuse the request when keys are configured and none matches.

    Without keys the service is for this machine only, whatever address gunicorn was told to listen on
    (`-b 0.0.0.0`, GUNICORN_CMD_ARGS): a peer that is not loopback is refused here, by the app itself.
    """
    if not keys:
        _local_only()
        return None
    if request.path in OPEN_PATHS or request.path.startswith("/api/v1/docs/assets/"):
        return None
    presented = _presented_key()
    if presented is None:
        raise Problem(
            401,
            "unauthorised",
            "API key required",
            "Send your API key as `Authorization: Bearer <key>` (or as the password of HTTP Basic).",
            {"_headers": {"WWW-Authenticate": 'Bearer realm="attendance", Basic realm="attendance"'}},
        )
    caller = security.identify(presented, keys)
    if caller is None:
        raise Problem(403, "forbidden", "API key not accepted", "This key is not one the service knows.")
    return caller


def _local_only() -> None:
    # Both the socket's peer and, behind a configured proxy, the client it forwarded for must be local.
    peers = {request.environ.get("REMOTE_ADDR"), request.remote_addr}
    original = request.environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR")
    if original is not None:
        peers.add(original)
    if not all(security.is_loopback_peer(peer) for peer in peers):
        raise Problem(
            403,
            "local_only",
            "This service is for this machine only",
            "No API keys are configured, so only requests from this machine are answered. "
            "The operator must set ATTENDANCE_API_KEYS to open it to the network.",
        )


def _presented_key() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[7:].strip() or None
    if request.authorization and request.authorization.password:
        return request.authorization.password
    return request.headers.get("X-API-Key") or None


def _headers(response: Response) -> None:
    for name, value in security.API_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path == "/api/v1/docs" and response.mimetype == "text/html":
        policy = security.docs_csp(response.get_data(as_text=True))
        response.headers.setdefault("Content-Security-Policy", policy)
    # Everything else without a policy of its own (the pages set theirs): the API's, which allows nothing.
    response.headers.setdefault("Content-Security-Policy", security.API_CSP)
    if request.method == "POST" or request.path.startswith("/api/v1/documents"):
        response.headers["Cache-Control"] = "no-store"  # documents and reports carry children's data
    response.headers["X-Request-ID"] = getattr(g, "request_id", "-")


def _code(response: Response) -> str:
    body = response.get_json(silent=True) or {}
    return str(body.get("code", "unknown"))[:40]
