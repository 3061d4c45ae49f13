"""Leave-of-absence refusal letters, three variants (seed 004 App. 9); Welsh and English for Wales."""

from __future__ import annotations

from typing import Any

from service import needs
from service.forms import Letter
from service.forms import LetterInput
from service.forms._letters import GROUNDS
from service.forms._letters import base
from service.forms._letters import grounds
from service.rules import school_age
from service.rules.leave_refusal import VARIANTS


def context(inp: LetterInput) -> dict[str, Any]:
    """Return the letter's context: the shared parts and the chosen grounds."""
    ctx = base(inp)
    chosen = grounds(inp.case)
    ctx["en"]["grounds"] = [GROUNDS[g][0] for g in chosen]
    ctx["cy"]["grounds"] = [GROUNDS[g][1] for g in chosen]
    ctx["variant"] = inp.variant
    ages = {school_age.status(p.date_of_birth, inp.case.absence.start_date) for p in inp.case.pupils}
    ctx["above_age"] = school_age.ABOVE in ages
    return ctx


DOCUMENT = Letter(
    id="leave-refusal",
    title="Leave of absence refusal letter",
    outputs=("docx", "pdf"),
    needs=(needs.LEAVE_NOT_AUTHORISED,),
    template="leave-refusal-{variant}.docx",
    context=context,
    variants=VARIANTS,
)
