"""Each council's threshold parameters, as its code of conduct words them (councils/published-processes.md):
Wales varies by council (the current term; below 90 % for the school year to date; a holiday's sessions on
consecutive school days), England follows the national framework, also for a council with no file."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

import pytest

from service import councils
from service.case.schema import load_case
from service.rules import threshold
from tests.conftest import load_example

D = date.fromisoformat
# The councils whose file asks for attendance below a percentage this school year (the ERW common code).
YEAR_TO_DATE = [c.id for c in councils.all() if c.threshold.below_percent_year_to_date is not None]


def week(monday: str, codes: str) -> list[dict[str, str]]:
    """One school week, Mon AM … Fri PM; "." is present."""
    start = D(monday)
    assert len(codes) == 10 and start.weekday() == 0
    return [
        {"date": (start + timedelta(days=n // 2)).isoformat(), "session": ("AM", "PM")[n % 2],
         "code": ("/" if n % 2 == 0 else "\\") if code == "." else code}
        for n, code in enumerate(codes)
    ]


def decide(council: str | None, marks: list[dict[str, str]] | None, absence: tuple[str, str, int],
           kind: str = "irregular", totals: tuple[int, int] | None = None, holidays=None):
    data: dict[str, Any] = load_example("national-england-holiday")
    if council is not None:
        data["council"] = council
        del data["council_details"]
    start, end, sessions = absence
    data["absence"].update(type=kind, start_date=start, end_date=end, unauthorised_sessions=sessions)
    data["absence"].pop("leave_request", None)
    attendance = {"as_of": end, "sessions_possible": 100, "sessions_present": 90, "authorised_absences": 0,
                  "unauthorised_absences": 10}
    if totals:
        attendance.update(sessions_possible=totals[0], sessions_present=totals[1])
    if marks:
        attendance["marks"] = marks
        attendance["as_of"] = max(m["date"] for m in marks)
    data["attendance"] = attendance
    if holidays:
        data["school"]["holidays"] = holidays
    case, errors = load_case(data)
    assert case is not None, errors
    return threshold.evaluate(case, councils.for_case(case))


# Autumn 2026: 6 unauthorised sessions in the week of 30 Nov; Christmas; spring 2027: 6 in the week of 4 Jan.
ACROSS_CHRISTMAS = (
    week("2026-11-23", "." * 10) + week("2026-11-30", "UUUUUU....") + week("2026-12-07", "." * 10)
    + week("2026-12-14", "." * 10) + week("2027-01-04", "UUUUUU....") + week("2027-01-11", "." * 10)
)


def test_rhondda_cynon_taf_current_term_does_not_reach_back_over_christmas():
    # Rhondda Cynon Taf: "10 or more sessions of unauthorised absence in the current term".
    result, warnings = decide("rhondda-cynon-taf", ACROSS_CHRISTMAS, ("2027-01-04", "2027-01-06", 6))
    assert (result.window, result.sessions, result.met) == ("current_term", 6, False)
    assert (result.window_start, result.window_end) == (D("2027-01-04"), D("2027-01-15"))
    assert warnings == []


def test_england_by_default_counts_ten_school_weeks_across_terms_for_a_council_with_no_file():
    # National framework: 10 sessions within a rolling 10 school weeks, which may span terms.
    result, _ = decide(None, ACROSS_CHRISTMAS, ("2027-01-04", "2027-01-06", 6))
    assert (result.window, result.sessions, result.met) == ("rolling_school_weeks", 12, True)


def test_rhondda_cynon_taf_counts_a_half_term_within_the_current_term():
    marks = week("2026-10-19", "UUUUUU....") + week("2026-11-02", "UUUU......")  # half-term 26–30 Oct
    holidays = [{"start": "2026-10-24", "end": "2026-11-01"}, {"start": "2026-07-22", "end": "2026-09-01"}]
    result, _ = decide("rhondda-cynon-taf", marks, ("2026-11-02", "2026-11-03", 4), holidays=holidays)
    assert (result.sessions, result.met, result.window_start) == (10, True, D("2026-09-02"))


def test_rhondda_cynon_taf_term_ends_where_the_schools_holidays_say():
    holidays = [{"start": "2026-12-19", "end": "2027-01-03"}]
    result, _ = decide("rhondda-cynon-taf", ACROSS_CHRISTMAS, ("2027-01-04", "2027-01-06", 6),
                       holidays=holidays)
    assert (result.window_start, result.sessions) == (D("2027-01-04"), 6)


TERM_OF_TEN = week("2027-01-04", "." * 10) + week("2027-01-11", "UUUUUUUUUU")


def test_pembrokeshire_swansea_and_powys_follow_the_erw_code():
    # ERW common code (Pembrokeshire's page; Swansea's and Powys's code): 10 sessions in the current term, with
    # attendance below 90 % for the school year to date.
    assert sorted(YEAR_TO_DATE) == ["pembrokeshire", "powys", "swansea"]
    for council_id in YEAR_TO_DATE:
        t = councils.get(council_id).threshold
        assert (t.unauthorised_sessions, t.window, t.below_percent_year_to_date) == (10, "current_term", 90.0)


@pytest.mark.parametrize("council", YEAR_TO_DATE)
@pytest.mark.parametrize(
    ("present_weeks", "percent", "met"),
    [
        (2, 75.0, True),   # 30 of 40 sessions: below 90 %
        (8, 90.0, False),  # 90 of 100: not below 90 %
        (9, 90.9, False),
    ],
)
def test_year_to_date_councils_need_attendance_below_90_percent_this_school_year(council, present_weeks, percent, met):
    autumn = [m for n in range(present_weeks) for m in week((D("2026-09-07") + timedelta(weeks=n)).isoformat(),
                                                              "." * 10)]
    result, warnings = decide(council, autumn + TERM_OF_TEN, ("2027-01-11", "2027-01-15", 10))
    assert (result.sessions, result.attendance_percent, result.below_percent) == (10, percent, 90.0)
    assert result.met is met
    assert warnings == []


@pytest.mark.parametrize("council", YEAR_TO_DATE)
def test_year_to_date_councils_judge_totals_by_the_year_to_date_figures(council):
    result, warnings = decide(council, None, ("2027-01-11", "2027-01-15", 10), totals=(100, 85))
    assert (result.attendance_percent, result.met) == (85.0, True)
    assert [w.code for w in warnings] == []
    result, _ = decide(council, None, ("2027-01-11", "2027-01-15", 10), totals=(100, 95))
    assert result.met is False


def test_rhondda_cynon_taf_from_totals_alone_asks_for_the_register_when_the_episode_falls_short():
    result, warnings = decide("rhondda-cynon-taf", None, ("2027-01-11", "2027-01-13", 6))
    assert result.met is False
    assert [w.code for w in warnings] == ["threshold_window_unverified"]


@pytest.mark.parametrize(
    ("codes", "longest", "met"),
    [
        ("GGGGGGGGGG", 10, True),  # a week's holiday: 10 sessions on consecutive school days
        ("GGGGGG..GG", 6, False),  # back at school on Thursday: 8 sessions, not consecutive
    ],
)
def test_torfaen_holiday_sessions_must_be_consecutive(codes, longest, met):
    marks = week("2027-01-11", codes) + week("2027-01-18", "GG........" if not met else "." * 10)
    result, _ = decide("torfaen", marks, ("2027-01-11", "2027-01-18", 10), kind="holiday")
    assert (result.consecutive_sessions, result.met) == (longest, met)


def test_torfaen_irregular_absence_need_not_be_consecutive():
    marks = week("2027-01-11", "UU..UU..UU") + week("2027-01-18", "UU..UU....")
    result, _ = decide("torfaen", marks, ("2027-01-11", "2027-01-22", 10))
    assert (result.consecutive_sessions, result.met) == (None, True)


def test_torfaen_holiday_from_totals_cannot_show_consecutive_days():
    result, warnings = decide("torfaen", None, ("2027-01-11", "2027-01-15", 10), kind="holiday")
    assert result.met is True
    assert [w.code for w in warnings] == ["threshold_window_unverified"]


def test_wales_without_a_file_counts_the_episode():
    # Education (Penalty Notices) (Wales) Regulations 2013, with no council code: 10 sessions.
    data = load_example("national-england-holiday")
    data["council_details"]["country"] = "wales"
    case, _ = load_case(data)
    result, _ = threshold.evaluate(case, councils.for_case(case))
    assert (result.window, result.sessions, result.met) == ("episode", 10, True)
