"""The rules engine: each rule a function in its own module; `decide` runs them for a case."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from service.case import Case
from service.case import Pupil
from service.councils import Council
from service.report import Issue

if TYPE_CHECKING:  # service.decisions imports rules.threshold: typed here, imported where used
    from service.decisions import Decisions
    from service.decisions import PupilDecision
    from service.rules.threshold import ThresholdResult


@dataclass
class Outcome:
    """What the rules say of a case: typed decisions, and the errors and warnings found on the way."""

    decisions: Decisions
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def decide(case: Case, council: Council, today: date) -> Outcome:
    """Run every rule for a case; `today` is the letter date the paperwork will carry."""
    from service.decisions import Decisions
    from service.rules import data_checks
    from service.rules import first_steps
    from service.rules import notice_to_improve
    from service.rules import penalty_notice
    from service.rules import submission
    from service.rules import threshold

    errors, warnings = data_checks.check(case, today)
    met, threshold_warnings = threshold.evaluate(case, council)
    pupils = tuple(_pupil(case, council, n, p, met) for n, p in enumerate(case.pupils))
    penalty = penalty_notice.decide(case, council, {p.upn: p.threshold.met for p in pupils}, today)
    decisions = Decisions(
        compulsory_school_age=all(p.compulsory_school_age for p in pupils),
        threshold_met=met.met,
        threshold=met,
        penalty_notice=penalty,
        notice_to_improve=notice_to_improve.decide(case, council, met.met, today),
        leave_refusal_variant=pupils[0].leave_refusal_variant,
        pupils=pupils,
    )
    errors += submission.separated_parents(case, council)
    errors += penalty_notice.third_offences(case, penalty)
    warnings += first_steps.support_not_appropriate(case, council, penalty)
    warnings += threshold_warnings + submission.late_submission(case, council, today)
    return Outcome(decisions, errors, warnings)


def _pupil(case: Case, council: Council, index: int, pupil: Pupil, family: ThresholdResult) -> PupilDecision:
    """Decide one pupil; a pupil with a register of their own is counted on it (siblings differ)."""
    from service.decisions import PupilDecision
    from service.rules import leave_refusal
    from service.rules import penalty_notice
    from service.rules import school_age
    from service.rules import threshold

    own = family
    if pupil.attendance is not None and index > 0:
        own, _ = threshold.evaluate(replace(case, attendance=pupil.attendance), council)

    dob = pupil.date_of_birth
    return PupilDecision(
        index=index,
        upn=pupil.upn,
        compulsory_school_age=school_age.status(dob, case.absence.start_date) == school_age.OF_AGE,
        compulsory_school_age_from=school_age.starts(dob),
        compulsory_school_age_until=school_age.ends(dob),
        leave_refusal_variant=leave_refusal.variant(case, pupil),
        bar=penalty_notice.pupil_bar(pupil, case),
        threshold=own,
    )
