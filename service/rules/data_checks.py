"""Checks across fields that one field alone cannot make (rules.md §Data checks)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from service import codes
from service import councils
from service import register
from service.case import Case
from service.report import Issue
from service.rules import threshold


def dates(case: Case, today: date) -> list[Issue]:
    """Check the absence's order, the attendance date and each date of birth."""
    issues: list[Issue] = []
    a = case.absence
    if a.end_date < a.start_date:
        issues.append(Issue("absence.end_date", "end_before_start", "The absence ends before it starts."))
    if case.attendance and case.attendance.as_of < a.end_date:
        issues.append(
            Issue(
                "attendance.as_of",
                "as_of_before_absence_end",
                "The attendance figures are dated before the absence ends.",
            )
        )
    for n, pupil in enumerate(case.pupils):
        age = (a.start_date - pupil.date_of_birth).days / 365.25
        if pupil.date_of_birth >= today or not 4 <= age < 20:
            issues.append(
                Issue(
                    f"pupils[{n}].date_of_birth",
                    "implausible_date_of_birth",
                    "A pupil's date of birth must be in the past and give an age of "
                    "4 to 19 when the absence began.",
                )
            )
    return issues


def references(case: Case) -> list[Issue]:
    """Check that every parent id named elsewhere names a parent, and ids are unique."""
    ids = Counter(p.id for p in case.parents)
    issues = [
        Issue(f"parents[{i}].id", "duplicate_id", "Two parents share this id.")
        for i, p in enumerate(case.parents)
        if ids[p.id] > 1
    ]
    named = [
        (f"pupils[{n}].lives_with[{k}]", pid)
        for n, pupil in enumerate(case.pupils)
        for k, pid in enumerate(pupil.lives_with)
    ]
    named += [
        (f"absence.responsible_parent_ids[{k}]", pid)
        for k, pid in enumerate(case.absence.responsible_parent_ids)
    ]
    named += [
        (f"previous_penalty_notices[{k}].parent_id", n.parent_id)
        for k, n in enumerate(case.previous_penalty_notices)
    ]
    issues += [
        Issue(path, "unknown_parent", "This id names no parent of the case.")
        for path, pid in named
        if pid not in ids
    ]
    upns = Counter(p.upn for p in case.pupils)
    issues += [
        Issue(f"pupils[{n}].upn", "duplicate_id", "Two pupils share this UPN.")
        for n, p in enumerate(case.pupils)
        if upns[p.upn] > 1
    ]
    return issues


def totals(case: Case) -> tuple[list[Issue], list[Issue]]:
    """Return (errors, warnings) about the attendance totals and the register."""
    att = case.attendance
    if att is None:
        return [], []
    errors, warnings = [], []
    if att.marks:
        # The totals counted from the marks win (rules.md): the sent ones only earn warnings.
        return errors, _disagreements(case)
    if att.sessions_present + att.authorised_absences + att.unauthorised_absences > att.sessions_possible:
        errors.append(
            Issue(
                "attendance",
                "totals_inconsistent",
                "Sessions present and absent add up to more than the sessions possible.",
            )
        )
    return errors, warnings


def _disagreements(case: Case) -> list[Issue]:
    """Warn where the totals sent differ from those counted from the marks (the marks win)."""
    att = case.attendance
    assert att is not None
    counted = register.count(att.marks)
    pairs = [
        (f"attendance.{name}", getattr(att, name), getattr(counted, name))
        for name in ("sessions_possible", "sessions_present", "authorised_absences", "unauthorised_absences")
    ]
    pairs.append(
        ("absence.unauthorised_sessions", case.absence.unauthorised_sessions, threshold.in_episode(case))
    )
    return [
        Issue(path, "totals_disagree", f"{sent} was sent; the marks give {marks}, which the service uses.")
        for path, sent, marks in pairs
        if sent != marks
    ]


def register_codes(case: Case) -> list[Issue]:
    """Refuse marks whose code the council's country does not know, or not on that date (service/codes):
    one error per code, at its first mark, naming how many sessions and the first dates and sessions."""
    att = case.attendance
    if att is None or not att.marks:
        return []
    table = codes.table(councils.for_case(case).country)
    found: dict[str, tuple[int, str, list[str]]] = {}
    for n, mark in enumerate(att.marks):
        known = table.get(mark.code)
        if known is not None and known.in_force(mark.date):
            continue
        why = "is not an attendance code" if known is None else f"is a code that {known.why_not(mark.date)}"
        first, reason, sessions = found.setdefault(mark.code, (n, why, []))
        sessions.append(f"{mark.date.isoformat()} {mark.session}")
    return [
        Issue(
            f"attendance.marks[{first}].code",
            "invalid_mark",
            f"{code!r} {reason} ({table.country.title()}, {table.source}): {len(sessions)} session(s), "
            f"{', '.join(sessions[:5])}{' …' if len(sessions) > 5 else ''}.",
        )
        for code, (first, reason, sessions) in found.items()
    ]


def check(case: Case, today: date) -> tuple[list[Issue], list[Issue]]:
    """Return (errors, warnings) from every data check."""
    errors, warnings = totals(case)
    return dates(case, today) + references(case) + register_codes(case) + errors, warnings
