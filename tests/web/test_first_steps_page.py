"""The report page's next steps say what the council's own file puts before a penalty notice, and only that:
the national framework lent to a file (or to a council with no file) is not the council's word."""

from __future__ import annotations

from tests.conftest import load_example
from tests.web.test_officer_words import outcome_of


def holiday_at(council_id: str) -> dict:
    data = load_example("national-england-holiday")
    data["council"] = council_id
    del data["council_details"]
    return data


# Stockton-on-Tees's own rule (stockton.gov.uk article 6059): a warning letter first for holiday.
def test_stocktons_warning_letter_is_its_next_step(officer, read):
    outcome = outcome_of(read(officer.upload_case(holiday_at("stockton-on-tees"))))
    assert "Stockton-on-Tees Borough Council asks for this first: warning_letter" in outcome


def test_the_national_framework_is_not_put_in_a_councils_mouth(officer, read, family):
    data = family("irregular-one-child")  # a council with no file: England's framework, NTI first
    outcome = outcome_of(read(officer.upload_case(data)))
    assert "asks for this first" not in outcome
