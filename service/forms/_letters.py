"""What every letter's context holds: the school, the recipients, dates and amounts, in English and Welsh."""

from __future__ import annotations

from typing import Any

from service.case import Case
from service.case import Parent
from service.case import Pupil
from service.councils import ENGLAND
from service.forms import LetterInput
from service.rules.penalty_notice import liable_parents
from service.text import and_list
from service.text import long_date
from service.text import pounds

CHILD = {  # (en, cy) by gender, and for several children
    "F": ("daughter", "merch"),
    "M": ("son", "mab"),
    "X": ("child", "plentyn"),
    "U": ("child", "plentyn"),
}


def recipients(inp: LetterInput) -> list[Parent]:
    """Return the parents this letter goes to: one household (documents.households), else those liable
    at the first one's home."""
    if inp.recipients:
        return list(inp.recipients)
    case = inp.case
    parents = list(liable_parents(case)) or list(case.parents[:1])
    home = case.home_of(parents[0], case.pupils[0]).key()
    return [p for p in parents if case.home_of(p, case.pupils[0]).key() == home]


def and_cy(items: list[str]) -> str:
    """Join names in Welsh: `A a B`, `A ac Alun` (ac before a vowel sound).

    W and Y before another vowel sound as consonants (William, Wyn, Yasmin: `a`); before a consonant they are
    vowels (Ynyr: `ac`).
    """
    if len(items) <= 1:
        return "".join(items)
    last = items[-1].lower()
    vowel = last[:1] in "aeiouâêîôû" or (last[:1] in "wyŵŷ" and last[1:2] not in "aeiouwyâêîôûŵŷ")
    return ", ".join(items[:-1]) + (" ac " if vowel else " a ") + items[-1]


def absence_sessions(case: Case, pupil: Pupil) -> int:
    """Return the unauthorised sessions of this pupil's absence, from the case, never from its dates: the
    pupil's register marks within the absence when sent, else the absence's `unauthorised_sessions`."""
    from service.register import UNAUTHORISED

    a = case.absence
    attendance = case.attendance_of(pupil)
    marks = attendance.marks if attendance else ()
    within = [m for m in marks if a.start_date <= m.date <= a.end_date]
    if within:
        return sum(1 for m in within if m.code in UNAUTHORISED)
    return a.unauthorised_sessions


def school_days(sessions: int) -> int | float:
    """Return sessions as school days (two sessions a day): 12 → 6, 11 → 5.5."""
    return sessions // 2 if sessions % 2 == 0 else sessions / 2


def base(inp: LetterInput) -> dict[str, Any]:
    """Return the context every letter shares."""
    case, council = inp.case, inp.council
    parents = recipients(inp)
    home = case.home_of(parents[0], case.pupils[0])
    names = [p.full_name for p in case.pupils]
    single = len(case.pupils) == 1
    # Siblings in one letter share a count (documents.pupil_groups splits them otherwise).
    sessions = absence_sessions(case, case.pupils[0])
    days = school_days(sessions)
    return {
        "welsh": inp.welsh,
        "school": {
            "name": case.school.name,
            "headteacher": case.school.headteacher,
            "phone": case.school.contact_phone,
            "email": case.school.contact_email or "",
            "contact_name": case.school.contact_name,
        },
        "recipient": [and_list([p.full_name for p in parents]), *home.lines()],
        "salutation": and_list([p.full_name for p in parents]),
        "pupils": and_list(names),
        "pupil": names[0],
        "forename": case.pupils[0].forename,
        "forenames": and_list([p.forename for p in case.pupils]),
        "single": single,
        "year_group": case.pupils[0].year_group or "",
        "council": council.name,
        "threshold": council.threshold.unauthorised_sessions,
        "days": days,
        "sessions": sessions,
        "holiday": case.absence.type == "holiday",
        "pn": penalty_amounts(council),
        "en": _english(inp, single, days),
        "cy": _welsh(inp, single, days),
    }


def penalty_amounts(council: Any) -> dict[str, Any]:
    """Return the council's penalty amounts as they print."""
    p = council.penalties
    return {
        "first_early": pounds(p.first_early),
        "early_days": p.first_early_days,
        "first_full": pounds(p.first_full),
        "full_days": p.first_full_days,
        "second_full": pounds(p.second_full),
    }


def _child(case: Case, language: int) -> str:
    if len(case.pupils) > 1:
        return ("children", "plant")[language]
    return CHILD.get(case.pupils[0].gender, CHILD["X"])[language]


def previous_letter(case: Case, document: str, parents: list[Parent]) -> Any:
    """Return the date of the latest earlier letter of this kind sent for these pupils (and, when it names
    one, to one of these parents), or None."""
    upns = {p.upn for p in case.pupils}
    ids = {p.id for p in parents}
    sent = [
        letter.sent_on
        for letter in case.previous_letters
        if letter.document == document
        and (letter.pupil_upn is None or letter.pupil_upn in upns)
        and (letter.parent_id is None or letter.parent_id in ids)
    ]
    return max(sent, default=None)


