"""Each example case, project and shared, gives the decisions rules.md implies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from service.validation import validate

Loader = Callable[[str], dict[str, Any]]
ROOT = Path(__file__).resolve().parents[2]
SHARED_EXAMPLES = ROOT.parent / "shared" / "examples"

# name: (today, expected). `today` is the letter date (the shared examples carry none).
# Decisions, in the contract's names:
#   valid, threshold_met (sessions, source), penalty_notice (allowed, number, early, full, reason,
#   how many parent-and-pupil notices), notice_to_improve reason, leave_refusal_variant, warnings.
Expected = dict[str, tuple[str, dict[str, Any]]]
EXPECTED: Expected = {}


def expect(examples: Expected) -> Expected:
    """Add a council's examples (what that council's rules give for them) to EXPECTED."""
    EXPECTED.update(examples)
    return examples


DORSET_EXAMPLES = expect({
    # Dorset holiday, mother took the child without asking; parents apart, both addresses given.
    "dorset-holiday-separated": ("2026-11-16", {
        "valid": True,
        "threshold": (True, 10, "totals"),  # rules.md: 10 sessions (App. 12/13)
        "penalty_notice": (True, 1, 80, 160, "allowed", 1),  # mother only, first notice
        "notice_to_improve": "holiday",  # rules.md: never for a holiday (App. 12)
        "leave_refusal_variant": "not-requested-in-advance",  # leave_request.submitted=false
        "warnings": [],  # submitted 3 days after the holiday: within Dorset's week
    }),
    # Dorset irregular absence (U after registers close), 12 sessions in 10 calendar weeks.
    "dorset-warning-irregular": ("2026-11-16", {
        "valid": True,
        "threshold": (True, 12, "totals"),
        # DfE framework: no Notice to Improve issued yet, so not a penalty notice first (issue 11)
        "penalty_notice": (False, None, None, None, "notice_to_improve_first", 1),
        "notice_to_improve": "allowed",  # rules.md §NTI: irregular, England, threshold met
        "leave_refusal_variant": "not-requested-in-advance",  # no leave was asked for
        "warnings": [],  # 7 Sep – 13 Nov is 10 calendar weeks: nothing to verify
    }),
})
VALE_OF_GLAMORGAN_EXAMPLES = expect({
    # Vale of Glamorgan holiday, asked and refused.
    "vale-of-glamorgan-holiday": ("2026-06-15", {
        "valid": True,
        "threshold": (True, 10, "totals"),  # seed 000: 10 sessions
        "penalty_notice": (True, 1, 60, 120, "allowed", 1),  # Wales Regs 2013: £60 / £120
        "notice_to_improve": "not_england",
        "leave_refusal_variant": "statutory-age",
        "warnings": [],
    }),
})
WILTSHIRE_EXAMPLES = expect({
    # Wiltshire holiday, two parents and two children, asked and refused.
    "wiltshire-holiday": ("2026-10-16", {
        "valid": True,
        "threshold": (True, 10, "totals"),
        "penalty_notice": (True, 1, 80, 160, "allowed", 4),  # rules.md: each parent, each child
        "notice_to_improve": "holiday",
        "leave_refusal_variant": "statutory-age",
        "warnings": [],
    }),
    # Wiltshire irregular absence with the register: 16 in the best 10 school weeks.
    "wiltshire-irregular-marks": ("2026-11-23", {
        "valid": True,
        "threshold": (True, 16, "marks"),
        "penalty_notice": (False, None, None, None, "notice_to_improve_first", 1),
        "notice_to_improve": "allowed",
        "leave_refusal_variant": "not-requested-in-advance",
        "warnings": [],
    }),
})
NO_FILE_EXAMPLES = expect({
    # A council with no file: the national framework, two parents and two children, asked and refused.
    "national-england-holiday": ("2026-10-16", {
        "valid": True,
        "threshold": (True, 10, "totals"),  # the national framework: 10 sessions in 10 school weeks
        "penalty_notice": (True, 1, 80, 160, "allowed", 4),
        "notice_to_improve": "holiday",
        "leave_refusal_variant": "statutory-age",
        "warnings": [],
    }),
})
# The shared examples are copies of some project examples (without a letter date).
SHARED = sorted(p.stem for p in SHARED_EXAMPLES.glob("*.json")) if SHARED_EXAMPLES.is_dir() else []


def outcome(data: dict[str, Any], today: str) -> dict[str, Any]:
    """Return what the report decides, in EXPECTED's shape."""
    report, loaded = validate(data, today=date.fromisoformat(today))
    assert loaded is not None
    d = report.as_dict()["decisions"]
    pn = d["penalty_notice"]
    return {
        "valid": report.valid,
        "threshold": (d["threshold_met"], d["threshold"]["sessions"], d["threshold"]["source"]),
        "penalty_notice": (pn["allowed"], pn["notice_number"], pn["amount_early"],
                           pn["amount_full"], pn["reason"], len(pn["notices"])),
        "notice_to_improve": d["notice_to_improve"]["reason"],
        "leave_refusal_variant": d["leave_refusal_variant"],
        "warnings": [(w.path, w.code) for w in report.warnings],
        "errors": [(e.path, e.code) for e in report.errors],
    }


