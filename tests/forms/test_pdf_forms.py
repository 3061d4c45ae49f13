"""The council forms filled from example cases, read back with pypdf and rendered with pdftoppm."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys

import pytest
from pypdf import PdfReader

from service.documents import produce
from service.engines import Engines
from service.problems import CannotProduce
from tests.conftest import ROOT

ENGINES = Engines()


def fill(data, document_id, flatten=False):
    return produce(document_id, data, ENGINES, "pdf", flatten)


def test_pn3_fields_from_the_wiltshire_example(case, pdf_fields):
    rendered = fill(case("wiltshire-holiday"), "pn3")
    assert rendered.filename == "pn3-fairweather-zoe-2026-10-05.pdf"
    assert pdf_fields(rendered.content) == {
        "council_name": "Wiltshire Council", "council_department": "Wiltshire Education Welfare Service",
        "sheet": "1 of 1",
        "parent1_name": "Hannah Fairweather", "parent2_name": "Owen Fairweather",
        "parent1_address": "3 Meadow Close\nTrowbridge", "parent2_address": "3 Meadow Close\nTrowbridge",
        "parent1_postcode": "BA14 9QZ", "parent2_postcode": "BA14 9QZ",
        "pupil1_name": "Zoë Fairweather", "pupil1_dob": "4 May 2016",
        "pupil2_name": "Alfie Fairweather", "pupil2_dob": "20 November 2018",
        "pupils_address": "3 Meadow Close\nTrowbridge", "pupils_postcode": "BA14 9QZ",
        "lives_with": "Hannah Fairweather (mother) and Owen Fairweather (father)",
        "responsible_parent": "Hannah Fairweather (mother) and Owen Fairweather (father)",
        "court_orders": "None known",
        "school": "Larkspur Primary School",
        "period_from": "5 October 2026", "period_to": "9 October 2026",
        "headteacher": "Mrs Joanna Whitlock", "signed": "", "date": "16 October 2026",
        "authorised_by_pno": "",
        # Nothing attached to the case: no box is ticked (issue 11: ticked only for what goes with it).
        "attach_certificate": "/Off", "attach_leave_request": "/Off", "attach_refusal_letter": "/Off",
        "attach_holiday_letter": "/Off",
    }


def test_dorset_holiday_separated_parents(case, pdf_fields):
    values = pdf_fields(fill(case("dorset-holiday-separated"), "dorset-holiday").content)
    assert values["pupil_name"] == "Siân O'Connor-Hughes"
    assert values["pupil_address"] == "9 Willow Row\nCharminster\nDorchester\nDT2 9RE"
    assert values["pupil_dob_gender"] == "14 February 2017 / Female"
    assert values["parent1_address"] == values["pupil_address"]
    assert values["parent2_address"] == "Flat 4, 22 South Street\nDorchester\nDT1 1DE"
    assert values["parent2_phone"] == "Not available"
    assert values["lives_with"] == "Niamh O'Connor (mother)"
    assert values["school_contact"] == "Mrs Anita Desai, 01632 960200"
    assert values["date"] == "16 November 2026"


def test_dorset_warning_inset_days_and_social_worker(case, pdf_fields):
    values = pdf_fields(fill(case("dorset-warning-irregular"), "dorset-warning").content)
    assert values["pupil_name"] == "Callum Ó Briain"
    assert values["inset_days"] == "27 November 2026, 4 January 2027"
    assert values["social_worker"] == "Ms Jo Pemberton, Dorset Children's Services, 01632 960999"
    assert values["parent2_name"] == "None recorded"
    assert values["other_information"] == "Frequent late arrival after the register closes (U)."


def test_flattened_form_has_no_fields_and_shows_the_text(case, pdf_text):
    content = fill(case("wiltshire-holiday"), "pn3", flatten=True).content
    reader = PdfReader(io.BytesIO(content))
    assert not reader.get_fields()
    assert "/AcroForm" not in reader.root_object
    text = pdf_text(content)
    for expected in ("Zoë Fairweather", "20 November 2018", "Larkspur Primary School", "BA14 9QZ"):
        assert expected in text


def _ink(ppm: bytes, box: tuple[int, int, int, int]) -> int:
    """Count dark pixels of a binary PPM (P6) inside a box (x0, y0, x1, y1) in pixels."""
    _, width, _, _, data = ppm.split(maxsplit=4)
    width = int(width)
    x0, y0, x1, y1 = box
    dark = 0
    for y in range(y0, y1):
        row = data[(y * width + x0) * 3 : (y * width + x1) * 3]
        dark += sum(1 for i in range(0, len(row), 3) if row[i] < 100)
    return dark


@pytest.mark.parametrize("flatten", [False, True])
def test_values_are_visible_when_rendered_by_poppler(case, flatten):
    content = fill(case("wiltshire-holiday"), "pn3", flatten=flatten).content
    blank = (ROOT / "templates" / "pdf" / "pn3.pdf").read_bytes()
    reader = PdfReader(io.BytesIO(blank))
    rect = next(a.get_object()["/Rect"] for a in reader.pages[0]["/Annots"]
                if a.get_object().get("/T") == "pupil1_name")
    height = float(reader.pages[0].mediabox.height)
    # At 72 dpi one pixel is one point; PDF y grows upwards, image rows downwards.
    box = (int(rect[0]), int(height - rect[3]), int(rect[2]), int(height - rect[1]))

    def render(pdf: bytes) -> bytes:
        return subprocess.run(["pdftoppm", "-r", "72", "-f", "1", "-l", "1"], input=pdf,
                              capture_output=True, check=True).stdout

    assert _ink(render(blank), box) < 5
    assert _ink(render(content), box) > 50  # the name's strokes are on the page


def test_three_siblings_fill_two_sheets_none_dropped(case, pdf_text):
    data = case("wiltshire-holiday")
    third = json.loads(json.dumps(data["pupils"][1]))
    third.update(forename="Ffion", upn="X865204225013", date_of_birth="2019-01-15")
    data["pupils"].append(third)
    content = fill(data, "pn3").content
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 2
    text = pdf_text(content)
    for name in ("Zoë Fairweather", "Alfie Fairweather", "Ffion Fairweather", "1 of 2", "2 of 2"):
        assert name in text


def test_same_case_gives_the_same_bytes_in_two_processes(case):
    script = ("import json,sys,hashlib; from service.documents import produce; from service.engines import Engines;"
              "d=json.load(open('examples/wiltshire-holiday.json'));"
              "print(hashlib.sha256(produce('pn3', d, Engines()).content).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip() for _ in range(2)}
    local = hashlib.sha256(fill(case("wiltshire-holiday"), "pn3").content).hexdigest()
    assert digests == {local}


def test_long_address_line_is_fitted_or_refused_with_its_path(case, pdf_fields):
    data = case("dorset-holiday-separated")
    data["parents"][1]["address"]["line1"] = "Flat 4, " + "Very Long Building Name " * 8
    with pytest.raises(CannotProduce) as info:
        fill(data, "dorset-holiday")
    errors = [(e.path, e.code) for e in info.value.report.errors]
    assert errors == [("parents[1].address", "value_does_not_fit")]
    data["parents"][1]["address"]["line1"] = "Flat 4, The Old Granary, 22 South Street West"
    assert pdf_fields(fill(data, "dorset-holiday").content)["parent2_address"].startswith("Flat 4, The Old Granary")


def test_over_long_field_in_the_case_is_refused_by_the_schema(case):
    data = case("wiltshire-holiday")
    data["pupils"][0]["address"]["line1"] = "x" * 300
    with pytest.raises(CannotProduce) as info:
        fill(data, "pn3")
    assert [(e.path, e.code) for e in info.value.report.errors] == [("pupils[0].address.line1", "too_long")]


def test_welsh_letters_and_characters_outside_the_font(case, pdf_fields):
    data = case("dorset-warning-irregular")
    data["other_information"] = "Tŷ Gwyn; ŵyr; Łukasz; “quoted” – dash"
    assert pdf_fields(fill(data, "dorset-warning").content)["other_information"] == data["other_information"]
    data["other_information"] = "Emoji 😀 cannot be drawn"
    with pytest.raises(CannotProduce) as info:
        fill(data, "dorset-warning")
    error = info.value.report.errors[0]
    assert (error.path, error.code) == ("other_information", "invalid_characters")
    assert "U+1F600" in error.message
