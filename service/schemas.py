"""The report's JSON shape as marshmallow schemas: the API documents and dumps it with them, the manifest,
the command line and problem+json bodies dump it with them too (one shape, declared once)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema
from marshmallow import fields

from service.decisions import DecisionsSchema


class IssueSchema(Schema):
    path = fields.String(metadata={"description": "JSON path, e.g. pupils[0].upn"})
    code = fields.String(metadata={"description": "stable machine name (case-format.md)"})
    message = fields.String()


class ChecklistItemSchema(Schema):
    item = fields.String()
    required = fields.Boolean()
    status = fields.String(metadata={"enum": ["satisfied", "missing", "not_required", "invalid"]})
    message = fields.String()
    label = fields.String()


class ReportSchema(Schema):
    valid = fields.Boolean(metadata={"description": "no error blocks the case (or the document asked for)"})
    ready_to_submit = fields.Boolean(
        allow_none=True,
        metadata={
            "description": "with a document: valid and every mandatory attachment of its checklist is there "
            "(false: the form can be filled, but the council cannot process it yet); null without a document"
        },
    )
    council = fields.String(allow_none=True)
    document = fields.String(allow_none=True, metadata={"description": "the document asked for, if any"})
    errors = fields.List(fields.Nested(IssueSchema))
    warnings = fields.List(fields.Nested(IssueSchema))
    decisions = fields.Nested(DecisionsSchema, allow_none=True)
    checklist = fields.List(fields.Nested(ChecklistItemSchema))
    rules = fields.Dict(
        allow_none=True,
        metadata={
            "description": "which rules applied: the council's file or the national default (`basis`), "
            "the threshold as counted, the route, and the sources of each"
        },
    )


def dump_report(report: Any) -> dict[str, Any]:
    """Return a report's JSON shape (no `document` key when none was asked for)."""
    out = ReportSchema().dump(report)
    if not report.document:
        out.pop("document", None)
    if not report.rules:
        out.pop("rules", None)
    return out
