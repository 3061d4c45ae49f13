"""The officer pages in Debian's Chromium (headless, driven by Playwright's Python client) against gunicorn.

No browser is downloaded: Playwright launches /usr/bin/chromium, which scripts/setup installs. Each page
visited is screenshotted to artefacts/screenshots/ and checked with axe-core (node_modules/, scripts/setup):
no serious or critical violation is allowed. The browser's own temp files go to a directory of its own,
removed at the end, so the suite's temp-file guard watches only the service.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pypdf import PdfReader

from tests.conftest import ROOT
from tests.conftest import TEST_TMP
from tests.conftest import certificate_pdf
from tests.conftest import council_toml
from tests.conftest import family_case
from tests.conftest import make_pdf
from tests.conftest import running_gunicorn
from tests.web.conftest import three_siblings
from tests.web.test_import_pages import PAGE_COUNCIL

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = ROOT / "artefacts" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TITLE = "School attendance paperwork"
TITLE_CY = "Gwaith papur presenoldeb ysgol"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed: run scripts/setup"
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Launch Debian's Chromium once for the module, with its temp files outside the watched TMPDIR."""
    from playwright.sync_api import sync_playwright

    own_tmp = tempfile.mkdtemp(prefix="attendance-browser-", dir=Path(TEST_TMP).parent)
    watched, os.environ["TMPDIR"] = os.environ["TMPDIR"], own_tmp  # the driver and Chromium inherit it
    try:
        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    finally:
        os.environ["TMPDIR"] = watched
    yield browser
    browser.close()
    playwright.stop()
    shutil.rmtree(own_tmp, ignore_errors=True)


class Officer:
    """A browser tab with what it saw: console errors (CSP reports among them) and axe's findings."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base
        self.console: list[str] = []
        self.findings: dict[str, list[dict[str, Any]]] = {}
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(str(error)))
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        # A page answered 400 or 422 is logged as a failed load: the responses are checked below instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console.append(message.text)

    def _response(self, response: Any) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.console.append(f"{response.status} {response.url}")

    def look(self, name: str) -> None:
        """Screenshot the page and run axe-core on it."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        if self.page.evaluate("() => typeof axe === 'undefined'"):
            # Evaluated over the DevTools protocol, so the page's CSP (no inline scripts) still holds.
            self.page.evaluate(AXE.read_text(encoding="utf-8"))
        result = self.page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations'], runOnly: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']})"
        )
        assert len(result["passes"]) > 20, "axe checked almost nothing"
        # GOV.UK Frontend sets aria-expanded on a radio that reveals fields, which ARIA 1.2 does not list for
        # radios; the design system keeps it on purpose, as screen readers announce it (a known issue,
        # alphagov/govuk-frontend#979). Allowed on those radios only.
        reveals = self.page.evaluate(
            "() => [...document.querySelectorAll('input[type=radio][aria-controls]')].map(e => ['#' + e.id])"
        )
        found = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in result["violations"]
        ]
        for v in found:
            if v["id"] == "aria-allowed-attr":
                v["nodes"] = [n for n in v["nodes"] if n not in reveals]
        self.findings[name] = [v for v in found if v["nodes"]]

    def serious(self) -> dict[str, list[dict[str, Any]]]:
        """Return the serious and critical violations by page (and keep every finding as an artefact)."""
        for name, violations in self.findings.items():
            (SHOTS / f"{name}.axe.json").write_text(json.dumps(violations, indent=2))
        found = {
            n: [v for v in vs if v["impact"] in ("serious", "critical")] for n, vs in self.findings.items()
        }
        return {n: vs for n, vs in found.items() if vs}

    def download(self, selector: str) -> tuple[str, bytes]:
        """Click a download button; return the file's suggested name and its bytes."""
        with self.page.expect_download() as info:
            self.page.click(selector)
        download = info.value
        content = Path(download.path()).read_bytes()
        download.delete()
        return download.suggested_filename, content

    def submit(self, selector: str) -> None:
        """Click a button or link that loads a page, and wait until it has loaded (scripts run)."""
        with self.page.expect_navigation():
            self.page.click(selector)
        self.page.wait_for_load_state("load")

    def summary_focused(self) -> bool:
        """Return whether the error summary got the focus (GOV.UK Frontend's script does it on load)."""
        script = "document.activeElement.classList.contains('govuk-error-summary')"
        self.page.wait_for_function(script, timeout=5000)
        return True

    def error_codes(self) -> set[str]:
        """Return the codes of the error summary's links."""
        links = self.page.locator(".govuk-error-summary a[data-code]")
        return set(links.evaluate_all("links => links.map(link => link.dataset.code)"))

    def statuses(self) -> list[str]:
        return [" ".join(t.split()) for t in self.page.locator(".govuk-task-list__status").all_inner_texts()]


