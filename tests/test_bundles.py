"""Bundles for LA teams: open the ZIP, read each PDF, parse the .eml; verify catches tampering."""

from __future__ import annotations

import email
import hashlib
import io
import json
import zipfile
from email import policy

import pytest
from pypdf import PdfReader

from service import bundles
from service import verify
from service.engines import Engines
from service.problems import CannotProduce
from tests.conftest import certificate_pdf
from tests.conftest import make_pdf

ENGINES = Engines()
KEY = b"test-signing-key"


def attach(data, *items):
    import base64

    data["attachments"] = [{"kind": k, "filename": f"{k}.pdf", "content_base64": base64.b64encode(c).decode()}
                           for k, c in items]
    return data


def wiltshire(case):
    return attach(case("wiltshire-holiday"), ("attendance_certificate", certificate_pdf("Fairweather, Zoë")),
                  ("attendance_certificate", certificate_pdf("Fairweather, Alfie")),
                  ("leave_request_form", make_pdf(["Leave of absence request form", "Zoë Fairweather and Alfie Fairweather"])),
                  ("refusal_letter", make_pdf(["Your request for leave has not been authorised."])))


def dorset(case):
    return attach(case("dorset-holiday-separated"),
                  ("attendance_certificate", certificate_pdf("O'Connor-Hughes, Siân", "16/11/2026")),
                  ("holiday_letter", make_pdf(["The absence has not been authorised: holiday."])))


def open_bundle(data, **kwargs):
    archive = bundles.build(data, ENGINES, key=KEY, **kwargs)
    try:
        raw = archive.read()
    finally:
        archive.close()
    return raw, zipfile.ZipFile(io.BytesIO(raw))


def test_wiltshire_bundle_is_complete(case, pdf_text):
    raw, archive = open_bundle(wiltshire(case))
    assert sorted(archive.namelist()) == sorted([
        "wiltshire-fairweather-zoe-pn3.pdf",
        "wiltshire-fairweather-zoe-attendance-certificate.pdf",
        "wiltshire-fairweather-alfie-attendance-certificate.pdf",
        "wiltshire-fairweather-zoe-leave-request-form.pdf",
        "wiltshire-fairweather-zoe-refusal-letter.pdf",
        "wiltshire-fairweather-zoe-email.eml",
        "manifest.json",
    ])
    pn3 = archive.read("wiltshire-fairweather-zoe-pn3.pdf")
    assert not PdfReader(io.BytesIO(pn3)).get_fields()  # flattened for the LA
    assert "Alfie Fairweather" in pdf_text(pn3)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["document"] == "pn3"
    assert manifest["report"]["valid"] is True
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["name"])).hexdigest() == entry["sha256"]
    assert "R865" not in json.dumps(manifest)  # no UPNs
    assert "07700" not in json.dumps(manifest)  # no phone numbers
    assert verify.verify(raw, KEY)["valid"] is True  # the HMAC option: one service checks its own


def test_wiltshire_email(case):
    _, archive = open_bundle(wiltshire(case))
    message = email.message_from_bytes(archive.read("wiltshire-fairweather-zoe-email.eml"), policy=policy.default)
    assert message["To"] == "EWS@wiltshire.gov.uk"
    assert message["Cc"] is None
    assert message["From"] == "office@larkspur.example.sch.uk"
    assert "Larkspur Primary School" in message["Subject"]
    assert "Zoë Fairweather" in message["Subject"]
    names = [part.get_filename() for part in message.iter_attachments()]
    assert sorted(names) == sorted(n for n in archive.namelist() if n.endswith(".pdf"))
    body = message.get_body(("plain",)).get_content()
    assert "wiltshire-fairweather-zoe-pn3.pdf" in body


def test_dorset_bundle_copies_the_inclusion_lead(case, pdf_text):
    _, archive = open_bundle(dorset(case))
    names = archive.namelist()
    assert "dorset-oconnor-hughes-sian-dorset-holiday.pdf" in names
    assert "dorset-oconnor-hughes-sian-holiday-letter.pdf" in names
    message = email.message_from_bytes(archive.read("dorset-oconnor-hughes-sian-email.eml"), policy=policy.default)
    assert message["To"] == "penaltynotices@dorsetcouncil.gov.uk"
    assert message["Cc"] == "inclusion.lead@elmbury.example.sch.uk"
    form = archive.read("dorset-oconnor-hughes-sian-dorset-holiday.pdf")
    assert "Flat 4, 22 South Street" in pdf_text(form)


