"""The import page for a school whose council has no file: "My council is not listed" and the details the
national defaults need (the council's name, country, where its requests go, phone), carried into every
pupil's case, the scan's "Check" and the jobs: England's national framework or Wales's 2013 regulations, on
the generic request form. The councils here are fictional; none has a file."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from tests.imports.builders import COUNCIL_DEFAULTS
from tests.imports.test_batch import school as irregular_school
from tests.imports.test_ctf_writers import school as holiday_school
from tests.web.conftest import Page
from tests.web.test_job_pages import until_done

SERVICE = "School attendance paperwork"
NOT_LISTED = "not-listed"
FERNMOOR = {
    "name": "Fernmoor Borough Council",
    "country": "england",
    "email": "penalty.notices@fernmoor.example.gov.uk",
    "phone": "01632 960321",
}
GLANRHYD = {
    "name": "Cyngor Sir Glanrhyd",
    "country": "wales",
    "url": "https://glanrhyd.example.gov.uk/hysbysiadau-cosb",
    "phone": "01632 960654",
}
DETAIL_FIELDS = ("name", "country", "email", "url", "phone")


def unlisted(officer, details: dict[str, str], export: bytes, **extra: str) -> dict:
    """The import form for a council that is not listed: its details typed in, the school's, the export."""
    data = {"csrf_token": officer.token, "council": NOT_LISTED}
    data.update({f"council-details-{k}": v for k, v in details.items()})
    data.update({f"school-{k}": v for k, v in COUNCIL_DEFAULTS["school"].items() if isinstance(v, str)})
    data["school-holidays"] = "21/12/2026 to 1/1/2027"
    data["file"] = (io.BytesIO(export), "school.xml")
    data.update(extra)
    return data


def cases(page: Page) -> list[dict]:
    return [json.loads(b.attrs["value"]) for b in page.find("button", name="case")]


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    values = [str(f.get("/V", "")) for f in (reader.get_fields() or {}).values()]
    return " ".join((text + "\n" + "\n".join(values)).split())


def test_the_form_offers_a_council_that_is_not_listed_with_the_fields_its_rules_need(client, read):
    page = read(client.get("/import"))
    (choice,) = page.find("input", name="council", value=NOT_LISTED)
    assert choice.attrs["type"] == "radio"
    labels = {e.attrs["for"]: page.text_of(e) for e in page.find("label")}
    assert labels[choice.attrs["id"]] == "My council is not listed"
    # The choice reveals its fields (GOV.UK conditional reveal): the details `council_details` holds.
    revealed = choice.attrs["data-aria-controls"]
    assert "govuk-radios__conditional" in page.by_id(revealed).attrs["class"]
    inside = page.html.split(f'id="{revealed}"', 1)[1].split('<h2 class="govuk-heading-m">', 1)[0]
    for key in ("name", "email", "url", "phone"):
        assert f'id="council-details-{key}"' in inside and f"council-details-{key}" in labels
    countries = page.find("input", name="council-details-country")
    assert [(c.attrs["type"], c.attrs["value"], labels[c.attrs["id"]]) for c in countries] == [
        ("radio", "england", "England"),
        ("radio", "wales", "Wales"),
    ]
    assert 'name="council-details-country"' in inside
    assert "generic-request" in [o.attrs.get("value") for o in page.find("option")]  # its jobs' request form


def test_a_scan_for_a_council_that_is_not_listed_checks_each_case_under_the_national_framework(officer, read):
    response = officer.post("/import", unlisted(officer, FERNMOOR, irregular_school()))
    page = read(response)
    assert response.status_code == 200 and page.title == f"Pupils in the export – {SERVICE}"
    found = cases(page)
    assert len(found) == 4
    assert {json.dumps(c["council_details"], sort_keys=True) for c in found} == {
        json.dumps(FERNMOOR, sort_keys=True)
    }
    assert {c["council"] for c in found} == {"fernmoor-borough-council"}
    rules = page.text_of(page.by_id("rules-applied"))
    assert "Fernmoor Borough Council has no file here" in rules and "national framework" in rules
    # The national framework puts a Notice to Improve first for irregular absence: the rows say so.
    rows = [page.text_of(r) for r in page.find("tr", class_="govuk-table__row")[1:]]
    assert "Notice to improve school attendance" in rows[0] and rows[0].startswith("Isla Ashworth")

    report = officer.post("/report", {"csrf_token": officer.token, "case": json.dumps(found[0])})
    checked = read(report)
    assert report.status_code == 200
    assert checked.text_of(checked.find("span", class_="govuk-caption-l")[0]) == "Fernmoor Borough Council"
    applied = checked.text_of(checked.by_id("rules-applied"))
    assert "Fernmoor Borough Council has no file here" in applied
    assert "national framework" in applied and "10 sessions" in applied and "10 school weeks" in applied
    assert "notice-to-improve.docx" in [b.attrs["value"] for b in checked.find("button", name="document")]


