"""Penalty-notice eligibility, notice number and amounts, per liable parent and pupil (rules.md)."""

from __future__ import annotations

from datetime import date

from service.case import Case
from service.case import Parent
from service.case import Pupil
from service.councils import Council
from service.councils import Penalties
from service.decisions import Notice
from service.decisions import PenaltyNoticeDecision
from service.report import Issue
from service.rules import first_steps
from service.rules import school_age

# Reasons, most fundamental first: the top-level reason is the first that applies (contract).
REASONS = (
    "below_compulsory_school_age",
    "above_compulsory_school_age",
    "looked_after_child",
    "threshold_not_met",
    "third_offence",
    "notice_to_improve_first",
    "warning_letter_first",
)


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


def households(case: Case) -> list[tuple[Parent, ...]]:
    """Return the letters' recipients: the liable parents (else the first parent), one group per home,
    so that a parent living elsewhere gets a letter of their own at their own address."""
    parents = list(liable_parents(case)) or list(case.parents[:1])
    homes: dict[tuple[str, str], list[Parent]] = {}
    for parent in parents:
        homes.setdefault(case.home_of(parent, case.pupils[0]).key(), []).append(parent)
    return [tuple(group) for group in homes.values()]


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
    case: Case,
    council: Council,
    parent: Parent,
    pupil: Pupil,
    threshold_met: bool | dict[str, bool],
    today: date,
) -> Notice:
    """Decide one parent's notice for one pupil."""
    where = {
        "parent_index": case.parents.index(parent),
        "pupil_index": case.pupils.index(pupil),
        "notice_to_improve_ended": first_steps.notice_to_improve_ended(case, parent, pupil, today),
        "warning_letter_sent": first_steps.warning_letter_sent(case, parent, pupil, today),
    }
    if isinstance(threshold_met, dict):
        threshold_met = threshold_met[pupil.upn]
    bar = pupil_bar(pupil, case) or (None if threshold_met else "threshold_not_met")
    if bar:
        return Notice(parent.id, pupil.upn, False, bar, **where)
    number = earlier_notices(case, parent, pupil, today) + 1
    limit = council.penalties.notices_per_three_years
    if limit is not None and number > limit:
        # A third notice within three years is not available: prosecution or another route.
        return Notice(parent.id, pupil.upn, False, "third_offence", number, **where)
    first = first_steps.missing(case, council, parent, pupil, today)  # the council's data: what comes first
    if first:
        return Notice(parent.id, pupil.upn, False, first, number, **where)
    early, full = amounts(council.penalties, number)
    p = council.penalties
    # The early period goes with an early amount: England has none for a second notice, Wales does.
    early_days = p.first_early_days if early is not None else None
    return Notice(
        parent.id, pupil.upn, True, "allowed", number, early, full, early_days, p.first_full_days, **where
    )


def decide(
    case: Case, council: Council, threshold_met: bool | dict[str, bool], today: date
) -> PenaltyNoticeDecision:
    """`threshold_met`: for the case, or per pupil UPN (a sibling with a register of their own)."""
    notices = tuple(
        notice(case, council, parent, pupil, threshold_met, today)
        for pupil in case.pupils
        for parent in liable_parents(case)
    )
    allowed = [n for n in notices if n.allowed]
    top = max(allowed, key=lambda n: n.notice_number or 0) if allowed else None
    reason = (
        "allowed" if top else min((n.reason for n in notices), key=REASONS.index, default="threshold_not_met")
    )
    shapes = {(n.allowed, n.reason, n.notice_number, n.amount_early, n.amount_full) for n in notices}
    return PenaltyNoticeDecision(
        allowed=top is not None,
        reason=reason,
        notices=notices,
        notice_number=top.notice_number if top else None,
        amount_early=top.amount_early if top else None,
        amount_full=top.amount_full if top else None,
        early_days=top.early_days if top else None,
        full_days=top.full_days if top else None,
        uniform=len(shapes) <= 1,
        first_step=first_steps.decide(case, council),
    )


def who(case: Case, notice: Notice) -> str:
    """Return `Sarah Brown (parents[0]) for Olivia Brown (pupils[0])`: the pair a notice is about."""
    parent, pupil = case.parents[notice.parent_index], case.pupils[notice.pupil_index]
    return (
        f"{parent.full_name} (parents[{notice.parent_index}]) for "
        f"{pupil.full_name} (pupils[{notice.pupil_index}])"
    )


def third_offences(case: Case, decision: PenaltyNoticeDecision) -> list[Issue]:
    """Return a `third_offence` error for each pair with two notices within three years (rules.md: the
    case is for prosecution or another legal intervention, not a notice), at the latest earlier notice."""
    out = []
    for n in decision.notices:
        if n.reason != "third_offence":
            continue
        earlier = [
            k
            for k, p in enumerate(case.previous_penalty_notices)
            if p.parent_id == n.parent_id and p.pupil_upn == n.pupil_upn
        ]
        latest = max(earlier, key=lambda k: case.previous_penalty_notices[k].issued_on)
        out.append(
            Issue(
                f"previous_penalty_notices[{latest}]",
                "third_offence",
                f"Two penalty notices were issued within three years to {who(case, n)}: a third is not a "
                "penalty notice. Refer this parent and child for prosecution or another route.",
            )
        )
    return out
