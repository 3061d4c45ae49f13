"""A pupil's register as one string: two characters a calendar day (AM then PM), one character a session.

The CTF writes its `AttendanceMarks` this way (one character a session from `AttendanceStartDate`, days the
school is not in session as `#`), and CSV registers are poured into the same shape, so that the scan counts
with `str.count` and slices instead of one object per mark. A code longer than one character (the 2024
sub-codes C1, J1, Y1 …) is stored as its private-use character (`service.codes.CHARS`) and read back as sent.
A string is placed on the calendar as it is: a space is "no mark" wherever it stands, and nothing is shifted
or re-read to make a string fit (`misaligned` says where one does not).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from service import codes
from service import register
from service.register import Totals

NO_MARK = "-"  # no mark recorded (SIMS prints "-"), and what fills the days an export does not cover
BLANKS = frozenset(NO_MARK + " ")
SESSIONS = ("AM", "PM")


def _chars(names: frozenset[str]) -> frozenset[str]:
    return frozenset(codes.char(c) for c in names)


PRESENT = _chars(register.PRESENT)
APPROVED_ACTIVITY = _chars(register.APPROVED_ACTIVITY)
AUTHORISED = _chars(register.AUTHORISED)
UNAUTHORISED = _chars(register.UNAUTHORISED)
NOT_POSSIBLE = _chars(register.NOT_POSSIBLE)
ALL_CODES = _chars(register.ALL_CODES)
POSSIBLE = ALL_CODES - NOT_POSSIBLE  # a session the pupil could attend
FLAGS = str.maketrans({c: "0" for c in NOT_POSSIBLE | BLANKS} | {c: "1" for c in POSSIBLE})
EARLIEST, LATEST = date(1900, 1, 1), date(2099, 12, 31)  # a register date outside these is a typing slip


def plausible(day: date | None) -> bool:
    """Return whether a register date can be a real one (year 9999 is not: it is refused, not overflowed)."""
    return day is not None and EARLIEST <= day <= LATEST


def known(char: str) -> bool:
    """Return whether a stored character is a code of some country's table or a blank (no mark)."""
    return char in ALL_CODES or char in BLANKS


def totals(marks: str) -> Totals:
    """Count possible, present, authorised and unauthorised sessions in a marks string."""
    counts = Counter(marks)
    present = sum(counts[c] for c in PRESENT | APPROVED_ACTIVITY)
    authorised = sum(counts[c] for c in AUTHORISED)
    unauthorised = sum(counts[c] for c in UNAUTHORISED)
    return Totals(sum(counts[c] for c in POSSIBLE), present, authorised, unauthorised)


def session_of(start: date, index: int) -> str:
    """Return 'YYYY-MM-DD AM' for a position in a string that starts on `start`."""
    return f"{(start + timedelta(days=index // 2)).isoformat()} {SESSIONS[index % 2]}"


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

    def until(self, last: date) -> tuple[Register, int]:
        """Return the register cut after `last`, and how many session marks were cut off."""
        cut = self.offset(last + timedelta(days=1))
        dropped = self.marks[cut:]
        sessions = len(dropped) - sum(dropped.count(b) for b in (*BLANKS, "#"))  # `#`: no session that day
        return Register(self.start, self.marks[:cut]), sessions

    def as_marks(self, first: date, last: date) -> list[dict[str, str]]:
        """Return the contract's `attendance.marks` from `first` to `last`: codes as sent, blanks left out."""
        out = []
        at = self.offset(first)
        for n, char in enumerate(self.between(first, last), start=at):
            if char not in BLANKS:
                day = self.start + timedelta(days=n // 2)
                out.append({"date": day.isoformat(), "session": SESSIONS[n % 2], "code": codes.as_sent(char)})
        return out


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


@dataclass
class BadCode:
    """Sessions whose code the country's table does not know, or not on their date: one kind, grouped."""

    code: str
    reason: str
    count: int = 0
    sessions: list[str] = field(default_factory=list)  # the first few, "YYYY-MM-DD AM"

    def message(self, country: str) -> str:
        """Return the sentence for people: the code, why, how many sessions and the first few."""
        where = ", ".join(self.sessions) + (" …" if self.count > len(self.sessions) else "")
        return (
            f"{self.code!r} {self.reason} ({country.title()}): {self.count} session(s), {where}; not counted."
        )


FIRST_FEW = 5


def check_codes(start: date, marks: str, table: codes.CodeTable) -> tuple[str, list[BadCode]]:
    """Return the marks with every code the table refuses blanked, and what was refused (grouped by code)."""
    bad: list[BadCode] = []
    for char in sorted(set(marks) - BLANKS):
        sent = codes.as_sent(char)
        known = table.get(sent)
        if known is not None and sent not in table.dated:
            continue
        found = BadCode(sent, "is not an attendance code")
        chars = list(marks)
        at = marks.find(char)
        while at >= 0:
            day = start + timedelta(days=at // 2)
            if known is None or not known.in_force(day):
                if known is not None and not found.count:
                    found.reason = f"is a code that {known.why_not(day)}"
                found.count += 1
                if len(found.sessions) < FIRST_FEW:
                    found.sessions.append(session_of(start, at))
                chars[at] = NO_MARK
            at = marks.find(char, at + 1)
        if found.count:
            marks = "".join(chars)
            bad.append(found)
    return marks, bad


def normal(raw: str) -> str:
    """Return a marks string as placed: upper case, a space kept as "no mark" where it stands."""
    return raw.upper().replace(" ", NO_MARK)


def misaligned(start: date, marks: str) -> date | None:
    """Return the first Saturday or Sunday that holds a mark other than `#` or a blank, or None.

    Writers put `##` on days the school is not in session; a mark on a weekend means the string has fallen
    out of step with the calendar (a day-shift, enrolment spans joined with the gap dropped, a string written
    for school days only). It is refused, never re-read: any re-reading would be a guess.
    """
    found = None
    for weekday in (5, 6):
        first = (weekday - start.weekday()) % 7
        for session in (0, 1):
            column = marks[first * 2 + session :: 14]  # that weekday's AM (or PM), week after week
            if column.strip("#- "):
                week = next(n for n, c in enumerate(column) if c not in "#- ")
                day = start + timedelta(days=first + 7 * week)
                found = day if found is None else min(found, day)
    return found
