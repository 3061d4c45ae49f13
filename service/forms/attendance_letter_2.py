"""Second attendance letter: the attendance percentage and an invitation to an attendance meeting (App. 4)."""

from __future__ import annotations

from typing import Any

from service import needs
from service.forms import Letter
from service.forms import LetterInput
from service.forms._letters import base
from service.forms._letters import previous_letter
from service.forms._letters import recipients
from service.forms._letters import record
from service.text import long_date


def context(inp: LetterInput) -> dict[str, Any]:
    """Return the letter's context."""
    ctx = base(inp)
    ctx["record"] = record(inp.case)
    # "further to my previous letter dated …": the first letter sent to this household for this child.
    sent = previous_letter(inp.case, "attendance-letter-1", recipients(inp))
    ctx["en"]["previous_letter"] = long_date(sent) if sent else ""
    ctx["cy"]["previous_letter"] = long_date(sent, "cy") if sent else ""
    return ctx


DOCUMENT = Letter(
    id="attendance-letter-2",
    title="Second attendance letter, inviting to an attendance meeting",
    outputs=("docx", "pdf"),
    needs=(needs.ATTENDANCE,),
    template="attendance-letter-2.docx",
    context=context,
    per_pupil=True,
)
