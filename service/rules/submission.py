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
from service.text import long_date


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
    end; Southwark, Nottingham: 10 school days of the return) or of a warning letter (Rotherham: 10
    working days of the final warning letter), the letter read from `previous_letters`."""
    issues = []
    for deadline in council.deadlines:
        if case.absence.type not in deadline.absence_types:
            continue
        if deadline.after == "absence_end":
            issues += _late(deadline, case.absence.end_date, "absence.end_date", "the end of the absence",
                            case, council, today)
        else:
            issues += _after_warning_letter(deadline, case, council, today)
    return issues


def _late(deadline: Deadline, start: date, path: str, after: str, case: Case, council: Council,
          today: date) -> list[Issue]:
    late = (today - due_date(deadline, start, case, council)).days
    if late <= 0:
        return []
    unit = deadline.unit.replace("_", " ").replace("calendar ", "")
    return [
        Issue(
            path,
            "late_submission",
            f"{council.name} asks for requests within {deadline.days} {unit} of {after} "
            f"({deadline.text}); this one is {late} day(s) late.",
        )
    ]


def _after_warning_letter(deadline: Deadline, case: Case, council: Council, today: date) -> list[Issue]:
    """Check a deadline that runs from the warning letter: for each liable parent and pupil, from the
    latest warning letter they were sent (`previous_letters`, document `warning-letter`)."""
    from service.rules.first_steps import warning_letters
    from service.rules.penalty_notice import liable_parents

    latest: dict[int, date] = {}
    unknown = []
    for pupil in case.pupils:
        for parent in liable_parents(case):
            sent = [(k, w) for k, w in warning_letters(case, parent, pupil) if w.sent_on <= today]
            if not sent:
                unknown.append(f"{parent.full_name} for {pupil.full_name}")
                continue
            k, letter = max(sent, key=lambda found: found[1].sent_on)
            latest[k] = letter.sent_on
    issues = []
    for k, sent_on in sorted(latest.items()):
        after = f"the warning letter ({long_date(sent_on)})"
        issues += _late(deadline, sent_on, f"previous_letters[{k}]", after, case, council, today)
    if unknown:
        issues.append(
            Issue(
                "previous_letters",
                "warning_letter_not_recorded",
                f"{council.name} counts its deadline from the warning letter ({deadline.text}), and none is "
                f"recorded for {', '.join(unknown)}: add it to previous_letters (document warning-letter, "
                "sent_on) so that the deadline can be checked.",
            )
        )
    return issues


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
