"""Jobs under the real gunicorn (README's one command, no Redis): a secondary school's ~490 Notices to
Improve as PDF finish as a job, every letter in the ZIP a valid PDF naming its pupil."""

from __future__ import annotations

import io
import shutil
import time
import zipfile

import httpx
import pytest
from pypdf import PdfReader

from tests.conftest import running_gunicorn
from tests.e2e.test_observability import sample
from tests.e2e.test_observability import scrape
from tests.imports.builders import COUNCIL_DEFAULTS
from tests.imports.builders import contact
from tests.imports.builders import ctf
from tests.imports.builders import pupil
from tests.imports.builders import year_data
from tests.imports.test_batch import START
from tests.imports.test_batch import truant

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PUPILS = 490
FORENAMES = ["Isla", "Leo", "Amelia", "Noah", "Zoë", "Siân", "Tomasz", "Aoife", "Rhys", "Maya", "Olivia", "Jack",
             "Freya", "Oscar", "Ava", "Harry", "Mia", "Arlo", "Ivy", "Finn"]
SURNAMES = ["Ashworth", "Pemberton", "Whitlock", "Langdon", "O'Connor", "Kowalczyk", "Prydderch", "Okafor",
            "Hughes", "Bennett", "Carter", "Doyle", "Ellis", "Foster", "Grant", "Hale", "Irving", "Jenner", "Knox",
            "Lowe", "Marsh", "Nash", "Owens", "Price", "Quinn"]


def secondary_school() -> tuple[bytes, set[str]]:
    """Return a CTF of PUPILS pupils, every one over the threshold, and their names."""
    pupils, names = [], set()
    for serial in range(1, PUPILS + 1):
        forename = FORENAMES[serial % len(FORENAMES)]
        surname = f"{SURNAMES[serial % len(SURNAMES)]}-{SURNAMES[(serial // len(SURNAMES)) % len(SURNAMES)]}"
        names.add(f"{forename} {surname}")
        pupils.append(pupil(serial, forename, surname, dob="2012-03-14", year_group="9",
                            contacts=(contact("Kate", surname),),
                            years=(year_data(2026, 100, 0, 10, START, truant((9, 10, 11, 12, 13))),)))
    return ctf(pupils), names


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_secondary_schools_notices_to_improve_finish_as_a_job(monkeypatch):
    export, names = secondary_school()
    monkeypatch.setenv("ATTENDANCE_JOB_WORKERS", "2")  # two worker processes, two LibreOffices
    with running_gunicorn() as (url, _):
        posted = httpx.post(f"{url}/api/v1/imports/ctf?documents=notice-to-improve&format=pdf",
                            files={"file": ("school.xml", export)},
                            data={"case": __import__("json").dumps(COUNCIL_DEFAULTS)}, timeout=60)
        assert posted.status_code == 202, posted.text[:300]
        job_url = url + posted.headers["Location"]
        seen = []
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            job = httpx.get(job_url, timeout=10).json()
            seen.append(job["progress"]["done"])
            if job["state"] not in ("queued", "running"):
                break
            time.sleep(1)
        assert job["state"] == "done", job
        assert job["progress"] == {"total": PUPILS, "done": PUPILS, "produced": PUPILS, "failed": 0, "percent": 100}
        assert len(set(seen)) > 2  # the progress moved while it ran
        result = httpx.get(url + job["links"]["result"], timeout=120)
        assert result.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(result.content))
        pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
        assert len(pdfs) == PUPILS
        found = set()
        for name in pdfs:
            text = PdfReader(io.BytesIO(archive.read(name))).pages[0].extract_text()
            found |= {pupil_name for pupil_name in names if pupil_name in text}
        assert found == names  # every pupil's own letter, each a PDF with its text
        assert httpx.get(url + job["links"]["result"], timeout=10).status_code == 410
        # Counted where the work happened (the two job worker processes), read from the front's /metrics.
        text = scrape(url)
        letters = {"document": "notice-to-improve"}
        assert sample(text, "attendance_jobs_submitted_total", document="notice-to-improve", format="pdf") == 1
        assert sample(text, "attendance_job_items_total", **letters, status="produced") == PUPILS
        assert sample(text, "attendance_job_seconds_count", **letters, state="done") == 1
        assert 0 < sample(text, "attendance_job_documents_per_second", **letters) < PUPILS
        assert sample(text, "attendance_jobs", state="downloaded") == 1
        assert sample(text, "attendance_jobs", state="running") == 0
        assert not any(pupil_name.split()[-1] in text for pupil_name in names)  # no personal data
