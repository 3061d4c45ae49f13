"""The export scan page: a CTF or CSV in, a row per pupil, and each pupil's case checked on the report page."""

from __future__ import annotations

import io
import json

import pytest

from tests.conftest import PERSONAL
from tests.conftest import council_toml
from tests.imports.builders import COUNCIL_DEFAULTS
from tests.imports.builders import upn
from tests.imports.test_batch import school
from tests.imports.test_csv import SIMS_PUPILS
from tests.imports.test_csv import WEEK
from tests.imports.test_csv import am_pm_register
from tests.web.conftest import Page

SERVICE = "School attendance paperwork"
# The page offers the councils that have a file: a fictional English one that takes the Notice to Improve
# and publishes no term dates (so the school's typed holidays count the notice's end date).
PAGE_COUNCIL = "importshire"


@pytest.fixture(autouse=True)
def page_council(app, temp_council) -> None:
    """Load PAGE_COUNCIL after the app has loaded the shipped councils."""
    temp_council(council_toml(PAGE_COUNCIL, extra='\n[documents.notice-to-improve]\nsource = "code"\n'))


def form(officer, holidays: bool = False, **files: bytes) -> dict:
    """The import form filled in from the import tests' defaults (their holidays typed, when asked)."""
    data = {"csrf_token": officer.token, "council": PAGE_COUNCIL}
    school = COUNCIL_DEFAULTS["school"]
    data.update({f"school-{k}": v for k, v in school.items() if isinstance(v, str)})
    if holidays:
        data["school-holidays"] = "\n".join(
            "{} to {}".format(*(".".join(reversed(h[k].split("-"))) for k in ("start", "end")))
            for h in school["holidays"]
        )
    data.update({name: (io.BytesIO(content), f"{name}.dat") for name, content in files.items()})
    return data


def test_import_form_labels_every_field(client, read):
    page = read(client.get("/import"))
    assert page.title == f"Scan a school export – {SERVICE}"
    labels = {label.attrs["for"] for label in page.find("label")}
    fields = [e.attrs["id"] for e in page.find("input") if e.attrs.get("type") != "hidden"]
    assert fields and set(fields) <= labels
    assert {"council", "school-name", "school-contact_phone", "file", "pupils"} <= set(fields)


def test_ctf_scan_lists_every_pupil_and_checks_one(officer, read):
    response = officer.post("/import", form(officer, file=school()))
    page = read(response)
    assert response.status_code == 200
    assert page.title == f"Pupils in the export – {SERVICE}"
    rows = [page.text_of(th) for th in page.find("th", scope="row")]
    assert len(rows) == 4 and all(row.endswith(upn(n)) for n, row in enumerate(rows, start=1))
    assert rows[0].startswith("Isla Ashworth")
    assert "Notice to improve school attendance" in response.get_data(as_text=True)
    buttons = page.find("button", name="case")
    assert len(buttons) == 4 and all(b.attrs.get("formaction") is None for b in buttons)
    (form_element,) = page.find("form")
    assert form_element.attrs["action"] == "/report"

    report = officer.post("/report", {"csrf_token": officer.token, "case": buttons[0].attrs["value"]})
    checked = read(report)
    assert report.status_code == 200
    assert checked.title.endswith(f"Check the case – {SERVICE}")
    # No holidays typed: the notice's end date cannot be counted (term_dates_required, issue 11).
    assert "notice-to-improve.docx" not in [b.attrs["value"] for b in checked.find("button", name="document")]
    assert "the Notice to Improve counts its improvement period in school days" in report.get_data(as_text=True)

    # With the school's holidays typed on the form, the case carries them and the notice is offered.
    page = read(officer.post("/import", form(officer, holidays=True, file=school())))
    case = json.loads(page.find("button", name="case")[0].attrs["value"])
    assert case["school"]["holidays"] == [{"start": "2026-12-21", "end": "2027-01-01"}]
    checked = read(officer.post("/report", {"csrf_token": officer.token, "case": json.dumps(case)}))
    assert "notice-to-improve.docx" in [b.attrs["value"] for b in checked.find("button", name="document")]


def test_a_pupils_problems_are_listed_with_their_line(officer, read):
    page = read(officer.post("/import", form(officer, file=school())))
    last_row = page.find("tr", class_="govuk-table__row")[-1]
    assert "Line 9: Emma Langdon, mother: Enter a UK phone number, like 01632 960 001" in page.text_of(
        last_row
    )


