"""Issue 11, "What was seen" 1–9, through HTTP: every parent and every child gets the right decision,
letter and form (a case is a family)."""

from __future__ import annotations

import base64
import email
import email.policy
import io
import json
import zipfile
from typing import Any

from service.case.fields import upn_check_letter
from tests.conftest import certificate_pdf
from tests.conftest import make_pdf

VALIDATE = "/api/v1/cases/validate"
ZOE, ALFIE = "U865204225011", "H865204225012"


def third_upn(last: int = 3) -> str:
    body = f"86520422501{last}"
    return upn_check_letter("A" + body) + body


def attach(data: dict[str, Any], *items: tuple[str, bytes]) -> dict[str, Any]:
    data["attachments"] = data.get("attachments", []) + [
        {"kind": k, "filename": f"{k}-{n}.pdf", "content_base64": base64.b64encode(c).decode()}
        for n, (k, c) in enumerate(items)
    ]
    return data


def fairweathers_attached(data: dict[str, Any]) -> dict[str, Any]:
    return attach(data, ("attendance_certificate", certificate_pdf("Fairweather, Zoë")),
                  ("attendance_certificate", certificate_pdf("Fairweather, Alfie")),
                  ("leave_request_form", make_pdf(["Leave of absence request form"])),
                  ("refusal_letter", make_pdf(["Your request for leave has not been authorised."])))


def codes(body: dict[str, Any], kind: str = "errors") -> list[tuple[str, str]]:
    return [(e["path"], e["code"]) for e in body[kind]]


def unzip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.get_json()
    return zipfile.ZipFile(io.BytesIO(response.data))


def docx_letters(data: bytes, docx_text) -> str:
    return docx_text(data)


# 1. A third notice within three years is an error naming the parent and pupil; nothing asks for it.
def test_third_notice_is_an_error_naming_the_pair_and_blocks_form_and_bundle(client, family):
    data = fairweathers_attached(family("holiday-two-children"))
    data["previous_penalty_notices"] = [
        {"parent_id": "p1", "pupil_upn": ZOE, "issued_on": "2024-02-12"},
        {"parent_id": "p1", "pupil_upn": ZOE, "issued_on": "2025-06-01"},
    ]
    body = client.post(VALIDATE, json=data).get_json()
    assert body["valid"] is False
    assert ("previous_penalty_notices[1]", "third_offence") in codes(body)
    message = next(e["message"] for e in body["errors"] if e["code"] == "third_offence")
    assert "Hannah Fairweather (parents[0])" in message and "Zoë Fairweather (pupils[0])" in message
    pairs = {(n["parent_id"], n["pupil_upn"]): n for n in body["decisions"]["penalty_notice"]["notices"]}
    assert pairs[("p1", ZOE)]["reason"] == "third_offence" and pairs[("p2", ZOE)]["notice_number"] == 1
    assert body["decisions"]["penalty_notice"]["uniform"] is False
    form = client.post("/api/v1/documents/generic-request", json=data)
    assert form.status_code == 422 and "third_offence" in [e["code"] for e in form.get_json()["errors"]]
    bundle = client.post("/api/v1/bundles", json=data)
    assert bundle.status_code == 422 and "third_offence" in [e["code"] for e in bundle.get_json()["errors"]]


