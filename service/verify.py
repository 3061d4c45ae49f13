"""Checking a received bundle as the council does: every file present and unchanged, each PDF the school's
service produced signed (PAdES) by a certificate the council trusts, the manifest signed (detached CMS)
by one too. A bundle is valid only when all of that holds; the answer says what could be checked."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from marshmallow import INCLUDE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields

from service import attachments
from service.engines.signatures import SignatureCheck
from service.engines.signatures import SignatureUnreadable
from service.engines.signatures import TrustStore
from service.limits import PDF_PARSE_SECONDS
from service.limits import TimeBudgetExceeded
from service.limits import TimeLimitExceeded
from service.limits import time_limit
from service.manifest import MANIFEST
from service.manifest import MANIFEST_SIGNATURE
from service.manifest import SIGNED_ROLES
from service.manifest import sign as hmac_sign
from service.report import Issue

# What a received bundle may hold at most: a zip bomb or a flood of entries is refused unread.
MAX_ENTRIES = 200
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_DEPTH = 32  # a manifest is six levels deep; anything far deeper is not one


class ManifestInvalid(ValueError):
    """The manifest parses as JSON but its fields have the wrong types (the caller's 400)."""

    def __init__(self, errors: list[Issue]) -> None:
        super().__init__(errors[0].path if errors else "")
        self.errors = errors


class JsonTooDeep(ValueError):
    """The manifest nests deeper than any manifest (the caller's 400)."""


class _Loose(Schema):
    class Meta:
        unknown = INCLUDE


class _FileSchema(_Loose):
    name = fields.String(required=True)
    sha256 = fields.String(required=True)
    role = fields.String(load_default="attachment")
    kind = fields.String(load_default="other")
    bytes = fields.Integer()


class _PupilSchema(_Loose):
    forename = fields.String(load_default="")
    surname = fields.String(load_default="")


class _CaseSchema(_Loose):
    pupils = fields.List(fields.Nested(_PupilSchema), load_default=list)


class _HmacSchema(_Loose):
    algorithm = fields.String()
    value = fields.String(required=True)


class _ManifestSchema(_Loose):
    files = fields.List(fields.Nested(_FileSchema), required=True)
    case = fields.Nested(_CaseSchema, load_default=dict)
    report = fields.Dict()
    signature = fields.Nested(_HmacSchema)


MANIFEST_SCHEMA = _ManifestSchema()


@dataclass
class FileCheck:
    """One file of the bundle as the council finds it."""

    name: str
    role: str
    kind: str
    present: bool
    hash_matches: bool | None = None
    signatures: list[SignatureCheck] = field(default_factory=list)
    status: str = "unchecked"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "kind": self.kind,
            "present": self.present,
            "hash_matches": self.hash_matches,
            "signatures": [s.as_dict() for s in self.signatures],
            "status": self.status,
        }


@dataclass
class _Run:
    """What one verification found so far."""

    trust: TrustStore
    key: bytes | None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    files: list[FileCheck] = field(default_factory=list)
    manifest_signature: str = "missing"  # valid | invalid | untrusted | missing | unverifiable
    signer: SignatureCheck | None = None
    hmac_ok: bool = False