@pytest.fixture(scope="module")
def import_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service under gunicorn with one more council, from a deployment's directory of council files:
    the import page offers the councils that have a file, and the import tests' is a fictional one."""
    folder = tmp_path_factory.mktemp("councils")
    extra = '\n[documents.notice-to-improve]\nsource = "code"\n'  # as tests/web/test_import_pages.py has it
    (folder / f"{PAGE_COUNCIL}.toml").write_text(council_toml(PAGE_COUNCIL, extra=extra), encoding="utf-8")
    with running_gunicorn(workers=1, env={"ATTENDANCE_COUNCILS_DIR": str(folder)}) as (url, _):
        yield url


@pytest.fixture
def officer(browser: Any, gunicorn_server: str, request: pytest.FixtureRequest) -> Iterator[Officer]:
    javascript = getattr(request, "param", True)
    context = browser.new_context(accept_downloads=True, java_script_enabled=javascript)
    yield Officer(context.new_page(), gunicorn_server)
    context.close()


def pdf(name: str, content: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": content}


# The family of two children on holiday, at a council with no file (the generic request form).
HOLIDAY = family_case("holiday-two-children")
CASE = {"name": "case.json", "mimeType": "application/json", "buffer": json.dumps(HOLIDAY).encode()}
CERTIFICATES = [
    pdf("certificate-zoe.pdf", certificate_pdf("Fairweather, Zoë")),
    pdf("certificate-alfie.pdf", certificate_pdf("Fairweather, Alfie")),
]
REQUEST_FORM = pdf("leave-request.pdf", make_pdf(["Leave of absence request form", "Submitted 01/09/2026"]))
REFUSAL = pdf("refusal.pdf", make_pdf(["Dear parents", "Your request for leave has been refused."]))


def upload(officer: Officer, refusal: bool) -> None:
    page = officer.page
    page.set_input_files("#case", CASE)
    page.set_input_files("#attendance_certificate", CERTIFICATES)
    page.set_input_files("#leave_request_form", REQUEST_FORM)
    if refusal:
        page.set_input_files("#refusal_letter", REFUSAL)
    officer.submit("button:has-text('Check the case')")


def test_upload_fix_a_missing_attachment_and_download(officer):
    page = officer.page
    page.goto(officer.base + "/")
    assert page.title() == f"Check a school attendance case and make its paperwork – {TITLE}"
    officer.look("01-start")

    officer.submit("text=Start now")
    assert page.title() == f"Upload the case – {TITLE}"
    officer.look("02-upload")
    officer.submit("button:has-text('Check the case')")
    assert page.title() == f"Error: Upload the case – {TITLE}"
    assert officer.summary_focused()
    officer.look("03-upload-error")

    upload(officer, refusal=False)
    assert page.title() == f"Error: Check the case – {TITLE}"
    assert officer.summary_focused()
    assert officer.statuses() == ["Done", "Done", "Missing"]
    officer.look("04-report-missing-attachment")

    page.click(".govuk-error-summary a[href='#refusal_letter']")
    assert page.evaluate("document.activeElement.id") == "refusal_letter"
    page.set_input_files("#refusal_letter", REFUSAL)
    officer.submit("button:has-text('Check the case again')")
    assert page.title() == f"Check the case – {TITLE}"
    assert officer.statuses() == ["Done", "Done", "Done"]
    assert page.locator(".govuk-error-summary").count() == 0
    officer.look("05-report-complete")

    name, content = officer.download("button:has-text('Download the bundle (ZIP)')")
    council = HOLIDAY["council"]  # the no-file council's own name starts the bundle's files
    assert name == f"{council}-fairweather-zoe-bundle.zip"
    bundle = zipfile.ZipFile(io.BytesIO(content))
    assert json.loads(bundle.read("manifest.json"))["document"] == "generic-request"
    form = PdfReader(io.BytesIO(bundle.read(f"{council}-fairweather-zoe-generic-request.pdf")))
    assert "Zoë Fairweather" in form.pages[0].extract_text()
    assert f"{council}-fairweather-zoe-refusal-letter.pdf" in bundle.namelist()

    name, content = officer.download("button[value='leave-refusal.docx']")
    assert name == "leave-refusal-fairweather-zoe-2026-10-05.docx"
    assert any("Zoë" in p.text for p in docx.Document(io.BytesIO(content)).paragraphs)

    assert officer.serious() == {}
    assert officer.console == []  # no CSP violation, no script error, no asset missing


@pytest.mark.parametrize("officer", [False], indirect=True, ids=["no-javascript"])
def test_the_main_flow_works_without_javascript(officer):
    page = officer.page
    page.goto(officer.base + "/upload")
    upload(officer, refusal=True)
    assert page.title() == f"Check the case – {TITLE}"
    assert "govuk-frontend-supported" not in (page.get_attribute("body", "class") or "")
    assert officer.statuses() == ["Done", "Done", "Done"]
    officer.page.screenshot(path=str(SHOTS / "06-report-without-javascript.png"), full_page=True)
    name, content = officer.download("button:has-text('Download the bundle (ZIP)')")
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(content)).namelist()