# 2. Mixed notices are listed pair by pair on every surface.
def test_three_siblings_each_pair_listed_in_the_report_and_pages(client, family):
    data = family("holiday-two-children")
    third = {**data["pupils"][1], "upn": third_upn(), "forename": "Ivy", "date_of_birth": "2022-01-10"}
    data["pupils"].append(third)
    data["previous_penalty_notices"] = [
        {"parent_id": "p1", "pupil_upn": ZOE, "issued_on": "2025-06-01"},
        {"parent_id": "p2", "pupil_upn": ZOE, "issued_on": "2025-06-01"},
    ]
    body = client.post(VALIDATE, json=data).get_json()
    pn = body["decisions"]["penalty_notice"]
    got = sorted((n["pupil_index"], n["parent_index"], n["reason"], n["notice_number"], n["amount_early"],
                  n["amount_full"]) for n in pn["notices"])
    assert got == [(0, 0, "allowed", 2, None, 160), (0, 1, "allowed", 2, None, 160),
                   (1, 0, "allowed", 1, 80, 160), (1, 1, "allowed", 1, 80, 160),
                   (2, 0, "below_compulsory_school_age", None, None, None),
                   (2, 1, "below_compulsory_school_age", None, None, None)]
    assert pn["uniform"] is False
    # the pages' summary: one line per pair, never "notice 2 to each liable parent, for each child"
    from service.assessment import evaluate
    from service.web import outcome

    done = evaluate(data)
    with client.application.test_request_context():
        found = outcome.build(data, done.case, done.council, done.decisions, outcome.Context())
    lines = [(p.name, n.parent, n.text) for p in found.pupils for n in p.notices]
    assert len(lines) == 6
    assert ("Zoë Fairweather", "Hannah Fairweather, mother",
            "Penalty notice 2: £160, paid within 28 days (no reduced amount)") in lines
    assert ("Alfie Fairweather", "Owen Fairweather, father",
            "Penalty notice 1: £80 if paid within 21 days, £160 within 28 days") in lines
    assert ("Ivy Fairweather", "Owen Fairweather, father",
            "No penalty notice: the child is below compulsory school age") in lines


def two_liable_apart(family) -> dict[str, Any]:
    data = family("holiday-parents-apart")
    data["absence"]["responsible_parent_ids"] = ["p1", "p2"]
    data["previous_penalty_notices"] = [{"parent_id": "p1", "pupil_upn": "F835304223019", "issued_on": "2025-01-10"}]
    return attach(data, ("attendance_certificate", certificate_pdf("O'Connor-Hughes, Siân", "16/11/2026")),
                  ("holiday_letter", make_pdf(["Dear Ms O'Connor, the absence has not been authorised."])),
                  ("holiday_letter", make_pdf(["Dear Mr Hughes, the absence has not been authorised."])))


def test_mixed_notices_on_the_form_the_manifest_and_the_email(client, family, pdf_text):
    archive = unzip(client.post("/api/v1/bundles", json=two_liable_apart(family)))
    manifest = json.loads(archive.read("manifest.json"))
    notices = {(n["parent"], n["pupil"]): n for n in manifest["case"]["notices"]}
    assert notices[("Niamh O'Connor", "Siân O'Connor-Hughes")]["notice_number"] == 2
    assert notices[("Rhys Hughes", "Siân O'Connor-Hughes")]["notice_number"] == 1
    assert notices[("Rhys Hughes", "Siân O'Connor-Hughes")]["amount_early"] == 80
    form = next(n for n in archive.namelist() if n.endswith("generic-request.pdf"))
    other = " ".join(pdf_text(archive.read(form)).split())  # flattened: read what the page shows
    assert "Niamh O'Connor for Siân O'Connor-Hughes: notice 2: £160 within 28 days (no reduction)" in other
    assert "Rhys Hughes for Siân O'Connor-Hughes: notice 1: £80 if paid within 21 days" in other
    eml = email.message_from_bytes(policy=email.policy.default, s=archive.read(next(n for n in archive.namelist() if n.endswith(".eml"))))
    text = next(p for p in eml.walk() if p.get_content_type() == "text/plain").get_content()
    assert "- Niamh O'Connor for Siân O'Connor-Hughes: notice 2" in text
    assert "- Rhys Hughes for Siân O'Connor-Hughes: notice 1" in text


