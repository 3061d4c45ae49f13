"""A council checks a received bundle: signed by the school (PAdES on every PDF the service made, a detached
CMS signature on the manifest) with a certificate it trusts; tampering, swaps and unsigned bundles are
never called valid; the HMAC option for a service checking its own bundles; manifests of the wrong shape."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from datetime import UTC
from datetime import datetime

import pytest
from pypdf import PdfReader

from service import bundles
from service import verify
from service.engines import Engines
from service.engines.signatures import PadesSigner
from service.forms.attendance_certificate import SIGNATURE_BOX
from tests.conftest import make_pdf
from tests.pki import PASSPHRASE
from tests.test_bundles import wiltshire

AT = datetime(2026, 10, 20, 8, 15, tzinfo=UTC)
KEY = b"test-signing-key"
PN3 = "wiltshire-fairweather-zoe-pn3.pdf"
UNSIGNED = Engines()


def build(data, engines, **kwargs) -> bytes:
    archive = bundles.build(data, engines, now=AT, **kwargs)
    try:
        return archive.read()
    finally:
        archive.close()


def entries(raw: bytes) -> dict[str, bytes]:
    source = zipfile.ZipFile(io.BytesIO(raw))
    return {n: source.read(n) for n in source.namelist()}


def rezip(raw: bytes, change) -> bytes:
    files = entries(raw)
    change(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in files.items():
            target.writestr(name, content)
    return out.getvalue()


def marks_case(case):
    """Wiltshire's PN3 with the certificate generated from the register and the letters uploaded."""
    data = case("wiltshire-irregular-marks")
    return data


@pytest.fixture(scope="module")
def signed_wiltshire(signing_engines):
    from tests.conftest import load_example

    return build(wiltshire(lambda name: load_example(name)), signing_engines)


def codes(result) -> list[tuple[str, str]]:
    return [(e["path"], e["code"]) for e in result["errors"]]


def test_signed_bundle_is_valid(signed_wiltshire, council_trust):
    result = verify.verify(signed_wiltshire, None, council_trust)
    assert result["errors"] == [] and result["valid"] is True
    assert result["signature_valid"] is True and "Test Primary School" in result["signer"]["signer"]
    assert result["checked"]["complete"] and result["checked"]["hashes_match"]
    files = {f["name"]: f for f in result["files"]}
    pn3 = files[PN3]
    assert pn3["status"] == "signed"
    [sig] = pn3["signatures"]
    assert sig == {
        "signer": "Common Name: Test Primary School, Headteacher; Country: GB",
        "signed_at": "2026-10-20T08:15:00+00:00",
        "timestamped": False,
        "intact": True,
        "valid": True,
        "trusted": True,
        "covers_whole_file": True,
        "trust_problem": None,
    }
    # uploaded attachments are the family's or the school's own PDFs: covered by the signed manifest
    assert files["wiltshire-fairweather-zoe-refusal-letter.pdf"]["status"] == "unsigned"
    assert files["wiltshire-fairweather-zoe-refusal-letter.pdf"]["hash_matches"] is True
    assert "The manifest is signed by a trusted certificate." in result["summary"]


def test_pn3_carries_a_visible_signature_on_its_signed_box(signed_wiltshire, pdf_text):
    pn3 = entries(signed_wiltshire)[PN3]
    widgets = [a.get_object() for a in PdfReader(io.BytesIO(pn3)).pages[0]["/Annots"]]
    [sig] = [w for w in widgets if w.get("/FT") == "/Sig"]
    assert [float(v) for v in sig["/Rect"]] == [58, 154, 290, 172]  # the template's "SIGNED:" field
    assert sig["/V"]["/SubFilter"] == "/ETSI.CAdES.detached"
    assert "Mrs" in pdf_text(pn3) or pdf_text(pn3)  # the form's own text is untouched


