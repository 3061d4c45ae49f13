"""The check-answers summary of a case, read from the JSON as sent (valid or not), and the rules' decisions.

Each row knows the JSON paths it shows, so that an issue's path finds its row: `pupils[0].date_of_birth`
is the first pupil's "Date of birth" row, `pupils[0].address.postcode` its "Address" row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from service import councils
from service import forms
from service.web import language
from service.web import people
from service.web import words

NOT_GIVEN = _l("Not given")


@dataclass(frozen=True)
class Row:
    """One summary-list row: its key, its value's lines and the id the error summary links to."""

    key: str
    lines: tuple[str, ...]
    anchor: str
    remove: str | None = None  # a history entry's Remove button value: `previous_letters.0`


@dataclass(frozen=True)
class Card:
    """A summary card: a titled group of rows (the case, the absence, a pupil, a parent)."""

    title: str
    anchor: str
    rows: tuple[Row, ...]


def anchor(path: str) -> str:
    """Return the element id of a JSON path: `pupils[0].date_of_birth` → `case-pupils-0-date-of-birth`."""
    return "case-" + (re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-").lower() or "summary")


def cards(data: Mapping[str, Any], attachment_count: int) -> tuple[tuple[Card, ...], dict[str, str]]:
    """Return the summary cards of a case and the anchor of every JSON path a row or card shows."""
    built = [_case(data), _absence(data), _history(data), _attendance(data)]
    built += [_pupil(data, p, n) for n, p in enumerate(_list(data.get("pupils")))]
    built += [_parent(data, p, n) for n, p in enumerate(_list(data.get("parents")))]
    anchors: dict[str, str] = {}
    out = []
    for title, card_path, rows in built:
        anchors[card_path] = anchor(card_path)
        for _key, _value, paths in rows:
            anchors.update({path: anchor(paths[0]) for path in paths})
        out.append(
            Card(title, anchor(card_path), tuple(Row(k, v, anchor(p[0]), _removal(p[0])) for k, v, p in rows))
        )
    anchors["attachments"] = "case-attachments"
    anchors.update({f"attachments[{n}]": anchor(f"attachments[{n}]") for n in range(attachment_count)})
    return tuple(out), anchors


def _removal(path: str) -> str | None:
    found = HISTORY_ENTRY.match(path)
    return f"{found.group(1)}.{found.group(2)}" if found else None


HISTORY_ENTRY = re.compile(r"^(previous_[a-z_]+)\[(\d+)\]$")
RowSpec = tuple[str, tuple[str, ...], tuple[str, ...]]  # key, value lines, JSON paths (the first: its id)
CardSpec = tuple[str, str, list[RowSpec]]
ABSENCE_TYPES = {"holiday": _l("Holiday in term time"), "irregular": _l("Irregular attendance")}


def _row(key: str, value: Any, *paths: str) -> RowSpec:
    return str(key), _lines(value), paths


def _case(data: Mapping[str, Any]) -> CardSpec:
    school = _dict(data.get("school"))
    contact = [
        school.get("contact_name"),
        people.phone(school.get("contact_phone")) if school.get("contact_phone") else None,
        school.get("contact_email"),
    ]
    rows = [
        _row(_("Council"), _council(data.get("council")), "council"),
        _row(
            _("School"),
            [school.get("name"), _prefixed("URN ", school.get("urn"))],
            "school",
            "school.name",
            "school.urn",
        ),
        _row(_("Headteacher"), school.get("headteacher"), "school.headteacher"),
        _row(
            _("School contact"),
            [c for c in contact if c],
            "school.contact_name",
            "school.contact_phone",
            "school.contact_email",
        ),
    ]
    if data.get("letter_date"):
        rows.append(_row(_("Letter date"), data["letter_date"], "letter_date"))
    return _("Case"), "summary", rows


def _absence(data: Mapping[str, Any]) -> CardSpec:
    absence = _dict(data.get("absence"))
    dates = _(
        "%(start)s to %(end)s", start=_text(absence.get("start_date")), end=_text(absence.get("end_date"))
    )
    kind = absence.get("type")
    responsible = absence.get("responsible_parent_ids")
    rows = [
        _row(_("Type"), ABSENCE_TYPES.get(kind, kind) if isinstance(kind, str) else kind, "absence.type"),
        _row(_("Dates"), dates, "absence.start_date", "absence.end_date"),
        _row(
            _("Unauthorised sessions"), absence.get("unauthorised_sessions"), "absence.unauthorised_sessions"
        ),
        _row(_("Leave request"), _leave_request(absence.get("leave_request")), "absence.leave_request"),
        _row(
            _("Parents responsible"),
            people.parents_named(data, responsible)
            if responsible
            else _("Every parent with parental responsibility"),
            "absence.responsible_parent_ids",
        ),
    ]
    return _("Absence"), "absence", rows


def _history(data: Mapping[str, Any]) -> CardSpec:
    """The case's history, an entry a row (each with its Remove button): earlier penalty notices, Notices
    to Improve and letters, by person and date, and why support was not appropriate."""
    rows: list[RowSpec] = []
    for n, item in enumerate(map(_dict, _list(data.get("previous_penalty_notices")))):
        text = _(
            "%(parent)s, for %(pupil)s: issued on %(date)s",
            **_pair(data, item),
            date=_text(item.get("issued_on")),
        )
        rows.append(_entry(_("Earlier penalty notice"), text, f"previous_penalty_notices[{n}]"))
    for n, item in enumerate(map(_dict, _list(data.get("previous_notices_to_improve")))):
        text = _(
            "%(parent)s, for %(pupil)s: issued on %(date)s, improvement period ended %(end)s",
            **_pair(data, item),
            date=_text(item.get("issued_on")),
            end=_text(item.get("period_end")),
        )
        rows.append(_entry(_("Earlier Notice to Improve"), text, f"previous_notices_to_improve[{n}]"))
    for n, item in enumerate(map(_dict, _list(data.get("previous_letters")))):
        text = _(
            "%(letter)s, sent on %(date)s",
            letter=_document(item.get("document")),
            date=_text(item.get("sent_on")),
        ) + "".join(f" ({w})" for w in [_to_whom(data, item)] if w)
        rows.append(_entry(_("Letter already sent"), text, f"previous_letters[{n}]"))
    if not rows:
        rows.append(
            _row(
                _("Earlier notices and letters"),
                _("None: add them under “Add to the case’s history”"),
                "previous_penalty_notices",
                "previous_notices_to_improve",
                "previous_letters",
            )
        )
    reason = _dict(data.get("support_not_appropriate")).get("reason")
    if reason:
        rows.append(_row(_("Why a Notice to Improve is not appropriate"), reason, "support_not_appropriate"))
    return _("History"), "history", rows


def _entry(key: str, text: str, path: str) -> RowSpec:
    return str(key), (text,), (path, path.split("[")[0])


def _pair(data: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, str]:
    parent = people.parent_by_id(data, item.get("parent_id")) or _("a parent the case does not list")
    pupil = people.pupil_by_upn(data, item.get("pupil_upn")) or _("a pupil the case does not list")
    return {"parent": parent, "pupil": pupil}


def _to_whom(data: Mapping[str, Any], item: Mapping[str, Any]) -> str:
    names = [
        name
        for name in (
            people.parent_by_id(data, item.get("parent_id")) if item.get("parent_id") else None,
            people.pupil_by_upn(data, item.get("pupil_upn")) if item.get("pupil_upn") else None,
        )
        if name
    ]
    return ", ".join(names)


def _document(document_id: Any) -> str:
    known = str(document_id) in forms.ids() or str(document_id) in words.TITLES  # a warning letter too
    return words.title(str(document_id)) if known else _("a letter")


def _attendance(data: Mapping[str, Any]) -> CardSpec:
    attendance = _dict(data.get("attendance"))
    if not attendance:
        return _("Attendance"), "attendance", [_row(_("Attendance"), NOT_GIVEN, "attendance")]
    figures = [
        _("%(count)s possible", count=_text(attendance.get("sessions_possible"))),
        _("%(count)s present", count=_text(attendance.get("sessions_present"))),
        _("%(count)s authorised absences", count=_text(attendance.get("authorised_absences"))),
        _("%(count)s unauthorised absences", count=_text(attendance.get("unauthorised_absences"))),
    ]
    marks = _list(attendance.get("marks"))
    return (
        _("Attendance"),
        "attendance",
        [
            _row(_("Figures as of"), attendance.get("as_of"), "attendance.as_of"),
            _row(
                _("Sessions"),
                figures,
                "attendance.sessions_possible",
                "attendance.sessions_present",
                "attendance.authorised_absences",
                "attendance.unauthorised_absences",
            ),
            _row(
                _("Register marks"),
                _("%(count)s sessions", count=len(marks)) if marks else _("Not sent"),
                "attendance.marks",
            ),
        ],
    )


def _pupil(data: Mapping[str, Any], pupil: Any, n: int) -> CardSpec:
    p = _dict(pupil)
    at = f"pupils[{n}]"
    name = " ".join(str(p.get(k) or "") for k in ("forename", "surname")).strip()
    lives_with = p.get("lives_with")
    return (
        _("%(name)s (pupil)", name=people.pupil_name(data, n)),
        at,
        [
            _row(_("Name"), name or NOT_GIVEN, f"{at}.forename", f"{at}.surname"),
            _row(_("Date of birth"), p.get("date_of_birth"), f"{at}.date_of_birth"),
            _row(_("UPN"), p.get("upn"), f"{at}.upn"),
            _row(_("Address"), _address(p.get("address")), f"{at}.address"),
            _row(
                _("Lives with"),
                people.parents_named(data, lives_with) if lives_with else None,
                f"{at}.lives_with",
            ),
            _row(_("Looked after"), p.get("looked_after", False), f"{at}.looked_after"),
        ],
    )


def _parent(data: Mapping[str, Any], parent: Any, n: int) -> CardSpec:
    p = _dict(parent)
    at = f"parents[{n}]"
    address = _("Lives at the pupil's address") if p.get("address") is None else _address(p.get("address"))
    return (
        people.parent_name(data, n),
        at,
        [
            _row(_("Name"), p.get("full_name"), f"{at}.full_name", f"{at}.id"),
            _row(_("Relationship"), people.relationship(p.get("relationship")), f"{at}.relationship"),
            _row(
                _("Parental responsibility"),
                p.get("parental_responsibility", True),
                f"{at}.parental_responsibility",
            ),
            _row(_("Address"), address, f"{at}.address"),
            _row(_("Phone"), people.phone(p.get("phone")) if p.get("phone") else None, f"{at}.phone"),
            _row(_("Email"), p.get("email"), f"{at}.email"),
            _row(
                _("Letters in"),
                LETTER_LANGUAGES.get(p.get("language") or "en", p.get("language")),
                f"{at}.language",
            ),
        ],
    )


LETTER_LANGUAGES = {"en": _l("English"), "cy": _l("Welsh and English")}


DECISIONS = {"refused": _l("refused"), "approved": _l("approved"), "pending": _l("not decided yet")}


def _leave_request(request: Any) -> list[str]:
    if not isinstance(request, Mapping):
        return [str(NOT_GIVEN)]
    if not request.get("submitted"):
        return [_("Not requested in advance")]
    decision = request.get("decision")
    return [
        _("Requested on %(date)s", date=_text(request.get("submitted_on"))),
        _(
            "Decision: %(decision)s on %(date)s",
            decision=DECISIONS.get(decision, decision) if isinstance(decision, str) else _text(decision),
            date=_text(request.get("decided_on")),
        ),
    ]


def _address(address: Any) -> list[str]:
    a = _dict(address)
    lines = [a.get(k) for k in ("line1", "line2", "town")] + [people.postcode(a.get("postcode"))]
    return [str(line) for line in lines if line] or [str(NOT_GIVEN)]


def _council(council: Any) -> str:
    if isinstance(council, str) and council in councils.ids():
        return councils.get(council).name
    return _text(council)


def _prefixed(prefix: str, value: Any) -> str | None:
    return f"{prefix}{value}" if value else None


def _lines(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        lines = tuple(_text(v) for v in value if v is not None and v != "")
        return lines or (str(NOT_GIVEN),)
    return (_text(value),)


def _text(value: Any) -> str:
    """Return a value as a person reads it: dates written out, yes or no, `Not given` for nothing."""
    if value is None or value == "":
        return str(NOT_GIVEN)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    printed = people.day(value, language.current())
    return printed if printed else str(value)[:500]


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
