"""The check-answers summary of a case, read from the JSON as sent (valid or not), and the rules' decisions.

Each row knows the JSON paths it shows, so that an issue's path finds its row: `pupils[0].date_of_birth`
is the first pupil's "Date of birth" row, `pupils[0].address.postcode` its "Address" row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from service import councils
from service.case import Case
from service.decisions import Decisions
from service.forms._common import notice_lines
from service.rules.threshold import ThresholdResult
from service.text import long_date

NOT_GIVEN = "Not given"
REASONS = {
    "allowed": "Allowed",
    "below_compulsory_school_age": "Not allowed: the pupil was below compulsory school age",
    "above_compulsory_school_age": "Not allowed: the pupil was above compulsory school age",
    "looked_after_child": "Not allowed: a looked-after child",
    "threshold_not_met": "Not allowed: the threshold is not met",
    "third_offence": "Not allowed: two notices were issued to this parent for this child within three years",
    "holiday": "Not for holiday absence",
    "not_england": "Not used in Wales",
}
VARIANTS = {
    "statutory-age": "Pupil of compulsory school age",
    "not-statutory-age": "Pupil not of compulsory school age",
    "not-requested-in-advance": "Leave not requested in advance",
}


@dataclass(frozen=True)
class Row:
    """One summary-list row: its key, its value's lines and the id the error summary links to."""

    key: str
    lines: tuple[str, ...]
    anchor: str


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
    built = [_case(data), _absence(data), _attendance(data)]
    built += [_pupil(p, n) for n, p in enumerate(_list(data.get("pupils")))]
    built += [_parent(p, n) for n, p in enumerate(_list(data.get("parents")))]
    anchors: dict[str, str] = {}
    out = []
    for title, card_path, rows in built:
        anchors[card_path] = anchor(card_path)
        for _, _, paths in rows:
            anchors.update({path: anchor(paths[0]) for path in paths})
        out.append(Card(title, anchor(card_path), tuple(Row(k, v, anchor(p[0])) for k, v, p in rows)))
    anchors["attachments"] = "case-attachments"
    anchors.update({f"attachments[{n}]": anchor(f"attachments[{n}]") for n in range(attachment_count)})
    return tuple(out), anchors


RowSpec = tuple[str, tuple[str, ...], tuple[str, ...]]  # key, value lines, JSON paths (the first: its id)
CardSpec = tuple[str, str, list[RowSpec]]


def _row(key: str, value: Any, *paths: str) -> RowSpec:
    return key, _lines(value), paths


def _case(data: Mapping[str, Any]) -> CardSpec:
    school = _dict(data.get("school"))
    contact = [school.get("contact_name"), school.get("contact_phone"), school.get("contact_email")]
    rows = [
        _row("Council", _council(data.get("council")), "council"),
        _row(
            "School",
            [school.get("name"), _prefixed("URN ", school.get("urn"))],
            "school",
            "school.name",
            "school.urn",
        ),
        _row("Headteacher", school.get("headteacher"), "school.headteacher"),
        _row(
            "School contact",
            [c for c in contact if c],
            "school.contact_name",
            "school.contact_phone",
            "school.contact_email",
        ),
    ]
    if data.get("letter_date"):
        rows.append(_row("Letter date", data["letter_date"], "letter_date"))
    return "Case", "summary", rows


def _absence(data: Mapping[str, Any]) -> CardSpec:
    absence = _dict(data.get("absence"))
    dates = f"{_text(absence.get('start_date'))} to {_text(absence.get('end_date'))}"
    notices = _list(data.get("previous_penalty_notices"))
    rows = [
        _row("Type", absence.get("type"), "absence.type"),
        _row("Dates", dates, "absence.start_date", "absence.end_date"),
        _row("Unauthorised sessions", absence.get("unauthorised_sessions"), "absence.unauthorised_sessions"),
        _row("Leave request", _leave_request(absence.get("leave_request")), "absence.leave_request"),
        _row("Parents responsible", absence.get("responsible_parent_ids"), "absence.responsible_parent_ids"),
        _row("Previous penalty notices", len(notices) or "None", "previous_penalty_notices"),
    ]
    return "Absence", "absence", rows


def _attendance(data: Mapping[str, Any]) -> CardSpec:
    attendance = _dict(data.get("attendance"))
    if not attendance:
        return "Attendance", "attendance", [_row("Attendance", NOT_GIVEN, "attendance")]
    figures = [
        f"{_text(attendance.get(key))} {label}"
        for key, label in (
            ("sessions_possible", "possible"),
            ("sessions_present", "present"),
            ("authorised_absences", "authorised absences"),
            ("unauthorised_absences", "unauthorised absences"),
        )
    ]
    marks = _list(attendance.get("marks"))
    return (
        "Attendance",
        "attendance",
        [
            _row("Figures as of", attendance.get("as_of"), "attendance.as_of"),
            _row(
                "Sessions",
                figures,
                "attendance.sessions_possible",
                "attendance.sessions_present",
                "attendance.authorised_absences",
                "attendance.unauthorised_absences",
            ),
            _row("Register marks", f"{len(marks)} sessions" if marks else "Not sent", "attendance.marks"),
        ],
    )


