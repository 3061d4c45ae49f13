"""Letters as PDF through the warm LibreOffice converter: text read back, page 1 rendered with pdftoppm."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from service.documents import produce
from service.engines import Engines

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")]


@pytest.fixture(scope="module")
def engines():
    made = Engines()
    yield made
    made.converter.close()


CASES = [
    ("notice-to-improve", "wiltshire-irregular-marks", None, "The improvement period is 6 school weeks"),
    ("leave-refusal", "wiltshire-holiday", "statutory-age", "I regret to inform you"),
    ("leave-refusal", "wiltshire-holiday", "not-statutory-age", "not yet of statutory school age"),
    ("leave-refusal", "dorset-holiday-separated", "not-requested-in-advance", "brought to my attention"),
    ("leave-refusal", "vale-of-glamorgan-holiday", None, "Cyfeiriaf at eich cais"),
    ("attendance-letter-1", "wiltshire-irregular-marks", None, "classmates is 4.5"),
    ("attendance-letter-2", "dorset-warning-irregular", None, "School Attendance Meeting"),
]


def ink(png_page: bytes) -> int:
    """Count dark pixels of a binary PPM page."""
    _, _, _, _, data = png_page.split(maxsplit=4)
    return sum(1 for i in range(0, len(data), 3) if data[i] < 128)


@pytest.mark.parametrize(("document", "example", "variant", "sentence"), CASES)
def test_letter_as_pdf(engines, case, document, example, variant, sentence):
    rendered = produce(document, case(example), engines, "pdf", variant=variant)
    assert rendered.media_type == "application/pdf"
    assert rendered.filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(rendered.content))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert sentence in text
    page = subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1"], input=rendered.content,
                          capture_output=True, check=True).stdout
    assert ink(page) > 2000, "page 1 is (nearly) empty"


def test_welsh_names_survive_conversion(engines, case):
    text = PdfReader(io.BytesIO(produce("leave-refusal", case("vale-of-glamorgan-holiday"), engines,
                                        "pdf").content)).pages[0].extract_text()
    assert "Tŷ Gwyn, 5 Heol y Bont" in text
    assert "15 Mehefin 2026" in text


@pytest.mark.parametrize(("document", "example", "variant", "sentence"), CASES)
def test_two_renders_have_the_same_sha256(engines, case, document, example, variant, sentence):
    import hashlib
    import time

    first = produce(document, case(example), engines, "pdf", variant=variant).content
    time.sleep(1.05)  # LibreOffice stamps the export time to the second
    second = produce(document, case(example), engines, "pdf", variant=variant).content
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    info = PdfReader(io.BytesIO(first)).metadata
    letter_date = case(example)["letter_date"].replace("-", "")
    assert (info["/CreationDate"], info["/ModDate"]) == (f"D:{letter_date}000000Z",) * 2
    assert info["/Producer"] == "attendance-paperwork (LibreOffice)"


def test_every_letter_is_rendered_here():
    from service import forms

    letters = {d.id for d in forms.all() if isinstance(d, forms.Letter) and "pdf" in d.outputs}
    assert letters == {document for document, *_ in CASES}
