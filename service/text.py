"""How values print for parents and councils: dates, names, addresses, money; Welsh dates via Babel."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from babel.dates import format_date


def long_date(day: date, language: str = "en") -> str:
    """Return a date as a parent reads it: `4 May 2016` (or `4 Mai 2016` in Welsh)."""
    if language == "cy":
        return format_date(day, "d MMMM y", locale="cy")
    return f"{day.day} {day.strftime('%B')} {day.year}"


def short_date(day: date) -> str:
    """Return a date for a form's narrow box: `04/05/2016`."""
    return day.strftime("%d/%m/%Y")


def pounds(amount: int | None) -> str:
    """Return whole pounds as `£80`."""
    return "" if amount is None else f"£{amount:,}"


def join_nonempty(parts: Iterable[str | None], sep: str = ", ") -> str:
    """Join the parts that have text, trimmed, so no empty line or stray comma prints."""
    return sep.join(p.strip() for p in parts if p and p.strip())


def and_list(items: list[str]) -> str:
    """Return `A`, `A and B`, `A, B and C`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