def test_the_issue_swap_is_not_valid(case, signing_engines, council_trust):
    """What was seen: a PN3 swapped for one with another date of birth, the manifest re-hashed."""
    data = wiltshire(case)
    raw = build(data, UNSIGNED)
    data["pupils"][0]["date_of_birth"] = "2017-01-01"
    forged_pn3 = entries(build(data, UNSIGNED))[PN3]

    def swap(files):
        files[PN3] = forged_pn3
        manifest = json.loads(files["manifest.json"])
        for entry in manifest["files"]:
            if entry["name"] == PN3:
                entry["sha256"] = hashlib.sha256(forged_pn3).hexdigest()
        files["manifest.json"] = json.dumps(manifest).encode()

    result = verify.verify(rezip(raw, swap), None, council_trust)  # no key here: it used to say valid
    assert result["valid"] is False
    assert ("manifest.json", "signature_missing") in codes(result)
    assert (PN3, "signature_missing") in codes(result)
    signed = build(wiltshire(case), signing_engines)
    result = verify.verify(rezip(signed, swap), None, council_trust)
    assert result["valid"] is False
    assert ("manifest.json.p7s", "signature_invalid") in codes(result)  # the manifest was changed
    assert (PN3, "signature_missing") in codes(result)


def test_a_changed_byte_is_that_file_modified_after_signing(signed_wiltshire, council_trust):
    def flip(files):
        data = bytearray(files[PN3])
        data[500] ^= 0x01  # the template's bytes: signed
        files[PN3] = bytes(data)

    result = verify.verify(rezip(signed_wiltshire, flip), None, council_trust)
    assert result["valid"] is False
    assert (PN3, "modified_after_signing") in codes(result)
    assert (PN3, "hash_mismatch") in codes(result)
    assert {f["name"]: f["status"] for f in result["files"]}[PN3] == "modified"


def test_a_file_signed_by_an_untrusted_certificate(case, test_pki, signed_wiltshire, council_trust):
    elsewhere = Engines(signer=PadesSigner(test_pki.untrusted.pkcs12(), PASSPHRASE), trust=council_trust)
    theirs = entries(build(wiltshire(case), elsewhere))[PN3]
    result = verify.verify(rezip(signed_wiltshire, lambda f: f.update({PN3: theirs})), None, council_trust)
    assert result["valid"] is False
    assert (PN3, "signer_untrusted") in codes(result)
    untrusted = next(f for f in result["files"] if f["name"] == PN3)
    assert untrusted["status"] == "untrusted" and untrusted["signatures"][0]["trust_problem"] == "untrusted"
    whole = verify.verify(build(wiltshire(case), elsewhere), None, council_trust)
    assert ("manifest.json.p7s", "signer_untrusted") in codes(whole)


@pytest.mark.parametrize("who", ["expired", "revoked"])
def test_expired_and_revoked_signers_are_untrusted(case, test_pki, council_trust, who):
    issued = getattr(test_pki, who)
    engines = Engines(signer=PadesSigner(issued.pkcs12(), PASSPHRASE))
    raw = build(wiltshire(case), engines) if who == "expired" else None
    if raw is None:
        archive = bundles.build(wiltshire(case), engines)  # revoked two days ago: sign now
        raw = archive.read()
        archive.close()
    result = verify.verify(raw, None, council_trust)
    assert result["valid"] is False
    assert (PN3, "signer_untrusted") in codes(result)
    problem = next(f for f in result["files"] if f["name"] == PN3)["signatures"][0]["trust_problem"]
    assert problem == who


def test_unsigned_bundle_is_not_valid(case, council_trust):
    result = verify.verify(build(wiltshire(case), UNSIGNED), None, council_trust)
    assert result["valid"] is False and result["signed"] is False
    assert ("manifest.json", "signature_missing") in codes(result)
    assert "The manifest is not signed." in result["summary"]


def test_without_a_trust_folder_nothing_is_called_valid(signed_wiltshire):
    result = verify.verify(signed_wiltshire, None, None)
    assert result["valid"] is False
    assert ("manifest.json.p7s", "signer_untrusted") in codes(result)
    assert result["checked"]["hashes_match"] is True
    assert any("no trust folder configured" in line for line in result["summary"])


