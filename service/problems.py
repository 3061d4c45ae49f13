"""One error path (RFC 9457): domain exceptions mapped to status, type, title and a stable code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from service.councils import UnknownCouncil
from service.engines import ConversionUnavailable
from service.engines.libreoffice import ConversionFailed
from service.engines.libreoffice import ConversionTimeout
from service.engines.libreoffice import QueueFull
from service.engines.signatures import SigningUnavailable
from service.forms import NotAvailable
from service.forms import UnknownDocument
from service.jobs.errors import JobNotFinished
from service.jobs.errors import JobNotFound
from service.jobs.errors import ResultGone
from service.limits import TimeBudgetExceeded
from service.report import Report
from service.verify import JsonTooDeep
from service.verify import ManifestInvalid

PROBLEM_TYPE = "https://attendance-paperwork.example/problems/"
CONTENT_TYPE = "application/problem+json"


class CannotProduce(Exception):
    """The case cannot produce the document asked for: the report says why."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.document)
        self.report = report


@dataclass
class Problem(Exception):
    """An RFC 9457 problem: what the client gets, never with personal data in `detail`."""

    status: int
    code: str
    title: str
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the problem+json body."""
        body = {
            "type": PROBLEM_TYPE + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        return {**body, **self.extra}


def _unknown_council(exc: UnknownCouncil) -> Problem:
    return Problem(
        404,
        "unknown_council",
        "Unknown council",
        f"No council {exc.council_id[:60]!r}; known: {', '.join(exc.known)}.",
        {"known": list(exc.known)},
    )


def _unknown_document(exc: UnknownDocument) -> Problem:
    return Problem(
        404,
        "unknown_document",
        "Unknown document",
        f"No document {exc.document_id[:60]!r}; known: {', '.join(exc.known)}.",
        {"known": list(exc.known)},
    )


def _cannot_produce(exc: CannotProduce) -> Problem:
    report = exc.report.as_dict()
    return Problem(
        422,
        "cannot_produce",
        "The case cannot produce this document",
        "; ".join(f"{e['path'] or '(case)'}: {e['code']}" for e in report["errors"]),
        {"errors": report["errors"], "report": report},
    )


def _conversion_unavailable(exc: ConversionUnavailable) -> Problem:
    if isinstance(exc, QueueFull):
        return Problem(
            503,
            "conversion_queue_full",
            "Too many letters are being converted",
            "The PDF conversion queue is full; try again in a few seconds, or ask for format=docx.",
            {"retry_after": 5},
        )
    return Problem(
        503,
        "conversion_unavailable",
        "PDF conversion unavailable",
        f"Letters cannot be converted to PDF here ({exc}); ask for format=docx, or try later.",
        {"retry_after": 30},
    )


def _conversion_failed(exc: ConversionFailed) -> Problem:
    if isinstance(exc, ConversionTimeout):
        return Problem(
            503,
            "conversion_timeout",
            "PDF conversion timed out",
            "LibreOffice did not finish in time and was restarted; try again.",
            {"retry_after": 5},
        )
    return Problem(
        500,
        "conversion_failed",
        "PDF conversion failed",
        "LibreOffice could not convert the letter; ask for format=docx, or report it.",
    )


def _signing_unavailable(exc: SigningUnavailable) -> Problem:
    return Problem(
        503,
        "signing_unavailable",
        "Signing unavailable",
        f"The bundle cannot be signed now ({exc}); try again later.",
        {"retry_after": 30},
    )


def _manifest_invalid(exc: ManifestInvalid) -> Problem:
    errors = [e.as_dict() for e in exc.errors]
    return Problem(
        400,
        "manifest_invalid",
        "The bundle's manifest has the wrong shape",
        "; ".join(f"{e['path']}: {e['message']}" for e in errors[:5]),
        {"errors": errors},
    )


def _json_too_deep(exc: JsonTooDeep) -> Problem:
    return Problem(
        400,
        "json_too_deep",
        "JSON nested too deeply",
        f"{exc} nests deeper than any manifest (more than 32 levels).",
        {"errors": [{"path": str(exc), "code": "json_too_deep", "message": "Nested too deeply."}]},
    )


def _time_budget_exceeded(exc: TimeBudgetExceeded) -> Problem:
    return Problem(
        503,
        "time_budget_exceeded",
        "The request ran out of time",
        f"Reading this request's attachments needs more than its time budget ({exc.budget or 0:g} s, "
        "counted from its arrival): send fewer or smaller PDFs in one request, or a whole school's "
        "work as a job (POST /api/v1/batches).",
        {"budget_seconds": exc.budget, "retry_after": 30},
    )


def _not_available(exc: NotAvailable) -> Problem:
    return Problem(
        501,
        "document_not_available",
        "Not available yet",
        f"{exc.document_id} is in the catalogue but this version cannot produce it yet.",
    )


def _job_not_found(exc: JobNotFound) -> Problem:
    return Problem(404, "job_not_found", "No such job", "No job with this id: it may have expired.")


def _job_not_finished(exc: JobNotFinished) -> Problem:
    return Problem(
        409,
        "job_not_finished",
        "The job is not done",
        f"The job is {exc.state}: its result can be downloaded once it is done.",
        {"state": exc.state, "_headers": {"Retry-After": "2"}},
    )


def _result_gone(exc: ResultGone) -> Problem:
    return Problem(
        410,
        "result_gone",
        "The result is gone",
        f"The job's result was {exc.state}: it is kept for one download only, then deleted.",
        {"state": exc.state},
    )


# The one table: domain exception → problem. Add a row, never a second error path.
TABLE: dict[type[Exception], Callable[[Any], Problem]] = {
    UnknownCouncil: _unknown_council,
    UnknownDocument: _unknown_document,
    CannotProduce: _cannot_produce,
    NotAvailable: _not_available,
    ConversionUnavailable: _conversion_unavailable,
    ConversionFailed: _conversion_failed,
    SigningUnavailable: _signing_unavailable,
    ManifestInvalid: _manifest_invalid,
    JsonTooDeep: _json_too_deep,
    TimeBudgetExceeded: _time_budget_exceeded,
    JobNotFound: _job_not_found,
    JobNotFinished: _job_not_finished,
    ResultGone: _result_gone,
}


def from_exception(exc: Exception) -> Problem | None:
    """Return the problem for a domain exception, or None if it is not one of ours."""
    if isinstance(exc, Problem):
        return exc
    for kind, make in TABLE.items():
        if isinstance(exc, kind):
            return make(exc)
    return None
