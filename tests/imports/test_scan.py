"""The threshold scan against a register counted by hand: a window across half-term and the summer."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from service.imports import ParsedPupil
from service.imports import YearSummary
from service.imports import csv_import
from service.imports import ctf as reader
from service.imports.cases import defaults
from service.imports.marks import Register
from service.imports.scan import latest_weeks
from service.imports.scan import run
from service.imports.scan import term
from tests.imports.builders import COUNCIL_DEFAULTS
from tests.imports.builders import contact
from tests.imports.builders import ctf
from tests.imports.builders import marks
from tests.imports.builders import pupil
from tests.imports.builders import upn
from tests.imports.builders import year_data

FIRST, LAST = date(2026, 5, 11), date(2026, 9, 11)
# May half-term (25–29 May), the summer holiday (20 July – 2 September, INSET on 1–2 September).
CLOSED = tuple(date(2026, 5, 25) + timedelta(days=n) for n in range(5)) + tuple(
    date(2026, 7, 20) + timedelta(days=n) for n in range(45)
)
CODES = {
    date(2026, 5, 12): "NN",  # 2, in week 11 May: before the window, not counted
    date(2026, 5, 19): "N\\",  # 1
    date(2026, 5, 21): "GG",  # 2 (holiday codes, not most of the 10)
    date(2026, 6, 3): "/O",  # 1
    date(2026, 6, 15): "U\\",  # 1 (late after the register closed)
    date(2026, 6, 22): "XX",  # not required to attend: no possible session
    date(2026, 7, 14): "NN",  # 2
    date(2026, 7, 17): "II",  # illness: authorised
    date(2026, 9, 3): "/N",  # 1, first day of the new school year
    date(2026, 9, 10): "NN",  # 2
}
# By hand. School weeks back from Friday 11 September: 7 Sep, 31 Aug (3–4 Sep only), 13 Jul, 6 Jul, 29 Jun,
# 22 Jun, 15 Jun, 8 Jun, 1 Jun, 18 May (25 May is half-term, not a school week): ten, from 18 May.
# Unauthorised in them: 1 + 2 + 1 + 1 + 2 + 1 + 2 = 10 (the 2 of 12 May fall outside).
# School year 2026/27 to 11 September: 3, 4, 7–11 September = 7 days, 14 sessions, 3 unauthorised, 11 present.


def register() -> Register:
    return Register(FIRST, marks(FIRST, LAST, CODES, CLOSED))


def test_latest_ten_school_weeks_span_half_term_and_the_summer():
    window = latest_weeks(register(), 10, LAST)
    assert (window.start, window.end, window.school_weeks) == (date(2026, 5, 18), LAST, 10)
    assert (window.unauthorised, window.holiday) == (10, False)


def test_scan_row_and_case_from_the_ctf_match_the_hand_count():
    data = ctf([pupil(7, "TOMASZ", "KOWALCZYK", sex="M", dob="2014-03-12", contacts=(contact("MARTA", "KOWALCZYK"),),
                      years=(year_data(2025, 0, 0, 0, FIRST, marks(FIRST, date(2026, 8, 31), CODES, CLOSED)),
                             year_data(2026, 14, 0, 3, date(2026, 9, 1), marks(date(2026, 9, 1), LAST, CODES, CLOSED))))])
    result = next(run(reader.read(data), defaults(COUNCIL_DEFAULTS, "ctf")))
    assert result.row == {
        "upn": upn(7), "name": "TOMASZ KOWALCZYK", "sessions_possible": 14, "attendance_percent": 78.6,
        "unauthorised_sessions_in_window": 10, "persistent_absence": True, "severe_absence": False,
        "documents_allowed": ["notice-to-improve"],
        "window": {"basis": "school_weeks", "start": "2026-05-18", "end": "2026-09-11", "school_weeks": 10},
        "absence_type": "irregular", "valid": True, "siblings": [], "line": 6,
    }
    assert result.case["absence"] == {"type": "irregular", "start_date": "2026-05-18", "end_date": "2026-09-11",
                                      "unauthorised_sessions": 10}
    assert result.case["attendance"] == {"as_of": "2026-09-11", "sessions_possible": 14, "sessions_present": 11,
                                         "authorised_absences": 0, "unauthorised_absences": 3}
    nti = result.report.as_dict()["decisions"]["notice_to_improve"]
    assert result.errors == [] and (nti["allowed"], nti["reason"]) == (True, "allowed")


def test_the_same_register_as_csv_rows_scans_the_same():
    rows = ["UPN,Date,AM,PM"]
    day = FIRST
    while day <= LAST:
        if day.weekday() < 5 and day not in CLOSED:
            pair = CODES.get(day, "/\\")
            rows.append(f"{upn(7)},{day:%d/%m/%Y},{pair[0]},{pair[1]}")
        day += timedelta(days=1)
    sheet = f"UPN,Legal Surname,Legal Forename,DOB,Gender,Address 1,Town,Postcode,Contact 1 Name,Contact 1 Relationship\n{upn(7)},KOWALCZYK,TOMASZ,12/03/2014,M,12 Orchard Way,Trowbridge,BA14 8AB,MARTA KOWALCZYK,mother\n"
    export = csv_import.read("\n".join(rows).encode(), sheet.encode())
    row = next(run(export, defaults(COUNCIL_DEFAULTS, "csv"))).row
    assert (row["unauthorised_sessions_in_window"], row["sessions_possible"], row["attendance_percent"]) == (10, 14, 78.6)
    assert row["window"]["start"] == "2026-05-18" and row["documents_allowed"] == ["notice-to-improve"]


def test_wales_counts_the_current_term_told_by_the_summer_break():
    window = term(register(), LAST)
    assert (window.basis, window.start, window.unauthorised) == ("term", date(2026, 9, 3), 3)
    # Half-term (one week) does not end a term: from the first mark, with no two-week break, the whole export.
    spring = Register(FIRST, marks(FIRST, date(2026, 7, 17), CODES, CLOSED))
    assert (term(spring, date(2026, 7, 17)).basis, term(spring, date(2026, 7, 17)).start) == ("export", FIRST)


def test_holiday_codes_making_most_of_the_window_make_a_holiday_case():
    codes = {date(2026, 9, d): "GG" for d in (7, 8, 9)} | {date(2026, 9, 10): "NN", date(2026, 9, 11): "/O"}
    window = latest_weeks(Register(date(2026, 9, 7), marks(date(2026, 9, 7), LAST, codes)), 10, LAST)
    assert (window.unauthorised, window.holiday) == (9, True)  # 6 G of 9


def test_a_pupil_with_summary_counts_only_is_judged_on_the_totals():
    parsed = ParsedPupil(3, {"upn": upn(3)}, summaries=[YearSummary(2025, 300, 10, 20), YearSummary(2026, 100, 4, 12)])
    export = reader.Export("ctf", [parsed], exported_on=date(2026, 11, 20))
    result = next(run(export, defaults(COUNCIL_DEFAULTS, "ctf")))
    assert result.case["attendance"] == {"as_of": "2026-11-20", "sessions_possible": 100, "sessions_present": 84,
                                         "authorised_absences": 4, "unauthorised_absences": 12}
    assert result.row["window"] == {"basis": "totals", "start": "2026-09-01", "end": "2026-11-20", "school_weeks": None}
    assert result.row["unauthorised_sessions_in_window"] is None and result.row["attendance_percent"] == 84.0
    # No name, date of birth or contact in the export: listed, with every error under its pupil's path.
    assert [(e.path, e.code) for e in result.errors] == [
        ("pupils[0].forename", "required"), ("pupils[0].surname", "required"), ("pupils[0].date_of_birth", "required"),
        ("pupils[0].gender", "required"), ("pupils[0].address", "required"), ("pupils[0].parents", "required"),
    ]
