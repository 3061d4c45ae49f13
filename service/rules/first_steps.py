"""What must come before a penalty notice, read from the council's data: one rule for every council.

A council file's `[[first_steps]]` says, per absence type, `notice_to_improve`, `warning_letter` or `none`;
for an absence type it says nothing of, the file has its country's at load (`national-england.toml`: the
national framework, DfE "Working together to improve school attendance" (2024) — a Notice to Improve first
for absence other than holiday, nothing first for holiday; Wales: nothing first). So:

- `notice_to_improve`: that parent, for that child, had a Notice to Improve whose period has ended
  (`previous_notices_to_improve`); without one, `notice_to_improve_first`, unless the school says why
  support is not appropriate (`support_not_appropriate`: then a warning);
- `warning_letter`: that parent was sent a warning letter about that child before today (`previous_letters`,
  document `warning-letter`; Stockton-on-Tees: "a warning letter (holiday, from the headteacher)"); without
  one, `warning_letter_first`;
- `none`: nothing first.
"""

from __future__ import annotations

from datetime import date

from service.case import Case
from service.case import Parent
from service.case import PreviousLetter
from service.case import Pupil
from service.councils import Council
from service.decisions import FirstStepDecision
from service.decisions import PenaltyNoticeDecision
from service.report import Issue

WARNING_LETTER = "warning-letter"  # previous_letters[].document of a penalty-notice warning letter
MISSING = {"notice_to_improve": "notice_to_improve_first", "warning_letter": "warning_letter_first"}


def decide(case: Case, council: Council) -> FirstStepDecision | None:
    """Return what the council's data puts before a penalty notice for this absence, or None."""
    found = next((f for f in council.first_steps if f.absence_type == case.absence.type), None)
    if found is None or found.step == "none":
        return None
    source = council.source_of(found.source)
    cited = f"{source.title}, read {source.read:%d/%m/%Y}" if source else found.source
    national = council.national or found.national
    nti = council.notice_to_improve if found.step == "notice_to_improve" else None
    return FirstStepDecision(
        step=found.step,
        source=cited,
        basis="national_default" if national else "council_file",
        issued_by=nti.issued_by if nti else None,
        weeks=nti.period_school_weeks if nti else None,
    )


def notice_to_improve_ended(case: Case, parent: Parent, pupil: Pupil, today: date) -> date | None:
    """Return the end of the latest Notice to Improve this parent had for this pupil whose period has
    ended by today, or None."""
    ended = [
        n.period_end
        for n in case.previous_notices_to_improve
        if n.parent_id == parent.id and n.pupil_upn == pupil.upn and n.period_end < today
    ]
    return max(ended, default=None)


def warning_letters(
    case: Case, parent: Parent | None, pupil: Pupil | None
) -> list[tuple[int, PreviousLetter]]:
    """Return the warning letters (with their index in previous_letters) sent to this parent about this
    pupil: a letter that names no parent or no pupil went to every one of them."""
    return [
        (k, letter)
        for k, letter in enumerate(case.previous_letters)
        if letter.document == WARNING_LETTER
        and (parent is None or letter.parent_id in (None, parent.id))
        and (pupil is None or letter.pupil_upn in (None, pupil.upn))
    ]


def warning_letter_sent(case: Case, parent: Parent, pupil: Pupil, today: date) -> date | None:
    """Return the date of the latest warning letter sent to this parent about this pupil by today."""
    sent = [letter.sent_on for _, letter in warning_letters(case, parent, pupil) if letter.sent_on <= today]
    return max(sent, default=None)


def missing(case: Case, council: Council, parent: Parent, pupil: Pupil, today: date) -> str | None:
    """Return the reason no notice can go to this parent for this pupil yet (what should have come first
    and did not), or None."""
    first = decide(case, council)
    if first is None:
        return None
    if first.step == "notice_to_improve":
        done = notice_to_improve_ended(case, parent, pupil, today) or case.support_not_appropriate
    else:
        done = warning_letter_sent(case, parent, pupil, today)
    return None if done else MISSING[first.step]


def support_not_appropriate(case: Case, council: Council, decision: PenaltyNoticeDecision) -> list[Issue]:
    """Return the warning that notices go without a Notice to Improve first, on the school's reason."""
    first = decide(case, council)
    if first is None or first.step != "notice_to_improve" or not case.support_not_appropriate:
        return []
    without = [n for n in decision.notices if n.allowed and n.notice_to_improve_ended is None]
    if not without:
        return []
    return [
        Issue(
            "support_not_appropriate",
            "notice_to_improve_first",
            "No Notice to Improve first, as the school says support is not appropriate: "
            f"{case.support_not_appropriate!r}. The council will want this reason with the request.",
        )
    ]


def what_comes_first(first: FirstStepDecision) -> str:
    """Return the first step in words, as the council's data gives it (for messages and forms)."""
    if first.step == "warning_letter":
        return "a warning letter"
    issuers = {"school": " issued by the school", "council": " issued by the council"}
    by = issuers.get(first.issued_by or "", "")
    weeks = f", {first.weeks} school weeks," if first.weeks else ""
    return f"a Notice to Improve{by}{weeks} whose period has ended"
