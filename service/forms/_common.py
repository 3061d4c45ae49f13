"""How case data reads on a form: names, addresses, dates and the parents a form asks about."""

from __future__ import annotations

from service.case import Address
from service.case import Case
from service.case import Parent
from service.case import Pupil
from service.forms import Value
from service.rules.penalty_notice import liable_parents
from service.text import and_list
from service.text import join_nonempty
from service.text import long_date

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


def parent_values(case: Case, pupil_at: tuple[int, Pupil], postcode_apart: bool = False,
                  phone: bool = False) -> dict[str, Value]:
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
