"""School days and weeks: bank holidays of England and Wales, school-day arithmetic, school years."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from datetime import timedelta
from functools import lru_cache

# Bank holidays moved or added by proclamation (gov.uk/bank-holidays): not derivable from a rule.
_MOVED = {
    2020: {"early_may": date(2020, 5, 8)},
    2022: {"spring": date(2022, 6, 2), "extra": (date(2022, 6, 3), date(2022, 9, 19))},
    2023: {"extra": (date(2023, 5, 8),)},
}


def easter_sunday(year: int) -> date:
    """Return Easter Sunday (Anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=day.weekday())


def _substitute(days: list[date]) -> list[date]:
    """Move holidays falling at a weekend to the next free weekday (New Year, Christmas, Boxing Day)."""
    taken: list[date] = []
    for day in days:
        while day.weekday() >= 5 or day in taken:
            day += timedelta(days=1)
        taken.append(day)
    return taken


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """Return the bank holidays of England and Wales in a year."""
    moved = _MOVED.get(year, {})
    easter = easter_sunday(year)
    days = {
        *_substitute([date(year, 1, 1)]),
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        moved.get("early_may", _first_monday(year, 5)),
        moved.get("spring", _last_monday(year, 5)),
        _last_monday(year, 8),
        *_substitute([date(year, 12, 25), date(year, 12, 26)]),
        *moved.get("extra", ()),
    }
    return frozenset(days)


def is_school_day(day: date, closures: Iterable[date] = ()) -> bool:
    """Return whether a day can be a school day: a weekday, not a bank holiday, not a closure."""
    return day.weekday() < 5 and day not in bank_holidays(day.year) and day not in set(closures)


def add_school_days(start: date, count: int, closures: Iterable[date] = ()) -> date:
    """Return the date `count` school days after `start` (term holidays are the caller's closures)."""
    closed = set(closures)
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_school_day(day, closed):
            count -= 1
    return day


def school_days_between(start: date, end: date, closures: Iterable[date] = ()) -> int:
    """Count school days from `start` to `end`, both included."""
    closed = set(closures)
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return sum(1 for day in days if is_school_day(day, closed))


def week_start(day: date) -> date:
    """Return the Monday of the week a day falls in."""
    return day - timedelta(days=day.weekday())


def school_year_start(day: date) -> date:
    """Return 1 September of the school year (1 Sep – 31 Aug) a day falls in."""
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def closures(
    inset_days: Iterable[date],
    school_holidays: Iterable[tuple[date, date]],
    council_holidays: Iterable[tuple[date, date]] = (),
) -> tuple[date, ...]:
    """Return the days a school is closed: its INSET days and its holidays, or, when the school sent no
    holidays, its council's published ones (the school's own dates win)."""
    holidays = tuple(school_holidays) or tuple(council_holidays)
    days = list(inset_days)
    for first, last in holidays:
        days += [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
    return tuple(days)
