"""The officer pages through Flask's test client: labels, error summaries, state carried in the body, CSRF."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from service import councils
from service import create_app
from service.case import ATTACHMENT_KINDS
from service.engines import Engines
from service.engines import UnavailableConverter
from tests.conftest import EXAMPLES
from tests.conftest import PERSONAL
from tests.conftest import certificate_pdf
from tests.conftest import make_pdf
from tests.web.conftest import Officer
from tests.web.conftest import Page
from tests.web.conftest import at_council
from tests.web.conftest import holiday_files

SERVICE = "School attendance paperwork"


def test_start_page(client, read):
    response = client.get("/")
    page = read(response)
    assert response.status_code == 200
    assert page.find("html")[0].attrs["lang"] == "en"
    assert page.title == f"Check a school attendance case and make its paperwork – {SERVICE}"
    (skip,) = page.find("a", class_="govuk-skip-link")
    assert skip.attrs["href"] == "#main-content" and "main-content" in page.ids()
    (start,) = page.find("a", class_="govuk-button--start")
    assert start.attrs["href"] == "/upload"
    said = page.text_of(page.find("main")[0])
    assert all(council.name in said for council in councils.all())  # every council the registry holds


def test_pages_do_not_use_the_gov_uk_crown_or_typeface(client):
    html = client.get("/").get_data(as_text=True)
    assert "govuk-header" not in html and "govuk-footer__crown" not in html and "govuk-crest" not in html
    with client.get("/assets/app.css") as response:
        css = response.get_data(as_text=True)
    assert "font-family: arial, sans-serif !important" in css


def test_upload_page_labels_every_input(client, read):
    page = read(client.get("/upload"))
    (form,) = page.find("form")
    assert (form.attrs["method"], form.attrs["action"]) == ("post", "/report")
    assert form.attrs["enctype"] == "multipart/form-data"
    files = page.find("input", type="file")
    assert [f.attrs["name"] for f in files] == ["case", *ATTACHMENT_KINDS]
    labels = {label.attrs["for"]: page.text_of(label) for label in page.find("label")}
    for field in files:
        assert field.attrs["id"] == field.attrs["name"]
        assert labels[field.attrs["id"]], f"input {field.attrs['id']} has no label"
    assert page.by_id("case-hint").text.strip()
    assert page.find("input", type="file", name="case")[0].attrs["aria-describedby"] == "case-hint"
    assert len(page.hidden("csrf_token")) == 1
    assert page.title == f"Upload the case – {SERVICE}"


def test_complete_case_has_no_errors_and_every_task_done(officer, read, family, holiday_council):
    response = officer.upload_case(at_council(family("holiday-two-children"), holiday_council), **holiday_files())
    page = read(response)
    assert response.status_code == 200
    assert page.title == f"Check the case – {SERVICE}"
    assert not page.find("div", class_="govuk-error-summary")
    statuses = [page.text_of(s) for s in page.find("div", class_="govuk-task-list__status")]
    assert statuses == ["Done", "Done", "Done", "Not needed"]
    assert page.find("button", formaction="/bundle")
    values = [b.attrs["value"] for b in page.find("button", name="document")]
    assert {"generic-request.pdf", "leave-refusal.docx"} <= set(values)
    # Two children and one `attendance` block: the sibling's own figures are needed (issue 11).
    assert "attendance-letter-2.docx" not in values
    assert not {v for v in values if v.startswith(("notice-to-improve", "attendance-certificate"))}


def test_missing_attachment_is_an_error_linking_to_its_file_input(officer, read, family):
    page = read(officer.upload_case(family("holiday-two-children"), **holiday_files(refusal=False)))
    assert page.title == f"Error: Check the case – {SERVICE}"
    links = page.error_links()
    assert [(a.attrs["href"], a.attrs["data-code"]) for a in links] == [("#refusal_letter", "attachment_missing")]
    assert page.find("input", type="file", id="refusal_letter")
    tags = [page.text_of(t) for t in page.find("strong", class_="govuk-tag")]
    assert tags == ["Done", "Done", "Missing"]
    (missing,) = page.find("a", class_="govuk-task-list__link")
    assert missing.attrs["href"] == "#refusal_letter"
    assert not page.find("button", formaction="/bundle")


def test_unusable_attachment_is_invalid_and_named(officer, read, family):
    files = holiday_files()
    files["leave_request_form"] = b"not a pdf at all"
    page = read(officer.upload_case(family("holiday-two-children"), **files))
    links = {page.text_of(a): (a.attrs["href"], a.attrs["data-code"]) for a in page.error_links()}
    assert links["leave_request_form-0.pdf: This file is not a PDF (whatever its name says)."] == (
        "#case-attachments-2", "attachment_unreadable"
    )
    assert ("#leave_request_form", "attachment_missing") in links.values()
    assert "Invalid" in [page.text_of(t) for t in page.find("strong", class_="govuk-tag")]


def test_every_error_link_points_at_an_element_of_the_page(officer, read, family):
    data = family("holiday-parents-apart")
    data["pupils"][0]["upn"] = "X123"
    data["pupils"][0]["address"]["postcode"] = "NOT A POSTCODE"
    data["parents"][0]["phone"] = "12"
    data["surprise"] = 1
    response = officer.client.post(
        "/report",
        data={"csrf_token": officer.token, "case": (io.BytesIO(json.dumps(data).encode()), "case.json")},
        content_type="multipart/form-data",
    )
    page = read(response)
    links = page.error_links()
    assert {a.attrs["data-code"] for a in links} >= {"invalid_upn", "invalid_postcode", "invalid_phone", "unknown_field"}
    for link in links:
        assert link.attrs["href"].removeprefix("#") in page.ids(), link.attrs["href"]
    hrefs = {a.attrs["data-code"]: a.attrs["href"] for a in links}
    assert hrefs["invalid_upn"] == "#case-pupils-0-upn"
    assert hrefs["invalid_postcode"] == "#case-pupils-0-address"
    assert hrefs["unknown_field"] == "#case-summary"


def test_row_errors_are_shown_in_the_row(officer, read, family):
    data = family("holiday-two-children")
    data["pupils"][1]["upn"] = "X123"
    response = officer.client.post(
        "/report",
        data={"csrf_token": officer.token, "case": (io.BytesIO(json.dumps(data).encode()), "c.json")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    row = html[html.index('id="case-pupils-1-upn"') :]
    row = row[: row.index("</div>")]
    assert "govuk-error-message" in row and "X123" in row


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (None, 400, "case_missing"),
        (b"{", 400, "invalid_json"),
        (b"[1, 2]", 400, "case_not_object"),
        (b"\xff\xfe\xfa", 400, "invalid_json"),
    ],
)
def test_upload_errors_use_the_api_codes(officer, read, content, status, code):
    data = {"csrf_token": officer.token}
    if content is not None:
        data["case"] = (io.BytesIO(content), "case.json")
    response = officer.client.post("/report", data=data, content_type="multipart/form-data")
    page = read(response)
    assert response.status_code == status
    assert page.title == f"Error: Upload the case – {SERVICE}"
    (link,) = page.error_links()
    assert (link.attrs["href"], link.attrs["data-code"]) == ("#case", code)
    assert page.by_id("case-error").text.strip()
    if content is not None:
        api = officer.client.post("/api/v1/cases/validate", data=content, content_type="application/json")
        assert api.get_json()["code"] == code


def test_state_is_carried_in_the_body_and_downloads_need_no_upload(officer, read, pdf_fields, family):
    data = family("holiday-two-children")
    page = read(officer.upload_case(data, **holiday_files()))
    assert page.hidden("case")[0] == json.dumps(data)  # the file as uploaded, byte for byte
    assert [json.loads(v)["kind"] for v in page.hidden("carried")] == [
        "attendance_certificate", "attendance_certificate", "leave_request_form", "refusal_letter"
    ]
    response = officer.resubmit(page, "/download", document="generic-request.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert 'filename="generic-request-fairweather-zoe-2026-10-05.pdf"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert pdf_fields(response.data)["pupils"].startswith("Zoë Fairweather, born 4 May 2016")


def test_letter_download_as_docx(officer, read, docx_text, family):
    page = read(officer.upload_case(family("holiday-two-children"), **holiday_files()))
    response = officer.resubmit(page, "/download", document="leave-refusal.docx")
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "Zoë" in docx_text(response.data)


def test_bundle_download(officer, read, family):
    data = family("holiday-two-children")
    page = read(officer.upload_case(data, **holiday_files()))
    response = officer.resubmit(page, "/bundle")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    council = data["council"]  # the no-file council's own name starts the bundle's files
    assert f'filename="{council}-fairweather-zoe-bundle.zip"' in response.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "manifest.json" in names and f"{council}-fairweather-zoe-generic-request.pdf" in names


def test_a_document_the_case_cannot_produce_shows_the_report_with_why(officer, read, family):
    page = read(officer.upload_case(family("holiday-two-children"), **holiday_files()))
    response = officer.resubmit(page, "/download", document="notice-to-improve.docx")
    failed = read(response)
    assert response.status_code == 422
    assert failed.title.startswith("Error: Check the case")
    assert [a.attrs["data-code"] for a in failed.error_links()] == ["absence_type_mismatch", "attendance_required"]
    assert "The case cannot produce this document" in response.get_data(as_text=True)
    assert failed.hidden("case") == page.hidden("case")


def test_pdf_letters_are_offered_as_docx_when_libreoffice_is_missing(read, family):
    engines = Engines(converter=UnavailableConverter())
    officer = Officer(create_app({"TESTING": True, "ENGINES": engines}).test_client())
    page = read(officer.upload_case(family("holiday-two-children"), **holiday_files()))
    values = [b.attrs["value"] for b in page.find("button", name="document")]
    assert "leave-refusal.docx" in values and "leave-refusal.pdf" not in values
    response = officer.resubmit(page, "/download", document="leave-refusal.pdf")
    assert response.status_code == 503
    assert [a.attrs["data-code"] for a in read(response).error_links()] == ["conversion_unavailable"]


def test_add_and_remove_attachments_on_the_report_page(officer, read, family):
    page = read(officer.upload_case(family("holiday-two-children"), **holiday_files(refusal=False)))
    letter = make_pdf(["Dear parents", "The absence has not been authorised."])
    added = read(officer.resubmit(page, refusal_letter=(io.BytesIO(letter), "refusal.pdf")))
    assert not added.error_links()
    assert [json.loads(v)["filename"] for v in added.hidden("carried")][-1] == "refusal.pdf"
    removed = read(officer.resubmit(added, remove="3"))
    assert [a.attrs["data-code"] for a in removed.error_links()] == ["attachment_missing"]
    assert len(removed.hidden("carried")) == 3


def test_downloads_ignore_files_chosen_but_not_checked(officer, read, family):
    page = read(officer.upload_case(family("holiday-two-children"), **holiday_files()))
    response = officer.resubmit(page, "/bundle", other=(io.BytesIO(b"unchecked"), "x.pdf"))
    assert response.status_code == 200


def test_a_changed_page_is_refused(officer, read, family):
    page = read(officer.upload_case(family("holiday-two-children"), **holiday_files()))
    response = officer.client.post(
        "/download",
        data={"csrf_token": officer.token, "case": page.hidden("case")[0], "carried": "{not json",
              "document": "generic-request.pdf"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "The page was changed" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/report", "/download", "/bundle"])
def test_post_without_csrf_token_is_refused_with_a_gov_uk_page(client, read, path, family):
    data = {"case": json.dumps(family("holiday-two-children"))}
    response = client.post(path, data=data, content_type="multipart/form-data")
    page = read(response)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert page.title == f"This page has expired – {SERVICE}"
    assert "csrf_failed" in response.get_data(as_text=True)


def test_wrong_csrf_token_is_refused(officer):
    response = officer.client.post("/report", data={"csrf_token": "x" + officer.token})
    assert response.status_code == 400 and "csrf_failed" in response.get_data(as_text=True)


def test_api_stays_exempt_from_csrf(client, family):
    response = client.post("/api/v1/cases/validate", json=family("holiday-two-children"))
    assert response.status_code == 200 and response.get_json()["valid"] is True


def test_too_large_is_a_gov_uk_error_page():
    client = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 50_000}).test_client()
    officer = Officer(client)
    big = make_pdf(["x"]) + b"%" * 60_000
    response = officer.post("/report", {"csrf_token": officer.token, "other": (io.BytesIO(big), "big.pdf")})
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "The files are too big" in response.get_data(as_text=True)
    assert "request_too_large" in response.get_data(as_text=True)


def test_attachments_too_big_to_carry_are_an_error(family):
    client = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 60_000}).test_client()
    officer = Officer(client)
    files = {"other": make_pdf(["x"]) + b"%" * 40_000}
    page = Page(officer.upload_case(family("holiday-two-children"), **files).get_data(as_text=True))
    assert "request_too_large" in [a.attrs["data-code"] for a in page.error_links()]


def test_hidden_fields_bigger_than_werkzeugs_default_are_read(officer, read, family):
    big = certificate_pdf("Fairweather, Zoë") + b"%" * 700_000  # past Werkzeug's 500 kB form-field default
    page = read(officer.upload_case(family("holiday-two-children"), other=big))
    response = officer.resubmit(page)
    assert response.status_code == 200


def test_wrong_method_and_unknown_asset_are_gov_uk_pages(client):
    response = client.get("/report")
    assert response.status_code == 405 and "method_not_allowed" in response.get_data(as_text=True)
    with client.get("/assets/nothing.css") as response:
        assert response.status_code == 404 and response.mimetype == "text/html"


def test_security_headers(client, read):
    response = client.get("/upload")
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    scripts = read(response).find("script")
    assert [s.attrs.get("nonce") for s in scripts if "src" not in s.attrs] == [nonce]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    with client.get("/assets/govuk/govuk-frontend.min.css") as asset:
        assert asset.status_code == 200 and asset.mimetype == "text/css"
        assert asset.headers["X-Content-Type-Options"] == "nosniff"


def test_no_personal_data_in_any_url(officer, read, family):
    pages = [
        officer.client.get("/"),
        officer.client.get("/upload"),
        officer.upload_case(family("holiday-two-children"), **holiday_files(refusal=False)),
        officer.upload_case(family("holiday-parents-apart")),
    ]
    for response in pages:
        page = read(response)
        assert "Location" not in response.headers
        for url in page.urls():
            assert "?" not in url, url
            assert not [v for v in PERSONAL if v.lower() in url.lower()], url
        for form in page.find("form"):
            assert form.attrs["method"] == "post"


def test_https_posts_from_the_pages_pass_the_referrer_check(client, read):
    https = {"base_url": "https://attendance.example"}
    html = client.get("/upload", **https).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    data = {"csrf_token": token}
    same = client.post("/report", data=data, headers={"Referer": "https://attendance.example/upload"}, **https)
    assert same.status_code == 400 and "case_missing" in same.get_data(as_text=True)  # past the CSRF check
    other = client.post("/report", data=data, headers={"Referer": "https://evil.example/"}, **https)
    assert "csrf_failed" in other.get_data(as_text=True)
    assert client.get("/upload").headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.json")))
def test_every_example_gets_a_report_page_whose_links_land(officer, read, name):
    response = officer.upload(name)
    page = read(response)
    assert response.status_code == 200
    assert page.find("h1")[0].text.strip().endswith("Check the case")
    for link in page.error_links() + [a for a in page.find("a") if a.attrs.get("href", "").startswith("#")]:
        assert link.attrs["href"].removeprefix("#") in page.ids(), (name, link.attrs["href"])


def test_the_officer_picks_the_council_on_the_upload_page(client, officer, read):
    page = read(client.get("/upload"))
    (select,) = page.find("select", name="council")
    options = [o.attrs["value"] for o in page.find("option")]
    assert options == ["", *councils.ids()]
    assert page.find("label", **{"for": "council"})
    chosen = councils.all()[-1]
    data = {"csrf_token": officer.token, "council": chosen.id,
            "case": (io.BytesIO((EXAMPLES / "national-england-holiday.json").read_bytes()), "case.json")}
    report = read(officer.post("/report", data))
    assert json.loads(report.hidden("case")[0])["council"] == chosen.id
    assert chosen.name in report.text_of(report.find("main")[0])
    unchanged = read(officer.upload("national-england-holiday"))
    assert json.loads(unchanged.hidden("case")[0])["council"] == "northbury"


def test_report_page_loads_and_assesses_once(officer, read, monkeypatch, family):
    from service import assessment
    from service.case import schema

    calls = {"load": 0, "decide": 0}
    load, decide = schema.load_case, assessment.rules.decide
    monkeypatch.setattr(assessment, "load_case", lambda *a, **k: calls.__setitem__("load", calls["load"] + 1) or load(*a, **k))
    monkeypatch.setattr(assessment.rules, "decide",
                        lambda *a, **k: calls.__setitem__("decide", calls["decide"] + 1) or decide(*a, **k))
    page = read(officer.upload_case(family("holiday-two-children"), **holiday_files()))
    assert page.find("button", formaction="/bundle")
    assert calls == {"load": 1, "decide": 1}
