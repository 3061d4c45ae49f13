"""Wiltshire's own form, the PN3: its fields filled from the Wiltshire example, two pupils a sheet."""

from __future__ import annotations

import io
import json

from pypdf import PdfReader

from service.documents import produce
from service.engines import Engines

ENGINES = Engines()


def fill(data, flatten=False):
    return produce("pn3", data, ENGINES, "pdf", flatten)


def test_pn3_fields_from_the_wiltshire_example(case, pdf_fields):
    rendered = fill(case("wiltshire-holiday"))
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


def test_three_siblings_fill_two_sheets_none_dropped(case, pdf_text):
    # The PN3 has room for two pupils: a third goes on a second sheet, numbered.
    data = case("wiltshire-holiday")
    third = json.loads(json.dumps(data["pupils"][1]))
    third.update(forename="Ffion", upn="X865204225013", date_of_birth="2019-01-15")
    data["pupils"].append(third)
    content = fill(data).content
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 2
    text = pdf_text(content)
    for name in ("Zoë Fairweather", "Alfie Fairweather", "Ffion Fairweather", "1 of 2", "2 of 2"):
        assert name in text
