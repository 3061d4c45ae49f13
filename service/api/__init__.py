"""The HTTP layer: a flask-smorest Api that answers every error as RFC 9457 problem+json."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask import Response
from flask import json
from flask import send_from_directory
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from service import problems
from service.case import fields as case_fields

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "invalid_parameters",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def problem_response(problem: problems.Problem, headers: dict[str, str] | None = None) -> Response:
    """Return a problem as an application/problem+json response."""
    headers = {**(headers or {}), **problem.extra.get("_headers", {})}
    if "retry_after" in problem.extra:
        headers.setdefault("Retry-After", str(problem.extra["retry_after"]))  # RFC 9110 §10.2.3
    body = json.dumps({k: v for k, v in problem.as_dict().items() if k != "_headers"})
    response = Response(body, problem.status, mimetype=problems.CONTENT_TYPE)
    response.headers.update(headers or {})
    return response


def _strip_location(errors: Any) -> Any:
    """webargs nests errors under the request location ({"query": {...}}): drop that level."""
    if isinstance(errors, dict) and len(errors) == 1:
        ((key, value),) = errors.items()
        if key in ("query", "json", "form", "files", "headers", "view_args"):
            return value
    return errors


class ProblemApi(Api):
    """flask-smorest's Api, with its error body replaced by problem+json."""

    def _register_responses(self) -> None:
        """Describe every default error response as RFC 9457 problem+json."""
        from service.api.schemas import ProblemSchema

        self.ERROR_SCHEMA = ProblemSchema
        self.DEFAULT_RESPONSE_CONTENT_TYPE = problems.CONTENT_TYPE
        super()._register_responses()
        self.DEFAULT_RESPONSE_CONTENT_TYPE = "application/json"

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        data = getattr(error, "data", None) or {}
        extra: dict[str, Any] = {}
        if "messages" in data or "errors" in data:
            from service.report import issues_from_marshmallow

            raw = _strip_location(data.get("errors", data.get("messages")))
            extra["errors"] = [i.as_dict() for i in issues_from_marshmallow(raw)]
        status = error.code or 500
        problem = problems.Problem(
            status, _HTTP_CODES.get(status, "http_error"), error.name, error.description or "", extra
        )
        # A 422 from webargs arrives with headers=None (style.md, known traps); a 405 must keep its
        # Allow header (RFC 9110 §15.5.6).
        own = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return problem_response(problem, {**own, **(data.get("headers") or {})})


def register(app: Flask) -> ProblemApi:
    """Create the Api, register the blueprints in the contract's order and the error handlers."""
    from service.api import bundles
    from service.api import cases
    from service.api import councils
    from service.api import documents
    from service.api import health
    from service.api import imports
    from service.api import jobs

    api = ProblemApi(app)
    for field_class, fmt in (
        (case_fields.UPN, "upn"),
        (case_fields.Postcode, "uk-postcode"),
        (case_fields.UKPhone, "uk-phone"),
        (case_fields.Email, "email"),
        (case_fields.IsoDate, "date"),
        (case_fields.Base64Bytes, "byte"),
    ):
        api.register_field(field_class, "string", fmt)
    for module in (health, councils, documents, cases, bundles, imports, jobs):
        api.register_blueprint(module.blp)
    _docs_assets(app)
    if (queue := jobs.configured(app)) is not None:  # else an embedded queue on first use
        app.extensions["jobs"] = queue
    from service.api import hooks

    hooks.install(app)
    app.register_error_handler(Exception, _domain_or_internal)
    return api


def _docs_assets(app: Flask) -> None:
    @app.get("/api/v1/docs/assets/<path:filename>")
    def swagger_assets(filename: str) -> Response:
        return send_from_directory(app.config["SWAGGER_UI_DIR"], filename)


def _domain_or_internal(exc: Exception) -> Response:
    """Map a domain exception through the one table; anything else is a 500 with no details."""
    if isinstance(exc, HTTPException):
        return ProblemApi.handle_http_exception(None, exc)  # type: ignore[arg-type]
    problem = problems.from_exception(exc)
    if problem is None:
        # Log the kind of failure only: the message may carry case data.
        log.error("unhandled %s", type(exc).__name__, exc_info=False)
        problem = problems.Problem(
            500,
            "internal_error",
            "Internal error",
            "The service failed; nothing was kept. Try again or report it.",
        )
    return problem_response(problem)
