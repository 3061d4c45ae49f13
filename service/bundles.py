"""Bundles for LA penalty-notice teams: one named PDF per document and attachment, a manifest with
SHA-256s, a ready-to-send .eml, all in one ZIP; and verification.

Signed with the school's certificate when one is configured: every PDF the service produces carries a
PAdES signature (visible where the document has a signature box), and the manifest a detached CMS
signature (`manifest.json.p7s`) that covers every file's hash, uploaded attachments included. An
HMAC-SHA256 of the manifest is the option for a service that checks its own bundles."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from tempfile import SpooledTemporaryFile
from typing import IO
from typing import Any
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from service import attachments
from service import councils
from service import forms
from service.active_content import remove as strip_active_content
from service.assessment import Assessment
from service.assessment import evaluate
from service.assessment import generated_items
from service.case import Attachment
from service.case import Case
from service.case import Pupil
from service.documents import fill_form
from service.documents import join
from service.documents import slug
from service.engines import Engines
from service.engines.signatures import Signer
from service.engines.signatures import Spot
from service.engines.signatures import Visible
from service.forms._common import notice_lines
from service.limits import PDF_PARSE_SECONDS
from service.limits import TimeBudgetExceeded
from service.limits import time_limit
from service.manifest import MANIFEST
from service.manifest import MANIFEST_SIGNATURE
from service.manifest import SIGNED_ROLES
from service.manifest import sign
from service.problems import CannotProduce
from service.report import Issue
from service.report import Report
from service.text import long_date
from service.version import VERSION

LONDON = ZoneInfo("Europe/London")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed entry times: the same files give the same archive entries
SPOOL_BYTES = 8 * 1024 * 1024  # archives larger than this are spooled to an unnamed temporary file


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


def request_document(assessment: Assessment, wanted: str | None) -> forms.PdfForm | None:
    """Return the penalty-notice form the case calls for: the one named, or the council's form whose
    needs the case meets (Dorset: holiday request for holiday, warning request for irregular absence)."""
    if assessment.case is None or assessment.council is None or assessment.decisions is None:
        return None
    names = [wanted] if wanted else list(assessment.council.documents)
    for name in names:
        document = forms.get(name)
        if isinstance(document, forms.PdfForm) and not assessment.blocking(document):
            return document
    return None


def build(
    assessment: Assessment | Mapping[str, Any],
    engines: Engines,
    extra: tuple[Attachment, ...] = (),
    document_id: str | None = None,
    merged: bool = False,
    key: bytes | None = None,
    now: datetime | None = None,
    active_content: str = "refuse",
) -> IO[bytes]:
    """Return the bundle of an assessed case as a ZIP (a file object at its start), or raise CannotProduce
    with the report. A bundle holds only what was sent or is drawn from the case's own records (the
    certificate from the marks): never a letter standing for one that was sent.

    A case as sent (a mapping, with `extra` attachments) is assessed here, once. Attachments with active
    content are refused (`attachment_active_content`); with `active_content="remove"` (a case as sent) they
    are rewritten without it before the assessment, and the report says what was removed."""
    removed: list[Issue] = []
    if not isinstance(assessment, Assessment):
        assessment, removed = assess_as_sent(assessment, extra, active_content)
    named = forms.get(document_id) if document_id else None
    report = assessment.for_document(named) if named else assessment.report
    if not report.valid or assessment.case is None:
        raise CannotProduce(report)
    form = request_document(assessment, document_id)
    if form is None:
        report = replace(report, errors=list(report.errors), warnings=list(report.warnings))
        report.errors.append(
            Issue(
                "absence",
                "no_request_document",
                "No penalty-notice request form of "
                "this council fits the case (check the absence type and the rules).",
            )
        )
        raise CannotProduce(report)
    report = assessment.for_document(form)
    report.warnings += removed
    case = assessment.case
    files = _files(assessment, report, form, engines)
    if merged:
        files.append(
            BundleFile(
                file_name(case.council, case.pupils[0], "merged"),
                join([f.content for f in files]),  # joined before signing: each part's signature is its own
                "merged",
                "merged",
            )
        )
    now = now or datetime.now(UTC)
    signer = engines.signer if engines.signer.available()[0] else None
    if signer is not None:
        files = [_signed(f, case, form, signer, now) for f in files]
    eml = _email(assessment, form, files, now)
    files.append(
        BundleFile(
            file_name(case.council, case.pupils[0], "email").removesuffix(".pdf") + ".eml",
            eml,
            "email",
            "email",
        )
    )
    manifest = _manifest(assessment, report, form, files, key, now, signer)
    body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
    signature = signer.sign_detached(body, now) if signer is not None else None
    return _archive(files, body, signature)


def assess_as_sent(
    data: Mapping[str, Any], extra: tuple[Attachment, ...] = (), active_content: str = "refuse"
) -> tuple[Assessment, list[Issue]]:
    """Assess a case as sent, once. With `active_content="remove"` its attachments are first rewritten without
    active content, so validate and the bundle judge the same files; the notes say what was removed."""
    removed: list[Issue] = []
    if active_content == "remove":
        data, extra, removed = _without_active_content(data, extra)
    return evaluate(data, extra), removed


def _without_active_content(
    data: Mapping[str, Any], extra: tuple
) -> tuple[Mapping[str, Any], tuple, list[Issue]]:
    """Rewrite attachments that carry active content without it; say what was removed from which."""
    notes: list[Issue] = []

    def clean(index: int, content: bytes, name: str) -> bytes:
        if len(content) > attachments.MAX_BYTES or b"%PDF-" not in content[:1024]:
            return content  # inspection refuses it anyway
        try:
            with time_limit(PDF_PARSE_SECONDS):
                cleaned, what = strip_active_content(content)
        except TimeBudgetExceeded:
            raise
        except Exception:  # unreadable, or it would not come out: inspection refuses the original
            return content
        if what:
            notes.append(
                Issue(
                    f"attachments[{index}]",
                    "attachment_active_content_removed",
                    f"{name}: removed {', '.join(what)}; "
                    "the bundle holds the rewritten file, not the one sent.",
                )
            )
        return cleaned

    inline = data.get("attachments")
    if isinstance(inline, list):
        rewritten = []
        for i, item in enumerate(inline):
            try:
                content = base64.b64decode(item["content_base64"], validate=True)
            except (KeyError, TypeError, ValueError, binascii.Error):
                rewritten.append(item)
                continue
            new = clean(i, content, str(item.get("filename") or item.get("kind")))
            rewritten.append(
                {**item, "content_base64": base64.b64encode(new).decode()} if new != content else item
            )
        data = {**data, "attachments": rewritten}
    offset = len(inline) if isinstance(inline, list) else 0
    extra = tuple(
        replace(a, content=clean(offset + i, a.content, a.filename or a.kind)) for i, a in enumerate(extra)
    )
    return data, extra, notes


def _signed(f: BundleFile, case: Case, form: forms.PdfForm, signer: Signer, now: datetime) -> BundleFile:
    """Sign a PDF the service produced, with the headteacher's visible signature where it has a box."""
    if f.role not in SIGNED_ROLES:
        return f
    document = form if f.role == "document" else _document_for(f.kind)
    spot = _spot(document) if document is not None else None
    visible = None
    if spot is not None:
        school = case.school
        visible = Visible(
            spot,
            (
                f"Digitally signed by {school.headteacher}",
                f"Headteacher, {school.name}",
                f"Signed on {long_date(now.astimezone(LONDON).date())}",
            ),
        )
    content = signer.sign_pdf(f.content, now, visible, reason="Certified by the headteacher")
    return replace(f, content=content)


