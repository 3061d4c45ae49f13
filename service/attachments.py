"""Attachments against a document's checklist: which items apply to a case, and which are there."""

from __future__ import annotations

from service.case import Case
from service.forms import Document
from service.forms import Requirement
from service.report import ChecklistItem


def applies(requirement: Requirement, case: Case) -> bool:
    """Return whether a checklist item is required for this case (conditional and either-or items)."""
    request = case.absence.leave_request
    requested = bool(request and request.submitted)
    return {
        "always": True,
        "leave_requested": requested,
        "leave_not_requested": not requested,
    }[requirement.when]


def checklist(case: Case, document: Document) -> list[ChecklistItem]:
    """Evaluate a document's checklist for a case: satisfied, missing or not required."""
    sent = {a.kind for a in case.attachments}
    items = []
    for req in document.attachments:
        required = applies(req, case)
        if not required:
            status, message = "not_required", "Not needed for this case."
        elif sent & set(req.kinds):
            status, message = "satisfied", "Attached."
        else:
            status, message = "missing", f"Attach: {req.label}."
        items.append(ChecklistItem(req.item, required, status, message, req.label))
    return items