def verify(data: bytes, key: bytes | None = None, trust: TrustStore | None = None) -> dict[str, Any]:
    """Check a received bundle; raise ManifestInvalid or JsonTooDeep for a manifest of the wrong shape."""
    run = _Run(trust or TrustStore(), key)
    archive = _open(data, run.errors)
    raw, manifest = _read_manifest(archive, run.errors) if archive else (b"", None)
    if archive is not None and manifest is not None:
        _check_files(archive, manifest, run)
        _check_manifest_signature(archive, raw, manifest, run)
        _check_pdf_signatures(archive, run)
        _revalidate(archive, manifest, run)
    complete = manifest is not None and not any(e.code in ("file_missing", "file_added") for e in run.errors)
    hashes = manifest is not None and all(f.hash_matches is not False for f in run.files)
    return {
        "valid": not run.errors,
        "signed": run.manifest_signature != "missing",
        "signature_valid": {"valid": True, "missing": None, "unverifiable": None}.get(
            run.manifest_signature, False
        ),
        "signer": run.signer.as_dict() if run.signer else None,
        "checked": {
            "complete": complete,
            "hashes_match": hashes,
            "manifest_signature": run.manifest_signature,
            "pdf_signatures": bool(run.files),
            "trust": f"{len(run.trust.roots)} trusted certificates, {len(run.trust.crls)} CRLs"
            if run.trust.configured
            else None,
        },
        "summary": _summary(run, manifest is not None, complete, hashes),
        "files": [f.as_dict() for f in run.files],
        "errors": [e.as_dict() for e in run.errors],
        "warnings": [w.as_dict() for w in run.warnings],
        "manifest": {k: manifest.get(k) for k in ("service", "created", "document", "case")}
        if manifest
        else None,
    }


def _summary(run: _Run, read: bool, complete: bool, hashes: bool) -> list[str]:
    """Say in plain words what was checked and what could not be."""
    if not read:
        return ["The bundle or its manifest could not be read: nothing else was checked."]
    out = [
        "Every file the manifest lists is present, and no other."
        if complete
        else "Files are missing or added.",
        "Every file matches the SHA-256 the manifest gives."
        if hashes
        else "Some files differ from the manifest.",
    ]
    if not run.trust.configured:
        out.append(
            "This service trusts no signing certificate (no trust folder configured): signatures were "
            "checked for integrity only, not for who made them."
        )
    out.append(
        {
            "valid": "The manifest is signed by a trusted certificate.",
            "untrusted": "The manifest is signed, but not by a certificate this council trusts.",
            "invalid": "The manifest's signature does not match it: it was changed after signing.",
            "missing": "The manifest is not signed.",
            "unverifiable": "The manifest's signature could not be checked here.",
        }[run.manifest_signature]
    )
    signed = [f for f in run.files if f.role in SIGNED_ROLES]
    good = [f for f in signed if f.status == "signed"]
    if signed:
        out.append(
            f"{len(good)} of {len(signed)} PDFs made by the school's service are signed by a trusted signer."
        )
    return out


def _open(data: bytes, errors: list[Issue]) -> zipfile.ZipFile | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        errors.append(Issue("", "bundle_unreadable", "This is not a ZIP archive, or it is damaged."))
        return None
    infos = archive.infolist()
    total = sum(i.file_size for i in infos)
    ratio = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if len(infos) > MAX_ENTRIES or total > MAX_UNCOMPRESSED or ratio > MAX_RATIO:
        errors.append(
            Issue(
                "",
                "bundle_too_large",
                f"{len(infos)} entries, {total:,} bytes unpacked: more than a bundle can hold.",
            )
        )
        return None
    return archive


def _depth(value: Any) -> int:
    """Return how deep a parsed JSON value nests (without recursion: the value may be hostile)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack += [(child, level + 1) for child in children if isinstance(child, dict | list)]
    return deepest


def _read_manifest(archive: zipfile.ZipFile, errors: list[Issue]) -> tuple[bytes, dict[str, Any] | None]:
    try:
        raw = archive.read(MANIFEST)
    except KeyError:
        errors.append(Issue(MANIFEST, "manifest_missing", "The bundle has no manifest.json."))
        return b"", None
    except (zipfile.BadZipFile, OSError, ValueError):
        errors.append(Issue(MANIFEST, "manifest_unreadable", "manifest.json cannot be unpacked."))
        return b"", None
    try:
        manifest = json.loads(raw)
    except RecursionError:
        raise JsonTooDeep(MANIFEST) from None
    except ValueError:
        errors.append(Issue(MANIFEST, "manifest_unreadable", "manifest.json is not JSON."))
        return raw, None
    if _depth(manifest) > MAX_DEPTH:
        raise JsonTooDeep(MANIFEST)
    if not isinstance(manifest, dict):
        raise ManifestInvalid([Issue(MANIFEST, "manifest_invalid", "manifest.json is not a JSON object.")])
    try:
        MANIFEST_SCHEMA.load(manifest)
    except ValidationError as exc:
        raise ManifestInvalid(_issues(exc.messages)) from None
    return raw, manifest


def _issues(messages: Any, path: str = "") -> list[Issue]:
    """Flatten marshmallow's nested messages into one issue per field, with its JSON path."""
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            if key == "_schema":  # marshmallow's key for "this value itself"
                out += _issues(value, path)
                continue
            step = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}" if path else str(key)
            out += _issues(value, step)
        return out
    text = "; ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
    return [Issue(f"{MANIFEST}:{path}", "manifest_invalid", text)]