def test_a_post_without_the_csrf_token_is_refused(officer):
    page = officer.page
    page.goto(officer.base + "/upload")
    page.evaluate("document.querySelector('input[name=csrf_token]').remove()")
    page.set_input_files("#case", CASE)
    officer.submit("button:has-text('Check the case')")
    assert page.title() == f"This page has expired – {TITLE}"
    assert "csrf_failed" in page.inner_text("main")
    officer.look("07-csrf-refused")
    assert officer.serious() == {}

    response = httpx.post(officer.base + "/report", files={"case": ("case.json", CASE["buffer"])})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")


def test_scan_a_ctf_export_and_check_a_pupil(officer, import_server):
    from tests.imports.builders import COUNCIL_DEFAULTS
    from tests.imports.test_batch import school

    page = officer.page
    page.goto(import_server + "/upload")
    officer.submit("text=scan a CTF or CSV export")
    assert page.title() == f"Scan a school export – {TITLE}"
    officer.look("08-import")
    page.check(f"input[name=council][value={PAGE_COUNCIL}]")
    for key, value in COUNCIL_DEFAULTS["school"].items():
        if isinstance(value, str):  # the page has no holiday fields (yet): the notice says what it lacks
            page.fill(f"#school-{key}", value)
    page.set_input_files("#file", {"name": "school.xml", "mimeType": "text/xml", "buffer": school()})
    officer.submit("button:has-text('Scan the export')")
    assert page.title() == f"Pupils in the export – {TITLE}"
    assert page.locator("tbody tr").count() == 4
    officer.look("09-scan")
    officer.submit("tbody tr:first-child button:has-text('Check')")
    assert page.title() == f"Check the case – {TITLE}"
    assert "Notice to improve school attendance" in page.inner_text("#downloads")
    officer.look("10-report-from-export")
    assert officer.serious() == {}
    assert officer.console == []


# Issue 17: three siblings with one under five, a separated family, a Welsh family in Welsh.


def case_file(data: dict[str, Any]) -> dict[str, Any]:
    return {"name": "case.json", "mimeType": "application/json", "buffer": json.dumps(data).encode()}


def no_violations(officer: Officer) -> None:
    """Every axe finding (not only serious ones) is kept beside its screenshot; none is allowed."""
    officer.serious()  # writes the findings
    found = {name: [v["id"] for v in vs] for name, vs in officer.findings.items() if vs}
    assert found == {}
    assert officer.console == []


