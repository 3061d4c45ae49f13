"""The attendance register: what each code counts as (`service.codes`, per country) and totals from marks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from service import codes
from service.case import Mark

# Codes as sent (`C1`, `J1`, `Y4` included), by what they count as; a code means the same in every country.
PRESENT = codes.BY_CATEGORY[codes.PRESENT]
APPROVED_ACTIVITY = codes.BY_CATEGORY[codes.APPROVED_ACTIVITY]  # counted as attendance
AUTHORISED = codes.BY_CATEGORY[codes.AUTHORISED]  # J1 (interview) among them since 2024
UNAUTHORISED = codes.BY_CATEGORY[codes.UNAUTHORISED]
# Unable to attend, and administrative codes (D, X, Z, #): not a possible session.
NOT_POSSIBLE = codes.BY_CATEGORY[codes.NOT_POSSIBLE] | codes.BY_CATEGORY[codes.ADMINISTRATIVE]
ALL_CODES = codes.ALL


@dataclass(frozen=True)
class Totals:
    """Sessions counted from a register, as the contract's `attendance` block names them."""

    sessions_possible: int
    sessions_present: int
    authorised_absences: int
    unauthorised_absences: int

    @property
    def attendance_percent(self) -> float:
        """Return the share of possible sessions attended, to one decimal place."""
        if not self.sessions_possible:
            return 100.0
        return round(100 * self.sessions_present / self.sessions_possible, 1)


def count(marks: Iterable[Mark]) -> Totals:
    """Count possible, present, authorised and unauthorised sessions from marks."""
    possible = present = authorised = unauthorised = 0
    for mark in marks:
        if mark.code in NOT_POSSIBLE:
            continue
        possible += 1
        if mark.code in PRESENT or mark.code in APPROVED_ACTIVITY:
            present += 1
        elif mark.code in AUTHORISED:
            authorised += 1
        elif mark.code in UNAUTHORISED:
            unauthorised += 1
    return Totals(possible, present, authorised, unauthorised)
