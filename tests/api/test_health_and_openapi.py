"""GET /health, the OpenAPI description and its browsable page."""

from __future__ import annotations

from service import councils
from service import forms
from tests.conftest import ROOT

FORMS = ROOT / "service" / "forms"


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


def test_documents_catalogue_lists_every_document_module_with_the_councils_taking_it(client):
    body = client.get("/api/v1/documents").get_json()
    # One module a document (service/forms/<id>.py): the catalogue finds each, however many there are.
    modules = sorted(p.stem.replace("_", "-") for p in FORMS.glob("*.py") if not p.stem.startswith("_"))
    assert [d["id"] for d in body] == modules
    for listed in body:
        document = forms.get(listed["id"])
        assert listed["councils"] == [c.id for c in councils.all() if c.accepts(document.id)], document.id
        assert [a["item"] for a in listed["attachments"]] == [r.item for r in document.attachments], document.id
        assert listed["outputs"] == list(document.outputs)


def test_the_generic_request_is_in_the_catalogue_for_every_council_that_takes_it(client):
    generic = next(d for d in client.get("/api/v1/documents").get_json() if d["id"] == "generic-request")
    assert generic["outputs"] == ["pdf"]
    assert [a["item"] for a in generic["attachments"]] == [
        "attendance_certificate", "leave_request_form", "refusal_letter"]
    assert set(generic["councils"]) == {c.id for c in councils.all() if "generic-request" in c.documents}
    assert generic["councils"]


def test_wiltshire_pn3_in_the_catalogue(client):
    pn3 = next(d for d in client.get("/api/v1/documents").get_json() if d["id"] == "pn3")
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
