"""CSV registers in the shapes real MIS writers and APIs give them (shared/realdata/mis/shapes: real column
names, invented pupils): Bromcom session marks and weekly rows joined on StudentId, Wonde's code ids, Arbor's
roll-call records, a SIMS totals sheet. Each test says, per pupil, the sessions counted, the window found and
the decision."""

from __future__ import annotations

import io
import json
from datetime import date
from datetime import timedelta

from pypdf import PdfReader

from service import codes
from service.imports import csv_import
from service.imports.cases import defaults
from service.imports.run import answer
from service.imports.scan import run
from tests.imports.builders import COUNCIL_DEFAULTS
from tests.imports.builders import upn
from tests.imports.test_csv import SIMS_PUPILS

MONDAY = date(2025, 11, 10)
DAYS = [MONDAY + timedelta(days=n) for n in range(19) if (MONDAY + timedelta(days=n)).weekday() < 5]  # 3 weeks
RUBY = {date(2025, 11, d): ("G", "G") for d in range(17, 22)}  # a week's holiday, not agreed
TOM = {date(2025, 11, 12): ("J1", "\\"), date(2025, 11, 13): ("C1", "C1"), date(2025, 11, 14): ("Y1", "Y1"),
       date(2025, 11, 24): ("K", "K")}  # interview, performance leave, no transport, LA provision
FLATVIEW = (  # Bromcom StudentFlatView: StudentId is the join key, Upn is the UPN
    "StudentId,Upn,FirstName,LastName,GenderCode,DateOfBirth,YearGroup,TutorGroupName,Contact1Name,"
    "Contact1Relationship,Contact1ParentalResponsibility,Contact1Telephone,Contact1Email\n"
    f"40117,{upn(1)},Ruby,Holloway,F,2016-03-14T00:00:00,5,5H,Kate Holloway,Mother,Yes,07700 900123,kate@example.org\n"
    f"40118,{upn(2)},Tom,Price,M,2016-01-20T00:00:00,5,5H,Dan Price,Father,Yes,07700 900456,dan@example.org\n"
)
# StudentFlatView carries no address; a school sends its address columns with it (any header: a mapping).
HOMES = {"40117": "12 Orchard Way,Trowbridge,BA14 8AB", "40118": "3 Castle Street,Trowbridge,BA14 7AA"}
PUPILS = "\n".join(
    line + (",Address1,Town,Postcode" if n == 0 else "," + HOMES[line.split(",")[0]])
    for n, line in enumerate(FLATVIEW.strip().split("\n"))
) + "\n"


def marks_of(pupil: dict[date, tuple[str, str]], day: date) -> tuple[str, str]:
    return pupil.get(day, ("/", "\\"))


def basic_attendance() -> bytes:
    """Bromcom BasicAttendance: one row per session, ISO date-times."""
    rows = ["StudentId,CalendarStartDate,PeriodDisplayName,Mark,AttendanceComment"]
    for student, pupil in (("40117", RUBY), ("40118", TOM)):
        for day in DAYS:
            am, pm = marks_of(pupil, day)
            rows += [f"{student},{day.isoformat()}T00:00:00,AM,{am},", f"{student},{day.isoformat()}T00:00:00,PM,{pm},"]
    return ("\n".join(rows) + "\n").encode()


def by_week(with_column: bool) -> bytes:
    """Bromcom StudentAttendanceByWeek: MonAM … FriPM; the week comes from the query (or a column we add)."""
    head = ("WeekStart," if with_column else "") + "StudentId,MonAM,MonPM,TueAM,TuePM,WedAM,WedPM,ThuAM,ThuPM,FriAM,FriPM"
    rows = [head]
    weeks = [MONDAY + timedelta(weeks=n) for n in range(3)] if with_column else [MONDAY + timedelta(weeks=1)]
    for monday in weeks:
        for student, pupil in (("40117", RUBY), ("40118", TOM)):
            cells = [c for d in range(5) for c in marks_of(pupil, monday + timedelta(days=d))]
            rows.append((f"{monday.isoformat()}," if with_column else "") + f"{student}," + ",".join(cells))
    return ("\n".join(rows) + "\n").encode()


