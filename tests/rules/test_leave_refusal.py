"""Which leave-refusal letter (seed 004 App. 9) a pupil's case calls for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from service.case.schema import load_case
from service.rules import leave_refusal
from service.validation import validate
from tests.conftest import family_case

Loader = Callable[[str], dict[str, Any]]
SUBMITTED = {"submitted": True, "submitted_on": "2026-09-01", "reason": "family holiday",
             "decided_on": "2026-09-03", "decision": "refused"}


@pytest.mark.parametrize(
    ("dob", "leave_request", "variant"),
    [
        # App. 9: asked in advance and refused; of compulsory school age.
        ("2016-05-04", SUBMITTED, "statutory-age"),
        ("2016-05-04", {**SUBMITTED, "decision": "pending"}, "statutory-age"),
        # App. 9: taken without asking; case-format.md: submitted=false picks this letter.
        ("2016-05-04", {"submitted": False}, "not-requested-in-advance"),
        ("2016-05-04", None, "not-requested-in-advance"),
        # rules.md §Who: not of compulsory school age (absence began 5 Oct 2026) → App. 9's
        # "not of statutory school age" letter, whether asked or not.
        ("2021-09-01", SUBMITTED, "not-statutory-age"),  # 5 on 1 Sep 2026, of age 31 Dec
        ("2021-09-01", {"submitted": False}, "not-statutory-age"),
        ("2021-09-01", None, "not-statutory-age"),
        ("2021-08-31", SUBMITTED, "statutory-age"),  # 5 on 31 Aug 2026, of age that day
        ("2022-03-31", SUBMITTED, "not-statutory-age"),  # only 4
        ("2010-08-31", SUBMITTED, "not-statutory-age"),  # past the last Friday in June 2026
        ("2010-09-01", SUBMITTED, "statutory-age"),
    ],
)
def test_variant(case: Loader, dob: str, leave_request: dict[str, Any] | None,
                 variant: str) -> None:
    data = family_case("holiday-two-children")
    data["pupils"][0]["date_of_birth"] = dob
    data["absence"]["leave_request"] = leave_request
    loaded, errors = load_case(data)
    assert errors == []
    assert leave_refusal.variant(loaded, loaded.pupils[0]) == variant
    assert variant in leave_refusal.VARIANTS


def test_leave_request_left_out_is_not_requested(case: Loader) -> None:
    data = family_case("holiday-two-children")
    del data["absence"]["leave_request"]
    loaded, _ = load_case(data)
    assert leave_refusal.variant(loaded, loaded.pupils[0]) == "not-requested-in-advance"


def test_each_pupil_gets_their_own_variant(case: Loader) -> None:
    data = family_case("holiday-two-children")
    data["pupils"][1]["date_of_birth"] = "2021-10-01"  # of compulsory school age from 31 Dec 2026
    report, _ = validate(data, today=date(2026, 10, 16))
    assert [p["leave_refusal_variant"] for p in report.as_dict()["decisions"]["pupils"]] == [
        "statutory-age", "not-statutory-age"]
    # the case-level variant is the first pupil's
    assert report.as_dict()["decisions"]["leave_refusal_variant"] == "statutory-age"


def test_variants_are_the_three_letters_of_app_9() -> None:
    assert leave_refusal.VARIANTS == ("not-statutory-age", "statutory-age",
                                      "not-requested-in-advance")
