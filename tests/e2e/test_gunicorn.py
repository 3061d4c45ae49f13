"""End to end: the real service under gunicorn on localhost, over HTTP."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import EXAMPLES

pytestmark = pytest.mark.e2e


def test_validate_every_example_over_http(gunicorn_server):
    for path in sorted(EXAMPLES.glob("*.json")):
        response = httpx.post(f"{gunicorn_server}/api/v1/cases/validate",
                              content=path.read_bytes(), headers={"Content-Type": "application/json"})
        report = response.json()
        assert response.status_code == 200
        assert report["valid"] is True, (path.name, report["errors"])
        assert report["council"] == json.loads(path.read_text(encoding="utf-8"))["council"]


def test_problem_json_over_http(gunicorn_server):
    response = httpx.post(f"{gunicorn_server}/api/v1/cases/validate", content=b"{",
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_json"


def test_health_over_http(gunicorn_server):
    body = httpx.get(f"{gunicorn_server}/health").json()
    assert body["status"] == "ok" and "converter" in body["engines"]
