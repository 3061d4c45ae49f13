"""GET /health (liveness and each engine's real state) and GET /health/ready (readiness).

Both answer from a cheap path: no engine is called. The converters' state comes from the processes that
convert (each publishes it to a small file, service.engines.libreoffice.board_states, checked against the
running processes now), so the front answers for the heavy lane without queueing behind its letters.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from service.api.schemas import HealthSchema
from service.api.schemas import ProblemSchema
from service.api.schemas import ReadySchema
from service.problems import Problem

blp = Blueprint("health", __name__, description="Liveness and readiness")


def _converter() -> dict[str, Any]:
    engines = current_app.extensions["engines"]
    return engines.converter_status(current_app.config.get("ENGINES_DIR"))


@blp.route("/health")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, Any]:
        """Say the service is up and how each engine really is (each LibreOffice checked now)"""
        engines = current_app.extensions["engines"]
        return {
            "status": "ok",
            "version": current_app.config["API_VERSION"],
            "engines": engines.status(current_app.config.get("ENGINES_DIR")),
        }


@blp.route("/health/ready")
class Ready(MethodView):
    @blp.response(200, ReadySchema)
    @blp.alt_response(503, schema=ProblemSchema, content_type="application/problem+json",
                      description="No converter can start: letters as PDF would fail")
    def get(self) -> dict[str, Any]:
        """Readiness: 200 while a LibreOffice runs or can start, else 503 not_ready"""
        converter = _converter()
        if not converter["available"]:
            raise Problem(
                503,
                "not_ready",
                "Not ready: no converter can start",
                f"Letters cannot be made as PDF: {converter['detail']}.",
                {"retry_after": 10, "converter": converter},
            )
        return {"ready": True, "converter": converter}
