"""POST /api/v1/imports/ctf and /imports/csv: a school MIS export in, cases and a threshold scan out."""

from __future__ import annotations

from typing import Any

from flask import Request
from flask import Response
from flask import g
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from service.api import jobs
from service.api.request import parse_json
from service.api.schemas import IMPORT_BODY
from service.api.schemas import PROBLEM
from service.api.schemas import ImportQuery
from service.api.schemas import ImportResultSchema
from service.api.schemas import JobSchema
from service.api.schemas import ProblemSchema
from service.imports import batch
from service.imports.run import answer
from service.imports.run import prepare
from service.imports.scan import run
from service.jobs.work import Spec
from service.problems import Problem

blp = Blueprint(
    "imports",
    __name__,
    url_prefix="/api/v1/imports",
    description="School MIS exports (Common Transfer File, CSV) in: cases and a threshold scan out",
)


def upload(req: Request, kind: str) -> tuple[dict[str, Any], bytes, bytes | None]:
    """Return the `case` part (a JSON object), the `file` part and, for CSV, the optional `pupils` part."""
    if req.mimetype != "multipart/form-data":
        raise Problem(415, "unsupported_media_type", "Unsupported media type", "Send multipart/form-data.")
    if "file" not in req.files:
        raise Problem(400, "file_missing", "No export", "A part named `file` must hold the export.")
    raw = req.files["case"].read() if "case" in req.files else req.form.get("case")
    if raw is None:
        raise Problem(400, "case_missing", "No case part", "A part `case` must hold the council and school.")
    try:
        part = parse_json(raw)
    except (ValueError, UnicodeDecodeError):
        raise Problem(
            400, "invalid_json", "The case part is not JSON", "Send the `case` part as JSON."
        ) from None
    if not isinstance(part, dict):
        raise Problem(400, "case_not_object", "The case part must be a JSON object", "Send a JSON object.")
    pupils = req.files["pupils"].read() if kind == "csv" and "pupils" in req.files else None
    return part, req.files["file"].read(), pupils


def handle(kind: str, query: dict[str, Any]) -> Response | dict[str, Any]:
    """Read, scan and answer one import: JSON, or a job making the documents when `documents` is asked."""
    part, file, pupils = upload(request, kind)
    given, export = prepare(kind, part, file, pupils)
    document_id = query.get("documents")
    if not document_id:
        return answer(export, run(export, given, query.get("marks", False)))
    fmt = batch.check(document_id, query.get("format"), given)
    # A whole school's letters take minutes: a job (202 and its URL), checked and read here first so a
    # wrong request is refused now, not found wrong by a worker later.
    spec = Spec(kind, document_id, fmt, part, getattr(g, "caller", None), query.get("marks", False))
    return jobs.submit(spec, {"file": file, "pupils": pupils})


def _documented(view: Any) -> Any:
    """Apply the decorators both import views share (OpenAPI: body, answers, errors)."""
    for decorate in (
        blp.alt_response(
            503, schema=ProblemSchema, content_type=PROBLEM, description="PDF letters: no converter"
        ),
        blp.alt_response(
            422, schema=ProblemSchema, content_type=PROBLEM, description="Case part or mapping wrong"
        ),
        blp.alt_response(
            415, schema=ProblemSchema, content_type=PROBLEM, description="Not multipart/form-data"
        ),
        blp.alt_response(413, schema=ProblemSchema, content_type=PROBLEM, description="Over 25 MiB"),
        blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM, description="Unknown document"),
        blp.alt_response(
            400, schema=ProblemSchema, content_type=PROBLEM, description="Hostile or unreadable export"
        ),
        blp.response(200, ImportResultSchema, description="Cases, scan and errors"),
        blp.alt_response(
            202, schema=JobSchema, description="With `documents`: a job, its URL in Location (api/jobs.py)"
        ),
        blp.doc(requestBody=IMPORT_BODY),
        blp.arguments(ImportQuery, location="query"),
    ):
        view = decorate(view)
    return view


@blp.route("/ctf")
class CtfImport(MethodView):
    @_documented
    def post(self, query: dict[str, Any]) -> Response | dict[str, Any]:
        """Import a Common Transfer File (CTF 15–25): cases and a threshold scan"""
        return handle("ctf", query)


@blp.route("/csv")
class CsvImport(MethodView):
    @_documented
    def post(self, query: dict[str, Any]) -> Response | dict[str, Any]:
        """Import a CSV register (and pupil sheet): cases and a threshold scan"""
        return handle("csv", query)
