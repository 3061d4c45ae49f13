"""The case's history as an officer adds it on the report page: earlier Notices to Improve and penalty
notices, letters already sent (with their date and a copy), and why support is not appropriate.

What the officer enters is written into the case the page carries, in the contract's names
(`previous_notices_to_improve`, `previous_penalty_notices`, `previous_letters`, `support_not_appropriate`),
so the one assessment reads it as it reads any case's history; nothing is kept on the server. A copy of a
letter becomes one of the case's attachments (a leave-refusal letter is the council's "letter saying the
absence is not authorised"; any other letter is evidence that the parents were told).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict

from service.case import Attachment
from service.web import people
from service.web import words

# The history the page edits: the button's value, the case field, what each entry holds.
LISTS = {
    "notice_to_improve": "previous_notices_to_improve",
    "penalty_notice": "previous_penalty_notices",
    "letter": "previous_letters",
}
# The letters a case's history can name (the contract's `previous_letters[].document`).
# A warning letter is the school's own, which a council may want first (rules/first_steps.py).
LETTERS = (
    "attendance-letter-1", "attendance-letter-2", "notice-to-improve", "leave-refusal", "warning-letter"
)
COPY_KIND = {"leave-refusal": "refusal_letter"}  # else parent_communication
PREFIX = "history-"
DATE_PARTS = ("day", "month", "year")
FIELD_WORDS = {
    "issued_on": _l("the date it was issued"),
    "period_end": _l("the date its improvement period ended"),
    "sent_on": _l("the date it was sent"),
}


@dataclass(frozen=True)
class FieldError:
    """A history field the officer must correct: the input it is about and what to do."""

    field: str  # the element id, e.g. history-notice_to_improve-issued_on
    text: str


@dataclass(frozen=True)
class Change:
    """The case after the officer's history change, the attachments it adds, or what to correct."""

    data: dict[str, Any]
    attachments: tuple[Attachment, ...]
    errors: tuple[FieldError, ...]


def is_upload(name: str) -> bool:
    """Return whether a file part belongs to the history form (a letter's copy), not the attachments."""
    return name.startswith(PREFIX)


def change(data: Mapping[str, Any], form: MultiDict[str, str], files: MultiDict[str, FileStorage]) -> Change:
    """Apply the history button pressed (`history=<kind>`, or `remove_history=<list>.<n>`) to the case."""
    removed = form.get("remove_history", "")
    if removed:
        return Change(_remove(data, removed), (), ())
    kind = form.get("history", "")
    if kind == "support":
        return _support(data, form)
    if kind not in LISTS:
        return Change(dict(data), (), ())
    at = f"{PREFIX}{kind}-"
    errors: list[FieldError] = []
    entry: dict[str, Any] = {}
    parent, pupil = _parent(data, form.get(at + "parent")), _pupil(data, form.get(at + "pupil"))
    if kind == "letter":
        document = form.get(at + "document", "")
        if document not in LETTERS:
            errors.append(FieldError(at + "document", _("Select the letter that was sent")))
        entry["document"] = document
        entry["sent_on"] = _date(form, at + "sent_on", errors)
        if parent:
            entry["parent_id"] = parent
        if pupil:
            entry["pupil_upn"] = pupil
    else:
        if not parent:
            errors.append(FieldError(at + "parent", _("Select the parent it was issued to")))
        if not pupil:
            errors.append(FieldError(at + "pupil", _("Select the pupil it was about")))
        entry.update(parent_id=parent, pupil_upn=pupil, issued_on=_date(form, at + "issued_on", errors))
        if kind == "notice_to_improve":
            entry["period_end"] = _date(form, at + "period_end", errors)
            if not errors and entry["period_end"] < entry["issued_on"]:
                errors.append(
                    FieldError(
                        at + "period_end-day",
                        _("The improvement period must end after the Notice to Improve was issued"),
                    )
                )
    if errors:
        return Change(dict(data), (), tuple(errors))
    added = {**data, LISTS[kind]: [*_list(data.get(LISTS[kind])), entry]}
    return Change(added, _copies(entry, files.getlist(at + "copy")), ())


