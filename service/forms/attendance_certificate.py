"""Attendance certificate built from the register."""

from service.forms import Document

DOCUMENT = Document(
    id="attendance-certificate",
    title="Attendance certificate built from the register",
    outputs=("pdf",),
    needs=("marks",),
    available=False,
)
