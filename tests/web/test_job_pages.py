"""A whole-school import with documents on the pages: a job whose progress page reloads itself without
JavaScript, names the pupils with no document so far, offers the ZIP once, and can be cancelled."""

from __future__ import annotations

import io
import json
import time
import zipfile

import docx

from service import councils
from service import forms
from tests.conftest import in_country
from tests.imports.test_batch import school
from tests.web.conftest import Page
from tests.web.test_import_pages import form
from tests.web.test_import_pages import page_council  # noqa: F401 - loads the council `form` names


def start(officer, document: str = "notice-to-improve", **changes: str):
    data = form(officer, holidays=True, file=school())
    data.update({"documents": document, "format": "docx"})
    data.update(changes)
    return officer.post("/import", data)


def until_done(client, url: str) -> tuple[Page, list]:
    """Load the page as the browser would (it says when to come back), until it stops asking."""
    seen = []
    for _ in range(200):
        response = client.get(url)
        seen.append(response)
        if "Refresh" not in response.headers:
            return Page(response.get_data(as_text=True)), seen
        time.sleep(int(response.headers["Refresh"]) / 10)
    raise AssertionError("the job did not finish")


def test_the_progress_page_reloads_itself_then_offers_the_documents_once(officer):
    response = start(officer)
    assert response.status_code == 303
    url = response.headers["Location"]
    assert url.startswith("/jobs/") and "?" not in url  # the job's random id only: no case data
    page, seen = until_done(officer.client, url)
    running = [r for r in seen if "Refresh" in r.headers]
    for r in running:  # while it runs: a progress bar and a way to stop the reloading
        shown = Page(r.get_data(as_text=True))
        assert r.headers["Refresh"] == "3" and shown.find("progress")
        assert f"{url}?refresh=off" in [a.attrs.get("href") for a in shown.find("a")]
    assert page.title.startswith("The documents are ready")
    (bar,) = page.find("progress")
    assert (bar.attrs["max"], bar.attrs["value"]) == ("4", "4")
    assert page.text_of(page.by_id("job-counted")) == "4 of 4 pupils checked, 2 documents made. (100%)"
    failures = page.text_of(page.by_id("failures"))
    assert "Noah Langdon Line 9 Enter a UK phone number" in failures  # the pupil, the line, what to correct
    assert "invalid_phone" not in failures and "Leo" not in failures  # not allowed by the rules is no failure

    (download,) = [f for f in page.find("form") if f.attrs["action"].endswith("/download")]
    zipped = officer.post(download.attrs["action"], {"csrf_token": officer.token})
    assert zipped.status_code == 200 and zipped.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(zipped.data))
    letters = [n for n in archive.namelist() if n.endswith(".docx")]
    assert len(letters) == 2
    texts = [
        "\n".join(p.text for p in docx.Document(io.BytesIO(archive.read(n))).paragraphs) for n in letters
    ]
    # Isla's and Amelia's own notices; Leo is below the threshold, Noah's contact needs correcting
    named = sorted(
        n
        for n in ("Isla Ashworth", "Leo Pemberton", "Amelia Whitlock", "Noah Langdon")
        for t in texts
        if n in t
    )
    assert named == ["Amelia Whitlock", "Isla Ashworth"]
    assert "summary.csv" in archive.namelist()

    again = officer.client.get(url)
    assert "have been downloaded" in Page(again.get_data(as_text=True)).title
    gone = officer.post(download.attrs["action"], {"csrf_token": officer.token})
    assert gone.status_code == 410


def test_a_job_can_be_cancelled_and_another_browser_cannot_see_it(officer, app):
    url = start(officer).headers["Location"]
    stranger = app.test_client()
    assert stranger.get(url).status_code == 404  # bound to this browser's session
    cancelled = officer.post(url + "/cancel", {"csrf_token": officer.token})
    assert cancelled.status_code == 303
    page = Page(officer.client.get(url).get_data(as_text=True))
    assert page.title.startswith("Cancelled") and not page.find("progress")


