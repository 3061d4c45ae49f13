"""Wiltshire PN3: school notification of unauthorised leave of absence (seed 004 App. 11)."""

from service.forms import Document
from service.forms import Requirement

DOCUMENT = Document(
    id="pn3",
    title="School notification of unauthorised leave of absence (PN3)",
    outputs=("pdf",),
    needs=("penalty_notice", "holiday"),
    # "PLEASE ATTACH COPIES OF … NOTIFICATIONS CANNOT BE PROCESSED WITHOUT THESE" (App. 11).
    attachments=(
        Requirement("attendance_certificate", "1. Attendance certificate showing unauthorised "
                    "absence", ("attendance_certificate",)),
        Requirement("leave_request_form", "2. Leave of Absence Request Form",
                    ("leave_request_form",), when="leave_requested"),
        Requirement("refusal_letter", "3. Letter to parent stating that the absence has not been "
                    "authorised", ("refusal_letter",), when="leave_requested"),
        Requirement("holiday_letter", "4. Where parents have not applied for Leave of Absence in "
                    "advance, a letter stating that the absence has not been authorised as it is "
                    "believed that the child was on holiday", ("holiday_letter",),
                    when="leave_not_requested"),
    ),
    available=False,
)
