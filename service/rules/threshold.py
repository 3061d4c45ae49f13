"""The threshold: unauthorised sessions in the council's window, from the marks or else the totals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from service.case import Case
from service.case import Mark
from service.councils import Council
from service.register import NOT_POSSIBLE
from service.register import UNAUTHORISED
from service.report import Issue
from service.school_calendar import week_start


@dataclass(frozen=True)
class ThresholdResult:
    """How many unauthorised sessions count, against how many are needed, and where they were."""

    met: bool
    sessions: int
    needed: int
    source: str  # "marks" or "totals"
    window_school_weeks: int | None
    window_start: date | None = None
    window_end: date | None = None

    def as_dict(self) -> dict[str, object]:
        """Return the decision's JSON shape."""
        return {
            "sessions": self.sessions,
            "needed": self.needed,
            "source": self.source,
            "window_school_weeks": self.window_school_weeks,
            "window_start": self.window_start.isoformat() if self.window_start else None,
            "window_end": self.window_end.isoformat() if self.window_end else None,
        }


def school_weeks(marks: tuple[Mark, ...]) -> list[date]:
    """Return the Mondays of the weeks with at least one possible session, in order."""
    return sorted({week_start(m.date) for m in marks if m.code not in NOT_POSSIBLE})


def best_window(marks: tuple[Mark, ...], weeks: int) -> tuple[int, date | None, date | None]:
    """Return the most unauthorised sessions in any run of `weeks` consecutive school weeks.

    School weeks are read from the register, so half-terms and summer holidays (no possible
    sessions) are stepped over: the window "may span terms and school years" (rules.md).
    """
    per_week = Counter(week_start(m.date) for m in marks if m.code in UNAUTHORISED)
    mondays = school_weeks(marks)
    best = (0, None, None)
    for i in range(max(1, len(mondays) - weeks + 1)):
        window = mondays[i : i + weeks]
        if not window:
            break
        sessions = sum(per_week[monday] for monday in window)
        if sessions > best[0]:
            best = (sessions, window[0], window[-1] + timedelta(days=6))
    return best


def in_episode(case: Case) -> int:
    """Return unauthorised marks between the absence's start and end."""
    a = case.absence
    marks = case.attendance.marks if case.attendance else ()
    return sum(1 for m in marks if m.code in UNAUTHORISED and a.start_date <= m.date <= a.end_date)


def evaluate(case: Case, council: Council) -> tuple[ThresholdResult, list[Issue]]:
    """Return whether the council's threshold is met, with warnings about how it was counted."""
    rule = council.threshold
    marks = case.attendance.marks if case.attendance else ()
    if marks and rule.window_school_weeks:
        sessions, start, end = best_window(marks, rule.window_school_weeks)
        result = ThresholdResult(
            sessions >= rule.unauthorised_sessions,
            sessions,
            rule.unauthorised_sessions,
            "marks",
            rule.window_school_weeks,
            start,
            end,
        )
        return result, []
    sessions = in_episode(case) if marks else case.absence.unauthorised_sessions
    result = ThresholdResult(
        sessions >= rule.unauthorised_sessions,
        sessions,
        rule.unauthorised_sessions,
        "marks" if marks else "totals",
        rule.window_school_weeks,
        case.absence.start_date,
        case.absence.end_date,
    )
    return result, _window_unverified(case, rule.window_school_weeks, bool(marks))


def _window_unverified(case: Case, weeks: int | None, has_marks: bool) -> list[Issue]:
    """Warn when the totals alone cannot show the sessions fell within the window."""
    if has_marks or weeks is None:
        return []
    a = case.absence
    spanned = (week_start(a.end_date) - week_start(a.start_date)).days // 7 + 1
    if spanned <= weeks:
        return []
    return [
        Issue(
            "absence",
            "threshold_window_unverified",
            f"The absence spans {spanned} calendar weeks: send attendance.marks so that the "
            f"service can check the sessions fall within {weeks} school weeks.",
        )
    ]
