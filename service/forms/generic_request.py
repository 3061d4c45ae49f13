"""The generic request for a penalty notice: for any council without a form of its own.

It asks what every published request asks (councils/published-processes.md): the pupil, every parent with
parental responsibility and their address, whom the pupil lives with, the absence and its codes, the
school's actions, the attachments enclosed, the signature and date; and it prints the council's name,
route, phone, deadline and rules from the council's data (or, for a council with no file, the case's).
"""

from __future__ import annotations

from collections import Counter

from service import councils
from service.case import Case
from service.case import Pupil
from service.forms import PdfForm
from service.forms import Requirement
from service.forms import Sheet
from service.forms import SignatureBox
from service.forms import Value
from service.forms._common import GENDERS
from service.forms._common import form_parents
from service.forms._common import lives_with
from service.forms._common import notice_text
from service.register import UNAUTHORISED
from service.rules.penalty_notice import liable_parents
from service.rules.threshold import ThresholdResult
from service.text import join_nonempty
from service.text import long_date

ABSENCE = {"holiday": "Holiday in term time", "irregular": "Irregular attendance"}


def fields(sheet: Sheet) -> dict[str, Value]:
    """Map a case and its council to the generic request's fields."""
    case, council = sheet.case, sheet.council
    n0, first = sheet.pupils[0]
    return {
        "council_name": Value(council.name, "council"),
        "submit_to": Value(councils.route_text(council), "council"),
        "council_phone": Value(_phone(council), "council"),
        "deadline": Value(councils.deadline_text(council, case.absence.type) or "None published", "council"),
        "rules_applied": Value(councils.rules_text(council), "council"),
        "pupils": Value("\n".join(_pupil_line(p) for _, p in sheet.pupils), f"pupils[{n0}]"),
        "pupils_address": Value("\n".join(first.address.lines()), f"pupils[{n0}].address"),
        "lives_with": Value(lives_with(case, first), f"pupils[{n0}].lives_with"),
        "parents": Value(_parents(case, sheet), "parents"),
        "period_from": Value(long_date(case.absence.start_date), "absence.start_date"),
        "period_to": Value(long_date(case.absence.end_date), "absence.end_date"),
        "absence_type": Value(ABSENCE[case.absence.type], "absence.type"),
        "sessions_codes": Value(_codes(sheet), "absence.unauthorised_sessions"),
        "threshold": Value(_threshold(sheet), "attendance"),
        "leave_request": Value(_leave(case), "absence.leave_request"),
        "school_actions": Value(_actions(case), "support_offered" if case.support_offered else "absence"),
        "notices": Value(_notices(sheet), "absence.responsible_parent_ids"),
        "attachments": Value(_enclosed(sheet), "attachments"),
        "other_information": Value(case.other_information or "None", "other_information"),
        "school": Value(case.school.name, "school.name"),
        "school_contact": Value(
            join_nonempty([case.school.contact_name, case.school.contact_phone, case.school.contact_email]),
            "school.contact_name",
        ),
        "headteacher": Value(case.school.headteacher, "school.headteacher"),
        "date": Value(long_date(sheet.today), "letter_date"),
        "sheet": Value(f"{sheet.number} of {sheet.count}", "pupils"),
    }


def _phone(council: councils.Council) -> str:
    contact = council.contact
    if contact and contact.phone:
        return join_nonempty([contact.team, contact.phone], ": ")
    return councils.UNPUBLISHED


def _pupil_line(pupil) -> str:
    return join_nonempty(
        [
            pupil.full_name,
            f"born {long_date(pupil.date_of_birth)}",
            GENDERS.get(pupil.gender, pupil.gender),
            pupil.year_group and f"Year {pupil.year_group.removeprefix('Year ').strip()}",
            f"UPN {pupil.upn}",
        ]
    )


def _parents(case: Case, sheet: Sheet) -> str:
    liable = {p.id for p in liable_parents(case)}
    pupil = sheet.pupils[0][1]
    lines = []
    for _, parent in form_parents(case):
        home = ", ".join(case.home_of(parent, pupil).lines())
        took = "; responsible for the absence" if parent.id in liable else ""
        lines.append(f"{parent.full_name} ({parent.relationship or 'parent'}), {home}{took}")
    return "\n".join(lines)


def _codes(sheet: Sheet) -> str:
    """Each pupil's unauthorised sessions by code, from that pupil's own register: siblings' differ."""
    if len(sheet.pupils) == 1:
        return _pupil_codes(sheet.case, sheet.pupils[0][1])
    return "\n".join(f"{p.forename}: {_pupil_codes(sheet.case, p)}" for _, p in sheet.pupils)


