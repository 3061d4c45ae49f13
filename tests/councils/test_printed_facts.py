"""A contract over every council and every form it takes: what a form prints about its council is the
council's data (name, department, route, phone, deadline); each required attachment is checked."""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

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
from tests.conftest import council_toml
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
    # What a council's file may put first (a warning letter before a holiday notice) was done.
    data["previous_letters"] = [{"document": "warning-letter", "sent_on": "2026-10-12"}]
    if council.submit_to.channel is not None:
        del data["council_details"]
    else:
        data["council_details"] = {"email": "requests@council.example.gov.uk"}
    return data


def own_case(council: councils.Council, document_id: str) -> dict:
    """A case of this council that the form takes: holiday, or irregular absence for a warning request."""
    data = case_for(council)
    data["pupils"] = data["pupils"][:1]  # one sheet: its fields can be read back as well as its text
    if "irregular" in forms.get(document_id).need_names:
        data["absence"]["type"] = "irregular"
        data["absence"].pop("leave_request", None)
        data["previous_notices_to_improve"] = [
            {"parent_id": p, "pupil_upn": u, "issued_on": "2026-06-01", "period_end": "2026-07-13"}
            for p in ("p1", "p2") for u in ("U865204225011",)]
    return data


def printed(council: councils.Council, document_id: str) -> tuple[dict, str]:
    """Fill the council's own form for one of its cases; return its fields and its flattened text."""
    data = own_case(council, document_id)
    fields = PdfReader(io.BytesIO(produce(document_id, data, ENGINES, today=date(2026, 10, 14)).content))
    flat = produce(document_id, data, ENGINES, flatten=True, today=date(2026, 10, 14)).content
    text = subprocess.run(["pdftotext", "-", "-"], input=flat, capture_output=True, check=True).stdout.decode()
    return {k: v.get("/V") for k, v in (fields.get_fields() or {}).items()}, " ".join(text.split())


@pytest.mark.parametrize(("council", "document_id"), OWN, ids=lambda v: getattr(v, "id", v))
def test_a_councils_own_form_template_prints_no_council_fact(council, document_id):
    text = " ".join(template_text(document_id).split())
    every = {c.name for c in councils.all()} | set().union(*(facts(c) for c in councils.all()))
    assert not [f for f in every if f in text], f"{document_id}: a council's fact is printed in the template"
    assert not EMAIL.findall(text) and not PHONE.findall(text)
    # The council's facts are fields, filled from its data each time the form is filled.
    assert {"council_name", "council_department"} <= set(PdfReader(forms.get(document_id).template_path)
                                                         .get_fields())


@pytest.mark.parametrize(("council", "document_id"), OWN, ids=lambda v: getattr(v, "id", v))
def test_each_fact_a_councils_own_form_prints_is_its_data(council, document_id):
    values, text = printed(council, document_id)
    assert values["council_name"] == council.name and council.name in text
    assert values["council_department"] == (council.department or "")
    if council.department:
        assert council.department in text
    fact_fields = {k: v for k, v in values.items() if k in FACT_FIELDS}
    route = council.submit_to
    if "submit_to" in fact_fields:
        assert route.to in fact_fields["submit_to"] and route.to in text
        assert ("Inclusion" in fact_fields["submit_to"]) is route.cc_school_inclusion_lead
    if "cc_reminder" in fact_fields:
        assert bool(fact_fields["cc_reminder"]) is route.cc_school_inclusion_lead
    if "council_contact" in fact_fields:
        for fact in (council.contact.email, council.contact.phone):
            assert fact in fact_fields["council_contact"] and fact in text
    if "deadline" in fact_fields:
        holiday = [d.text for d in council.deadlines if "holiday" in d.absence_types]
        assert fact_fields["deadline"] == " ".join(holiday).upper() and fact_fields["deadline"] in text
    # Nothing printed of a council but this one's facts: every address and phone on the form is the
    # council's or the case's.
    case = json.dumps(own_case(council, document_id))
    stray = {f for f in set(EMAIL.findall(text)) | set(PHONE.findall(text)) if f not in case}
    assert stray <= facts(council), f"{document_id} prints {stray - facts(council)}: not in {council.file}"


FACT_FIELDS = ("submit_to", "cc_reminder", "council_contact", "deadline")