# 3. England, non-holiday: a Notice to Improve first (or the school's reason why support is not appropriate).
def test_penalty_notice_for_irregular_absence_needs_a_notice_to_improve_first(client, family):
    data = family("irregular-with-marks")
    body = client.post(f"{VALIDATE}?document=generic-request", json=data).get_json()
    assert ("parents[0]", "notice_to_improve_first") in codes(body)
    assert body["decisions"]["penalty_notice"]["notices"][0]["reason"] == "notice_to_improve_first"
    upn = data["pupils"][0]["upn"]
    ended = dict(data, previous_notices_to_improve=[
        {"parent_id": "p1", "pupil_upn": upn, "issued_on": "2026-09-01", "period_end": "2026-10-13"}])
    body = client.post(f"{VALIDATE}?document=generic-request", json=ended).get_json()
    assert "notice_to_improve_first" not in [c for _, c in codes(body)]
    notice = body["decisions"]["penalty_notice"]["notices"][0]
    assert (notice["allowed"], notice["notice_to_improve_ended"]) == (True, "2026-10-13")
    running = dict(data, previous_notices_to_improve=[
        {"parent_id": "p1", "pupil_upn": upn, "issued_on": "2026-11-20", "period_end": "2027-01-10"}])
    body = client.post(VALIDATE, json=running).get_json()
    assert body["decisions"]["penalty_notice"]["notices"][0]["reason"] == "notice_to_improve_first"
    excused = dict(data, support_not_appropriate={"reason": "The family refused every offer of support."})
    body = client.post(f"{VALIDATE}?document=generic-request", json=excused).get_json()
    assert "notice_to_improve_first" not in [c for _, c in codes(body)]
    assert ("support_not_appropriate", "notice_to_improve_first") in codes(body, "warnings")
    assert body["decisions"]["penalty_notice"]["allowed"] is True


# 4. Letters for each liable parent, at that parent's own address; the checklist counts each.
def test_each_liable_household_gets_its_own_letter(client, family, docx_text):
    data = family("holiday-parents-apart")
    data["absence"]["responsible_parent_ids"] = ["p1", "p2"]
    response = client.post("/api/v1/documents/leave-refusal?format=docx", json=data)
    assert response.status_code == 200
    text = docx_text(response.data)
    assert text.count("Dear ") == 2
    assert "Dear Niamh O'Connor" in text and "Dear Rhys Hughes" in text
    assert "Flat 4, 22 South Street" in text and "DT1 1DE" in text
    one_letter = attach(family("holiday-parents-apart"),
                        ("attendance_certificate", certificate_pdf("O'Connor-Hughes, Siân", "16/11/2026")),
                        ("holiday_letter", make_pdf(["The absence has not been authorised."])))
    one_letter["absence"]["responsible_parent_ids"] = ["p1", "p2"]
    refused = client.post("/api/v1/bundles", json=one_letter)
    assert refused.status_code == 422
    item = next(c for c in refused.get_json()["report"]["checklist"] if c["item"] == "refusal_letter")
    assert item["status"] == "missing" and "1 of 2" in item["message"]


# 5. Each child's own variant: no penalty-notice warning for a child who cannot get one.
def test_family_letter_gives_a_child_under_five_the_not_statutory_age_wording(client, family, docx_text):
    data = family("holiday-two-children")
    data["pupils"][1]["date_of_birth"] = "2022-01-10"
    response = client.post("/api/v1/documents/leave-refusal?format=docx", json=data)
    assert response.status_code == 200
    text = docx_text(response.data)
    zoe, alfie = text.split("Dear ")[1], text.split("Dear ")[2]
    assert "Zoë" in zoe and "Alfie" not in zoe and "penalty notice" in zoe.lower()
    assert "Alfie" in alfie and "Zoë" not in alfie and "not yet of statutory school age" in alfie


