"""The PDF filler: real-world forms from ../shared/realdata/pdf-forms, then focused tests on a neutral template.

Each real form has every fillable field filled (text cut to /MaxLen, checkboxes on, radio groups on their
last option), read back with pypdf, then flattened and read with pdftotext.
"""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from service.engines.pdf_filler import MIN_SIZE
from service.engines.pdf_filler import PADDING
from service.engines.pdf_filler import Field
from service.engines.pdf_filler import FieldDoesNotFit
from service.engines.pdf_filler import PdfFiller
from service.engines.pdf_filler import UnknownField
from service.engines.pdf_filler import UnsupportedTemplate
from service.engines.pdf_filler import appearance
from service.engines.pdf_filler import layout

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
REAL_FORMS = SHARED / "realdata" / "pdf-forms"
FILLER = PdfFiller()
TEXT_SAMPLE = 12  # flattened text fields looked for in pdftotext's output, per form


def _real_forms() -> list[Any]:
    if not REAL_FORMS.is_dir():
        reason = f"{REAL_FORMS} is not beside this checkout (the real-world forms live in ../shared)"
        return [pytest.param(None, id="realdata-absent", marks=pytest.mark.skip(reason=reason))]
    return [pytest.param(p, id=str(p.relative_to(REAL_FORMS))) for p in sorted(REAL_FORMS.rglob("*.pdf"))]


def _real(name: str) -> Path:
    path = REAL_FORMS / name
    if not path.is_file():
        pytest.skip(f"{path} is not beside this checkout (the real-world forms live in ../shared)")
    return path


def _fits(text: str, fld: Field) -> bool:
    try:
        for widget in fld.widgets:
            layout(text, fld, widget, FILLER.font)
    except FieldDoesNotFit:
        return False
    return True


def _text_value(fld: Field, index: int) -> str | None:
    """Return a value unique to the field when its box takes one, else "Zoë", cut to /MaxLen."""
    for candidate in (f"Zoë{index:04d}", "Zoë"):
        text = candidate[: fld.max_len] if fld.max_len is not None else candidate
        if _fits(text, fld):
            return text
    return None


def _values(fields: dict[str, Field]) -> tuple[dict[str, str | bool], list[Field]]:
    """Return a value for every fillable field, and the text fields whose box takes no text at all."""
    values: dict[str, str | bool] = {}
    refused = []
    for index, (name, fld) in enumerate(fields.items()):
        if fld.kind == "checkbox":
            values[name] = True
        elif fld.kind == "radio":
            values[name] = fld.options[-1]
        elif (text := _text_value(fld, index)) is not None:
            values[name] = text
        else:
            refused.append(fld)
    return values, refused


def _expected(fields: dict[str, Field], values: dict[str, str | bool]) -> dict[str, str]:
    return {name: fields[name].on_state if value is True else str(value) for name, value in values.items()}


def _qualified(obj: Any) -> str:
    names = []
    while obj is not None:
        if "/T" in obj:
            names.append(str(obj["/T"]))
        obj = obj["/Parent"].get_object() if "/Parent" in obj else None
    return ".".join(reversed(names))


def _read_back(pdf: bytes) -> dict[str, Any]:
    """Return each field's /V as pypdf reads it, keyed by the /T path (pypdf keys by /TM when present)."""
    found = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    objects = [(f.indirect_reference.get_object(), f.get("/V")) for f in found.values()]
    return {_qualified(obj): value for obj, value in objects if "/T" in obj}