def scanned(export, part=COUNCIL_DEFAULTS, marks=False):
    return answer(export, run(export, defaults(part, "csv"), marks))


def test_bromcom_session_marks_joined_on_student_id_keep_the_2024_codes():
    found = scanned(csv_import.read(basic_attendance(), PUPILS.encode()))
    assert found["source"] == {"kind": "csv", "layout": "sessions", "encoding": "utf-8", "joined_on": "pupil_id",
                               "pupils_encoding": "utf-8"}
    ruby, tom = found["scan"]
    assert (ruby["upn"], ruby["name"], tom["upn"]) == (upn(1), "Ruby Holloway", upn(2))  # the UPN, not StudentId
    # Ruby: 3 school weeks, 30 sessions, the holiday's 10 unauthorised: the threshold is met by a holiday.
    assert ruby["window"] == {"basis": "school_weeks", "start": "2025-11-10", "end": "2025-11-28", "school_weeks": 3}
    assert (ruby["sessions_possible"], ruby["attendance_percent"], ruby["unauthorised_sessions_in_window"],
            ruby["absence_type"]) == (30, 66.7, 10, "holiday")
    assert ruby["documents_allowed"] == ["generic-request"]  # the request form of a council with no file
    # Tom: Y1 (no transport) is not a possible session; J1 and C1 are authorised absence, K attends: 28 possible,
    # 25 attended, nothing unauthorised.
    assert (tom["sessions_possible"], tom["attendance_percent"], tom["unauthorised_sessions_in_window"],
            tom["documents_allowed"]) == (28, 89.3, 0, [])
    assert found["cases"][1]["attendance"] == {"as_of": "2025-11-28", "sessions_possible": 28, "sessions_present": 25,
                                               "authorised_absences": 3, "unauthorised_absences": 0}
    assert found["errors"] == []
    # The flat view alone has no addresses: each pupil's case says so (nothing is made up), and a case that
    # cannot be loaded is not judged.
    bare = scanned(csv_import.read(basic_attendance(), FLATVIEW.encode()))
    assert [(e["path"], e["code"]) for e in bare["errors"]] == [("pupils[0].address", "required"),
                                                                ("pupils[1].address", "required")]
    assert bare["scan"][0]["unauthorised_sessions_in_window"] == 10 and bare["scan"][0]["documents_allowed"] == []


def test_bromcom_weekly_rows_need_their_week_and_read_like_the_session_marks():
    three = scanned(csv_import.read(by_week(with_column=True), PUPILS.encode()))
    assert three["source"]["layout"] == "weekly"
    assert [(r["sessions_possible"], r["unauthorised_sessions_in_window"], r["documents_allowed"]) for r in three["scan"]] == [
        (30, 10, ["generic-request"]), (28, 0, [])]
    # The API's shape has no date: the week comes with the request, or the rows are refused, saying why.
    part = {**COUNCIL_DEFAULTS, "week_start": "2025-11-17"}
    given = defaults(part, "csv")
    one = scanned(csv_import.read(by_week(with_column=False), PUPILS.encode(), options=given.csv), part)
    assert one["scan"][0]["window"]["start"] == "2025-11-17" and one["scan"][0]["unauthorised_sessions_in_window"] == 10
    refused = scanned(csv_import.read(by_week(with_column=False), PUPILS.encode()))
    assert [(e["path"], e["code"]) for e in refused["errors"] if e["code"] == "week_start_required"] == [
        ("pupils[0].attendance.marks", "week_start_required"), ("pupils[1].attendance.marks", "week_start_required")]
    assert refused["scan"][0]["window"]["basis"] == "none"


WONDE_PRESENT, WONDE_HOLIDAY, WONDE_UNKNOWN = "A1868574451", "A2084632156", "A9999999999"


