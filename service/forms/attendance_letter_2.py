"""Second attendance letter: the attendance percentage and an invitation to an attendance meeting (App. 4)."""

from __future__ import annotations

from typing import Any

from service.forms import Letter
from service.forms import LetterInput
from service.forms._letters import base
from service.forms._letters import record


def context(inp: LetterInput) -> dict[str, Any]:
    """Return the letter's context."""
    ctx = base(inp)
    ctx["record"] = record(inp.case)
    return ctx


DOCUMENT = Letter(
    id="attendance-letter-2",
    title="Second attendance letter, inviting to an attendance meeting",
    outputs=("docx", "pdf"),
    needs=("attendance",),
    template="attendance-letter-2.docx",
    context=context,
    per_pupil=True,
)
