"""Attachments inspected with pypdf and checked against the checklists, each fault with its stable code."""

from __future__ import annotations

import base64

import pytest

from service import attachments
from service.case import Attachment
from service.validation import validate
from tests.conftest import certificate_pdf
from tests.conftest import make_pdf


def with_attachments(data, *items):
    data["attachments"] = [{"kind": kind, "filename": f"{kind}.pdf", "content_base64": base64.b64encode(content).decode()}
                           for kind, content in items]
    return data


def codes(issues):
    return [(i.path, i.code) for i in issues]


# Inspection is the same for every council: the generic request (which every council with no file takes)
# at a council with no file; the irregular family had its Notice to Improve first.
GENERIC = "generic-request"


def irregular(family):
    data = family("irregular-one-child")
    data["previous_notices_to_improve"] = [
        {"parent_id": "p1", "pupil_upn": "F835304223021", "issued_on": "2026-06-01", "period_end": "2026-07-13"}]
    return data


@pytest.mark.parametrize(("content", "code"), [
    (b"GIF89a not a pdf", "attachment_unreadable"),
    (make_pdf(["x"])[:300], "attachment_unreadable"),  # truncated
    (make_pdf(["x"]).replace(b"/Pages", b"/Pxges"), "attachment_unreadable"),  # no page tree
    (make_pdf(["x"]).replace(b"/Kids", b"/Kxds"), "attachment_unreadable"),  # no pages
    (make_pdf(["x"], encrypt="secret"), "attachment_encrypted"),
    (make_pdf(["x"], encrypt=""), "attachment_encrypted"),
    (make_pdf(None, pages=51), "attachment_too_large"),
    (b"%PDF-1.4\n" + b"0" * (attachments.MAX_BYTES + 1), "attachment_too_large"),
])
def test_unusable_attachment_codes(family, content, code):
    data = with_attachments(irregular(family), ("leave_request_form", content))
    report, _ = validate(data, GENERIC)
    assert codes(report.errors) == [("attachments[0]", code)]


@pytest.mark.parametrize("name", ["Fairweather, Zoë", "ZOË FAIRWEATHER", "Zoe Fairweather", "fairweather  zoë"])
def test_certificate_name_matching_is_tolerant(family, name):
    data = with_attachments(family("holiday-two-children"), ("attendance_certificate", certificate_pdf(name)),
                            ("attendance_certificate", certificate_pdf("Alfie Fairweather")))
    report, _ = validate(data, GENERIC)
    assert report.errors == []
    assert report.checklist[0].status == "satisfied"


def test_each_sibling_needs_a_certificate(family):
    data = with_attachments(family("holiday-two-children"), ("attendance_certificate", certificate_pdf()))
    report, _ = validate(data, GENERIC)
    assert report.errors == []
    item = report.checklist[0]
    assert (item.item, item.status) == ("attendance_certificate", "missing")
    assert "Alfie Fairweather" in item.message
    assert "Zoë" not in item.message


@pytest.mark.parametrize(("forename", "surname", "printed"), [
    ("Siân", "O'Connor-Hughes", "O'CONNOR-HUGHES, Siân"),
    ("Siân", "O'Connor-Hughes", "Sian OConnor Hughes"),
    ("Siân", "O'Connor-Hughes", "Siân O’Connor‑Hughes"),  # curly apostrophe, non-breaking hyphen
])
def test_apostrophes_and_hyphens(forename, surname, printed):
    from service.case import Address
    from service.case import Pupil

    pupil = Pupil("A", forename, surname, None, "F", Address("1", "T", "DT1 1AA"))
    assert attachments.names_pupil(f"Pupil: {printed}", pupil)
    assert not attachments.names_pupil("Pupil: Siân O'Connor", pupil)


def test_certificate_of_another_pupil_is_a_mismatch(family):
    data = with_attachments(irregular(family), ("attendance_certificate", certificate_pdf("Brown, Olivia")))
    report, _ = validate(data, GENERIC)
    assert codes(report.errors) == [("attachments[0]", "attachment_name_mismatch")]
    assert report.checklist[0].status == "invalid"


def test_scanned_certificate_warns_instead_of_a_false_mismatch(family):
    data = with_attachments(irregular(family), ("attendance_certificate", make_pdf(None)))
    report, _ = validate(data, GENERIC)
    assert report.errors == []
    assert codes(report.warnings) == [("attachments[0]", "attachment_no_text")]


def test_stale_certificate_is_a_warning(family):
    data = with_attachments(irregular(family),
                            ("attendance_certificate", certificate_pdf("Callum Ó Briain", as_of="01/10/2026")))
    report, _ = validate(data, GENERIC)
    assert report.errors == []
    assert codes(report.warnings) == [("attachments[0]", "attachment_stale")]


# Wiltshire's own PN3 checklist (App. 11): item 3 or item 4, as the family asked for leave or not.
def test_wiltshire_item_3_or_4_follows_the_leave_request(case):
    data = with_attachments(case("wiltshire-holiday"), ("attendance_certificate", certificate_pdf()),
                            ("attendance_certificate", certificate_pdf("Alfie Fairweather")),
                            ("refusal_letter", make_pdf(["We cannot authorise this leave."])))
    report, _ = validate(data, "pn3")
    assert {(c.item, c.required, c.status) for c in report.checklist} == {
        ("attendance_certificate", True, "satisfied"), ("leave_request_form", True, "missing"),
        ("refusal_letter", True, "satisfied"), ("holiday_letter", False, "not_required")}
    data["absence"]["leave_request"] = {"submitted": False}
    report, _ = validate(data, "pn3")
    assert {(c.item, c.required, c.status) for c in report.checklist} == {
        ("attendance_certificate", True, "satisfied"), ("leave_request_form", False, "not_required"),
        ("refusal_letter", False, "not_required"), ("holiday_letter", True, "missing")}


def test_marks_let_the_service_produce_the_certificate(family):
    data = family("irregular-with-marks")
    report, _ = validate(data, "pn3")
    assert report.checklist == []  # a document the council does not take: no checklist
    report, _ = validate(data, GENERIC)
    assert report.checklist[0].status == "satisfied"
    assert "Produced by the service" in report.checklist[0].message


def test_missing_lists_required_items():
    items = [attachments.ChecklistItem("a", True, "missing", "", "A"), attachments.ChecklistItem("b", False, "not_required", "", "B"),
             attachments.ChecklistItem("c", True, "invalid", "", "C")]
    assert [i.message for i in attachments.missing(items)] == ["Missing or unusable: A.", "Missing or unusable: C."]


@pytest.mark.parametrize(("text", "expected"), [
    ("Printed 16/10/2026, term from 02/09/2026", "2026-10-16"),
    ("as of 2026-11-20", "2026-11-20"),
    ("Attendance to 4 May 2026 and 3rd June 2025", "2026-05-04"),
    ("no dates", None),
    ("31/02/2026", None),
])
def test_latest_date(text, expected):
    found = attachments.latest_date(text)
    assert (found.isoformat() if found else None) == expected


def test_inspect_counts_pages_and_text():
    found = attachments.inspect(0, Attachment("other", make_pdf(["Hello Tŷ Gwyn"], pages=3)))
    assert found.usable
    assert found.pages == 3
    assert "Hello Tŷ Gwyn" in found.text