def _pupil_codes(case: Case, pupil: Pupil) -> str:
    a = case.absence
    figures = case.attendance_of(pupil)
    marks = figures.marks if figures else ()
    counted = Counter(
        m.code for m in marks if m.code in UNAUTHORISED and a.start_date <= m.date <= a.end_date
    )
    if not counted:
        return f"{a.unauthorised_sessions} (the register was not sent: codes not shown)"
    codes = ", ".join(f"{code}: {count}" for code, count in sorted(counted.items()))
    return f"{sum(counted.values())} ({codes})"


def _threshold(sheet: Sheet) -> str:
    """The threshold as the council counts it, with each pupil's own count when the sheet has several."""
    rule = councils.threshold_text(sheet.council)
    counts = [_count(_pupil_threshold(sheet, p)) for _, p in sheet.pupils]
    if len(set(counts)) == 1:
        return f"{rule}: {counts[0]}."
    each = (f"{p.forename} {count}" for (_, p), count in zip(sheet.pupils, counts, strict=True))
    return f"{rule}: {'; '.join(each)}."


def _pupil_threshold(sheet: Sheet, pupil: Pupil) -> ThresholdResult:
    own = next((d.threshold for d in sheet.decisions.pupils if d.upn == pupil.upn), None)
    return own or sheet.decisions.threshold


def _count(t: ThresholdResult) -> str:
    counted = f"{t.sessions} counted from the {'register' if t.source == 'marks' else 'totals'}"
    window = ""
    if t.window_start and t.window_end:
        window = f" ({t.window_start.isoformat()} to {t.window_end.isoformat()})"
    return counted + window


def _leave(case: Case) -> str:
    request = case.absence.leave_request
    if request is None or not request.submitted:
        return "Not requested in advance."
    asked = f"Requested on {long_date(request.submitted_on)}" if request.submitted_on else "Requested"
    why = f" ({request.reason})" if request.reason else ""
    decision = request.decision or "decision not recorded"
    decided = f"{decision} on {long_date(request.decided_on)}" if request.decided_on else decision
    return f"{asked}{why}; {decided}."


def _actions(case: Case) -> str:
    support = sorted(case.support_offered, key=lambda s: s.date)
    lines = [f"{long_date(s.date)}: {s.description}" for s in support]
    lines += [f"Penalty notice issued {long_date(n.issued_on)}" for n in case.previous_penalty_notices]
    return "\n".join(lines) or "None recorded"


def _notices(sheet: Sheet) -> str:
    """One line per liable parent × pupil on this sheet (the typed decisions, `_common.notice_text`)."""
    case = sheet.case
    upns = {p.upn for _, p in sheet.pupils}
    lines = []
    for notice in sheet.decisions.penalty_notice.notices:
        if notice.pupil_upn not in upns:
            continue
        parent = case.parent(notice.parent_id)
        pupil = next(p for _, p in sheet.pupils if p.upn == notice.pupil_upn)
        who = f"{parent.full_name if parent else notice.parent_id} for {pupil.full_name}"
        lines.append(f"{who}: {notice_text(notice)}")
    return "\n".join(lines) or "None"


def _enclosed(sheet: Sheet) -> str:
    from service.attachments import applies
    from service.attachments import requirements

    case = sheet.case
    sent = {a.kind for a in case.attachments}
    lines = []
    for req in requirements(case, DOCUMENT):
        if not applies(req, case):
            continue
        mark = "[x]" if sent & set(req.kinds) else "[ ]"
        lines.append(f"{mark} {req.label}")
    return "\n".join(lines) or "None listed by the council"


DOCUMENT = PdfForm(
    id="generic-request",
    title="Request for a penalty notice",
    outputs=("pdf",),
    needs=("penalty_notice",),
    # What a council that states no checklist of its own is sent: the certificate, and the letters that
    # told the parents the absence was not authorised (the forms and lists in published-processes.md).
    attachments=(
        Requirement(
            "attendance_certificate",
            "Attendance (registration) certificate showing the unauthorised sessions and their codes",
            ("attendance_certificate",),
        ),
        Requirement(
            "leave_request_form", "The parent's leave of absence request", ("leave_request_form",),
            when="leave_requested",
        ),
        Requirement(
            "refusal_letter",
            "The school's letter to the parents saying the absence was not authorised",
            ("refusal_letter", "holiday_letter", "parent_communication"),
        ),
    ),
    template="generic-request.pdf",
    fields=fields,
    pupils_per_sheet=4,
    pairs_per_sheet=12,  # the notices box's 9 lines at 10 pt hold 12 at the smaller sizes it shrinks to
    signature=SignatureBox(field="signed"),  # the headteacher's "Signed" box, beside their name
)
