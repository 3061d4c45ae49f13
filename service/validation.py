"""What blocks a document, from an assessed case; and `validate`, the report of a case as sent.

`validate` composes the pipeline's steps (`assessment.evaluate`, then `Assessment.for_document`); the
needs below read the typed decisions (`service.decisions`), never the report's JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from datetime import date
from typing import Any

from service import councils
from service import forms
from service.assessment import Assessment
from service.assessment import evaluate
from service.assessment import generated_items  # noqa: F401 - part of this module's interface
from service.case import Attachment
from service.case import Case
from service.decisions import Decisions
from service.report import Issue
from service.report import Report

Validation = Assessment  # the name the first wave used for "a report with what it was made from"


def validate(
    data: Mapping[str, Any],
    document_id: str | None = None,
    extra: tuple[Attachment, ...] = (),
    today: date | None = None,
) -> tuple[Report, Case | None]:
    """Return the report on a case (for a document, when named) and the loaded case, when it loads."""
    document = forms.get(document_id) if document_id else None  # UnknownDocument: the caller's 4xx
    done = evaluate(data, extra, today)
    return (done.for_document(document) if document else done.report), done.case


def check(
    data: Mapping[str, Any],
    document_id: str | None = None,
    extra: tuple[Attachment, ...] = (),
    today: date | None = None,
) -> Assessment:
    """Return the assessment of a case as sent (first-wave name; prefer `assessment.evaluate`)."""
    if document_id:
        forms.get(document_id)
    return evaluate(data, extra, today)


def blocking_issues(
    case: Case, council: councils.Council, document: forms.Document, decisions: Decisions
) -> list[Issue]:
    """Return what stops this case producing this document."""
    if not council.accepts(document.id):
        return [
            Issue(
                "council",
                "document_not_for_council",
                f"{council.name} does not take {document.id}; it takes: {', '.join(council.documents)}.",
            )
        ]
    issues: list[Issue] = []
    for need in document.needs:  # each a Need (service/needs.py), declared once on the document
        issues += need(case, decisions)
    return list(dict.fromkeys(issues))


def advice(assessment: Assessment, document: forms.Document) -> list[Issue]:
    """Return the warnings a document adds (checks that do not block it)."""
    assert assessment.case is not None
    return [w for name in document.advice for w in _ADVICE[name](assessment.case)]


_ADVICE: dict[str, Callable[[Case], list[Issue]]] = {}
