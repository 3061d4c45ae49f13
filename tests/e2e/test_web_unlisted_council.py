"""Chromium walks the import page for a school whose council has no file: "My council is not listed"
reveals the council's details, a detail left out is an error summary that takes the focus, and the scan's
"Check" opens a pupil's case under the national rules with the generic request carrying the council's name.
The council is fictional; the pages pass axe-core (tests/e2e/test_web.py's officer, which allows
only GOV.UK Frontend's aria-expanded on a radio that reveals fields)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.e2e.test_web import TITLE
from tests.e2e.test_web import browser  # noqa: F401 - the module's Chromium
from tests.e2e.test_web import no_violations
from tests.e2e.test_web import officer  # noqa: F401 - a tab that records console errors and axe findings

pytestmark = pytest.mark.e2e

FERNMOOR = {
    "name": "Fernmoor Borough Council",
    "email": "penalty.notices@fernmoor.example.gov.uk",
    "phone": "01632 960321",
}


def fill_school(page) -> None:
    from tests.imports.builders import COUNCIL_DEFAULTS

    for key, value in COUNCIL_DEFAULTS["school"].items():
        if isinstance(value, str):
            page.fill(f"#school-{key}", value)


def export(page) -> None:
    from tests.imports.test_ctf_writers import school

    page.set_input_files("#file", {"name": "school.xml", "mimeType": "text/xml", "buffer": school()})


def test_an_unlisted_council_is_revealed_checked_and_its_request_made(officer):  # noqa: F811
    page = officer.page
    page.goto(officer.base + "/import")
    assert page.is_hidden("#council-details-name")  # GOV.UK Frontend hides the reveal until chosen
    page.check("input[name=council][value=not-listed]")
    assert page.is_visible("#council-details-name") and page.is_visible("#council-details-country")
    officer.look("30-import-unlisted-council")

    # The name and the route left out: the error summary takes the focus and links to each field.
    page.check("input[name=council-details-country][value=england]")
    fill_school(page)
    export(page)
    officer.submit("button:has-text('Scan the export')")
    assert page.title() == f"Error: Scan a school export – {TITLE}"
    assert officer.summary_focused()
    summary = page.inner_text(".govuk-error-summary")
    assert "Enter the council's name" in summary
    assert (
        "Enter the penalty-notice team's email address, or the address of the council's online form"
        in summary
    )
    assert page.is_visible("#council-details-name")  # the reveal stays open on the choice kept
    officer.look("31-import-unlisted-council-errors")
    page.click(".govuk-error-summary a[href='#council-details-name']")
    assert page.evaluate("document.activeElement.id") == "council-details-name"

    for key, value in FERNMOOR.items():
        page.fill(f"#council-details-{key}", value)
    export(page)
    officer.submit("button:has-text('Scan the export')")
    assert page.title() == f"Pupils in the export – {TITLE}"
    assert "Fernmoor Borough Council has no file here" in page.inner_text("#rules-applied")
    officer.look("32-scan-unlisted-council")

    officer.submit("tbody tr:first-child button:has-text('Check')")
    assert page.title().endswith(f"Check the case – {TITLE}")
    assert page.inner_text(".govuk-caption-l") == "Fernmoor Borough Council"
    assert "national framework" in page.inner_text("#rules-applied")
    officer.look("33-report-unlisted-council")
    name, content = officer.download("button[value='generic-request.pdf']")
    assert name.startswith("generic-request-holloway-ruby")
    reader = PdfReader(io.BytesIO(content))
    printed = " ".join(
        [p.extract_text() for p in reader.pages]
        + [str(f.get("/V", "")) for f in (reader.get_fields() or {}).values()]
    )
    assert "Fernmoor Borough Council" in printed and FERNMOOR["email"] in printed
    no_violations(officer)


@pytest.mark.parametrize("officer", [False], indirect=True, ids=["no-javascript"])
def test_without_javascript_the_council_details_are_shown_and_work(officer):  # noqa: F811
    page = officer.page
    page.goto(officer.base + "/import")
    assert page.is_visible("#council-details-name")  # no script: the reveal is open, the form still works
    page.check("input[name=council][value=not-listed]")
    page.check("input[name=council-details-country][value=wales]")
    page.fill("#council-details-name", "Cyngor Sir Glanrhyd")
    page.fill("#council-details-url", "https://glanrhyd.example.gov.uk/hysbysiadau-cosb")
    fill_school(page)
    export(page)
    officer.submit("button:has-text('Scan the export')")
    assert page.title() == f"Pupils in the export – {TITLE}"
    assert "Regulations 2013" in page.inner_text("#rules-applied")
