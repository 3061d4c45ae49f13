"""Shared fixtures: the app, its client, example cases, readers for generated documents, guards."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service import create_app

# Every temp file of the code under test goes into this directory, watched by no_temp_files_left:
# other processes' files in /tmp cannot make a test fail.
TEST_TMP = tempfile.mkdtemp(prefix="attendance-tests-")
os.environ["TMPDIR"] = TEST_TMP
tempfile.tempdir = TEST_TMP

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
SHARED_EXAMPLES = SHARED / "examples"
# Values from the example cases that must never reach a log line.
PERSONAL = ("Fairweather", "O'Connor", "Kowalczyk", "Prydderch", "Briain", "BA14 9QZ", "2016-05-04",
            "Brown", "Evans")


def load_example(name: str) -> dict[str, Any]:
    """Return a deep copy of a project example case (examples/<name>.json)."""
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def example_names() -> list[str]:
    """Return the project's example case names."""
    return sorted(p.stem for p in EXAMPLES.glob("*.json"))


def shared_example_names() -> list[str]:
    """Return the ../shared example names (empty when ../shared is absent)."""
    return sorted(p.stem for p in SHARED_EXAMPLES.glob("*.json")) if SHARED_EXAMPLES.is_dir() else []


@pytest.fixture
def app():
    made = create_app({"TESTING": True})
    yield made
    made.extensions["engines"].converter.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def case() -> Callable[[str], dict[str, Any]]:
    """Return a loader of example cases by file name (examples/<name>.json), a fresh copy each call."""
    return lambda name: copy.deepcopy(load_example(name))


# The examples' families, for tests of the rules every council shares: each sent to a council with no file
# of the example's country (the national rules, named by `council_details`), so that no such test names a
# council. Tests of one council's own rules use its example (`case`).
FAMILIES = {
    "holiday-two-children": "wiltshire-holiday",
    "irregular-with-marks": "wiltshire-irregular-marks",
    "holiday-parents-apart": "dorset-holiday-separated",
    "irregular-one-child": "dorset-warning-irregular",
    "welsh-holiday": "vale-of-glamorgan-holiday",
    "two-children-no-file": "national-england-holiday",
}
NO_FILE = {
    "england": {"council": "northbury", "council_details": {
        "name": "Northbury Council", "country": "england", "email": "penalty.notices@northbury.example.gov.uk",
        "phone": "01632 960999"}},
    "wales": {"council": "gwaelod", "council_details": {
        "name": "Cyngor Gwaelod", "country": "wales", "email": "hysbysiadau@gwaelod.example.gov.uk",
        "phone": "01632 960998"}},
}


def in_country(data: dict[str, Any], country: str) -> dict[str, Any]:
    """Return a case sent to a council with no file in `country` (England's framework, Wales's 2013 rules)."""
    return {**data, **copy.deepcopy(NO_FILE[country])}


def family_case(name: str, country: str | None = None) -> dict[str, Any]:
    """Return one of FAMILIES at a council with no file (of the example's own country unless told)."""
    from service import councils

    data = load_example(FAMILIES[name])
    home = data.get("council_details", {}).get("country") or councils.get(data["council"]).country
    return in_country(data, country or home)


@pytest.fixture
def family() -> Callable[..., dict[str, Any]]:
    """Return a loader of the examples' families at a council with no file: `family("irregular-with-marks")`."""
    return family_case


