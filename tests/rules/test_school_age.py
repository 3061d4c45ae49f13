"""Compulsory school age: when it starts (prescribed days) and ends (last Friday in June at 16)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from datetime import timedelta
from typing import Any

import pytest

from service.rules import school_age
from service.rules.school_age import ABOVE
from service.rules.school_age import BELOW
from service.rules.school_age import OF_AGE
from service.validation import validate
from tests.conftest import family_case

D = date.fromisoformat


@pytest.mark.parametrize(
    ("dob", "age", "expected"),
    [
        ("2016-05-04", 5, "2021-05-04"),
        ("2016-05-04", 16, "2032-05-04"),
        ("2020-02-29", 4, "2024-02-29"),  # a leap year: the birthday itself
        ("2020-02-29", 5, "2025-03-01"),  # a common year: 1 March (Family Law Reform Act 1969 s.9)
        ("2012-02-29", 16, "2028-02-29"),
        ("2084-02-29", 16, "2100-03-01"),  # 2100 is not a leap year
    ],
)
def test_birthday(dob: str, age: int, expected: str) -> None:
    assert school_age.birthday(D(dob), age) == D(expected)


@pytest.mark.parametrize(
    ("dob", "starts"),
    [
        # Education Act 1996 s.8(2)(a): 5 on a prescribed day → of age that day.
        ("2021-08-31", "2026-08-31"),
        ("2021-12-31", "2026-12-31"),
        ("2022-03-31", "2027-03-31"),
        # s.8(2)(b): otherwise from the next prescribed day (31 Aug, 31 Dec, 31 Mar).
        ("2021-09-01", "2026-12-31"),  # 1 September: four months later
        ("2021-08-30", "2026-08-31"),
        ("2022-01-01", "2027-03-31"),  # 1 January: the next is 31 March
        ("2022-04-01", "2027-08-31"),  # 1 April: the next is 31 August
        ("2021-10-15", "2026-12-31"),
        ("2022-06-30", "2027-08-31"),
        # 29 February: the fifth birthday is 1 March in a common year, the next day is 31 March.
        ("2020-02-29", "2025-03-31"),
        ("2016-02-29", "2021-03-31"),
        ("2019-02-28", "2024-03-31"),
    ],
)
def test_compulsory_school_age_starts_on_the_next_prescribed_day(dob: str, starts: str) -> None:
    assert school_age.starts(D(dob)) == D(starts)


@pytest.mark.parametrize(
    ("year", "friday"),
    [
        (2023, "2023-06-30"),  # 30 June itself a Friday
        (2024, "2024-06-28"),
        (2025, "2025-06-27"),
        (2026, "2026-06-26"),
        (2027, "2027-06-25"),
        (2028, "2028-06-30"),
        (2029, "2029-06-29"),
        (2030, "2030-06-28"),
        (2031, "2031-06-27"),
        (2032, "2032-06-25"),  # 25 June: the earliest it can be
    ],
)
def test_last_friday_of_june(year: int, friday: str) -> None:
    assert school_age.last_friday_of_june(year) == D(friday)


@pytest.mark.parametrize("year", range(2000, 2101))
def test_last_friday_of_june_is_a_friday_in_the_last_week(year: int) -> None:
    day = school_age.last_friday_of_june(year)
    assert (day.month, day.weekday()) == (6, 4)
    assert day + timedelta(days=7) > date(year, 6, 30)


@pytest.mark.parametrize(
    ("dob", "ends"),
    [
        # Education Act 1996 s.8(3): the school leaving date (last Friday in June) of the school
        # year (1 Sep–31 Aug) in which the child turns 16.
        ("2010-08-31", "2026-06-26"),  # 16 on 31 Aug 2026: the school year 2025/26
        ("2010-09-01", "2027-06-25"),  # 16 on 1 Sep 2026: the school year 2026/27
        ("2009-09-01", "2026-06-26"),  # the oldest in the year group of 2025/26
        ("2010-01-01", "2026-06-26"),
        ("2010-05-04", "2026-06-26"),  # 16 before the leaving date
        ("2010-06-26", "2026-06-26"),  # s.8(3)(b): 16 on the leaving date itself
        ("2010-06-27", "2026-06-26"),  # s.8(3)(a): 16 after it, before the next school year
        ("2012-02-29", "2028-06-30"),
    ],
)
def test_compulsory_school_age_ends_on_the_last_friday_in_june(dob: str, ends: str) -> None:
    assert school_age.ends(D(dob)) == D(ends)


@pytest.mark.parametrize(
    ("dob", "on", "status"),
    [
        # rules.md §Who: starts on the first prescribed day on or after the 5th birthday.
        ("2021-08-31", "2026-08-30", BELOW),
        ("2021-08-31", "2026-08-31", OF_AGE),  # 5 on 31 Aug: of age at once
        ("2021-09-01", "2026-09-01", BELOW),  # 5 on 1 Sep: not until 31 December
        ("2021-09-01", "2026-10-05", BELOW),
        ("2021-09-01", "2026-12-30", BELOW),
        ("2021-09-01", "2026-12-31", OF_AGE),
        ("2021-12-31", "2026-12-31", OF_AGE),
        ("2022-01-01", "2027-01-04", BELOW),  # 5 on 1 Jan: not until 31 March
        ("2022-01-01", "2027-03-30", BELOW),
        ("2022-01-01", "2027-03-31", OF_AGE),
        ("2022-03-31", "2027-03-31", OF_AGE),
        ("2022-04-01", "2027-04-01", BELOW),  # 5 on 1 Apr: not until 31 August
        ("2022-04-01", "2027-08-30", BELOW),
        ("2022-04-01", "2027-08-31", OF_AGE),
        ("2020-02-29", "2025-02-28", BELOW),  # a leap-day child
        ("2020-02-29", "2025-03-01", BELOW),
        ("2020-02-29", "2025-03-30", BELOW),
        ("2020-02-29", "2025-03-31", OF_AGE),
        # rules.md §Who: ends on the last Friday in June of the school year they turn 16.
        ("2010-08-31", "2026-06-26", OF_AGE),  # still of age on the leaving date (to its end)
        ("2010-08-31", "2026-06-27", ABOVE),
        ("2010-08-31", "2026-09-07", ABOVE),
        ("2010-09-01", "2026-06-26", OF_AGE),  # turns 16 in the next school year
        ("2010-09-01", "2026-06-29", OF_AGE),
        ("2010-09-01", "2026-09-07", OF_AGE),  # 16 already, but of age until June 2027
        ("2010-09-01", "2027-06-25", OF_AGE),
        ("2010-09-01", "2027-06-26", ABOVE),
        ("2010-05-04", "2026-05-05", OF_AGE),  # 16 yesterday, still of age
        ("2010-05-04", "2026-06-27", ABOVE),
        ("2010-06-26", "2026-06-26", OF_AGE),
        ("2010-06-26", "2026-06-29", ABOVE),
        # the project examples
        ("2016-05-04", "2026-10-05", OF_AGE),
        ("2018-11-20", "2026-10-05", OF_AGE),
    ],
)
def test_status_on_a_day(dob: str, on: str, status: str) -> None:
    assert school_age.status(D(dob), D(on)) == status


@pytest.mark.parametrize(
    ("dob", "of_age", "start", "until"),
    [
        ("2021-08-31", True, "2026-08-31", "2037-06-26"),  # Education Act 1996 s.8
        ("2021-09-01", False, "2026-12-31", "2038-06-25"),
        ("2010-08-31", False, "2015-08-31", "2026-06-26"),
        ("2010-09-01", True, "2015-12-31", "2027-06-25"),
    ],
)
def test_decisions_report_each_pupils_school_age(case: Callable[[str], dict[str, Any]], dob: str,
                                                 of_age: bool, start: str, until: str) -> None:
    data = family_case("irregular-one-child")  # the absence starts 2026-09-07
    data["pupils"][0]["date_of_birth"] = dob
    report, _ = validate(data)
    pupil = report.as_dict()["decisions"]["pupils"][0]
    assert pupil["compulsory_school_age"] is of_age
    assert report.as_dict()["decisions"]["compulsory_school_age"] is of_age
    assert (pupil["compulsory_school_age_from"], pupil["compulsory_school_age_until"]) == (start, until)
