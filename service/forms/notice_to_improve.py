"""Notice to Improve (England, irregular absence): the eight contents of the national framework (rules.md)."""

from __future__ import annotations

from typing import Any

from service import needs
from service.forms import Letter
from service.forms import LetterInput
from service.forms._letters import base
from service.forms._letters import record
from service.rules.notice_to_improve import DEFAULT_WEEKS  # noqa: F401 - where letters looked for it
from service.rules.notice_to_improve import improvement_period  # noqa: F401
from service.text import long_date


def context(inp: LetterInput) -> dict[str, Any]:
    """Return the notice's context: the record, the support, the period and the amounts."""
    case = inp.case
    ctx = base(inp)
    nti = inp.decisions.notice_to_improve
    weeks, start, end = nti.weeks, nti.period_start, nti.period_end
    assert start is not None and end is not None  # the term_dates need: term_dates_required otherwise
    pupil = inp.decisions.pupil(inp.pupil_indexes[0]) if inp.pupil_indexes else inp.decisions.pupils[0]
    threshold = pupil.threshold or inp.decisions.threshold
    ctx["record"] = record(case) | {
        "window_sessions": threshold.sessions,
        "window_weeks": threshold.window_school_weeks or "",
    }
    assert case.attendance is not None and threshold.window_start and threshold.window_end
    window_start = threshold.window_start
    window_end = min(threshold.window_end, case.attendance.as_of)
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
    needs=(needs.NOTICE_TO_IMPROVE, needs.IRREGULAR, needs.ATTENDANCE, needs.TERM_DATES),
    template="notice-to-improve.docx",
    context=context,
    per_pupil=True,
)