@pytest.fixture
def shared_case() -> Callable[[str], dict[str, Any]]:
    """Return a loader of ../shared example cases, skipping when ../shared is absent."""
    if not SHARED_EXAMPLES.is_dir():
        pytest.skip("../shared/examples is not beside this checkout")
    return lambda name: json.loads((SHARED_EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def pdf_fields() -> Callable[[bytes], dict[str, Any]]:
    """Return a reader of a PDF's form field values."""
    from pypdf import PdfReader

    def read(data: bytes) -> dict[str, Any]:
        fields = PdfReader(io.BytesIO(data)).get_fields() or {}
        return {name: f.get("/V") for name, f in fields.items()}

    return read


@pytest.fixture
def pdf_text() -> Callable[[bytes], str]:
    """Return a reader of a PDF's rendered text (pypdf)."""
    from pypdf import PdfReader

    return lambda data: "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def docx_text() -> Callable[[bytes], str]:
    """Return a reader of a DOCX's paragraphs and table cells (python-docx)."""
    import docx

    def read(data: bytes) -> str:
        document = docx.Document(io.BytesIO(data))
        lines = [p.text for p in document.paragraphs]
        for table in document.tables:
            lines += [cell.text for row in table.rows for cell in row.cells]
        return "\n".join(lines)

    return read


# A council file with only what the schema asks for (a fictional council); tests add the tables they need.
MINIMAL_COUNCIL = """
id = "{id}"
name = "{name}"
country = "{country}"
source = "code"
not_published = ["submission", "contact", "deadlines", "request_per", "term_dates"{england}]

[sources.code]
title = "{name}: penalty notice code of conduct"
url = "https://{id}.example.gov.uk/penalty-notices"
read = 2026-11-30

[documents.generic-request]
source = "code"

[documents.leave-refusal]
source = "code"

[documents.attendance-certificate]
source = "code"
"""


# A council that counts its deadline from the warning letter (one published process does): a `[[deadlines]]`
# table for `council_toml(extra=...)`.
WARNING_DEADLINE = """
[[deadlines]]
days = 10
unit = "working_days"
after = "warning_letter"
text = "Refer within 10 working days of the final warning letter."
source = "code"
"""


def council_toml(council_id: str = "testshire", country: str = "england", extra: str = "",
                 unpublished: tuple[str, ...] | None = None) -> str:
    """Return a fictional council's file: the minimum the schema asks for, then `extra` (TOML tables)."""
    text = MINIMAL_COUNCIL.format(id=council_id, name=f"{council_id.title()} Council", country=country,
                                  england=', "notice_to_improve"' if country == "england" else "")
    if unpublished is not None:
        listed = ", ".join(f'"{u}"' for u in unpublished)
        text = "\n".join(f"not_published = [{listed}]" if line.startswith("not_published") else line
                         for line in text.splitlines())
    return text + extra


@pytest.fixture
def temp_council(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Return `write(toml) -> Council`: the council file written into a deployment's directory and the
    registry loaded with it (as ATTENDANCE_COUNCILS_DIR does); the shipped councils come back afterwards."""
    from service import councils

    def write(text: str, council_id: str | None = None) -> Any:
        import tomllib

        council_id = council_id or tomllib.loads(text)["id"]
        (tmp_path / f"{council_id}.toml").write_text(text, encoding="utf-8")
        councils.load(tmp_path, again=True)
        return councils.get(council_id)

    yield write
    councils.load(again=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_gunicorn(
    workers: int = 2, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run the real service under gunicorn on 127.0.0.1 and a free port (with these extra settings);
    yield its URL and process."""
    import httpx

    port = _free_port()
    env = {**os.environ, "ATTENDANCE_BIND": f"127.0.0.1:{port}", "ATTENDANCE_WORKERS": str(workers),
           **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--worker-tmp-dir", "/dev/shm",
         "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=60)


@pytest.fixture(scope="session")
def gunicorn_server() -> Iterator[str]:
    """The real service under gunicorn, shared by the end-to-end tests."""
    with running_gunicorn() as (url, _):
        yield url


@pytest.fixture(autouse=True)
def no_temp_files_left() -> Iterator[None]:
    """Fail a test that leaves files in the temp directory (no copies of case data on disk)."""
    tmp = Path(TEST_TMP)
    before = set(os.listdir(tmp))
    yield
    left = {n for n in set(os.listdir(tmp)) - before if not n.startswith("pytest-of-")}
    assert not left, f"temp files left behind: {sorted(left)}"


@pytest.fixture(autouse=True)
def no_personal_data_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail a test whose log lines carry a personal value from the example cases."""
    caplog.set_level(logging.INFO)
    yield
    text = "\n".join(r.getMessage() for r in caplog.records)
    leaked = [value for value in PERSONAL if value in text]
    assert not leaked, f"personal data in logs: {leaked}"


def make_pdf(lines: list[str] | None = None, pages: int = 1, encrypt: str | None = None) -> bytes:
    """Return a real PDF (reportlab) showing `lines` on page 1; no text at all when lines is None."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "PwSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("PwSans", str(ROOT / "templates" / "fonts" / "PaperworkSans.ttf")))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, invariant=1)
    for page in range(pages):
        if page == 0 and lines is not None:
            pdf.setFont("PwSans", 11)
            for n, line in enumerate(lines):
                pdf.drawString(72, 770 - 16 * n, line)
        else:
            pdf.rect(72, 600, 200, 100, fill=1)  # a drawing, no text: what a scan looks like to pypdf
        pdf.showPage()
    pdf.save()
    if encrypt is None:
        return out.getvalue()
    from pypdf import PdfReader
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(out.getvalue())))
    writer.encrypt(user_password=encrypt, algorithm="RC4-128")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    return encrypted.getvalue()


def certificate_pdf(name: str = "Fairweather, Zoë", as_of: str = "16/10/2026") -> bytes:
    """Return an attendance certificate as a school MIS prints one."""
    return make_pdf(["Attendance certificate", "Larkspur Primary School", f"Pupil: {name}",
                     f"Attendance to {as_of}: 80.6%", "Unauthorised absence: 10 sessions"])


@pytest.fixture(scope="session")
def test_pki():
    """The suite's own PKI (tests/pki.py): a CA councils trust, a school, untrusted, expired, revoked, a TSA."""
    from tests import pki

    return pki.make()


@pytest.fixture(scope="session")
def council_trust(test_pki, tmp_path_factory):
    """A council's trust folder: the schools' CA and its CRL."""
    from service.engines.signatures import TrustStore

    return TrustStore.from_dir(test_pki.trust_dir(tmp_path_factory.mktemp("trust")))


@pytest.fixture(scope="session")
def school_signer(test_pki):
    """The school's signer, from its PKCS#12."""
    from service.engines.signatures import PadesSigner
    from tests.pki import PASSPHRASE

    return PadesSigner(test_pki.school.pkcs12(), PASSPHRASE)


@pytest.fixture(scope="session")
def signing_engines(school_signer, council_trust):
    """Engines that sign as the school and check as the council."""
    from service.engines import Engines

    return Engines(signer=school_signer, trust=council_trust)