def test_a_pupils_request_from_the_scan_is_the_generic_form_with_the_councils_details(officer, read):
    page = read(officer.post("/import", unlisted(officer, FERNMOOR, holiday_school())))
    ruby = cases(page)[0]
    assert ruby["pupils"][0]["surname"].casefold() == "holloway" and ruby["absence"]["type"] == "holiday"
    assert "Request for a penalty notice" in page.text_of(page.find("tr", class_="govuk-table__row")[1])
    checked = read(officer.post("/report", {"csrf_token": officer.token, "case": json.dumps(ruby)}))
    assert "generic-request.pdf" in [b.attrs["value"] for b in checked.find("button", name="document")]
    assert "penalty.notices@fernmoor.example.gov.uk" in checked.text_of(checked.by_id("outcome"))
    request = officer.post(
        "/download",
        {"csrf_token": officer.token, "case": json.dumps(ruby), "document": "generic-request.pdf"},
    )
    assert request.status_code == 200 and request.headers["Content-Type"] == "application/pdf"
    text = pdf_text(request.data)
    assert "Fernmoor Borough Council" in text and "penalty.notices@fernmoor.example.gov.uk" in text
    assert "national framework" in text and "holloway" in text.casefold()


def test_a_job_for_a_council_that_is_not_listed_makes_the_generic_request_per_eligible_pupil(officer):
    response = officer.post(
        "/import", unlisted(officer, FERNMOOR, holiday_school(), documents="generic-request", format="pdf")
    )
    assert response.status_code == 303
    done, _seen = until_done(officer.client, response.headers["Location"])
    assert done.text_of(done.by_id("job-counted")) == "6 of 6 pupils checked, 1 document made. (100%)"
    (download,) = [f for f in done.find("form") if f.attrs["action"].endswith("/download")]
    archive = zipfile.ZipFile(
        io.BytesIO(officer.post(download.attrs["action"], {"csrf_token": officer.token}).data)
    )
    (request,) = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert request.startswith("generic-request-holloway-ruby")
    text = pdf_text(archive.read(request))
    assert "Fernmoor Borough Council" in text and "penalty.notices@fernmoor.example.gov.uk" in text
    assert "national framework" in text and "ruby" in text.casefold()
    rows = list(csv.DictReader(io.StringIO(archive.read("summary.csv").decode("utf-8-sig"))))
    assert [r["status"] for r in rows].count("produced") == 1


def test_a_welsh_page_for_a_council_in_wales_that_is_not_listed(officer, read):
    officer.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "cy"
    form_page = read(officer.client.get("/import"))
    assert form_page.find("html")[0].attrs["lang"] == "cy"
    labels = {e.attrs["for"]: form_page.text_of(e) for e in form_page.find("label")}
    (choice,) = form_page.find("input", name="council", value=NOT_LISTED)
    assert labels[choice.attrs["id"]] == "Nid yw fy nghyngor wedi'i restru"
    assert labels["council-details-name"] == "Enw'r cyngor"
    assert [labels[c.attrs["id"]] for c in form_page.find("input", name="council-details-country")] == [
        "Lloegr",
        "Cymru",
    ]

    page = read(officer.post("/import", unlisted(officer, GLANRHYD, holiday_school())))
    assert page.find("html")[0].attrs["lang"] == "cy"
    from tests.web.test_officer_words import assert_plain

    assert_plain(form_page, {})
    assert_plain(page, {})
    assert "Rheoliadau Addysg (Hysbysiadau Cosb) (Cymru) 2013" in page.text_of(page.by_id("rules-applied"))
    ruby = cases(page)[0]
    assert ruby["council_details"] == GLANRHYD
    checked = read(officer.post("/report", {"csrf_token": officer.token, "case": json.dumps(ruby)}))
    applied = checked.text_of(checked.by_id("rules-applied"))
    assert "Nid oes gan Cyngor Sir Glanrhyd ffeil yma" in applied
    assert "Rheoliadau Addysg (Hysbysiadau Cosb) (Cymru) 2013" in applied
    assert "£60" in checked.text_of(checked.by_id("outcome"))  # Wales's amounts, not England's £80
    request = officer.post(
        "/download",
        {"csrf_token": officer.token, "case": json.dumps(ruby), "document": "generic-request.pdf"},
    )
    text = pdf_text(request.data)
    assert "Cyngor Sir Glanrhyd" in text and GLANRHYD["url"] in text and "2013" in text


