"""POST /api/v1/cases/validate: reports for cases, problem+json for bodies that are not cases."""

from __future__ import annotations

import base64
import io
import json

import pytest

from tests.conftest import certificate_pdf
from tests.conftest import example_names

URL = "/api/v1/cases/validate"


@pytest.mark.parametrize("name", example_names())
def test_every_example_is_valid_with_decisions(client, case, name):
    response = client.post(URL, json=case(name))
    body = response.get_json()
    assert response.status_code == 200
    assert body["valid"] is True, body["errors"]
    assert body["council"] == case(name)["council"]
    assert body["decisions"]["threshold_met"] is True
    # England, irregular absence: a Notice to Improve first (the examples have none issued yet).
    country = body["rules"]["country"]
    irregular_in_england = case(name)["absence"]["type"] == "irregular" and country == "england"
    assert body["decisions"]["penalty_notice"]["allowed"] is not irregular_in_england


def test_wiltshire_holiday_for_pn3_lists_its_checklist(client, case):
    body = client.post(f"{URL}?document=pn3", json=case("wiltshire-holiday")).get_json()
    assert body["valid"] is True
    assert body["document"] == "pn3"
    assert {(c["item"], c["required"], c["status"]) for c in body["checklist"]} == {
        ("attendance_certificate", True, "missing"),
        ("leave_request_form", True, "missing"),
        ("refusal_letter", True, "missing"),
        ("holiday_letter", False, "not_required"),  # leave was asked for: item 3, not item 4
    }


def test_a_form_the_council_does_not_take_is_blocked_by_council(client, family):
    body = client.post(f"{URL}?document=pn3", json=family("holiday-parents-apart")).get_json()
    assert body["valid"] is False
    assert [(e["path"], e["code"]) for e in body["errors"]] == [("council", "document_not_for_council")]


def test_notice_to_improve_is_refused_for_holiday(client, family):
    body = client.post(f"{URL}?document=notice-to-improve", json=family("holiday-two-children")).get_json()
    nti = body["decisions"]["notice_to_improve"]
    assert (nti["allowed"], nti["reason"], nti["period_end"]) == (False, "holiday", None)
    assert ("absence.type", "absence_type_mismatch") in [(e["path"], e["code"]) for e in body["errors"]]


def test_invalid_fields_are_reported_with_paths_and_decisions_still_made(client, family):
    data = family("holiday-two-children")
    data["pupils"][1]["upn"] = "A865204225012"
    data["parents"][0]["phone"] = "12345"
    data["pupils"][0]["address"]["postcode"] = "NOT A POSTCODE"
    body = client.post(URL, json=data).get_json()
    assert body["valid"] is False
    assert {(e["path"], e["code"]) for e in body["errors"]} == {
        ("pupils[1].upn", "invalid_upn"),
        ("parents[0].phone", "invalid_phone"),
        ("pupils[0].address.postcode", "invalid_postcode"),
    }
    assert body["decisions"]["penalty_notice"]["amount_full"] == 160


def test_unknown_keys_are_refused_with_their_path(client, family):
    data = family("irregular-one-child")
    data["favourite_colour"] = "blue"
    data["pupils"][0]["nickname"] = "Cal"
    body = client.post(URL, json=data).get_json()
    assert {(e["path"], e["code"]) for e in body["errors"]} == {
        ("favourite_colour", "unknown_field"), ("pupils[0].nickname", "unknown_field"),
    }


def test_below_school_age_blocks_the_penalty_form_only(client, family):
    data = family("holiday-two-children")
    data["pupils"][1]["date_of_birth"] = "2021-09-01"  # 5 on 1 Sep 2026: of age from 31 Dec 2026
    plain = client.post(URL, json=data).get_json()
    assert plain["valid"] is True
    assert plain["decisions"]["leave_refusal_variant"] == "statutory-age"
    assert plain["decisions"]["pupils"][1]["leave_refusal_variant"] == "not-statutory-age"
    form = client.post(f"{URL}?document=generic-request", json=data).get_json()
    assert [(e["path"], e["code"]) for e in form["errors"]] == [
        ("pupils[1].date_of_birth", "below_compulsory_school_age")]


