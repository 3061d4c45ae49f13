"""School days: Easter, the bank holidays of England and Wales, school-day arithmetic."""

from __future__ import annotations

from datetime import date

import pytest

from service import school_calendar

D = date.fromisoformat


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, "2024-03-31"),
        (2025, "2025-04-20"),
        (2026, "2026-04-05"),
        (2027, "2027-03-28"),
        (2028, "2028-04-16"),
        (2019, "2019-04-21"),
        (2038, "2038-04-25"),  # the latest possible
        (2285, "2285-03-22"),  # the earliest possible
    ],
)
def test_easter_sunday(year: int, easter: str) -> None:
    assert school_calendar.easter_sunday(year) == D(easter)


# gov.uk/bank-holidays, England and Wales.
BANK_HOLIDAYS = {
    2026: [
        "2026-01-01",  # New Year's Day (Thursday)
        "2026-04-03",  # Good Friday
        "2026-04-06",  # Easter Monday
        "2026-05-04",  # Early May bank holiday
        "2026-05-25",  # Spring bank holiday
        "2026-08-31",  # Summer bank holiday
        "2026-12-25",  # Christmas Day (Friday)
        "2026-12-28",  # Boxing Day (substitute day: the 26th is a Saturday)
    ],
    2027: [
        "2027-01-01",  # New Year's Day (Friday)
        "2027-03-26",  # Good Friday
        "2027-03-29",  # Easter Monday
        "2027-05-03",
        "2027-05-31",
        "2027-08-30",
        "2027-12-27",  # Christmas Day (substitute day: the 25th is a Saturday)
        "2027-12-28",  # Boxing Day (substitute day: the 26th is a Sunday)
    ],
    2028: [
        "2028-01-03",  # New Year's Day (substitute day: the 1st is a Saturday)
        "2028-04-14", "2028-04-17", "2028-05-01", "2028-05-29", "2028-08-28",
        "2028-12-25", "2028-12-26",
    ],
    2022: [
        "2022-01-03",  # substitute day
        "2022-04-15", "2022-04-18", "2022-05-02",
        "2022-06-02", "2022-06-03",  # Spring bank holiday moved; Platinum Jubilee
        "2022-08-29",
        "2022-09-19",  # the State Funeral of Queen Elizabeth II
        "2022-12-26", "2022-12-27",  # Boxing Day; Christmas substitute (25th a Sunday)
    ],
    2023: [
        "2023-01-02",  # substitute day (1st a Sunday)
        "2023-04-07", "2023-04-10", "2023-05-01",
        "2023-05-08",  # the coronation of King Charles III
        "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26",
    ],
}


@pytest.mark.parametrize("year", sorted(BANK_HOLIDAYS))
def test_bank_holidays(year: int) -> None:
    assert school_calendar.bank_holidays(year) == frozenset(map(D, BANK_HOLIDAYS[year]))


@pytest.mark.parametrize(
    ("day", "closures", "school_day"),
    [
        ("2026-10-05", (), True),  # a Monday in term
        ("2026-10-10", (), False),  # Saturday
        ("2026-10-11", (), False),  # Sunday
        ("2026-08-31", (), False),  # Summer bank holiday
        ("2026-12-28", (), False),  # Boxing Day substitute
        ("2026-12-26", (), False),  # Boxing Day itself: a Saturday
        ("2027-12-27", (), False),
        ("2026-11-27", ("2026-11-27",), False),  # an INSET day the school names
        ("2026-11-26", ("2026-11-27",), True),
    ],
)
def test_is_school_day(day: str, closures: tuple[str, ...], school_day: bool) -> None:
    assert school_calendar.is_school_day(D(day), map(D, closures)) is school_day


@pytest.mark.parametrize(
    ("start", "count", "closures", "expected"),
    [
        ("2026-10-05", 0, (), "2026-10-05"),
        ("2026-10-05", 1, (), "2026-10-06"),
        ("2026-10-09", 1, (), "2026-10-12"),  # Friday → Monday
        ("2026-10-05", 15, (), "2026-10-26"),  # three school weeks
        ("2026-08-28", 1, (), "2026-09-01"),  # over the Summer bank holiday (Mon 31 Aug)
        ("2026-04-02", 1, (), "2026-04-07"),  # over Good Friday and Easter Monday
        ("2026-12-24", 1, (), "2026-12-29"),  # over Christmas and the Boxing Day substitute
        ("2027-12-24", 2, (), "2027-12-30"),  # over both 2027 substitute days
        ("2026-12-31", 1, (), "2027-01-04"),  # over New Year's Day
        ("2026-11-26", 1, ("2026-11-27",), "2026-11-30"),  # over an INSET day
        ("2026-08-28", 1, ("2026-09-01", "2026-09-02"), "2026-09-03"),
    ],
)
def test_add_school_days(start: str, count: int, closures: tuple[str, ...], expected: str) -> None:
    assert school_calendar.add_school_days(D(start), count, map(D, closures)) == D(expected)


@pytest.mark.parametrize(
    ("start", "end", "closures", "days"),
    [
        ("2026-10-05", "2026-10-09", (), 5),
        ("2026-10-05", "2026-10-05", (), 1),
        ("2026-10-10", "2026-10-11", (), 0),  # a weekend
        ("2026-08-24", "2026-09-04", (), 9),  # two weeks less the Summer bank holiday
        ("2026-11-23", "2026-11-27", ("2026-11-27",), 4),
        ("2026-10-09", "2026-10-05", (), 0),  # the wrong way round
    ],
)
def test_school_days_between(start: str, end: str, closures: tuple[str, ...], days: int) -> None:
    assert school_calendar.school_days_between(D(start), D(end), map(D, closures)) == days


@pytest.mark.parametrize(
    ("day", "monday"),
    [("2026-10-05", "2026-10-05"), ("2026-10-09", "2026-10-05"), ("2026-10-11", "2026-10-05"),
     ("2027-01-01", "2026-12-28")],
)
def test_week_start(day: str, monday: str) -> None:
    assert school_calendar.week_start(D(day)) == D(monday)


@pytest.mark.parametrize(
    ("day", "start"),
    [("2026-08-31", "2025-09-01"), ("2026-09-01", "2026-09-01"), ("2027-01-04", "2026-09-01")],
)
def test_school_year_start(day: str, start: str) -> None:
    # rules.md: the school year runs 1 Sep – 31 Aug.
    assert school_calendar.school_year_start(D(day)) == D(start)
