"""Penalty notices: who may be fined, the notice number within three years, and the amounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from service import councils
from service.case import Case
from service.case.schema import load_case
from service.decisions import PenaltyNoticeSchema
from service.rules import penalty_notice
from tests.conftest import family_case

Loader = Callable[[str], dict[str, Any]]
D = date.fromisoformat
# the holiday-parents-apart family: one pupil, mother (p1) responsible, absence 9–13 Nov 2026.
APART_UPN = "F835304223019"
APART_TODAY = "2026-11-16"
# the holiday-two-children family: two pupils, two parents, both responsible.
ZOE, ALFIE = "U865204225011", "H865204225012"


def load(data: dict[str, Any]) -> Case:
    loaded, errors = load_case(data)
    assert errors == [], errors
    return loaded


def decide(data: dict[str, Any], today: str, threshold_met: bool = True) -> dict[str, Any]:
    loaded = load(data)
    decision = penalty_notice.decide(loaded, councils.for_case(loaded), threshold_met, D(today))
    return PenaltyNoticeSchema().dump(decision)


def summary(decision: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("allowed", "notice_number", "amount_early", "amount_full", "early_days", "full_days",
            "reason")
    return tuple(decision[k] for k in keys)


def previous(parent_id: str, upn: str, issued_on: str) -> dict[str, str]:
    return {"parent_id": parent_id, "pupil_upn": upn, "issued_on": issued_on}


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        # rules.md: first notice £80 within 21 days, £160 within 28 (App. 13).
        ([], (True, 1, 80, 160, 21, 28, "allowed")),
        # second, same parent and child, within 3 years: £160 within 28 days, no reduction.
        (["2024-02-12"], (True, 2, None, 160, None, 28, "allowed")),
        (["2026-11-16"], (True, 2, None, 160, None, 28, "allowed")),  # issued today
        (["2023-11-16"], (True, 2, None, 160, None, 28, "allowed")),  # exactly 3 years ago
        (["2023-11-15"], (True, 1, 80, 160, 21, 28, "allowed")),  # 3 years + 1 day: not counted
        (["2019-05-01"], (True, 1, 80, 160, 21, 28, "allowed")),
        # rules.md: a third within 3 years: no notice, prosecution or another route.
        (["2024-02-12", "2025-06-01"], (False, None, None, None, None, None, "third_offence")),
        (["2023-11-16", "2026-09-01"], (False, None, None, None, None, None, "third_offence")),
        (["2023-11-15", "2025-06-01"], (True, 2, None, 160, None, 28, "allowed")),  # one lapsed
        (["2022-01-10", "2023-11-15"], (True, 1, 80, 160, 21, 28, "allowed")),  # both lapsed
    ],
)
def test_england_notice_number_and_amounts(case: Loader, issued: list[str],
                                           expected: tuple[Any, ...]) -> None:
    data = family_case("holiday-parents-apart")
    data["previous_penalty_notices"] = [previous("p1", APART_UPN, day) for day in issued]
    decision = decide(data, APART_TODAY)
    assert summary(decision) == expected
    assert len(decision["notices"]) == 1


def test_third_offence_records_the_notice_number(case: Loader) -> None:
    data = family_case("holiday-parents-apart")
    data["previous_penalty_notices"] = [previous("p1", APART_UPN, "2024-02-12"),
                                        previous("p1", APART_UPN, "2025-06-01")]
    [notice] = decide(data, APART_TODAY)["notices"]
    assert notice == {"parent_id": "p1", "pupil_upn": APART_UPN, "allowed": False,
                      "reason": "third_offence", "notice_number": 3, "amount_early": None,
                      "amount_full": None, "early_days": None, "full_days": None, "parent_index": 0,
                      "pupil_index": 0, "notice_to_improve_ended": None,
                      "warning_letter_sent": None}


@pytest.mark.parametrize(
    "other",
    [
        previous("p2", APART_UPN, "2025-06-01"),  # the other parent's notice
        previous("p1", "F835304223021", "2025-06-01"),  # the same parent, another child
    ],
)
def test_only_the_same_parent_and_child_count(case: Loader, other: dict[str, str]) -> None:
    # rules.md: second notice, same parent and child, within 3 years.
    data = family_case("holiday-parents-apart")
    data["previous_penalty_notices"] = [other]
    assert summary(decide(data, APART_TODAY))[:4] == (True, 1, 80, 160)


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        # rules.md: Wales £60 within 28 days, £120 within 42 (Penalty Notices (Wales) Regs 2013).
        ([], (True, 1, 60, 120, 28, 42, "allowed")),
        # second: "as first"; the sources set no limit of notices in three years.
        (["2025-01-10"], (True, 2, 60, 120, 28, 42, "allowed")),
        (["2024-01-10", "2025-01-10"], (True, 3, 60, 120, 28, 42, "allowed")),
    ],
)
def test_wales_amounts(case: Loader, issued: list[str], expected: tuple[Any, ...]) -> None:
    data = family_case("welsh-holiday")
    data["previous_penalty_notices"] = [previous("p1", "D673404124013", day) for day in issued]
    assert summary(decide(data, "2026-06-15")) == expected


@pytest.mark.parametrize(
    ("dob", "looked_after", "threshold_met", "issued", "reason"),
    [
        ("2017-02-14", False, True, 0, "allowed"),
        # rules.md §Who: not of compulsory school age when the absence began (9 Nov 2026).
        ("2021-09-01", False, True, 0, "below_compulsory_school_age"),  # of age from 31 Dec 2026
        ("2021-08-31", False, True, 0, "allowed"),  # of age from 31 Aug 2026
        ("2021-11-09", False, True, 0, "below_compulsory_school_age"),  # 5 on the first day
        ("2010-08-31", False, True, 0, "above_compulsory_school_age"),  # until 26 Jun 2026
        ("2010-09-01", False, True, 0, "allowed"),  # until 25 Jun 2027
        # rules.md §Who: no penalty notice for a looked-after child (seed 004).
        ("2017-02-14", True, True, 0, "looked_after_child"),
        # rules.md: threshold.
        ("2017-02-14", False, False, 0, "threshold_not_met"),
        ("2017-02-14", False, True, 2, "third_offence"),
        # the most fundamental reason first (contract: REASONS order)
        ("2021-09-01", True, False, 2, "below_compulsory_school_age"),
        ("2010-08-31", True, False, 0, "above_compulsory_school_age"),
        ("2017-02-14", True, False, 2, "looked_after_child"),
        ("2017-02-14", False, False, 2, "threshold_not_met"),
    ],
)
def test_who_may_be_fined(case: Loader, dob: str, looked_after: bool, threshold_met: bool,
                          issued: int, reason: str) -> None:
    data = family_case("holiday-parents-apart")
    data["pupils"][0].update(date_of_birth=dob, looked_after=looked_after)
    data["previous_penalty_notices"] = [previous("p1", APART_UPN, day)
                                        for day in ("2024-02-12", "2025-06-01")[:issued]]
    decision = decide(data, APART_TODAY, threshold_met)
    assert decision["reason"] == reason
    assert decision["allowed"] is (reason == "allowed")
    assert [n["reason"] for n in decision["notices"]] == [reason]
    if reason != "allowed":
        assert (decision["amount_early"], decision["amount_full"]) == (None, None)


def test_two_parents_and_two_pupils_give_four_notices(case: Loader) -> None:
    # rules.md §Who: a penalty notice goes to each parent liable, for each child (App. 13).
    decision = decide(family_case("holiday-two-children"), "2026-10-16")
    assert [(n["parent_id"], n["pupil_upn"], n["notice_number"], n["amount_early"],
             n["amount_full"]) for n in decision["notices"]] == [
        ("p1", ZOE, 1, 80, 160), ("p2", ZOE, 1, 80, 160),
        ("p1", ALFIE, 1, 80, 160), ("p2", ALFIE, 1, 80, 160),
    ]
    assert summary(decision) == (True, 1, 80, 160, 21, 28, "allowed")


def test_each_notice_is_numbered_for_its_own_parent_and_child(case: Loader) -> None:
    data = family_case("holiday-two-children")
    data["previous_penalty_notices"] = [previous("p2", ALFIE, "2025-03-03")]
    decision = decide(data, "2026-10-16")
    assert [(n["parent_id"], n["pupil_upn"], n["notice_number"], n["amount_early"])
            for n in decision["notices"]] == [
        ("p1", ZOE, 1, 80), ("p2", ZOE, 1, 80), ("p1", ALFIE, 1, 80), ("p2", ALFIE, 2, None),
    ]
    # the summary shows the highest notice number among those allowed
    assert summary(decision) == (True, 2, None, 160, None, 28, "allowed")


def test_one_pupil_barred_leaves_the_others_notices(case: Loader) -> None:
    data = family_case("holiday-two-children")
    data["pupils"][1]["looked_after"] = True
    decision = decide(data, "2026-10-16")
    assert [(n["pupil_upn"], n["reason"]) for n in decision["notices"]] == [
        (ZOE, "allowed"), (ZOE, "allowed"), (ALFIE, "looked_after_child"),
        (ALFIE, "looked_after_child"),
    ]
    assert summary(decision)[:2] == (True, 1)


def test_every_pupil_barred_gives_the_most_fundamental_reason(case: Loader) -> None:
    data = family_case("holiday-two-children")
    data["pupils"][0]["looked_after"] = True
    data["pupils"][1]["date_of_birth"] = "2021-12-01"  # of age from 31 Dec 2026
    decision = decide(data, "2026-10-16")
    assert summary(decision) == (False, None, None, None, None, None, "below_compulsory_school_age")


@pytest.mark.parametrize(
    ("responsible", "responsibility", "liable"),
    [
        (["p1", "p2"], (True, True), ["p1", "p2"]),
        (["p2"], (True, True), ["p2"]),  # only the parent named
        (["p2", "p1"], (True, True), ["p2", "p1"]),
        ([], (True, True), ["p1", "p2"]),  # default: every parent with parental responsibility
        ([], (True, False), ["p1"]),
        ([], (False, True), ["p2"]),
        (["p9"], (True, True), ["p1", "p2"]),  # an id naming no parent is ignored
        (["p2"], (True, False), ["p2"]),  # named: liable though without parental responsibility
    ],
)
def test_liable_parents(case: Loader, responsible: list[str], responsibility: tuple[bool, bool],
                        liable: list[str]) -> None:
    # rules.md §Who: each parent liable (App. 6 3.3); the case names them, or else those with PR.
    data = family_case("holiday-two-children")
    data["absence"]["responsible_parent_ids"] = responsible
    for parent, has in zip(data["parents"], responsibility, strict=True):
        parent["parental_responsibility"] = has
    loaded, _ = load_case(data)  # unknown_parent is data_checks' error, not a load error
    assert [p.id for p in penalty_notice.liable_parents(loaded)] == liable


def test_notices_follow_the_default_liable_parents(case: Loader) -> None:
    data = family_case("holiday-two-children")
    data["absence"]["responsible_parent_ids"] = []
    data["parents"][1]["parental_responsibility"] = False
    decision = decide(data, "2026-10-16")
    assert [(n["parent_id"], n["pupil_upn"]) for n in decision["notices"]] == [("p1", ZOE),
                                                                               ("p1", ALFIE)]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-11-16", "2023-11-16"),
        ("2027-03-01", "2024-03-01"),
        ("2028-02-29", "2025-02-28"),  # no 29 February three years before
        ("2024-02-28", "2021-02-28"),
    ],
)
def test_three_years_before(day: str, expected: str) -> None:
    assert penalty_notice.three_years_before(D(day)) == D(expected)


def test_amounts_are_the_countrys_unless_a_council_file_gives_its_own() -> None:
    england = councils.national("england").penalties
    wales = councils.national("wales").penalties
    assert penalty_notice.amounts(england, 1) == (80, 160)
    assert penalty_notice.amounts(england, 2) == (None, 160)
    assert penalty_notice.amounts(wales, 1) == (60, 120)
    assert penalty_notice.amounts(wales, 2) == (60, 120)
    # A file that gives amounts of its own (Welsh councils restating the 2013 regulations) gives the same.
    for council in councils.all():
        assert council.penalties.first_full == (england if council.country == "england" else wales).first_full
