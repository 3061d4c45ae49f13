"""The case schema: unknown and missing keys, error paths and codes, lenient loading, attachments."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from service import councils
from service.case import Case
from service.case import Mark
from service.case.schema import load_case
from service.validation import validate
from tests.conftest import FAMILIES
from tests.conftest import family_case

Loader = Callable[[str], dict[str, Any]]

EXAMPLES = sorted(FAMILIES)


@pytest.fixture
def case() -> Loader:
    """The examples' families, each at a council with no file of its country: the schema's tests name no
    council (tests/conftest.py FAMILIES)."""
    return family_case


def at(data: dict[str, Any], path: str) -> Any:
    """Return the part of a case at a JSON path such as `pupils[1].address` ("" is the case)."""
    node: Any = data
    for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        node = node[int(index)] if index else node[key]
    return node


def issues(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Return the (path, code) of each error load_case finds."""
    _, errors = load_case(data)
    return [(i.path, i.code) for i in errors]


def joined(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_load_without_errors(case: Loader, name: str) -> None:
    loaded, errors = load_case(case(name))
    assert errors == []
    assert isinstance(loaded, Case)
    assert loaded.council == case(name)["council"]


def test_loaded_case_is_normalised(case: Loader) -> None:
    data = case("holiday-two-children")
    data["parents"][0]["phone"] = "+447700900111"
    loaded, errors = load_case(data)
    assert errors == []
    assert loaded.pupils[0].address.postcode == "BA14 9QZ"  # sent as "ba14 9qz"
    assert loaded.parents[0].phone == "07700 900111"
    assert loaded.parents[0].language == "en"  # case-format.md: `en` by default
    assert loaded.parents[1].address is None  # null: lives at the pupil's address
    assert loaded.absence.responsible_parent_ids == ("p1", "p2")
    assert loaded.absence.start_date == date(2026, 10, 5)
    assert loaded.letter_date == date(2026, 10, 16)


def test_marks_codes_are_upper_cased(case: Loader) -> None:
    data = case("irregular-with-marks")
    data["attendance"]["marks"] = [{"date": "2026-09-14", "session": "AM", "code": "n"},
                                   {"date": "2026-09-14", "session": "PM", "code": "l"}]
    loaded, errors = load_case(data)
    assert errors == []
    assert loaded.attendance.marks == (Mark(date(2026, 9, 14), "AM", "N"),
                                       Mark(date(2026, 9, 14), "PM", "L"))


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("holiday-two-children", ""),
        ("holiday-two-children", "school"),
        ("holiday-two-children", "pupils[0]"),
        ("holiday-two-children", "pupils[1].address"),
        ("holiday-two-children", "parents[1]"),
        ("holiday-parents-apart", "parents[1].address"),
        ("holiday-two-children", "absence"),
        ("holiday-two-children", "absence.leave_request"),
        ("holiday-two-children", "attendance"),
        ("irregular-with-marks", "attendance.marks[3]"),
        ("irregular-one-child", "support_offered[1]"),
    ],
)
def test_unknown_key_is_refused_with_its_path(case: Loader, name: str, where: str) -> None:
    # style.md 9 / case-format.md: unknown keys are refused (marshmallow RAISE), never dropped.
    data = case(name)
    at(data, where)["nickname"] = "x"
    assert issues(data) == [(joined(where, "nickname"), "unknown_field")]


def test_unknown_key_in_a_previous_notice_is_refused(case: Loader) -> None:
    data = case("holiday-two-children")
    data["previous_penalty_notices"] = [{"parent_id": "p1", "pupil_upn": "U865204225011",
                                         "issued_on": "2025-01-10", "amount": 80}]
    assert issues(data) == [("previous_penalty_notices[0].amount", "unknown_field")]


def test_misspelt_field_is_both_unknown_and_missing(case: Loader) -> None:
    data = case("holiday-two-children")
    data["pupils"][0]["surame"] = data["pupils"][0].pop("surname")
    assert sorted(issues(data)) == [("pupils[0].surame", "unknown_field"),
                                    ("pupils[0].surname", "required")]


