"""One personal-text rule, checked once in validation, for every output: validate, the request form and the
letters agree."""

from __future__ import annotations

import json

import pytest
from marshmallow import Schema
from marshmallow import fields

from service.case.fields import PersonalText
from service.case.fields import character_problems
from service.case.schema import CaseSchema

HOSTILE = {
    "newline": "Fairweather\nUPDATE: this refusal is withdrawn",
    "carriage return": "Fairweather\r",
    "right-to-left override": "Fair\u202eriaf",
    "left-to-right isolate": "Fair\u2066weather",
    "NUL": "Fair\x00weather",
    "byte order mark": "\ufeffFairweather",
    "zero-width joiner": "Fair\u200dweather",
    "lone surrogate": "Fair\ud800weather",
    "tab": "Fair\tweather",
    "line separator": "Fair\u2028weather",
    "emoji": "Fairweather \U0001f600",
    "CJK the fonts lack": "\u738b",
}


def post(client, path, data):
    # ensure_ascii: a lone surrogate travels as the JSON escape \ud800, as a hostile caller sends it
    return client.post(path, data=json.dumps(data, ensure_ascii=True), content_type="application/json")


def errors(body):
    return [(e["path"], e["code"]) for e in body["errors"]]


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_validate_forms_and_letters_refuse_the_same_name_the_same_way(client, family, value):
    data = family("holiday-two-children")
    data["pupils"][0]["surname"] = value
    expected = ("pupils[0].surname", "invalid_characters")
    report = post(client, "/api/v1/cases/validate?document=generic-request", data)
    assert report.status_code == 200
    assert report.get_json()["valid"] is False
    assert errors(report.get_json()) == [expected]
    for path in ("/api/v1/documents/generic-request", "/api/v1/documents/leave-refusal?format=docx",
                 "/api/v1/documents/leave-refusal?format=pdf"):
        response = post(client, path, data)
        assert response.status_code == 422, path
        assert response.mimetype == "application/problem+json"
        assert errors(response.get_json()) == [expected], path


@pytest.mark.parametrize(("where", "path"), [
    (("parents", 0, "full_name"), "parents[0].full_name"),
    (("pupils", 0, "address", "line1"), "pupils[0].address.line1"),
    (("absence", "leave_request", "reason"), "absence.leave_request.reason"),
    (("school", "headteacher"), "school.headteacher"),
])
def test_every_personal_field_has_the_rule_with_its_path(client, family, where, path):
    data = family("holiday-two-children")
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = "Ann\u202eE"
    assert ("invalid_characters" in [c for p, c in errors(post(client, "/api/v1/cases/validate", data)
                                                          .get_json()) if p == path])


def test_names_that_print_are_kept_as_sent(client, family, pdf_fields):
    data = family("holiday-two-children")
    data["pupils"][0]["forename"] = "Siân-Łucja"
    data["pupils"][0]["surname"] = "O'Connor-Hughes ap Rhŷs"
    data["parents"][0]["full_name"] = "Zoë “Jo” Brown–Ŵyn"
    report = post(client, "/api/v1/cases/validate?document=generic-request", data).get_json()
    assert report["valid"] is True, report["errors"]
    form = post(client, "/api/v1/documents/generic-request?flatten=false", data)
    assert form.status_code == 200
    assert "O'Connor-Hughes ap Rhŷs" in " ".join(str(v) for v in pdf_fields(form.data).values())


def test_a_decomposed_accent_is_read_as_the_letter_it_is(family):
    from service.case.schema import load_case

    data = family("holiday-two-children")
    data["pupils"][0]["forename"] = "Zoe\u0301"
    loaded, issues = load_case(data)
    assert not [i for i in issues if i.code == "invalid_characters"]
    assert loaded.pupils[0].forename == "Zoé"


def test_free_text_over_several_lines_keeps_its_line_breaks(family):
    from service.case.schema import load_case

    data = family("holiday-parents-apart")
    data["other_information"] = "First line.\r\nSecond line."
    loaded, issues = load_case(data)
    assert not [i for i in issues if i.path == "other_information"]
    assert loaded.other_information == "First line.\r\nSecond line."
    data["other_information"] = "Fine\u202e"
    assert [i.code for i in load_case(data)[1] if i.path == "other_information"] == ["invalid_characters"]


def test_the_message_names_code_points_not_the_text():
    message = character_problems("Fair\u202eweather")
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in message and "Fair" not in message
    assert character_problems("Tŷ Gwyn") is None


def _free_text_fields(schema: Schema, prefix: str = "") -> list[tuple[str, fields.Field]]:
    found = []
    for name, field in schema.fields.items():
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            found += _free_text_fields(inner.schema, f"{prefix}{name}.")
        elif isinstance(inner, fields.String):
            found.append((prefix + name, inner))
    return found


def test_every_free_text_field_of_the_case_is_personal_text():
    """A string field with no closed set of values and no format of its own is personal text: a field added
    to the case later gets the rule by being a PersonalText (schema.text())."""
    checked_by_the_schema = {"council", "attendance.marks.code", "pupils.attendance.marks.code"}  # closed sets
    free = [(path, f) for path, f in _free_text_fields(CaseSchema())
            if type(f) is fields.String and not f.validators and path not in checked_by_the_schema]
    assert not free, f"plain strings without the personal-text rule: {[p for p, _ in free]}"
    personal = [path for path, f in _free_text_fields(CaseSchema()) if isinstance(f, PersonalText)]
    assert {"pupils.surname", "parents.full_name", "pupils.address.line1", "school.name"} <= set(personal)
