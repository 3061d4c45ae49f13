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
from dataclasses import dataclass
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
from tests.test_bundles import holiday_sent
from tests.test_bundles import marks_sent

AT = datetime(2026, 10, 20, 8, 15, tzinfo=UTC)
KEY = b"test-signing-key"
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


def named(raw: bytes, what: str) -> list[str]:
    """Return the entries that are `what` (a role: document, attachment, generated; or a kind), in the
    manifest's order: read from the bundle, as their names follow the council's id."""
    files = json.loads(entries(raw)["manifest.json"])["files"]
    return [f["name"] for f in files if what in (f["role"], f["kind"])]


@dataclass(frozen=True)
class Names:
    """The entries of the two children's holiday bundle the tests change."""

    request: str  # the filled request form
    letter: str  # the uploaded refusal letter
    certificate: str  # the second child's uploaded certificate


@pytest.fixture(scope="module")
def signed(signing_engines) -> bytes:
    """The two children's holiday at a council with no file, signed as the school."""
    return build(holiday_sent(), signing_engines)


@pytest.fixture(scope="module")
def names(signed) -> Names:
    return Names(named(signed, "document")[0], named(signed, "refusal_letter")[0],
                 named(signed, "attendance_certificate")[-1])


def codes(result) -> list[tuple[str, str]]:
    return [(e["path"], e["code"]) for e in result["errors"]]


def test_signed_bundle_is_valid(signed, names, council_trust):
    result = verify.verify(signed, None, council_trust)
    assert result["errors"] == [] and result["valid"] is True
    assert result["signature_valid"] is True and "Test Primary School" in result["signer"]["signer"]
    assert result["checked"]["complete"] and result["checked"]["hashes_match"]
    files = {f["name"]: f for f in result["files"]}
    request = files[names.request]
    assert request["status"] == "signed"
    [sig] = request["signatures"]
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
    assert files[names.letter]["status"] == "unsigned"
    assert files[names.letter]["hash_matches"] is True
    assert "The manifest is signed by a trusted certificate." in result["summary"]


def test_wiltshire_pn3_carries_a_visible_signature_on_its_signed_box(case, signing_engines, pdf_text):
    # Where the PN3's own template puts its "SIGNED:" field.
    pn3 = entries(build(holiday_sent(case("wiltshire-holiday")), signing_engines))["wiltshire-fairweather-zoe-pn3.pdf"]
    widgets = [a.get_object() for a in PdfReader(io.BytesIO(pn3)).pages[0]["/Annots"]]
    [sig] = [w for w in widgets if w.get("/FT") == "/Sig"]
    assert [float(v) for v in sig["/Rect"]] == [58, 154, 290, 172]  # the template's "SIGNED:" field
    assert sig["/V"]["/SubFilter"] == "/ETSI.CAdES.detached"
    assert "Alfie Fairweather" in pdf_text(pn3)  # the form's own text is untouched


def test_the_issue_swap_is_not_valid(signing_engines, council_trust, names):
    """What was seen: a request form swapped for one with another date of birth, the manifest re-hashed."""
    data = holiday_sent()
    raw = build(data, UNSIGNED)
    data["pupils"][0]["date_of_birth"] = "2017-01-01"
    forged = entries(build(data, UNSIGNED))[names.request]
    assert forged != entries(raw)[names.request]

    def swap(files):
        files[names.request] = forged
        manifest = json.loads(files["manifest.json"])
        for entry in manifest["files"]:
            if entry["name"] == names.request:
                entry["sha256"] = hashlib.sha256(forged).hexdigest()
        files["manifest.json"] = json.dumps(manifest).encode()

    result = verify.verify(rezip(raw, swap), None, council_trust)  # no key here: it used to say valid
    assert result["valid"] is False
    assert ("manifest.json", "signature_missing") in codes(result)
    assert (names.request, "signature_missing") in codes(result)
    signed = build(holiday_sent(), signing_engines)
    result = verify.verify(rezip(signed, swap), None, council_trust)
    assert result["valid"] is False
    assert ("manifest.json.p7s", "signature_invalid") in codes(result)  # the manifest was changed
    assert (names.request, "signature_missing") in codes(result)


def test_a_changed_byte_is_that_file_modified_after_signing(signed, names, council_trust):
    def flip(files):
        data = bytearray(files[names.request])
        data[500] ^= 0x01  # the template's bytes: signed
        files[names.request] = bytes(data)

    result = verify.verify(rezip(signed, flip), None, council_trust)
    assert result["valid"] is False
    assert (names.request, "modified_after_signing") in codes(result)
    assert (names.request, "hash_mismatch") in codes(result)
    assert {f["name"]: f["status"] for f in result["files"]}[names.request] == "modified"


