"""Dorset: school attendance request for penalty notice – holiday (seed 004 App. 7)."""

from service.forms import Document
from service.forms import Requirement

DOCUMENT = Document(
    id="dorset-holiday",
    title="School attendance request for penalty notice – holiday",
    outputs=("pdf",),
    needs=("penalty_notice", "holiday"),
    # "WE WILL ONLY PROCEED IF WE HAVE THESE DOCUMENTS" (App. 7).
    attachments=(
        Requirement("attendance_certificate", "Current attendance certificate (mandatory)",
                    ("attendance_certificate",)),
        Requirement("leave_request_form", "Holiday request form, if completed by parent(s)",
                    ("leave_request_form",), when="leave_requested"),
        Requirement("refusal_letter", "Communication from school to parent(s) advising holiday "
                    "not authorised", ("refusal_letter", "holiday_letter")),
    ),
    available=False,
)
