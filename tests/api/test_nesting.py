"""JSON nested about 1,000 levels deep (and far deeper) is a 400 problem, on the API, in multipart and the pages."""

from __future__ import annotations

import io
import json

import pytest

from service.api.request import MAX_JSON_DEPTH
from tests.web.conftest import Officer
from tests.web.conftest import Page

DEPTHS = [MAX_JSON_DEPTH + 1, 1000, 100_000]


def nested_arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_objects(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def case_with(deep: str, family) -> bytes:
    body = json.dumps(family("holiday-two-children"))
    return (body[:-1] + f', "other_information": {deep}}}').encode()


def assert_too_deep(response) -> None:
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "json_too_deep" and body["status"] == 400


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("shape", [nested_arrays, nested_objects])
def test_deep_json_body(client, family, depth, shape):
    for path in ("/api/v1/cases/validate", "/api/v1/documents/generic-request", "/api/v1/bundles"):
        assert_too_deep(client.post(path, data=case_with(shape(depth), family), content_type="application/json"))
    assert_too_deep(client.post("/api/v1/cases/validate", data=shape(depth), content_type="application/json"))


@pytest.mark.parametrize("depth", DEPTHS)
def test_deep_json_in_a_multipart_case_part(client, family, depth):
    for as_file in (True, False):
        deep = case_with(nested_arrays(depth), family)
        data = {"case": (io.BytesIO(deep), "case.json") if as_file else deep.decode()}
        assert_too_deep(client.post("/api/v1/cases/validate", data=data, content_type="multipart/form-data"))


def test_deep_json_in_an_import_case_part(client):
    data = {"file": (io.BytesIO(b"<CTfile/>"), "school.xml"), "case": nested_objects(1000)}
    assert_too_deep(client.post("/api/v1/imports/ctf", data=data, content_type="multipart/form-data"))


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deep_json_on_the_pages_is_an_error_page_with_the_code(client, family, depth):
    officer = Officer(client)
    data = {"csrf_token": officer.token, "case": (io.BytesIO(case_with(nested_arrays(depth), family)), "case.json")}
    response = officer.client.post("/report", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    (link,) = Page(response.get_data(as_text=True)).error_links()
    assert link.attrs["data-code"] == "json_too_deep"


def test_a_case_nested_as_deep_as_allowed_is_read(client, family):
    data = family("holiday-two-children")
    inner = nested_arrays(MAX_JSON_DEPTH - 1)
    body = json.dumps(data)[:-1] + f', "other_information": {inner}}}'
    report = client.post("/api/v1/cases/validate", data=body, content_type="application/json").get_json()
    assert [(e["path"], e["code"]) for e in report["errors"]] == [("other_information", "invalid_type")]
