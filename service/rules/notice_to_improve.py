"""Notice to Improve eligibility: England, irregular absence only, never holiday (App. 12; rules.md);
and its improvement period, counted in school days through the school's (or the council's) holidays."""

from __future__ import annotations

from datetime import date

from service.case import Case
from service.councils import ENGLAND
from service.councils import Council
from service.decisions import NoticeToImproveDecision
from service.rules.penalty_notice import REASONS
from service.rules.penalty_notice import pupil_bar
from service.school_calendar import add_school_days
from service.school_calendar import closures

DEFAULT_WEEKS = 6  # rules.md: an improvement period of 3 to 6 school weeks


def term_closures(case: Case, council: Council) -> tuple[date, ...] | None:
    """Return the days the school is closed (INSET days and holidays), or None when no term dates are known.

    The school's own holidays win; else the council's published term dates, when its file has them
    (`[term_dates]`). Without either, a date counted in school days would run through a holiday (six
    school weeks from late November would count Christmas as school).
    """
    if not (case.school.holidays or council.holidays):
        return None
    return closures(case.school.upcoming_inset_days, case.school.holidays, council.holidays)


def council_weeks(council: Council) -> int | None:
    """Return the improvement period the council's file publishes (Norfolk, Manchester: 6 school weeks)."""
    return council.notice_to_improve.period_school_weeks if council.notice_to_improve else None


def improvement_period(today: date, weeks: int, closures: tuple[date, ...]) -> tuple[date, date]:
    """Return the first and last school day of an improvement period of `weeks` school weeks
    (5 school days a week, skipping weekends, bank holidays and the closures)."""
    start = add_school_days(today, 1, closures)
    return start, add_school_days(start, weeks * 5 - 1, closures)


def decide(
    case: Case, council: Council, threshold_met: bool, today: date | None = None
) -> NoticeToImproveDecision:
    """Return whether a Notice to Improve may be issued, and its period when term dates are known."""
    if council.country != ENGLAND:
        return NoticeToImproveDecision(False, "not_england")
    if case.absence.type == "holiday":
        # App. 12: a holiday in term time goes straight to the penalty-notice request.
        return NoticeToImproveDecision(False, "holiday")
    bars = [b for b in (pupil_bar(p, case) for p in case.pupils) if b]
    if bars:
        return NoticeToImproveDecision(False, min(bars, key=REASONS.index))
    if not threshold_met:
        return NoticeToImproveDecision(False, "threshold_not_met")
    weeks = case.improvement_period_weeks or council_weeks(council) or DEFAULT_WEEKS
    closures = term_closures(case, council)
    if closures is None or today is None:
        return NoticeToImproveDecision(True, "allowed", weeks=weeks)
    start, end = improvement_period(today, weeks, closures)
    return NoticeToImproveDecision(True, "allowed", start, end, weeks)