def test_dorset_one_request_per_pupil(case):
    data = dorset(case)
    sibling = dict(data["pupils"][0], forename="Eira", upn=_upn("835304223020"))
    data["pupils"].append(sibling)
    data["attachments"].append(attach({}, ("attendance_certificate",
                                           certificate_pdf("O'Connor-Hughes, Eira", "16/11/2026")))["attachments"][0])
    _, archive = open_bundle(data)
    forms_ = sorted(n for n in archive.namelist() if n.endswith("dorset-holiday.pdf"))
    assert forms_ == ["dorset-oconnor-hughes-eira-dorset-holiday.pdf", "dorset-oconnor-hughes-sian-dorset-holiday.pdf"]
    assert "dorset-oconnor-hughes-eira-attendance-certificate.pdf" in archive.namelist()


def _upn(body: str) -> str:
    from service.case.fields import upn_check_letter

    return upn_check_letter("A" + body) + body


def test_missing_attachment_is_422_with_the_checklist(case):
    data = attach(case("dorset-holiday-separated"), ("holiday_letter", make_pdf(["Not authorised."])))
    with pytest.raises(CannotProduce) as info:
        bundles.build(data, ENGINES)
    report = info.value.report
    assert [(e.path, e.code) for e in report.errors] == [("attachments", "attachment_missing")]
    assert [(c.item, c.status) for c in report.checklist] == [
        ("attendance_certificate", "missing"), ("leave_request_form", "not_required"), ("refusal_letter", "satisfied")]


@pytest.mark.parametrize(("content", "code"), [
    (make_pdf(["x"], encrypt="pw"), "attachment_encrypted"),
    (b"%PDF-1.7 broken", "attachment_unreadable"),
    (certificate_pdf("Brown, Olivia", "16/11/2026"), "attachment_name_mismatch"),
])
def test_bad_certificate_blocks_the_bundle(case, content, code):
    data = attach(case("dorset-holiday-separated"), ("attendance_certificate", content),
                  ("holiday_letter", make_pdf(["Not authorised."])))
    with pytest.raises(CannotProduce) as info:
        bundles.build(data, ENGINES)
    assert ("attachments[0]", code) in [(e.path, e.code) for e in info.value.report.errors]


def test_merged_pdf_holds_every_page(case):
    _, archive = open_bundle(wiltshire(case), merged=True)
    merged = PdfReader(io.BytesIO(archive.read("wiltshire-fairweather-zoe-merged.pdf")))
    parts = [n for n in archive.namelist() if n.endswith(".pdf") and not n.endswith("merged.pdf")]
    assert len(merged.pages) == sum(len(PdfReader(io.BytesIO(archive.read(n))).pages) for n in parts)


def test_bundle_api_round_trip(case):
    from service import create_app

    client = create_app({"TESTING": True, "BUNDLE_SIGNING_KEY": "k"}).test_client()
    response = client.post("/api/v1/bundles", json=wiltshire(case))
    assert response.status_code == 200
    assert 'attachment; filename="wiltshire-fairweather-zoe-bundle.zip"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    raw = response.data
    checked = client.post("/api/v1/bundles/verify", data=raw, content_type="application/zip").get_json()
    assert (checked["valid"], checked["signature_valid"]) == (True, True)
    as_part = client.post("/api/v1/bundles/verify", content_type="multipart/form-data",
                          data={"bundle": (io.BytesIO(raw[:-10]), "b.zip")}).get_json()
    assert as_part["valid"] is False
    failing = client.post("/api/v1/bundles", json=case("wiltshire-holiday"))
    assert failing.status_code == 422
    assert failing.get_json()["report"]["checklist"][0]["status"] == "missing"


def test_certificate_generated_from_marks(case, pdf_text):
    data = attach(case("wiltshire-irregular-marks"))
    data["council"] = "dorset"
    _, archive = open_bundle(data)
    names = archive.namelist()
    assert "dorset-kowalczyk-reid-tomasz-dorset-warning.pdf" in names
    certificate = archive.read("dorset-kowalczyk-reid-tomasz-attendance-certificate.pdf")
    assert "Tomasz Kowalczyk-Reid" in pdf_text(certificate)
    manifest = json.loads(archive.read("manifest.json"))
    roles = {f["name"]: f["role"] for f in manifest["files"]}
    assert roles["dorset-kowalczyk-reid-tomasz-attendance-certificate.pdf"] == "generated"


def test_a_bundle_reads_each_attachment_once(case, monkeypatch):
    # Issue #16: a bundle validated its case twice and extracted every attachment's text twice.
    from service import attachments

    reads = []
    original = attachments._inspect
    monkeypatch.setattr(attachments, "_inspect", lambda i, a: reads.append(i) or original(i, a))
    open_bundle(wiltshire(case))
    assert len(reads) == 4  # four attachments, one read each
    assert attachments._READ.get() is None  # nothing kept after the bundle
