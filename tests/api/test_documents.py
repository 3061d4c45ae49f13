"""POST /api/v1/documents/<id>: the filled form, or 422 problem+json with the report."""

from __future__ import annotations

import pytest


def test_a_form_downloads_with_a_clear_file_name(client, family, pdf_fields):
    response = client.post("/api/v1/documents/generic-request?format=pdf&flatten=false",
                           json=family("holiday-two-children"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert 'filename="generic-request-fairweather-zoe-2026-10-05.pdf"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert pdf_fields(response.data)["pupils"].splitlines()[0].startswith("Zoë Fairweather, born 4 May 2016")


def test_wiltshire_pn3_download_with_clear_file_name(client, case, pdf_fields):
    response = client.post("/api/v1/documents/pn3?format=pdf&flatten=false", json=case("wiltshire-holiday"))
    assert response.status_code == 200
    assert 'filename="pn3-fairweather-zoe-2026-10-05.pdf"' in response.headers["Content-Disposition"]
    assert pdf_fields(response.data)["pupil1_name"] == "Zoë Fairweather"


def test_flatten_true_gives_no_fields(client, family, pdf_fields, pdf_text):
    response = client.post("/api/v1/documents/generic-request?flatten=true", json=family("holiday-parents-apart"))
    assert response.status_code == 200
    assert pdf_fields(response.data) == {}
    assert "Siân O'Connor-Hughes" in pdf_text(response.data)


def test_wrong_council_is_422_with_the_report(client, family):
    response = client.post("/api/v1/documents/pn3", json=family("holiday-parents-apart"))
    problem = response.get_json()
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert problem["code"] == "cannot_produce"
    assert problem["errors"] == problem["report"]["errors"]
    assert [(e["path"], e["code"]) for e in problem["errors"]] == [("council", "document_not_for_council")]


def test_blocking_error_is_422(client, family):
    data = family("holiday-parents-apart")
    data["pupils"][0]["looked_after"] = True
    problem = client.post("/api/v1/documents/generic-request", json=data).get_json()
    assert [(e["path"], e["code"]) for e in problem["errors"]] == [("pupils[0].looked_after", "looked_after_child")]
    assert problem["report"]["decisions"]["penalty_notice"]["reason"] == "looked_after_child"


@pytest.mark.parametrize(("url", "status", "code"), [
    ("/api/v1/documents/pn9", 404, "unknown_document"),
    ("/api/v1/documents/pn3?format=docx", 400, "unsupported_format"),
    ("/api/v1/documents/pn3?flatten=perhaps", 422, "invalid_parameters"),
])
def test_bad_requests_are_problems(client, family, url, status, code):
    response = client.post(url, json=family("holiday-two-children"))
    assert (response.status_code, response.get_json()["code"]) == (status, code)
    assert response.mimetype == "application/problem+json"


def test_invalid_query_names_the_parameter(client, family):
    problem = client.post("/api/v1/documents/pn3?flatten=perhaps", json=family("holiday-two-children")).get_json()
    assert problem["errors"][0]["path"] == "flatten"


def test_letter_as_docx(client, family, docx_text):
    response = client.post("/api/v1/documents/leave-refusal?format=docx", json=family("holiday-parents-apart"))
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert 'filename="leave-refusal-oconnor-hughes-sian-2026-11-09.docx"' in response.headers["Content-Disposition"]
    assert "Siân was absent from school" in docx_text(response.data)


def test_letter_as_pdf_without_libreoffice_is_503(family):
    from service import create_app
    from service.engines import Engines
    from service.engines import UnavailableConverter

    app = create_app({"TESTING": True, "ENGINES": Engines(converter=UnavailableConverter())})
    client = app.test_client()
    response = client.post("/api/v1/documents/leave-refusal?format=pdf", json=family("holiday-two-children"))
    problem = response.get_json()
    assert response.status_code == 503
    assert problem["code"] == "conversion_unavailable"
    assert "format=docx" in problem["detail"]
    health = client.get("/health").get_json()
    assert health["engines"]["converter"]["available"] is False
    docx = client.post("/api/v1/documents/leave-refusal?format=docx", json=family("holiday-two-children"))
    assert docx.status_code == 200


def test_unknown_variant_is_400(client, family):
    response = client.post("/api/v1/documents/leave-refusal?format=docx&variant=perhaps", json=family("holiday-two-children"))
    assert (response.status_code, response.get_json()["code"]) == (400, "unknown_variant")