@pytest.mark.parametrize(("council", "document_id"), OWN, ids=lambda v: getattr(v, "id", v))
def test_a_corrected_council_file_changes_its_printed_facts_with_no_rebuild(council, document_id,
                                                                            temp_council):
    template = forms.get(document_id).template_path.read_bytes()
    text = Path(council.file).read_text(encoding="utf-8")
    # Every fact the form prints, corrected in a deployment's copy of the council's file.
    new = {council.name: "Borough of Correctedshire"}
    if council.department:
        new[council.department] = "Corrected Attendance Service"
    for fact in facts(council):
        new[fact] = "01632 960999" if PHONE.fullmatch(fact) else f"team{len(new)}@correctedshire.example.gov.uk"
    for old, fixed in new.items():
        text = text.replace(f'"{old}"', f'"{fixed}"')
    # …and the Cc it asks for, turned the other way.
    asked = council.submit_to.cc_school_inclusion_lead
    text = text.replace(f"cc_school_inclusion_lead = {str(asked).lower()}", f"cc_school_inclusion_lead = {str(not asked).lower()}")
    for deadline in council.deadlines:
        text = text.replace(f'"{deadline.text}"', '"Send it within three days of the return."')
    corrected = temp_council(text, council.id)
    assert corrected.name == "Borough of Correctedshire"
    values, printed_text = printed(corrected, document_id)
    assert "Borough of Correctedshire" in printed_text and council.name not in printed_text
    for old in facts(council):
        assert old not in printed_text, f"{document_id} still prints {old}"
    shown = [corrected.submit_to.to] if "submit_to" in values else []
    if "council_contact" in values:
        shown += [corrected.contact.email, corrected.contact.phone]
    for fact in shown:
        assert fact in printed_text, f"{document_id} does not print the corrected {fact}"
    if council.department:
        assert values["council_department"] == "Corrected Attendance Service"
    if "cc_reminder" in values:
        assert bool(values["cc_reminder"]) is not asked
        assert ("Inclusion" in values["submit_to"]) is not asked
    if "deadline" in values and council.deadlines:
        assert values["deadline"] == "SEND IT WITHIN THREE DAYS OF THE RETURN."
    assert forms.get(document_id).template_path.read_bytes() == template  # no rebuild


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


def test_the_committed_templates_are_what_the_builder_builds(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_pdf_templates.py"), "--out",
                           str(tmp_path), "--check"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    for built in sorted(tmp_path.glob("*.pdf")):
        committed = ROOT / "templates" / "pdf" / built.name
        assert built.read_bytes() == committed.read_bytes(), (
            f"{built.name} differs from what the builder builds: run scripts/build_pdf_templates.py")


OWN_FORMS = sorted({d for _, d in OWN})
ONLINE_FORM = """
[submission]
channel = "online_form"
url = "https://testshire.example.gov.uk/penalty-notice-request"
team = "Attendance Legal Team"
source = "code"
"""


@pytest.mark.parametrize("document_id", OWN_FORMS)
def test_a_new_council_reusing_another_councils_form_gets_its_own_facts_on_it(temp_council, document_id):
    # The issue's defect: a council reusing another's holiday form got that council's name and "Email request
    # to:" its address. The form's own council is whichever council's data fills it.
    owners = [c for c in councils.all() if c.accepts(document_id)]
    uses = f'\n[documents.{document_id}]\nsource = "code"\n'
    new = temp_council(council_toml(unpublished=("contact", "deadlines", "request_per", "term_dates",
                                                 "notice_to_improve"), extra=uses + ONLINE_FORM))
    values, text = printed(new, document_id)
    assert values["council_name"] == "Testshire Council" and values["council_department"] == ""
    if "submit_to" in values:
        assert values["submit_to"].endswith("Online form (Attendance Legal Team): "
                                            "https://testshire.example.gov.uk/penalty-notice-request")
    if "deadline" in values:
        assert values["deadline"] == "NO DEADLINE PUBLISHED: ASK THE COUNCIL"
    if "council_contact" in values:
        assert values["council_contact"] == "For further information: Not published: ask the council"
    if "cc_reminder" in values:
        assert values["cc_reminder"] == ""  # Testshire asks for no Cc
    assert owners and "Testshire Council" in text
    assert not [o.id for o in owners if o.name in text or [f for f in facts(o) if f in text]]