def test_three_siblings_one_under_five(officer):
    data = three_siblings(family_case)
    page = officer.page
    page.goto(officer.base + "/upload")
    page.set_input_files("#case", case_file(data))
    page.set_input_files(
        "#attendance_certificate",
        [pdf(f"certificate-{n}.pdf", certificate_pdf(f"Fairweather, {n}")) for n in ("Zoë", "Alfie", "Ivy")],
    )
    page.set_input_files(
        "#leave_request_form", pdf("request.pdf", make_pdf(["Leave of absence request form"]))
    )
    page.set_input_files("#refusal_letter", pdf("refusal.pdf", make_pdf(["Your request has been refused."])))
    officer.submit("button:has-text('Check the case')")
    # the request form cannot be filled with Ivy on it: the error summary says who and why
    assert page.title() == f"Error: Check the case – {TITLE}"
    assert officer.summary_focused()
    assert "Ivy Fairweather: Not yet of compulsory school age" in page.inner_text(".govuk-error-summary")
    page.click(".govuk-error-summary a[data-code='below_compulsory_school_age']")
    assert page.evaluate("location.hash") == "#case-pupils-2-date-of-birth"
    ivy = page.inner_text("#outcome-pupil-2")
    assert "Below compulsory school age" in ivy and "Hannah Fairweather, mother: No penalty notice" in ivy
    assert "Penalty notice 1: £80" in page.inner_text("#outcome-pupil-0")
    # the outcome and the downloads share the first screen
    outcome, downloads = page.locator("#outcome").bounding_box(), page.locator("#downloads").bounding_box()
    assert downloads["y"] < outcome["y"] + 200 and downloads["x"] > outcome["x"] + outcome["width"] - 10
    officer.look("11-three-siblings")

    assert "Ivy Fairweather" in page.inner_text("#downloads")  # why the request form is not offered
    no_violations(officer)


def letters(content: bytes) -> list[list[str]]:
    """Return the letters of a DOCX (each starts on a new page: docxcompose's page breaks), as their lines."""
    from docx.oxml.ns import qn

    found: list[list[str]] = [[]]
    for paragraph in docx.Document(io.BytesIO(content)).paragraphs:
        if any(br.get(qn("w:type")) == "page" for br in paragraph._p.iter(qn("w:br"))):
            found.append([])
        if paragraph.text.strip():
            found[-1].append(paragraph.text.strip())
    return [lines for lines in found if lines]


def test_separated_family_gets_a_letter_per_parent(officer):
    data = family_case("holiday-parents-apart")
    del data["absence"]["responsible_parent_ids"]  # both parents have parental responsibility: both liable
    pupil_address = data["pupils"][0]["address"]
    page = officer.page
    page.goto(officer.base + "/upload")
    page.set_input_files("#case", case_file(data))
    officer.submit("button:has-text('Check the case')")
    outcome = page.inner_text("#outcome-pupil-0")
    for parent in data["parents"]:
        assert f"{parent['full_name']}, {parent['relationship']}: Penalty notice 1: £80" in outcome
    officer.look("13-separated-family")
    name, content = officer.download("#downloads button[value='leave-refusal.docx']")
    assert name == "leave-refusal-oconnor-hughes-sian-2026-11-09.docx"
    sent = letters(content)
    assert len(sent) == len(data["parents"])  # one letter per liable parent, each on its own pages
    for parent, letter in zip(data["parents"], sent, strict=True):
        address = parent["address"] or pupil_address  # a parent with no address of their own lives with Siân
        head = letter[: letter.index(f"Dear {parent['full_name']}")]
        at = head.index(parent["full_name"])
        lines = [address[k] for k in ("line1", "line2", "town", "postcode") if address.get(k)]
        assert head[at + 1 : at + 1 + len(lines)] == lines  # at that parent's own address
        others = [p for p in data["parents"] if p is not parent]
        assert not [o for o in others if o["full_name"] in "\n".join(letter)]  # nobody else's letter
        assert "Re: Siân O'Connor-Hughes" in letter
    no_violations(officer)


