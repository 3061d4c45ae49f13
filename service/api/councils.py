"""GET /api/v1/councils and /councils/<id>: each council's rules, documents and checklists."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from service import councils
from service.api.schemas import PROBLEM
from service.api.schemas import CouncilSchema
from service.api.schemas import ProblemSchema

blp = Blueprint(
    "councils", __name__, url_prefix="/api/v1/councils", description="The councils the service knows, as data"
)


@blp.route("")
class Councils(MethodView):
    @blp.response(200, CouncilSchema(many=True))
    def get(self) -> list[councils.Council]:
        """List the councils, each fact with its source"""
        return list(councils.all())


@blp.route("/<council_id>")
class Council(MethodView):
    @blp.response(200, CouncilSchema)
    @blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM, description="Unknown council")
    def get(self, council_id: str) -> councils.Council:
        """One council's rules, amounts, addresses and checklists, each fact with its source"""
        return councils.get(council_id)
