"""The threshold: unauthorised sessions in the council's window (rolling school weeks, the current term or
the episode) and the conditions some Welsh councils add, from the marks or else the totals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from datetime import timedelta

from service.case import Case
from service.case import Mark
from service.councils import Council
from service.register import NOT_POSSIBLE
from service.register import UNAUTHORISED
from service.register import count
from service.report import Issue
from service.school_calendar import school_year_start
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
    window: str = "rolling_school_weeks"  # the council's: rolling_school_weeks, current_term, episode
    # Welsh councils' extra conditions (ERW code: attendance below 90 % this school year; Torfaen:
    # a holiday's sessions on consecutive school days); None where the council sets none.
    attendance_percent: float | None = None
    below_percent: float | None = None
    consecutive_sessions: int | None = None

    def as_dict(self) -> dict[str, object]:
        """Return the decision's JSON shape."""
        return {
            "sessions": self.sessions,
            "needed": self.needed,
            "source": self.source,
            "window": self.window,
            "window_school_weeks": self.window_school_weeks,
            "window_start": self.window_start.isoformat() if self.window_start else None,
            "window_end": self.window_end.isoformat() if self.window_end else None,
            "attendance_percent_year_to_date": self.attendance_percent,
            "below_percent_year_to_date": self.below_percent,
            "consecutive_sessions": self.consecutive_sessions,
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
    """Return whether the council's threshold is met, with warnings about how it was counted: the
    sessions in its window (rolling school weeks, the current term or the episode), then the conditions
    some Welsh councils add (attendance below a percentage this school year; consecutive holiday
    sessions)."""
    rule = council.threshold
    marks = case.attendance.marks if case.attendance else ()
    if rule.window == "rolling_school_weeks" and marks and rule.window_school_weeks:
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
    if rule.window == "current_term" and marks:
        start, end = current_term(case, council)
        sessions = sum(1 for m in marks if m.code in UNAUTHORISED and start <= m.date <= end)
        base, warnings = ThresholdResult(
            sessions >= rule.unauthorised_sessions, sessions, rule.unauthorised_sessions, "marks", None,
            start, end, "current_term"
        ), []
    else:
        sessions = in_episode(case) if marks else case.absence.unauthorised_sessions
        base = ThresholdResult(
            sessions >= rule.unauthorised_sessions,
            sessions,
            rule.unauthorised_sessions,
            "marks" if marks else "totals",
            rule.window_school_weeks,
            case.absence.start_date,
            case.absence.end_date,
            rule.window,
        )
        warnings = _window_unverified(case, rule.window_school_weeks, bool(marks))
        if rule.window == "current_term" and not base.met:
            warnings += [_term_unverified()]
    return _conditions(case, council, base, warnings)


def current_term(case: Case, council: Council) -> tuple[date, date]:
    """Return the first and last day of the term the absence ends in: between the school's holidays
    (else the council's published ones) of 10 days or more (a half-term is within its term), else told
    from the register (a run of 12 days or more with no possible session ends a term, as the import scan
    reads it), and never before 1 September of that school year."""
    end = case.absence.end_date
    marks = case.attendance.marks if case.attendance else ()
    holidays = [
        (first, last)
        for first, last in (case.school.holidays or council.holidays)
        if (last - first).days + 1 >= TERM_HOLIDAY_DAYS
    ]
    year_start = school_year_start(end)
    if holidays:
        before = [last for _, last in holidays if last < case.absence.start_date]
        after = [first for first, _ in holidays if first > end]
        start = max([year_start, *(last + timedelta(days=1) for last in before)])
        finish = min(after) - timedelta(days=1) if after else max(m.date for m in marks)
        return start, finish
    days = sorted({m.date for m in marks if m.code not in NOT_POSSIBLE and m.date >= year_start})
    if not days:
        return year_start, end
    start, finish = days[0], days[-1]
    for earlier, later in zip(days, days[1:], strict=False):
        if (later - earlier).days < TERM_BREAK_DAYS:
            continue
        if later <= end:
            start = later
        else:
            finish = earlier
            break
    return start, finish


TERM_BREAK_DAYS = 12  # as the import scan reads a term from the register (imports/scan.py)
TERM_HOLIDAY_DAYS = 10  # a listed holiday this long ends a term (Christmas, Easter, summer); a half-term not


def _conditions(
    case: Case, council: Council, base: ThresholdResult, warnings: list[Issue]
) -> tuple[ThresholdResult, list[Issue]]:
    rule = council.threshold
    met = base.met
    percent = consecutive = None
    if rule.below_percent_year_to_date is not None:
        percent = attendance_year_to_date(case)
        if percent is None:
            met = False
            warnings = [*warnings, _attendance_unknown(council)]
        else:
            met = met and percent < rule.below_percent_year_to_date
    if rule.holiday_sessions_consecutive and case.absence.type == "holiday":
        consecutive = longest_unauthorised_run(case)
        if consecutive is None:
            warnings = [*warnings, _consecutive_unverified(council)]
        else:
            met = met and consecutive >= rule.unauthorised_sessions
    return replace(
        base, met=met, attendance_percent=percent, below_percent=rule.below_percent_year_to_date,
        consecutive_sessions=consecutive,
    ), warnings


def attendance_year_to_date(case: Case) -> float | None:
    """Return the attendance percentage for the school year to date: from the register when sent (the
    school year of the absence, up to the latest mark), else the attendance totals sent."""
    attendance = case.attendance
    if attendance is None:
        return None
    if attendance.marks:
        year_start = school_year_start(case.absence.end_date)
        return count(m for m in attendance.marks if m.date >= year_start).attendance_percent
    if not attendance.sessions_possible:
        return None
    return round(100 * attendance.sessions_present / attendance.sessions_possible, 1)


def longest_unauthorised_run(case: Case) -> int | None:
    """Return the longest run of unauthorised sessions on consecutive school sessions within the
    absence, from the register (None without one): a present or authorised mark breaks the run, a
    weekend or closure does not."""
    a = case.absence
    marks = case.attendance.marks if case.attendance else ()
    if not marks:
        return None
    order = {"AM": 0, "PM": 1}
    run = best = 0
    for mark in sorted(marks, key=lambda m: (m.date, order.get(m.session, 2))):
        if mark.code in NOT_POSSIBLE or not a.start_date <= mark.date <= a.end_date:
            continue
        run = run + 1 if mark.code in UNAUTHORISED else 0
        best = max(best, run)
    return best


def _term_unverified() -> Issue:
    return Issue(
        "attendance.marks",
        "threshold_window_unverified",
        "The council counts unauthorised sessions in the current term: send attendance.marks so that "
        "the service can count the whole term, not only this absence.",
    )


def _attendance_unknown(council: Council) -> Issue:
    return Issue(
        "attendance",
        "attendance_year_to_date_unknown",
        f"{council.name} also needs attendance below {council.threshold.below_percent_year_to_date:g}% "
        "for the school year to date: send the attendance totals or the register.",
    )


def _consecutive_unverified(council: Council) -> Issue:
    return Issue(
        "attendance.marks",
        "threshold_window_unverified",
        f"{council.name} counts a holiday's sessions on consecutive school days: send attendance.marks "
        "so that the service can check they were consecutive.",
    )


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
