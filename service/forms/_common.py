"""How case data reads on a form: names, addresses, dates and the parents a form asks about."""

from __future__ import annotations

from service.case import Address
from service.case import Case
from service.case import Parent
from service.case import Pupil
from service.decisions import Decisions
from service.decisions import Notice
from service.forms import Value
from service.rules.penalty_notice import liable_parents
from service.text import and_list
from service.text import join_nonempty
from service.text import long_date
from service.text import pounds

GENDERS = {"F": "Female", "M": "Male", "X": "Not stated", "U": "Not known"}


def address_lines(address: Address, with_postcode: bool = True) -> str:
    """Return an address one line each, as on an envelope."""
    lines = address.lines()
    if not with_postcode:
        lines = [line for line in lines if line != address.postcode]
    return "\n".join(lines)


def form_parents(case: Case) -> list[tuple[int, Parent]]:
    """Return the parents a penalty-notice form names: the liable ones first, then others with
    parental responsibility, each with its index in `case.parents`."""
    liable = [p.id for p in liable_parents(case)]
    holders = [p.id for p in case.parents if p.parental_responsibility and p.id not in liable]
    order = liable + holders
    return sorted(
        ((i, p) for i, p in enumerate(case.parents) if p.id in order), key=lambda ip: order.index(ip[1].id)
    )


def parent_values(
    case: Case, pupil_at: tuple[int, Pupil], postcode_apart: bool = False, phone: bool = False
) -> dict[str, Value]:
    """Return the `parent1_…`/`parent2_…` fields: name, address (and postcode, phone when the form has them),
    each with the JSON path it comes from (the pupil's address for a parent who lives there)."""
    n, pupil = pupil_at
    values: dict[str, Value] = {}
    for slot, (i, parent) in enumerate(form_parents(case)[:2], start=1):
        home = case.home_of(parent, pupil)
        where = f"parents[{i}].address" if parent.address else f"pupils[{n}].address"
        values[f"parent{slot}_name"] = Value(parent.full_name, f"parents[{i}].full_name")
        values[f"parent{slot}_address"] = Value(address_lines(home, with_postcode=not postcode_apart), where)
        if postcode_apart:
            values[f"parent{slot}_postcode"] = Value(home.postcode, f"{where}.postcode")
        if phone:
            values[f"parent{slot}_phone"] = Value(parent.phone or "Not available", f"parents[{i}].phone")
    return values


def named(parent: Parent) -> str:
    """Return `Hannah Fairweather (mother)`."""
    return f"{parent.full_name} ({parent.relationship})" if parent.relationship else parent.full_name


def lives_with(case: Case, pupil: Pupil) -> str:
    """Return whom the pupil lives with, by name, or say it was not given."""
    parents = [case.parent(pid) for pid in pupil.lives_with]
    names = [named(p) for p in parents if p is not None]
    return and_list(names) if names else "Not stated"


def responsible(case: Case) -> str:
    """Return the parents responsible for the absence, by name."""
    return and_list([named(p) for p in liable_parents(case)])


def dob_gender(pupil: Pupil) -> str:
    """Return `14 February 2017 / Female`."""
    return f"{long_date(pupil.date_of_birth)} / {GENDERS.get(pupil.gender, pupil.gender)}"


def school_contact(case: Case) -> str:
    """Return the school contact's name and telephone number."""
    return join_nonempty([case.school.contact_name, case.school.contact_phone])


REASON_TEXT = {
    "below_compulsory_school_age": "no notice: not of compulsory school age",
    "above_compulsory_school_age": "no notice: past compulsory school age",
    "looked_after_child": "no notice: a looked-after child",
    "threshold_not_met": "no notice: the threshold is not met",
    "third_offence": "no notice: a third within three years (prosecution or another route)",
    "notice_to_improve_first": "no notice: a Notice to Improve comes first",
    "warning_letter_first": "no notice: a warning letter comes first",
}


def notice_text(notice: Notice) -> str:
    """Return `notice 1: £80 if paid within 21 days, else £160 within 28 days`, or why there is none."""
    if not notice.allowed:
        return REASON_TEXT.get(notice.reason, f"no notice ({notice.reason})")
    full = f"{pounds(notice.amount_full)} within {notice.full_days} days"
    if notice.amount_early is None:
        return f"notice {notice.notice_number}: {full} (no reduction)"
    early = f"{pounds(notice.amount_early)} if paid within {notice.early_days} days"
    return f"notice {notice.notice_number}: {early}, else {full}"


def notice_lines(case: Case, decisions: Decisions) -> list[str]:
    """Return one line per liable parent × pupil of this case (or of the pupils on this form, when the
    case was narrowed to them): `Sarah Brown for Olivia Brown: notice 1: …`."""
    pupils = {p.upn: p for p in case.pupils}
    lines = []
    for n in decisions.penalty_notice.notices:
        parent = case.parent(n.parent_id)
        if n.pupil_upn in pupils and parent is not None:
            lines.append(f"{parent.full_name} for {pupils[n.pupil_upn].full_name}: {notice_text(n)}")
    return lines


def other_information(case: Case, decisions: Decisions, pupils: tuple[tuple[int, Pupil], ...]) -> str:
    """Return a form's "any other information": the school's text, then each parent × pupil notice of
    the pupils on this sheet, so that no pair is hidden behind a summary."""
    upns = {p.upn for _, p in pupils}
    here = [n for n in decisions.penalty_notice.notices if n.pupil_upn in upns]
    pupils_by_upn = {p.upn: p for _, p in pupils}
    lines = [
        f"{p.full_name} for {pupils_by_upn[n.pupil_upn].full_name}: {notice_text(n)}"
        for n in here
        if (p := case.parent(n.parent_id)) is not None
    ]
    parts = [case.other_information] if case.other_information else []
    if lines:
        parts.append("Penalty notices: " + "; ".join(lines) + ".")
    return "\n".join(parts) or "None"