@pytest.mark.parametrize("officer", [True], indirect=True)
def test_welsh_family_in_welsh(officer):
    data = family_case("welsh-holiday")
    page = officer.page
    page.context.set_extra_http_headers({"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"})
    page.goto(officer.base + "/upload")
    assert page.title() == f"Llwytho'r achos – {TITLE_CY}"
    assert page.get_attribute("html", "lang") == "cy"
    officer.look("14-welsh-upload")
    page.set_input_files("#case", case_file(data))
    officer.submit("button:has-text('Gwirio')")
    assert page.title() == f"Gwall: Gwirio'r achos – {TITLE_CY}"  # no attachments were sent
    assert officer.error_codes() == {"attachment_missing"}
    outcome = page.inner_text("#outcome")
    assert "Beth y mae'r achos yn ei ganiatáu" in outcome and "Y cam nesaf" in outcome
    assert data["council_details"]["name"] in page.inner_text("#next-step + ol")  # as the case names it
    officer.look("15-welsh-report")
    # the switch keeps the case: English, then the cookie keeps it
    officer.submit("#language-switch button[value='en']")
    assert page.title() == f"Error: Check the case – {TITLE}"
    assert "What the case allows" in page.inner_text("#outcome")
    officer.look("16-welsh-case-in-english")
    no_violations(officer)


def test_history_entered_on_the_page_comes_back_in_the_outcome(officer):
    page = officer.page
    page.goto(officer.base + "/upload")
    page.set_input_files("#case", case_file(family_case("irregular-with-marks")))
    officer.submit("button:has-text('Check the case')")
    assert "a Notice to Improve comes first" in page.inner_text("#outcome-pupil-0")
    page.select_option("#history-notice_to_improve-parent", label="Marta Kowalczyk, mother")
    page.select_option("#history-notice_to_improve-pupil", label="Tomasz Kowalczyk-Reid")
    page.fill("#history-notice_to_improve-issued_on-day", "1")
    page.fill("#history-notice_to_improve-issued_on-month", "6")
    page.fill("#history-notice_to_improve-issued_on-year", "2026")
    officer.submit("button:has-text('Add the Notice to Improve')")
    # the end of its period is missing: the error summary links to the field, the typed values are kept
    assert page.title() == f"Error: Check the case – {TITLE}"
    assert officer.summary_focused()
    page.click(".govuk-error-summary a[href='#history-notice_to_improve-period_end-day']")
    assert page.evaluate("document.activeElement.id") == "history-notice_to_improve-period_end-day"
    assert page.input_value("#history-notice_to_improve-issued_on-year") == "2026"
    officer.look("17-history-error")
    page.fill("#history-notice_to_improve-period_end-day", "13")
    page.fill("#history-notice_to_improve-period_end-month", "7")
    page.fill("#history-notice_to_improve-period_end-year", "2026")
    officer.submit("button:has-text('Add the Notice to Improve')")
    assert page.title() == f"Error: Check the case – {TITLE}"  # the entry is taken: a notice is allowed
    assert officer.error_codes() == {"attachment_missing"}  # and the request form lists its attachments
    assert "Penalty notice 1: £80" in page.inner_text("#outcome-pupil-0")
    assert "improvement period ended 13 July 2026" in page.inner_text("#case-history")
    officer.look("18-history-added")
    name, content = officer.download("button:has-text('Download the case file (JSON)')")
    assert name.endswith("-case.json")
    assert json.loads(content)["previous_notices_to_improve"][0]["issued_on"] == "2026-06-01"
    no_violations(officer)


def whole_school(count: int) -> bytes:
    """Return a CTF of `count` pupils, every other one over the threshold (a Notice to Improve each)."""
    from tests.imports.builders import contact
    from tests.imports.builders import ctf
    from tests.imports.builders import pupil
    from tests.imports.builders import year_data
    from tests.imports.test_batch import START
    from tests.imports.test_batch import truant

    pupils = []
    for serial in range(1, count + 1):
        days = (9, 10, 11, 12, 13) if serial % 2 else (9,)
        pupils.append(
            pupil(serial, ["Isla", "Leo", "Zoë", "Siân"][serial % 4], f"Ashworth-{serial}", dob="2016-03-14",
                  year_group="5", contacts=(contact("Kate", f"Ashworth-{serial}"),),
                  years=(year_data(2026, 100, 0, 10, START, truant(days)),))
        )
    return ctf(pupils)


