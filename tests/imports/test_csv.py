"""CSV import: both register layouts, both encodings, the usual SIMS/Arbor headers, bad rows with lines."""

from __future__ import annotations

from datetime import date

import pytest

from service import codes
from service.imports import csv_import
from service.imports.cases import defaults
from service.imports.run import answer
from service.imports.scan import run
from service.problems import Problem
from tests.imports.builders import COUNCIL_DEFAULTS
from tests.imports.builders import upn

SIMS_PUPILS = (
    "UPN,Legal Surname,Legal Forename,DOB,Gender,Year,Reg Group,Address 1,Address 2,Town,Postcode,"
    "Contact 1 Name,Contact 1 Relationship,Contact 1 Parental Responsibility,Contact 1 Phone,Contact 1 Email,"
    "Contact 2 Name,Contact 2 Relationship,Contact 2 Parental Responsibility,Contact 2 Phone,Contact 2 Address 1,"
    "Contact 2 Town,Contact 2 Postcode\n"
    f"{upn(1)},Prydderch,Siân,04/05/2016,Female,5,5P,12 Orchard Way,,Trowbridge,BA14 8AB,"
    "Eleri Prydderch,Mother,Y,07700 900341,eleri@example.com,Gareth Prydderch,Father,Y,01632 960555,4 Mill Lane,"
    "Bradford on Avon,BA15 1AA\n"
    f"{upn(2)},Fairweather,Zoë,2015-09-01,F,6,6F,3 Castle Street,,Bridport,DT6 3AA,"
    "Aoife Fairweather,Mother,N,,,,,,,,,\n"
)


def am_pm_register(upn_marks: dict[str, list[tuple[str, str, str]]]) -> str:
    lines = ["UPN,Date,AM,PM"]
    for pupil, rows in upn_marks.items():
        lines += [f"{pupil},{d},{am},{pm}" for d, am, pm in rows]
    return "\n".join(lines) + "\n"


WEEK = [("07/09/2026", "/", "\\"), ("08/09/2026", "N", "N"), ("09/09/2026", "/", "\\"), ("10/09/2026", "L", "\\"),
        ("11/09/2026", "I", "I")]


def test_am_pm_rows_and_a_pupil_sheet_in_utf8_with_bom():
    register = ("\ufeff" + am_pm_register({upn(1): WEEK, upn(2): WEEK[:2]})).encode("utf-8")
    export = csv_import.read(register, SIMS_PUPILS.encode("utf-8"))
    assert export.source == {"kind": "csv", "layout": "am_pm", "encoding": "utf-8", "joined_on": "upn",
                             "pupils_encoding": "utf-8"}
    first = export.pupils[0]
    assert first.pupil == {
        "upn": upn(1), "looked_after": False, "forename": "Siân", "surname": "Prydderch", "year_group": "5",
        "class_name": "5P", "date_of_birth": "2016-05-04", "gender": "F",
        "address": {"line1": "12 Orchard Way", "line2": "", "town": "Trowbridge", "postcode": "BA14 8AB"},
    }
    assert first.register.start == date(2026, 9, 7) and first.register.marks == "/\\NN/\\L\\II"
    assert [(c.full_name, c.relationship, c.responsibility, c.address is None) for c in first.contacts] == [
        ("Eleri Prydderch", "mother", True, True), ("Gareth Prydderch", "father", True, False)]
    assert first.line == 2 and export.pupils[1].register.marks == "/\\NN"


def test_windows_1252_bytes_are_read_as_windows_1252():
    sheet = SIMS_PUPILS.encode("cp1252")
    assert b"Si\xe2n" in sheet and b"Zo\xeb" in sheet  # not UTF-8: â and ë are one byte each
    export = csv_import.read(am_pm_register({upn(1): WEEK}).encode("cp1252"), sheet)
    assert export.source["pupils_encoding"] == "windows-1252"
    assert [p.pupil["forename"] for p in export.pupils] == ["Siân", "Zoë"]


def test_one_row_per_pupil_with_a_mark_string():
    register = f"UPN,Start Date,Marks\n{upn(1)},07/09/2026,/\\NN/\\L\\II####/\\/\\\n"
    export = csv_import.read(register.encode(), SIMS_PUPILS.encode())
    assert export.source["layout"] == "mark_strings"
    assert export.pupils[0].register.marks == "/\\NN/\\L\\II####/\\/\\"
    assert export.pupils[1].register is None  # on the pupil sheet, no register row: listed, nothing counted


