"""GET /api/v1/councils and /councils/<id>: each council's rules, documents and checklists."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service import councils
from service import forms
from service.api.schemas import PROBLEM
from service.api.schemas import CouncilSchema
from service.api.schemas import ProblemSchema

blp = Blueprint(
    "councils", __name__, url_prefix="/api/v1/councils", description="The councils the service knows, as data"
)


def describe(council: councils.Council) -> dict[str, Any]:
    """Return a council with the checklist of each document it takes."""
    checklists = {doc_id: forms.get(doc_id).describe()["attachments"] for doc_id in council.documents}
    return {**asdict(council), "checklists": checklists}


@blp.route("")
class Councils(MethodView):
    @blp.response(200, CouncilSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """List the councils"""
        return [describe(c) for c in councils.all()]


@blp.route("/<council_id>")
class Council(MethodView):
    @blp.response(200, CouncilSchema)
    @blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM, description="Unknown council")
    def get(self, council_id: str) -> dict[str, Any]:
        """One council's rules, amounts, addresses and checklists"""
        return describe(councils.get(council_id))
