"""Letters as PDF through the warm LibreOffice converter: text read back, page 1 rendered with pdftoppm."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from service.documents import produce
from service.engines import Engines
from tests.conftest import family_case

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")]


@pytest.fixture(scope="module")
def engines():
    made = Engines()
    yield made
    made.converter.close()


# (document, family, variant, a sentence it prints, on a Welsh council with bilingual letters): letters are
# the same for every council, so each goes to a council with no file, or one written for the test.
CASES = [
    ("notice-to-improve", "irregular-with-marks", None, "The improvement period is 6 school weeks", False),
    ("leave-refusal", "holiday-two-children", "statutory-age", "I regret to inform you", False),
    ("leave-refusal", "holiday-two-children", "not-statutory-age", "not yet of statutory school age", False),
    ("leave-refusal", "holiday-parents-apart", "not-requested-in-advance", "brought to my attention", False),
    ("leave-refusal", "welsh-holiday", None, "Cyfeiriaf at eich cais", True),
    ("attendance-letter-1", "irregular-with-marks", None, "classmates is 4.5", False),
    ("attendance-letter-2", "irregular-one-child", None, "School Attendance Meeting", False),
]
FIELDS = ("document", "name", "variant", "sentence", "welsh")


def case_of(request, name: str, welsh: bool) -> dict:
    """Return the family's case, moved to the bilingual council when the letter is to be in Welsh too."""
    data = family_case(name)
    return request.getfixturevalue("bilingual")(data) if welsh else data


def ink(png_page: bytes) -> int:
    """Count dark pixels of a binary PPM page."""
    _, _, _, _, data = png_page.split(maxsplit=4)
    return sum(1 for i in range(0, len(data), 3) if data[i] < 128)


@pytest.mark.parametrize(FIELDS, CASES)
def test_letter_as_pdf(engines, request, document, name, variant, sentence, welsh):
    rendered = produce(document, case_of(request, name, welsh), engines, "pdf", variant=variant)
    assert rendered.media_type == "application/pdf"
    assert rendered.filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(rendered.content))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert sentence in text
    page = subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1"], input=rendered.content,
                          capture_output=True, check=True).stdout
    assert ink(page) > 2000, "page 1 is (nearly) empty"


def test_welsh_names_survive_conversion(engines, family, bilingual):
    text = PdfReader(io.BytesIO(produce("leave-refusal", bilingual(family("welsh-holiday")), engines,
                                        "pdf").content)).pages[0].extract_text()
    assert "Tŷ Gwyn, 5 Heol y Bont" in text
    assert "15 Mehefin 2026" in text


@pytest.mark.parametrize(FIELDS, CASES)
def test_two_renders_have_the_same_sha256(engines, request, document, name, variant, sentence, welsh):
    import hashlib
    import time

    data = case_of(request, name, welsh)
    first = produce(document, data, engines, "pdf", variant=variant).content
    time.sleep(1.05)  # LibreOffice stamps the export time to the second
    second = produce(document, data, engines, "pdf", variant=variant).content
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    info = PdfReader(io.BytesIO(first)).metadata
    letter_date = data["letter_date"].replace("-", "")
    assert (info["/CreationDate"], info["/ModDate"]) == (f"D:{letter_date}000000Z",) * 2
    assert info["/Producer"] == "attendance-paperwork (LibreOffice)"


def test_every_letter_is_rendered_here():
    from service import forms

    letters = {d.id for d in forms.all() if isinstance(d, forms.Letter) and "pdf" in d.outputs}
    assert letters == {document for document, *_ in CASES}
