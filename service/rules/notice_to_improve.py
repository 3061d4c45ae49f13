"""Notice to Improve eligibility: England, irregular absence only, never holiday (App. 12; rules.md)."""

from __future__ import annotations

from service.case import Case
from service.councils import ENGLAND
from service.councils import Council
from service.rules.penalty_notice import REASONS
from service.rules.penalty_notice import pupil_bar


def decide(case: Case, council: Council, threshold_met: bool) -> dict[str, object]:
    """Return `{"allowed", "reason"}` for a Notice to Improve."""
    if council.country != ENGLAND:
        return {"allowed": False, "reason": "not_england"}
    if case.absence.type == "holiday":
        # App. 12: a holiday in term time goes straight to the penalty-notice request.
        return {"allowed": False, "reason": "holiday"}
    bars = [b for b in (pupil_bar(p, case) for p in case.pupils) if b]
    if bars:
        return {"allowed": False, "reason": min(bars, key=REASONS.index)}
    if not threshold_met:
        return {"allowed": False, "reason": "threshold_not_met"}
    return {"allowed": True, "reason": "allowed"}
