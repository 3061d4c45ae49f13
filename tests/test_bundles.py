"""Bundles for LA teams: open the ZIP, read each PDF, parse the .eml; verify catches tampering.

What every bundle does is tested on the examples' families at a council with no file (the national
checklist, the generic request form, the case's own e-mail) or on a council written for the behaviour (Cc
rules, one request per child); what each council's own file says (its own form, its route, one request per
child or per family) is a contract over the registry."""

from __future__ import annotations

import base64
import email
import hashlib
import io
import json
import zipfile
from email import policy
from typing import Any

import pytest
from pypdf import PdfReader

from service import bundles
from service import councils
from service import forms
from service import verify
from service.engines import Engines
from service.problems import CannotProduce
from tests.conftest import NO_FILE
from tests.conftest import certificate_pdf
from tests.conftest import council_toml
from tests.conftest import family_case
from tests.conftest import make_pdf

ENGINES = Engines()
KEY = b"test-signing-key"
NORTHBURY = NO_FILE["england"]["council_details"]
# The families' pupils as a bundle's file names show them (`<council>-<surname>-<forename>-…`).
PUPILS = {"holiday-two-children": (("fairweather-zoe", "Zoë"), ("fairweather-alfie", "Alfie")),
          "irregular-with-marks": (("kowalczyk-reid-tomasz", "Tomasz"),)}


def attach(data: dict[str, Any], *items: tuple[str, bytes]) -> dict[str, Any]:
    """Return the case with these (kind, PDF) attachments, in this order, instead of its own."""
    data["attachments"] = [{"kind": k, "filename": f"{k}.pdf", "content_base64": base64.b64encode(c).decode()}
                           for k, c in items]
    return data


def holiday_sent(data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The two children's holiday (leave asked for and refused) with what the national checklist asks: a
    certificate per child, the parents' request and the refusal letter; at a council with no file unless
    another case of the family is given."""
    return attach(data or family_case("holiday-two-children"),
                  ("attendance_certificate", certificate_pdf("Fairweather, Zoë")),
                  ("attendance_certificate", certificate_pdf("Fairweather, Alfie")),
                  ("leave_request_form", make_pdf(["Leave of absence request form",
                                                   "Zoë Fairweather and Alfie Fairweather"])),
                  ("refusal_letter", make_pdf(["Your request for leave has not been authorised."])))


def apart_sent(data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The holiday of a child whose parents live apart (no leave asked for) with the certificate and the
    letter saying the absence was not authorised as a holiday; at a council with no file unless told."""
    return attach(data or family_case("holiday-parents-apart"),
                  ("attendance_certificate", certificate_pdf("O'Connor-Hughes, Siân", "16/11/2026")),
                  ("holiday_letter", make_pdf(["The absence has not been authorised: holiday."])))


def marks_sent() -> dict[str, Any]:
    """Irregular absence with the register marks and no certificate sent (the bundle draws it from the
    marks), after a Notice to Improve whose period ended (the national framework's first step)."""
    data = attach(family_case("irregular-with-marks"),
                  ("parent_communication", make_pdf(["Dear Ms Kowalczyk,",
                                                     "Tomasz's absence has not been authorised."])))
    data["previous_notices_to_improve"] = [{"parent_id": "p1", "pupil_upn": data["pupils"][0]["upn"],
                                            "issued_on": "2026-06-01", "period_end": "2026-07-13"}]
    return data


def open_bundle(data, **kwargs):
    archive = bundles.build(data, ENGINES, key=KEY, **kwargs)
    try:
        raw = archive.read()
    finally:
        archive.close()
    return raw, zipfile.ZipFile(io.BytesIO(raw))


def message_of(archive: zipfile.ZipFile) -> email.message.EmailMessage:
    [name] = [n for n in archive.namelist() if n.endswith(".eml")]
    return email.message_from_bytes(archive.read(name), policy=policy.default)


def test_bundle_is_complete(pdf_text):
    raw, archive = open_bundle(holiday_sent())
    assert sorted(archive.namelist()) == sorted([
        "northbury-fairweather-zoe-generic-request.pdf",  # one request for the family: the form holds four
        "northbury-fairweather-zoe-attendance-certificate.pdf",
        "northbury-fairweather-alfie-attendance-certificate.pdf",
        "northbury-fairweather-zoe-leave-request-form.pdf",
        "northbury-fairweather-zoe-refusal-letter.pdf",
        "northbury-fairweather-zoe-email.eml",
        "manifest.json",
    ])
    request = archive.read("northbury-fairweather-zoe-generic-request.pdf")
    assert not PdfReader(io.BytesIO(request)).get_fields()  # flattened for the LA
    assert "Alfie Fairweather" in pdf_text(request) and "Northbury Council" in pdf_text(request)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["document"] == "generic-request"
    assert manifest["report"]["valid"] is True
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["name"])).hexdigest() == entry["sha256"]
    assert "R865" not in json.dumps(manifest)  # no UPNs
    assert "07700" not in json.dumps(manifest)  # no phone numbers
    assert verify.verify(raw, KEY)["valid"] is True  # the HMAC option: one service checks its own


