"""First attendance concern letter, with the chart of sessions missed beside the class average (App. 4)."""

from __future__ import annotations

from typing import Any

from service import needs
from service.charts import sessions_missed
from service.engines.docx_renderer import Image
from service.forms import Letter
from service.forms import LetterInput
from service.forms._letters import base
from service.forms._letters import record


def context(inp: LetterInput) -> dict[str, Any]:
    """Return the letter's context, with the chart drawn for each language the letter prints."""
    ctx = base(inp)
    ctx["record"] = record(inp.case)
    average = inp.case.attendance.class_average_sessions_missed
    ctx["missed"] = ctx["record"]["missed"]
    ctx["class_average"] = f"{average:g}"
    first = inp.case.pupils[0].forename
    ctx["en"]["chart"] = Image(
        sessions_missed(first, ctx["missed"], "Class average", average, "Sessions missed this school year"),
        120,
    )
    # The Welsh chart only for a letter that prints the Welsh (Welsh councils, parents whose language is cy).
    ctx["cy"]["chart"] = (
        Image(
            sessions_missed(
                first, ctx["missed"], "Cyfartaledd y dosbarth", average, "Sesiynau a gollwyd eleni"
            ),
            120,
        )
        if ctx["welsh"]
        else None
    )
    return ctx


DOCUMENT = Letter(
    id="attendance-letter-1",
    title="First attendance concern letter, with a chart",
    outputs=("docx", "pdf"),
    needs=(needs.ATTENDANCE, needs.CLASS_AVERAGE),
    template="attendance-letter-1.docx",
    context=context,
    per_pupil=True,
)
