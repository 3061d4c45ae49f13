"""Which leave-refusal letter a pupil's case calls for (seed 004 App. 9)."""

from __future__ import annotations

from service.case import Case
from service.case import Pupil
from service.rules import school_age

VARIANTS = ("not-statutory-age", "statutory-age", "not-requested-in-advance")


def variant(case: Case, pupil: Pupil) -> str:
    """Return the App. 9 letter for this pupil: not of statutory age, refused, or not asked."""
    if school_age.status(pupil.date_of_birth, case.absence.start_date) != school_age.OF_AGE:
        return "not-statutory-age"
    request = case.absence.leave_request
    if request is None or not request.submitted:
        return "not-requested-in-advance"
    return "statutory-age"
