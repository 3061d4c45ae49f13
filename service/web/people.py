"""People and values as an officer reads them: "Sarah Brown, mother", "SN15 1ER", "4 May 2016".

The pages never show a parent's id or a JSON path: an issue about `parents[1].address.postcode` is about
"Mark Brown, father"; `pupils[0]` is the first pupil by name. Values are shown as the letters print them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import phonenumbers
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from service.text import long_date

RELATIONSHIPS = {
    "mother": _l("mother"),
    "father": _l("father"),
    "parent": _l("parent"),
    "carer": _l("carer"),
    "guardian": _l("guardian"),
    "stepmother": _l("stepmother"),
    "stepfather": _l("stepfather"),
    "grandmother": _l("grandmother"),
    "grandfather": _l("grandfather"),
    "foster carer": _l("foster carer"),
}
POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")
PATH = re.compile(r"^(pupils|parents)\[(\d+)\]")


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def pupil_name(data: Mapping[str, Any], index: int) -> str:
    """Return pupils[index]'s name as written, or "Pupil 2" when the case does not give it."""
    pupils = _list(data.get("pupils"))
    p = _dict(pupils[index]) if index < len(pupils) else {}
    name = " ".join(str(p.get(k) or "").strip() for k in ("forename", "surname")).strip()
    return name or _("Pupil %(number)s", number=index + 1)


def parent_name(data: Mapping[str, Any], index: int) -> str:
    """Return "Sarah Brown, mother" for parents[index] (name and role), or "Parent 2"."""
    parents = _list(data.get("parents"))
    p = _dict(parents[index]) if index < len(parents) else {}
    name = str(p.get("full_name") or "").strip() or _("Parent %(number)s", number=index + 1)
    role = relationship(p.get("relationship"))
    return f"{name}, {role}" if role else name


def relationship(value: Any) -> str:
    """Return a parent's role in the page's language (as written when it is not one we know)."""
    if not isinstance(value, str) or not value.strip():
        return ""
    return str(RELATIONSHIPS.get(value.strip().lower(), value.strip()))


def parent_by_id(data: Mapping[str, Any], parent_id: Any) -> str | None:
    """Return the name and role of the parent with this id, or None when no parent has it."""
    for n, p in enumerate(_list(data.get("parents"))):
        if isinstance(p, Mapping) and p.get("id") == parent_id:
            return parent_name(data, n)
    return None


def pupil_by_upn(data: Mapping[str, Any], upn: Any) -> str | None:
    """Return the name of the pupil with this UPN, or None."""
    for n, p in enumerate(_list(data.get("pupils"))):
        if isinstance(p, Mapping) and p.get("upn") == upn:
            return pupil_name(data, n)
    return None


def parents_named(data: Mapping[str, Any], ids: Any) -> list[str]:
    """Return the names and roles of parents given by id; an id no parent has is said to be unknown."""
    return [parent_by_id(data, i) or _("a parent the case does not list") for i in _list(ids)]


def who(data: Mapping[str, Any], path: str) -> str | None:
    """Return whom a JSON path is about: the pupil or the parent it starts with, else None."""
    found = PATH.match(path or "")
    if not found:
        return None
    kind, index = found.group(1), int(found.group(2))
    if kind == "pupils":
        return pupil_name(data, index)
    return parent_name(data, index)


def postcode(value: Any) -> str:
    """Return a UK postcode as it prints (upper case, one space), or the text as given when it is not one."""
    text = str(value or "").strip()
    found = POSTCODE.match(re.sub(r"\s+", " ", text.upper()))
    return f"{found.group(1)} {found.group(2)}" if found else text


def phone(value: Any) -> str:
    """Return a UK phone number in national form (`01632 960 001`), or the text as given."""
    text = str(value or "").strip()
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def day(value: Any, language: str) -> str | None:
    """Return an ISO date as it prints (`4 May 2016`, `4 Mai 2016`), or None when it is not one."""
    if isinstance(value, date):
        return long_date(value, language)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return long_date(date.fromisoformat(value), language)
        except ValueError:
            return None
    return None
