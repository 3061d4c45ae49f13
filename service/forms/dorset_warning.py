"""Dorset: school attendance request for penalty notice warning (seed 004 App. 8)."""

from service.forms import Document
from service.forms import Requirement

DOCUMENT = Document(
    id="dorset-warning",
    title="School attendance request for penalty notice warning",
    outputs=("pdf",),
    needs=("notice_to_improve", "irregular"),
    # "Please email this form with a up to date Attendance Certificate attached" (App. 8).
    attachments=(
        Requirement("attendance_certificate", "Up-to-date attendance certificate",
                    ("attendance_certificate",)),
    ),
    available=False,
)
