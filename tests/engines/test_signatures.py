"""The signing engine: PAdES with a visible signature, deterministic, checked against a trust store;
poppler's pdfsig reads the same signatures (and trusts the same CA from an NSS database)."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from service.engines.pdf_font import Font
from service.engines.signatures import PadesSigner
from service.engines.signatures import SignatureUnreadable
from service.engines.signatures import SigningSettingsError
from service.engines.signatures import Spot
from service.engines.signatures import TimestampUnavailable
from service.engines.signatures import TrustStore
from service.engines.signatures import Visible
from service.engines.signatures import from_settings
from tests.conftest import make_pdf
from tests.pki import PASSPHRASE

AT = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)
BOX = Visible(Spot(0, (58, 154, 290, 172)), ("Digitally signed by Łukasz O'Connor-Hughes", "Headteacher"))


def _ink(pdf: bytes, box: tuple[float, float, float, float], folder: Path) -> float:
    """Return the share of dark pixels poppler renders inside a box of page 1 (72 dpi: 1 px a point)."""
    from PIL import Image

    (folder / "page.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "72", "-singlefile", "-png", folder / "page.pdf", folder / "page"],
                   capture_output=True, check=True)
    image = Image.open(folder / "page.png").convert("L")
    x1, y1, x2, y2 = box
    height = image.size[1]
    crop = image.crop((int(x1) + 2, int(height - y2) + 2, int(x2) - 2, int(height - y1) - 2))
    return sum(1 for v in crop.tobytes() if v < 128) / (crop.size[0] * crop.size[1])


def signer_for(issued) -> PadesSigner:
    return PadesSigner(issued.pkcs12(), PASSPHRASE)


def test_visible_signature_is_drawn_and_deterministic(school_signer, council_trust, tmp_path):
    pdf = make_pdf(["Penalty notice request"])
    one = school_signer.sign_pdf(pdf, AT, BOX, "Certified by the headteacher")
    two = school_signer.sign_pdf(pdf, AT, BOX, "Certified by the headteacher")
    assert hashlib.sha256(one).digest() == hashlib.sha256(two).digest()
    assert one.startswith(pdf)  # an incremental update: the original bytes are kept as they were
    widget = next(a.get_object() for a in PdfReader(io.BytesIO(one)).pages[0]["/Annots"])
    assert (widget["/FT"], [float(v) for v in widget["/Rect"]]) == ("/Sig", [58, 154, 290, 172])
    drawn = widget["/AP"]["/N"].get_object().get_data()
    assert Font().encode("Łukasz O'Connor-Hughes")[1:-1] in drawn  # in the form font, every character kept
    box = (58, 154, 290, 172)
    assert _ink(one, box, tmp_path) > 0.005 > _ink(pdf, box, tmp_path)  # and poppler draws it
    [check] = council_trust.check_pdf(one)
    assert (check.intact, check.valid, check.trusted, check.covers_whole_file) == (True, True, True, True)
    assert "Test Primary School" in check.signer and check.signed_at == "2026-10-05T09:30:00+00:00"
    later = school_signer.sign_pdf(pdf, datetime(2026, 10, 6, tzinfo=UTC), BOX)
    assert later != one


@pytest.mark.parametrize(("who", "problem"), [
    ("untrusted", "untrusted"), ("expired", "expired"), ("revoked", "revoked"),
])
def test_untrusted_expired_and_revoked_signers(test_pki, council_trust, who, problem):
    signed = signer_for(getattr(test_pki, who)).sign_pdf(make_pdf(["x"]), datetime.now(UTC))
    [check] = council_trust.check_pdf(signed)
    assert (check.intact, check.valid, check.trusted, check.problem) == (True, True, False, problem)


def test_a_changed_byte_is_modification_after_signing(school_signer, council_trust):
    signed = bytearray(school_signer.sign_pdf(make_pdf(["Attendance 87%"]), AT))
    at = 400  # inside the signed range (the original file, before the update)
    signed[at] ^= 0x01
    [check] = council_trust.check_pdf(bytes(signed))
    assert check.intact is False


def test_an_appended_update_does_not_cover_the_whole_file(school_signer, council_trust):
    signed = school_signer.sign_pdf(make_pdf(["x"]), AT)
    tail = signed[signed.rindex(b"startxref"):]
    [check] = council_trust.check_pdf(signed + b"\n% appended\n" + tail)
    assert check.intact and not check.covers_whole_file


def test_detached_signature_over_bytes(school_signer, council_trust, test_pki):
    signature = school_signer.sign_detached(b'{"files": []}', AT)
    good = council_trust.check_detached(b'{"files": []}', signature)
    assert (good.intact, good.trusted) == (True, True)
    assert council_trust.check_detached(b'{"files": [1]}', signature).intact is False
    other = signer_for(test_pki.untrusted).sign_detached(b"x", AT)
    assert council_trust.check_detached(b"x", other).problem == "untrusted"
    with pytest.raises(SignatureUnreadable):
        council_trust.check_detached(b"x", b"not a CMS object")


def test_openssl_verifies_the_detached_signature(school_signer, test_pki, tmp_path):
    data = b'{"manifest": true}'
    (tmp_path / "m.json").write_bytes(data)
    (tmp_path / "m.p7s").write_bytes(school_signer.sign_detached(data, AT))
    (tmp_path / "ca.pem").write_bytes(test_pki.ca.pem())
    done = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "m.p7s",
         "-content", tmp_path / "m.json", "-CAfile", tmp_path / "ca.pem", "-purpose", "any",
         "-out", "/dev/null"],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Verification successful" in done.stderr


@pytest.mark.skipif(not shutil.which("pdfsig") or not shutil.which("certutil"),
                    reason="poppler-utils and libnss3-tools (scripts/setup) are needed")
def test_pdfsig_and_pyhanko_agree(test_pki, school_signer, council_trust, tmp_path):
    nss = tmp_path / "nss"
    nss.mkdir()
    (tmp_path / "ca.pem").write_bytes(test_pki.ca.pem())
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "schools-ca", "-t", "CT,C,C",
                    "-i", tmp_path / "ca.pem"], check=True, capture_output=True)
    good = school_signer.sign_pdf(make_pdf(["Attendance 87%"]), AT, BOX)
    changed = bytearray(good)
    changed[400] ^= 0x01
    untrusted = signer_for(test_pki.untrusted).sign_pdf(make_pdf(["x"]), AT)
    for name, pdf in (("good", good), ("changed", bytes(changed)), ("untrusted", untrusted)):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", path], capture_output=True, text=True,
                             check=False).stdout
        [ours] = council_trust.check_pdf(pdf)
        assert ("Signature is Valid." in out) == (ours.intact and ours.valid), (name, out)
        assert ("Certificate is Trusted." in out) == ours.trusted, (name, out)
        assert out.count("Signature #") == 1
        if name == "good":
            assert "Test Primary School, Headteacher" in out and "ETSI.CAdES.detached" in out
            assert "Total document signed" in out


def test_settings_that_stop_the_start(test_pki, tmp_path):
    p12 = tmp_path / "school.p12"
    p12.write_bytes(test_pki.school.pkcs12())
    assert from_settings(str(p12), PASSPHRASE.decode(), None).available()[0]
    assert from_settings(None, None, None).available()[0] is False
    expired = tmp_path / "expired.p12"
    expired.write_bytes(test_pki.expired.pkcs12())
    for args, says in [
        ((str(p12), "wrong passphrase", None), "passphrase"),
        ((str(tmp_path / "absent.p12"), "x", None), "cannot be read"),
        ((str(expired), PASSPHRASE.decode(), None), "expired"),
        ((str(p12), PASSPHRASE.decode(), "ftp://tsa"), "TSA"),
        ((None, "a passphrase alone", None), "PKCS#12"),
    ]:
        with pytest.raises(SigningSettingsError, match=says):
            from_settings(*args)
    with pytest.raises(SigningSettingsError, match="does not exist"):
        TrustStore.from_dir(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SigningSettingsError, match="no certificate"):
        TrustStore.from_dir(tmp_path / "empty")


def test_app_refuses_to_start_with_a_bad_certificate(tmp_path):
    from service import create_app

    bad = tmp_path / "bad.p12"
    bad.write_bytes(b"not pkcs12")
    with pytest.raises(SigningSettingsError):
        create_app({"TESTING": True, "SIGNING_PKCS12": str(bad), "SIGNING_PASSPHRASE": "x"})
    with pytest.raises(SigningSettingsError):
        create_app({"TESTING": True, "TRUST_DIR": str(tmp_path / "missing")})
    with pytest.raises(SigningSettingsError):
        create_app({"TESTING": True, "ACTIVE_CONTENT": "forward"})


def test_unreadable_pdf_is_said_so(council_trust):
    with pytest.raises(SignatureUnreadable):
        council_trust.check_pdf(b"%PDF-1.7\n garbage")
    assert council_trust.check_pdf(make_pdf(["unsigned"])) == []


def test_trust_folder_reads_pem_der_and_crls(test_pki, tmp_path):
    from cryptography.hazmat.primitives import serialization

    (tmp_path / "a.pem").write_bytes(test_pki.ca.pem())
    (tmp_path / "b.cer").write_bytes(test_pki.other_ca.cert.public_bytes(serialization.Encoding.DER))
    (tmp_path / "c.crl").write_bytes(test_pki.crl)
    (tmp_path / "README.txt").write_text("ignored")
    store = TrustStore.from_dir(tmp_path)
    assert (len(store.roots), len(store.crls)) == (2, 1)
    assert Path(store.source) == tmp_path


def test_timestamped_by_a_tsa(test_pki, council_trust):
    from tests import tsa

    with tsa.running(test_pki.tsa) as url:
        signer = PadesSigner(test_pki.school.pkcs12(), PASSPHRASE, tsa_url=url)
        signed = signer.sign_pdf(make_pdf(["x"]), AT, BOX)
        manifest_signature = signer.sign_detached(b"manifest", AT)
    [check] = council_trust.check_pdf(signed)
    assert check.timestamped and check.trusted and check.intact
    assert check.signed_at != "2026-10-05T09:30:00+00:00"  # the TSA's time, not the one the signer claims
    detached = council_trust.check_detached(b"manifest", manifest_signature)
    assert detached.timestamped and detached.trusted
    assert "timestamps from http://127.0.0.1" in signer.available()[1]


def test_an_unreachable_tsa_fails_the_signing(test_pki):
    signer = PadesSigner(test_pki.school.pkcs12(), PASSPHRASE, tsa_url="http://127.0.0.1:9/")
    with pytest.raises(TimestampUnavailable):  # never an unstamped file when a TSA is configured
        signer.sign_pdf(make_pdf(["x"]), AT)
    with pytest.raises(TimestampUnavailable):
        signer.sign_detached(b"x", AT)
