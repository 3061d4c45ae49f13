"""No active content in evidence: JavaScript, actions, launch, embedded files, XFA and rich media are refused
with `attachment_active_content` naming the attachment, or removed when the setting allows, never forwarded;
the PDFs the service makes carry none."""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from service import active_content
from service import bundles
from service.attachments import inspect
from service.case import Attachment
from service.engines import Engines
from service.problems import CannotProduce
from tests.fuzz.test_hostile_pdfs import raw_pdf
from tests.test_bundles import holiday_sent
from tests.test_bundles import marks_sent

TEXT = b"BT /F1 12 Tf 72 720 Td (Your request for leave has not been authorised.) Tj ET"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >>%s >>"
STREAM = b"<< /Length %d >>\nstream\n" % len(TEXT) + TEXT + b"\nendstream"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf(catalog: bytes = b"", page: bytes = b"", *more: bytes) -> bytes:
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    PAGE % page, STREAM, FONT, *more])


HOSTILE = {
    "javascript open action": (pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> "), "JavaScript"),
    "launch": (pdf(b"/OpenAction << /S /Launch /F (cmd.exe) >> "), "a launch action"),
    "document javascript": (pdf(b"/Names << /JavaScript 6 0 R >> ", b"", b"<< /Names [(a) 7 0 R] >>",
                                b"<< /S /JavaScript /JS (this.print()) >>"), "JavaScript"),
    "embedded file": (pdf(b"/Names << /EmbeddedFiles 6 0 R >> ", b"", b"<< /Names [(x.exe) 7 0 R] >>",
                          b"<< /Type /Filespec /F (x.exe) /EF << /F 8 0 R >> >>",
                          b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream"), "embedded files"),
    "page additional action": (pdf(b"", b" /AA << /O << /S /JavaScript /JS (1) >> >>"), "additional actions (AA)"),
    "xfa": (pdf(b"/AcroForm << /Fields [] /XFA 6 0 R >> ", b"", b"<< /Length 0 >>\nstream\n\nendstream"),
            "an XFA form"),
    "rich media": (pdf(b"", b" /Annots [6 0 R]", b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>"),
                   "rich media"),
    "link running javascript": (pdf(b"", b" /Annots [6 0 R]",
                                    b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /JavaScript /JS (1) >> >>"),
                                "JavaScript"),
    "escaped name": (pdf(b"/OpenAction << /S /J#61vaScript /J#53 (1) >> "), "JavaScript"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_refused_naming_the_attachment(name):
    data, what = HOSTILE[name]
    found = inspect(2, Attachment("refusal_letter", data, "letter to parent.pdf"))
    assert found.problem.code == "attachment_active_content"
    assert found.problem.path == "attachments[2]"
    assert found.problem.message.startswith("letter to parent.pdf carries ")
    assert what in found.problem.message


@pytest.mark.parametrize("name", HOSTILE)
def test_removed_keeps_the_page(name):
    data, what = HOSTILE[name]
    cleaned, removed = active_content.remove(data)
    assert what in removed
    reader = PdfReader(io.BytesIO(cleaned))
    assert active_content.find(reader) == []
    assert b"cmd.exe" not in cleaned and b"app.alert" not in cleaned and b"MZ\nendstream" not in cleaned
    assert "has not been authorised" in reader.pages[0].extract_text()


def test_a_plain_destination_is_not_an_action():
    assert active_content.find(PdfReader(io.BytesIO(pdf(b"/OpenAction [3 0 R /Fit] ")))) == []


def with_hostile_letter(content: bytes) -> dict:
    """The two children's holiday at a council with no file, its refusal letter (attachments[3]) this PDF."""
    data = holiday_sent()
    for item in data["attachments"]:
        if item["kind"] == "refusal_letter":
            item["content_base64"] = base64.b64encode(content).decode()
            item["filename"] = "letter.pdf"
    return data


def letter_in(files: zipfile.ZipFile) -> bytes:
    """Return the refusal letter a bundle holds, found by its kind in the manifest."""
    manifest = json.loads(files.read("manifest.json"))
    [name] = [f["name"] for f in manifest["files"] if f["kind"] == "refusal_letter"]
    return files.read(name)


def test_bundle_refuses_active_content():
    with pytest.raises(CannotProduce) as refused:
        bundles.build(with_hostile_letter(HOSTILE["launch"][0]), Engines())
    errors = [(e.path, e.code) for e in refused.value.report.errors]
    assert ("attachments[3]", "attachment_active_content") in errors


def test_bundle_removes_active_content_when_allowed_and_says_so(signing_engines, council_trust):
    from service import verify

    archive = bundles.build(with_hostile_letter(HOSTILE["launch"][0]), signing_engines,
                            active_content="remove")
    raw = archive.read()
    archive.close()
    files = zipfile.ZipFile(io.BytesIO(raw))
    letter = letter_in(files)
    assert letter != HOSTILE["launch"][0] and b"/Launch" not in letter
    manifest = json.loads(files.read("manifest.json"))
    [note] = [w for w in manifest["report"]["warnings"] if w["code"] == "attachment_active_content_removed"]
    assert note["path"] == "attachments[3]" and "letter.pdf: removed a launch action" in note["message"]
    [eml] = [files.read(n) for n in files.namelist() if n.endswith(".eml")]
    assert base64.b64encode(HOSTILE["launch"][0][:57]) not in eml  # never forwarded unchanged
    assert verify.verify(raw, None, council_trust)["valid"] is True


def test_the_service_pdfs_carry_none(signing_engines):
    archive = bundles.build(marks_sent(), signing_engines, merged=True)
    files = zipfile.ZipFile(io.BytesIO(archive.read()))
    archive.close()
    made = {f["name"] for f in json.loads(files.read("manifest.json"))["files"]
            if f["role"] in ("document", "generated", "merged")}
    pdfs = [n for n in files.namelist() if n.endswith(".pdf")]
    assert len(made) == 3 and made < set(pdfs)  # the request, the certificate from the marks, the merged PDF
    for name in pdfs:
        assert active_content.find(PdfReader(io.BytesIO(files.read(name)))) == [], name


def test_bundle_api_uses_the_setting():
    from service import create_app

    data = with_hostile_letter(HOSTILE["embedded file"][0])
    refusing = create_app({"TESTING": True}).test_client()
    response = refusing.post("/api/v1/bundles", json=data)
    assert response.status_code == 422
    assert "attachment_active_content" in [e["code"] for e in response.get_json()["errors"]]
    removing = create_app({"TESTING": True, "ACTIVE_CONTENT": "remove"}).test_client()
    assert removing.post("/api/v1/bundles", json=data).status_code == 200


def test_validate_judges_what_the_bundle_would_hold():
    """In remove mode validate must not call a case invalid that the bundle then accepts (it did)."""
    from service import create_app

    data = with_hostile_letter(HOSTILE["embedded file"][0])
    refusing = create_app({"TESTING": True}).test_client()
    report = refusing.post("/api/v1/cases/validate", json=data).get_json()
    assert "attachment_active_content" in [e["code"] for e in report["errors"]]
    removing = create_app({"TESTING": True, "ACTIVE_CONTENT": "remove"}).test_client()
    report = removing.post("/api/v1/cases/validate", json=data).get_json()
    assert "attachment_active_content" not in [e["code"] for e in report["errors"]]
    [note] = [w for w in report["warnings"] if w["code"] == "attachment_active_content_removed"]
    assert note["path"] == "attachments[3]" and "letter.pdf: removed" in note["message"]
    assert report["valid"] is True


@pytest.mark.parametrize("mode", ["refuse", "remove"])
def test_no_hostile_file_of_the_fuzz_set_reaches_a_bundle(mode):
    from tests.fuzz.test_hostile_pdfs import HOSTILE as FUZZ

    for name, content in FUZZ.items():
        data = with_hostile_letter(content)
        try:
            archive = bundles.build(data, Engines(), active_content=mode)
        except CannotProduce as refused:
            codes = {e.code for e in refused.report.errors}
            assert codes & {"attachment_active_content", "attachment_unreadable", "attachment_encrypted",
                            "attachment_too_large", "attachment_missing"}, (name, codes)
            continue
        files = zipfile.ZipFile(io.BytesIO(archive.read()))
        archive.close()
        letter = letter_in(files)
        assert mode == "remove" and letter != content, (name, len(content), len(letter))  # a cleaned copy only
        assert active_content.find(PdfReader(io.BytesIO(letter))) == [], name