def test_generated_certificate_is_signed_on_its_signature_line(case, signing_engines, council_trust, pdf_text):
    data = case("wiltshire-irregular-marks")
    data["council"] = "dorset"
    raw = build(data, signing_engines)
    name = "dorset-kowalczyk-reid-tomasz-attendance-certificate.pdf"
    certificate = entries(raw)[name]
    reader = PdfReader(io.BytesIO(certificate))
    last = reader.pages[-1]
    [sig] = [a.get_object() for a in last.get("/Annots", []) if a.get_object().get("/FT") == "/Sig"]
    assert tuple(round(float(v), 2) for v in sig["/Rect"]) == tuple(round(v, 2) for v in SIGNATURE_BOX)
    text = pdf_text(certificate)
    assert "Certified by the headteacher" in text and "Headteacher:" in text
    result = verify.verify(raw, None, council_trust)
    assert result["valid"] is True, result["errors"]
    statuses = {f["name"]: f["status"] for f in result["files"]}
    assert statuses[name] == "signed"
    assert statuses["dorset-kowalczyk-reid-tomasz-dorset-warning.pdf"] == "signed"


def test_forms_and_certificate_are_byte_identical_for_the_same_case_and_time(case, signing_engines):
    data = case("wiltshire-irregular-marks")
    data["council"] = "dorset"
    one, two = entries(build(data, signing_engines)), entries(build(data, signing_engines))
    for name in ("dorset-kowalczyk-reid-tomasz-attendance-certificate.pdf",
                 "dorset-kowalczyk-reid-tomasz-dorset-warning.pdf"):
        assert hashlib.sha256(one[name]).digest() == hashlib.sha256(two[name]).digest()
    later = bundles.build(data, signing_engines, now=datetime(2026, 10, 21, tzinfo=UTC))
    assert later.read() != build(data, signing_engines)
    later.close()


@pytest.mark.skipif(not shutil.which("pdfsig"), reason="poppler-utils (scripts/setup) is needed")
def test_pdfsig_lists_the_signatures_of_the_bundle(signed_wiltshire, tmp_path):
    path = tmp_path / PN3
    path.write_bytes(entries(signed_wiltshire)[PN3])
    out = subprocess.run(["pdfsig", path], capture_output=True, text=True, check=False).stdout
    assert "Signature #1" in out and "Signature is Valid." in out
    assert "Test Primary School, Headteacher" in out and "Total document signed" in out


# The HMAC option (one service makes and checks its bundles) ------------------------------------------


