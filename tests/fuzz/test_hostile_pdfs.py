"""Mutated and hostile PDFs as attachments: never a 500, never a hang; each gets a stable code."""

from __future__ import annotations

import base64
import time
import zlib

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from service import create_app
from service.attachments import inspect
from service.case import Attachment
from service.limits import TimeLimitExceeded
from service.limits import time_limit
from tests.conftest import certificate_pdf
from tests.conftest import load_example
from tests.conftest import make_pdf

BASE = certificate_pdf("Ó Briain, Callum", "16/11/2026")
CLIENT = create_app({"TESTING": True}).test_client()
URL = "/api/v1/cases/validate?document=dorset-warning"
CODES = {"attachment_unreadable", "attachment_encrypted", "attachment_too_large", "attachment_name_mismatch",
         "attachment_active_content"}


def post(pdf: bytes):
    data = load_example("dorset-warning-irregular")
    data["attachments"] = [{"kind": "attendance_certificate", "filename": "c.pdf",
                            "content_base64": base64.b64encode(pdf).decode()}]
    start = time.perf_counter()
    response = CLIENT.post(URL, json=data)
    return response, time.perf_counter() - start


def check(pdf: bytes) -> set[str]:
    response, seconds = post(pdf)
    assert response.status_code == 200, response.data[:300]
    assert seconds < 10, f"took {seconds:.1f} s"
    report = response.get_json()
    codes = {e["code"] for e in report["errors"] if e["path"].startswith("attachments")}
    assert codes <= CODES
    return codes


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(min_value=0, max_value=len(BASE) - 1))
def test_truncated(cut):
    check(BASE[:cut])


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.integers(0, len(BASE) - 1), st.integers(1, 255)), min_size=1, max_size=8))
def test_bit_flipped(flips):
    data = bytearray(BASE)
    for where, mask in flips:
        data[where] ^= mask
    check(bytes(data))


def raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """Assemble a PDF from object bodies with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


def page_with(content: bytes, extra: bytes = b"") -> bytes:
    stream = b"<< /Length %d %s>>\nstream\n" % (len(content), extra) + content + b"\nendstream"
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                    b"/Resources << /Font << /F1 5 0 R >> >> >>", stream,
                    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


HOSTILE = {
    "javascript": page_with(b"BT /F1 12 Tf 72 720 Td (Callum O Briain) Tj ET"),
    "decompression bomb": page_with(zlib.compress(b" " * 120_000_000, 9), b"/Filter /FlateDecode "),
    "deep nesting": page_with(b"[" * 50_000 + b"]" * 50_000),
    "huge object count": raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
                                 + [b"<< /A %d >>" % n for n in range(20_000)]),
    "page tree loop": raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                               b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"]),
    "encrypted": make_pdf(["Callum Ó Briain"], encrypt="pw"),
    "not a pdf": b"MZ\x90\x00 an executable",
    "empty": b"",
}


MUST_REFUSE = {"huge object count", "page tree loop", "not a pdf", "empty"}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile(name):
    codes = check(HOSTILE[name])
    if name == "encrypted":
        assert codes == {"attachment_encrypted"}
    elif name == "javascript":
        assert codes == {"attachment_active_content"}
    elif name in MUST_REFUSE:
        assert codes, f"{name} should be refused"
    # the others may be read (pypdf caps decompression at 75 MB and parses content lazily): the invariant
    # is a 200 report, in bounded time, with at most the stable attachment codes.


def test_time_limit_interrupts():
    def spin() -> None:
        with time_limit(0.2):
            while True:
                pass

    start = time.perf_counter()
    with pytest.raises(TimeLimitExceeded):
        spin()
    assert time.perf_counter() - start < 1


def test_javascript_is_refused_naming_the_attachment():
    found = inspect(0, Attachment("attendance_certificate", HOSTILE["javascript"], "certificate.pdf"))
    assert found.problem.code == "attachment_active_content"
    assert found.problem.message.startswith("certificate.pdf carries JavaScript")
