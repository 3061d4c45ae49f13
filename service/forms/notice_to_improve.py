"""Notice to improve school attendance."""

from service.forms import Document

DOCUMENT = Document(
    id="notice-to-improve",
    title="Notice to improve school attendance",
    outputs=(
        "docx",
        "pdf",
    ),
    needs=("notice_to_improve", "irregular"),
    available=False,
)