def _flip(files):
    name = "wiltshire-fairweather-zoe-refusal-letter.pdf"
    data = bytearray(files[name])
    data[len(data) // 2] ^= 0x01
    files[name] = bytes(data)


@pytest.mark.parametrize(("change", "expected"), [
    (_flip, ("wiltshire-fairweather-zoe-refusal-letter.pdf", "hash_mismatch")),
    (lambda e: e.pop("wiltshire-fairweather-alfie-attendance-certificate.pdf"),
     ("wiltshire-fairweather-alfie-attendance-certificate.pdf", "file_missing")),
    (lambda e: e.update({"extra.pdf": make_pdf(["x"])}), ("extra.pdf", "file_added")),
    (lambda e: e.pop("manifest.json"), ("manifest.json", "manifest_missing")),
])
def test_verify_catches_tampering(case, change, expected):
    raw = build(wiltshire(case), UNSIGNED, key=KEY)
    result = verify.verify(rezip(raw, change), KEY)
    assert result["valid"] is False
    assert expected in codes(result)


def test_hmac_signature(case):
    raw = build(wiltshire(case), UNSIGNED, key=KEY)
    assert verify.verify(raw, KEY)["valid"] is True
    wrong = verify.verify(raw, b"another key")
    assert wrong["signature_valid"] is False
    assert ("signature", "signature_invalid") in codes(wrong)

    def forge(files):
        manifest = json.loads(files["manifest.json"])
        manifest["case"]["pupils"][0]["surname"] = "Someone-Else"
        files["manifest.json"] = json.dumps(manifest).encode()

    forged = [e["code"] for e in verify.verify(rezip(raw, forge), KEY)["errors"]]
    assert forged[0] == "signature_invalid"
    assert "attachment_name_mismatch" in forged  # the certificate no longer names the manifest's pupil
    unsigned = build(wiltshire(case), UNSIGNED)
    assert ("manifest.json", "signature_missing") in codes(verify.verify(unsigned, KEY))
    # signed with a key this service lacks: it cannot vouch for it, so it is not valid
    without = verify.verify(raw, None)
    assert without["valid"] is False and ("signature", "signature_unverifiable") in codes(without)


@pytest.mark.parametrize(("raw", "code"), [(b"not a zip", "bundle_unreadable")])
def test_verify_refuses_what_is_not_a_bundle(raw, code):
    assert [e["code"] for e in verify.verify(raw)["errors"]] == [code]


def test_verify_refuses_a_zip_bomb():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", b"{" + b" " * 50_000_000 + b"}")
    assert [e["code"] for e in verify.verify(out.getvalue())["errors"]] == ["bundle_too_large"]


# Manifests of the wrong shape: 400 problems, never a 500 (issue #15) -----------------------------------


def _zip(manifest: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("manifest.json", manifest)
    return out.getvalue()


@pytest.mark.parametrize(("manifest", "path"), [
    ({"files": [{"name": 5, "sha256": "x"}]}, "manifest.json:files[0].name"),
    ({"files": "all of them"}, "manifest.json:files"),
    ({"files": [], "case": {"pupils": [{"forename": ["x"]}]}}, "manifest.json:case.pupils[0].forename"),
    ({"files": [], "case": "x"}, "manifest.json:case"),
    ({"files": [], "signature": "abc"}, "manifest.json:signature"),
    ({"files": [None]}, "manifest.json:files[0]"),
    ([1, 2], "manifest.json"),
])
def test_manifest_with_wrong_types_is_a_400(client, manifest, path):
    response = client.post("/api/v1/bundles/verify", data=_zip(json.dumps(manifest).encode()),
                           content_type="application/zip")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "manifest_invalid"
    assert path in [e["path"] for e in body["errors"]]


@pytest.mark.parametrize("depth", [40, 1_000, 100_000])
def test_deeply_nested_manifest_is_a_400(client, depth):
    nested = b'{"files": [], "x": ' + b"[" * depth + b"]" * depth + b"}"
    response = client.post("/api/v1/bundles/verify", data=_zip(nested), content_type="application/zip")
    assert response.status_code == 400
    assert response.get_json()["code"] == "json_too_deep"


def test_verify_api_uses_the_configured_trust(signed_wiltshire, test_pki, tmp_path):
    from service import create_app

    trust = test_pki.trust_dir(tmp_path / "trust")
    client = create_app({"TESTING": True, "TRUST_DIR": str(trust)}).test_client()
    body = client.post("/api/v1/bundles/verify", data=signed_wiltshire, content_type="application/zip").get_json()
    assert body["valid"] is True and body["checked"]["trust"] == "1 trusted certificates, 1 CRLs"
    health = client.get("/health").get_json()["engines"]
    assert health["trust"]["available"] is True and health["signer"]["available"] is False


def test_bundle_api_signs_with_the_configured_certificate(case, test_pki, tmp_path):
    from service import create_app

    p12 = tmp_path / "school.p12"
    p12.write_bytes(test_pki.school.pkcs12())
    client = create_app({
        "TESTING": True, "SIGNING_PKCS12": str(p12), "SIGNING_PASSPHRASE": PASSPHRASE.decode(),
        "TRUST_DIR": str(test_pki.trust_dir(tmp_path / "trust")),
    }).test_client()
    raw = client.post("/api/v1/bundles", json=wiltshire(case)).data
    assert "manifest.json.p7s" in entries(raw)
    body = client.post("/api/v1/bundles/verify", data=raw, content_type="application/zip").get_json()
    assert body["valid"] is True, body["errors"]


def test_bundle_timestamped_by_the_configured_tsa(case, test_pki, tmp_path):
    from service import create_app
    from tests import tsa

    p12 = tmp_path / "school.p12"
    p12.write_bytes(test_pki.school.pkcs12())
    settings = {"TESTING": True, "SIGNING_PKCS12": str(p12), "SIGNING_PASSPHRASE": PASSPHRASE.decode(),
                "TRUST_DIR": str(test_pki.trust_dir(tmp_path / "trust"))}
    with tsa.running(test_pki.tsa) as url:
        client = create_app({**settings, "SIGNING_TSA_URL": url}).test_client()
        raw = client.post("/api/v1/bundles", json=wiltshire(case)).data
    body = client.post("/api/v1/bundles/verify", data=raw, content_type="application/zip").get_json()
    assert body["valid"] is True, body["errors"]
    assert body["signer"]["timestamped"] is True
    assert all(s["timestamped"] for f in body["files"] for s in f["signatures"])
    down = create_app({**settings, "SIGNING_TSA_URL": "http://127.0.0.1:9/"}).test_client()
    response = down.post("/api/v1/bundles", json=wiltshire(case))
    assert (response.status_code, response.get_json()["code"]) == (503, "signing_unavailable")


def test_merged_pdf_is_signed_too(case, signing_engines, council_trust):
    archive = bundles.build(wiltshire(case), signing_engines, merged=True, now=AT)
    raw = archive.read()
    archive.close()
    result = verify.verify(raw, None, council_trust)
    assert result["valid"] is True, result["errors"]
    merged = next(f for f in result["files"] if f["role"] == "merged")
    assert merged["status"] == "signed"
    # the parts were joined before signing, so the merged PDF holds only its own signature
    assert len(merged["signatures"]) == 1


def test_command_line_verify(signed_wiltshire, test_pki, tmp_path, capsys):
    from service.cli import main

    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(signed_wiltshire)
    trust = test_pki.trust_dir(tmp_path / "trust")
    assert main(["verify", str(bundle), "--trust", str(trust)]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True
    assert main(["verify", str(bundle)]) == 1  # trusting nobody, nothing is valid
    assert "signer_untrusted" in capsys.readouterr().out
    assert main(["verify", str(bundle), "--trust", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_hostile_pdfs_in_a_received_bundle(signed_wiltshire, council_trust):
    import time

    from tests.fuzz.test_hostile_pdfs import HOSTILE as FUZZ

    for name, content in FUZZ.items():
        start = time.perf_counter()
        result = verify.verify(rezip(signed_wiltshire, lambda f, c=content: f.update({PN3: c})), None, council_trust)
        assert time.perf_counter() - start < 15, name
        assert result["valid"] is False
        assert (PN3, "hash_mismatch") in codes(result), name


def test_every_declared_signature_box_is_on_its_template():
    from service import forms

    for document in forms.all():
        box = document.signature
        if box is not None and box.field:
            assert isinstance(document, forms.PdfForm)
            spot = bundles._field_spot(document.template_path, box.field)
            assert spot is not None, f"{document.id}: no field {box.field!r} in {document.template}"
            x1, y1, x2, y2 = spot.box
            assert x2 - x1 > 100 and y2 - y1 > 10


def test_generic_request_is_signed_on_its_signed_box(signing_engines, council_trust):
    from tests.conftest import certificate_pdf

    data = load_example_with([("attendance_certificate", certificate_pdf("Fairweather, Zoë")),
                              ("attendance_certificate", certificate_pdf("Fairweather, Alfie")),
                              ("refusal_letter", make_pdf(["The absence has not been authorised."])),
                              ("leave_request_form", make_pdf(["Leave request", "Zoë and Alfie Fairweather"]))])
    raw = build(data, signing_engines)
    [name] = [n for n in entries(raw) if n.endswith("generic-request.pdf")]
    reader = PdfReader(io.BytesIO(entries(raw)[name]))
    sigs = [(i, a.get_object()) for i, p in enumerate(reader.pages) for a in p.get("/Annots", [])
            if a.get_object().get("/FT") == "/Sig"]
    [(page, sig)] = sigs
    assert (page, [float(v) for v in sig["/Rect"]]) == (1, [306, 388, 538, 406])
    result = verify.verify(raw, None, council_trust)
    assert result["valid"] is True, result["errors"]


def load_example_with(files):
    import base64

    from tests.conftest import load_example

    data = load_example("national-england-holiday")
    data["attachments"] = [{"kind": k, "filename": f"{k}.pdf", "content_base64": base64.b64encode(c).decode()}
                           for k, c in files]
    return data
