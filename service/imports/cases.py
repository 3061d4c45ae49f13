"""Build one case of the contract per imported pupil, from the request's `case` part and the export."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from marshmallow import ValidationError

from service import councils
from service.case.fields import normalise_phone
from service.case.schema import CaseSchema
from service.case.schema import CouncilRefSchema
from service.case.schema import SchoolSchema
from service.imports import ParsedPupil
from service.imports import csv_import
from service.imports.marks import plausible
from service.problems import Problem
from service.report import Issue
from service.report import issues_from_marshmallow

CSV_OPTIONS = frozenset({"mapping", "week_start", "codes"})  # the case part's keys for reading a CSV
FROM_EXPORT = ("pupils", "parents")  # the export says who the pupils and parents are, never the case part
PER_CASE = ("attachments",)  # a file belongs to one pupil's case, not to every case of a school


@dataclass(frozen=True)
class Defaults:
    """The request's `case` part, checked once: council, school, values for every case, CSV mapping."""

    council: councils.Council
    data: dict[str, Any]
    today: date
    mapping: dict[str, Any] = field(default_factory=dict)
    csv: Any = None  # csv_import.Options: the week of a weekly export, a code look-up table


def defaults(part: Mapping[str, Any], kind: str) -> Defaults:
    """Check the `case` part once (422 `invalid_import_case` listing every fault) and return it."""
    errors = _unknown_keys(part, kind) + _council(part) + _school(part)
    mapping = part.get("mapping") or {}
    if not _mapping_shape(mapping):
        errors.append(
            Issue(
                "mapping",
                "invalid_mapping",
                "mapping is an object of field → column header, for both files or per file "
                '({"register": {…}, "pupils": {…}}).',
            )
        )
    if kind == "csv":
        errors += [Issue(path, code, message) for path, code, message in csv_import.options_problems(part)]
    today = _letter_date(part, errors)
    if errors:
        raise Problem(
            422,
            "invalid_import_case",
            "The case part cannot be applied",
            "; ".join(f"{e.path}: {e.code}" for e in errors),
            {"errors": [e.as_dict() for e in errors]},
        )
    data = {k: v for k, v in part.items() if k not in CSV_OPTIONS}
    options = csv_import.Options.of(part) if kind == "csv" else None
    return Defaults(_resolve(part), data, today, dict(mapping), options)


def _mapping_shape(mapping: Any) -> bool:
    if not isinstance(mapping, dict):
        return False
    for key, value in mapping.items():
        if key in csv_import.SHEETS and isinstance(value, dict):
            if not all(isinstance(v, str) for v in value.values()):
                return False
        elif not isinstance(value, str):
            return False
    return True


def _unknown_keys(part: Mapping[str, Any], kind: str) -> list[Issue]:
    known = set(CaseSchema().fields) | (CSV_OPTIONS if kind == "csv" else set())
    issues = [Issue(k, "unknown_field", "Not a field of the case part.") for k in part if k not in known]
    issues += [
        Issue(k, "from_export", f"{k} come from the export; send them there, not in the case part.")
        for k in FROM_EXPORT
        if k in part
    ]
    issues += [
        Issue(k, "not_for_imports", "Attachments belong to one pupil's case: add them when you send it.")
        for k in PER_CASE
        if k in part
    ]
    return issues


def _council(part: Mapping[str, Any]) -> list[Issue]:
    """Check the part's council as a case's is: one with a file, or `council_details` (name, country,
    route) for one without, under its country's national rules."""
    try:
        CouncilRefSchema().load(_council_ref(part))
    except ValidationError as exc:
        return issues_from_marshmallow(exc.messages)
    return []


def _council_ref(part: Mapping[str, Any]) -> dict[str, Any]:
    return {k: part[k] for k in ("council", "council_details") if k in part}


def _resolve(part: Mapping[str, Any]) -> councils.Council:
    """Return the part's council (checked by `_council`): its file, else its country's national default."""
    ref = CouncilRefSchema().load(_council_ref(part))
    return councils.resolve(ref["council"], ref["council_details"])


def _school(part: Mapping[str, Any]) -> list[Issue]:
    if "school" not in part:
        return [Issue("school", "required", "The school block is needed: every case carries it.")]
    try:
        SchoolSchema().load(part.get("school"))
    except ValidationError as exc:
        return issues_from_marshmallow(exc.messages, ("school",))
    return []


def _letter_date(part: Mapping[str, Any], errors: list[Issue]) -> date:
    value = part.get("letter_date")
    if value is None:
        return date.today()
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        day = None
    if day is None or not plausible(day):
        message = "letter_date is a date written YYYY-MM-DD, in the years 1900–2099."
        errors.append(Issue("letter_date", "invalid_date", message))
        return date.today()
    return day


def same_home(a: Mapping[str, str] | None, b: Mapping[str, str] | None) -> bool:
    """Return whether two addresses are one home: first line and postcode, any case and spacing."""
    if not a or not b:
        return False

    def key(x: Mapping[str, str]) -> tuple[str, str]:
        return (" ".join(x.get("line1", "").lower().split()), x.get("postcode", "").replace(" ", "").upper())

    return key(a) == key(b)


def best_phone(phones: tuple[str, ...]) -> str | None:
    """Return the first number that is a UK phone, else the first as sent (validation reports it)."""
    if len(phones) <= 1:  # nothing to choose between: the case's validation parses it once
        return phones[0] if phones else None
    return next((p for p in phones if normalise_phone(p)), phones[0] if phones else None)


def parents(parsed: ParsedPupil) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the contacts with parental responsibility as parents, and whom the pupil lives with."""
    home = parsed.pupil.get("address")
    out = []
    for n, contact in enumerate((c for c in parsed.contacts if c.responsibility), start=1):
        address = None if contact.address is None or same_home(contact.address, home) else contact.address
        out.append(
            {
                "id": f"p{n}",
                "full_name": contact.full_name,
                "relationship": contact.relationship,
                "parental_responsibility": True,
                "address": address,
                "phone": best_phone(contact.phones),
                "email": contact.email,
            }
        )
    if parsed.contacts and not out:
        parsed.add(
            "parents",
            "no_parental_responsibility",
            "No contact of this pupil has parental responsibility in the export: "
            "letters and notices have no one to go to.",
        )
    return out, [p["id"] for p in out if p["address"] is None]


def case_data(
    parsed: ParsedPupil,
    given: Defaults,
    absence: dict[str, Any],
    attendance: dict[str, Any] | None,
) -> dict[str, Any]:
    """Return the pupil's case: the case part's values, the export's people, the scan's absence."""
    people, lives_with = parents(parsed)
    data = dict(given.data)
    data["pupils"] = [{**parsed.pupil, "lives_with": lives_with}]
    data["parents"] = people
    data["absence"] = {**(given.data.get("absence") or {}), **absence}
    if attendance is not None:
        data["attendance"] = {**(given.data.get("attendance") or {}), **attendance}
    return data
