"""The attendance certificate is each pupil's own: a family's siblings each get theirs, from their own register,
in the document and in the bundle; a sibling with no register is said, never left out."""

from __future__ import annotations

import base64
import copy
import io
import zipfile
from typing import Any

import pytest
from pypdf import PdfReader

from service.documents import produce
from service.engines import Engines
from service.problems import CannotProduce
from tests.conftest import council_toml
from tests.conftest import make_pdf


def with_sibling(data: dict[str, Any], own_marks: bool = True) -> dict[str, Any]:
    """Add Kasia, Tomasz's sister, with her own figures and register (2 sessions of O in her first week)."""
    sister = copy.deepcopy(data["pupils"][0]) | {"upn": "L865204224042", "forename": "Kasia",
                                                 "date_of_birth": "2016-01-20", "year_group": "Year 5"}
    if own_marks:
        marks = copy.deepcopy(data["attendance"]["marks"])
        for mark in marks:
            mark["code"] = "\\" if mark["session"] == "PM" else "/"
        marks[0]["code"] = marks[1]["code"] = "O"
        sister["attendance"] = data["attendance"] | {"marks": marks, "sessions_present": len(marks) - 2,
                                                    "sessions_possible": len(marks), "authorised_absences": 0,
                                                    "unauthorised_absences": 2}
    data["pupils"].append(sister)
    return data


def notices_ended(data: dict[str, Any]) -> dict[str, Any]:
    """Record a Notice to Improve, its period ended, for the mother and each child, and attach the letter
    that told her the absence was not authorised: what the bundle needs besides the certificates."""
    data["previous_notices_to_improve"] = [
        {"parent_id": "p1", "pupil_upn": p["upn"], "issued_on": "2026-06-01", "period_end": "2026-07-13"}
        for p in data["pupils"]]
    letter = make_pdf(["Dear Ms Kowalczyk", "Tomasz and Kasia: unauthorised absence"])
    data["attachments"] = [{"kind": "refusal_letter", "filename": "letter.pdf",
                            "content_base64": base64.b64encode(letter).decode()}]
    return data


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def certificates_by_pupil(pdf: bytes) -> dict[str, str]:
    """Return each certificate's text by the pupil named in its footer."""
    out: dict[str, str] = {}
    for text in pages(pdf):
        name = next(line.split(": ", 1)[1] for line in text.splitlines()
                    if line.startswith("Attendance certificate: "))
        out[name] = out.get(name, "") + text
    return out


def figures(text: str) -> list[str]:
    """Return the certificate's summary row: the five figures under its headings."""
    lines = [line.strip() for line in text.splitlines()]
    start = lines.index("Attendance", lines.index("Authorised absence")) + 1
    return lines[start:start + 5]


def test_each_sibling_gets_a_certificate_of_their_own_register(family):
    data = with_sibling(family("irregular-with-marks"))
    pdf = produce("attendance-certificate", data, Engines(), "pdf").content
    got = certificates_by_pupil(pdf)
    assert list(got) == ["Tomasz Kowalczyk-Reid", "Kasia Kowalczyk-Reid"]
    # Each shows its own pupil and figures: Tomasz's 16 unauthorised sessions, Kasia's 2.
    assert "Kasia" not in got["Tomasz Kowalczyk-Reid"] and "L865204224042" not in got["Tomasz Kowalczyk-Reid"]
    assert "Tomasz" not in got["Kasia Kowalczyk-Reid"].replace("Attendance certificate: Kasia", "")
    # Possible, present, authorised, unauthorised, attendance: each from the pupil's own register.
    assert figures(got["Tomasz Kowalczyk-Reid"])[3] == "16"
    assert figures(got["Kasia Kowalczyk-Reid"]) == ["116", "114", "0", "2", "98.3%"]
    assert "20 January 2016" in got["Kasia Kowalczyk-Reid"] and "Year 5" in got["Kasia Kowalczyk-Reid"]
    # Each certificate counts its own pages and ends with the headteacher's block.
    for text in got.values():
        assert "Page 1 of " in text and text.count("Headteacher: Mrs Joanna Whitlock") == 1