def _document_for(kind: str) -> forms.Document | None:
    """The document a generated file was made from (the certificate, a letter)."""
    return forms.get("attendance-certificate") if kind == "attendance_certificate" else None


def _spot(document: forms.Document) -> Spot | None:
    box = document.signature
    if box is None:
        return None
    if box.field and isinstance(document, forms.PdfForm):
        return _field_spot(document.template_path, box.field)
    return Spot(box.page, box.box)


@cache
def _field_spot(template: Path, name: str) -> Spot | None:
    """Return the page and box of a template's field (read once: templates do not change under us)."""
    reader = PdfReader(template)
    for number, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            widget = annot.get_object()
            if widget.get("/T") == name:
                x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
                return Spot(number, (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
    return None


def _files(assessment: Assessment, report: Report, form: forms.PdfForm, engines: Engines) -> list[BundleFile]:
    """Return the documents (one per pupil where the form takes one) and attachments, or raise."""
    case = assessment.case
    assert case is not None
    generated, drawn = _generate(assessment, form)
    report.checklist = attachments.checklist(case, form, list(assessment.inspections), drawn)
    report.errors += attachments.missing(report.checklist)
    if report.errors:
        raise CannotProduce(report)
    files = [
        BundleFile(
            file_name(case.council, group[0], form.id),
            fill_form(form, case.of_pupils(group), report, engines, True),
            "document",
            form.id,
        )
        for group in _groups(case, form, assessment.council or councils.for_case(case))
    ]
    return _unique(files + _attached(assessment, form) + generated)


def _groups(case: Case, form: forms.PdfForm, council: councils.Council) -> list[tuple[Pupil, ...]]:
    """Return the pupils of each request: one per child where the council asks for that (or its form
    holds one pupil), else one for the family."""
    if council.request_per == "child" or (council.request_per is None and form.pupils_per_sheet == 1):
        return [(p,) for p in case.pupils]
    return [case.pupils]


def _attached(assessment: Assessment, form: forms.PdfForm) -> list[BundleFile]:
    case = assessment.case
    assert case is not None
    wanted = {kind for req in form.attachments for kind in req.kinds if attachments.applies(req, case)}
    files = []
    for found in assessment.inspections:
        kind = found.attachment.kind
        if found.usable and (kind in wanted or kind == "other"):
            pupil = next((p for p in case.pupils if attachments.names_pupil(found.text, p)), case.pupils[0])
            files.append(
                BundleFile(file_name(case.council, pupil, kind), found.attachment.content, "attachment", kind)
            )
    return files


def _generate(assessment: Assessment, form: forms.PdfForm) -> tuple[list[BundleFile], attachments.Drawn]:
    """Draw what a missing checklist item can be drawn from the case's own records: the attendance
    certificate of each pupil no attached certificate shows, from that pupil's register marks. Return the
    files and whom each item was drawn for. A letter to the parents is never made here: the bundle must hold
    the letter that was sent (a missing one is `attachment_missing`)."""
    case = assessment.case
    assert case is not None
    can = generated_items(case, form).get("attendance_certificate", ())
    wanted = [r for r in attachments.requirements(case, form)
              if r.item == "attendance_certificate" and attachments.applies(r, case)]
    out, drawn = [], []
    for req in wanted:
        sent = [f for f in assessment.inspections if f.attachment.kind in req.kinds]
        for pupil in attachments.uncovered_pupils(req, case, sent):
            if pupil in can and pupil not in drawn:
                name = file_name(case.council, pupil, req.item)
                out.append(BundleFile(name, _certificate(assessment, pupil), "generated", req.item))
                drawn.append(pupil)
    return out, ({"attendance_certificate": tuple(drawn)} if drawn else {})


def _certificate(assessment: Assessment, pupil: Pupil) -> bytes:
    """Return one pupil's attendance certificate (a file of its own in the bundle, signed on its own)."""
    case = assessment.case
    assert case is not None
    certificate = forms.get("attendance-certificate")
    own = replace(assessment, case=case.of_pupils((pupil,)))
    return certificate.render(forms.Job(own, assessment.report, None))


def _unique(files: list[BundleFile]) -> list[BundleFile]:
    """Number repeated names: `…-attendance-certificate-2.pdf`."""
    seen: dict[str, int] = {}
    out = []
    for f in files:
        seen[f.name] = seen.get(f.name, 0) + 1
        name = f.name if seen[f.name] == 1 else f.name.removesuffix(".pdf") + f"-{seen[f.name]}.pdf"
        out.append(replace(f, name=name))
    return out


def _summary(assessment: Assessment) -> dict[str, Any]:
    """Return the case as the forms show it, and no more: no UPNs, phones or e-mail addresses; and each
    parent × pupil notice, saying which pupil (and parent) each is for."""
    case, decisions = assessment.case, assessment.decisions
    assert case is not None and decisions is not None
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
        "notices": [
            {
                "parent": case.parents[n.parent_index].full_name,
                "parent_index": n.parent_index,
                "pupil": case.pupils[n.pupil_index].full_name,
                "pupil_index": n.pupil_index,
                "allowed": n.allowed,
                "reason": n.reason,
                "notice_number": n.notice_number,
                "amount_early": n.amount_early,
                "early_days": n.early_days,
                "amount_full": n.amount_full,
                "full_days": n.full_days,
            }
            for n in decisions.penalty_notice.notices
        ],
    }


def _redacted(value: Any) -> Any:
    """Drop UPNs from the report copied into the manifest (the forms do not carry them)."""
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items() if k not in ("upn", "pupil_upn")}
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    return value


