"""Dorset: school attendance request for penalty notice warning (seed 004 App. 8)."""

from __future__ import annotations

from service import needs
from service.forms import PdfForm
from service.forms import Requirement
from service.forms import Sheet
from service.forms import Value
from service.forms import _council
from service.forms._common import parent_values
from service.forms._common import school_contact
from service.text import long_date


def fields(sheet: Sheet) -> dict[str, Value]:
    """Map a case to the Dorset warning request: inset days to come and the social worker."""
    case = sheet.case
    n, pupil = sheet.pupils[0]
    inset = [long_date(d) for d in sorted(case.school.upcoming_inset_days) if d >= sheet.today]
    values = {
        "date": Value(long_date(sheet.today), "letter_date"),
        "school": Value(case.school.name, "school.name"),
        "pupil_name": Value(pupil.full_name, f"pupils[{n}].surname"),
        "pupil_dob": Value(long_date(pupil.date_of_birth), f"pupils[{n}].date_of_birth"),
        "school_contact": Value(school_contact(case), "school.contact_name"),
        "inset_days": Value(", ".join(inset) or "None planned", "school.upcoming_inset_days"),
        "social_worker": Value(pupil.social_worker or "None", f"pupils[{n}].social_worker"),
        "other_information": Value(case.other_information or "None", "other_information"),
        "parent2_name": Value("None recorded", "parents"),
    }
    facts = _council.with_checklist(sheet.council) | {
        "submit_to": Value(_council.email_form(sheet.council), _council.PATH),
    }
    return values | parent_values(case, sheet.pupils[0]) | facts


DOCUMENT = PdfForm(
    id="dorset-warning",
    title="School attendance request for penalty notice warning",
    outputs=("pdf",),
    needs=(needs.NOTICE_TO_IMPROVE, needs.IRREGULAR),
    # "Please email this form with a up to date Attendance Certificate attached" (App. 8).
    attachments=(
        Requirement(
            "attendance_certificate", "Up-to-date attendance certificate", ("attendance_certificate",)
        ),
    ),
    template="dorset-warning.pdf",
    fields=fields,
    pupils_per_sheet=1,
)
