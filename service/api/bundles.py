"""POST /api/v1/bundles (a ZIP for the LA) and POST /api/v1/bundles/verify (check a received one)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask import current_app
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from service import bundles
from service import verify
from service.api.downloads import download
from service.api.downloads import stream
from service.api.request import read_case
from service.api.schemas import CASE_BODY
from service.api.schemas import PROBLEM
from service.api.schemas import BundleQuery
from service.api.schemas import ProblemSchema
from service.api.schemas import VerifySchema
from service.problems import Problem

blp = Blueprint(
    "bundles",
    __name__,
    url_prefix="/api/v1/bundles",
    description="Pre-validated bundles for LA penalty-notice teams",
)


def _key() -> bytes | None:
    key = current_app.config.get("BUNDLE_SIGNING_KEY")
    return key.encode() if isinstance(key, str) and key else None


@blp.route("")
class Bundles(MethodView):
    @blp.arguments(BundleQuery, location="query")
    @blp.doc(requestBody=CASE_BODY)
    @blp.response(200, content_type="application/zip", description="The bundle: PDFs, manifest.json, an .eml")
    @blp.alt_response(
        422,
        schema=ProblemSchema,
        content_type=PROBLEM,
        description="The case or its checklist fails: the report says why",
    )
    def post(self, query: dict[str, Any]) -> Response:
        """Build a bundle for the council's penalty-notice team"""
        data, attachments = read_case(request)
        engines = current_app.extensions["engines"]
        archive = bundles.build(
            data,  # assessed once in build, after any active content is removed
            engines,
            attachments,
            document_id=query.get("document"),
            merged=query["merged"],
            key=_key(),
            active_content=current_app.config.get("ACTIVE_CONTENT", "refuse"),
        )
        return download(stream(archive), bundles.archive_name(data), "application/zip")


@blp.route("/verify")
class Verify(MethodView):
    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"bundle": {"type": "string", "format": "binary"}},
                        "required": ["bundle"],
                    }
                },
            },
        }
    )
    @blp.response(200, VerifySchema)
    @blp.alt_response(
        400,
        schema=ProblemSchema,
        content_type=PROBLEM,
        description="No bundle in the request, or its manifest has the wrong shape "
        "(manifest_invalid, json_too_deep)",
    )
    def post(self) -> dict[str, Any]:
        """Check a received bundle: complete, untouched, signed, still valid"""
        if request.mimetype == "multipart/form-data" and "bundle" in request.files:
            data = request.files["bundle"].read()
        elif request.mimetype in ("application/zip", "application/octet-stream"):
            data = request.get_data(cache=False)
        else:
            raise Problem(
                400,
                "bundle_missing",
                "No bundle",
                "Send the ZIP as application/zip, or as a multipart part named `bundle`.",
            )
        return verify.verify(data, _key(), current_app.extensions["engines"].trust)