def test_a_whole_school_import_shows_its_progress_and_works_without_javascript(officer, browser, import_server):
    from tests.imports.builders import COUNCIL_DEFAULTS

    page = officer.page
    page.goto(import_server + "/import")
    page.check(f"input[name=council][value={PAGE_COUNCIL}]")
    for key, value in COUNCIL_DEFAULTS["school"].items():
        if isinstance(value, str):
            page.fill(f"#school-{key}", value)
    page.fill("#school-holidays", "21/12/2026 to 1/1/2027")
    page.select_option("#documents", "notice-to-improve")
    page.check("input[name=format][value=docx]")
    page.set_input_files("#file", {"name": "school.xml", "mimeType": "text/xml", "buffer": whole_school(160)})
    officer.submit("button:has-text('Scan the export')")
    job = page.url
    assert "/jobs/" in job and "?" not in job
    assert page.title().startswith(("Waiting to start", "Making the documents"))
    assert page.locator("progress#job-progress").count() == 1
    page.screenshot(path=str(SHOTS / "19-import-progress-reloading.png"), full_page=True)
    officer.submit("a:has-text('Stop reloading this page')")  # the officer can stop it (WCAG 2.2.1)
    if page.title().startswith(("Waiting to start", "Making the documents")):
        assert "This page no longer reloads itself." in page.inner_text("main")
    officer.look("19-import-progress")

    # Without JavaScript (the same browser session: the job is this session's), the page reloads itself
    # (the Refresh header) until the documents are ready.
    plain = browser.new_context(java_script_enabled=False)
    plain.add_cookies(page.context.cookies())
    reader = plain.new_page()
    reader.goto(job)
    assert reader.locator("progress#job-progress").count() == 1
    with contextlib.suppress(PlaywrightTimeout):  # a fast machine may be done before a reload shows it running
        reader.wait_for_selector("h1:has-text('Making the documents')", timeout=60_000)
        reader.screenshot(path=str(SHOTS / "19-import-progress-running.png"), full_page=True)
    reader.wait_for_selector("button:has-text('Download the documents (ZIP)')", timeout=180_000)
    assert reader.title().startswith("The documents are ready")
    bar = reader.locator("progress#job-progress")
    assert bar.get_attribute("value") == bar.get_attribute("max") == "160"
    assert "160 of 160 pupils checked, 80 documents made." in reader.inner_text("#job-counted")
    reader.screenshot(path=str(SHOTS / "20-import-done-without-javascript.png"), full_page=True)
    plain.close()

    page.goto(job)
    officer.look("20-import-done")
    name, content = officer.download("button:has-text('Download the documents (ZIP)')")
    archive = zipfile.ZipFile(io.BytesIO(content))
    letters = sorted(n for n in archive.namelist() if n.endswith(".docx"))
    assert len(letters) == 80
    first = "\n".join(p.text for p in docx.Document(io.BytesIO(archive.read(letters[0]))).paragraphs)
    assert "Ashworth-" in first and "notice to improve" in first.lower()
    page.reload()
    assert page.title().startswith("The documents have been downloaded")
    officer.look("21-import-downloaded")
    no_violations(officer)


def test_the_batch_page_in_welsh_and_english(officer):
    page = officer.page
    page.goto(officer.base + "/upload")
    officer.submit("text=make documents for many case files")
    assert page.title() == f"Make documents for many case files – {TITLE}"
    officer.look("22-batch")
    officer.submit("#language-switch a[hreflang='cy']")
    assert page.title() == f"Gwneud dogfennau ar gyfer llawer o ffeiliau achos – {TITLE_CY}"
    officer.submit("button:has-text('Gwneud y dogfennau')")  # nothing chosen: the error summary, in Welsh
    assert officer.summary_focused()
    assert "Dewiswch y ffeiliau achos (JSON)" in page.inner_text(".govuk-error-summary")
    officer.look("23-batch-error-welsh")
    no_violations(officer)
