"""Notice to Improve (England, irregular absence): the eight contents of the national framework (rules.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from service.forms import Letter
from service.forms import LetterInput
from service.forms._letters import base
from service.forms._letters import record
from service.school_calendar import add_school_days
from service.text import long_date

DEFAULT_WEEKS = 6  # rules.md: an improvement period of 3 to 6 school weeks


def improvement_period(today: date, weeks: int, closures: tuple[date, ...]) -> tuple[date, date]:
    """Return the first and last school day of an improvement period of `weeks` school weeks
    (5 school days a week, skipping weekends, bank holidays and the school's INSET days)."""
    start = add_school_days(today, 1, closures)
    return start, add_school_days(start, weeks * 5 - 1, closures)


def context(inp: LetterInput) -> dict[str, Any]:
    """Return the notice's context: the record, the support, the period and the amounts."""
    case = inp.case
    ctx = base(inp)
    weeks = case.improvement_period_weeks or DEFAULT_WEEKS
    start, end = improvement_period(inp.today, weeks, case.school.closures())
    threshold = inp.decisions["threshold"]
    ctx["record"] = record(case) | {
        "window_sessions": threshold["sessions"],
        "window_weeks": threshold["window_school_weeks"] or "",
    }
    window_start = date.fromisoformat(threshold["window_start"])
    window_end = min(date.fromisoformat(threshold["window_end"]), case.attendance.as_of)
    ctx["en"] |= {
        "window_start": long_date(window_start),
        "window_end": long_date(window_end),
        "period_start": long_date(start),
        "period_end": long_date(end),
    }
    ctx["support"] = [
        f"{long_date(s.date)}: {s.description}" for s in sorted(case.support_offered, key=lambda s: s.date)
    ]
    ctx["weeks"] = weeks
    ctx["period"] = {"start": start.isoformat(), "end": end.isoformat()}
    return ctx


DOCUMENT = Letter(
    id="notice-to-improve",
    title="Notice to improve school attendance",
    outputs=("docx", "pdf"),
    needs=("notice_to_improve", "irregular", "attendance"),
    advice=("term_dates",),
    template="notice-to-improve.docx",
    context=context,
)
