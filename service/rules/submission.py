"""Council-parameterised checks on a submission: the council's deadlines and separated parents."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from service.case import Case
from service.councils import Council
from service.councils import Deadline
from service.report import Issue
from service.school_calendar import add_school_days
from service.school_calendar import closures


def term_closures(case: Case, council: Council) -> tuple[date, ...]:
    """Return the school's closures: its INSET days and holidays, else its council's published term
    dates (a school's own dates win)."""
    return closures(case.school.upcoming_inset_days, case.school.holidays, council.holidays)


def due_date(deadline: Deadline, start: date, case: Case, council: Council) -> date:
    """Return the last day a request is in time: `days` school, working or calendar days after `start`."""
    if deadline.unit == "calendar_days":
        return start + timedelta(days=deadline.days)
    if deadline.unit == "working_days":  # weekdays that are not bank holidays
        return add_school_days(start, deadline.days)
    return add_school_days(start, deadline.days, term_closures(case, council))


def late_submission(case: Case, council: Council, today: date) -> list[Issue]:
    """Warn when a request comes after one of the council's deadlines for this absence type: within N
    school, working or calendar days of the absence's end (Dorset App. 7: one week of the holiday's
    end; Southwark, Nottingham: 10 school days of the return) or of a warning letter."""
    issues = []
    for deadline in council.deadlines:
        if case.absence.type not in deadline.absence_types:
            continue
        start = _start(deadline, case)
        if start is None:
            continue
        late = (today - due_date(deadline, start, case, council)).days
        if late > 0:
            unit = deadline.unit.replace("_", " ").replace("calendar ", "")
            after = "the end of the absence" if deadline.after == "absence_end" else "the warning letter"
            issues.append(
                Issue(
                    "absence.end_date" if deadline.after == "absence_end" else "absence",
                    "late_submission",
                    f"{council.name} asks for requests within {deadline.days} {unit} of {after} "
                    f"({deadline.text}); this one is {late} day(s) late.",
                )
            )
    return issues


def _start(deadline: Deadline, case: Case) -> date | None:
    """Return the day a deadline runs from, when the case says it (a warning letter's date, if sent)."""
    if deadline.after == "absence_end":
        return case.absence.end_date
    return getattr(case, "warning_letter_date", None)


def separated_parents(case: Case, council: Council) -> list[Issue]:
    """Require both addresses and whom the child lives with when parents live apart (App. 7)."""
    if not council.requires_both_addresses_when_apart:
        return []
    issues: list[Issue] = []
    holders = [(i, p) for i, p in enumerate(case.parents) if p.parental_responsibility]
    for n, pupil in enumerate(case.pupils):
        homes = {case.home_of(p, pupil).key() for _, p in holders}
        if len(homes) > 1 and not pupil.lives_with:
            issues.append(
                Issue(
                    f"pupils[{n}].lives_with",
                    "lives_with_required",
                    "The parents live apart: say which parent the child usually lives with.",
                )
            )
        for i, parent in holders:
            if pupil.lives_with and parent.id not in pupil.lives_with and parent.address is None:
                issues.append(
                    Issue(
                        f"parents[{i}].address",
                        "second_address_required",
                        f"{council.name} needs the address of each parent with "
                        "parental responsibility who lives apart from the child.",
                    )
                )
    return list(dict.fromkeys(issues))
