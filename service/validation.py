"""The validation report for a case, and for a case asked to produce one document."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from service import attachments
from service import councils
from service import forms
from service import rules
from service.case import Attachment
from service.case import Case
from service.case.schema import load_case
from service.report import Issue
from service.report import Report

_PUPIL_BARS = {
    "below_compulsory_school_age": "date_of_birth",
    "above_compulsory_school_age": "date_of_birth",
    "looked_after_child": "looked_after",
}


@dataclass
class Validation:
    """A report, with what it was made from: the loaded case and the inspected attachments."""

    report: Report
    case: Case | None = None
    inspections: list[attachments.Inspection] = field(default_factory=list)


def validate(
    data: Mapping[str, Any],
    document_id: str | None = None,
    extra: tuple[Attachment, ...] = (),
    today: date | None = None,
) -> tuple[Report, Case | None]:
    """Return the report on a case (and the loaded case, when it loads)."""
    done = check(data, document_id, extra, today)
    return done.report, done.case


def check(
    data: Mapping[str, Any],
    document_id: str | None = None,
    extra: tuple[Attachment, ...] = (),
    today: date | None = None,
) -> Validation:
    """Load a case, run the rules, inspect the attachments and, for a document, what blocks it."""
    document = forms.get(document_id) if document_id else None  # UnknownDocument: the caller's 4xx
    case, errors = load_case(data)
    report = Report(council=_council_id(data), errors=errors, document=document_id)
    if case is None:
        return Validation(report)
    case = _with(case, extra)
    council = councils.for_case(case)
    report.council, report.rules = case.council, councils.applied(council)
    outcome = rules.decide(case, council, case.letter_date or today or date.today())
    report.errors += outcome.errors
    report.warnings += outcome.warnings
    report.decisions = outcome.decisions
    found = attachments.inspect_all(case)
    report.errors += [f.problem for f in found if f.problem]
    report.warnings += [n for f in found for n in f.notes]
    if document and council.accepts(document.id):
        report.warnings += [w for name in document.advice for w in _ADVICE[name](case)]
        report.checklist = attachments.checklist(case, document, found, generated_items(case, document))
    if document:
        report.errors += blocking_issues(case, council, document, outcome.decisions)
    report.errors = list(dict.fromkeys(report.errors))
    return Validation(report, case, found)


def generated_items(case: Case, document: forms.Document) -> frozenset[str]:
    """Return the checklist items the service can produce itself: the certificate from the marks."""
    has_marks = bool(case.attendance and case.attendance.marks)
    return frozenset({"attendance_certificate"} if has_marks else ())


def _council_id(data: Mapping[str, Any]) -> str | None:
    council = data.get("council")
    return council if isinstance(council, str) and council in councils.ids() else None


def _with(case: Case, extra: tuple[Attachment, ...]) -> Case:
    if not extra:
        return case
    from dataclasses import replace

    return replace(case, attachments=case.attachments + extra)


def blocking_issues(
    case: Case, council: councils.Council, document: forms.Document, decisions: Mapping[str, Any]
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
    for need in document.needs:
        issues += _NEEDS[need](case, decisions)
    return issues


def _penalty_notice(case: Case, decisions: Mapping[str, Any]) -> list[Issue]:
    pn = decisions["penalty_notice"]
    issues = [_bar(case, n["pupil_upn"], n["reason"]) for n in pn["notices"] if n["reason"] in _PUPIL_BARS]
    if not decisions["threshold_met"]:
        issues.append(_threshold(decisions))
    if not pn["allowed"] and pn["reason"] == "third_offence":
        issues.append(
            Issue(
                "previous_penalty_notices",
                "third_offence",
                "Two penalty notices were issued within three years for this parent "
                "and child: a third is not available (prosecution or another route).",
            )
        )
    return issues


def _notice_to_improve(case: Case, decisions: Mapping[str, Any]) -> list[Issue]:
    nti = decisions["notice_to_improve"]
    reason = nti["reason"]
    if reason in _PUPIL_BARS:
        return [
            _bar(case, p["upn"], reason)
            for p, pupil in zip(decisions["pupils"], case.pupils, strict=True)
            if _bars(case, pupil) == reason
        ]
    if reason == "threshold_not_met":
        return [_threshold(decisions)]
    return []


def _bars(case: Case, pupil: Any) -> str | None:
    from service.rules.penalty_notice import pupil_bar

    return pupil_bar(pupil, case)


def _bar(case: Case, upn: str, reason: str) -> Issue:
    n = next(i for i, p in enumerate(case.pupils) if p.upn == upn)
    messages = {
        "below_compulsory_school_age": "The pupil was not yet of compulsory school age when the "
        "absence began: no penalty notice or Notice to Improve.",
        "above_compulsory_school_age": "The pupil was past compulsory school age when the absence "
        "began: no penalty notice or Notice to Improve.",
        "looked_after_child": "No penalty notice for a looked-after child: attendance belongs "
        "in the Personal Education Plan.",
    }
    return Issue(f"pupils[{n}].{_PUPIL_BARS[reason]}", reason, messages[reason])


def _threshold(decisions: Mapping[str, Any]) -> Issue:
    t = decisions["threshold"]
    where = "attendance.marks" if t["source"] == "marks" else "absence.unauthorised_sessions"
    window = f" within {t['window_school_weeks']} school weeks" if t["window_school_weeks"] else ""
    return Issue(
        where,
        "threshold_not_met",
        f"{t['sessions']} unauthorised sessions{window}; the council's threshold is {t['needed']}.",
    )


def _absence_type(wanted: str) -> Any:
    def check(case: Case, _: Mapping[str, Any]) -> list[Issue]:
        if case.absence.type == wanted:
            return []
        return [
            Issue(
                "absence.type",
                "absence_type_mismatch",
                f"This document is for {wanted} absence; the case is {case.absence.type}.",
            )
        ]

    return check


def _marks(case: Case, _: Mapping[str, Any]) -> list[Issue]:
    if case.attendance and case.attendance.marks:
        return []
    return [
        Issue(
            "attendance.marks",
            "marks_required",
            "This document is built from the register: send attendance.marks.",
        )
    ]


def _attendance(case: Case, _: Mapping[str, Any]) -> list[Issue]:
    if case.attendance:
        return []
    return [
        Issue("attendance", "attendance_required", "This letter reports the pupil's attendance: send it.")
    ]


def _class_average(case: Case, _: Mapping[str, Any]) -> list[Issue]:
    if case.attendance and case.attendance.class_average_sessions_missed is not None:
        return []
    return [
        Issue(
            "attendance.class_average_sessions_missed",
            "class_average_required",
            "The first attendance letter charts the pupil's sessions missed beside the class "
            "average: send attendance.class_average_sessions_missed.",
        )
    ]


def _leave_not_authorised(case: Case, _: Mapping[str, Any]) -> list[Issue]:
    request = case.absence.leave_request
    if request is None or request.decision != "authorised":
        return []
    return [
        Issue(
            "absence.leave_request.decision",
            "leave_authorised",
            "The leave was authorised: a refusal letter would contradict the school's decision.",
        )
    ]


_NEEDS = {
    "penalty_notice": _penalty_notice,
    "notice_to_improve": _notice_to_improve,
    "holiday": _absence_type("holiday"),
    "irregular": _absence_type("irregular"),
    "marks": _marks,
    "attendance": _attendance,
    "class_average": _class_average,
    "leave_not_authorised": _leave_not_authorised,
}


def _term_dates(case: Case) -> list[Issue]:
    if case.school.holidays:
        return []
    return [
        Issue(
            "school.holidays",
            "term_dates_unknown",
            "The school's holidays were not sent: dates counted in school days (such as the end of an "
            "improvement period) skip only weekends, bank holidays and INSET days.",
        )
    ]


_ADVICE = {"term_dates": _term_dates}