def test_a_space_in_a_mark_string_is_a_session_with_no_mark_even_at_the_start():
    register = f"UPN,Start Date,Marks\n{upn(1)},07/09/2026, \\NN/\\\n"
    assert csv_import.read(register.encode()).pupils[0].register.marks == "-\\NN/\\"


def test_one_row_per_session_as_arbor_exports_it():
    register = f"Student UPN,Date,Session,Mark\n{upn(1)},2026-09-07,AM,/\n{upn(1)},2026-09-07,PM,N\n{upn(1)},2026-09-08,AM,C1\n"
    export = csv_import.read(register.encode())
    assert export.source["layout"] == "sessions"
    # C1 (a 2024 code) is kept as sent, stored as its one character; the PM of the 8th was not sent.
    assert export.pupils[0].register.marks == "/N" + codes.char("C1") + "-"
    assert export.pupils[0].register.as_marks(date(2026, 9, 7), date(2026, 9, 8))[-1] == {
        "date": "2026-09-08", "session": "AM", "code": "C1"}


def test_bad_rows_are_reported_with_their_line_and_nothing_else_is_dropped():
    register = am_pm_register({upn(1): [*WEEK[:2], ("31/02/2026", "/", "\\"), ("14/09/2026", "?", "\\"),
                                        ("08/09/2026", "O", "N")], "": [("15/09/2026", "/", "\\")],
                               upn(3): [("07/09/2026", "/", "\\")]})
    found = answer(export := csv_import.read(register.encode(), SIMS_PUPILS.encode()),
                   run(export, defaults(COUNCIL_DEFAULTS, "csv")))
    errors = [(e["path"], e["code"], e["line"]) for e in found["errors"]]
    assert errors[0] == ("register", "required", 7)  # the row with no UPN belongs to no pupil
    assert ("pupils[0].attendance.marks", "invalid_date", 4) in errors
    assert ("pupils[0].attendance.marks", "invalid_mark", 5) in errors
    assert ("pupils[0].attendance.marks", "duplicate_mark", 6) in errors
    assert ("pupils[2].upn", "unknown_pupil", 8) in errors  # on the register only: listed, with its errors
    assert [r["upn"] for r in found["scan"]] == [upn(1), upn(2), upn(3)]
    # 9–13 Sep have no row (blank); on 14 Sep the AM mark is refused and the PM kept.
    assert export.pupils[0].register.marks == "/\\NN" + "-" * 11 + "\\"


def test_a_quoted_cell_over_two_lines_keeps_later_line_numbers_true():
    sheet = f'UPN,Surname,Forename,Address 1\n{upn(1)},Evans,Rhys,"Flat 2\nTŷ Gwyn"\n,Okafor,Grace,1 High Street\n'
    export = csv_import.read(f"UPN,Date,AM,PM\n{upn(1)},07/09/2026,/,\\\n".encode(), sheet.encode())
    assert [(i.path, i.code, i.line) for i in export.issues] == [("pupils", "required", 4)]


def test_a_mapping_names_other_headers_and_refuses_columns_no_file_has():
    register = f"Pupil Ref,Day,AM Session Code,PM Session Code\n{upn(1)},07/09/2026,/,N\n"
    mapping = {"upn": "Pupil Ref", "date": "Day", "am": "AM Session Code", "pm": "PM Session Code"}
    assert csv_import.read(register.encode(), None, mapping).pupils[0].register.marks == "/N"
    with pytest.raises(Problem) as caught:
        csv_import.read(register.encode(), None, {**mapping, "postcode": "Post Code", "shoe_size": "Size"})
    assert (caught.value.status, caught.value.code) == (422, "invalid_mapping")
    assert caught.value.extra["errors"] == [
        {"path": "mapping.shoe_size", "code": "unknown_field", "message": "Not a field of the CSV import."},
        {"path": "mapping.postcode", "code": "column_not_found", "message": "No column 'Post Code' in the files."},
    ]


def test_an_unknown_layout_and_an_empty_file_are_refused():
    with pytest.raises(Problem) as layout:
        csv_import.read(b"Name,Score\nRhys,3\n")
    assert (layout.value.status, layout.value.code) == (400, "csv_layout_unknown")
    with pytest.raises(Problem) as empty:
        csv_import.read(b"")
    assert (empty.value.status, empty.value.code) == (400, "empty_csv")