def test_email_goes_where_the_case_says_for_a_council_with_no_file():
    _, archive = open_bundle(holiday_sent())
    message = message_of(archive)
    assert message["To"] == NORTHBURY["email"]
    assert message["Cc"] is None  # the national default asks for no copy
    assert message["From"] == "office@larkspur.example.sch.uk"
    assert "Larkspur Primary School" in message["Subject"]
    assert "Zoë Fairweather" in message["Subject"]
    names = [part.get_filename() for part in message.iter_attachments()]
    assert sorted(names) == sorted(n for n in archive.namelist() if n.endswith(".pdf"))
    body = message.get_body(("plain",)).get_content()
    assert "Dear Northbury Council penalty notice team" in body
    assert "northbury-fairweather-zoe-generic-request.pdf" in body



def test_a_welsh_council_with_no_file_gets_a_bundle_under_the_2013_regulations(pdf_text):
    data = attach(family_case("welsh-holiday"),
                  ("attendance_certificate", certificate_pdf("Prydderch, Gwenllian", "19/06/2026")),
                  ("leave_request_form", make_pdf(["Cais am absenoldeb", "Gwenllian Prydderch"])),
                  ("refusal_letter", make_pdf(["Nid yw'r absenoldeb wedi'i awdurdodi."])))
    _, archive = open_bundle(data)
    assert "gwaelod-prydderch-gwenllian-generic-request.pdf" in archive.namelist()
    assert "Cyngor Gwaelod" in pdf_text(archive.read("gwaelod-prydderch-gwenllian-generic-request.pdf"))
    assert message_of(archive)["To"] == NO_FILE["wales"]["council_details"]["email"]
    manifest = json.loads(archive.read("manifest.json"))
    rules = manifest["report"]["rules"]
    assert (rules["basis"], rules["country"]) == ("national_default", "wales")
    assert "The Education (Penalty Notices) (Wales) Regulations 2013" in [s["title"] for s in rules["sources"]]
    [notice] = manifest["case"]["notices"]
    assert (notice["amount_early"], notice["early_days"], notice["amount_full"], notice["full_days"]) == (
        60, 28, 120, 42)

CC_RULES = """
[submission]
channel = "email"
to = "requests@ccshire.example.gov.uk"
cc = ["attendance.lead@ccshire.example.gov.uk"]
cc_school_inclusion_lead = true
source = "code"
"""


def test_email_copies_whom_the_councils_file_names(temp_council):
    council = temp_council(council_toml("ccshire", extra=CC_RULES, unpublished=(
        "contact", "deadlines", "request_per", "term_dates", "notice_to_improve")))
    data = apart_sent()
    data["council"] = council.id
    del data["council_details"]
    message = message_of(open_bundle(data)[1])
    assert message["To"] == "requests@ccshire.example.gov.uk"
    assert message["Cc"] == "attendance.lead@ccshire.example.gov.uk, inclusion.lead@elmbury.example.sch.uk"


