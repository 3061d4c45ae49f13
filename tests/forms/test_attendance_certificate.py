"""The attendance certificate: what it prints (read back with pypdf), how it looks, and that it is stable."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import Counter
from datetime import date
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from service import register
from service.case import Mark
from service.documents import produce
from service.engines import Engines
from service.problems import CannotProduce
from service.text import long_date

# The certificate is the same for every council: a family with its register, at a council with no file.
EXAMPLE = "irregular-with-marks"


def certificate(data: dict[str, Any]) -> bytes:
    """Return the certificate's PDF through the service's one way of producing documents."""
    return produce("attendance-certificate", data, Engines(), "pdf").content


def page_texts(pdf: bytes) -> list[str]:
    """Return each page's extracted text."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def as_marks(data: dict[str, Any]) -> list[Mark]:
    """Return the case's marks as the register counts them."""
    return [Mark(date.fromisoformat(m["date"]), m["session"], m["code"]) for m in data["attendance"]["marks"]]


def school_year() -> list[dict[str, str]]:
    """Return 38 school weeks of marks from 7 September 2026, with fortnights off at Christmas and Easter,
    a day of unauthorised absence in every fifth week and a day of illness in every seventh."""
    marks, monday = [], date(2026, 9, 7)
    for week in range(38):
        for day in range(5):
            day_date = (monday + timedelta(days=day)).isoformat()
            absent = "O" if week % 5 == 2 and day == 0 else "I" if week % 7 == 3 and day == 4 else None
            marks += [
                {"date": day_date, "session": "AM", "code": absent or "/"},
                {"date": day_date, "session": "PM", "code": absent or "\\"},
            ]
        monday += timedelta(weeks=3 if week in (14, 26) else 1)
    return marks


def test_example_shows_pupil_school_and_period(family):
    text = "\n".join(page_texts(certificate(family(EXAMPLE))))
    assert "Attendance certificate" in text
    assert "Larkspur Primary School" in text
    assert "Tomasz Kowalczyk-Reid" in text
    assert "12 March 2014" in text
    assert "Year 7" in text and "7KR" in text
    assert "2 September 2026 to 20 November 2026" in text
    assert "Produced from the register on 23 November 2026 · Page 1 of 1" in text


def test_example_totals_are_the_registers(family):
    data = family(EXAMPLE)
    by_code = Counter(m["code"] for m in data["attendance"]["marks"])
    possible = sum(by_code.values()) - by_code["#"]
    present = by_code["/"] + by_code["\\"]
    unauthorised = by_code["N"] + by_code["O"] + by_code["U"] + by_code["G"]
    expected = (possible, present, by_code["I"], unauthorised, round(100 * present / possible, 1))
    totals = register.count(as_marks(data))
    assert (
        expected
        == (
            totals.sessions_possible,
            totals.sessions_present,
            totals.authorised_absences,
            totals.unauthorised_absences,
            totals.attendance_percent,
        )
        == (106, 88, 2, 16, 83.0)
    )
    text = "\n".join(page_texts(certificate(data)))
    assert re.search(r"106\s+88\s+2\s+16\s+83\.0%", text), text


def test_example_code_table_lists_the_codes_that_occur(family):
    data = family(EXAMPLE)
    text = "\n".join(page_texts(certificate(data)))
    by_code = Counter(m["code"] for m in data["attendance"]["marks"])
    # Meanings and categories from the 2024 regulations' table (service/codes/england.py).
    assert re.search(rf"\nO\s+Absent in other or unknown circumstances\s+{by_code['O']}\s+Unauthorised absence\n", text)
    assert re.search(
        rf"\nI\s+Illness \(not a medical or dental appointment\)\s+{by_code['I']}\s+Authorised absence\n", text
    )
    assert re.search(rf"\n#\s+Planned whole or partial school closure\s+{by_code['#']}\s+Not possible", text)
    assert re.search(rf"\n/\s+Present \(morning session\)\s+{by_code['/']}\s+Present\n", text)
    assert "Medical or dental appointment" not in text  # M does not occur


