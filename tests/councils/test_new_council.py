"""Adding a council is one data file: written into a deployment's directory, the app started with it
produces the council's request form, checklist and bundle e-mail with its own facts, touching nothing else."""

from __future__ import annotations

import base64
import email
import io
import zipfile
from email import policy
from pathlib import Path

import pytest

from service import councils
from service import create_app
from tests.conftest import certificate_pdf
from tests.conftest import load_example
from tests.conftest import make_pdf

NEW = """
id = "testshire"
name = "Testshire County Council"
country = "england"
source = "code"
request_per = "child"
not_published = ["term_dates", "notice_to_improve"]

[sources.code]
title = "Testshire: penalty notice code of conduct"
url = "https://testshire.example.gov.uk/penalty-notices"
read = 2026-11-30

[submission]
channel = "email"
to = "penalty.notices@testshire.example.gov.uk"
cc = ["attendance.lead@testshire.example.gov.uk"]
cc_school_inclusion_lead = true
source = "code"

[contact]
team = "Attendance Legal Team"
phone = "01632 960555"
source = "code"

[[deadlines]]
days = 5
unit = "school_days"
after = "absence_end"
absence_types = ["holiday"]
text = "Send the request within five school days of the return."
source = "code"

[documents.generic-request]
source = "code"
attachments = [
  {item = "attendance_certificate", label = "Testshire registration certificate", kinds = ["attendance_certificate"]},
  {item = "headteacher_certificate", label = "Testshire headteacher's certificate", kinds = ["headteacher_certificate"]},
]
"""


@pytest.fixture
def new_council(tmp_path: Path):
    before = councils.all()
    (tmp_path / "testshire.toml").write_text(NEW, encoding="utf-8")
    app = create_app({"TESTING": True, "COUNCILS_DIR": str(tmp_path)})
    yield app.test_client()
    app.extensions["engines"].converter.close()
    councils.load(again=True)
    assert councils.all() == before


def case_for_testshire(with_attachments: bool = False) -> dict:
    data = load_example("national-england-holiday")
    data["council"] = "testshire"
    del data["council_details"]
    data["letter_date"] = "2026-10-14"
    if with_attachments:
        files = [("attendance_certificate", certificate_pdf("Fairweather, Zoë")),
                 ("attendance_certificate", certificate_pdf("Fairweather, Alfie")),
                 ("headteacher_certificate", make_pdf(["Headteacher's certificate", "Zoë and Alfie Fairweather"]))]
        data["attachments"] = [{"kind": k, "filename": f"{k}.pdf", "content_base64": base64.b64encode(c).decode()}
                               for k, c in files]
    return data


def test_the_listing_has_it_with_its_sources_and_the_others_unchanged(new_council):
    body = new_council.get("/api/v1/councils").get_json()
    added = next(c for c in body if c["id"] == "testshire")
    assert added["sources"][0]["url"] == "https://testshire.example.gov.uk/penalty-notices"
    assert added["threshold"]["window"] == "rolling_school_weeks"  # borrowed from the national framework
    assert added["threshold"]["source"] in {s["id"] for s in added["sources"]}
    assert {c["id"] for c in body} == {*(c.id for c in councils.all())}


def test_its_checklist_is_its_own(new_council):
    report = new_council.post("/api/v1/cases/validate?document=generic-request", json=case_for_testshire()).get_json()
    assert report["valid"] is True, report["errors"]
    assert [(i["item"], i["status"], i["label"]) for i in report["checklist"]] == [
        ("attendance_certificate", "missing", "Testshire registration certificate"),
        ("headteacher_certificate", "missing", "Testshire headteacher's certificate"),
    ]
    assert report["rules"]["basis"] == "council_file"
    assert report["rules"]["name"] == "Testshire County Council"


def test_its_request_form_prints_its_facts(new_council, pdf_fields):
    response = new_council.post("/api/v1/documents/generic-request", json=case_for_testshire(True))
    assert response.status_code == 200, response.get_json()
    got = pdf_fields(response.data)
    assert got["council_name"] == "Testshire County Council"
    assert got["submit_to"] == ("E-mail penalty.notices@testshire.example.gov.uk (Cc attendance.lead@testshire."
                                "example.gov.uk, the school's inclusion lead)")
    assert got["council_phone"] == "Attendance Legal Team: 01632 960555"
    assert got["deadline"] == ("Within 5 school days after the absence ends (Send the request within five "
                               "school days of the return).")
    assert got["rules_applied"].startswith("Testshire County Council's published rules: 10 sessions")
    assert got["attachments"] == "[x] Testshire registration certificate\n[x] Testshire headteacher's certificate"
    assert "Zoë Fairweather" in got["pupils"] and "Alfie Fairweather" in got["pupils"]


def test_its_bundle_is_one_request_per_child_and_emails_its_team(new_council, pdf_text):
    response = new_council.post("/api/v1/bundles", json=case_for_testshire(True))
    assert response.status_code == 200, response.get_json()
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    requests = sorted(n for n in archive.namelist() if n.endswith("generic-request.pdf"))
    assert requests == ["testshire-fairweather-alfie-generic-request.pdf",
                        "testshire-fairweather-zoe-generic-request.pdf"]
    assert "Testshire County Council" in pdf_text(archive.read(requests[0]))
    (eml,) = [n for n in archive.namelist() if n.endswith(".eml")]
    message = email.message_from_bytes(archive.read(eml), policy=policy.default)
    assert message["To"] == "penalty.notices@testshire.example.gov.uk"
    assert message["Cc"] == "attendance.lead@testshire.example.gov.uk, inclusion@larkspur.example.sch.uk"
    assert message.get_body().get_content().startswith("Dear Testshire County Council penalty notice team")


def test_a_missing_attachment_of_its_own_list_blocks_its_bundle(new_council):
    data = case_for_testshire(True)
    data["attachments"] = [a for a in data["attachments"] if a["kind"] != "headteacher_certificate"]
    response = new_council.post("/api/v1/bundles", json=data)
    assert response.status_code == 422
    errors = response.get_json()["report"]["errors"]
    assert {"path": "attachments", "code": "attachment_missing",
            "message": "Missing or unusable: Testshire headteacher's certificate."} in errors