def _pupil(pupil: Any, n: int) -> CardSpec:
    p = _dict(pupil)
    at = f"pupils[{n}]"
    name = " ".join(str(p.get(k) or "") for k in ("forename", "surname")).strip()
    return (
        f"Pupil {n + 1}",
        at,
        [
            _row("Name", name or NOT_GIVEN, f"{at}.forename", f"{at}.surname"),
            _row("Date of birth", p.get("date_of_birth"), f"{at}.date_of_birth"),
            _row("UPN", p.get("upn"), f"{at}.upn"),
            _row("Address", _address(p.get("address")), f"{at}.address"),
            _row("Lives with", p.get("lives_with"), f"{at}.lives_with"),
            _row("Looked after", p.get("looked_after", False), f"{at}.looked_after"),
        ],
    )


def _parent(parent: Any, n: int) -> CardSpec:
    p = _dict(parent)
    at = f"parents[{n}]"
    address = "Lives at the pupil's address" if p.get("address") is None else _address(p.get("address"))
    return (
        f"Parent {n + 1}",
        at,
        [
            _row("Name", [p.get("full_name"), _prefixed("id ", p.get("id"))], f"{at}.full_name", f"{at}.id"),
            _row("Relationship", p.get("relationship"), f"{at}.relationship"),
            _row(
                "Parental responsibility",
                p.get("parental_responsibility", True),
                f"{at}.parental_responsibility",
            ),
            _row("Address", address, f"{at}.address"),
            _row("Phone", p.get("phone"), f"{at}.phone"),
            _row("Email", p.get("email"), f"{at}.email"),
        ],
    )


def decisions(case: Case | None, found: Decisions | None) -> tuple[Row, ...]:
    """Return what the rules allow, as rows: threshold, each parent × pupil penalty notice, Notice to
    Improve, refusal letter (each pupil's when siblings differ)."""
    if case is None or found is None:
        return ()
    variants = [VARIANTS.get(p.leave_refusal_variant, p.leave_refusal_variant) for p in found.pupils]
    if len(set(variants)) > 1:
        variants = [
            f"{case.pupils[p.index].full_name}: {v}" for p, v in zip(found.pupils, variants, strict=True)
        ]
    rows = [
        ("Unauthorised sessions", _threshold(found.threshold), "threshold"),
        ("Penalty notice", _penalty(case, found), "penalty-notice"),
        (
            "Notice to Improve",
            REASONS.get(found.notice_to_improve.reason, found.notice_to_improve.reason),
            "improve",
        ),
        ("Leave-refusal letter", variants[:1] if len(set(variants)) == 1 else variants, "variant"),
    ]
    return tuple(Row(key, _lines(value), f"decision-{name}") for key, value, name in rows)


def _threshold(threshold: ThresholdResult) -> list[str]:
    source = "the register marks" if threshold.source == "marks" else "the totals sent"
    weeks = threshold.window_school_weeks
    window = f" in {weeks} school weeks" if weeks else ""
    return [
        f"{threshold.sessions}{window}, from {source}; the council's threshold is {threshold.needed}",
        f"Window: {_text(threshold.window_start)} to {_text(threshold.window_end)}",
    ]


def _penalty(case: Case, found: Decisions) -> list[str]:
    """Return one line per liable parent × pupil: a summary never hides a pair that differs."""
    if not found.penalty_notice.notices:
        return [REASONS.get(found.penalty_notice.reason, found.penalty_notice.reason)]
    return notice_lines(case, found)


def _leave_request(request: Any) -> list[str]:
    if not isinstance(request, Mapping):
        return [NOT_GIVEN]
    if not request.get("submitted"):
        return ["Not requested in advance"]
    decided = f"{_text(request.get('decision'))} on {_text(request.get('decided_on'))}"
    return [f"Requested on {_text(request.get('submitted_on'))}", f"Decision: {decided}"]


def _address(address: Any) -> list[str]:
    a = _dict(address)
    lines = [a.get(k) for k in ("line1", "line2", "town", "postcode")]
    return [str(line) for line in lines if line] or [NOT_GIVEN]


def _council(council: Any) -> str:
    if isinstance(council, str) and council in councils.ids():
        return councils.get(council).name
    return _text(council)


def _prefixed(prefix: str, value: Any) -> str | None:
    return f"{prefix}{value}" if value else None


def _lines(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        lines = tuple(_text(v) for v in value if v is not None and v != "")
        return lines or (NOT_GIVEN,)
    return (_text(value),)


def _text(value: Any) -> str:
    """Return a value as a person reads it: dates written out, yes or no, `Not given` for nothing."""
    if value is None or value == "":
        return NOT_GIVEN
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return long_date(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return long_date(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)[:500]


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