def _pdftotext(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    run = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return run.stdout.decode("utf-8")


def _shown_as_text(fields: dict[str, Field], values: dict[str, str | bool]) -> list[str]:
    """Return a sample of the unique values that pdftotext should find: not combed, not turned."""
    unique = [
        str(value)
        for name, value in values.items()
        if isinstance(value, str)
        and re.fullmatch(r"Zoë\d{4}", value)
        and not fields[name].comb
        and not any(w.matrix for w in fields[name].widgets)
    ]
    step = max(1, len(unique) // TEXT_SAMPLE)
    return unique[::step]


@pytest.mark.parametrize("path", _real_forms())
def test_real_form_is_filled_read_back_and_flattened(path: Path) -> None:
    if PdfReader(path).is_encrypted:
        with pytest.raises(UnsupportedTemplate, match="encrypted templates are not supported"):
            FILLER.fields(path)
        return
    fields = FILLER.fields(path)
    values, refused = _values(fields)
    # Only a box lower than the smallest text plus its padding takes no text: refused, never truncated.
    assert all(min(w.height for w in f.widgets) < MIN_SIZE + 2 * PADDING for f in refused), refused
    read = _read_back(FILLER.fill(path, values))
    assert {name: read.get(name) for name in values} == _expected(fields, values)

    flat = FILLER.fill(path, values, flatten=True)
    reader = PdfReader(io.BytesIO(flat))
    assert not reader.get_fields()
    assert "/AcroForm" not in reader.root_object
    widgets = [
        a for p in reader.pages for a in p.get("/Annots", []) if a.get_object()["/Subtype"] == "/Widget"
    ]
    assert widgets == []
    text = _pdftotext(flat)
    missing = [value for value in _shown_as_text(fields, values) if value not in text]
    assert missing == []


def test_encrypted_form_is_refused_clearly() -> None:
    with pytest.raises(UnsupportedTemplate, match=r"encrypted templates are not supported: 437\.pdf"):
        FILLER.fill(_real("pypdfform/437.pdf"), {})


def test_checkbox_states_with_spaces_and_non_ascii_are_escaped_names() -> None:
    path = _real("hmcts/N244-application-notice-2024.pdf")
    fields = FILLER.fields(path)
    spaced = [n for n, f in fields.items() if f.kind == "checkbox" and " " in f.on_state]
    non_ascii = [n for n, f in fields.items() if f.kind == "checkbox" and not f.on_state.isascii()]
    assert spaced and non_ascii
    filled = FILLER.fill(path, dict.fromkeys(spaced + non_ascii, True))
    assert b"/Legal#20Representative" in filled
    read = _read_back(filled)
    assert all(read[name] == fields[name].on_state for name in spaced + non_ascii)


def test_radio_group_takes_one_of_its_options_only() -> None:
    path = _real("pypdf/FormTestFromOo.pdf")
    radio = FILLER.fields(path)["RadioGroup1"]
    assert radio.kind == "radio" and radio.options == ("/1", "/2", "/3")
    assert _read_back(FILLER.fill(path, {"RadioGroup1": "2"}))["RadioGroup1"] == "/2"
    assert _read_back(FILLER.fill(path, {"RadioGroup1": ""}))["RadioGroup1"] == "/Off"
    with pytest.raises(FieldDoesNotFit, match="not one of its options"):
        FILLER.fill(path, {"RadioGroup1": "4"})


def test_form_with_nothing_to_fill_is_returned_whole() -> None:
    path = _real("pypdfform/pdfgear.pdf")
    assert FILLER.fields(path) == {}
    assert PdfReader(io.BytesIO(FILLER.fill(path, {}))).pages


# A neutral template ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A form of no council's: the boxes our forms use (a 232 x 18 pt line, a 232 x 40 pt multiline box at
    10 pt, a 12 pt tick box), drawn with reportlab, so that the filler is tested as it knows forms: by field."""
    from reportlab.pdfgen import canvas

    path = tmp_path_factory.mktemp("template") / "neutral.pdf"
    pdf = canvas.Canvas(str(path), invariant=1)
    form = pdf.acroForm
    for name, y in (("pupil_name", 740), ("parent_name", 710), ("postcode", 680)):
        form.textfield(name=name, x=72, y=y, width=232, height=18, borderWidth=0, fontSize=10)
    form.textfield(name="parent_address", x=72, y=620, width=232, height=40, fieldFlags="multiline",
                   borderWidth=0, fontSize=10)
    form.checkbox(name="enclosed", x=72, y=590, size=12)
    pdf.showPage()
    pdf.save()
    return path


def _field(template: Path, name: str) -> Field:
    return FILLER.fields(template)[name]


def _longest_fitting(fld: Field, size: float) -> str:
    """Return a run of words as long as fits the field's first widget at `size` points."""
    room = fld.widgets[0].width - 2 * PADDING
    text = "Zoë"
    while FILLER.font.width(text + " Fairweather", size) <= room:
        text += " Fairweather"
    return text


def test_layout_shrinks_a_long_single_line_value(template: Path) -> None:
    fld = _field(template, "pupil_name")
    text = _longest_fitting(fld, 8)
    size, lines = layout(text, fld, fld.widgets[0], FILLER.font)
    assert 8 <= size < 10
    assert lines == [text]


def test_layout_wraps_a_multiline_value(template: Path) -> None:
    fld = _field(template, "parent_address")
    assert fld.multiline
    text = "3 Meadow Close, Hilperton Road, Larkspur Green, Trowbridge, England"
    size, lines = layout(text, fld, fld.widgets[0], FILLER.font)
    assert len(lines) > 1
    assert " ".join(lines) == text
    assert all(FILLER.font.width(line, size) <= fld.widgets[0].width - 2 * PADDING for line in lines)


def test_layout_refuses_a_value_too_long_even_at_the_smallest_size(template: Path) -> None:
    fld = _field(template, "pupil_name")
    with pytest.raises(FieldDoesNotFit, match="too long to show in full even at 7 pt") as info:
        layout(_longest_fitting(fld, MIN_SIZE) + " Fairweather", fld, fld.widgets[0], FILLER.font)
    assert info.value.field_name == "pupil_name"


def test_layout_refuses_a_character_outside_the_font(template: Path) -> None:
    fld = _field(template, "pupil_name")
    with pytest.raises(FieldDoesNotFit, match="U\\+1F600"):
        layout("Zoë 😀", fld, fld.widgets[0], FILLER.font)


def test_layout_refuses_more_characters_than_max_len(template: Path) -> None:
    fld = dataclasses.replace(_field(template, "pupil_name"), max_len=3)
    with pytest.raises(FieldDoesNotFit, match="4 characters; the field holds 3"):
        layout("Zoës", fld, fld.widgets[0], FILLER.font)


def _text_x(content: bytes) -> list[float]:
    """Return where each run of text starts (Td or Tm x) in an appearance stream."""
    return [float(x) for x in re.findall(rb"([\d.]+) [\d.]+ (?:Td|Tm)", content)]


def test_comb_draws_each_character_centred_in_its_cell(template: Path) -> None:
    fld = dataclasses.replace(_field(template, "postcode"), comb=True, max_len=4)
    widget = fld.widgets[0]
    size, lines = layout("BA14", fld, widget, FILLER.font)
    xs = _text_x(appearance(fld, widget, size, lines, FILLER.font))
    cell = widget.width / 4
    centres = [x + FILLER.font.width(c, size) / 2 for x, c in zip(xs, "BA14", strict=True)]
    assert centres == pytest.approx([cell * (i + 0.5) for i in range(4)], abs=0.01)


@pytest.mark.parametrize(("quadding", "where"), [(0, 0.0), (1, 0.5), (2, 1.0)])
def test_single_line_text_honours_quadding(template: Path, quadding: int, where: float) -> None:
    fld = dataclasses.replace(_field(template, "postcode"), quadding=quadding)
    widget = fld.widgets[0]
    size, lines = layout("BA14 9QZ", fld, widget, FILLER.font)
    (x,) = _text_x(appearance(fld, widget, size, lines, FILLER.font))
    free = widget.width - 2 * PADDING - FILLER.font.width("BA14 9QZ", size)
    assert x == pytest.approx(PADDING + free * where, abs=0.01)


def test_unknown_field_names_are_refused(template: Path) -> None:
    with pytest.raises(UnknownField, match="no_such_field"):
        FILLER.fill(template, {"pupil_name": "Zoë Fairweather", "no_such_field": "x"})


@pytest.mark.parametrize("flatten", [False, True])
def test_the_same_values_give_the_same_bytes(template: Path, flatten: bool) -> None:
    values = {
        "pupil_name": "Zoë Fairweather",
        "parent_address": "3 Meadow Close\nTrowbridge",
        "enclosed": True,
    }
    assert FILLER.fill(template, values, flatten) == FILLER.fill(template, dict(values), flatten)


def test_fill_reads_back_and_nothing_filled_is_the_prepared_template(template: Path, pdf_fields) -> None:
    read = pdf_fields(FILLER.fill(template, {"pupil_name": "Zoë Fairweather", "enclosed": True}))
    assert (read["pupil_name"], read["enclosed"]) == ("Zoë Fairweather", "/Yes")
    assert PdfReader(io.BytesIO(FILLER.fill(template, {}))).get_fields()


def test_the_update_written_is_the_fill(template: Path):
    # bench/ times update(...).write() alone as the floor of a fill: it must be the very same bytes.
    values = {"parent_name": "Siân O'Connor-Hughes", "parent_address": "Tŷ Gwyn\n5 Heol y Bont"}
    for flatten in (False, True):
        assert FILLER.update(template, values, flatten).write() == FILLER.fill(template, values, flatten)


def test_a_character_the_font_cannot_draw_is_refused_not_dropped(template: Path):
    fld = FILLER.fields(template)["parent_name"]
    with pytest.raises(FieldDoesNotFit, match=re.escape("U+4E2D")):
        layout("Li 中", fld, fld.widgets[0], FILLER.font)
    with pytest.raises(KeyError):
        FILLER.font.encode("中")
    assert FILLER.font.encode("Ab") == FILLER.font.encode("A")[:-1] + FILLER.font.encode("b")[1:]