def test_a_file_signed_by_an_untrusted_certificate(test_pki, signed, names, council_trust):
    elsewhere = Engines(signer=PadesSigner(test_pki.untrusted.pkcs12(), PASSPHRASE), trust=council_trust)
    theirs = entries(build(holiday_sent(), elsewhere))[names.request]
    result = verify.verify(rezip(signed, lambda f: f.update({names.request: theirs})), None, council_trust)
    assert result["valid"] is False
    assert (names.request, "signer_untrusted") in codes(result)
    untrusted = next(f for f in result["files"] if f["name"] == names.request)
    assert untrusted["status"] == "untrusted" and untrusted["signatures"][0]["trust_problem"] == "untrusted"
    whole = verify.verify(build(holiday_sent(), elsewhere), None, council_trust)
    assert ("manifest.json.p7s", "signer_untrusted") in codes(whole)


@pytest.mark.parametrize("who", ["expired", "revoked"])
def test_expired_and_revoked_signers_are_untrusted(test_pki, council_trust, names, who):
    issued = getattr(test_pki, who)
    engines = Engines(signer=PadesSigner(issued.pkcs12(), PASSPHRASE))
    raw = build(holiday_sent(), engines) if who == "expired" else None
    if raw is None:
        archive = bundles.build(holiday_sent(), engines)  # revoked two days ago: sign now
        raw = archive.read()
        archive.close()
    result = verify.verify(raw, None, council_trust)
    assert result["valid"] is False
    assert (names.request, "signer_untrusted") in codes(result)
    problem = next(f for f in result["files"] if f["name"] == names.request)["signatures"][0]["trust_problem"]
    assert problem == who


def test_unsigned_bundle_is_not_valid(council_trust):
    result = verify.verify(build(holiday_sent(), UNSIGNED), None, council_trust)
    assert result["valid"] is False and result["signed"] is False
    assert ("manifest.json", "signature_missing") in codes(result)
    assert "The manifest is not signed." in result["summary"]


def test_without_a_trust_folder_nothing_is_called_valid(signed):
    result = verify.verify(signed, None, None)
    assert result["valid"] is False
    assert ("manifest.json.p7s", "signer_untrusted") in codes(result)
    assert result["checked"]["hashes_match"] is True
    assert any("no trust folder configured" in line for line in result["summary"])


def test_generated_certificate_is_signed_on_its_signature_line(signing_engines, council_trust, pdf_text):
    raw = build(marks_sent(), signing_engines)
    [name] = named(raw, "generated")
    certificate = entries(raw)[name]
    reader = PdfReader(io.BytesIO(certificate))
    last = reader.pages[-1]
    [sig] = [a.get_object() for a in last.get("/Annots", []) if a.get_object().get("/FT") == "/Sig"]
    assert tuple(round(float(v), 2) for v in sig["/Rect"]) == tuple(round(v, 2) for v in SIGNATURE_BOX)
    text = pdf_text(certificate)
    assert "Certified by the headteacher" in text and "Headteacher:" in text
    assert "Tomasz Kowalczyk-Reid" in text
    result = verify.verify(raw, None, council_trust)
    assert result["valid"] is True, result["errors"]
    statuses = {f["name"]: f["status"] for f in result["files"]}
    assert statuses[name] == "signed"
    assert statuses[named(raw, "document")[0]] == "signed"


def test_forms_and_certificate_are_byte_identical_for_the_same_case_and_time(signing_engines):
    data = marks_sent()
    one, two = entries(build(data, signing_engines)), entries(build(data, signing_engines))
    made = named(build(data, UNSIGNED), "document") + named(build(data, UNSIGNED), "generated")
    assert len(made) == 2
    for name in made:
        assert hashlib.sha256(one[name]).digest() == hashlib.sha256(two[name]).digest()
    later = bundles.build(data, signing_engines, now=datetime(2026, 10, 21, tzinfo=UTC))
    assert later.read() != build(data, signing_engines)
    later.close()


@pytest.mark.skipif(not shutil.which("pdfsig"), reason="poppler-utils (scripts/setup) is needed")
def test_pdfsig_lists_the_signatures_of_the_bundle(signed, names, tmp_path):
    path = tmp_path / names.request
    path.write_bytes(entries(signed)[names.request])
    out = subprocess.run(["pdfsig", path], capture_output=True, text=True, check=False).stdout
    assert "Signature #1" in out and "Signature is Valid." in out
    assert "Test Primary School, Headteacher" in out and "Total document signed" in out


# The HMAC option (one service makes and checks its bundles) ------------------------------------------