@pytest.mark.parametrize(
    ("name", "where", "key"),
    [
        ("holiday-two-children", "", "council"),
        ("holiday-two-children", "", "school"),
        ("holiday-two-children", "", "pupils"),
        ("holiday-two-children", "", "parents"),
        ("holiday-two-children", "", "absence"),
        ("holiday-two-children", "school", "name"),
        ("holiday-two-children", "school", "urn"),
        ("holiday-two-children", "school", "contact_phone"),
        ("holiday-two-children", "pupils[1]", "upn"),
        ("holiday-two-children", "pupils[0]", "date_of_birth"),
        ("holiday-two-children", "pupils[0]", "gender"),
        ("holiday-two-children", "pupils[1]", "address"),
        ("holiday-two-children", "pupils[1].address", "postcode"),
        ("holiday-two-children", "pupils[0].address", "line1"),
        ("holiday-two-children", "parents[1]", "id"),
        ("holiday-two-children", "parents[0]", "full_name"),
        ("holiday-parents-apart", "parents[1].address", "town"),
        ("holiday-two-children", "absence", "type"),
        ("holiday-two-children", "absence", "start_date"),
        ("holiday-two-children", "absence", "end_date"),
        ("holiday-two-children", "absence", "unauthorised_sessions"),
        ("holiday-two-children", "absence.leave_request", "submitted"),
        ("holiday-two-children", "attendance", "as_of"),
        ("holiday-two-children", "attendance", "sessions_possible"),
        ("irregular-with-marks", "attendance.marks[3]", "code"),
        ("irregular-with-marks", "attendance.marks[0]", "date"),
        ("irregular-one-child", "support_offered[0]", "description"),
    ],
)
def test_missing_required_field_is_named_by_path(case: Loader, name: str, where: str,
                                                 key: str) -> None:
    data = case(name)
    del at(data, where)[key]
    assert issues(data) == [(joined(where, key), "required")]


@pytest.mark.parametrize(
    "key",
    ["attendance", "previous_penalty_notices", "court_orders_restricting_information",
     "other_information", "letter_date", "support_offered", "improvement_period_weeks"],
)
def test_optional_top_level_field_may_be_left_out(case: Loader, key: str) -> None:
    # case-format.md: optional fields; absent means the rules pick a default.
    data = case("irregular-one-child")
    del data[key]
    loaded, errors = load_case(data)
    assert errors == []
    assert isinstance(loaded, Case)


@pytest.mark.parametrize(
    ("name", "where", "key", "value", "path", "code"),
    [
        ("holiday-two-children", "pupils[1].address", "postcode", "XYZ",
         "pupils[1].address.postcode", "invalid_postcode"),
        ("holiday-parents-apart", "parents[1].address", "postcode", "DT1",
         "parents[1].address.postcode", "invalid_postcode"),
        ("holiday-two-children", "pupils[1]", "upn", "A865204225012", "pupils[1].upn", "invalid_upn"),
        ("holiday-two-children", "parents[1]", "phone", "12345", "parents[1].phone", "invalid_phone"),
        ("holiday-two-children", "school", "contact_phone", "+1 202 555 0143",
         "school.contact_phone", "invalid_phone"),
        ("holiday-two-children", "parents[0]", "email", "hannah", "parents[0].email", "invalid_email"),
        ("holiday-two-children", "school", "inclusion_lead_email", "a@b",
         "school.inclusion_lead_email", "invalid_email"),
        ("holiday-two-children", "pupils[1]", "date_of_birth", "20/11/2018",
         "pupils[1].date_of_birth", "invalid_date"),
        ("holiday-two-children", "absence", "end_date", "2026-13-01", "absence.end_date",
         "invalid_date"),
        ("holiday-two-children", "absence", "start_date", 20261005, "absence.start_date",
         "invalid_date"),
        ("irregular-one-child", "school", "upcoming_inset_days", ["2026-11-27", "27/11/2026"],
         "school.upcoming_inset_days[1]", "invalid_date"),
        ("irregular-with-marks", "attendance.marks[1]", "code", "?",
         "attendance.marks[1].code", "invalid_mark"),
        ("irregular-with-marks", "attendance.marks[2]", "code", "NN",
         "attendance.marks[2].code", "invalid_mark"),
        ("irregular-with-marks", "attendance.marks[5]", "session", "EV",
         "attendance.marks[5].session", "invalid_session"),
        ("holiday-two-children", "absence", "type", "truancy", "absence.type", "invalid_absence_type"),
        ("holiday-two-children", "pupils[0]", "gender", "female", "pupils[0].gender",
         "invalid_gender"),
        ("welsh-holiday", "parents[0]", "language", "fr", "parents[0].language",
         "invalid_language"),
        ("holiday-two-children", "absence.leave_request", "decision", "maybe",
         "absence.leave_request.decision", "invalid_decision"),
        ("holiday-two-children", "absence", "grounds", ["not_requested", "weather"],
         "absence.grounds[1]", "invalid_ground"),
        ("irregular-one-child", "", "improvement_period_weeks", 2, "improvement_period_weeks",
         "out_of_range"),  # rules.md NTI 6: between 3 and 6 school weeks
        ("irregular-one-child", "", "improvement_period_weeks", 7, "improvement_period_weeks",
         "out_of_range"),
        ("holiday-two-children", "absence", "unauthorised_sessions", "10",
         "absence.unauthorised_sessions", "invalid_type"),  # strict integers
        ("holiday-two-children", "absence", "unauthorised_sessions", -1,
         "absence.unauthorised_sessions", "out_of_range"),
        ("holiday-two-children", "attendance", "sessions_present", 1001,
         "attendance.sessions_present", "out_of_range"),
        ("holiday-two-children", "school", "name", "   ", "school.name", "blank"),
        ("holiday-two-children", "", "other_information", "x" * 2001, "other_information",
         "too_long"),
        ("holiday-two-children", "", "pupils", [], "pupils", "required"),
        ("holiday-two-children", "", "parents", [], "parents", "required"),
        ("holiday-two-children", "", "council", None, "council", "null"),
        ("holiday-two-children", "pupils[0]", "looked_after", "perhaps", "pupils[0].looked_after",
         "invalid_type"),
    ],
)
def test_bad_value_is_named_by_path_and_code(case: Loader, name: str, where: str, key: str,
                                             value: Any, path: str, code: str) -> None:
    data = case(name)
    at(data, where)[key] = value
    assert issues(data) == [(path, code)]


