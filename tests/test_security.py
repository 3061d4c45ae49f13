"""API keys, security headers, request ids, metrics and logs without personal data."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from service import councils
from service import create_app
from service import security
from service.observability import JsonFormatter

KEY = "s3cret-key-for-tests-0123456789"


@pytest.fixture
def keyed():
    app = create_app({"TESTING": True, "API_KEYS": f"school-a:{security.hash_key(KEY)},la:{'0' * 64}"})
    return app.test_client()


def test_without_a_key_401_problem(keyed, family):
    response = keyed.post("/api/v1/cases/validate", json=family("holiday-two-children"))
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "unauthorised"
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_wrong_key_403(keyed):
    response = keyed.get("/api/v1/councils", headers={"Authorization": "Bearer nope"})
    assert (response.status_code, response.get_json()["code"]) == (403, "forbidden")


@pytest.mark.parametrize("headers", [
    {"Authorization": f"Bearer {KEY}"},
    {"X-API-Key": KEY},
    {"Authorization": "Basic " + base64.b64encode(f"officer:{KEY}".encode()).decode()},
])
def test_accepted_key_forms(keyed, headers):
    response = keyed.get("/api/v1/councils", headers=headers)
    assert response.status_code == 200
    assert [c["id"] for c in response.get_json()] == list(councils.ids())


def test_health_stays_open(keyed):
    assert keyed.get("/health").get_json()["status"] == "ok"


def test_without_keys_configured_everything_is_open(client):
    assert client.get("/api/v1/councils").status_code == 200


def test_identify_names_the_caller():
    keys = security.parse_keys(f"a:{security.hash_key('one')}\n# comment\nb:{security.hash_key('two')}")
    assert [security.identify(k, keys) for k in ("one", "two", "three", None)] == ["a", "b", None, None]


@pytest.mark.parametrize("text", ["a:short", "a:" + "z" * 64])
def test_keys_must_be_hashes(text):
    with pytest.raises(ValueError, match="SHA-256"):
        security.parse_keys(text)


def test_keys_from_a_mounted_file(tmp_path):
    path = tmp_path / "keys"
    path.write_text(f"la-team:{security.hash_key('k')}\n", encoding="utf-8")
    assert security.load_keys(None, str(path))[0].name == "la-team"


@pytest.mark.parametrize(("bind", "loopback"), [
    ("127.0.0.1:8000", True), ("localhost:8000", True), ("[::1]:8000", True), ("unix:/run/a.sock", True),
    ("0.0.0.0:8000", False), ("10.1.2.3:80", False), (":8000", False),
])
def test_loopback_binds(bind, loopback):
    assert security.is_loopback(bind) is loopback


def test_security_headers_and_request_id(client, family):
    response = client.post("/api/v1/cases/validate", json=family("holiday-two-children"),
                           headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Security-Policy"] == security.API_CSP
    assert response.headers["X-Request-ID"] == "abc-123"
    forged = client.get("/health", headers={"X-Request-ID": "<script>" * 3})
    assert forged.headers["X-Request-ID"] != "<script>" * 3


def test_metrics_count_without_personal_data(client, family):
    data = family("holiday-two-children")
    assert client.post("/api/v1/documents/generic-request", json=data).status_code == 200
    client.post("/api/v1/cases/validate", data=b"{", content_type="application/json")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'attendance_documents_total{document="generic-request",format="pdf"} 1.0' in text
    assert 'attendance_failures_total{code="invalid_json"} 1.0' in text
    assert 'route="/api/v1/documents/<document_id>"' in text
    for value in ("Fairweather", "BA14", "2016-05-04", data["pupils"][0]["upn"]):
        assert value not in text


def test_logs_are_json_with_request_id_and_no_case_data(client, family, caplog):
    caplog.set_level(logging.INFO, logger="service")
    client.post("/api/v1/documents/generic-request", json=family("holiday-two-children"),
                headers={"X-Request-ID": "req-1"})
    records = [r for r in caplog.records if r.name == "service.access"]
    assert records
    line = json.loads(JsonFormatter().format(records[-1]))
    assert line["request_id"] == "req-1"
    assert line["route"] == "/api/v1/documents/<document_id>"
    assert line["status"] == 200
    assert "Fairweather" not in json.dumps(line)


@pytest.mark.parametrize("setting", [",", " ", "# todo", ""])
def test_a_keys_setting_with_no_key_stops_the_app(setting):
    with pytest.raises(security.KeysSettingError, match="holds no key"):
        create_app({"TESTING": True, "API_KEYS": setting})


def test_without_keys_a_peer_that_is_not_loopback_is_refused(client):
    remote = client.get("/api/v1/councils", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert (remote.status_code, remote.get_json()["code"]) == (403, "local_only")
    assert client.get("/health", environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code == 403
    assert client.get("/api/v1/councils", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_with_keys_a_remote_caller_with_a_key_is_served(keyed):
    response = keyed.get("/api/v1/councils", headers={"X-API-Key": KEY},
                         environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert response.status_code == 200


def test_docs_and_404_pages_carry_a_csp(client):
    import base64 as b64
    import hashlib
    import re

    docs = client.get("/api/v1/docs")
    policy = docs.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'") and "frame-ancestors 'none'" in policy
    (inline,) = re.findall(r"<script>(.*?)</script>", docs.get_data(as_text=True), re.DOTALL)
    digest = b64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy and "'unsafe-inline'" not in policy.split("style-src")[0]
    for path in ("/no-such-page", "/api/v1/no-such-route", "/health", "/metrics"):
        assert client.get(path).headers["Content-Security-Policy"] == security.API_CSP, path


def test_the_readme_says_the_referrer_policy_each_part_sends(client):
    import re

    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pages = readme.split("\n## Web pages", 1)[1].split("\n## ", 1)[0]
    page_policy = client.get("/").headers["Referrer-Policy"]
    api_policy = client.get("/api/v1/councils").headers["Referrer-Policy"]
    assert set(re.findall(r"Referrer-Policy: ([a-z-]+)", pages)) == {page_policy}
    assert f"`Referrer-Policy: {api_policy}` on the API" in readme
    assert f"`Referrer-Policy: {page_policy}` on the officer pages" in readme


def csrf_cookie(response) -> str:
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("attendance_csrf=")]
    return cookie


def test_the_csrf_cookie_is_secure_behind_a_configured_https_proxy():
    client = create_app({"TESTING": True, "TRUSTED_PROXIES": 1}).test_client()
    behind = client.get("/upload", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"})
    assert behind.status_code == 200
    cookie = csrf_cookie(behind)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_without_a_configured_proxy_x_forwarded_proto_is_not_believed(client):
    cookie = csrf_cookie(client.get("/upload", headers={"X-Forwarded-Proto": "https"}))
    assert "Secure" not in cookie  # anyone can send the header: only a configured proxy is believed


def test_the_csrf_cookie_is_secure_over_https_itself(client):
    assert "Secure" in csrf_cookie(client.get("/upload", base_url="https://localhost"))


def test_a_configured_proxy_cannot_open_the_local_only_service_to_its_callers():
    client = create_app({"TESTING": True, "TRUSTED_PROXIES": 1}).test_client()
    response = client.get("/api/v1/councils", headers={"X-Forwarded-For": "203.0.113.9"})
    assert (response.status_code, response.get_json()["code"]) == (403, "local_only")


@pytest.mark.parametrize("value", ["abc", "-1", "6", "1.5", True, " "])
def test_a_bad_trusted_proxies_setting_stops_the_start(value):
    with pytest.raises(security.ProxySettingError):
        create_app({"TESTING": True, "TRUSTED_PROXIES": value})
