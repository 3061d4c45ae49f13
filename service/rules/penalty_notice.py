"""Penalty-notice eligibility, notice number and amounts, per liable parent and pupil (rules.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from service.case import Case
from service.case import Parent
from service.case import Pupil
from service.councils import Council
from service.councils import Penalties
from service.rules import school_age

# Reasons, most fundamental first: the top-level reason is the first that applies (contract).
REASONS = (
    "below_compulsory_school_age",
    "above_compulsory_school_age",
    "looked_after_child",
    "threshold_not_met",
    "third_offence",
)


@dataclass(frozen=True)
class Notice:
    """The penalty notice one parent would receive for one pupil, or why not."""

    parent_id: str
    pupil_upn: str
    allowed: bool
    reason: str
    notice_number: int | None = None
    amount_early: int | None = None
    amount_full: int | None = None

    def as_dict(self) -> dict[str, object]:
        """Return the decision's JSON shape."""
        return dict(self.__dict__)


def three_years_before(day: date) -> date:
    """Return the same day three years earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - 3)
    except ValueError:
        return date(day.year - 3, 2, 28)


def liable_parents(case: Case) -> tuple[Parent, ...]:
    """Return the parents named responsible, or else every parent with parental responsibility."""
    named = [case.parent(pid) for pid in case.absence.responsible_parent_ids]
    chosen = tuple(p for p in named if p is not None)
    return chosen or tuple(p for p in case.parents if p.parental_responsibility)


def earlier_notices(case: Case, parent: Parent, pupil: Pupil, today: date) -> int:
    """Count this parent's notices for this pupil issued within the three years before today."""
    since = three_years_before(today)
    return sum(
        1
        for n in case.previous_penalty_notices
        if n.parent_id == parent.id and n.pupil_upn == pupil.upn and since <= n.issued_on <= today
    )


def amounts(penalties: Penalties, number: int) -> tuple[int | None, int]:
    """Return (early, full) amounts for the first or a later notice."""
    if number == 1:
        return penalties.first_early, penalties.first_full
    return penalties.second_early, penalties.second_full


def pupil_bar(pupil: Pupil, case: Case) -> str | None:
    """Return why no notice can be issued for this pupil at all, or None."""
    age = school_age.status(pupil.date_of_birth, case.absence.start_date)
    if age != school_age.OF_AGE:
        return f"{age}_compulsory_school_age"
    if pupil.looked_after:
        # Wiltshire code of conduct 4.3: attendance of a looked-after child belongs in the PEP.
        return "looked_after_child"
    return None


def notice(
    case: Case, council: Council, parent: Parent, pupil: Pupil, threshold_met: bool, today: date
) -> Notice:
    """Decide one parent's notice for one pupil."""
    bar = pupil_bar(pupil, case) or (None if threshold_met else "threshold_not_met")
    if bar:
        return Notice(parent.id, pupil.upn, False, bar)
    number = earlier_notices(case, parent, pupil, today) + 1
    limit = council.penalties.notices_per_three_years
    if limit is not None and number > limit:
        # A third notice within three years is not available: prosecution or another route.
        return Notice(parent.id, pupil.upn, False, "third_offence", number)
    early, full = amounts(council.penalties, number)
    return Notice(parent.id, pupil.upn, True, "allowed", number, early, full)


def decide(case: Case, council: Council, threshold_met: bool, today: date) -> dict[str, object]:
    """Return the `penalty_notice` decision: a summary and each parent-and-pupil notice."""
    notices = [
        notice(case, council, parent, pupil, threshold_met, today)
        for pupil in case.pupils
        for parent in liable_parents(case)
    ]
    allowed = [n for n in notices if n.allowed]
    top = max(allowed, key=lambda n: n.notice_number or 0) if allowed else None
    reason = (
        "allowed" if top else min((n.reason for n in notices), key=REASONS.index, default="threshold_not_met")
    )
    p = council.penalties
    return {
        "allowed": top is not None,
        "notice_number": top.notice_number if top else None,
        "amount_early": top.amount_early if top else None,
        "amount_full": top.amount_full if top else None,
        # The early period goes with an early amount: England has none for a second notice, Wales does.
        "early_days": p.first_early_days if top and top.amount_early is not None else None,
        "full_days": p.first_full_days if top else None,
        "reason": reason,
        "notices": [n.as_dict() for n in notices],
    }