@pytest.mark.parametrize("weeks", [3, 6])
def test_improvement_period_bounds_are_accepted(case: Loader, weeks: int) -> None:
    # rules.md NTI 6: between 3 and 6 school weeks.
    data = case("irregular-one-child")
    data["improvement_period_weeks"] = weeks
    loaded, errors = load_case(data)
    assert errors == []
    assert loaded.improvement_period_weeks == weeks


def test_several_errors_are_all_reported(case: Loader) -> None:
    data = case("holiday-two-children")
    data["pupils"][1]["address"]["postcode"] = "XYZ"
    data["parents"][0]["phone"] = "12345"
    data["absence"]["end_date"] = "09/10/2026"
    assert sorted(issues(data)) == [("absence.end_date", "invalid_date"),
                                    ("parents[0].phone", "invalid_phone"),
                                    ("pupils[1].address.postcode", "invalid_postcode")]


# A council id is exact: a known id in capitals or with spaces is not that council (and one with no file
# must say so in council_details).
KNOWN = next(c for c in councils.ids() if "-" in c)
NOT_IDS = ["cornwall", KNOWN.title(), KNOWN.replace("-", " "), councils.ids()[0].upper(), ""]


@pytest.mark.parametrize("council", NOT_IDS)
def test_unknown_council_is_refused_with_the_known_ones(case: Loader, council: str) -> None:
    # case-format.md: unknown ids are refused with the list of known ones (unless council_details
    # names a council with no file: the national rules then apply).
    data = case("holiday-two-children")
    data["council"] = council
    del data["council_details"]
    loaded, errors = load_case(data)
    assert loaded is None
    assert [(i.path, i.code) for i in errors] == [("council", "unknown_council")]
    assert all(known in errors[0].message for known in councils.ids())
    assert "council_details" in errors[0].message


@pytest.mark.parametrize(
    ("details", "paths"),
    [
        ({"name": "Northbury Council", "country": "england"}, ["council_details.email"]),
        ({"country": "wales", "email": "pn@northbury.example.gov.uk"}, ["council_details.name"]),
        ({"name": "Northbury Council", "email": "pn@northbury.example.gov.uk"}, ["council_details.country"]),
        ({"name": "N", "country": "scotland", "email": "pn@northbury.example.gov.uk"},
         ["council_details.country"]),
        ({"name": "N", "country": "england", "url": "http://insecure.example"}, ["council_details.url"]),
    ],
)
def test_a_council_with_no_file_needs_its_name_country_and_route(case: Loader, details, paths) -> None:
    data = case("two-children-no-file")
    data["council_details"] = details
    _, errors = load_case(data)
    assert [i.path for i in errors] == paths


# ---------------------------------------------------------------------------------------------
# Lenient loading: a case whose only faults are formats still loads, with its errors.


@pytest.mark.parametrize(
    ("where", "key", "value", "read"),
    [
        ("pupils[0]", "upn", "A865204225011", lambda c: c.pupils[0].upn),
        ("pupils[1].address", "postcode", "nowhere", lambda c: c.pupils[1].address.postcode),
        ("parents[1]", "phone", "12345", lambda c: c.parents[1].phone),
        ("parents[0]", "email", "hannah", lambda c: c.parents[0].email),
        ("school", "contact_phone", "0", lambda c: c.school.contact_phone),
    ],
)
def test_format_error_alone_still_loads_leniently(case: Loader, where: str, key: str, value: str,
                                                  read: Callable[[Case], str]) -> None:
    data = case("holiday-two-children")
    at(data, where)[key] = value
    loaded, errors = load_case(data)
    assert isinstance(loaded, Case)
    assert read(loaded) == value  # kept as sent
    assert len(errors) == 1
    assert errors[0].path == joined(where, key)
    assert errors[0].code.startswith("invalid_")


