"""GET /health: liveness, and which engines this worker can use."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from service.api.schemas import HealthSchema

blp = Blueprint("health", __name__, description="Liveness and readiness")


@blp.route("/health")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, Any]:
        """Say the service is up and which engines are available"""
        engines = current_app.extensions["engines"]
        return {"status": "ok", "version": current_app.config["API_VERSION"], "engines": engines.status()}