def test_stopping_the_reload_keeps_the_progress(officer):
    url = start(officer).headers["Location"]
    response = officer.client.get(url + "?refresh=off")
    page = Page(response.get_data(as_text=True))
    assert "Refresh" not in response.headers
    if page.find("progress") and "ready" not in page.title:
        assert "no longer reloads itself" in response.get_data(as_text=True)
    until_done(officer.client, url)


def test_a_document_the_council_does_not_take_is_refused_on_its_field(officer, read):
    council = councils.get(form(officer)["council"])  # the council the import form picks
    other = next(d for d in forms.ids() if d not in council.documents)  # a document of another council's
    response = start(officer, document=other)
    page = read(response)
    assert response.status_code == 422
    assert ("#documents", "document_not_for_council") in [
        (a.attrs["href"], a.attrs["data-code"]) for a in page.error_links()
    ]
    assert "documents" in page.ids()


def test_holidays_typed_wrong_are_refused_on_their_field(officer, read):
    response = start(officer, **{"school-holidays": "21.12.2026 to 1.1.2027\nChristmas"})
    page = read(response)
    assert response.status_code == 422
    (link,) = page.error_links()
    assert link.attrs["href"] == "#school-holidays"
    assert page.text_of(link).startswith("Line 2 of the school holidays")


def test_the_job_and_scan_pages_speak_plain_words_in_english_and_welsh(officer, read):
    from tests.web.test_officer_words import assert_plain

    for accept in ("en", "cy"):
        officer.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept
        page, _seen = until_done(officer.client, start(officer).headers["Location"])
        assert page.find("html")[0].attrs["lang"] == accept and page.find("progress")
        assert_plain(page, {})
        assert_plain(read(officer.post("/import", form(officer, holidays=True, file=school()))), {})


def test_a_batch_of_case_files_makes_one_document_each_with_the_failures_named(officer, read, family):
    page = read(officer.client.get("/batch"))
    assert page.title.startswith("Make documents for many case files")
    broken = {**in_country({}, "england"), "pupils": [{"forename": "Ada", "surname": "Lovelace"}]}
    files = [
        (io.BytesIO(json.dumps(family(n)).encode()), f"{n}.json")
        for n in ("holiday-two-children", "holiday-parents-apart")
    ] + [(io.BytesIO(json.dumps(broken).encode()), "broken.json")]
    response = officer.post(
        "/batch", {"csrf_token": officer.token, "cases": files, "document": "leave-refusal", "format": "docx"}
    )
    assert response.status_code == 303
    done, _seen = until_done(officer.client, response.headers["Location"])
    assert done.text_of(done.by_id("job-counted")) == "3 of 3 case files done, 2 documents made. (100%)"
    failures = done.text_of(done.by_id("failures"))
    assert failures.startswith("Pupils with no document so far") and "Ada Lovelace Case 3" in failures
    (download,) = [f for f in done.find("form") if f.attrs["action"].endswith("/download")]
    archive = zipfile.ZipFile(
        io.BytesIO(officer.post(download.attrs["action"], {"csrf_token": officer.token}).data)
    )
    texts = [
        "\n".join(p.text for p in docx.Document(io.BytesIO(archive.read(n))).paragraphs)
        for n in archive.namelist()
        if n.endswith(".docx")
    ]
    assert len(texts) == 2
    assert any("Zoë" in t for t in texts) and any("Siân" in t for t in texts)


def test_a_batch_without_files_or_with_a_file_that_is_not_json_is_refused_on_its_field(officer, read):
    empty = officer.post("/batch", {"csrf_token": officer.token, "document": "leave-refusal"})
    assert empty.status_code == 400
    assert [a.attrs["href"] for a in read(empty).error_links()] == ["#cases"]
    bad = officer.post(
        "/batch",
        {
            "csrf_token": officer.token,
            "document": "leave-refusal",
            "cases": [(io.BytesIO(b"<xml/>"), "x.xml")],
        },
    )
    links = read(bad).error_links()
    assert bad.status_code == 400 and links[0].attrs["href"] == "#cases"
    assert "x.xml is not a case file" in read(bad).text_of(links[0])
