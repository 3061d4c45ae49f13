"""What a document needs the rules (and the case) to allow: each a `Need`, a named check a document lists
in its declaration (`needs=(needs.PENALTY_NOTICE, needs.HOLIDAY)`), run by `validation.blocking_issues`
against the typed decisions. Each says what blocks the document, with a JSON path and a stable code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from service.case import Case
from service.decisions import Decisions
from service.decisions import FirstStepDecision
from service.decisions import Notice
from service.report import Issue
from service.rules.first_steps import what_comes_first
from service.rules.penalty_notice import who

Check = Callable[[Case, Decisions], list[Issue]]


@dataclass(frozen=True)
class Need:
    """A named check: what stops a case producing a document that lists it."""

    name: str
    check: Check

    def __call__(self, case: Case, decisions: Decisions) -> list[Issue]:
        return self.check(case, decisions)


_PUPIL_BARS = {
    "below_compulsory_school_age": "date_of_birth",
    "above_compulsory_school_age": "date_of_birth",
    "looked_after_child": "looked_after",
}


def _penalty_notice(case: Case, decisions: Decisions) -> list[Issue]:
    pn = decisions.penalty_notice
    issues = [_bar(n.pupil_index, n.reason) for n in pn.notices if n.reason in _PUPIL_BARS]
    if not decisions.threshold_met:
        issues.append(_threshold(decisions))
    issues += [
        _first_step(case, n, pn.first_step) for n in pn.notices if n.reason in FIRST_STEP_MISSING
    ]
    return issues


# What the council's data puts first (rules/first_steps.py), and how the case shows it was done.
FIRST_STEP_MISSING = {
    "notice_to_improve_first": "Send previous_notices_to_improve, or support_not_appropriate with the "
    "school's reason.",
    "warning_letter_first": "Send the warning letter in previous_letters (document warning-letter, sent_on, "
    "parent_id, pupil_upn).",
}


def _first_step(case: Case, notice: Notice, first: FirstStepDecision | None) -> Issue:
    step = what_comes_first(first) if first else "the council's first step"
    source = f" ({first.source})" if first else ""
    return Issue(
        f"parents[{notice.parent_index}]",
        notice.reason,
        f"No record of {step} for {who(case, notice)}: the council's rules put it before a penalty notice"
        f"{source}. {FIRST_STEP_MISSING[notice.reason]}",
    )


def _notice_to_improve(case: Case, decisions: Decisions) -> list[Issue]:
    reason = decisions.notice_to_improve.reason
    if reason in _PUPIL_BARS:
        return [_bar(p.index, reason) for p in decisions.pupils if p.bar == reason]
    if reason == "threshold_not_met":
        return [_threshold(decisions)]
    return []


def _bar(index: int, reason: str) -> Issue:
    messages = {
        "below_compulsory_school_age": "The pupil was not yet of compulsory school age when the "
        "absence began: no penalty notice or Notice to Improve.",
        "above_compulsory_school_age": "The pupil was past compulsory school age when the absence "
        "began: no penalty notice or Notice to Improve.",
        "looked_after_child": "No penalty notice for a looked-after child: attendance belongs "
        "in the Personal Education Plan.",
    }
    return Issue(f"pupils[{index}].{_PUPIL_BARS[reason]}", reason, messages[reason])


def _threshold(decisions: Decisions) -> Issue:
    t = decisions.threshold
    where = "attendance.marks" if t.source == "marks" else "absence.unauthorised_sessions"
    window = f" within {t.window_school_weeks} school weeks" if t.window_school_weeks else ""
    return Issue(
        where,
        "threshold_not_met",
        f"{t.sessions} unauthorised sessions{window}; the council's threshold is {t.needed}.",
    )


def _absence_type(wanted: str) -> Callable[[Case, Decisions], list[Issue]]:
    def check(case: Case, _: Decisions) -> list[Issue]:
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


def _marks(case: Case, _: Decisions) -> list[Issue]:
    """Each pupil's certificate is drawn from that pupil's own register: a pupil without one is named."""
    issues = []
    for index, pupil in enumerate(case.pupils):
        figures = case.attendance_of(pupil)
        if figures and figures.marks:
            continue
        own = pupil.attendance is not None or index > 0
        path = f"pupils[{index}].attendance.marks" if own else "attendance.marks"
        issues.append(Issue(path, "marks_required",
                            f"This document is built from each pupil's register: send {path} "
                            f"({pupil.full_name})."))
    return issues


def _attendance(case: Case, _: Decisions) -> list[Issue]:
    """Each pupil's letter prints that pupil's figures: the case's `attendance` (the first pupil's) or a
    pupil's own `pupils[n].attendance`; a sibling without figures of their own cannot have the letter."""
    if not case.attendance and not any(p.attendance for p in case.pupils):
        return [
            Issue("attendance", "attendance_required", "This letter reports the pupil's attendance: send it.")
        ]
    return [
        Issue(
            f"pupils[{n}].attendance",
            "attendance_required",
            f"This letter reports each child's attendance: send {pupil.forename}'s own figures "
            f"(pupils[{n}].attendance); the case's attendance is the first pupil's.",
        )
        for n, pupil in enumerate(case.pupils)
        if case.attendance_of(pupil) is None
    ]


def _class_average(case: Case, _: Decisions) -> list[Issue]:
    missing = [
        n
        for n, pupil in enumerate(case.pupils)
        if (a := case.attendance_of(pupil)) is not None and a.class_average_sessions_missed is None
    ]
    if not missing:
        return []
    where = (
        "attendance"
        if missing[0] == 0 and case.pupils[0].attendance is None
        else f"pupils[{missing[0]}].attendance"
    )
    return [
        Issue(
            f"{where}.class_average_sessions_missed",
            "class_average_required",
            "The first attendance letter charts the pupil's sessions missed beside the class "
            f"average: send {where}.class_average_sessions_missed.",
        )
    ]


def _leave_not_authorised(case: Case, _: Decisions) -> list[Issue]:
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


def _term_dates(case: Case, decisions: Decisions) -> list[Issue]:
    nti = decisions.notice_to_improve
    if not nti.allowed or nti.period_end is not None:
        return []
    return [
        Issue(
            "school.holidays",
            "term_dates_required",
            "The improvement period ends after a number of school weeks: send the school's holidays "
            "(school.holidays), so that its end date does not run through a holiday.",
        )
    ]


PENALTY_NOTICE = Need("penalty_notice", _penalty_notice)
NOTICE_TO_IMPROVE = Need("notice_to_improve", _notice_to_improve)
HOLIDAY = Need("holiday", _absence_type("holiday"))
IRREGULAR = Need("irregular", _absence_type("irregular"))
MARKS = Need("marks", _marks)
ATTENDANCE = Need("attendance", _attendance)
CLASS_AVERAGE = Need("class_average", _class_average)
LEAVE_NOT_AUTHORISED = Need("leave_not_authorised", _leave_not_authorised)
TERM_DATES = Need("term_dates", _term_dates)
NAMED = {
    n.name: n
    for n in (
        PENALTY_NOTICE,
        NOTICE_TO_IMPROVE,
        HOLIDAY,
        IRREGULAR,
        MARKS,
        ATTENDANCE,
        CLASS_AVERAGE,
        LEAVE_NOT_AUTHORISED,
        TERM_DATES,
    )
}