def test_wonde_code_ids_are_read_through_the_look_up_table_sent_with_the_request():
    rows = ["student_id,date,session,attendance_code_id,comment,minutes_late"]
    for day in DAYS:
        code = WONDE_HOLIDAY if day in RUBY else WONDE_PRESENT
        rows += [f"A1329183376,{day.isoformat()},AM,{code},,", f"A1329183376,{day.isoformat()},PM,{code},,"]
    rows[-1] = rows[-1].replace(WONDE_PRESENT, WONDE_UNKNOWN)
    pupils = (f"id,upn,forename,surname,gender,date_of_birth\nA1329183376,{upn(1)},Ruby,Holloway,F,2016-03-14\n")
    part = {**COUNCIL_DEFAULTS, "mapping": {"pupils": {"pupil_id": "id"}},
            "codes": [{"id": WONDE_PRESENT, "code": "/"}, {"id": WONDE_HOLIDAY, "code": "G"}]}
    given = defaults(part, "csv")
    found = scanned(csv_import.read("\n".join(rows).encode(), pupils.encode(), given.mapping, options=given.csv), part)
    row = found["scan"][0]
    assert (row["upn"], row["sessions_possible"], row["unauthorised_sessions_in_window"]) == (upn(1), 29, 10)
    unknown = [e for e in found["errors"] if e["code"] == "unknown_code_id"]
    assert [(e["path"], e["line"], e["count"]) for e in unknown] == [("pupils[0].attendance.marks", 31, 1)]
    assert WONDE_UNKNOWN in unknown[0]["message"]


def arbor(codes_by_day: dict[date, tuple[str, str]], who: str) -> str:
    rows = ["student,recordDate,attendanceRollCall,attendanceMark,minutesLate"]
    for day in DAYS:
        am, pm = marks_of(codes_by_day, day)
        rows += [f"{who},{day.isoformat()},AM,{am},", f"{who},{day.isoformat()},PM,{pm},"]
    return "\n".join(rows) + "\n"


def test_arbor_roll_call_records_and_a_certificate_from_the_imported_case(client):
    data = {"file": (io.BytesIO(arbor(TOM, upn(1)).encode()), "register.csv"),
            "pupils": (io.BytesIO(SIMS_PUPILS.encode()), "pupils.csv"), "case": json.dumps(COUNCIL_DEFAULTS)}
    body = client.post("/api/v1/imports/csv?marks=true", data=data, content_type="multipart/form-data").get_json()
    assert body["source"]["joined_on"] == "upn"  # Arbor's `student` holds what the pupil sheet has: the UPN
    case = body["cases"][0]
    assert body["scan"][0]["sessions_possible"] == 28
    codes_sent = [m["code"] for m in case["attendance"]["marks"] if m["date"] in ("2025-11-12", "2025-11-13")]
    assert codes_sent == ["J1", "\\", "C1", "C1"]  # kept as sent
    response = client.post("/api/v1/documents/attendance-certificate", json=case)
    assert response.status_code == 200, response.get_json()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Leave of absence to attend an interview" in text and "J1" in text
    assert "regulated performance" in text and "C1" in text
    assert "Unable to attend: transport normally provided not available" in text


def test_repeated_errors_of_one_kind_are_one_error_with_a_count_and_the_first_rows():
    register = arbor({day: ("ZZ", "ZZ") for day in DAYS[:6]}, upn(1))
    found = scanned(csv_import.read(register.encode(), SIMS_PUPILS.encode()))
    bad = [e for e in found["errors"] if e["code"] == "invalid_mark"]
    assert [(e["path"], e["count"], e["lines"], e["line"]) for e in bad] == [
        ("pupils[0].attendance.marks", 12, [2, 3, 4, 5, 6], 2)]
    assert bad[0]["message"].startswith("'ZZ' is not an attendance code (first on 2025-11-10 AM): not counted.")
    assert "12 rows like this" in bad[0]["message"]