def _flip(files, names):
    data = bytearray(files[names.letter])
    data[len(data) // 2] ^= 0x01
    files[names.letter] = bytes(data)


@pytest.mark.parametrize(("change", "expected"), [
    (_flip, ("letter", "hash_mismatch")),
    (lambda e, names: e.pop(names.certificate), ("certificate", "file_missing")),
    (lambda e, names: e.update({"extra.pdf": make_pdf(["x"])}), (None, "file_added")),
    (lambda e, names: e.pop("manifest.json"), (None, "manifest_missing")),
])
def test_verify_catches_tampering(names, change, expected):
    raw = build(holiday_sent(), UNSIGNED, key=KEY)
    result = verify.verify(rezip(raw, lambda e: change(e, names)), KEY)
    what, code = expected
    path = getattr(names, what) if what else {"file_added": "extra.pdf", "manifest_missing": "manifest.json"}[code]
    assert result["valid"] is False
    assert (path, code) in codes(result)


def test_hmac_signature():
    raw = build(holiday_sent(), UNSIGNED, key=KEY)
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
    unsigned = build(holiday_sent(), UNSIGNED)
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


def test_verify_api_uses_the_configured_trust(signed, test_pki, tmp_path):
    from service import create_app

    trust = test_pki.trust_dir(tmp_path / "trust")
    client = create_app({"TESTING": True, "TRUST_DIR": str(trust)}).test_client()
    body = client.post("/api/v1/bundles/verify", data=signed, content_type="application/zip").get_json()
    assert body["valid"] is True and body["checked"]["trust"] == "1 trusted certificates, 1 CRLs"
    health = client.get("/health").get_json()["engines"]
    assert health["trust"]["available"] is True and health["signer"]["available"] is False


def test_bundle_api_signs_with_the_configured_certificate(test_pki, tmp_path):
    from service import create_app

    p12 = tmp_path / "school.p12"
    p12.write_bytes(test_pki.school.pkcs12())
    client = create_app({
        "TESTING": True, "SIGNING_PKCS12": str(p12), "SIGNING_PASSPHRASE": PASSPHRASE.decode(),
        "TRUST_DIR": str(test_pki.trust_dir(tmp_path / "trust")),
    }).test_client()
    raw = client.post("/api/v1/bundles", json=holiday_sent()).data
    assert "manifest.json.p7s" in entries(raw)
    body = client.post("/api/v1/bundles/verify", data=raw, content_type="application/zip").get_json()
    assert body["valid"] is True, body["errors"]


def test_bundle_timestamped_by_the_configured_tsa(test_pki, tmp_path):
    from service import create_app
    from tests import tsa

    p12 = tmp_path / "school.p12"
    p12.write_bytes(test_pki.school.pkcs12())
    settings = {"TESTING": True, "SIGNING_PKCS12": str(p12), "SIGNING_PASSPHRASE": PASSPHRASE.decode(),
                "TRUST_DIR": str(test_pki.trust_dir(tmp_path / "trust"))}
    with tsa.running(test_pki.tsa) as url:
        client = create_app({**settings, "SIGNING_TSA_URL": url}).test_client()
        raw = client.post("/api/v1/bundles", json=holiday_sent()).data
    body = client.post("/api/v1/bundles/verify", data=raw, content_type="application/zip").get_json()
    assert body["valid"] is True, body["errors"]
    assert body["signer"]["timestamped"] is True
    assert all(s["timestamped"] for f in body["files"] for s in f["signatures"])
    down = create_app({**settings, "SIGNING_TSA_URL": "http://127.0.0.1:9/"}).test_client()
    response = down.post("/api/v1/bundles", json=holiday_sent())
    assert (response.status_code, response.get_json()["code"]) == (503, "signing_unavailable")


def test_merged_pdf_is_signed_too(signing_engines, council_trust):
    archive = bundles.build(holiday_sent(), signing_engines, merged=True, now=AT)
    raw = archive.read()
    archive.close()
    result = verify.verify(raw, None, council_trust)
    assert result["valid"] is True, result["errors"]
    merged = next(f for f in result["files"] if f["role"] == "merged")
    assert merged["status"] == "signed"
    # the parts were joined before signing, so the merged PDF holds only its own signature
    assert len(merged["signatures"]) == 1


def test_command_line_verify(signed, test_pki, tmp_path, capsys):
    from service.cli import main

    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(signed)
    trust = test_pki.trust_dir(tmp_path / "trust")
    assert main(["verify", str(bundle), "--trust", str(trust)]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True
    assert main(["verify", str(bundle)]) == 1  # trusting nobody, nothing is valid
    assert "signer_untrusted" in capsys.readouterr().out
    assert main(["verify", str(bundle), "--trust", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_hostile_pdfs_in_a_received_bundle(signed, names, council_trust):
    import time

    from tests.fuzz.test_hostile_pdfs import HOSTILE as FUZZ

    for name, content in FUZZ.items():
        start = time.perf_counter()
        result = verify.verify(rezip(signed, lambda f, c=content: f.update({names.request: c})), None, council_trust)
        assert time.perf_counter() - start < 15, name
        assert result["valid"] is False
        assert (names.request, "hash_mismatch") in codes(result), name


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


def test_generic_request_is_signed_on_its_signed_box(signed, names, council_trust):
    assert names.request.endswith("-generic-request.pdf")  # what a council with no file is sent
    reader = PdfReader(io.BytesIO(entries(signed)[names.request]))
    sigs = [(i, a.get_object()) for i, p in enumerate(reader.pages) for a in p.get("/Annots", [])
            if a.get_object().get("/FT") == "/Sig"]
    [(page, sig)] = sigs
    assert (page, [float(v) for v in sig["/Rect"]]) == (1, [306, 340, 538, 358])
    result = verify.verify(signed, None, council_trust)
    assert result["valid"] is True, result["errors"]
