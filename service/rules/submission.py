"""Council-parameterised checks on a submission: Dorset's one-week window and separated parents."""

from __future__ import annotations

from datetime import date

from service.case import Case
from service.councils import Council
from service.report import Issue


def late_submission(case: Case, council: Council, today: date) -> list[Issue]:
    """Warn when a holiday request comes after the council's window (Dorset App. 7: one week)."""
    window = council.submission_window_days
    if window is None or case.absence.type != "holiday":
        return []
    late = (today - case.absence.end_date).days - window
    if late <= 0:
        return []
    return [
        Issue(
            "absence.end_date",
            "late_submission",
            f"{council.name} asks for holiday requests within {window} days of the end of "
            f"the holiday; this one is {late} day(s) late.",
        )
    ]


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
