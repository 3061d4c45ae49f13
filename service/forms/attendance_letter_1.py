"""First attendance concern letter, with a chart."""

from service.forms import Document

DOCUMENT = Document(
    id="attendance-letter-1",
    title="First attendance concern letter, with a chart",
    outputs=(
        "docx",
        "pdf",
    ),
    available=False,
)