# 6. Sessions come from the case (marks, else the absence's sessions), never from the dates.
def test_refusal_letter_counts_the_sessions_of_the_case(client, family, docx_text):
    data = family("holiday-parents-apart")
    data["absence"].update(start_date="2026-09-07", end_date="2026-11-13", unauthorised_sessions=12)
    text = docx_text(client.post("/api/v1/documents/leave-refusal?format=docx", json=data).data)
    assert "12 sessions (6 school days)" in text
    assert "100 sessions" not in text and "50 school days" not in text
    data = family("holiday-parents-apart")
    data["absence"].update(start_date="2026-10-19", end_date="2026-11-06", unauthorised_sessions=10)
    text = docx_text(client.post("/api/v1/documents/leave-refusal?format=docx", json=data).data)
    assert "10 sessions (5 school days)" in text and "20 sessions" not in text


# 7. The improvement period ends after its school weeks, through the school's holidays; without term dates
# no notice is produced.
def test_notice_to_improve_ends_after_the_christmas_holiday(client, family, docx_text):
    data = family("irregular-with-marks")
    text = docx_text(client.post("/api/v1/documents/notice-to-improve?format=docx", json=data).data)
    assert "from 24 November 2026 to 18 January 2027 inclusive" in text
    del data["school"]["holidays"]
    refused = client.post("/api/v1/documents/notice-to-improve?format=docx", json=data)
    assert refused.status_code == 422
    assert ("school.holidays", "term_dates_required") in codes(refused.get_json())


# 8. A bundle holds only what was sent: no refusal letter is made up; the boxes say what it holds.
def test_bundle_never_makes_up_the_refusal_letter(client, family):
    data = attach(family("holiday-parents-apart"),
                  ("attendance_certificate", certificate_pdf("O'Connor-Hughes, Siân", "16/11/2026")))
    response = client.post("/api/v1/bundles", json=data)
    assert response.status_code == 422
    assert ("attachments", "attachment_missing") in codes(response.get_json())


def test_the_request_form_ticks_only_what_goes_with_it(client, family, pdf_fields):
    bare = pdf_fields(client.post("/api/v1/documents/generic-request?flatten=false",
                                  json=family("holiday-two-children")).data)
    assert [line[:4] for line in bare["attachments"].splitlines()] == ["[ ] "] * 3
    sent = fairweathers_attached(family("holiday-two-children"))
    archive = unzip(client.post("/api/v1/bundles", json=sent))
    assert [n for n in archive.namelist() if n.endswith("generic-request.pdf")]
    ticked = pdf_fields(client.post("/api/v1/documents/generic-request?flatten=false", json=sent).data)
    assert [line[:4] for line in ticked["attachments"].splitlines()] == ["[x] "] * 3
    sent["attachments"] = [a for a in sent["attachments"] if a["kind"] != "leave_request_form"]
    some = pdf_fields(client.post("/api/v1/documents/generic-request?flatten=false", json=sent).data)
    assert [line[:4] for line in some["attachments"].splitlines()] == ["[x] ", "[ ] ", "[x] "]


def test_wiltshire_pn3_ticks_only_what_goes_with_it(client, case, pdf_fields):
    bare = client.post("/api/v1/documents/pn3", json=case("wiltshire-holiday"))
    ticks = {k: v for k, v in pdf_fields(bare.data).items() if k.startswith("attach_")}
    assert set(ticks.values()) == {"/Off"}
    archive = unzip(client.post("/api/v1/bundles", json=fairweathers_attached(case("wiltshire-holiday"))))
    pn3 = pdf_fields(archive.read(next(n for n in archive.namelist() if n.endswith("pn3.pdf"))))
    # a flattened form keeps no fields: read the unflattened one the case produces with its attachments
    if not pn3:
        pn3 = pdf_fields(client.post("/api/v1/documents/pn3", json=fairweathers_attached(case("wiltshire-holiday"))).data)
    assert (pn3["attach_certificate"], pn3["attach_leave_request"], pn3["attach_refusal_letter"],
            pn3["attach_holiday_letter"]) == ("/Yes", "/Yes", "/Yes", "/Off")