def test_format_errors_still_get_decisions(case: Loader) -> None:
    data = case("holiday-two-children")
    data["pupils"][0]["upn"] = "A865204225011"
    data["parents"][1]["phone"] = "12345"
    report, loaded = validate(data)
    assert loaded is not None
    assert report.valid is False
    assert [(i.path, i.code) for i in report.errors] == [("pupils[0].upn", "invalid_upn"),
                                                         ("parents[1].phone", "invalid_phone")]
    assert report.as_dict()["decisions"]["penalty_notice"]["allowed"] is True
    assert report.as_dict()["decisions"]["threshold_met"] is True


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ("", "nickname", "x"),  # unknown key
        ("absence", "start_date", "05/10/2026"),  # a date the rules need
        ("", "council", "cornwall"),
        ("absence", "unauthorised_sessions", "ten"),
        ("pupils[0]", "gender", "female"),
    ],
)
def test_non_format_error_does_not_load(case: Loader, where: str, key: str, value: Any) -> None:
    data = case("holiday-two-children")
    if key == "council":
        del data["council_details"]  # a council the service has no file for, and no details to go on
    at(data, where)[key] = value
    loaded, errors = load_case(data)
    assert loaded is None
    assert [i.path for i in errors] == [joined(where, key)]


def test_format_error_beside_a_structural_one_does_not_load(case: Loader) -> None:
    data = case("holiday-two-children")
    data["pupils"][0]["upn"] = "A865204225011"
    del data["absence"]["start_date"]
    loaded, errors = load_case(data)
    assert loaded is None
    assert sorted((i.path, i.code) for i in errors) == [("absence.start_date", "required"),
                                                        ("pupils[0].upn", "invalid_upn")]


# ---------------------------------------------------------------------------------------------
# Attachments inside the JSON (case-format.md: content_base64)


def attachment(content: Any, kind: str = "attendance_certificate", **more: Any) -> dict[str, Any]:
    return {"kind": kind, "filename": "certificate.pdf", "content_base64": content, **more}


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        ("JVBERi0xLjQ=", b"%PDF-1.4"),
        ("JVBERi0xLjcKJeLjz9M=", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3"),
        ("AAEC", b"\x00\x01\x02"),
        ("", b""),
    ],
)
def test_attachment_content_is_base64_decoded(case: Loader, encoded: str, decoded: bytes) -> None:
    data = case("holiday-two-children")
    data["attachments"] = [attachment(encoded)]
    loaded, errors = load_case(data)
    assert errors == []
    assert loaded.attachments[0].content == decoded
    assert loaded.attachments[0].kind == "attendance_certificate"
    assert loaded.attachments[0].filename == "certificate.pdf"


@pytest.mark.parametrize(
    ("encoded", "code"),
    [
        ("not base64!!", "invalid_base64"),
        ("JVBERi0xLjQ", "invalid_base64"),  # padding missing
        ("JVBE Ri0x LjQ=", "invalid_base64"),  # blanks are not base64
        ("JVBERi0xLjQ=\n", "invalid_base64"),
        ("%PDF-1.4", "invalid_base64"),  # raw bytes sent as text
        (12345, "invalid_type"),
        (None, "null"),
    ],
)
def test_invalid_attachment_content_is_refused(case: Loader, encoded: Any, code: str) -> None:
    data = case("holiday-two-children")
    data["attachments"] = [attachment("JVBERi0xLjQ="), attachment(encoded)]
    loaded, errors = load_case(data)
    assert loaded is None  # not a format the rules can do without
    assert [(i.path, i.code) for i in errors] == [("attachments[1].content_base64", code)]


@pytest.mark.parametrize(
    ("change", "path", "code"),
    [
        ({"kind": "passport"}, "attachments[0].kind", "invalid_attachment_kind"),
        ({"content": "JVBERi0xLjQ="}, "attachments[0].content", "unknown_field"),
        ({"filename": "x" * 256}, "attachments[0].filename", "too_long"),
    ],
)
def test_invalid_attachment_fields_are_refused(case: Loader, change: dict[str, Any], path: str,
                                               code: str) -> None:
    data = case("holiday-two-children")
    data["attachments"] = [{**attachment("JVBERi0xLjQ="), **change}]
    assert issues(data) == [(path, code)]


def test_attachment_filename_defaults_to_empty(case: Loader) -> None:
    data = case("holiday-two-children")
    data["attachments"] = [{"kind": "holiday_letter", "content_base64": "JVBERi0xLjQ="}]
    loaded, errors = load_case(data)
    assert errors == []
    assert loaded.attachments[0].filename == ""
    assert loaded.attachments[0].kind == "holiday_letter"
