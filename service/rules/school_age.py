"""Compulsory school age (Education Act 1996 s.8 and the prescribed-days order; rules.md §Who)."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

# The Education (Start of Compulsory School Age) Order 1998: 31 March, 31 August, 31 December.
PRESCRIBED_DAYS = ((3, 31), (8, 31), (12, 31))
BELOW, OF_AGE, ABOVE = "below", "of_age", "above"


def birthday(date_of_birth: date, age: int) -> date:
    """Return the day a child reaches `age`; a 29 February birthday falls on 1 March in common years."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + age)
    except ValueError:
        return date(date_of_birth.year + age, 3, 1)


def starts(date_of_birth: date) -> date:
    """Return the first prescribed day on or after the fifth birthday."""
    fifth = birthday(date_of_birth, 5)
    for year in (fifth.year, fifth.year + 1):
        for month, day in PRESCRIBED_DAYS:
            if date(year, month, day) >= fifth:
                return date(year, month, day)
    raise AssertionError("unreachable: 31 December always follows")


def last_friday_of_june(year: int) -> date:
    """Return the last Friday in June of a year."""
    day = date(year, 6, 30)
    return day - timedelta(days=(day.weekday() - 4) % 7)


def ends(date_of_birth: date) -> date:
    """Return the last day of compulsory school age: the last Friday in June of the school year
    (1 September – 31 August) in which the child turns 16."""
    sixteenth = birthday(date_of_birth, 16)
    school_year_ends = sixteenth.year + 1 if sixteenth.month >= 9 else sixteenth.year
    return last_friday_of_june(school_year_ends)


def status(date_of_birth: date, on: date) -> str:
    """Return `below`, `of_age` or `above` compulsory school age on a day."""
    if on < starts(date_of_birth):
        return BELOW
    if on > ends(date_of_birth):
        return ABOVE
    return OF_AGE
