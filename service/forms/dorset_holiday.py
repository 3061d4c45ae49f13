"""Dorset: school attendance request for penalty notice – holiday (seed 004 App. 7)."""

from __future__ import annotations

from service import needs
from service.forms import PdfForm
from service.forms import Requirement
from service.forms import Sheet
from service.forms import Value
from service.forms import _council
from service.forms._common import address_lines
from service.forms._common import dob_gender
from service.forms._common import lives_with
from service.forms._common import other_information
from service.forms._common import parent_values
from service.forms._common import school_contact
from service.text import long_date


def fields(sheet: Sheet) -> dict[str, Value]:
    """Map a case to the Dorset holiday request: one pupil a request, both parents' addresses."""
    case = sheet.case
    n, pupil = sheet.pupils[0]
    values = {
        "date": Value(long_date(sheet.today), "letter_date"),
        "school": Value(case.school.name, "school.name"),
        "pupil_name": Value(pupil.full_name, f"pupils[{n}].surname"),
        "pupil_address": Value(address_lines(pupil.address), f"pupils[{n}].address"),
        "pupil_dob_gender": Value(dob_gender(pupil), f"pupils[{n}].date_of_birth"),
        "lives_with": Value(lives_with(case, pupil), f"pupils[{n}].lives_with"),
        "school_contact": Value(school_contact(case), "school.contact_name"),
        "other_information": Value(
            other_information(case, sheet.decisions, sheet.pupils), "other_information"
        ),
        "parent2_name": Value("None recorded", "parents"),
    }
    facts = _council.with_checklist(sheet.council) | {
        "deadline": Value(_council.deadline(sheet.council, "holiday"), _council.PATH),
        "submit_to": Value(_council.email_request(sheet.council), _council.PATH),
    }
    return values | parent_values(case, sheet.pupils[0], phone=True) | facts


DOCUMENT = PdfForm(
    id="dorset-holiday",
    title="School attendance request for penalty notice – holiday",
    outputs=("pdf",),
    needs=(needs.PENALTY_NOTICE, needs.HOLIDAY),
    # "WE WILL ONLY PROCEED IF WE HAVE THESE DOCUMENTS" (App. 7).
    attachments=(
        Requirement(
            "attendance_certificate",
            "Current attendance certificate (mandatory)",
            ("attendance_certificate",),
        ),
        Requirement(
            "leave_request_form",
            "Holiday request form, if completed by parent(s)",
            ("leave_request_form",),
            when="leave_requested",
        ),
        Requirement(
            "refusal_letter",
            "Communication from school to parent(s) advising holiday not authorised",
            ("refusal_letter", "holiday_letter"),
        ),
    ),
    template="dorset-holiday.pdf",
    fields=fields,
    pupils_per_sheet=1,  # "If sending in multiple requests, … separated and named accordingly"
)
