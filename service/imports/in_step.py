"""Whether each pupil's marks keep step with the school's calendar, told from the other pupils' marks.

Every pupil of one school shares its calendar: the days its writer marks `##` (holidays, INSET, closures) are
the same for all of them. Enrolment spans joined with the gap between them dropped shift everything after
the join; when the gap is whole weeks the weekends still fall right (`marks.misaligned` cannot see it), but
the pupil's holidays then land on days the rest of the school was open, and their marks on days it was
closed. Such a register is refused (`marks_misaligned`), never re-read.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import numpy as np

from service.imports import ParsedPupil

HASH = ord("#")
BLANK = (ord("-"), ord(" "))
AGREE = 0.9  # the share of the other pupils that makes a day "the school was closed" (or open)
OTHERS = 4  # the fewest other pupils covering a day for it to count
DAYS_WRONG = 2  # marks on at least this many closed days, and `##` on as many open ones


def _days(marks: str) -> tuple[np.ndarray, np.ndarray]:
    """Return per calendar day: closed (`##`), and open (a mark in either session, no `#`)."""
    if len(marks) % 2:
        marks += "-"
    pairs = np.frombuffer(marks.encode("utf-32-le"), dtype=np.uint32).reshape(-1, 2)
    hashes = pairs == HASH
    blank = (pairs == BLANK[0]) | (pairs == BLANK[1])
    return hashes.all(axis=1), ~hashes.any(axis=1) & ~blank.all(axis=1)


def check(pupils: list[ParsedPupil]) -> None:
    """Refuse the marks of each pupil whose closed and open days disagree with the rest of the school."""
    blocks = [(p, start, marks, line) for p in pupils if not p.refused for start, marks, line in p.placed]
    if len({id(b[0]) for b in blocks}) <= OTHERS:
        return
    first = min(start for _, start, _, _ in blocks)
    length = max((start - first).days + (len(marks) + 1) // 2 for _, start, marks, _ in blocks)
    closed, opened = np.zeros(length, np.int32), np.zeros(length, np.int32)
    flags = []
    for pupil, start, marks, line in blocks:
        shut, open_ = _days(marks)
        at = (start - first).days
        closed[at : at + len(shut)] += shut
        opened[at : at + len(open_)] += open_
        flags.append((pupil, at, shut, open_, line))
    for pupil, at, shut, open_, line in flags:
        span = slice(at, at + len(shut))
        others_closed, others_open = closed[span] - shut, opened[span] - open_
        covered = others_closed + others_open
        enough = covered >= OTHERS
        school_closed = enough & (others_closed >= AGREE * covered)
        school_open = enough & (others_open >= AGREE * covered)
        marked_when_closed = np.flatnonzero(open_ & school_closed)
        closed_when_open = np.flatnonzero(shut & school_open)
        if len(marked_when_closed) >= DAYS_WRONG and len(closed_when_open) >= DAYS_WRONG:
            _refuse(pupil, first + timedelta(days=at), marked_when_closed, closed_when_open, line)


def _refuse(pupil: ParsedPupil, start: date, marked: np.ndarray, shut: np.ndarray, line: int) -> None:
    if pupil.refused:
        return
    on = start + timedelta(days=int(marked[0]))
    off = start + timedelta(days=int(shut[0]))
    pupil.add(
        "attendance.marks",
        "marks_misaligned",
        f"The marks are out of step with the school's calendar: sessions marked on {len(marked)} day(s) "
        f"the rest of the school was closed (first {on.isoformat()}) and closed (##) on {len(shut)} day(s) "
        f"it was open (first {off.isoformat()}), as when enrolment spans are joined without the days between "
        "them. "
        "Not read: export the register again.",
        line,
    )
    pupil.refused = True
    pupil.register = None
