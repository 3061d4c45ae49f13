"""Bundles for LA penalty-notice teams: one named PDF per document and attachment, a manifest with
SHA-256s (HMAC-signed when a key is configured), a ready-to-send .eml, all in one ZIP; and verification."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from datetime import UTC
from datetime import date
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from tempfile import SpooledTemporaryFile
from typing import IO
from typing import Any

from service import attachments
from service import councils
from service import forms
from service.case import Case
from service.case import Pupil
from service.documents import fill_form
from service.documents import join
from service.documents import slug
from service.documents import write_letter
from service.engines import ConversionUnavailable
from service.engines import Engines
from service.problems import CannotProduce
from service.report import Issue
from service.report import Report
from service.validation import Validation
from service.validation import blocking_issues
from service.validation import check
from service.version import VERSION

MANIFEST = "manifest.json"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed entry times: the same files give the same archive entries
SPOOL_BYTES = 8 * 1024 * 1024  # archives larger than this are spooled to an unnamed temporary file
LETTER_FOR = {"refusal_letter": "leave-refusal", "holiday_letter": "leave-refusal"}


@dataclass(frozen=True)
class BundleFile:
    """One file of a bundle."""

    name: str
    content: bytes
    role: str  # "document", "attachment" or "generated"
    kind: str


def file_name(council: str, pupil: Pupil, what: str) -> str:
    """Return `<council>-<surname>-<forename>-<what>.pdf`, so the LA can tell whose it is."""
    return f"{council}-{slug(pupil.surname)}-{slug(pupil.forename)}-{what.replace('_', '-')}.pdf"


def archive_name(data: Mapping[str, Any]) -> str:
    """Return `<council>-<surname>-<forename>-bundle.zip` for a case as sent (before it is loaded)."""
    pupils = data.get("pupils")
    pupil = pupils[0] if isinstance(pupils, list) and pupils and isinstance(pupils[0], dict) else {}
    surname, forename = (slug(str(pupil.get(k, ""))) for k in ("surname", "forename"))
    return f"{slug(str(data.get('council')))}-{surname}-{forename}-bundle.zip"


def request_document(case: Case, decisions: Mapping[str, Any], wanted: str | None) -> forms.PdfForm | None:
    """Return the penalty-notice form the case calls for: the one named, or the council's form whose
    needs the case meets (Dorset: holiday request for holiday, warning request for irregular absence)."""
    council = councils.get(case.council)
    names = [wanted] if wanted else list(council.documents)
    for name in names:
        document = forms.get(name)
        if isinstance(document, forms.PdfForm) and not blocking_issues(case, council, document, decisions):
            return document
    return None


def build(
    data: Mapping[str, Any],
    engines: Engines,
    extra: tuple = (),
    document_id: str | None = None,
    merged: bool = False,
    key: bytes | None = None,
    now: datetime | None = None,
) -> IO[bytes]:
    """Return the bundle as a ZIP (a file object at its start), or raise CannotProduce with the report."""
    done = check(data, document_id, extra)
    if not done.report.valid or done.case is None:
        raise CannotProduce(done.report)
    form = request_document(done.case, done.report.decisions or {}, document_id)
    if form is None:
        done.report.errors.append(
            Issue(
                "absence",
                "no_request_document",
                "No penalty-notice request form of "
                "this council fits the case (check the absence type and the rules).",
            )
        )
        raise CannotProduce(done.report)
    done = check(data, form.id, extra) if document_id is None else done
    files = _files(done, form, engines)
    if merged:
        files.append(
            BundleFile(
                file_name(done.case.council, done.case.pupils[0], "merged"),
                join([f.content for f in files]),
                "merged",
                "merged",
            )
        )
    now = now or datetime.now(UTC)
    eml = _email(done.case, form, files, now)
    files.append(
        BundleFile(
            file_name(done.case.council, done.case.pupils[0], "email").removesuffix(".pdf") + ".eml",
            eml,
            "email",
            "email",
        )
    )
    return _archive(files, _manifest(done, form, files, key, now))


def _files(done: Validation, form: forms.PdfForm, engines: Engines) -> list[BundleFile]:
    """Return the documents (one per pupil where the form takes one) and attachments, or raise."""
    case, report = done.case, done.report
    assert case is not None
    generated = _generate(done, form, engines)
    report.checklist = attachments.checklist(
        case, form, done.inspections, frozenset(g.kind for g in generated)
    )
    report.errors += attachments.missing(report.checklist)
    if report.errors:
        raise CannotProduce(report)
    files = [
        BundleFile(
            file_name(case.council, group[0], form.id),
            fill_form(form, replace(case, pupils=group), report, engines, True),
            "document",
            form.id,
        )
        for group in _groups(case, form)
    ]
    return _unique(files + _attached(done, form) + generated)


def _groups(case: Case, form: forms.PdfForm) -> list[tuple[Pupil, ...]]:
    """Return the pupils of each request: one per pupil when the form holds one (Dorset), else all."""
    if form.pupils_per_sheet == 1:
        return [(p,) for p in case.pupils]
    return [case.pupils]


def _attached(done: Validation, form: forms.PdfForm) -> list[BundleFile]:
    case = done.case
    assert case is not None
    wanted = {kind for req in form.attachments for kind in req.kinds if attachments.applies(req, case)}
    files = []
    for found in done.inspections:
        kind = found.attachment.kind
        if found.usable and (kind in wanted or kind == "other"):
            pupil = next((p for p in case.pupils if attachments.names_pupil(found.text, p)), case.pupils[0])
            files.append(
                BundleFile(file_name(case.council, pupil, kind), found.attachment.content, "attachment", kind)
            )
    return files


def _generate(done: Validation, form: forms.PdfForm, engines: Engines) -> list[BundleFile]:
    """Produce what a missing checklist item can be made from: the certificate from the marks, the
    letter saying the absence is not authorised from the leave-refusal letter (needs LibreOffice)."""
    case, report = done.case, done.report
    assert case is not None
    items = attachments.checklist(case, form, done.inspections)
    out = []
    for item in (i for i in items if i.status == "missing"):
        content = _make(item.item, case, report, engines)
        if content is not None:
            out.append(
                BundleFile(
                    file_name(case.council, case.pupils[0], item.item), content, "generated", item.item
                )
            )
    return out


def _make(item: str, case: Case, report: Report, engines: Engines) -> bytes | None:
    if item == "attendance_certificate" and case.attendance and case.attendance.marks:
        certificate = forms.get("attendance-certificate")
        if not isinstance(certificate, forms.GeneratedPdf) or certificate.build is None:
            return None
        return certificate.build(case, report.decisions or {}, case.letter_date or date.today())
    letter = forms.get(LETTER_FOR[item]) if item in LETTER_FOR else None
    if isinstance(letter, forms.Letter) and councils.get(case.council).accepts(letter.id):
        try:
            return write_letter(letter, case, report, engines, "pdf", None)
        except ConversionUnavailable:
            return None
    return None


def _unique(files: list[BundleFile]) -> list[BundleFile]:
    """Number repeated names: `…-attendance-certificate-2.pdf`."""
    seen: dict[str, int] = {}
    out = []
    for f in files:
        seen[f.name] = seen.get(f.name, 0) + 1
        name = f.name if seen[f.name] == 1 else f.name.removesuffix(".pdf") + f"-{seen[f.name]}.pdf"
        out.append(replace(f, name=name))
    return out


def _summary(case: Case) -> dict[str, Any]:
    """Return the case as the forms show it, and no more: no UPNs, phones or e-mail addresses."""
    return {
        "council": case.council,
        "school": {"name": case.school.name, "urn": case.school.urn},
        "pupils": [
            {"forename": p.forename, "surname": p.surname, "date_of_birth": p.date_of_birth.isoformat()}
            for p in case.pupils
        ],
        "absence": {
            "type": case.absence.type,
            "start_date": case.absence.start_date.isoformat(),
            "end_date": case.absence.end_date.isoformat(),
            "unauthorised_sessions": case.absence.unauthorised_sessions,
        },
    }


def _redacted(value: Any) -> Any:
    """Drop UPNs from the report copied into the manifest (the forms do not carry them)."""
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items() if k not in ("upn", "pupil_upn")}
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    return value


def canonical(manifest: Mapping[str, Any]) -> bytes:
    """Return the bytes a signature covers: the manifest without its signature, keys sorted, compact."""
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(manifest: Mapping[str, Any], key: bytes) -> str:
    """Return the HMAC-SHA256 of the manifest, hex."""
    return hmac.new(key, canonical(manifest), hashlib.sha256).hexdigest()


def _manifest(
    done: Validation, form: forms.PdfForm, files: list[BundleFile], key: bytes | None, now: datetime
) -> dict[str, Any]:
    assert done.case is not None
    manifest: dict[str, Any] = {
        "service": {"name": "attendance-paperwork", "version": VERSION},
        "created": now.isoformat(timespec="seconds"),
        "document": form.id,
        "case": _summary(done.case),
        "report": _redacted(done.report.as_dict()),
        "files": [
            {
                "name": f.name,
                "role": f.role,
                "kind": f.kind,
                "bytes": len(f.content),
                "sha256": hashlib.sha256(f.content).hexdigest(),
            }
            for f in files
        ],
    }
    if key:
        manifest["signature"] = {"algorithm": "HMAC-SHA256", "value": sign(manifest, key)}
    return manifest


def _email(case: Case, form: forms.PdfForm, files: list[BundleFile], now: datetime) -> bytes:
    """Return an RFC 5322 message to the council (Cc the inclusion lead where the council asks)."""
    council = councils.get(case.council)
    message = EmailMessage()
    if case.school.contact_email:
        message["From"] = case.school.contact_email
    message["To"] = council.submit_to.to
    if council.submit_to.cc_school_inclusion_lead and case.school.inclusion_lead_email:
        message["Cc"] = case.school.inclusion_lead_email
    names = ", ".join(p.full_name for p in case.pupils)
    message["Subject"] = f"{form.title}: {case.school.name}, {names}"
    message["Date"] = format_datetime(now)
    listing = "\n".join(f"- {f.name}" for f in files if f.role != "merged")
    message.set_content(
        f"Dear {council.name} penalty notice team,\n\nPlease find attached our {form.title.lower()} for "
        f"{names}, absent from {case.absence.start_date:%d/%m/%Y} to {case.absence.end_date:%d/%m/%Y}, "
        f"with its supporting documents, each as a separate PDF:\n\n{listing}\n\n"
        f"Contact: {case.school.contact_name}, {case.school.contact_phone}.\n\n{case.school.name}\n"
    )
    for f in files:
        if f.role != "merged":
            message.add_attachment(f.content, maintype="application", subtype="pdf", filename=f.name)
    return message.as_bytes()


def _archive(files: list[BundleFile], manifest: dict[str, Any]) -> IO[bytes]:
    """Write the ZIP to a spooled file: in memory while small, an unnamed temporary file beyond."""
    out: IO[bytes] = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the caller closes it
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in [(f.name, f.content) for f in files] + [
            (MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
        ]:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    out.seek(0)
    return out


# What a received bundle may hold at most: a zip bomb or a flood of entries is refused unread.
MAX_ENTRIES = 200
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200


def verify(data: bytes, key: bytes | None = None) -> dict[str, Any]:
    """Check a received bundle: complete, untouched (hashes, HMAC), and its PDFs still valid."""
    errors: list[Issue] = []
    warnings: list[Issue] = []
    archive = _open(data, errors)
    manifest = _read_manifest(archive, errors) if archive else None
    signature_valid = None
    if archive and manifest is not None:
        _check_files(archive, manifest, errors)
        signature_valid = _check_signature(manifest, key, errors, warnings)
        _revalidate(archive, manifest, errors, warnings)
    return {
        "valid": not errors,
        "signed": bool(manifest and "signature" in manifest),
        "signature_valid": signature_valid,
        "errors": [e.as_dict() for e in errors],
        "warnings": [w.as_dict() for w in warnings],
        "manifest": {k: manifest.get(k) for k in ("service", "created", "document", "case")}
        if manifest
        else None,
    }


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


def _read_manifest(archive: zipfile.ZipFile, errors: list[Issue]) -> dict[str, Any] | None:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        errors.append(Issue(MANIFEST, "manifest_missing", "The bundle has no manifest.json."))
        return None
    except (ValueError, zipfile.BadZipFile, OSError):
        errors.append(Issue(MANIFEST, "manifest_unreadable", "manifest.json cannot be read."))
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        errors.append(Issue(MANIFEST, "manifest_unreadable", "manifest.json does not list the files."))
        return None
    return manifest


def _check_files(archive: zipfile.ZipFile, manifest: Mapping[str, Any], errors: list[Issue]) -> None:
    listed = {f.get("name"): f for f in manifest["files"] if isinstance(f, dict)}
    present = set(archive.namelist()) - {MANIFEST}
    errors += [
        Issue(n, "file_missing", "Listed in the manifest but not in the bundle.")
        for n in sorted(listed.keys() - present)
    ]
    errors += [
        Issue(n, "file_added", "In the bundle but not in the manifest.")
        for n in sorted(present - listed.keys())
    ]
    for name in sorted(listed.keys() & present):
        try:
            content = archive.read(name)
        except (zipfile.BadZipFile, OSError):
            errors.append(Issue(name, "bundle_unreadable", "This file cannot be unpacked."))
            continue
        if hashlib.sha256(content).hexdigest() != listed[name].get("sha256"):
            errors.append(Issue(name, "hash_mismatch", "This file was changed after the bundle was made."))


def _check_signature(
    manifest: Mapping[str, Any], key: bytes | None, errors: list[Issue], warnings: list[Issue]
) -> bool | None:
    signature = manifest.get("signature")
    if key is None:
        if signature:
            warnings.append(
                Issue(
                    "signature",
                    "signature_unverifiable",
                    "Signed, but this service has no key to check the signature with.",
                )
            )
        return None
    if not isinstance(signature, dict) or not isinstance(signature.get("value"), str):
        errors.append(Issue("signature", "signature_missing", "The manifest is not signed."))
        return False
    if not hmac.compare_digest(signature["value"], sign(manifest, key)):
        errors.append(
            Issue(
                "signature",
                "signature_invalid",
                "The manifest was not signed with this key, or was changed after signing.",
            )
        )
        return False
    return True


def _revalidate(
    archive: zipfile.ZipFile, manifest: Mapping[str, Any], errors: list[Issue], warnings: list[Issue]
) -> None:
    """Check again what can be checked without the case: the report, each PDF, each certificate's name."""
    report = manifest.get("report")
    if not isinstance(report, dict) or report.get("valid") is not True:
        errors.append(
            Issue("report", "report_invalid", "The manifest's report does not say the case was valid.")
        )
    names = [
        (str(p.get("forename", "")), str(p.get("surname", "")))
        for p in (manifest.get("case") or {}).get("pupils", [])
        if isinstance(p, dict)
    ]
    present = set(archive.namelist())
    for entry in manifest["files"]:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not name or not name.endswith(".pdf") or name not in present:
            continue
        found = attachments.inspect(0, attachments.Attachment(entry.get("kind", "other"), archive.read(name)))
        if found.problem:
            errors.append(Issue(name, found.problem.code, found.problem.message))
        elif (
            entry.get("kind") == "attendance_certificate"
            and found.text.strip()
            and not any(attachments.shows_name(found.text, *name) for name in names)
        ):
            errors.append(
                Issue(name, "attachment_name_mismatch", "This certificate does not show the pupil's name.")
            )