def test_multipart_attachments_fill_the_checklist(client, family):
    data = family("irregular-one-child")
    response = client.post(f"{URL}?document=generic-request", content_type="multipart/form-data", data={
        "case": json.dumps(data),
        "attendance_certificate": (io.BytesIO(certificate_pdf("Ó Briain, Callum")), "cert.pdf"),
    })
    body = response.get_json()
    assert response.status_code == 200
    assert [(c["item"], c["status"]) for c in body["checklist"]] == [
        ("attendance_certificate", "satisfied"), ("leave_request_form", "not_required"),
        ("refusal_letter", "missing")]


def test_base64_attachments_in_json(client, family):
    data = family("irregular-one-child")
    data["attachments"] = [{"kind": "attendance_certificate", "filename": "c.pdf",
                            "content_base64": base64.b64encode(certificate_pdf("Callum Ó Briain")).decode()}]
    body = client.post(f"{URL}?document=generic-request", json=data).get_json()
    assert certificate_item(body)["status"] == "satisfied"
    data["attachments"][0]["content_base64"] = "***"
    body = client.post(f"{URL}?document=generic-request", json=data).get_json()
    assert ("attachments[0].content_base64", "invalid_base64") in [(e["path"], e["code"]) for e in body["errors"]]


def certificate_item(body: dict) -> dict:
    return next(c for c in body["checklist"] if c["item"] == "attendance_certificate")


@pytest.mark.parametrize(("body", "content_type", "status", "code"), [
    (b"not json", "application/json", 400, "invalid_json"),
    (b"[1, 2]", "application/json", 400, "case_not_object"),
    (b"\xff\xfe", "application/json", 400, "invalid_json"),
    (b"council=northbury", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    (b"{}", "text/plain", 415, "unsupported_media_type"),
])
def test_bodies_that_are_not_cases_are_problems(client, body, content_type, status, code):
    response = client.post(URL, data=body, content_type=content_type)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert (problem["status"], problem["code"]) == (status, code)
    assert problem["type"].endswith(code) and problem["detail"]


def test_multipart_without_case_part(client):
    response = client.post(URL, content_type="multipart/form-data", data={"x": "1"})
    assert (response.status_code, response.get_json()["code"]) == (400, "case_missing")


def test_multipart_with_unknown_attachment_kind(client, family):
    response = client.post(URL, content_type="multipart/form-data", data={
        "case": json.dumps(family("holiday-two-children")), "selfie": (io.BytesIO(b"x"), "x.jpg")})
    assert (response.status_code, response.get_json()["code"]) == (400, "invalid_attachment_kind")


def test_unknown_document_is_404_with_known_ids(client, family):
    response = client.post(f"{URL}?document=pn4", json=family("holiday-two-children"))
    problem = response.get_json()
    assert (response.status_code, problem["code"]) == (404, "unknown_document")
    assert "pn3" in problem["known"]


def test_oversized_body_is_413_problem(family):
    from service import create_app

    small = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 1000}).test_client()
    response = small.post(URL, json=family("irregular-with-marks"))
    assert response.status_code == 413
    assert response.get_json()["code"] == "request_too_large"


def test_template_syntax_in_a_name_is_kept_as_written(client, family):
    data = family("holiday-two-children")
    data["pupils"][0]["forename"] = "{{ 7*7 }} <b>&"
    body = client.post(URL, json=data).get_json()
    assert body["valid"] is True


def test_a_fake_pdf_is_invalid_in_the_checklist(client, family):
    data = family("holiday-parents-apart")  # a case with no other error: the fake PDF is the only one
    response = client.post(f"{URL}?document=generic-request", content_type="multipart/form-data", data={
        "case": json.dumps(data), "attendance_certificate": (io.BytesIO(b"%PDF-1.4 test"), "cert.pdf")})
    body = response.get_json()
    assert [(e["path"], e["code"]) for e in body["errors"]] == [("attachments[0]", "attachment_unreadable")]
    assert certificate_item(body)["status"] == "invalid"