def _check_files(archive: zipfile.ZipFile, manifest: Mapping[str, Any], run: _Run) -> None:
    listed = {f["name"]: f for f in manifest["files"]}
    present = set(archive.namelist()) - {MANIFEST, MANIFEST_SIGNATURE}
    run.errors += [
        Issue(n, "file_missing", "Listed in the manifest but not in the bundle.")
        for n in sorted(listed.keys() - present)
    ]
    run.errors += [
        Issue(n, "file_added", "In the bundle but not in the manifest.")
        for n in sorted(present - listed.keys())
    ]
    for name, entry in listed.items():
        check = FileCheck(name, entry.get("role", "attachment"), entry.get("kind", "other"), name in present)
        run.files.append(check)
        if not check.present:
            check.status = "missing"
            continue
        try:
            content = archive.read(name)
        except (zipfile.BadZipFile, OSError, ValueError):
            run.errors.append(Issue(name, "bundle_unreadable", "This file cannot be unpacked."))
            check.status = "unreadable"
            continue
        check.hash_matches = hashlib.sha256(content).hexdigest() == entry["sha256"]
        if not check.hash_matches:
            run.errors.append(
                Issue(name, "hash_mismatch", "This file was changed after the bundle was made.")
            )


def _check_manifest_signature(
    archive: zipfile.ZipFile, raw: bytes, manifest: Mapping[str, Any], run: _Run
) -> None:
    """The detached CMS signature (certificates), else the HMAC (one service checking its own bundles)."""
    try:
        cms_signature = archive.read(MANIFEST_SIGNATURE)
    except KeyError:
        cms_signature = None
    except (zipfile.BadZipFile, OSError, ValueError):
        cms_signature = b""
    if cms_signature is not None:
        try:
            run.signer = run.trust.check_detached(raw, cms_signature)
        except SignatureUnreadable:
            run.manifest_signature = "invalid"
            run.errors.append(
                Issue(MANIFEST_SIGNATURE, "signature_invalid", "The manifest's signature cannot be read.")
            )
            return
        if not (run.signer.intact and run.signer.valid):
            run.manifest_signature = "invalid"
            run.errors.append(
                Issue(
                    MANIFEST_SIGNATURE, "signature_invalid", "The manifest was changed after it was signed."
                )
            )
        elif not run.signer.trusted:
            run.manifest_signature = "untrusted" if run.trust.configured else "unverifiable"
            run.errors.append(_untrusted(MANIFEST_SIGNATURE, run.signer, run.trust))
        else:
            run.manifest_signature = "valid"
        return
    hmac_value = manifest.get("signature")
    if hmac_value is None:
        run.errors.append(
            Issue(
                MANIFEST,
                "signature_missing",
                "The manifest is not signed: nothing says who made this bundle.",
            )
        )
        return
    if run.key is None:
        run.manifest_signature = "unverifiable"
        run.errors.append(
            Issue(
                "signature",
                "signature_unverifiable",
                "Signed with a shared key (HMAC), which this service does not hold: "
                "it cannot say who made it.",
            )
        )
        return
    if hmac.compare_digest(hmac_value["value"], hmac_sign(manifest, run.key)):
        run.manifest_signature, run.hmac_ok = "valid", True
    else:
        run.manifest_signature = "invalid"
        run.errors.append(
            Issue(
                "signature",
                "signature_invalid",
                "The manifest was not signed with this key, or was changed after signing.",
            )
        )


