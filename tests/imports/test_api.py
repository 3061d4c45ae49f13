"""POST /api/v1/imports/ctf and /imports/csv over the test client: the contract's answer, ZIPs, problems."""

from __future__ import annotations

import io
import json
import time
import zipfile
from datetime import date

import pytest

from service import create_app
from tests.conftest import NO_FILE
from tests.imports.builders import COUNCIL_DEFAULTS
from tests.imports.builders import upn
from tests.imports.test_batch import school
from tests.imports.test_csv import SIMS_PUPILS
from tests.imports.test_csv import WEEK
from tests.imports.test_csv import am_pm_register

PROBLEM = "application/problem+json"
# The case part without its council's details: a council with no file is then unknown.
ANY_SCHOOL = {k: v for k, v in COUNCIL_DEFAULTS.items() if k != "council_details"}


def post(client, kind: str, file: bytes | None, case: object = COUNCIL_DEFAULTS, query: str = "", **parts):
    data = {name: (io.BytesIO(content), f"{name}.csv") for name, content in parts.items()}
    if file is not None:
        data["file"] = (io.BytesIO(file), "export")
    if case is not None:
        data["case"] = case if isinstance(case, str) else json.dumps(case)
    return client.post(f"/api/v1/imports/{kind}{query}", data=data, content_type="multipart/form-data")


def test_ctf_import_answers_cases_scan_and_errors(client):
    response = post(client, "ctf", school())
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["cases", "scan", "errors", "warnings", "source"]
    assert [c["pupils"][0]["upn"] for c in body["cases"]] == [upn(n) for n in range(1, 5)]
    assert body["cases"][0]["council"] == COUNCIL_DEFAULTS["council"]
    assert body["cases"][0]["council_details"] == COUNCIL_DEFAULTS["council_details"]
    assert body["cases"][0]["school"] == COUNCIL_DEFAULTS["school"]
    assert [r["documents_allowed"] for r in body["scan"]] == [["notice-to-improve"], [], ["notice-to-improve"],
                                                              ["notice-to-improve"]]
    assert [(e["path"], e["code"], e["line"]) for e in body["errors"]] == [("pupils[3].parents[0].phone", "invalid_phone", 9)]


def test_csv_import_takes_the_pupil_sheet_part(client):
    response = post(client, "csv", am_pm_register({upn(1): WEEK}).encode(), pupils=SIMS_PUPILS.encode("cp1252"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["source"] == {"kind": "csv", "layout": "am_pm", "encoding": "utf-8", "joined_on": "upn",
                              "pupils_encoding": "windows-1252"}
    assert [c["pupils"][0]["forename"] for c in body["cases"]] == ["Siân", "Zoë"]
    # Zoë's only contact has no parental responsibility: listed, with the errors that say so.
    assert ("pupils[1].parents", "no_parental_responsibility") in [(e["path"], e["code"]) for e in body["errors"]]


def test_documents_query_is_a_job_whose_zip_downloads_once(client):
    response = post(client, "ctf", school(), query="?documents=notice-to-improve")
    assert response.status_code == 202 and response.headers["Location"].startswith("/api/v1/jobs/")
    job = wait_done(client, response.headers["Location"])
    assert job["progress"] == {"total": 4, "done": 4, "produced": 2, "failed": 1, "percent": 100}
    # The pupil whose parent's phone is wrong: listed with the export's line and why.
    assert [(f["line"], f["status"], "invalid_phone" in f["codes"]) for f in job["failures"]] == [
        (9, "cannot_produce", True)]
    result = client.get(job["links"]["result"])
    assert result.status_code == 200 and result.mimetype == "application/zip"
    assert result.headers["Content-Disposition"].startswith('attachment; filename="job-')
    assert len([n for n in zipfile.ZipFile(io.BytesIO(result.data)).namelist() if n.endswith(".docx")]) == 2
    again = client.get(job["links"]["result"])
    assert again.status_code == 410 and again.get_json()["code"] == "result_gone"


def wait_done(client, url: str) -> dict:
    for _ in range(600):
        body = client.get(url).get_json()
        if body["state"] not in ("queued", "running"):
            return body
        time.sleep(0.05)
    raise AssertionError(body)


@pytest.mark.parametrize(
    ("kind", "file", "case", "query", "status", "code"),
    [
        ("ctf", None, COUNCIL_DEFAULTS, "", 400, "file_missing"),
        ("ctf", b"<CTfile/>", None, "", 400, "case_missing"),
        ("ctf", b"<CTfile/>", "{nope", "", 400, "invalid_json"),
        ("ctf", b"<CTfile/>", "[1, 2]", "", 400, "case_not_object"),
        ("ctf", b"<CTfile/>", {**ANY_SCHOOL, "council": "atlantis"}, "", 422, "invalid_import_case"),
        ("ctf", b"<CTfile/>", {**COUNCIL_DEFAULTS, "pupils": []}, "", 422, "invalid_import_case"),
        ("ctf", b'<!DOCTYPE x [<!ENTITY a "b">]><CTfile>&a;</CTfile>', COUNCIL_DEFAULTS, "", 400, "hostile_xml"),
        ("ctf", b"<CTfile><Header></CTfile>", COUNCIL_DEFAULTS, "", 400, "invalid_xml"),
        ("ctf", b"<CTfile/>", COUNCIL_DEFAULTS, "?documents=pn9", 404, "unknown_document"),
        ("ctf", b"<CTfile/>", COUNCIL_DEFAULTS, "?documents=notice-to-improve&format=xlsx", 400, "unsupported_format"),
        # Wales has no Notice to Improve: a Welsh council (here one with no file) is not sent one.
        ("ctf", b"<CTfile/>", {**COUNCIL_DEFAULTS, **NO_FILE["wales"]}, "?documents=notice-to-improve",
         422, "document_not_for_council"),
        ("csv", b"Name,Score\nRhys,3\n", COUNCIL_DEFAULTS, "", 400, "csv_layout_unknown"),
        ("csv", b"UPN,Date,AM,PM\n", {**COUNCIL_DEFAULTS, "mapping": {"upn": "Pupil"}}, "", 422, "invalid_mapping"),
    ],
)
def test_errors_are_problem_json(client, kind, file, case, query, status, code):
    response = post(client, kind, file, case, query)
    assert (response.status_code, response.mimetype, response.get_json()["code"]) == (status, PROBLEM, code)


def test_invalid_case_part_lists_every_fault(client):
    response = post(client, "ctf", b"<CTfile/>", {**NO_FILE["england"], "school": {"name": "Larkspur"},
                                                  "parents": [], "attachments": [], "colour": "red"})
    assert response.status_code == 422
    assert [(e["path"], e["code"]) for e in response.get_json()["errors"]] == [
        ("colour", "unknown_field"), ("parents", "from_export"), ("attachments", "not_for_imports"),
        ("school.urn", "required"), ("school.headteacher", "required"), ("school.contact_name", "required"),
        ("school.contact_phone", "required"),
    ]


def test_json_body_is_415_and_oversized_upload_is_413():
    client = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 1024}).test_client()
    assert client.post("/api/v1/imports/ctf", json={}).status_code == 415
    response = post(client, "ctf", b"<CTfile>" + b" " * 4096 + b"</CTfile>")
    assert (response.status_code, response.mimetype) == (413, PROBLEM)


