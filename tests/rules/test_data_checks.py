"""Checks across fields (rules.md §Data checks): dates, parent ids, UPNs, totals against marks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from service.case.schema import load_case
from service.rules import data_checks
from tests.conftest import FAMILIES
from tests.conftest import family_case
from tests.conftest import in_country

Loader = Callable[[str], dict[str, Any]]
D = date.fromisoformat


def check(data: dict[str, Any], today: str = "2026-10-16") -> tuple[list[tuple[str, str]],
                                                                   list[tuple[str, str]]]:
    """Return the (path, code) of the errors and of the warnings."""
    loaded, errors = load_case(data)
    assert errors == [], errors
    found_errors, found_warnings = data_checks.check(loaded, D(today))
    return [(i.path, i.code) for i in found_errors], [(i.path, i.code) for i in found_warnings]


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_examples_pass(family, name: str) -> None:
    data = family(name)
    assert check(data, data["letter_date"]) == ([], [])


@pytest.mark.parametrize(
    ("start", "end", "as_of", "expected"),
    [
        ("2026-10-05", "2026-10-09", "2026-10-16", []),
        ("2026-10-05", "2026-10-05", "2026-10-16", []),  # a one-day absence
        # rules.md: the absence ends on or after it starts.
        ("2026-10-09", "2026-10-05", "2026-10-16", [("absence.end_date", "end_before_start")]),
        ("2026-10-05", "2026-10-04", "2026-10-16", [("absence.end_date", "end_before_start")]),
        # rules.md: the attendance as_of is not before the absence ends.
        ("2026-10-05", "2026-10-09", "2026-10-09", []),
        ("2026-10-05", "2026-10-09", "2026-10-08", [("attendance.as_of", "as_of_before_absence_end")]),
    ],
)
def test_absence_dates(case: Loader, start: str, end: str, as_of: str,
                       expected: list[tuple[str, str]]) -> None:
    data = family_case("holiday-two-children")
    data["absence"].update(start_date=start, end_date=end)
    data["attendance"]["as_of"] = as_of
    assert check(data)[0] == expected


@pytest.mark.parametrize(
    ("dob", "plausible"),
    [
        # rules.md: a date of birth in the past giving a plausible school age (4–19), taken when
        # the absence began (5 Oct 2026); today is 16 Oct 2026.
        ("2016-05-04", True),
        ("2022-10-05", True),  # 4 on the first day of the absence
        ("2022-10-06", False),  # 4 the day after
        ("2006-10-06", True),  # 19, the day before the 20th birthday
        ("2006-10-05", False),  # 20 on the first day
        ("2026-10-16", False),  # born today
        ("2026-10-17", False),  # born tomorrow
        ("2030-01-01", False),
        ("1900-01-01", False),
    ],
)
def test_implausible_date_of_birth(case: Loader, dob: str, plausible: bool) -> None:
    data = family_case("holiday-two-children")
    data["pupils"][1]["date_of_birth"] = dob
    expected = [] if plausible else [("pupils[1].date_of_birth", "implausible_date_of_birth")]
    assert check(data)[0] == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        # rules.md / case-format.md: an id in lives_with or responsible_parent_ids names a parent.
        ("lives_with", [("pupils[1].lives_with[1]", "unknown_parent")]),
        ("responsible", [("absence.responsible_parent_ids[1]", "unknown_parent")]),
        ("previous", [("previous_penalty_notices[0].parent_id", "unknown_parent")]),
    ],
)
def test_unknown_parent(case: Loader, where: str, expected: list[tuple[str, str]]) -> None:
    data = family_case("holiday-two-children")
    if where == "lives_with":
        data["pupils"][1]["lives_with"] = ["p1", "p3"]
    elif where == "responsible":
        data["absence"]["responsible_parent_ids"] = ["p1", "p3"]
    else:
        data["previous_penalty_notices"] = [{"parent_id": "p3", "pupil_upn": "U865204225011",
                                             "issued_on": "2025-01-10"}]
    assert check(data)[0] == expected


def test_unknown_parent_is_named_in_every_place(case: Loader) -> None:
    data = family_case("holiday-two-children")
    data["parents"][1]["id"] = "dad"  # p2 is named in five places
    assert check(data)[0] == [
        ("pupils[0].lives_with[1]", "unknown_parent"),
        ("pupils[1].lives_with[1]", "unknown_parent"),
        ("absence.responsible_parent_ids[1]", "unknown_parent"),
    ]


def test_duplicate_parent_ids(case: Loader) -> None:
    data = family_case("holiday-parents-apart")
    data["parents"][1]["id"] = "p1"
    assert check(data, "2026-11-16")[0] == [("parents[0].id", "duplicate_id"),
                                            ("parents[1].id", "duplicate_id")]


def test_duplicate_upns(case: Loader) -> None:
    data = family_case("holiday-two-children")
    data["pupils"][1]["upn"] = data["pupils"][0]["upn"]
    assert check(data)[0] == [("pupils[0].upn", "duplicate_id"), ("pupils[1].upn", "duplicate_id")]


@pytest.mark.parametrize(
    ("present", "authorised", "unauthorised", "consistent"),
    [
        # rules.md: sessions present + absences ≤ sessions possible (62 in the example).
        (50, 2, 10, True),  # 62
        (40, 2, 10, True),  # fewer: some sessions not yet recorded
        (51, 2, 10, False),  # 63
        (50, 3, 10, False),
        (50, 2, 11, False),
        (62, 0, 0, True),
        (0, 0, 62, True),
    ],
)
def test_totals_inconsistent(case: Loader, present: int, authorised: int, unauthorised: int,
                             consistent: bool) -> None:
    data = family_case("holiday-two-children")
    data["attendance"].update(sessions_present=present, authorised_absences=authorised,
                              unauthorised_absences=unauthorised)
    errors, warnings = check(data)
    assert errors == ([] if consistent else [("attendance", "totals_inconsistent")])
    assert warnings == []  # no marks: nothing to disagree with


def test_no_attendance_block_no_totals_checks(case: Loader) -> None:
    data = family_case("holiday-two-children")
    data["attendance"] = None
    assert check(data) == ([], [])


@pytest.mark.parametrize(
    ("changes", "disagreeing"),
    [
        # rules.md: when marks are sent the totals computed from them win; a disagreement warns.
        ({}, []),
        ({"sessions_possible": 110}, ["attendance.sessions_possible"]),
        ({"sessions_present": 87}, ["attendance.sessions_present"]),
        ({"authorised_absences": 0}, ["attendance.authorised_absences"]),
        ({"unauthorised_absences": 14}, ["attendance.unauthorised_absences"]),
        ({"sessions_possible": 108, "sessions_present": 90},
         ["attendance.sessions_possible", "attendance.sessions_present"]),
    ],
)
def test_totals_disagree_with_the_marks(case: Loader, changes: dict[str, int],
                                        disagreeing: list[str]) -> None:
    data = family_case("irregular-with-marks")  # the marks give 106 / 88 / 2 / 16
    data["attendance"].update(changes)
    errors, warnings = check(data, "2026-11-23")
    assert errors == []
    assert warnings == [(path, "totals_disagree") for path in disagreeing]


@pytest.mark.parametrize(("sent", "warns"), [(16, False), (15, True), (20, True)])
def test_episode_sessions_disagree_with_the_marks(case: Loader, sent: int, warns: bool) -> None:
    # 16 unauthorised marks fall between the absence's start (14 Sep) and end (16 Nov).
    data = family_case("irregular-with-marks")
    data["absence"]["unauthorised_sessions"] = sent
    _, warnings = check(data, "2026-11-23")
    assert warnings == ([("absence.unauthorised_sessions", "totals_disagree")] if warns else [])


def test_totals_disagree_message_gives_both_numbers(case: Loader) -> None:
    data = family_case("irregular-with-marks")
    data["attendance"]["sessions_possible"] = 110
    loaded, _ = load_case(data)
    _, warnings = data_checks.check(loaded, D("2026-11-23"))
    assert warnings[0].message.startswith("110 was sent; the marks give 106")


def test_marks_are_checked_against_the_councils_country_and_the_marks_date(case):
    from service.case.schema import load_case
    from service.rules import data_checks

    data = family_case("irregular-with-marks")
    marks = data["attendance"]["marks"]
    marks[0] = {**marks[0], "code": "H"}  # withdrawn in England on 19 August 2024
    marks[1] = {**marks[1], "code": "C1"}  # a 2024 code: kept as sent, and valid
    loaded, _ = load_case(data)
    issues = data_checks.register_codes(loaded)
    assert [(i.path, i.code) for i in issues] == [("attendance.marks[0].code", "invalid_mark")]
    assert f"{marks[0]['date']} {marks[0]['session']}" in issues[0].message
    assert "withdrawn after 2024-08-18" in issues[0].message
    welsh, _ = load_case(in_country(data, "wales"))
    assert [i.message.split(" (")[0] for i in data_checks.register_codes(welsh)] == ["'C1' is not an attendance code"]
