"""Wiltshire PN3: school notification of unauthorised leave of absence (seed 004 App. 11)."""

from __future__ import annotations

from service import needs
from service.forms import PdfForm
from service.forms import Requirement
from service.forms import Sheet
from service.forms import SignatureBox
from service.forms import Value
from service.forms import _council
from service.forms._common import address_lines
from service.forms._common import lives_with
from service.forms._common import parent_values
from service.forms._common import responsible
from service.text import long_date


def fields(sheet: Sheet) -> dict[str, Value]:
    """Map a case to the PN3's fields: two parents, two pupils a sheet, the period and attachments."""
    case = sheet.case
    first = sheet.pupils[0][1]
    values = parent_values(case, sheet.pupils[0], postcode_apart=True)
    for slot, (n, pupil) in enumerate(sheet.pupils, start=1):
        # More pupils than rows: each says which of the family it is (the rows are not numbered).
        several = f" (pupil {n + 1} of {len(case.pupils)})" if len(case.pupils) > 2 else ""
        values[f"pupil{slot}_name"] = Value(pupil.full_name + several, f"pupils[{n}].surname")
        values[f"pupil{slot}_dob"] = Value(long_date(pupil.date_of_birth), f"pupils[{n}].date_of_birth")
    n0 = sheet.pupils[0][0]
    # "PLEASE ATTACH COPIES OF": a box is ticked only for what goes with the form (the attachments sent,
    # and the certificate the service draws from the marks), never for what the case says was sent.
    held = {a.kind for a in case.attachments}
    if case.attendance and case.attendance.marks:
        held.add("attendance_certificate")
    values |= {
        "pupils_address": Value(address_lines(first.address, with_postcode=False), f"pupils[{n0}].address"),
        "pupils_postcode": Value(first.address.postcode, f"pupils[{n0}].address.postcode"),
        "lives_with": Value(lives_with(case, first), f"pupils[{n0}].lives_with"),
        "responsible_parent": Value(responsible(case), "absence.responsible_parent_ids"),
        "court_orders": Value(
            "Yes: see the school's covering note"
            if case.court_orders_restricting_information
            else "None known",
            "court_orders_restricting_information",
        ),
        "school": Value(case.school.name, "school.name"),
        "period_from": Value(long_date(case.absence.start_date), "absence.start_date"),
        "period_to": Value(long_date(case.absence.end_date), "absence.end_date"),
        "headteacher": Value(case.school.headteacher, "school.headteacher"),
        "date": Value(long_date(sheet.today), "letter_date"),
        "sheet": Value(f"{sheet.number} of {sheet.count}", "pupils"),
        "attach_certificate": Value("attendance_certificate" in held, "attachments"),
        "attach_leave_request": Value("leave_request_form" in held, "attachments"),
        "attach_refusal_letter": Value("refusal_letter" in held, "attachments"),
        "attach_holiday_letter": Value("holiday_letter" in held, "attachments"),
    }
    return values | _council.heading(sheet.council)


DOCUMENT = PdfForm(
    id="pn3",
    title="School notification of unauthorised leave of absence (PN3)",
    outputs=("pdf",),
    needs=(needs.PENALTY_NOTICE, needs.HOLIDAY),
    # "PLEASE ATTACH COPIES OF … NOTIFICATIONS CANNOT BE PROCESSED WITHOUT THESE" (App. 11).
    attachments=(
        Requirement(
            "attendance_certificate",
            "1. Attendance certificate showing unauthorised absence",
            ("attendance_certificate",),
        ),
        Requirement(
            "leave_request_form",
            "2. Leave of Absence Request Form",
            ("leave_request_form",),
            when="leave_requested",
        ),
        Requirement(
            "refusal_letter",
            "3. Letter to parent stating that the absence has not been authorised",
            ("refusal_letter",),
            when="leave_requested",
        ),
        Requirement(
            "holiday_letter",
            "4. Where parents have not applied for Leave of Absence in "
            "advance, a letter stating that the absence has not been authorised as it is "
            "believed that the child was on holiday",
            ("holiday_letter",),
            when="leave_not_requested",
        ),
    ),
    template="pn3.pdf",
    fields=fields,
    pupils_per_sheet=2,
    signature=SignatureBox(field="signed"),  # "SIGNED:" beside the headteacher and the date
)
