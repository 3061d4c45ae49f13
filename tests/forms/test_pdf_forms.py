"""Every PDF form, filled from a family at a council that takes it (tests/forms/conftest.py), read back with
pypdf and rendered with pdftoppm: flattening, what shows on the page, stable bytes, refusals. A council's
own form's fields are tested in a module named for that council."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys

import pytest
from pypdf import PdfReader

from service import forms
from service.case.schema import load_case
from service.documents import produce
from service.engines import Engines
from service.problems import CannotProduce
from service.text import long_date
from tests.conftest import ROOT
from tests.forms.conftest import form_case

ENGINES = Engines()
PDF_FORMS = [d for d in forms.all() if isinstance(d, forms.PdfForm)]
form_ids = pytest.mark.parametrize("form", PDF_FORMS, ids=lambda d: d.id)


def fill(data, document_id, flatten=False):
    return produce(document_id, data, ENGINES, "pdf", flatten)


def _printed(data) -> list[str]:
    """Return what every form prints of a case, as the case reads once loaded: each pupil's name and date
    of birth, the school, the pupils' postcode."""
    case, errors = load_case(data)
    assert case is not None, errors
    found = [case.school.name, case.pupils[0].address.postcode]
    for pupil in case.pupils:
        found += [pupil.full_name, long_date(pupil.date_of_birth)]
    return found


@form_ids
def test_flattened_form_has_no_fields_and_shows_the_text(form, pdf_text):
    data = form_case(form.id)
    content = fill(data, form.id, flatten=True).content
    reader = PdfReader(io.BytesIO(content))
    assert not reader.get_fields()
    assert "/AcroForm" not in reader.root_object
    text = pdf_text(content)
    for expected in _printed(data):
        assert expected in text, expected


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


def _name_box(form, values: dict, name: str) -> tuple[int, int, int, int]:
    """Return, in pixels at 72 dpi, the box on page 1 of the blank form of the field that prints the
    pupil's name (the field whose value is the name, or else the shortest that holds it)."""
    reader = PdfReader(form.template_path)
    boxes = {a.get_object().get("/T"): a.get_object()["/Rect"] for a in reader.pages[0]["/Annots"]}
    holding = [f for f, v in values.items() if isinstance(v, str) and name in v and f in boxes]
    assert holding, f"{form.id} prints {name} in no field of page 1"
    rect = boxes[min(holding, key=lambda f: len(values[f]))]
    height = float(reader.pages[0].mediabox.height)
    # At 72 dpi one pixel is one point; PDF y grows upwards, image rows downwards.
    return int(rect[0]), int(height - rect[3]), int(rect[2]), int(height - rect[1])


@form_ids
@pytest.mark.parametrize("flatten", [False, True])
def test_values_are_visible_when_rendered_by_poppler(form, flatten, pdf_fields):
    data = form_case(form.id)
    pupil = data["pupils"][0]
    box = _name_box(form, pdf_fields(fill(data, form.id).content), f"{pupil['forename']} {pupil['surname']}")
    content = fill(data, form.id, flatten=flatten).content

    def render(pdf: bytes) -> bytes:
        return subprocess.run(["pdftoppm", "-r", "72", "-f", "1", "-l", "1"], input=pdf,
                              capture_output=True, check=True).stdout

    assert _ink(render(form.template_path.read_bytes()), box) < 5
    assert _ink(render(content), box) > 50  # the name's strokes are on the page


def test_same_case_gives_the_same_bytes_in_two_processes():
    asked = [(form.id, form_case(form.id)) for form in PDF_FORMS]
    script = ("import json,sys,hashlib; from service.documents import produce; from service.engines import Engines;"
              "e=Engines(); print(json.dumps([hashlib.sha256(produce(f, d, e).content).hexdigest()"
              " for f, d in json.load(sys.stdin)]))")
    digests = [subprocess.run([sys.executable, "-c", script], cwd=ROOT, input=json.dumps(asked), capture_output=True,
                              text=True, check=True).stdout.strip() for _ in range(2)]
    local = [hashlib.sha256(fill(data, form_id).content).hexdigest() for form_id, data in asked]
    assert [json.loads(d) for d in digests] == [local, local]


@form_ids
def test_over_long_field_in_the_case_is_refused_by_the_schema(form):
    data = form_case(form.id)
    data["pupils"][0]["address"]["line1"] = "x" * 300
    with pytest.raises(CannotProduce) as info:
        fill(data, form.id)
    assert [(e.path, e.code) for e in info.value.report.errors] == [("pupils[0].address.line1", "too_long")]


# The forms that print the case's "any other information".
OTHER_INFORMATION = [f for f in PDF_FORMS if "other_information" in PdfReader(f.template_path).get_fields()]


@pytest.mark.parametrize("form", OTHER_INFORMATION, ids=lambda d: d.id)
def test_welsh_letters_and_characters_outside_the_font(form, pdf_fields):
    data = form_case(form.id)
    data["other_information"] = "Tŷ Gwyn; ŵyr; Łukasz; “quoted” – dash"
    # Printed in full and as sent; a form that has no box of its own for the notices asked for adds them after.
    printed = pdf_fields(fill(data, form.id).content)["other_information"]
    assert printed.split("\nPenalty notices: ")[0] == data["other_information"]
    data["other_information"] = "Emoji 😀 cannot be drawn"
    with pytest.raises(CannotProduce) as info:
        fill(data, form.id)
    error = info.value.report.errors[0]
    assert (error.path, error.code) == ("other_information", "invalid_characters")
    assert "U+1F600" in error.message