def test_a_sibling_without_a_register_is_refused_by_name(family):
    data = with_sibling(family("irregular-with-marks"), own_marks=False)
    with pytest.raises(CannotProduce) as raised:
        produce("attendance-certificate", data, Engines(), "pdf")
    issues = [(i.path, i.code) for i in raised.value.report.errors]
    assert issues == [("pupils[1].attendance.marks", "marks_required")]
    assert "Kasia Kowalczyk-Reid" in raised.value.report.errors[0].message


def test_the_bundle_holds_a_certificate_per_sibling(client, family):
    data = notices_ended(with_sibling(family("irregular-with-marks")))
    response = client.post("/api/v1/bundles", json=data)
    assert response.status_code == 200, response.get_json()
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    made = sorted(n for n in archive.namelist() if n.endswith("-attendance-certificate.pdf"))
    assert made == ["northbury-kowalczyk-reid-kasia-attendance-certificate.pdf",
                    "northbury-kowalczyk-reid-tomasz-attendance-certificate.pdf"]
    for name, pupil in zip(made, ("Kasia", "Tomasz"), strict=True):
        assert list(certificates_by_pupil(archive.read(name))) == [f"{pupil} Kowalczyk-Reid"]


def test_the_bundle_says_which_sibling_has_no_certificate(client, family):
    data = notices_ended(with_sibling(family("irregular-with-marks"), own_marks=False))
    response = client.post("/api/v1/bundles", json=data)
    assert response.status_code == 422
    item = next(i for i in response.get_json()["report"]["checklist"] if i["item"] == "attendance_certificate")
    assert item["status"] == "missing" and "Kasia Kowalczyk-Reid" in item["message"]


PER_CHILD = """
[submission]
channel = "email"
to = "penalty.notices@testshire.example.gov.uk"
source = "code"
"""


def test_a_request_per_child_prints_each_childs_own_register(client, family, temp_council, pdf_fields):
    # The case's own figures are the first pupil's: a sister's request must show her register, not his.
    text = council_toml(unpublished=("contact", "deadlines", "term_dates", "notice_to_improve"), extra=PER_CHILD)
    council = temp_council(text.replace('source = "code"\n', 'source = "code"\nrequest_per = "child"\n', 1))
    data = notices_ended(with_sibling(family("irregular-with-marks")))
    data |= {"council": council.id, "council_details": None}
    kasia = data["pupils"][1]["attendance"]["marks"]
    inside = [m for m in kasia if m["date"] >= data["absence"]["start_date"]][:2]
    for mark in inside:
        mark["code"] = "U"
    response = client.post("/api/v1/bundles", json=data)
    assert response.status_code == 200, response.get_json()
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    forms = {n: archive.read(n) for n in archive.namelist() if n.endswith("-generic-request.pdf")}
    assert sorted(forms) == ["testshire-kowalczyk-reid-kasia-generic-request.pdf",
                             "testshire-kowalczyk-reid-tomasz-generic-request.pdf"]
    texts = {name: " ".join(pages(pdf)) for name, pdf in forms.items()}
    assert "2 (U: 2)" in " ".join(texts["testshire-kowalczyk-reid-kasia-generic-request.pdf"].split())
    assert "2 (U: 2)" not in " ".join(texts["testshire-kowalczyk-reid-tomasz-generic-request.pdf"].split())


def test_a_family_request_prints_each_siblings_own_count(family, pdf_fields):
    # One form for the family: the sessions by code and the threshold count are each child's own.
    data = notices_ended(with_sibling(family("irregular-with-marks")))
    kasia = data["pupils"][1]["attendance"]["marks"]
    for mark in [m for m in kasia if m["date"] >= data["absence"]["start_date"]][:2]:
        mark["code"] = "U"
    got = pdf_fields(produce("generic-request", data, Engines(), "pdf").content)
    tomasz_codes, kasia_codes = got["sessions_codes"].split("\n")
    assert tomasz_codes.startswith("Tomasz: 16 (") and kasia_codes == "Kasia: 2 (U: 2)"
    assert "Tomasz 16 counted from the register" in got["threshold"]
    assert "Kasia 4 counted from the register" in got["threshold"]  # her 2 O before the absence, 2 U in it
