"""The attendance register: national codes (seed 004 App. 1) and totals counted from session marks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from service.case import Mark

PRESENT = frozenset("/\\L")
APPROVED_ACTIVITY = frozenset("BDJKPVW")  # counted as attendance
AUTHORISED = frozenset("CEHIMRST")
UNAUTHORISED = frozenset("GNOU")
NOT_POSSIBLE = frozenset("XYZ#Q")  # administrative and closure codes: not a possible session
ALL_CODES = PRESENT | APPROVED_ACTIVITY | AUTHORISED | UNAUTHORISED | NOT_POSSIBLE


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
