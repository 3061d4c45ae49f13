"""POST /api/v1/cases/validate: the validation report for a case."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import current_app
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from service import forms
from service.api.request import read_case
from service.api.schemas import PROBLEM
from service.api.schemas import VALIDATE_BODY
from service.api.schemas import ProblemSchema
from service.api.schemas import ReportSchema
from service.api.schemas import ValidateQuery
from service.bundles import assess_as_sent

blp = Blueprint(
    "cases",
    __name__,
    url_prefix="/api/v1/cases",
    description="Validate a case against the law and the council's rules",
)


@blp.route("/validate")
class Validate(MethodView):
    @blp.arguments(ValidateQuery, location="query")
    @blp.doc(requestBody=VALIDATE_BODY)
    @blp.response(200, ReportSchema)
    @blp.alt_response(
        400, schema=ProblemSchema, content_type=PROBLEM, description="Not JSON, or not a JSON object"
    )
    @blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM, description="Unknown document")
    @blp.alt_response(
        415, schema=ProblemSchema, content_type=PROBLEM, description="Neither JSON nor multipart"
    )
    def post(self, query: dict[str, Any]) -> Any:
        """Validate a case and say what the rules allow
        ---
        Answers 200 with a report for any JSON object, valid or not: the case is loaded in the
        view, not by @blp.arguments, which would answer 422 first.
        """
        document = forms.get(query["document"]) if query.get("document") else None
        data, attachments = read_case(request)
        # in "remove" mode validate judges the files a bundle would hold: rewritten, the change a warning
        assessment, removed = assess_as_sent(
            data, attachments, current_app.config.get("ACTIVE_CONTENT", "refuse")
        )
        report = assessment.for_document(document) if document else assessment.report
        return replace(report, warnings=[*report.warnings, *removed]) if removed else report