def test_example_week_rows(family):
    text = "\n".join(page_texts(certificate(family(EXAMPLE))))
    assert re.search(r"14 September 2026\s+N N O O / \\ / \\ / \\\s+6 / 10", text)
    assert re.search(r"26 October 2026\s+(# ){10}–", text)  # half-term: nothing possible
    assert re.search(r"31 August 2026\s+/ \\ / \\ / \\\s+6 / 6", text)  # term began on a Wednesday


def test_weeks_without_marks_are_left_out(family):
    data = family(EXAMPLE)
    marks = data["attendance"]["marks"]
    data["attendance"]["marks"] = [m for m in marks if not "2026-10-19" <= m["date"] <= "2026-10-23"]
    text = "\n".join(page_texts(certificate(data)))
    assert "12 October 2026" in text and "26 October 2026" in text
    assert "19 October 2026" not in text


def test_optional_year_group_and_class_are_left_out(family):
    data = family(EXAMPLE)
    del data["pupils"][0]["year_group"], data["pupils"][0]["class_name"]
    text = "\n".join(page_texts(certificate(data)))
    assert "Year group" not in text and "Class" not in text


def test_weekend_marks_get_their_own_columns(family):
    data = family(EXAMPLE)
    data["attendance"]["marks"].append({"date": "2026-09-12", "session": "AM", "code": "V"})
    text = "\n".join(page_texts(certificate(data)))
    assert "Sat" in text and "Sun" in text
    assert re.search(r"7 September 2026\s+(/ \\ ){5}V\s+11 / 11", text)


def test_without_marks_cannot_be_produced(family):
    data = family(EXAMPLE)
    data["attendance"]["marks"] = []
    with pytest.raises(CannotProduce) as info:
        certificate(data)
    assert ("attendance.marks", "marks_required") in [(e.path, e.code) for e in info.value.report.errors]


def test_welsh_and_irish_names_print_exactly(family):
    data = family(EXAMPLE)
    data["pupils"][0]["forename"], data["pupils"][0]["surname"] = "Siân", "Ó Briain-Tŷ"
    text = "\n".join(page_texts(certificate(data)))
    assert "Siân Ó Briain-Tŷ" in text


def test_a_school_year_fits_a_few_pages_with_every_week(family):
    data = family(EXAMPLE)
    data["attendance"]["marks"] = school_year()
    pages = page_texts(certificate(data))
    assert 2 <= len(pages) <= 4
    grid = "\n".join(pages)
    mondays = sorted({date.fromisoformat(m["date"]) for m in data["attendance"]["marks"]})[::5]
    assert len(mondays) == 38
    rows = re.findall(r"^(\d{1,2} [A-Z][a-z]+ 20\d\d)\s+[/\\OI ]+\s+\d+ / 10$", grid, re.MULTILINE)
    assert rows == [long_date(monday) for monday in mondays]
    assert "21 December 2026" not in grid  # the Christmas fortnight has no marks
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Tomasz Kowalczyk-Reid" in text
    assert all("Week beginning" in text for text in pages[1:])  # the grid's header repeats
    totals = register.count(as_marks(data))
    assert re.search(
        rf"{totals.sessions_possible}\s+{totals.sessions_present}\s+{totals.authorised_absences}"
        rf"\s+{totals.unauthorised_absences}\s+{totals.attendance_percent:.1f}%",
        pages[0],
    )


def test_same_case_gives_the_same_bytes_and_no_dates_in_metadata(family):
    first, second = certificate(family(EXAMPLE)), certificate(family(EXAMPLE))
    assert first == second
    metadata = PdfReader(io.BytesIO(first)).metadata or {}
    assert "/CreationDate" not in metadata and "/ModDate" not in metadata
    assert metadata.get("/Title") == "Attendance certificate"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) is not installed")
def test_page_one_renders_with_a_drawn_table(family):
    from PIL import Image

    result = subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", "-"],
        input=certificate(family(EXAMPLE)),
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(result.stdout)).convert("L")
    width, height = image.size
    assert abs(width - 413) <= 1 and abs(height - 585) <= 1  # A4 at 50 dpi
    table = image.crop((int(width * 0.1), int(height * 0.6), int(width * 0.9), int(height * 0.85)))
    dark = sum(table.histogram()[:128])
    assert dark > 500, "the session grid should be drawn in the lower half of page 1"
