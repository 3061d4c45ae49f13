"""The pipeline's first two steps: load a case once, assess it once.

    load(data)                         -> (Case | None, field errors)
    assess(case, council, today, ...)  -> Assessment: the report, the typed decisions, the inspections
    assessment.for_document(document)  -> the report for one document (its checklist and what blocks it)

`documents.produce(document, assessment, …)` and `bundles.build(assessment, …)` read the assessment; the
API, the pages and the imports compose these steps and never load or assess a case twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from typing import Any

from service import attachments
from service import councils
from service import forms
from service import rules
from service.case import Attachment
from service.case import Case
from service.case.schema import CaseSchema
from service.case.schema import load_case
from service.decisions import Decisions
from service.report import Issue
from service.report import Report


@dataclass(frozen=True)
class Assessment:
    """One case, assessed once: the case's report (its data errors, warnings and typed decisions), the
    loaded case with every attachment, its council, the date the paperwork carries, and what each
    attachment was found to be. `case` is None when the case did not load (the report says why)."""

    report: Report
    case: Case | None = None
    council: councils.Council | None = None
    today: date = field(default_factory=date.today)
    inspections: tuple[attachments.Inspection, ...] = ()

    @property
    def decisions(self) -> Decisions | None:
        """Return what the rules decided (None when the case did not load)."""
        return self.report.decisions

    @property
    def valid(self) -> bool:
        """Return whether the case itself has no error."""
        return self.report.valid

    def for_document(self, document: forms.Document) -> Report:
        """Return the report for one document: the case's, with the document's checklist, its advice and
        what blocks it. Nothing is loaded or decided again."""
        from service.validation import advice
        from service.validation import blocking_issues

        base = self.report
        report = Report(
            council=base.council,
            errors=list(base.errors),
            warnings=list(base.warnings),
            decisions=base.decisions,
            document=document.id,
            rules=base.rules,
        )
        if self.case is None or self.council is None or base.decisions is None:
            return report
        if self.council.accepts(document.id):
            report.warnings += advice(self, document)
            report.checklist = attachments.checklist(
                self.case, document, list(self.inspections), generated_items(self.case, document)
            )
        report.errors += blocking_issues(self.case, self.council, document, base.decisions)
        report.errors = list(dict.fromkeys(report.errors))
        return report

    def blocking(self, document: forms.Document) -> list[Issue]:
        """Return what stops this case producing this document (nothing when the case did not load)."""
        from service.validation import blocking_issues

        if self.case is None or self.council is None or self.decisions is None:
            return []
        return blocking_issues(self.case, self.council, document, self.decisions)


def generated_items(case: Case, document: forms.Document) -> attachments.Drawn:
    """Return the checklist items the service can produce itself, with the pupils it can produce them for:
    each pupil's certificate from that pupil's register marks."""
    with_marks = tuple(p for p in case.pupils if (a := case.attendance_of(p)) is not None and a.marks)
    return {"attendance_certificate": with_marks} if with_marks else {}


def load(data: Mapping[str, Any], schema: CaseSchema | None = None) -> tuple[Case | None, list[Issue]]:
    """Load a case once (see `case.schema.load_case`)."""
    return load_case(data, schema)


def assess(
    case: Case,
    council: councils.Council,
    today: date,
    extra: tuple[Attachment, ...] = (),
    errors: list[Issue] | tuple[Issue, ...] = (),
    inspect: bool = True,
) -> Assessment:
    """Assess a loaded case once: run the rules, inspect its attachments (those in the case and `extra`).

    `errors` are the case's field errors from `load` (a case whose only faults are formats is assessed).
    `today` is the date the paperwork carries: the case's `letter_date` wins.
    """
    if extra:
        case = replace(case, attachments=case.attachments + tuple(extra))
    today = case.letter_date or today
    outcome = rules.decide(case, council, today)
    report = Report(
        council=case.council,
        errors=list(errors),
        decisions=outcome.decisions,
        rules=councils.applied(council),
    )
    report.errors += outcome.errors
    report.warnings += outcome.warnings
    found = tuple(attachments.inspect_all(case)) if inspect else ()
    report.errors += [f.problem for f in found if f.problem]
    report.warnings += [n for f in found for n in f.notes]
    report.errors = list(dict.fromkeys(report.errors))
    return Assessment(report, case, council, today, found)


def evaluate(
    data: Mapping[str, Any],
    extra: tuple[Attachment, ...] = (),
    today: date | None = None,
    schema: CaseSchema | None = None,
) -> Assessment:
    """Load a case as sent and assess it: the whole first half of the pipeline, once."""
    case, errors = load(data, schema)
    if case is None:
        return Assessment(Report(council=_council_id(data), errors=errors), today=today or date.today())
    return assess(case, councils.for_case(case), today or date.today(), extra, errors)


def _council_id(data: Mapping[str, Any]) -> str | None:
    council = data.get("council")
    return council if isinstance(council, str) and council in councils.ids() else None
