"""CTFs as real writers emit them (shared/realdata/mis/api/aspen-uk-ctf-writer-notes.md): future school days
filled as present, enrolment spans joined with the gap dropped, totals that count only `/` and `\\`, names
where the CTF does not put them. Every pupil here is invented; the element names are the CTF's."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from pathlib import Path

import pytest

from service.imports import ctf as reader
from service.imports.cases import defaults
from service.imports.scan import run
from tests.imports.builders import COUNCIL_DEFAULTS
from tests.imports.builders import contact
from tests.imports.builders import ctf
from tests.imports.builders import marks
from tests.imports.builders import pupil
from tests.imports.builders import upn
from tests.imports.builders import year_data

SEPT, YEAR_END = date(2026, 9, 7), date(2027, 7, 16)
WRITTEN = date(2026, 11, 20)  # the header's DateTime: a file exported in November


def weeks(first: date, last: date) -> tuple[date, ...]:
    return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


CLOSED = (  # the school's holidays 2026/27: half-terms, Christmas, Easter
    weeks(date(2026, 10, 26), date(2026, 10, 30)) + weeks(date(2026, 12, 21), date(2027, 1, 1))
    + weeks(date(2027, 2, 15), date(2027, 2, 19)) + weeks(date(2027, 3, 29), date(2027, 4, 9))
    + weeks(date(2027, 5, 31), date(2027, 6, 4))
)
HOLIDAY = {date(2026, 11, d): "GG" for d in (9, 10, 11, 12, 13)}  # a week's holiday, not agreed
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "mis"


def filled(codes: dict[date, str] | None = None, first: date = SEPT, last: date = YEAR_END) -> str:
    """Marks as the writer emits them: every school day to the year's end, days with no record as `/\\`."""
    return marks(first, last, codes, CLOSED)


def aspen_year(session_marks: str, first: date = SEPT, authorised: int = 0, unauthorised: int = 0) -> str:
    """A YearData block with the writer's own totals: possible = 2 x in-session days of the whole string
    (future included), attended = the `/` and `\\` characters only."""
    possible = sum(1 for c in session_marks if c != "#")
    attended = session_marks.count("/") + session_marks.count("\\")
    return year_data(2026, possible, authorised, unauthorised, first, session_marks, attended=attended)


def family(serial: int, forename: str, surname: str, years: tuple[str, ...]) -> str:
    return pupil(serial, forename, surname, contacts=(contact("KATE", surname, phone=f"07700 900{serial:03d}"),),
                 years=years)


def school(*extra: str) -> bytes:
    """The holiday pupil, five pupils present every day, and the pupils a test adds."""
    pupils = [family(1, "RUBY", "HOLLOWAY", (aspen_year(filled(HOLIDAY), unauthorised=10),))]
    pupils += [family(10 + n, "PUPIL", f"PRESENT{n}", (aspen_year(filled()),)) for n in range(5)]
    return ctf(pupils + list(extra), stamp="2026-11-20T16:05:00")


def scan(data: bytes) -> list:
    return list(run(reader.read(data), defaults(COUNCIL_DEFAULTS, "ctf")))


def test_future_days_filled_as_present_are_dropped_and_the_holiday_is_found():
    holiday = scan(school())[0]
    future = sum(1 for c in filled(first=WRITTEN + timedelta(days=1)) if c != "#")
    dropped = [w for w in holiday.warnings if w.code == "future_marks_dropped"]
    assert [w.path for w in dropped] == ["pupils[0].attendance.marks"]
    assert dropped[0].message.startswith(f"{future} session mark(s) dated after the file's date (2026-11-20)")
    # The window ends at the file's date, not in July: 10 school weeks back, half-term stepped over.
    assert holiday.row["window"] == {"basis": "school_weeks", "start": "2026-09-07", "end": "2026-11-20",
                                     "school_weeks": 10}
    assert (holiday.row["unauthorised_sessions_in_window"], holiday.row["absence_type"]) == (10, "holiday")
    assert holiday.row["documents_allowed"] == ["generic-request"]  # a holiday: the request, never a Notice to Improve
    # School year to the file's date: 10 school weeks, 100 sessions, 90 attended (not the writer's year to July).
    assert (holiday.row["sessions_possible"], holiday.row["attendance_percent"]) == (100, 90.0)
    assert holiday.case["absence"] == {"type": "holiday", "start_date": "2026-09-07", "end_date": "2026-11-20",
                                       "unauthorised_sessions": 10}


def test_the_writers_totals_are_checked_against_the_marks_and_both_figures_named():
    holiday = scan(school())[0]
    whole = filled(HOLIDAY)
    possible, attended = sum(1 for c in whole if c != "#"), whole.count("/") + whole.count("\\")
    disagree = {w.path: w.message for w in holiday.warnings if w.code == "totals_disagree"}
    assert disagree == {
        "pupils[0].attendance.sessions_possible":
            f"YearData 2026 SessionsPossible is {possible}; its marks to the file's date give 100: the marks are used.",
        "pupils[0].attendance.sessions_present":
            f"YearData 2026 SessionsAttended is {attended}; its marks to the file's date give 90: the marks are used.",
    }