def _manifest(
    assessment: Assessment,
    report: Report,
    form: forms.PdfForm,
    files: list[BundleFile],
    key: bytes | None,
    now: datetime,
    signer: Signer | None = None,
) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "service": {"name": "attendance-paperwork", "version": VERSION},
        "created": now.isoformat(timespec="seconds"),
        "document": form.id,
        "case": _summary(assessment),
        "report": _redacted(report.as_dict()),
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
        "signing": {
            "pdfs": "PAdES" if signer is not None else None,
            "manifest": MANIFEST_SIGNATURE if signer is not None else None,
            "hmac": bool(key),
        },
    }
    if key:
        manifest["signature"] = {"algorithm": "HMAC-SHA256", "value": sign(manifest, key)}
    return manifest


def _email(assessment: Assessment, form: forms.PdfForm, files: list[BundleFile], now: datetime) -> bytes:
    """Return an RFC 5322 message to the council (Cc the inclusion lead where the council asks), listing
    each parent × pupil notice asked for."""
    case, decisions = assessment.case, assessment.decisions
    assert case is not None and decisions is not None
    council = assessment.council or councils.for_case(case)
    message = EmailMessage()
    if case.school.contact_email:
        message["From"] = case.school.contact_email
    route = council.submit_to
    if route.channel == "email" and route.to:
        message["To"] = route.to
    cc = [*route.cc]
    if route.cc_school_inclusion_lead and case.school.inclusion_lead_email:
        cc.append(case.school.inclusion_lead_email)
    if cc:
        message["Cc"] = ", ".join(cc)
    names = ", ".join(p.full_name for p in case.pupils)
    message["Subject"] = f"{form.title}: {case.school.name}, {names}"
    message["Date"] = format_datetime(now)
    listing = "\n".join(f"- {f.name}" for f in files if f.role != "merged")
    pairs = "\n".join(f"- {line}" for line in notice_lines(case, decisions))
    message.set_content(
        f"Dear {council.name} penalty notice team,\n\nPlease find attached our {form.title.lower()} for "
        f"{names}, absent from {case.absence.start_date:%d/%m/%Y} to {case.absence.end_date:%d/%m/%Y}, "
        f"with its supporting documents, each as a separate PDF:\n\n{listing}\n\n"
        f"Each parent and child, as the rules decide:\n\n{pairs}\n\n"
        f"Contact: {case.school.contact_name}, {case.school.contact_phone}.\n\n{case.school.name}\n"
        + ("" if message["To"] else f"\nWhere to send it: {councils.route_text(council)}.\n")
    )
    for f in files:
        if f.role != "merged":
            message.add_attachment(f.content, maintype="application", subtype="pdf", filename=f.name)
    return message.as_bytes()


def _archive(files: list[BundleFile], manifest: bytes, signature: bytes | None) -> IO[bytes]:
    """Write the ZIP to a spooled file: in memory while small, an unnamed temporary file beyond."""
    out: IO[bytes] = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the caller closes it
    entries = [(f.name, f.content) for f in files] + [(MANIFEST, manifest)]
    if signature is not None:
        entries.append((MANIFEST_SIGNATURE, signature))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    out.seek(0)
    return out
