"""GET /api/v1/documents (the catalogue) and POST /api/v1/documents/<id> (one filled document)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask import current_app
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from service import forms
from service.api.downloads import download
from service.api.request import read_case
from service.api.schemas import CASE_BODY
from service.api.schemas import PROBLEM
from service.api.schemas import DocumentInfoSchema
from service.api.schemas import DocumentQuery
from service.api.schemas import ProblemSchema
from service.assessment import evaluate
from service.documents import Rendered
from service.documents import produce

blp = Blueprint(
    "documents", __name__, url_prefix="/api/v1/documents", description="The documents the service produces"
)


def send(rendered: Rendered) -> Response:
    """Return a document as a download that no cache keeps."""
    return download(rendered.content, rendered.filename, rendered.media_type)


@blp.route("")
class Documents(MethodView):
    @blp.response(200, DocumentInfoSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """List the documents, their councils, outputs and attachment checklists"""
        return [d.describe() for d in forms.all()]


@blp.route("/<document_id>")
class Document(MethodView):
    @blp.arguments(DocumentQuery, location="query")
    @blp.doc(requestBody=CASE_BODY)
    @blp.response(200, content_type="application/pdf", description="The filled document")
    @blp.alt_response(
        422,
        schema=ProblemSchema,
        content_type=PROBLEM,
        description="The case cannot produce it: the report says why",
    )
    @blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM, description="Unknown document")
    @blp.alt_response(
        503, schema=ProblemSchema, content_type=PROBLEM, description="PDF letters: LibreOffice is unavailable"
    )
    def post(self, query: dict[str, Any], document_id: str) -> Response:
        """Fill one document from a case"""
        forms.get(document_id)  # an unknown id is a 404 before the body is read
        data, attachments = read_case(request)
        engines = current_app.extensions["engines"]
        rendered = produce(
            document_id,
            evaluate(data, attachments),
            engines,
            query["format"],
            query["flatten"],
            variant=query.get("variant"),
        )
        current_app.extensions["metrics"].documents.labels(document_id, query["format"]).inc()
        if query["format"] == "pdf" and isinstance(forms.get(document_id), forms.Letter):
            current_app.extensions["metrics"].conversions.labels("ok").inc()
        return send(rendered)