def test_codes_are_checked_against_the_countrys_table_and_their_dates():
    # H (agreed holiday) was withdrawn in England on 19 August 2024: authorised in 2023, refused in 2025.
    old = f"UPN,Date,AM,PM\n{upn(1)},2023-11-13,H,H\n{upn(1)},2023-11-14,/,\\\n"
    export = csv_import.read(old.encode(), SIMS_PUPILS.encode())
    assert [i.code for i in export.pupils[0].issues] == [] and export.pupils[0].register.marks == "HH/\\"
    late = csv_import.read(f"UPN,Date,AM,PM\n{upn(1)},2025-11-10,H,H\n".encode(), SIMS_PUPILS.encode())
    assert [(i.code, i.message) for i in late.pupils[0].issues] == [
        ("invalid_mark", "'H' is a code that was withdrawn after 2024-08-18 (England): 2 session(s), "
                         "2025-11-10 AM, 2025-11-10 PM; not counted.")]
    # Wales keeps its 2010 codes: J (interview) attends; C1 is not a Welsh code.
    welsh = csv_import.read(f"UPN,Date,AM,PM\n{upn(1)},2025-11-10,J,C1\n".encode(), SIMS_PUPILS.encode(),
                            table=codes.table("wales"))
    assert [i.message for i in welsh.pupils[0].issues] == [
        "'C1' is not an attendance code (Wales): 1 session(s), 2025-11-10 PM; not counted."]
    assert welsh.pupils[0].register.marks == "J-"


def test_a_totals_only_sheet_is_judged_on_its_totals():
    summary = (
        "Student ID,UPN,Student Name,Year,Registration Form,Possible Sessions,Present Sessions,Authorised Absence,"
        "Unauthorised Absence,Attendance %,Late Marks,Attendance Concern,Start Date,End Date\n"
        f"A001,{upn(1)},Siân Prydderch,5,5P,320,284,18,18,88.6,7,Persistent Absence,01/09/2025,07/07/2026\n"
        f"A002,{upn(2)},Zoë Fairweather,6,6F,320,300,9,10,94.2,0,No Concern,01/09/2025,07/07/2026\n"
    )
    found = scanned(csv_import.read(summary.encode(), SIMS_PUPILS.encode()))
    assert found["source"]["layout"] == "totals"
    first, second = found["scan"]
    assert first["window"] == {"basis": "totals", "start": "2025-09-01", "end": "2026-07-07", "school_weeks": None}
    assert (first["sessions_possible"], first["attendance_percent"], first["persistent_absence"]) == (320, 88.8, True)
    # 320 − 9 − 10 = 301 attended, not the 300 the sheet says: flagged, both figures named.
    assert second["attendance_percent"] == 94.1
    assert [(w["path"], w["code"]) for w in found["warnings"]] == [("pupils[1].attendance.sessions_present",
                                                                    "totals_disagree")]
    assert "Present sessions is 300; possible less the absences gives 301" in found["warnings"][0]["message"]


def test_iso_date_times_are_dates():
    assert csv_import.parse_date("2025-11-10T00:00:00") == date(2025, 11, 10)
    assert csv_import.parse_date("2025-11-10T08:50:00.000Z") == date(2025, 11, 10)
    assert csv_import.parse_date("2025-11-10T00:00:00+01:00") == date(2025, 11, 10)
    assert csv_import.parse_date("11/10/2025") == date(2025, 10, 11)  # the UK order, never the US one


def test_a_mapping_per_sheet_and_bad_csv_options_are_refused_saying_where():
    import pytest

    from service.problems import Problem

    register = "Learner,Day,AM,PM\n40117,2025-11-10,/,\\\n"
    with pytest.raises(Problem) as caught:
        csv_import.read(register.encode(), PUPILS.encode(), {"register": {"pupil_id": "Learner", "date": "Day"},
                                                             "pupils": {"pupil_id": "Learner"}})
    assert caught.value.extra["errors"] == [{"path": "mapping.pupils.pupil_id", "code": "column_not_found",
                                             "message": "No column 'Learner' in the pupils file."}]
    export = csv_import.read(register.encode(), PUPILS.encode(), {"register": {"pupil_id": "Learner", "date": "Day"}})
    assert (export.pupils[0].pupil["upn"], export.pupils[0].register.marks) == (upn(1), "/\\")
    with pytest.raises(Problem) as bad:
        defaults({**COUNCIL_DEFAULTS, "week_start": "2025-11-11", "codes": {"A1": "ZZ"}}, "csv")
    assert [(e["path"], e["code"]) for e in bad.value.extra["errors"]] == [("week_start", "invalid_date"),
                                                                           ("codes", "invalid_codes")]
