"""The officer pages in Debian's Chromium (headless, driven by Playwright's Python client) against gunicorn.

No browser is downloaded: Playwright launches /usr/bin/chromium, which scripts/setup installs. Each page
visited is screenshotted to artefacts/screenshots/ and checked with axe-core (node_modules/, scripts/setup):
no serious or critical violation is allowed. The browser's own temp files go to a directory of its own,
removed at the end, so the suite's temp-file guard watches only the service.
"""

from __future__ import annotations

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
from pypdf import PdfReader

from tests.conftest import EXAMPLES
from tests.conftest import ROOT
from tests.conftest import TEST_TMP
from tests.conftest import certificate_pdf
from tests.conftest import make_pdf

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

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed: run scripts/setup"),
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
        self.findings[name] = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in result["violations"]
        ]

    def serious(self) -> dict[str, list[dict[str, Any]]]:
        """Return the serious and critical violations by page (and keep every finding as an artefact)."""
        for name, violations in self.findings.items():
            (SHOTS / f"{name}.axe.json").write_text(json.dumps(violations, indent=2))
        found = {n: [v for v in vs if v["impact"] in ("serious", "critical")] for n, vs in self.findings.items()}
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

    def statuses(self) -> list[str]:
        return [" ".join(t.split()) for t in self.page.locator(".govuk-task-list__status").all_inner_texts()]


@pytest.fixture
def officer(browser: Any, gunicorn_server: str, request: pytest.FixtureRequest) -> Iterator[Officer]:
    javascript = getattr(request, "param", True)
    context = browser.new_context(accept_downloads=True, java_script_enabled=javascript)
    yield Officer(context.new_page(), gunicorn_server)
    context.close()


def pdf(name: str, content: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": content}


CASE = {
    "name": "wiltshire-holiday.json",
    "mimeType": "application/json",
    "buffer": (EXAMPLES / "wiltshire-holiday.json").read_bytes(),
}
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
    assert officer.statuses() == ["Done", "Done", "Missing", "Not needed"]
    officer.look("04-report-missing-attachment")

    page.click(".govuk-error-summary a[href='#refusal_letter']")
    assert page.evaluate("document.activeElement.id") == "refusal_letter"
    page.set_input_files("#refusal_letter", REFUSAL)
    officer.submit("button:has-text('Check the case again')")
    assert page.title() == f"Check the case – {TITLE}"
    assert officer.statuses() == ["Done", "Done", "Done", "Not needed"]
    assert page.locator(".govuk-error-summary").count() == 0
    officer.look("05-report-complete")

    name, content = officer.download("button:has-text('Download the bundle (ZIP)')")
    assert name == "wiltshire-fairweather-zoe-bundle.zip"
    bundle = zipfile.ZipFile(io.BytesIO(content))
    assert json.loads(bundle.read("manifest.json"))["document"] == "pn3"
    form = PdfReader(io.BytesIO(bundle.read("wiltshire-fairweather-zoe-pn3.pdf")))
    assert "Zoë Fairweather" in form.pages[0].extract_text()
    assert "wiltshire-fairweather-zoe-refusal-letter.pdf" in bundle.namelist()

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
    assert officer.statuses() == ["Done", "Done", "Done", "Not needed"]
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


def test_scan_a_ctf_export_and_check_a_pupil(officer):
    from tests.imports.builders import COUNCIL_DEFAULTS
    from tests.imports.test_batch import school

    page = officer.page
    page.goto(officer.base + "/upload")
    officer.submit("text=scan a CTF or CSV export")
    assert page.title() == f"Scan a school export – {TITLE}"
    officer.look("08-import")
    page.check("input[name=council][value=wiltshire]")
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
