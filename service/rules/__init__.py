"""The rules engine: each rule a function in its own module; `decide` runs them for a case."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from service.case import Case
from service.councils import Council
from service.report import Issue


@dataclass
class Outcome:
    """What the rules say of a case: decisions, and the errors and warnings found on the way."""

    decisions: dict[str, Any]
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def decide(case: Case, council: Council, today: date) -> Outcome:
    """Run every rule for a case; `today` is the letter date the paperwork will carry."""
    from service.rules import data_checks
    from service.rules import leave_refusal
    from service.rules import notice_to_improve
    from service.rules import penalty_notice
    from service.rules import school_age
    from service.rules import submission
    from service.rules import threshold

    errors, warnings = data_checks.check(case, today)
    met, threshold_warnings = threshold.evaluate(case, council)
    pupils = [_pupil(case, p) for p in case.pupils]
    decisions = {
        "compulsory_school_age": all(p["compulsory_school_age"] for p in pupils),
        "threshold_met": met.met,
        "threshold": met.as_dict(),
        "penalty_notice": penalty_notice.decide(case, council, met.met, today),
        "notice_to_improve": notice_to_improve.decide(case, council, met.met),
        "leave_refusal_variant": pupils[0]["leave_refusal_variant"],
        "pupils": pupils,
    }
    errors += submission.separated_parents(case, council)
    warnings += threshold_warnings + submission.late_submission(case, council, today)
    del school_age, leave_refusal
    return Outcome(decisions, errors, warnings)


def _pupil(case: Case, pupil: Any) -> dict[str, Any]:
    from service.rules import leave_refusal
    from service.rules import school_age

    dob = pupil.date_of_birth
    return {
        "upn": pupil.upn,
        "compulsory_school_age": school_age.status(dob, case.absence.start_date) == school_age.OF_AGE,
        "compulsory_school_age_from": school_age.starts(dob).isoformat(),
        "compulsory_school_age_until": school_age.ends(dob).isoformat(),
        "leave_refusal_variant": leave_refusal.variant(case, pupil),
    }