def _english(inp: LetterInput, single: bool, days: int | float) -> dict[str, Any]:
    case = inp.case
    weeks = inp.council.threshold.window_school_weeks
    request = case.absence.leave_request
    return {
        "date": long_date(inp.today),
        "start": long_date(case.absence.start_date),
        "end": long_date(case.absence.end_date),
        "reason": (request.reason if request and request.reason else "the reason you gave"),
        "child": _child(case, 0),
        "each_child": "your child" if single else "each child",
        "possessive": "your child's" if single else "your children's",
        "their": "their",
        "window": f" within a period of {weeks} school weeks" if weeks else "",
        "guidance": "Department for Education statutory guidance"
        if inp.council.country == ENGLAND
        else "Welsh Government guidance",
    }


def _welsh(inp: LetterInput, single: bool, days: int | float) -> dict[str, Any]:
    case = inp.case
    weeks = inp.council.threshold.window_school_weeks
    request = case.absence.leave_request
    parents = recipients(inp)
    home = case.home_of(parents[0], case.pupils[0])
    child = _child(case, 1)
    start, end = long_date(case.absence.start_date, "cy"), long_date(case.absence.end_date, "cy")
    return {
        "date": long_date(inp.today, "cy"),
        "start": start,
        "end": end,
        # "rhwng X a Y", "ac" when Y is read with a vowel: 1 (un), 8 (wyth), 11 (un ar ddeg)
        "between": f"rhwng {start} {'ac' if end.split()[0] in ('1', '8', '11') else 'a'} {end}",
        "reason": (request.reason if request and request.reason else ""),
        "child": child,
        "each_child": f"eich {child}" if single else "pob un o'ch plant",
        "pupils": and_cy([p.full_name for p in case.pupils]),
        "forenames": and_cy([p.forename for p in case.pupils]),
        "salutation": and_cy([p.full_name for p in parents]),
        "recipient": [and_cy([p.full_name for p in parents]), *home.lines()],
        "council": inp.council.name_cy or inp.council.name,
        "window": f" o fewn cyfnod o {weeks} wythnos ysgol" if weeks else "",
        "guidance": "canllawiau statudol yr Adran Addysg"
        if inp.council.country == ENGLAND
        else "canllawiau Llywodraeth Cymru",
        # "in line with": â takes the aspirate mutation (canllawiau → chanllawiau)
        "in_line_with": "yn unol â chanllawiau statudol yr Adran Addysg"
        if inp.council.country == ENGLAND
        else "yn unol â chanllawiau Llywodraeth Cymru",
    }


GROUNDS = {  # App. 9, "leave of absence not requested in advance": (English, Welsh)
    "not_requested": (
        "You did not request the leave of absence in advance.",
        "Ni wnaethoch ofyn am ganiatâd i fod yn absennol ymlaen llaw.",
    ),
    "believed_holiday": (
        "We have reason to believe that you were on holiday.",
        "Mae gennym reswm i gredu eich bod wedi bod ar wyliau.",
    ),
    "no_evidence_of_illness": (
        "You have been unable to provide us with evidence of illness during this period.",
        "Nid ydych wedi gallu rhoi tystiolaeth i ni o salwch yn ystod y cyfnod hwn.",
    ),
    "late_return": (
        "You have been unable to provide us with evidence of the reason for the delay in your "
        "return to school (for example a cancelled flight, or illness preventing travel).",
        "Nid ydych wedi gallu rhoi tystiolaeth i ni o'r rheswm dros yr oedi cyn dychwelyd i'r "
        "ysgol (er enghraifft, hediad a ganslwyd, neu salwch a oedd yn eich atal rhag teithio).",
    ),
}


def grounds(case: Case) -> list[str]:
    """Return the refusal grounds: those the case names, else not requested (and holiday when it was)."""
    chosen = list(case.absence.grounds) or ["not_requested"] + (
        ["believed_holiday"] if case.absence.type == "holiday" else []
    )
    return [g for g in GROUNDS if g in chosen]


def record(case: Case) -> dict[str, Any]:
    """Return the attendance record as it prints; totals counted from the marks win over those sent."""
    from service import register

    att = case.attendance
    assert att is not None
    totals = (
        register.count(att.marks)
        if att.marks
        else register.Totals(
            att.sessions_possible, att.sessions_present, att.authorised_absences, att.unauthorised_absences
        )
    )
    return {
        "possible": totals.sessions_possible,
        "present": totals.sessions_present,
        "authorised": totals.authorised_absences,
        "unauthorised": totals.unauthorised_absences,
        "percent": f"{totals.attendance_percent:g}",
        "percent_text": f"{totals.attendance_percent:g}%",
        "as_of": long_date(att.as_of),
        "missed": totals.sessions_possible - totals.sessions_present,
    }