def test_openapi_documents_both_imports(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for kind in ("ctf", "csv"):
        operation = paths[f"/api/v1/imports/{kind}"]["post"]
        assert "multipart/form-data" in operation["requestBody"]["content"]
        assert {p["name"] for p in operation["parameters"]} == {"documents", "format", "marks"}


def test_a_date_in_year_9999_is_an_import_error_never_a_500(client):
    # Issue 15: a CTF or CSV date in year 9999 overflowed the calendar arithmetic (a 500). Now each is refused
    # where it stands, with a stable code, and the rest of the export is read.
    from tests.imports.builders import contact
    from tests.imports.builders import ctf
    from tests.imports.builders import pupil
    from tests.imports.builders import year_data

    far = ctf([pupil(1, "ISLA", "ASHWORTH", contacts=(contact("KATE", "ASHWORTH"),),
                     years=(year_data(2026, 2, 0, 0, date(2026, 9, 7), "/\\"),)).replace(
                         "2026-09-07", "9999-12-31")], stamp="9999-12-31T23:59:59")
    response = post(client, "ctf", far)
    assert response.status_code == 200
    body = response.get_json()
    assert [(e["path"], e["code"]) for e in body["errors"]][:2] == [
        ("header.DateTime", "invalid_date"), ("pupils[0].attendance.marks", "invalid_date")]
    register = f"UPN,Date,AM,PM\n{upn(1)},31/12/9999,/,\\\n{upn(1)},9999-12-31T00:00:00,/,\\\n{upn(1)},07/09/2026,/,N\n"
    response = post(client, "csv", register.encode(), pupils=SIMS_PUPILS.encode())
    assert response.status_code == 200
    dates = [e for e in response.get_json()["errors"] if e["code"] == "invalid_date"]
    assert [(e["path"], e["count"], e["lines"]) for e in dates] == [("pupils[0].attendance.marks", 2, [2, 3])]
    assert response.get_json()["scan"][0]["sessions_possible"] == 2  # 7 September is still read
    response = post(client, "csv", register.encode(), {**COUNCIL_DEFAULTS, "letter_date": "9999-12-31"})
    assert (response.status_code, response.get_json()["code"]) == (422, "invalid_import_case")


def test_marks_are_carried_into_the_documents_job(client):
    # An attendance certificate is drawn from the register: an import job asked for marks must keep them,
    # as the synchronous import does (`?marks=true`), else every certificate fails with marks_required.
    response = post(client, "ctf", school(), query="?documents=attendance-certificate&marks=true")
    assert response.status_code == 202
    job = wait_done(client, response.headers["Location"])
    assert job["state"] == "done"
    assert "marks_required" not in {code for f in job["failures"] for code in f["codes"]}
    assert job["progress"]["produced"] == 3  # all but the pupil whose parent's phone is wrong
    archive = zipfile.ZipFile(io.BytesIO(client.get(job["links"]["result"]).data))
    from pypdf import PdfReader

    pupils = {"ashworth-isla": "Isla Ashworth", "pemberton-leo": "Leo Pemberton", "whitlock-amelia": "Amelia Whitlock"}
    for slug, name in pupils.items():
        text = PdfReader(io.BytesIO(archive.read(f"attendance-certificate-{slug}-2026-09-07.pdf"))).pages[0].extract_text()
        assert "Attendance certificate" in text and name in text
        assert "7 September 2026 to 20 November 2026" in text  # the window's register, from the export
    without = wait_done(client, post(client, "ctf", school(), query="?documents=attendance-certificate")
                        .headers["Location"])
    assert without["progress"]["produced"] == 0  # without marks there is no register to certify