@pytest.mark.parametrize(
    ("change", "field", "code", "words"),
    [
        ({"name": ""}, "name", "required", "Enter the council's name"),
        ({"country": ""}, "country", "required", "Select whether the council is in England or Wales"),
        (
            {"country": "scotland"},
            "country",
            "invalid_country",
            "Select whether the council is in England or Wales",
        ),
        (
            {"email": "penalty notices at fernmoor"},
            "email",
            "invalid_email",
            "Enter an email address in the correct format, like name@example.com",
        ),
        (
            {"email": ""},
            "email",
            "required",
            "Enter the penalty-notice team's email address, or the address of the council's online form",
        ),
        (
            {"email": "", "url": "http://fernmoor.example.gov.uk/form"},
            "url",
            "invalid_url",
            "Enter the online form's address in full, starting https://",
        ),
        (
            {"phone": "12"},
            "phone",
            "invalid_phone",
            "Enter a UK phone number, like 01632 960 001 or 07700 900 982",
        ),
    ],
)
def test_bad_council_details_are_errors_on_their_fields(officer, read, change, field, code, words):
    details = {**FERNMOOR, **change}
    response = officer.post("/import", unlisted(officer, details, irregular_school()))
    page = read(response)
    assert response.status_code in (400, 422)
    assert page.title == f"Error: Scan a school export – {SERVICE}"
    links = [(a.attrs["href"], a.attrs["data-code"], page.text_of(a)) for a in page.error_links()]
    assert (f"#council-details-{field}", code, words) in links
    assert f"council-details-{field}" in page.ids()
    # The field says it too (GOV.UK: the same words beside the field), and the reveal stays open.
    assert any(words in page.text_of(e) for e in page.find("p", class_="govuk-error-message"))
    (choice,) = page.find("input", name="council", value=NOT_LISTED)
    assert "checked" in choice.attrs
    for key, value in details.items():
        if key != "country" and value:
            assert page.by_id(f"council-details-{key}").attrs.get("value") == value


def test_every_missing_detail_is_listed_at_once_and_a_job_is_refused_the_same_way(officer, read):
    empty = dict.fromkeys(DETAIL_FIELDS, "")
    for extra in ({}, {"documents": "generic-request", "format": "pdf"}):
        response = officer.post("/import", unlisted(officer, empty, holiday_school(), **extra))
        page = read(response)
        assert response.status_code == 422
        hrefs = [a.attrs["href"] for a in page.error_links()]
        assert hrefs == ["#council-details-name", "#council-details-country", "#council-details-email"]


def test_a_council_that_has_a_file_is_chosen_from_the_list_not_typed(officer, read):
    from service import councils

    listed = councils.all()[0]
    response = officer.post(
        "/import", unlisted(officer, {**FERNMOOR, "name": listed.name.upper()}, irregular_school())
    )
    page = read(response)
    assert response.status_code == 422
    ((href, code, text),) = [
        (a.attrs["href"], a.attrs["data-code"], page.text_of(a)) for a in page.error_links()
    ]
    assert (href, code) == ("#council-details-name", "council_listed")
    assert text == f"{listed.name} is in the list of councils: choose it there"


def test_the_welsh_page_says_the_field_errors_in_welsh(officer, read):
    officer.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "cy"
    response = officer.post(
        "/import", unlisted(officer, {**GLANRHYD, "name": "", "phone": "12"}, holiday_school())
    )
    page = read(response)
    assert response.status_code == 422
    texts = {a.attrs["href"]: page.text_of(a) for a in page.error_links()}
    assert texts["#council-details-name"] == "Rhowch enw'r cyngor"
    assert texts["#council-details-phone"].startswith("Rhowch rif ffôn yn y DU")


def test_the_schools_field_errors_are_in_the_pages_words_in_welsh_too(officer, read):
    for accept, words in (("en", "Enter a UK phone number"), ("cy", "Rhowch rif ffôn yn y DU")):
        officer.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept
        data = unlisted(officer, FERNMOOR, irregular_school(), **{"school-contact_phone": "12"})
        page = read(officer.post("/import", data))
        texts = {a.attrs["href"]: page.text_of(a) for a in page.error_links()}
        assert texts["#school-contact_phone"].startswith(words), texts
