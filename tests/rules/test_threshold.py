"""The threshold: 10 unauthorised sessions, in 10 school weeks (England) or the episode (Wales)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from datetime import timedelta
from typing import Any

import pytest

from service import councils
from service.case.schema import load_case
from service.register import ALL_CODES
from service.register import UNAUTHORISED
from service.report import Issue
from service.rules import threshold
from service.rules.threshold import ThresholdResult
from tests.conftest import family_case

Loader = Callable[[str], dict[str, Any]]
D = date.fromisoformat
PRESENT_WEEK = "." * 10


def week(monday: date, codes: str | list[str]) -> list[dict[str, str]]:
    """Return one week's marks, Mon AM, Mon PM … Fri PM; "." is present (/ in the AM, \\ in the PM).
    A list gives one code a session (the 2024 sub-codes C1, J1, Y1 … are two characters)."""
    assert len(codes) == 10 and monday.weekday() == 0
    marks = []
    for n, code in enumerate(codes):
        session = "AM" if n % 2 == 0 else "PM"
        present = "/" if session == "AM" else "\\"
        day = monday + timedelta(days=n // 2)
        marks.append({"date": day.isoformat(), "session": session,
                      "code": present if code == "." else code})
    return marks


def register(first_monday: str, *weeks: str | list[str]) -> list[dict[str, str]]:
    """Return the marks of consecutive calendar weeks from a Monday."""
    monday = D(first_monday)
    return [m for n, codes in enumerate(weeks) for m in week(monday + timedelta(weeks=n), codes)]


def evaluate(data: dict[str, Any]) -> tuple[ThresholdResult, list[Issue]]:
    loaded, errors = load_case(data)
    assert errors == [], errors
    return threshold.evaluate(loaded, councils.for_case(loaded))


def totals_case(case: Loader, country: str, sessions: int, start: str = "2026-10-05",
                end: str = "2026-10-09") -> dict[str, Any]:
    data = family_case("holiday-two-children", country)
    data["absence"].update(start_date=start, end_date=end, unauthorised_sessions=sessions)
    data["attendance"]["as_of"] = max(end, data["attendance"]["as_of"])
    return data


def marks_case(case: Loader, country: str, marks: list[dict[str, str]]) -> dict[str, Any]:
    data = family_case("irregular-with-marks", country)
    data["attendance"]["marks"] = marks
    return data


# ---------------------------------------------------------------------------------------------
# Totals only: absence.unauthorised_sessions against the council's threshold


@pytest.mark.parametrize(
    ("country", "sessions", "met", "window"),
    [
        ("england", 0, False, 10),
        ("england", 9, False, 10),  # rules.md: 10 sessions … within 10 school weeks (App. 12, 13)
        ("england", 10, True, 10),
        ("england", 11, True, 10),
        ("wales", 9, False, None),  # rules.md: 10 sessions (seed 000), no rolling window
        ("wales", 10, True, None),
        ("wales", 40, True, None),
    ],
)
def test_totals_against_the_councils_threshold(case: Loader, country: str, sessions: int, met: bool,
                                               window: int | None) -> None:
    result, warnings = evaluate(totals_case(case, country, sessions))
    assert (result.met, result.sessions, result.needed) == (met, sessions, 10)
    assert result.source == "totals"
    assert result.window_school_weeks == window
    assert (result.window_start, result.window_end) == (D("2026-10-05"), D("2026-10-09"))
    assert warnings == []


def test_totals_count_the_episode_not_the_years_unauthorised_absences(case: Loader) -> None:
    data = totals_case(case, "england", 9)
    data["attendance"]["unauthorised_absences"] = 10  # the year so far: not the episode
    result, _ = evaluate(data)
    assert (result.met, result.sessions) == (False, 9)


@pytest.mark.parametrize(
    ("country", "start", "end", "calendar_weeks"),
    [
        ("england", "2026-09-07", "2026-09-11", None),  # 1 week
        ("england", "2026-09-07", "2026-11-13", None),  # Mon wk 1 – Fri wk 10: 10 calendar weeks
        ("england", "2026-09-11", "2026-11-09", None),  # Fri wk 1 – Mon wk 10
        ("england", "2026-09-07", "2026-11-16", 11),  # Mon wk 1 – Mon wk 11
        ("england", "2026-09-11", "2026-11-16", 11),  # Fri wk 1 – Mon wk 11
        ("england", "2026-09-01", "2026-12-18", 16),  # a whole autumn term
        ("england", "2026-09-01", "2027-03-26", 30),
        ("wales", "2026-09-01", "2026-12-18", None),  # Wales: no window to verify
    ],
)
def test_window_unverified_when_totals_span_more_than_ten_calendar_weeks(
        case: Loader, country: str, start: str, end: str, calendar_weeks: int | None) -> None:
    # rules.md: within a rolling period of 10 school weeks; totals alone cannot show it.
    result, warnings = evaluate(totals_case(case, country, 12, start, end))
    assert result.met is True  # a warning, not a refusal
    if calendar_weeks is None:
        assert warnings == []
    else:
        assert [(w.path, w.code) for w in warnings] == [("absence", "threshold_window_unverified")]
        assert f"spans {calendar_weeks} calendar weeks" in warnings[0].message


def test_no_window_warning_when_marks_are_sent(case: Loader) -> None:
    data = family_case("irregular-with-marks")  # 2026-09-14 to 2026-11-16: 10 calendar weeks
    data["absence"].update(start_date="2026-09-02", end_date="2026-11-20")  # 12 calendar weeks
    result, warnings = evaluate(data)
    assert result.source == "marks"
    assert warnings == []


# ---------------------------------------------------------------------------------------------
# Marks: the best run of 10 school weeks in the register (England)

# Ten unauthorised sessions, two in each of five weeks, from calendar week 1 to calendar week 11.
AUTUMN = ["OO........", PRESENT_WEEK, "GG........", PRESENT_WEEK, ".UU.......", PRESENT_WEEK,
          PRESENT_WEEK, None, "......NN..", PRESENT_WEEK, "........OO"]


@pytest.mark.parametrize(
    ("week_8", "met", "sessions", "window_start", "window_end"),
    [
        # rules.md: the window counts school weeks; a half-term of closure codes (#) is not one,
        # so 11 calendar weeks are 10 school weeks (App. 1: # planned whole-school closure).
        ("#" * 10, True, 10, "2026-09-07", "2026-11-22"),
        # Without the half-term the same marks span 11 school weeks: at most 8 fit in 10.
        (PRESENT_WEEK, False, 8, "2026-09-07", "2026-11-15"),
        # A week of sessions that are not possible (X, Y, Z, Q) is not a school week either.
        ("XXXXXXXXXX", True, 10, "2026-09-07", "2026-11-22"),
        ("YYYYYZZZZZ", True, 10, "2026-09-07", "2026-11-22"),
        # One possible session makes it a school week (a half-term with one day of school).
        ("#########/", False, 8, "2026-09-07", "2026-11-15"),
    ],
)
def test_marks_across_a_half_term(case: Loader, week_8: str, met: bool, sessions: int,
                                  window_start: str, window_end: str) -> None:
    weeks = [week_8 if codes is None else codes for codes in AUTUMN]
    result, warnings = evaluate(marks_case(case, "england", register("2026-09-07", *weeks)))
    assert (result.met, result.sessions, result.needed) == (met, sessions, 10)
    assert (result.source, result.window_school_weeks) == ("marks", 10)
    assert (result.window_start, result.window_end) == (D(window_start), D(window_end))
    assert warnings == []


@pytest.mark.parametrize(
    ("weeks", "met", "sessions"),
    [
        (["N" * 9 + "."], False, 9),  # rules.md: 10 sessions
        (["N" * 10], True, 10),  # one week of nothing but N
        (["NNNNN....."] + [PRESENT_WEEK] * 9 + ["OOOOO....."], False, 5),  # weeks 1 and 11
        (["NNNNN....."] + [PRESENT_WEEK] * 8 + ["OOOOO....."], True, 10),  # weeks 1 and 10
        # the window may span the summer holiday (rules.md: "may span terms and school years")
        (["......GGGG"] + ["#" * 10] * 6 + ["UUUUUU...."], True, 10),
        # the best window is found, wherever it is in the register
        (["U........."] + [PRESENT_WEEK] * 12 + ["GGGGG....."] * 2, True, 10),
    ],
)
def test_marks_in_a_rolling_window(case: Loader, weeks: list[str], met: bool,
                                   sessions: int) -> None:
    result, _ = evaluate(marks_case(case, "england", register("2026-07-06", *weeks)))
    assert (result.met, result.sessions) == (met, sessions)


def test_marks_window_ends_on_the_sunday_of_its_last_school_week(case: Loader) -> None:
    result, _ = evaluate(marks_case(case, "england", register("2026-09-07", "GGGGGGGGGG")))
    assert (result.window_start, result.window_end) == (D("2026-09-07"), D("2026-09-13"))


@pytest.mark.parametrize("code", sorted(ALL_CODES))
def test_only_g_n_o_u_count_as_unauthorised(case: Loader, code: str) -> None:
    # rules.md: unauthorised codes G, N, O, U (seed 004 App. 1), England and Wales alike.
    marks = register("2026-09-07", [code] * 10)
    counts = code in UNAUTHORISED
    result, _ = evaluate(marks_case(case, "england", marks))
    assert (result.met, result.sessions) == (counts, 10 if counts else 0)


def test_unauthorised_codes_are_exactly_g_n_o_u() -> None:
    assert UNAUTHORISED == frozenset("GNOU")


@pytest.mark.parametrize("code", ["g", "n", "o", "u"])
def test_lower_case_unauthorised_codes_count(case: Loader, code: str) -> None:
    result, _ = evaluate(marks_case(case, "england", register("2026-09-07", code * 10)))
    assert (result.met, result.sessions) == (True, 10)


@pytest.mark.parametrize(
    ("weeks", "met", "sessions"),
    [
        # Wales: no rolling window; the unauthorised marks of the episode (8–12 June 2026) count.
        ([PRESENT_WEEK, "GGGGGGGGGG"], True, 10),
        ([PRESENT_WEEK, "GGGGGGGG.."], False, 8),
        (["......OOOO", "GGGGGGGG.."], False, 8),  # the week before the episode does not count
        (["NNNNNNNNNN", PRESENT_WEEK], False, 0),
    ],
)
def test_wales_counts_the_marks_of_the_episode(case: Loader, weeks: list[str], met: bool,
                                               sessions: int) -> None:
    data = family_case("welsh-holiday")  # absence 2026-06-08 to 2026-06-12
    data["attendance"]["marks"] = register("2026-06-01", *weeks)
    result, warnings = evaluate(data)
    assert (result.met, result.sessions, result.source) == (met, sessions, "marks")
    assert result.window_school_weeks is None
    assert warnings == []


def test_the_example_register_meets_the_threshold_across_half_term(case: Loader) -> None:
    # the irregular-with-marks family: 16 unauthorised sessions in 11 school weeks, of which the
    # best 10 (7 Sep – 22 Nov, stepping over the # half-term) hold them all.
    result, _ = evaluate(family_case("irregular-with-marks"))
    assert result.as_dict() == {"sessions": 16, "needed": 10, "source": "marks",
                                "window_school_weeks": 10, "window_start": "2026-09-07",
                                "window_end": "2026-11-22", "window": "rolling_school_weeks",
                                "attendance_percent_year_to_date": None, "below_percent_year_to_date": None,
                                "consecutive_sessions": None}
    assert result.met is True
