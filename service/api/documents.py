"""GET /api/v1/documents: the document catalogue."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service import forms
from service.api.schemas import DocumentInfoSchema

blp = Blueprint("documents", __name__, url_prefix="/api/v1/documents",
                description="The documents the service produces")


@blp.route("")
class Documents(MethodView):
    @blp.response(200, DocumentInfoSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """List the documents, their councils, outputs and attachment checklists"""
        return [d.describe() for d in forms.all()]
