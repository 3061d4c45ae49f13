"""Dorset's own forms, the holiday and the warning requests: their fields filled from the Dorset examples,
and what fits in their boxes."""

from __future__ import annotations

import pytest

from service.documents import produce
from service.engines import Engines
from service.problems import CannotProduce

ENGINES = Engines()


def fill(data, document_id):
    return produce(document_id, data, ENGINES, "pdf")


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


def test_long_address_line_is_fitted_or_refused_with_its_path(case, pdf_fields):
    # The holiday form's address box holds a few lines: a longer one is refused, naming the parent's address.
    data = case("dorset-holiday-separated")
    data["parents"][1]["address"]["line1"] = "Flat 4, " + "Very Long Building Name " * 8
    with pytest.raises(CannotProduce) as info:
        fill(data, "dorset-holiday")
    errors = [(e.path, e.code) for e in info.value.report.errors]
    assert errors == [("parents[1].address", "value_does_not_fit")]
    data["parents"][1]["address"]["line1"] = "Flat 4, The Old Granary, 22 South Street West"
    assert pdf_fields(fill(data, "dorset-holiday").content)["parent2_address"].startswith("Flat 4, The Old Granary")