def _untrusted(path: str, check: SignatureCheck, trust: TrustStore) -> Issue:
    if not trust.configured:
        return Issue(
            path,
            "signer_untrusted",
            "This service has no trust folder (ATTENDANCE_TRUST_DIR): "
            "it cannot say whether the signer is trusted.",
        )
    why = {
        "expired": "its certificate had expired",
        "revoked": "its certificate has been revoked",
        "not_yet_valid": "its certificate was not yet valid",
        "unusable": "its certificate is not for signing",
    }.get(check.problem or "", "its certificate does not chain to one this council trusts")
    return Issue(path, "signer_untrusted", f"Signed by {check.signer or 'an unknown signer'}, but {why}.")


def _check_pdf_signatures(archive: zipfile.ZipFile, run: _Run) -> None:
    """Every PDF the service produced must carry an intact PAdES signature by a trusted signer (unless
    the bundle's HMAC, checked with this service's own key, vouches for it: the same-service option)."""
    for check in run.files:
        if not check.present or not check.name.endswith(".pdf") or check.status == "unreadable":
            continue
        produced = check.role in SIGNED_ROLES
        try:
            with time_limit(PDF_PARSE_SECONDS):  # a hostile PDF must not hold the worker
                check.signatures = run.trust.check_pdf(archive.read(check.name))
        except TimeBudgetExceeded:
            raise
        except (SignatureUnreadable, TimeLimitExceeded):
            check.status = "damaged"
            if produced:
                run.errors.append(
                    Issue(
                        check.name,
                        "signature_unverifiable",
                        "This PDF cannot be read to check its signature.",
                    )
                )
            continue
        if not check.signatures:
            check.status = "unsigned"
            if produced and not run.hmac_ok:
                run.errors.append(Issue(check.name, "signature_missing", "This PDF carries no signature."))
            continue
        last = check.signatures[-1]
        if not (last.intact and last.covers_whole_file) or not all(s.intact for s in check.signatures):
            check.status = "modified"
            issue = Issue(check.name, "modified_after_signing", "This PDF was modified after it was signed.")
        elif not last.valid:
            check.status = "invalid"
            issue = Issue(check.name, "signature_invalid", "This PDF's signature does not verify.")
        elif not last.trusted:
            check.status = "untrusted"
            issue = _untrusted(check.name, last, run.trust)
        else:
            check.status = "signed"
            continue
        (run.errors if produced or check.status == "modified" else run.warnings).append(issue)


def _revalidate(archive: zipfile.ZipFile, manifest: Mapping[str, Any], run: _Run) -> None:
    """Check again what can be checked without the case: the report, each PDF, each certificate's name."""
    report = manifest.get("report")
    if not isinstance(report, dict) or report.get("valid") is not True:
        run.errors.append(
            Issue("report", "report_invalid", "The manifest's report does not say the case was valid.")
        )
    names = [(p["forename"], p["surname"]) for p in MANIFEST_SCHEMA.load(manifest)["case"]["pupils"]]
    for check in run.files:
        if not check.present or not check.name.endswith(".pdf") or check.status == "unreadable":
            continue
        found = attachments.inspect(0, attachments.Attachment(check.kind, archive.read(check.name)))
        if found.problem:
            run.errors.append(Issue(check.name, found.problem.code, found.problem.message))
        elif (
            check.kind == "attendance_certificate"
            and found.text.strip()
            and not any(attachments.shows_name(found.text, *name) for name in names)
        ):
            run.errors.append(
                Issue(
                    check.name, "attachment_name_mismatch", "This certificate does not show the pupil's name."
                )
            )
