"""Notice to Improve: England only, irregular absence only, once the threshold is met."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from service import councils
from service.case.schema import load_case
from service.rules import notice_to_improve

Loader = Callable[[str], dict[str, Any]]


def decide(data: dict[str, Any], threshold_met: bool) -> dict[str, object]:
    loaded, errors = load_case(data)
    assert errors == [], errors
    found = notice_to_improve.decide(loaded, councils.get(loaded.council), threshold_met)
    return {"allowed": found.allowed, "reason": found.reason}


@pytest.mark.parametrize(
    ("council", "absence_type", "threshold_met", "reason"),
    [
        # rules.md §NTI: irregular (non-holiday) absence once the threshold is met (App. 12).
        ("dorset", "irregular", True, "allowed"),
        ("wiltshire", "irregular", True, "allowed"),
        ("dorset", "irregular", False, "threshold_not_met"),
        ("wiltshire", "irregular", False, "threshold_not_met"),
        # rules.md: never for a holiday in term time (App. 12 note), threshold or not.
        ("dorset", "holiday", True, "holiday"),
        ("wiltshire", "holiday", False, "holiday"),
        # rules.md: the Notice to Improve is England's (national framework, Aug 2024).
        ("vale-of-glamorgan", "irregular", True, "not_england"),
        ("vale-of-glamorgan", "holiday", True, "not_england"),
        ("vale-of-glamorgan", "irregular", False, "not_england"),
    ],
)
def test_council_type_and_threshold(case: Loader, council: str, absence_type: str,
                                    threshold_met: bool, reason: str) -> None:
    data = case("dorset-warning-irregular")
    data["council"] = council
    data["absence"]["type"] = absence_type
    assert decide(data, threshold_met) == {"allowed": reason == "allowed", "reason": reason}


@pytest.mark.parametrize(
    ("absence_type", "dob", "looked_after", "threshold_met", "reason"),
    [
        ("irregular", "2015-09-01", False, True, "allowed"),
        # rules.md §Who: the school-age and looked-after bars (absence began 7 Sep 2026).
        ("irregular", "2021-09-01", False, True, "below_compulsory_school_age"),
        ("irregular", "2021-08-31", False, True, "allowed"),
        ("irregular", "2010-08-31", False, True, "above_compulsory_school_age"),
        ("irregular", "2010-09-01", False, True, "allowed"),
        ("irregular", "2015-09-01", True, True, "looked_after_child"),
        # a bar comes before the threshold
        ("irregular", "2021-09-01", False, False, "below_compulsory_school_age"),
        ("irregular", "2015-09-01", True, False, "looked_after_child"),
        ("irregular", "2021-09-01", True, True, "below_compulsory_school_age"),
        # holiday comes before any bar
        ("holiday", "2021-09-01", True, False, "holiday"),
    ],
)
def test_pupil_bars(case: Loader, absence_type: str, dob: str, looked_after: bool,
                    threshold_met: bool, reason: str) -> None:
    data = case("dorset-warning-irregular")
    data["absence"]["type"] = absence_type
    data["pupils"][0].update(date_of_birth=dob, looked_after=looked_after)
    assert decide(data, threshold_met) == {"allowed": reason == "allowed", "reason": reason}


def test_the_example_with_a_register_is_allowed(case: Loader) -> None:
    data = case("wiltshire-irregular-marks")
    assert decide(data, True) == {"allowed": True, "reason": "allowed"}


def test_improvement_period_counts_through_the_councils_term_dates_when_the_school_sends_none(case):
    """Issue 11 (7): the school's holidays win; else the council's published term dates; else none."""
    from dataclasses import replace
    from datetime import date

    from service.councils import TermDates

    data = case("wiltshire-irregular-marks")
    del data["school"]["holidays"]
    loaded, _ = load_case(data)
    council = councils.get(loaded.council)
    today = date(2026, 11, 23)
    assert notice_to_improve.decide(loaded, council, True, today).period_end is None
    published = replace(council, term_dates=TermDates(((date(2026, 12, 21), date(2027, 1, 1)),), "test"))
    found = notice_to_improve.decide(loaded, published, True, today)
    assert (found.period_start, found.period_end) == (date(2026, 11, 24), date(2027, 1, 18))