def test_csv_register_with_pupil_sheet(officer, read):
    register = am_pm_register({upn(1): WEEK, upn(2): WEEK}).encode()
    response = officer.post("/import", form(officer, file=register, pupils=SIMS_PUPILS.encode()))
    page = read(response)
    assert response.status_code == 200
    assert len(page.find("button", name="case")) == 2
    assert page.text_of(page.find("span", class_="govuk-caption-l")[0]).startswith("CSV register")


@pytest.mark.parametrize(
    ("change", "status", "href", "code"),
    [
        ({"file": None}, 400, "#file", "file_missing"),
        ({"council": "atlantis"}, 422, "#council", "unknown_council"),
        ({"school-contact_phone": "12"}, 422, "#school-contact_phone", "invalid_phone"),
        ({"file": b"<?xml version='1.0'?><nope/>"}, 400, "#file", "not_ctf"),
    ],
)
def test_refused_imports_link_to_their_field(officer, read, change, status, href, code):
    data = form(officer, file=school())
    for key, value in change.items():
        if key == "file":
            data.pop("file")
            if value is not None:
                data["file"] = (io.BytesIO(value), "export.xml")
        else:
            data[key] = value
    response = officer.post("/import", data)
    page = read(response)
    assert response.status_code == status
    assert page.title == f"Error: Scan a school export – {SERVICE}"
    assert (href, code) in [(a.attrs["href"], a.attrs["data-code"]) for a in page.error_links()]
    assert href.removeprefix("#") in page.ids()


def test_no_personal_data_in_the_scan_pages_urls(officer):
    page = Page(officer.post("/import", form(officer, file=school())).get_data(as_text=True))
    for url in page.urls():
        assert "?" not in url and not [v for v in PERSONAL + ("Ashworth",) if v.lower() in url.lower()], url


def test_warnings_are_shown_in_words_beside_their_pupil(officer, read):
    from tests.imports.test_csv import SIMS_PUPILS as pupils

    summary = (
        "Student ID,UPN,Student Name,Year,Registration Form,Possible Sessions,Present Sessions,Authorised Absence,"
        "Unauthorised Absence,Attendance %,Late Marks,Attendance Concern,Start Date,End Date\n"
        f"A001,{upn(1)},Siân Prydderch,5,5P,320,284,18,18,88.6,7,Persistent Absence,01/09/2025,07/07/2026\n"
        f"A002,{upn(2)},Zoë Fairweather,6,6F,320,300,9,10,94.2,0,No Concern,01/09/2025,07/07/2026\n"
    )
    response = officer.post("/import", form(officer, file=summary.encode(), pupils=pupils.encode()))
    page = read(response)
    assert response.status_code == 200
    assert (
        page.text_of(page.find("span", class_="govuk-caption-l")[0])
        == "CSV register (attendance totals only)"
    )
    first, second = page.find("tr", class_="govuk-table__row")[1:]
    assert "Check" not in page.text_of(first).replace("Check the case", "")
    warning = page.text_of(second)
    assert "Check" in warning and "Present sessions is 300; possible less the absences gives 301" in warning
    assert "attendance.sessions_present" not in warning and "totals_disagree" not in warning


def test_the_register_marks_go_into_each_case_when_asked(officer, read):
    plain = read(officer.post("/import", form(officer, file=school())))
    assert "marks" not in json.loads(plain.find("button", name="case")[0].attrs["value"])["attendance"]

    data = form(officer, file=school())
    data["marks"] = "true"
    page = read(officer.post("/import", data))
    (box,) = read(officer.client.get("/import")).find("input", name="marks")
    assert box.attrs["type"] == "checkbox" and box.attrs["value"] == "true"
    assert "register marks of its window" in page.html
    case = json.loads(page.find("button", name="case")[0].attrs["value"])
    marks = case["attendance"]["marks"]
    assert len(marks) > 50 and {"date", "session", "code"} <= set(marks[0])
    report = officer.post("/report", {"csrf_token": officer.token, "case": json.dumps(case)})
    checked = read(report)
    offered = [b.attrs["value"] for b in checked.find("button", name="document")]
    assert "attendance-certificate.pdf" in offered  # made from the register the case now carries
    certificate = officer.post(
        "/download",
        {"csrf_token": officer.token, "case": json.dumps(case), "document": "attendance-certificate.pdf"},
    )
    assert certificate.status_code == 200
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(certificate.data)).pages[0].extract_text()
    assert case["pupils"][0]["surname"] in text
