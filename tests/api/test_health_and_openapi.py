"""GET /health, the OpenAPI description and its browsable page."""

from __future__ import annotations


def test_health_names_the_engines(client):
    body = client.get("/health").get_json()
    assert body["status"] == "ok"
    assert set(body["engines"]) == {"pdf_filler", "docx_renderer", "converter", "signer", "trust"}
    assert isinstance(body["engines"]["converter"]["available"], bool)


def test_openapi_describes_every_route_and_the_case(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/health", "/api/v1/councils", "/api/v1/councils/{council_id}", "/api/v1/documents",
            "/api/v1/cases/validate"} <= set(spec["paths"])
    validate = spec["paths"]["/api/v1/cases/validate"]["post"]
    assert {"200", "400", "415"} <= set(validate["responses"])
    body = validate["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)
    case = spec["components"]["schemas"]["Case"]
    assert {"council", "school", "pupils", "parents", "absence"} <= set(case["required"])
    pupil = spec["components"]["schemas"]["Pupil"]["properties"]
    assert pupil["upn"] == {"type": "string", "format": "upn"}


def test_docs_page_and_its_assets_are_served_locally(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"/api/v1/docs/assets/swagger-ui-bundle.js" in page.data
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and b"SwaggerUI" in asset.data
    asset.close()


def test_documents_catalogue(client):
    body = client.get("/api/v1/documents").get_json()
    ids = [d["id"] for d in body]
    assert ids == sorted(["pn3", "dorset-holiday", "dorset-warning", "notice-to-improve", "leave-refusal",
                          "attendance-certificate", "attendance-letter-1", "attendance-letter-2",
                          "generic-request"])
    pn3 = next(d for d in body if d["id"] == "pn3")
    assert pn3["councils"] == ["wiltshire"]
    assert [a["item"] for a in pn3["attachments"]] == [
        "attendance_certificate", "leave_request_form", "refusal_letter", "holiday_letter"]


def test_health_gives_each_converters_state(client):
    converter = client.get("/health").get_json()["engines"]["converter"]
    assert converter["state"] in {"cold", "warm", "unavailable"}
    (process,) = converter["processes"]
    assert process["state"] == converter["state"]
    assert converter["available"] is (process["state"] != "unavailable")


def test_ready_is_503_when_no_converter_can_start():
    from service import create_app
    from service.engines import Engines
    from service.engines import UnavailableConverter

    app = create_app({"TESTING": True, "ENGINES": Engines(converter=UnavailableConverter())})
    response = app.test_client().get("/health/ready")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "not_ready" and "not installed" in body["detail"]
    assert body["converter"]["state"] == "unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert app.test_client().get("/health").get_json()["engines"]["converter"]["available"] is False


def test_ready_answers_200_while_a_converter_can_start(client):
    response = client.get("/health/ready")
    if client.get("/health").get_json()["engines"]["converter"]["available"]:
        assert response.status_code == 200 and response.get_json()["ready"] is True
    else:
        assert response.status_code == 503
