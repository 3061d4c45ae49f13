"""Council paperwork checks: a council's own deadline for a holiday request, a council with none, and both
addresses when parents live apart for every council whose file asks for them
(`requires_both_addresses_when_apart`, from the registry)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from service import councils
from service.case import Case
from service.case.schema import load_case
from service.rules import submission

Loader = Callable[[str], dict[str, Any]]
D = date.fromisoformat
ELSEWHERE = {"line1": "Flat 4, 22 South Street", "line2": "", "town": "Dorchester",
             "postcode": "DT1 1DE"}


def load(data: dict[str, Any]) -> Case:
    loaded, errors = load_case(data)
    assert errors == [], errors
    return loaded


def found(issues: list[Any]) -> list[tuple[str, str]]:
    return [(i.path, i.code) for i in issues]


# ---------------------------------------------------------------------------------------------
# Late submission


# Dorset's own rule (its code, App. 7): "within one week of completion of holiday absence".
@pytest.mark.parametrize(
    ("absence_type", "today", "days_late"),
    [
        ("holiday", "2026-11-13", None),  # the holiday ended on Friday 13 Nov 2026
        ("holiday", "2026-11-16", None),
        ("holiday", "2026-11-20", None),  # 7 days after: within the week
        ("holiday", "2026-11-21", 1),  # 8 days after: late
        ("holiday", "2026-11-23", 3),
        ("holiday", "2026-12-13", 23),
        ("irregular", "2026-12-13", None),  # the window is for holiday requests
    ],
)
def test_dorset_wants_a_holiday_request_within_one_week(case: Loader, absence_type: str, today: str,
                                                        days_late: int | None) -> None:
    data = case("dorset-holiday-separated")
    data["absence"]["type"] = absence_type
    issues = submission.late_submission(load(data), councils.get("dorset"), D(today))
    if days_late is None:
        assert issues == []
    else:
        assert found(issues) == [("absence.end_date", "late_submission")]
        assert f"this one is {days_late} day(s) late" in issues[0].message
        assert "within 7 days" in issues[0].message


NO_DEADLINE = [c for c in councils.all() if not c.deadlines]
APART = [c for c in councils.all() if c.requires_both_addresses_when_apart]
TOGETHER = [c for c in councils.all() if not c.requires_both_addresses_when_apart]


@pytest.mark.parametrize("council", NO_DEADLINE, ids=lambda c: c.id)
def test_a_council_with_no_deadline_warns_of_none(family, council) -> None:
    data = family("holiday-parents-apart") | {"council": council.id, "council_details": None}
    assert submission.late_submission(load(data), council, D("2027-06-30")) == []


# ---------------------------------------------------------------------------------------------
# Separated parents: both addresses, and whom the child usually lives with, where the council's file asks
# (rules.md §Council paperwork)


@pytest.mark.parametrize(
    ("p1_address", "p2_address", "lives_with", "expected"),
    [
        # the example: father elsewhere, with his address, and the child lives with the mother
        (None, ELSEWHERE, ["p1"], []),
        (None, ELSEWHERE, ["p1", "p2"], []),
        # apart, but whom the child lives with is not said
        (None, ELSEWHERE, [], [("pupils[0].lives_with", "lives_with_required")]),
        (ELSEWHERE, None, [], [("pupils[0].lives_with", "lives_with_required")]),
        # the child lives with the mother only, yet the father's address is null (= the child's)
        (None, None, ["p1"], [("parents[1].address", "second_address_required")]),
        (None, None, ["p2"], [("parents[0].address", "second_address_required")]),
        # parents sharing the pupil's address: nothing to add
        (None, None, [], []),
        (None, None, ["p1", "p2"], []),
        # an address written out that is the pupil's own is the same home (case, blanks, postcode)
        (None, {"line1": "9  willow row", "line2": "", "town": "Dorchester", "postcode": "dt29re"},
         [], []),
        # both parents together elsewhere (the child lives with neither): one home, no error
        (ELSEWHERE, ELSEWHERE, [], []),
    ],
)
@pytest.mark.parametrize("council", APART, ids=lambda c: c.id)
def test_separated_parents(family, council, p1_address: dict[str, str] | None,
                                     p2_address: dict[str, str] | None, lives_with: list[str],
                                     expected: list[tuple[str, str]]) -> None:
    data = family("holiday-parents-apart")  # pupil at 9 Willow Row, DT2 9RE
    data["parents"][0]["address"] = p1_address
    data["parents"][1]["address"] = p2_address
    data["pupils"][0]["lives_with"] = lives_with
    assert found(submission.separated_parents(load(data), council)) == expected


@pytest.mark.parametrize("council", TOGETHER, ids=lambda c: c.id)
@pytest.mark.parametrize(("p2_address", "lives_with"), [(ELSEWHERE, []), (None, ["p1"])])
def test_separated_parents_only_where_the_council_asks(family, council, p2_address: dict[str, str] | None,
                                                      lives_with: list[str]) -> None:
    # rules.md §Council paperwork: a council whose file asks for both addresses is asked; one that does not, not.
    data = family("holiday-parents-apart")
    data["parents"][1]["address"] = p2_address
    data["pupils"][0]["lives_with"] = lives_with
    assert submission.separated_parents(load(data), council) == []
    assert all(submission.separated_parents(load(data), c) != [] for c in APART)


@pytest.mark.parametrize("council", APART, ids=lambda c: c.id)
def test_only_parents_with_parental_responsibility_count(family, council) -> None:
    # App. 7: "two parents with parental responsibility … not at the same address".
    data = family("holiday-parents-apart")
    data["parents"][1]["parental_responsibility"] = False
    data["pupils"][0]["lives_with"] = []
    assert submission.separated_parents(load(data), council) == []
    data["pupils"][0]["lives_with"] = ["p1"]
    data["parents"][1]["address"] = None
    assert submission.separated_parents(load(data), council) == []


@pytest.mark.parametrize("council", APART, ids=lambda c: c.id)
def test_each_pupil_is_checked_and_a_parent_named_once(family, council) -> None:
    data = family("holiday-parents-apart")
    second = copy.deepcopy(data["pupils"][0])
    second.update(upn="F835304223021", forename="Callum")
    data["pupils"].append(second)
    data["parents"][1]["address"] = None
    data["pupils"][0]["lives_with"] = ["p1"]
    data["pupils"][1]["lives_with"] = ["p1"]
    assert found(submission.separated_parents(load(data), council)) == [
        ("parents[1].address", "second_address_required")]
    data["parents"][1]["address"] = ELSEWHERE
    data["pupils"][0]["lives_with"] = []
    data["pupils"][1]["lives_with"] = []
    assert found(submission.separated_parents(load(data), council)) == [
        ("pupils[0].lives_with", "lives_with_required"),
        ("pupils[1].lives_with", "lives_with_required")]