# 9. The smaller ones.
def test_second_letter_names_the_date_of_the_first(client, family, docx_text):
    data = family("holiday-parents-apart")
    data["previous_letters"] = [{"document": "attendance-letter-1", "sent_on": "2026-09-21"}]
    text = docx_text(client.post("/api/v1/documents/attendance-letter-2?format=docx", json=data).data)
    assert "further to my previous letter dated 21 September 2026" in text


def test_sibling_attendance_letters_use_each_childs_own_figures(client, family, docx_text):
    data = family("holiday-two-children")
    refused = client.post("/api/v1/documents/attendance-letter-2?format=docx", json=data)
    assert refused.status_code == 422
    assert ("pupils[1].attendance", "attendance_required") in codes(refused.get_json())
    data["pupils"][1]["attendance"] = {**data["attendance"], "sessions_present": 31,
                                       "unauthorised_absences": 29}
    text = docx_text(client.post("/api/v1/documents/attendance-letter-2?format=docx", json=data).data)
    own = {part.split("'s attendance")[0].split()[-1]: part for part in text.split("further to my previous letter")[1:]}
    percent = {k: v.split("fallen further to ")[1].split("%")[0] for k, v in own.items()}
    assert percent["Zoë"] != percent["Alfie"]
    assert percent["Alfie"] == f"{round(100 * 31 / data['attendance']['sessions_possible'], 1):g}"


def test_validate_for_a_form_says_it_is_not_ready_to_submit_without_its_attachments(client, family):
    form = f"{VALIDATE}?document=generic-request"
    body = client.post(form, json=family("holiday-two-children")).get_json()
    assert body["valid"] is True and body["ready_to_submit"] is False
    done = client.post(form, json=fairweathers_attached(family("holiday-two-children"))).get_json()
    assert done["ready_to_submit"] is True
    assert client.post(VALIDATE, json=family("holiday-two-children")).get_json()["ready_to_submit"] is None


def test_a_request_of_two_sheets_numbers_them_and_lists_every_pupil(client, family):
    from pypdf import PdfReader

    data = family("holiday-two-children")
    data["absence"]["responsible_parent_ids"] = ["p1"]
    data["pupils"] += [{**data["pupils"][1], "upn": third_upn(n), "forename": name}
                       for n, name in ((3, "Ivy"), (4, "Rosa"), (5, "Jack"))]
    response = client.post("/api/v1/documents/generic-request", json=data)
    assert response.status_code == 200, response.get_json()
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.data)).pages]
    first, second = " ".join(pages[:2]), " ".join(pages[2:])  # two pages a sheet, four pupils a sheet
    assert "1 of 2" in first and "2 of 2" in second and "1 of 1" not in first + second
    assert all(f"{name} Fairweather, born" in first for name in ("Zoë", "Alfie", "Ivy", "Rosa"))
    assert "Jack Fairweather, born" in second and "Jack" not in first
    assert "Hannah Fairweather for Jack Fairweather: notice 1" in second


def test_a_sheet_of_four_children_holds_a_notice_for_each_parent_and_child(client, family, pdf_fields):
    # Before: the request's notices box held 5 lines and its sessions box 2, its sheet 4 pupils: four children
    # with both parents liable (8 pairs, 4 pupils' own sessions) got 422 value_does_not_fit, and no request.
    data = family("holiday-two-children")
    data["pupils"] += [{**data["pupils"][1], "upn": third_upn(n), "forename": name}
                       for n, name in ((3, "Ivy"), (4, "Rosa"))]
    response = client.post("/api/v1/documents/generic-request?flatten=false", json=data)
    assert response.status_code == 200, response.get_json()
    read = pdf_fields(response.data)
    assert read["sheet"] == "1 of 1"
    assert read["sessions_codes"].splitlines() == [
        f"{child}: 10 (the register was not sent: codes not shown)" for child in ("Zoë", "Alfie", "Ivy", "Rosa")]
    assert read["notices"].splitlines() == [
        f"{parent} Fairweather for {child} Fairweather: notice 1: £80 if paid within 21 days, else £160 within 28 days"
        for child in ("Zoë", "Alfie", "Ivy", "Rosa") for parent in ("Hannah", "Owen")]


