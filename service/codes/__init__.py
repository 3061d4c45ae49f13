"""Attendance codes: one table per country, each code with its meaning, category and source.

A code is kept as the register sends it (`C1`, `J1`, `Y4` stay themselves, on certificates too). Each
country's table says which codes exist there and on which dates: a code the table does not know, or a code
used outside the years it was in force (H after 18 August 2024, F after 31 August 2013), is an error of the
import that names the pupil, the date and the session. A code string means the same in every table it is in
(a contract test checks it), so the register's counting sets are the union of the tables.

Registers are held as strings of one character a session (`service.imports.marks`): a sub-code is stored as
one private-use character (`CHARS`), and turned back into the code as sent wherever it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

PRESENT = "present"
APPROVED_ACTIVITY = "approved_educational_activity"
AUTHORISED = "authorised"
UNAUTHORISED = "unauthorised"
NOT_POSSIBLE = "not_possible"  # unable to attend: not a possible session
ADMINISTRATIVE = "administrative"  # not a possible session either
CATEGORIES = (PRESENT, APPROVED_ACTIVITY, AUTHORISED, UNAUTHORISED, NOT_POSSIBLE, ADMINISTRATIVE)
LABELS = {
    PRESENT: "Present",
    APPROVED_ACTIVITY: "Present (approved educational activity)",
    AUTHORISED: "Authorised absence",
    UNAUTHORISED: "Unauthorised absence",
    NOT_POSSIBLE: "Not possible (unable to attend)",
    ADMINISTRATIVE: "Not possible (administrative)",
}


@dataclass(frozen=True)
class Code:
    """One attendance code of one country: what it means, how it counts, where it comes from."""

    code: str
    meaning: str
    category: str
    source: str
    valid_from: date | None = None  # first day it may be used (None: before any register we read)
    valid_until: date | None = None  # last day it may be used (None: still in force)

    @property
    def possible(self) -> bool:
        """Return whether a session with this code counts as a possible session."""
        return self.category not in (NOT_POSSIBLE, ADMINISTRATIVE)

    @property
    def attended(self) -> bool:
        """Return whether the session counts as attended (present, or an approved educational activity)."""
        return self.category in (PRESENT, APPROVED_ACTIVITY)

    def in_force(self, day: date) -> bool:
        """Return whether the code may be used on this day."""
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_until is None or day <= self.valid_until
        )

    def why_not(self, day: date) -> str:
        """Return why the code cannot be used on this day (empty when it can)."""
        if self.valid_from is not None and day < self.valid_from:
            return f"came into force on {self.valid_from.isoformat()}"
        if self.valid_until is not None and day > self.valid_until:
            return f"was withdrawn after {self.valid_until.isoformat()}"
        return ""


@dataclass(frozen=True)
class CodeTable:
    """A country's attendance codes, with the instrument they come from."""

    country: str
    source: str
    codes: tuple[Code, ...]

    def __post_init__(self) -> None:
        seen = [c.code for c in self.codes]
        if len(seen) != len(set(seen)):
            raise ValueError(f"{self.country}: a code is listed twice")
        object.__setattr__(self, "_by_code", {c.code: c for c in self.codes})
        dated = frozenset(c.code for c in self.codes if c.valid_from or c.valid_until)
        object.__setattr__(self, "_dated", dated)

    def get(self, code: str) -> Code | None:
        """Return the code as the table knows it, or None."""
        return self._by_code.get(code)  # type: ignore[attr-defined]

    @property
    def dated(self) -> frozenset[str]:
        """Return the codes in force only between dates (checked session by session)."""
        return self._dated  # type: ignore[attr-defined]


def _tables() -> dict[str, CodeTable]:
    from service.codes.england import TABLE as ENGLAND
    from service.codes.wales import TABLE as WALES

    return {ENGLAND.country: ENGLAND, WALES.country: WALES}


TABLES = _tables()


def table(country: str) -> CodeTable:
    """Return the code table of a country (`england`, `wales`)."""
    return TABLES[country]


def _union(category: str) -> frozenset[str]:
    return frozenset(c.code for t in TABLES.values() for c in t.codes if c.category == category)


# What each code counts as, whatever the country (a code string means the same in every table).
BY_CATEGORY = {category: _union(category) for category in CATEGORIES}
ALL = frozenset().union(*BY_CATEGORY.values())
# Multi-character codes get one private-use character each, so that a register stays one character a session.
_LONG = sorted(c for c in ALL if len(c) > 1)
CHARS = {c: chr(0xE000 + n) for n, c in enumerate(_LONG)} | {c: c for c in ALL if len(c) == 1}
FROM_CHAR = {char: c for c, char in CHARS.items()}


def char(code: str) -> str:
    """Return the one character a code is stored as in a register string."""
    return CHARS[code]


def as_sent(stored: str) -> str:
    """Return the code a stored character stands for."""
    return FROM_CHAR.get(stored, stored)


def category(code: str) -> str | None:
    """Return a code's category (None when no table knows it)."""
    return next((c for c, codes in BY_CATEGORY.items() if code in codes), None)
