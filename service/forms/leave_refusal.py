"""Leave of absence refusal letter."""

from service.forms import Document

DOCUMENT = Document(
    id="leave-refusal",
    title="Leave of absence refusal letter",
    outputs=(
        "docx",
        "pdf",
    ),
    available=False,
)