def test_bundle_of_parents_apart_prints_each_address(pdf_text):
    _, archive = open_bundle(apart_sent())
    names = archive.namelist()
    assert "northbury-oconnor-hughes-sian-holiday-letter.pdf" in names
    assert "northbury-oconnor-hughes-sian-attendance-certificate.pdf" in names
    form = archive.read("northbury-oconnor-hughes-sian-generic-request.pdf")
    assert "Flat 4, 22 South Street" in pdf_text(form)  # the parent who lives apart, at their own address


def test_dorset_holiday_form_prints_the_address_of_the_parent_apart(case, pdf_text):
    # Dorset's own form, and its rule that both addresses are given when the parents live apart.
    _, archive = open_bundle(apart_sent(case("dorset-holiday-separated")))
    form = archive.read("dorset-oconnor-hughes-sian-dorset-holiday.pdf")
    assert "Flat 4, 22 South Street" in pdf_text(form)


def _upn(body: str) -> str:
    from service.case.fields import upn_check_letter

    return upn_check_letter("A" + body) + body


def test_one_request_per_pupil_where_the_council_asks(temp_council):
    council = temp_council('request_per = "child"\n' + council_toml("perchild", unpublished=(
        "submission", "contact", "deadlines", "term_dates", "notice_to_improve")))
    data = apart_sent()
    data["council"] = council.id
    data["council_details"] = {"email": "requests@perchild.example.gov.uk"}
    data["pupils"].append(dict(data["pupils"][0], forename="Eira", upn=_upn("835304223020")))
    data["attachments"] += attach({}, ("attendance_certificate",
                                       certificate_pdf("O'Connor-Hughes, Eira", "16/11/2026")))["attachments"]
    _, archive = open_bundle(data)
    requests = sorted(n for n in archive.namelist() if n.endswith("generic-request.pdf"))
    assert requests == ["perchild-oconnor-hughes-eira-generic-request.pdf",
                        "perchild-oconnor-hughes-sian-generic-request.pdf"]
    assert "perchild-oconnor-hughes-eira-attendance-certificate.pdf" in archive.namelist()


def test_missing_attachment_is_422_with_the_checklist():
    data = attach(family_case("holiday-parents-apart"), ("holiday_letter", make_pdf(["Not authorised."])))
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
def test_bad_certificate_blocks_the_bundle(content, code):
    data = attach(family_case("holiday-parents-apart"), ("attendance_certificate", content),
                  ("holiday_letter", make_pdf(["Not authorised."])))
    with pytest.raises(CannotProduce) as info:
        bundles.build(data, ENGINES)
    assert ("attachments[0]", code) in [(e.path, e.code) for e in info.value.report.errors]


def test_merged_pdf_holds_every_page():
    _, archive = open_bundle(holiday_sent(), merged=True)
    merged = PdfReader(io.BytesIO(archive.read("northbury-fairweather-zoe-merged.pdf")))
    parts = [n for n in archive.namelist() if n.endswith(".pdf") and not n.endswith("merged.pdf")]
    assert len(parts) == 5
    assert len(merged.pages) == sum(len(PdfReader(io.BytesIO(archive.read(n))).pages) for n in parts)


def test_bundle_api_round_trip():
    from service import create_app

    client = create_app({"TESTING": True, "BUNDLE_SIGNING_KEY": "k"}).test_client()
    response = client.post("/api/v1/bundles", json=holiday_sent())
    assert response.status_code == 200
    assert 'attachment; filename="northbury-fairweather-zoe-bundle.zip"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    raw = response.data
    checked = client.post("/api/v1/bundles/verify", data=raw, content_type="application/zip").get_json()
    assert (checked["valid"], checked["signature_valid"]) == (True, True)
    as_part = client.post("/api/v1/bundles/verify", content_type="multipart/form-data",
                          data={"bundle": (io.BytesIO(raw[:-10]), "b.zip")}).get_json()
    assert as_part["valid"] is False
    failing = client.post("/api/v1/bundles", json=family_case("holiday-two-children"))
    assert failing.status_code == 422
    assert failing.get_json()["report"]["checklist"][0]["status"] == "missing"


