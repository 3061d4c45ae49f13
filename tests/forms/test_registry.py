"""Contract tests over every document: templates exist, every field written exists, ids are unique."""

from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader

from service import councils
from service import forms
from service.case.schema import load_case
from service.documents import sheets
from service.validation import validate
from tests.conftest import example_names
from tests.conftest import load_example
from tests.forms.conftest import form_case

PDF_FORMS = [d for d in forms.all() if isinstance(d, forms.PdfForm)]


@pytest.mark.parametrize("form", PDF_FORMS, ids=lambda d: d.id)
def test_template_exists_and_every_written_field_is_in_it(form):
    assert form.template_path.is_file(), f"add templates/pdf/{form.template}"
    template_fields = set(PdfReader(form.template_path).get_fields())
    for name in example_names():
        data = load_example(name)
        report, case = validate(data, form.id)
        if not report.valid or not councils.for_case(case).accepts(form.id):
            continue
        for sheet in sheets(form, case, report, date(2026, 11, 16)):
            written = set(form.fields(sheet))
            assert written <= template_fields, f"{form.id} writes {written - template_fields}: add them"


@pytest.mark.parametrize("form", PDF_FORMS, ids=lambda d: d.id)
def test_every_value_path_names_case_data(form):
    data = form_case(form.id)
    report, case = validate(data, form.id)
    assert report.valid, [e.code for e in report.errors]
    roots = set(data) | {"letter_date", "attachments"}
    for sheet in sheets(form, case, report, date(2026, 11, 16)):
        for value in form.fields(sheet).values():
            assert value.path.split(".")[0].split("[")[0] in roots, value.path


def test_ids_unique_and_modules_named_after_them():
    ids = [d.id for d in forms.all()]
    assert len(ids) == len(set(ids))


def test_unknown_document_names_the_known():
    with pytest.raises(forms.UnknownDocument) as info:
        forms.get("pn4")
    assert "pn3" in info.value.known


def test_examples_load():
    for name in example_names():
        case, errors = load_case(load_example(name))
        assert case is not None and not errors, (name, errors)
