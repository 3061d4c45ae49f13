"""Second attendance letter, inviting to an attendance meeting."""

from service.forms import Document

DOCUMENT = Document(
    id="attendance-letter-2",
    title="Second attendance letter, inviting to an attendance meeting",
    outputs=(
        "docx",
        "pdf",
    ),
    available=False,
)
