"""Deadlines from the councils' files: within N school, working or calendar days of the absence's end; a
council's published term dates count as closures unless the school sends its own (the school's win)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from service import councils
from service.case.schema import load_case
from service.councils import Deadline
from service.councils import TermDates
from service.rules import submission
from tests.conftest import load_example

D = date.fromisoformat


def holiday_case(council_id: str, end: str = "2026-10-09", school_holidays=None):
    data = load_example("national-england-holiday")
    data["council"] = council_id
    del data["council_details"]
    data["absence"].update(start_date="2026-10-05", end_date=end)
    data["attendance"]["as_of"] = "2026-10-16"
    if school_holidays is not None:
        data["school"]["holidays"] = school_holidays
    case, errors = load_case(data)
    assert case is not None, errors
    return case


@pytest.mark.parametrize("council_id", ["southwark", "nottingham"])
@pytest.mark.parametrize(
    ("today", "late"),
    [
        ("2026-10-23", None),  # 10 school days after Fri 9 Oct: Fri 23 Oct, in time
        ("2026-10-24", 1),
        ("2026-10-26", 3),
    ],
)
def test_ten_school_days_of_the_return(council_id, today, late):
    # Southwark ch. 7 and Nottingham: "within 10 school days of return" (G code, holiday).
    case = holiday_case(council_id)
    issues = submission.late_submission(case, councils.for_case(case), D(today))
    if late is None:
        assert issues == []
    else:
        assert [i.code for i in issues] == ["late_submission"]
        assert f"this one is {late} day(s) late" in issues[0].message
        assert "10 school days" in issues[0].message


def test_the_councils_term_dates_are_closures_and_the_schools_win():
    council_closed = TermDates(((D("2026-10-12"), D("2026-10-16")),), "code")
    case = holiday_case("southwark")
    council = replace(councils.for_case(case), term_dates=council_closed)
    deadline = council.deadlines[0]
    # 10 school days after Fri 9 Oct, with the council's week of 12–16 Oct closed: Fri 30 Oct.
    assert submission.due_date(deadline, case.absence.end_date, case, council) == D("2026-10-30")
    # The school's own holidays (a week later in the year) win over the council's: Fri 23 Oct.
    own = holiday_case("southwark", school_holidays=[{"start": "2026-12-21", "end": "2027-01-01"}])
    assert submission.due_date(deadline, own.absence.end_date, own, council) == D("2026-10-23")


def test_working_and_calendar_days():
    case = holiday_case("southwark")
    council = councils.for_case(case)
    working = Deadline(10, "working_days", "absence_end", ("holiday",), "x")
    calendar = Deadline(7, "calendar_days", "absence_end", ("holiday",), "x")
    closed = replace(council, term_dates=TermDates(((D("2026-10-12"), D("2026-10-16")),), "code"))
    # Working days ignore school holidays; bank holidays would count against them (none in October).
    assert submission.due_date(working, D("2026-10-09"), case, closed) == D("2026-10-23")
    assert submission.due_date(calendar, D("2026-10-09"), case, closed) == D("2026-10-16")
