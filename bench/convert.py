"""Benchmark: DOCX→PDF for a one-page letter, cold `soffice --convert-to pdf` vs the warm converter.

Run: .venv/bin/python bench/convert.py [runs]   (default 30 conversions each; prints a table)
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import docx  # noqa: E402
from docx.shared import Pt  # noqa: E402
from timing import timed  # noqa: E402

from service.engines import soffice_path  # noqa: E402
from service.engines.libreoffice import LibreOfficeConverter  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 30


def one_page_letter() -> bytes:
    """Return a one-page letter: address block, heading, paragraphs, a small table, sign-off."""
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(11)
    for line in ("Education Welfare Service", "County Hall", "Tŷ Gwyn Road", "AB1 2CD", "", "12 March 2025"):
        document.add_paragraph(line)
    document.add_heading("School attendance: notice of concern", level=1)
    body = (
        "We are writing about the attendance of the pupil named below, whose absences this term have "
        "reached the level at which the school must tell the local authority. "
    )
    for _ in range(4):
        document.add_paragraph(body * 3)
    table = document.add_table(rows=4, cols=2)
    for row, (left, right) in zip(
        table.rows,
        [
            ("Pupil", "A. Pupil"),
            ("School", "Example Primary"),
            ("Sessions missed", "14"),
            ("Attendance", "88.2%"),
        ],
        strict=True,
    ):
        row.cells[0].text, row.cells[1].text = left, right
    document.add_paragraph("Yours sincerely,")
    document.add_paragraph("Attendance Officer")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def cold(soffice: str, letter: bytes, profile: str) -> Callable[[], bytes]:
    """Return a function running one cold `soffice --headless --convert-to pdf` in a fresh temp dir."""

    def run() -> bytes:
        with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
            (Path(tmp) / "letter.docx").write_bytes(letter)
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    tmp,
                    str(Path(tmp) / "letter.docx"),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            return (Path(tmp) / "letter.pdf").read_bytes()

    return run


def main() -> None:
    """Print median and p95 for both paths."""
    soffice = soffice_path()
    if soffice is None:
        sys.exit("LibreOffice (soffice) is not installed")
    letter = one_page_letter()
    profile = tempfile.mkdtemp(prefix="bench-profile-")
    converter = LibreOfficeConverter()
    try:
        run_cold = cold(soffice, letter, profile)
        run_cold()  # creates the profile, as a server's first call would; not counted
        rows = [("cold soffice --convert-to pdf (profile exists)", *timed(run_cold, RUNS))]
        start = time.perf_counter()
        assert converter.warm_up(), converter.available()[1]
        started = (time.perf_counter() - start) * 1000
        assert converter.convert(letter).startswith(b"%PDF-")
        rows.append(("warm LibreOfficeConverter.convert", *timed(lambda: converter.convert(letter), RUNS)))
    finally:
        converter.close()
        shutil.rmtree(profile, ignore_errors=True)
    print(f"one-page letter DOCX, {len(letter)} bytes; {RUNS} conversions each")
    print(f"{'path':<48} {'median ms':>10} {'p95 ms':>8}")
    for path, median, p95 in rows:
        print(f"{path:<48} {median:>10.1f} {p95:>8.1f}")
    print(f"{'warm converter start-up (once per process)':<48} {started:>10.1f}")


if __name__ == "__main__":
    main()
