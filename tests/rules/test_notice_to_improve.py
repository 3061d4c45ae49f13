"""Notice to Improve: England only, irregular absence only, once the threshold is met."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from service import councils
from service.case.schema import load_case
from service.rules import notice_to_improve
from tests.conftest import family_case

Loader = Callable[[str], dict[str, Any]]


def decide(data: dict[str, Any], threshold_met: bool) -> dict[str, object]:
    loaded, errors = load_case(data)
    assert errors == [], errors
    found = notice_to_improve.decide(loaded, councils.for_case(loaded), threshold_met)
    return {"allowed": found.allowed, "reason": found.reason}


@pytest.mark.parametrize(
    ("country", "absence_type", "threshold_met", "reason"),
    [
        # rules.md §NTI: irregular (non-holiday) absence once the threshold is met (App. 12).
        ("england", "irregular", True, "allowed"),
        ("england", "irregular", False, "threshold_not_met"),
        # rules.md: never for a holiday in term time (App. 12 note), threshold or not.
        ("england", "holiday", True, "holiday"),
        ("england", "holiday", False, "holiday"),
        # rules.md: the Notice to Improve is England's (national framework, Aug 2024).
        ("wales", "irregular", True, "not_england"),
        ("wales", "holiday", True, "not_england"),
        ("wales", "irregular", False, "not_england"),
    ],
)
def test_country_type_and_threshold(country: str, absence_type: str, threshold_met: bool, reason: str) -> None:
    data = family_case("irregular-one-child", country)
    data["absence"]["type"] = absence_type
    assert decide(data, threshold_met) == {"allowed": reason == "allowed", "reason": reason}


@pytest.mark.parametrize("council", [c for c in councils.all() if c.accepts("notice-to-improve")],
                         ids=lambda c: c.id)
def test_every_council_that_takes_the_notice_is_english_and_allows_it(council) -> None:
    data = family_case("irregular-one-child") | {"council": council.id, "council_details": None}
    assert council.country == "england"
    assert decide(data, True) == {"allowed": True, "reason": "allowed"}


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
    data = family_case("irregular-one-child")
    data["absence"]["type"] = absence_type
    data["pupils"][0].update(date_of_birth=dob, looked_after=looked_after)
    assert decide(data, threshold_met) == {"allowed": reason == "allowed", "reason": reason}


def test_the_example_with_a_register_is_allowed(case: Loader) -> None:
    data = family_case("irregular-with-marks")
    assert decide(data, True) == {"allowed": True, "reason": "allowed"}


def test_improvement_period_counts_through_the_councils_term_dates_when_the_school_sends_none(case):
    """Issue 11 (7): the school's holidays win; else the council's published term dates; else none."""
    from dataclasses import replace
    from datetime import date

    from service.councils import TermDates

    data = family_case("irregular-with-marks")
    del data["school"]["holidays"]
    loaded, _ = load_case(data)
    council = councils.for_case(loaded)
    today = date(2026, 11, 23)
    assert notice_to_improve.decide(loaded, council, True, today).period_end is None
    published = replace(council, term_dates=TermDates(((date(2026, 12, 21), date(2027, 1, 1)),), "test"))
    found = notice_to_improve.decide(loaded, published, True, today)
    assert (found.period_start, found.period_end) == (date(2026, 11, 24), date(2027, 1, 18))