def test_three_liable_parents_of_four_children_each_have_a_line_for_each_child(client, family, pdf_fields):
    # A step-parent with parental responsibility makes 12 pairs on a sheet of 4 pupils: the box shows each.
    data = family("holiday-two-children")
    data["pupils"] += [{**data["pupils"][1], "upn": third_upn(n), "forename": name}
                       for n, name in ((3, "Ivy"), (4, "Rosa"))]
    data["parents"].append({**data["parents"][1], "id": "p3", "full_name": "Carl Brennan",
                            "relationship": "step-father"})
    data["absence"]["responsible_parent_ids"] = ["p1", "p2", "p3"]
    response = client.post("/api/v1/documents/generic-request?flatten=false", json=data)
    assert response.status_code == 200, response.get_json()
    read = pdf_fields(response.data)
    assert read["sheet"] == "1 of 1"
    assert [line.split(": notice")[0] for line in read["notices"].splitlines()] == [
        f"{parent} for {child} Fairweather" for child in ("Zoë", "Alfie", "Ivy", "Rosa")
        for parent in ("Hannah Fairweather", "Owen Fairweather", "Carl Brennan")]


def test_four_liable_parents_of_four_children_spread_over_sheets_each_pair_shown(client, family):
    # Before: 16 pairs on one sheet did not fit its notices box (422 value_does_not_fit, no request at all).
    # A sheet now takes as many pupils as its box has lines for their pairs: 3 here, then 1.
    from pypdf import PdfReader

    data = family("holiday-two-children")
    data["pupils"] += [{**data["pupils"][1], "upn": third_upn(n), "forename": name}
                       for n, name in ((3, "Ivy"), (4, "Rosa"))]
    steps = [("p3", "Carl Brennan"), ("p4", "Dana Brennan")]
    data["parents"] += [{**data["parents"][1], "id": pid, "full_name": name, "relationship": "step-parent"}
                        for pid, name in steps]
    data["absence"]["responsible_parent_ids"] = ["p1", "p2", "p3", "p4"]
    response = client.post("/api/v1/documents/generic-request", json=data)
    assert response.status_code == 200, response.get_json()
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.data)).pages]
    first, second = " ".join(pages[:2]), " ".join(pages[2:])
    assert len(pages) == 4 and "1 of 2" in first and "2 of 2" in second
    for child in ("Zoë", "Alfie", "Ivy", "Rosa"):
        for parent in ("Hannah Fairweather", "Owen Fairweather", "Carl Brennan", "Dana Brennan"):
            line = f"{parent} for {child} Fairweather: notice 1"
            assert line in (second if child == "Rosa" else first), line
    assert "Rosa" not in first


def test_wiltshire_pn3_of_two_sheets_does_not_say_page_1_of_1(client, case, pdf_text):
    data = case("wiltshire-holiday")
    data["pupils"].append({**data["pupils"][1], "upn": third_upn(), "forename": "Ivy"})
    text = pdf_text(client.post("/api/v1/documents/pn3", json=data).data)
    assert "Sheet" in text and "2 of 2" in text and "Ivy Fairweather" in text
    assert "Page 1 of 1" not in text


def test_wiltshire_pn3_third_pupil_is_not_labelled_pupil_1(client, case, pdf_text):
    data = case("wiltshire-holiday")
    data["pupils"].append({**data["pupils"][1], "upn": third_upn(), "forename": "Ivy"})
    text = " ".join(pdf_text(client.post("/api/v1/documents/pn3", json=data).data).split())
    assert "PUPIL (1)" not in text
    assert "Ivy Fairweather (pupil 3 of 3)" in text