def _support(data: Mapping[str, Any], form: MultiDict[str, str]) -> Change:
    reason = form.get(f"{PREFIX}support-reason", "").strip()
    if not reason:
        return Change({k: v for k, v in data.items() if k != "support_not_appropriate"}, (), ())
    if len(reason) > 1000:
        text = _("The reason must be 1,000 characters or fewer")
        return Change(dict(data), (), (FieldError(f"{PREFIX}support-reason", text),))
    return Change({**data, "support_not_appropriate": {"reason": reason}}, (), ())


def _remove(data: Mapping[str, Any], which: str) -> dict[str, Any]:
    name, _dot, index = which.rpartition(".")
    items = _list(data.get(name))
    if name not in LISTS.values() or not index.isdigit() or int(index) >= len(items):
        return dict(data)
    return {**data, name: items[: int(index)] + items[int(index) + 1 :]}


def _copies(entry: Mapping[str, Any], uploads: list[FileStorage]) -> tuple[Attachment, ...]:
    kind = COPY_KIND.get(entry.get("document", ""), "parent_communication")
    return tuple(
        Attachment(kind, upload.read(), (upload.filename or "")[-255:])
        for upload in uploads
        if upload.filename
    )


def _date(form: Mapping[str, str], at: str, errors: list[FieldError]) -> str:
    """Return the ISO date of a GOV.UK date input (day, month, year), or record what is wrong with it."""
    name = str(FIELD_WORDS[at.rsplit("-", 1)[1]])
    parts = {p: form.get(f"{at}-{p}", "").strip() for p in DATE_PARTS}
    empty = [p for p in DATE_PARTS if not parts[p]]
    if len(empty) == len(DATE_PARTS):
        errors.append(FieldError(f"{at}-day", _("Enter %(what)s", what=name)))
        return ""
    if empty:
        errors.append(
            FieldError(f"{at}-{empty[0]}", _("Enter %(what)s in full: day, month and year", what=name))
        )
        return ""
    try:
        if not all(re.fullmatch(r"\d{1,4}", v) for v in parts.values()) or len(parts["year"]) != 4:
            raise ValueError
        found = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        errors.append(FieldError(f"{at}-day", _("Enter %(what)s as a real date, like 27 3 2026", what=name)))
        return ""
    if found > date.today():
        errors.append(FieldError(f"{at}-day", _("Check %(what)s: it is in the future", what=name)))
        return ""
    return found.isoformat()


def _parent(data: Mapping[str, Any], value: str | None) -> str | None:
    parents = _list(data.get("parents"))
    if not value or not value.isdigit() or int(value) >= len(parents):
        return None
    found = parents[int(value)]
    return found.get("id") if isinstance(found, Mapping) and isinstance(found.get("id"), str) else None


def _pupil(data: Mapping[str, Any], value: str | None) -> str | None:
    pupils = _list(data.get("pupils"))
    if not value or not value.isdigit() or int(value) >= len(pupils):
        return None
    found = pupils[int(value)]
    return found.get("upn") if isinstance(found, Mapping) and isinstance(found.get("upn"), str) else None


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


@dataclass(frozen=True)
class Form:
    """What the history form offers: the parents and pupils to choose from, the letters, and its values."""

    parents: tuple[tuple[str, str], ...]
    pupils: tuple[tuple[str, str], ...]
    letters: tuple[tuple[str, str], ...]
    values: Mapping[str, str]
    errors: Mapping[str, str]  # by field (a date input by its group's id), for the field's error message
    links: tuple[tuple[str, str], ...]  # (the input's id, the text): the error summary's links
    reason: str


def form(data: Mapping[str, Any], posted: Mapping[str, str], errors: tuple[FieldError, ...]) -> Form:
    """Return the history form of a case: the values the officer typed are kept when something is wrong."""
    parents = tuple((str(n), people.parent_name(data, n)) for n in range(len(_list(data.get("parents")))))
    pupils = tuple((str(n), people.pupil_name(data, n)) for n in range(len(_list(data.get("pupils")))))
    values = {k: v for k, v in posted.items() if is_upload(k)} if errors else {}
    reason = values.get(f"{PREFIX}support-reason") or _support_reason(data)
    return Form(
        parents,
        pupils,
        tuple((d, words.title(d)) for d in LETTERS),
        values,
        {re.sub(r"-(day|month|year)$", "", e.field): e.text for e in errors},
        tuple((e.field, e.text) for e in errors),
        reason,
    )


def _support_reason(data: Mapping[str, Any]) -> str:
    found = data.get("support_not_appropriate")
    return str(found.get("reason") or "") if isinstance(found, Mapping) else ""