def test_certificate_generated_from_marks(pdf_text):
    _, archive = open_bundle(marks_sent())
    names = archive.namelist()
    assert "northbury-kowalczyk-reid-tomasz-generic-request.pdf" in names
    certificate = archive.read("northbury-kowalczyk-reid-tomasz-attendance-certificate.pdf")
    assert "Tomasz Kowalczyk-Reid" in pdf_text(certificate)
    manifest = json.loads(archive.read("manifest.json"))
    roles = {f["name"]: f["role"] for f in manifest["files"]}
    assert roles["northbury-kowalczyk-reid-tomasz-attendance-certificate.pdf"] == "generated"
    assert roles["northbury-kowalczyk-reid-tomasz-parent-communication.pdf"] == "attachment"


def test_a_bundle_reads_each_attachment_once(monkeypatch):
    # Issue #16: a bundle validated its case twice and extracted every attachment's text twice.
    from service import attachments

    reads = []
    original = attachments._inspect
    monkeypatch.setattr(attachments, "_inspect", lambda i, a: reads.append(i) or original(i, a))
    open_bundle(holiday_sent())
    assert len(reads) == 4  # four attachments, one read each
    assert attachments._READ.get() is None  # nothing kept after the bundle


# A contract over the registry: every council whose file names a form of its own gets that form in its
# bundle, one per request as its file says (per child or per family), and its e-mail goes by its route.
OWN_FORMS = [(c, d) for c in councils.all() for d in c.documents
             if isinstance(forms.get(d), forms.PdfForm) and d != "generic-request"]


def own_form_case(council: councils.Council, form: forms.PdfForm) -> tuple[str, dict[str, Any]]:
    """Return a family whose case the form takes, sent to this council with every item of its checklist:
    the holiday family for a holiday form, else the family with register marks."""
    name = "holiday-two-children" if "holiday" in form.need_names else "irregular-with-marks"
    data = family_case(name)
    data["council"] = council.id
    del data["council_details"]
    pupils, parents = data["pupils"], [p["id"] for p in data["parents"]]
    # Whatever the council puts first was done: a Notice to Improve whose period ended, a warning letter.
    data["previous_notices_to_improve"] = [{"parent_id": p, "pupil_upn": u["upn"], "issued_on": "2026-06-01",
                                            "period_end": "2026-07-13"} for p in parents for u in pupils]
    data["previous_letters"] = [{"document": "warning-letter", "sent_on": "2026-07-20"}]
    items = []
    for req in council.requirements(form.id, form.attachments):
        kind = req.kinds[0]
        if kind.startswith("attendance_certificate"):
            items += [(kind, certificate_pdf(f"{p['surname']}, {p['forename']}", "16/11/2026")) for p in pupils]
        else:
            items.append((kind, make_pdf([req.label, *(f"{p['forename']} {p['surname']}" for p in pupils)])))
    return name, attach(data, *items)


@pytest.mark.parametrize(("council", "document_id"), OWN_FORMS, ids=lambda v: getattr(v, "id", v))
def test_a_councils_own_form_is_in_its_bundle(council, document_id, pdf_text):
    form = forms.get(document_id)
    family, data = own_form_case(council, form)
    _, archive = open_bundle(data)
    per_child = council.request_per == "child" or (council.request_per is None and form.pupils_per_sheet == 1)
    every = PUPILS[family]
    expected = ({f"{council.id}-{who}-{document_id}.pdf": [forename] for who, forename in every} if per_child
                else {f"{council.id}-{every[0][0]}-{document_id}.pdf": [forename for _, forename in every]})
    requests = [n for n in archive.namelist() if n.endswith(f"-{document_id}.pdf")]
    assert sorted(requests) == sorted(expected)
    assert json.loads(archive.read("manifest.json"))["document"] == document_id
    for name, forenames in expected.items():
        pdf = archive.read(name)
        assert not PdfReader(io.BytesIO(pdf)).get_fields()  # flattened for the LA
        assert all(forename in pdf_text(pdf) for forename in forenames), name
    route, message = council.submit_to, message_of(archive)
    assert message["To"] == (route.to if route.channel == "email" else None)
    lead = [data["school"]["inclusion_lead_email"]] if route.cc_school_inclusion_lead else []
    assert (message["Cc"] or "") == ", ".join([*route.cc, *lead])
