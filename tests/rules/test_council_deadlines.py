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
from service.validation import validate
from tests.conftest import WARNING_DEADLINE
from tests.conftest import council_toml
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


TEN_SCHOOL_DAYS = pytest.mark.parametrize(
    ("today", "late"),
    [
        ("2026-10-23", None),  # 10 school days after Fri 9 Oct: Fri 23 Oct, in time
        ("2026-10-24", 1),
        ("2026-10-26", 3),
    ],
)


def assert_ten_school_days_of_the_return(council_id: str, today: str, late: int | None) -> None:
    case = holiday_case(council_id)
    issues = submission.late_submission(case, councils.for_case(case), D(today))
    if late is None:
        assert issues == []
    else:
        assert [i.code for i in issues] == ["late_submission"]
        assert f"this one is {late} day(s) late" in issues[0].message
        assert "10 school days" in issues[0].message


@TEN_SCHOOL_DAYS
def test_southwark_wants_the_request_within_ten_school_days_of_the_return(today, late):
    # Southwark's code of conduct ch. 7 (published-processes.md): "within 10 school days of return" (holiday).
    assert_ten_school_days_of_the_return("southwark", today, late)


@TEN_SCHOOL_DAYS
def test_nottingham_wants_the_request_within_ten_school_days_of_the_return(today, late):
    # Nottingham City (published-processes.md): "within 10 school days of return" (G code, holiday).
    assert_ten_school_days_of_the_return("nottingham", today, late)


SCHOOL_DAYS_DEADLINE = """
[[deadlines]]
days = 10
unit = "school_days"
after = "absence_end"
absence_types = ["holiday"]
text = "Within 10 school days of the return."
source = "code"
"""
NO_TERMS = ("submission", "contact", "request_per", "term_dates", "notice_to_improve")


def test_the_councils_term_dates_are_closures_and_the_schools_win(temp_council):
    council = temp_council(council_toml(unpublished=NO_TERMS, extra=SCHOOL_DAYS_DEADLINE))
    case = holiday_case(council.id)
    council = replace(council, term_dates=TermDates(((D("2026-10-12"), D("2026-10-16")),), "code"))
    deadline = council.deadlines[0]
    # 10 school days after Fri 9 Oct, with the council's week of 12–16 Oct closed: Fri 30 Oct.
    assert submission.due_date(deadline, case.absence.end_date, case, council) == D("2026-10-30")
    # The school's own holidays (a week later in the year) win over the council's: Fri 23 Oct.
    own = holiday_case(council.id, school_holidays=[{"start": "2026-12-21", "end": "2027-01-01"}])
    assert submission.due_date(deadline, own.absence.end_date, own, council) == D("2026-10-23")


def test_working_and_calendar_days(temp_council):
    council = temp_council(council_toml(unpublished=NO_TERMS, extra=SCHOOL_DAYS_DEADLINE))
    case = holiday_case(council.id)
    working = Deadline(10, "working_days", "absence_end", ("holiday",), "x")
    calendar = Deadline(7, "calendar_days", "absence_end", ("holiday",), "x")
    closed = replace(council, term_dates=TermDates(((D("2026-10-12"), D("2026-10-16")),), "code"))
    # Working days ignore school holidays; bank holidays would count against them (none in October).
    assert submission.due_date(working, D("2026-10-09"), case, closed) == D("2026-10-23")
    assert submission.due_date(calendar, D("2026-10-09"), case, closed) == D("2026-10-16")




def warned_case(council_id: str, letters: list[dict]):
    data = load_example("national-england-holiday")
    data["council"] = council_id
    del data["council_details"]
    data["previous_letters"] = letters
    case, errors = load_case(data)
    assert case is not None, errors
    return case


def warning(sent_on: str, parent_id: str | None = None) -> dict:
    return {"document": "warning-letter", "sent_on": sent_on, "parent_id": parent_id}


@pytest.mark.parametrize(
    ("today", "late"),
    [
        ("2026-10-12", None),  # 10 working days after Mon 28 Sep: Mon 12 Oct, in time
        ("2026-10-13", 1),
        ("2026-10-19", 7),
    ],
)
def test_a_deadline_runs_from_the_warning_letter_sent(temp_council, today, late):
    unpublished = ("submission", "contact", "request_per", "term_dates", "notice_to_improve")
    council = temp_council(council_toml(unpublished=unpublished, extra=WARNING_DEADLINE))
    case = warned_case(council.id, [{"document": "attendance-letter-1", "sent_on": "2026-09-01"},
                                    warning("2026-09-28")])
    issues = submission.late_submission(case, council, D(today))
    if late is None:
        assert issues == []
    else:
        assert [(i.path, i.code) for i in issues] == [("previous_letters[1]", "late_submission")]
        assert "within 10 working days of the warning letter (28 September 2026)" in issues[0].message
        assert f"this one is {late} day(s) late" in issues[0].message


def test_each_parents_warning_letter_is_counted_and_a_missing_one_is_said(temp_council):
    unpublished = ("submission", "contact", "request_per", "term_dates", "notice_to_improve")
    council = temp_council(council_toml(unpublished=unpublished, extra=WARNING_DEADLINE))
    # Hannah was warned on 1 October (in time on 14 October), Owen on 14 September (late).
    case = warned_case(council.id, [warning("2026-10-01", "p1"), warning("2026-09-14", "p2")])
    issues = submission.late_submission(case, council, D("2026-10-14"))
    assert [(i.path, i.code) for i in issues] == [("previous_letters[1]", "late_submission")]
    # Only Hannah was warned: Owen's deadline cannot be checked, and the warning says whose.
    case = warned_case(council.id, [warning("2026-10-01", "p1")])
    issues = submission.late_submission(case, council, D("2026-10-14"))
    assert [(i.path, i.code) for i in issues] == [("previous_letters", "warning_letter_not_recorded")]
    assert "Owen Fairweather for Zoë Fairweather, Owen Fairweather for Alfie Fairweather" in issues[0].message
    assert "Hannah" not in issues[0].message
    # A letter sent after the request's date is not the one the deadline runs from.
    case = warned_case(council.id, [warning("2026-10-20")])
    assert [i.code for i in submission.late_submission(case, council, D("2026-10-14"))] == [
        "warning_letter_not_recorded"]


def test_the_warning_letter_deadline_reaches_the_report(temp_council):
    unpublished = ("submission", "contact", "request_per", "term_dates", "notice_to_improve")
    council = temp_council(council_toml(unpublished=unpublished, extra=WARNING_DEADLINE))
    data = load_example("national-england-holiday")
    data |= {"council": council.id, "letter_date": "2026-10-19", "previous_letters": [warning("2026-09-28")]}
    del data["council_details"]
    report, _ = validate(data)
    assert {"path": "previous_letters[0]", "code": "late_submission"}.items() <= next(
        w for w in report.as_dict()["warnings"] if w["code"] == "late_submission").items()


# Rotherham's own rule (code of conduct §8): "referral to LA within 10 working days of the final warning letter".
def test_rotherham_counts_ten_working_days_from_the_final_warning_letter():
    case = warned_case("rotherham", [warning("2026-09-28")])
    council = councils.get("rotherham")
    assert submission.late_submission(case, council, D("2026-10-12")) == []
    [issue] = submission.late_submission(case, council, D("2026-10-14"))
    assert (issue.path, issue.code) == ("previous_letters[0]", "late_submission")
    assert "Rotherham Metropolitan Borough Council" in issue.message and "2 day(s) late" in issue.message