def test_spans_joined_with_the_gap_dropped_are_refused_not_misread():
    # Left on Wednesday 14 October, back on Monday 2 November: the writer joins the two spans' marks.
    joined = filled(last=date(2026, 10, 14)) + filled(first=date(2026, 11, 2))
    result = scan(school(family(2, "TOM", "PRICE", (aspen_year(joined),))))[-1]
    assert [(e.path, e.code) for e in result.errors] == [("pupils[6].attendance.marks", "marks_misaligned")]
    assert "Saturday 2026-10-17" in result.errors[0].message  # Thursday 5 November's marks fall on it
    assert (result.row["window"]["basis"], result.row["unauthorised_sessions_in_window"]) == ("refused", None)
    assert (result.row["documents_allowed"], result.row["valid"]) == ([], False)


def test_spans_joined_across_whole_weeks_are_refused_by_the_schools_calendar():
    # Left after Sunday 18 October, back on Monday 2 November: the weekends still fall right, but everything
    # after moves two weeks early: the pupil's Christmas lands on 7 December, November's marks on half-term.
    joined = filled(last=date(2026, 10, 18)) + filled(first=date(2026, 11, 2))
    results = scan(school(family(3, "AMIR", "SHAH", (aspen_year(joined),))))
    assert [(e.code, e.path) for e in results[-1].errors] == [("marks_misaligned", "pupils[6].attendance.marks")]
    assert "first 2026-10-26" in results[-1].errors[0].message and "first 2026-12-07" in results[-1].errors[0].message
    assert results[-1].row["window"]["basis"] == "refused"
    assert all(not r.errors for r in results[:-1])  # the others keep step


def test_a_day_shifted_string_is_refused():
    # AttendanceStartDate says Sunday 6 September; the marks were written from Monday.
    result = scan(school(family(4, "NIA", "OSEI", (aspen_year(filled(), first=date(2026, 9, 6)),))))[-1]
    assert [e.code for e in result.errors] == ["marks_misaligned"]
    assert "Sunday 2026-09-06" in result.errors[0].message


def test_an_inner_space_is_no_mark_where_it_stands():
    codes = {date(2026, 11, 16): " N", date(2026, 11, 17): "NN", date(2026, 11, 18): "NN", date(2026, 11, 19): "NN",
             date(2026, 11, 20): "NN"}
    result = scan(school(family(5, "LEO", "GRANT", (aspen_year(filled(codes)),))))[-1]
    register = result.parsed.register
    assert register.between(date(2026, 11, 16), date(2026, 11, 16)) == "-N"  # Monday AM unmarked, PM N
    assert register.between(date(2026, 11, 20), date(2026, 11, 20)) == "NN"  # Friday still Friday
    assert result.row["unauthorised_sessions_in_window"] == 9 and result.row["documents_allowed"] == []


def test_totals_only_derive_attendance_and_flag_a_field_that_counts_only_present_marks():
    # 100 possible, 4 authorised, 6 unauthorised: 90 attended, 10 of them late (L); the writer says 80.
    data = ctf([family(6, "ELLA", "MOSS", (year_data(2026, 100, 4, 6, attended=80),))])
    result = scan(data)[0]
    assert result.case["attendance"]["sessions_present"] == 90 and result.row["attendance_percent"] == 90.0
    assert [(w.path, w.code) for w in result.warnings] == [("pupils[0].attendance.sessions_present", "totals_disagree")]
    assert "SessionsAttended is 80; SessionsPossible less the absences gives 90" in result.warnings[0].message


def schoolgle_pupil(serial: int) -> str:
    """A third party's shape: names, DOB and gender under BasicDetails, not where the CTF puts them."""
    return (
        f"<Pupil><UPN>{upn(serial)}</UPN><BasicDetails><LegalSurname>ACTUALONE</LegalSurname>"
        "<LegalForename>AISHA</LegalForename><DOB>2014-10-02</DOB><Gender>F</Gender><NCyearActual>6</NCyearActual>"
        "</BasicDetails><Address><AddressLine1>12 Real Street</AddressLine1><Postcode>BD2 4ED</Postcode></Address>"
        f"<Contacts>{contact('SARA', 'ACTUALONE')}</Contacts></Pupil>"
    )


def test_names_dob_and_gender_not_where_the_ctf_puts_them_are_one_error_per_pupil():
    result = scan(ctf([schoolgle_pupil(8)]))[0]
    codes = [(e.path, e.code) for e in result.errors]
    assert ("pupils[0]", "ctf_pupil_incomplete") in codes
    assert not [c for c in codes if c[1] == "required" and c[0].split(".")[-1] in
                ("surname", "forename", "date_of_birth", "gender")]  # no cascade of `required`
    message = next(e.message for e in result.errors if e.code == "ctf_pupil_incomplete")
    assert message.startswith("The CTF has no Surname, Forename, DOB, Sex/Gender under Pupil")
    assert "BasicDetails/LegalSurname for Surname" in message and "is not read" in message


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="the shared reference material (../shared/realdata/mis) is absent")
def test_the_reference_ctfs_read_right_or_say_why_not():
    dfe = scan((REFERENCE / "ctf" / "01-mtc-dfe-generator.xml").read_bytes())[0]  # DfE's own writer
    assert (dfe.parsed.pupil["surname"], dfe.parsed.pupil["gender"], dfe.row["window"]["basis"]) == ("ROOSTER", "M",
                                                                                                      "none")
    assert "ctf_pupil_incomplete" not in [e.code for e in dfe.errors]
    third = scan((REFERENCE / "ctf" / "02-schoolgle-sample-ctf.xml").read_bytes())
    assert [[e.code for e in r.errors].count("ctf_pupil_incomplete") for r in third] == [1, 1]
