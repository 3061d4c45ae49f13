"""A contract over every council and every form it takes: what a form prints about its council is the
council's data (name, department, route, phone, deadline); each required attachment is checked."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from datetime import date

import pytest
from pypdf import PdfReader

from service import councils
from service import forms
from service.attachments import applies
from service.attachments import requirements
from service.documents import produce
from service.engines import Engines
from service.validation import validate
from tests.conftest import ROOT
from tests.conftest import load_example
from tests.conftest import make_pdf

ENGINES = Engines()
PAIRS = [(c, d) for c in councils.all() for d in c.documents if isinstance(forms.get(d), forms.PdfForm)]
OWN = [(c, d) for c, d in PAIRS if d != "generic-request"]
GENERIC = [c for c, d in PAIRS if d == "generic-request"]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\b0\d{3,4} ?\d{3} ?\d{3,4}\b")


def template_text(document_id: str) -> str:
    reader = PdfReader(forms.get(document_id).template_path)
    return "\n".join(page.extract_text() for page in reader.pages)


def facts(council: councils.Council) -> set[str]:
    route, contact = council.submit_to, council.contact
    return {v for v in (route.to, *route.cc, contact and contact.email, contact and contact.phone) if v}


def case_for(council: councils.Council) -> dict:
    """The project's example with no council file, sent to this council (its own route where unpublished)."""
    data = load_example("national-england-holiday")
    data["council"] = council.id
    # What a council may put first (Stockton-on-Tees: a warning letter before a holiday notice) was done.
    data["previous_letters"] = [{"document": "warning-letter", "sent_on": "2026-10-12"}]
    if council.submit_to.channel is not None:
        del data["council_details"]
    else:
        data["council_details"] = {"email": "requests@council.example.gov.uk"}
    return data


@pytest.mark.parametrize(("council", "document_id"), OWN, ids=lambda v: getattr(v, "id", v))
def test_a_councils_own_form_prints_its_data_and_no_other_address(council, document_id):
    text = " ".join(template_text(document_id).split())
    assert council.name in text
    if council.department:
        assert council.department in text
    printed = set(EMAIL.findall(text)) | set(PHONE.findall(text))
    assert printed <= facts(council), f"{document_id} prints {printed - facts(council)}: not in {council.file}"
    for deadline in council.deadlines:
        if "holiday" in deadline.absence_types and "holiday" in document_id:
            assert deadline.text.upper() in text


@pytest.mark.parametrize("council", GENERIC, ids=lambda c: c.id)
def test_the_generic_request_prints_the_councils_data(council, pdf_fields):
    rendered = produce("generic-request", case_for(council), ENGINES, today=date(2026, 10, 14))
    got = pdf_fields(rendered.content)
    resolved = councils.get(council.id)
    assert got["council_name"] == resolved.name
    route = resolved.submit_to
    if route.channel == "email" and route.to:
        assert route.to in got["submit_to"]
    elif route.channel is None:
        assert got["submit_to"] == "E-mail requests@council.example.gov.uk"  # the case's, as the file lacks it
    else:
        assert ("address not published" in got["submit_to"]) != bool(route.url)
    phone = resolved.contact.phone if resolved.contact else None
    assert got["council_phone"].endswith(phone) if phone else got["council_phone"] == councils.UNPUBLISHED
    holiday = [d for d in resolved.deadlines if "holiday" in d.absence_types]
    assert all(f"Within {d.days} " in got["deadline"] and d.text.rstrip(".") in got["deadline"] for d in holiday)
    if not holiday:
        assert got["deadline"] in ("No deadline published", "None published")
    assert f"{resolved.threshold.unauthorised_sessions} sessions" in got["rules_applied"]
    source = resolved.source_of(resolved.threshold.source)
    assert source.title in got["rules_applied"]


@pytest.mark.parametrize(("council", "document_id"), PAIRS, ids=lambda v: getattr(v, "id", v))
def test_each_required_attachment_is_checked(council, document_id):
    data = case_for(council)
    report, case = validate(data, document_id)
    document = forms.get(document_id)
    wanted = [r for r in requirements(case, document) if applies(r, case)]
    assert [i.item for i in report.checklist if i.required] == [r.item for r in wanted]
    assert all(i.status == "missing" for i in report.checklist if i.required)
    for req in wanted:
        # Each item is satisfied by each of its kinds (either-or), and by nothing else.
        for kind in req.kinds:
            sent = dict(data, attachments=[attachment(kind)])
            item = next(i for i in validate(sent, document_id)[0].checklist if i.item == req.item)
            assert item.status == "satisfied", (council.id, document_id, req.item, kind)
        other = next(k for k in ("other", "headteacher_certificate", "attendance_plan") if k not in req.kinds)
        item = next(i for i in validate(dict(data, attachments=[attachment(other)]), document_id)[0].checklist
                    if i.item == req.item)
        assert item.status == "missing", (council.id, document_id, req.item, other)


def attachment(kind: str) -> dict:
    lines = ["Attendance certificate", "Pupil: Fairweather, Zoë", "Pupil: Fairweather, Alfie", "16/10/2026"]
    content = make_pdf(lines if kind.startswith("attendance_certificate") else [kind.replace("_", " ")])
    return {"kind": kind, "filename": f"{kind}.pdf", "content_base64": base64.b64encode(content).decode()}


def test_the_committed_templates_are_what_the_council_files_build(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_pdf_templates.py"), "--out",
                           str(tmp_path), "--check"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    for built in sorted(tmp_path.glob("*.pdf")):
        committed = ROOT / "templates" / "pdf" / built.name
        assert built.read_bytes() == committed.read_bytes(), (
            f"{built.name} differs from what the council files build: run scripts/build_pdf_templates.py")


def test_a_form_of_one_council_prints_no_other_councils_address():
    for council, document_id in OWN:
        text = template_text(document_id)
        others = set().union(*(facts(c) for c in councils.all() if c.id != council.id)) - facts(council)
        assert not [f for f in others if f in text], document_id


