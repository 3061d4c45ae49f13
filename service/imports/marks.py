"""A pupil's register as one string: two characters a calendar day (AM then PM), national codes.

The CTF writes its `AttendanceMarks` this way (one character a session from `AttendanceStartDate`, days the
school is not in session as `#`), and CSV registers are poured into the same shape, so that the scan counts
with `str.count` and slices instead of one object per mark.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from service.register import ALL_CODES
from service.register import APPROVED_ACTIVITY
from service.register import AUTHORISED
from service.register import NOT_POSSIBLE
from service.register import PRESENT
from service.register import UNAUTHORISED
from service.register import Totals

NO_MARK = "-"  # no mark recorded (SIMS prints "-"), and what fills the days an export does not cover
BLANKS = frozenset(NO_MARK + " ")
POSSIBLE = ALL_CODES - NOT_POSSIBLE  # a session the pupil could attend (seed 004 App. 1)
FLAGS = str.maketrans({c: "0" for c in NOT_POSSIBLE | BLANKS} | {c: "1" for c in POSSIBLE})


def known(code: str) -> bool:
    """Return whether a one-character mark is a national code or a blank (no mark)."""
    return code in ALL_CODES or code in BLANKS


def totals(marks: str) -> Totals:
    """Count possible, present, authorised and unauthorised sessions in a marks string."""
    counts = Counter(marks)
    present = sum(counts[c] for c in PRESENT | APPROVED_ACTIVITY)
    authorised = sum(counts[c] for c in AUTHORISED)
    unauthorised = sum(counts[c] for c in UNAUTHORISED)
    return Totals(sum(counts[c] for c in POSSIBLE), present, authorised, unauthorised)


@dataclass(frozen=True)
class Register:
    """Marks from `start`, two characters a calendar day; `-` where nothing was recorded."""

    start: date
    marks: str

    @property
    def end(self) -> date:
        """Return the last day the string covers."""
        return self.start + timedelta(days=max(len(self.marks) // 2 - 1, 0))

    def offset(self, day: date) -> int:
        """Return the index of a day's AM mark (clamped to the string)."""
        return min(max((day - self.start).days * 2, 0), len(self.marks))

    def between(self, first: date, last: date) -> str:
        """Return the marks from `first` to `last`, both included."""
        return self.marks[self.offset(first) : self.offset(last + timedelta(days=1))]

    def latest_mark(self) -> date | None:
        """Return the last day with a possible session (a mark that counts), or None."""
        flags = self.marks.translate(FLAGS)
        last = flags.rfind("1")
        return None if last < 0 else self.start + timedelta(days=last // 2)

    def school_weeks(self, until: date) -> list[date]:
        """Return the Mondays of the weeks up to `until` with at least one possible session."""
        monday = self.start - timedelta(days=self.start.weekday())
        flags = "0" * (self.start.weekday() * 2) + self.between(self.start, until).translate(FLAGS)
        return [monday + timedelta(days=i // 2) for i in range(0, len(flags), 14) if "1" in flags[i : i + 14]]

    def first_possible(self, first: date, last: date) -> date | None:
        """Return the first day from `first` to `last` with a possible session."""
        found = self.between(first, last).translate(FLAGS).find("1")
        return None if found < 0 else first + timedelta(days=found // 2)


def merge(segments: list[tuple[date, str]]) -> Register | None:
    """Pour segments (start date, marks) into one register; a counting mark wins over a blank or `#`."""
    segments = sorted((s, m) for s, m in segments if m)
    if len(segments) <= 1:
        return Register(*segments[0]) if segments else None
    start = segments[0][0]
    end = max(s + timedelta(days=(len(m) + 1) // 2) for s, m in segments)
    buffer = [NO_MARK] * ((end - start).days * 2)
    filled = 0  # segments rarely overlap (a move between schools): only the overlap goes mark by mark
    for first, marks in segments:
        at = (first - start).days * 2
        overlap = max(0, min(filled - at, len(marks)))
        for i in range(overlap):
            if marks[i] in POSSIBLE or buffer[at + i] not in POSSIBLE:
                buffer[at + i] = marks[i]
        buffer[at + overlap : at + len(marks)] = marks[overlap:]
        filled = max(filled, at + len(marks))
    return Register(start, "".join(buffer))


def clean(raw: str) -> tuple[str, dict[str, int]]:
    """Return marks upper-cased without white space, unknown characters blanked, and what was blanked."""
    marks = "".join(raw.split()).upper()
    unknown = {c: marks.count(c) for c in sorted(set(marks)) if not known(c)}
    for char in unknown:
        marks = marks.replace(char, NO_MARK)
    return marks, unknown


def calendar(start: date, marks: str) -> tuple[date, str]:
    """Return the marks as two characters a calendar day, re-reading a school-days-only string."""
    if not _marks_at_weekends(start, marks):
        return start, marks
    while start.weekday() >= 5:
        start += timedelta(days=1)
    out, day = [], start
    for i in range(0, len(marks), 2):
        while day.weekday() >= 5:
            out.append("##")
            day += timedelta(days=1)
        out.append(marks[i : i + 2])
        day += timedelta(days=1)
    return start, "".join(out)


def _marks_at_weekends(start: date, marks: str) -> bool:
    saturday = (5 - start.weekday()) % 7
    for day in range(saturday, len(marks) // 2, 7):
        if any(c in POSSIBLE for c in marks[day * 2 : day * 2 + 4]):
            return True
    return False