def test_every_project_example_has_expectations() -> None:
    assert sorted(p.stem for p in (ROOT / "examples").glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_project_example(case: Loader, name: str) -> None:
    today, expected = EXPECTED[name]
    got = outcome(case(name), today)
    assert got.pop("errors") == []
    assert got == expected


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_project_example_uses_its_letter_date(case: Loader, name: str) -> None:
    # case-format.md: letter_date is the date printed on letters (default: today); it wins.
    today, expected = EXPECTED[name]
    data = case(name)
    assert data["letter_date"] == today
    report, _ = validate(data, today=date(2030, 1, 1))
    assert report.warnings == []


@pytest.mark.shared
def test_every_shared_example_has_expectations(shared_case: Loader) -> None:
    assert SHARED and set(SHARED) <= set(EXPECTED)


@pytest.mark.shared
@pytest.mark.parametrize("name", SHARED)
def test_shared_example(shared_case: Loader, name: str) -> None:
    today, expected = EXPECTED[name]
    data = shared_case(name)
    assert "letter_date" not in data
    got = outcome(data, today)
    assert got.pop("errors") == []
    assert got == expected


@pytest.mark.shared
@pytest.mark.parametrize(("today", "late"), [("2026-11-20", False), ("2026-11-21", True)])
def test_shared_dorset_holiday_late_after_a_week(shared_case: Loader, today: str,
                                                  late: bool) -> None:
    # rules.md: Dorset, submit within one week of the end of the holiday (13 Nov 2026).
    got = outcome(shared_case("dorset-holiday-separated"), today)
    assert got["warnings"] == ([("absence.end_date", "late_submission")] if late else [])
    assert got["valid"] is True  # a warning does not block


def test_wiltshire_holiday_notices(case: Loader) -> None:
    report, _ = validate(case("wiltshire-holiday"))
    pairs = [(n["parent_id"], n["pupil_upn"], n["allowed"])
             for n in report.as_dict()["decisions"]["penalty_notice"]["notices"]]
    assert pairs == [("p1", "U865204225011", True), ("p2", "U865204225011", True),
                     ("p1", "H865204225012", True), ("p2", "H865204225012", True)]


def test_marks_example_window(family: Loader) -> None:
    # The national framework's rolling 10 school weeks, read from the register's marks.
    report, _ = validate(family("irregular-with-marks"))
    t = report.as_dict()["decisions"]["threshold"]
    assert (t["window_start"], t["window_end"], t["window_school_weeks"]) == (
        "2026-09-07", "2026-11-22", 10)


def second_notice(data: dict[str, Any]) -> None:
    data["previous_penalty_notices"] = [{"parent_id": "p1", "pupil_upn": "U865204225011",
                                         "issued_on": "2024-02-12"}]


def nine_sessions(data: dict[str, Any]) -> None:
    data["absence"]["unauthorised_sessions"] = 9
    data["attendance"]["unauthorised_absences"] = 9


def looked_after(data: dict[str, Any]) -> None:
    data["pupils"][0]["looked_after"] = True


@pytest.mark.parametrize(
    ("name", "change", "decision", "expected"),
    [
        # a second notice within 3 years: £160, no reduction (rules.md §Amounts)
        ("holiday-two-children", second_notice, "penalty_notice", (True, 2, None, 160, "allowed", 4)),
        # 9 sessions: no penalty notice, no Notice to Improve (rules.md: 10 sessions)
        ("irregular-one-child", nine_sessions, "penalty_notice",
         (False, None, None, None, "threshold_not_met", 1)),
        ("irregular-one-child", nine_sessions, "notice_to_improve", "threshold_not_met"),
        ("welsh-holiday", nine_sessions, "threshold", (False, 9, "totals")),
        # a looked-after child (rules.md §Who, seed 004)
        ("welsh-holiday", looked_after, "penalty_notice",
         (False, None, None, None, "looked_after_child", 1)),
        ("irregular-with-marks", looked_after, "notice_to_improve", "looked_after_child"),
    ],
)
def test_example_variations(family: Loader, name: str, change: Callable[[dict[str, Any]], None],
                            decision: str, expected: Any) -> None:
    data = family(name)
    change(data)
    got = outcome(data, data["letter_date"])
    assert got.pop("errors") == []
    assert got[decision] == expected
