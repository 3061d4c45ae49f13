"""Attachments: each inspected with pypdf (a real, readable, unencrypted PDF within limits), and
checked against a document's checklist: mandatory, conditional and either-or items (rules.md)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import re
import unicodedata
from collections.abc import Iterator
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date

from pypdf import PdfReader

from service import active_content
from service.case import Attachment
from service.case import Case
from service.case import Pupil
from service.forms import Document
from service.forms import Requirement
from service.limits import PDF_PARSE_SECONDS
from service.limits import TimeBudgetExceeded
from service.limits import TimeLimitExceeded
from service.limits import time_limit
from service.report import ChecklistItem
from service.report import Issue

MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 50
MAX_TEXT = 200_000  # characters kept for the name and date checks
TEXT_PAGES = 10  # enough for any certificate or letter; bounds the work on a hostile file
_MONTHS = ("january february march april may june july august september october november december").split()
_DATES = re.compile(
    r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b|\b(\d{4})-(\d{2})-(\d{2})\b|"
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(m[:3] for m in _MONTHS) + r")[a-z]*\.?\s+(\d{4})\b",
    re.IGNORECASE,
)


@dataclass
class Inspection:
    """What pypdf found in one attachment."""

    index: int
    attachment: Attachment
    pages: int = 0
    text: str = ""
    problem: Issue | None = None
    notes: list[Issue] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """Return whether the file is a readable PDF within the limits."""
        return self.problem is None


# Within one request's work (`read_once`), what pypdf found in each file, by the file's SHA-256: a
# bundle validates its case twice (report, then form), and text extraction is most of a bundle's time.
_READ: ContextVar[dict[str, tuple[int, str, Issue | None]] | None] = ContextVar(
    "attachments_read", default=None
)


@contextlib.contextmanager
def read_once() -> Iterator[None]:
    """Parse each attachment once inside this block; nothing is kept after it (the texts are personal)."""
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


def inspect(index: int, attachment: Attachment) -> Inspection:
    """Open one attachment with pypdf and say whether it is a usable PDF; extract its text."""
    read = _READ.get()
    if read is None:
        return _inspect(index, attachment)
    digest = hashlib.sha256(attachment.content).hexdigest()
    if digest not in read:
        found = _inspect(index, attachment)
        read[digest] = (found.pages, found.text, found.problem)
        return found
    pages, text, problem = read[digest]
    path = f"attachments[{index}]"
    return Inspection(index, attachment, pages, text, replace(problem, path=path) if problem else None)


def _inspect(index: int, attachment: Attachment) -> Inspection:
    found = Inspection(index, attachment)
    path = f"attachments[{index}]"
    data = attachment.content
    if len(data) > MAX_BYTES:
        found.problem = Issue(path, "attachment_too_large", f"{len(data):,} bytes; at most {MAX_BYTES:,}.")
    elif b"%PDF-" not in data[:1024]:
        found.problem = Issue(
            path, "attachment_unreadable", "This file is not a PDF (whatever its name says)."
        )
    else:
        _read(found, path, data)
    return found


def _read(found: Inspection, path: str, data: bytes) -> None:
    try:
        with time_limit(PDF_PARSE_SECONDS):
            _parse(found, path, data)
    except TimeBudgetExceeded:
        raise  # the request's budget: the whole request stops (503 time_budget_exceeded)
    except TimeLimitExceeded:
        logging.getLogger(__name__).info("attachment parse over time limit")
        found.problem = Issue(
            path,
            "attachment_unreadable",
            f"This PDF took more than {PDF_PARSE_SECONDS:g} s "
            "to read: it is damaged or built to exhaust the reader.",
        )


def _parse(found: Inspection, path: str, data: bytes) -> None:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            found.problem = Issue(
                path,
                "attachment_encrypted",
                "This PDF is encrypted: the council cannot open or check it. Send it unprotected.",
            )
            return
        found.pages = len(reader.pages)
        if found.pages == 0 or found.pages > MAX_PAGES:
            found.problem = Issue(
                path,
                "attachment_too_large" if found.pages else "attachment_unreadable",
                f"{found.pages} pages; an attachment has 1 to {MAX_PAGES}.",
            )
            return
        active = active_content.find(reader)
        if active:
            found.problem = Issue(
                path,
                "attachment_active_content",
                f"{found.attachment.filename or found.attachment.kind} carries {', '.join(active)}: evidence "
                "must not run or open anything. Print it to a new PDF and send that.",
            )
            return
        found.text = "\n".join((page.extract_text() or "") for page in reader.pages[:TEXT_PAGES])[:MAX_TEXT]
    except TimeLimitExceeded:
        raise
    # pypdf on a hostile file can raise nearly anything (NotImplementedError for an odd filter,
    # RecursionError, struct errors…): each means "this PDF cannot be read", never a service failure.
    except Exception as exc:
        logging.getLogger(__name__).info("unreadable attachment: %s", type(exc).__name__)
        found.problem = Issue(path, "attachment_unreadable", "This PDF is damaged and cannot be read.")


def normalise(text: str) -> str:
    """Fold case and accents, drop apostrophes, read hyphens and commas as spaces.

    `O'Connor-Hughes` → `oconnor hughes`.
    """
    plain = re.sub(r"['’‘`´]", "", text)  # O'Connor, O’Connor and OConnor are one name
    plain = re.sub(r"[\W_]+", " ", plain)  # any hyphen, dash or comma separates words
    return " ".join(
        unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode().casefold().split()
    )


def names_pupil(text: str, pupil: Pupil) -> bool:
    """Return whether a text shows the pupil's name: forename then surname, or `Surname, Forename`."""
    return shows_name(text, pupil.forename, pupil.surname)


def shows_name(text: str, forename: str, surname: str) -> bool:
    """Return whether a text shows a name, in either order, tolerant of case, accents and punctuation."""
    haystack = f" {normalise(text)} "
    forename, surname = normalise(forename), normalise(surname)
    if not forename or not surname:
        return False
    return f" {forename} {surname} " in haystack or f" {surname} {forename} " in haystack


def latest_date(text: str) -> date | None:
    """Return the latest date written in a text (dd/mm/yyyy, yyyy-mm-dd or `4 May 2026`), if any."""
    found = []
    for m in _DATES.finditer(text):
        try:
            if m.group(1):
                found.append(date(int(m.group(3)), int(m.group(2)), int(m.group(1))))
            elif m.group(4):
                found.append(date(int(m.group(4)), int(m.group(5)), int(m.group(6))))
            else:
                month = [n[:3] for n in _MONTHS].index(m.group(8).lower()[:3]) + 1
                found.append(date(int(m.group(9)), month, int(m.group(7))))
        except ValueError:
            continue
    return max(found, default=None)


def check_certificate(found: Inspection, case: Case) -> None:
    """Check an attendance certificate shows a pupil's name (Dorset's checklist) and is recent enough."""
    path = f"attachments[{found.index}]"
    if not found.text.strip():
        found.notes.append(
            Issue(
                path,
                "attachment_no_text",
                "This certificate has no text layer (a scan?): the "
                "service cannot check that it shows the pupil's name. Check it by eye.",
            )
        )
        return
    if not any(names_pupil(found.text, p) for p in case.pupils):
        found.problem = Issue(
            path,
            "attachment_name_mismatch",
            "This attendance certificate does not show the pupil's name as the case spells it.",
        )
        return
    latest = latest_date(found.text)
    if latest is not None and latest < case.absence.end_date:
        found.notes.append(
            Issue(
                path,
                "attachment_stale",
                f"The latest date on this certificate is {latest}, "
                "before the absence ended: send a current certificate.",
            )
        )


def inspect_all(case: Case) -> list[Inspection]:
    """Inspect every attachment of a case; certificates are also checked against the pupils."""
    found = [inspect(i, a) for i, a in enumerate(case.attachments)]
    for item in found:
        if item.usable and item.attachment.kind == "attendance_certificate":
            check_certificate(item, case)
    return found


def applies(requirement: Requirement, case: Case) -> bool:
    """Return whether a checklist item is required for this case (conditional and either-or items)."""
    request = case.absence.leave_request
    requested = bool(request and request.submitted)
    return {
        "always": True,
        "leave_requested": requested,
        "leave_not_requested": not requested,
        "holiday": case.absence.type == "holiday",
        "irregular": case.absence.type == "irregular",
    }[requirement.when]


def requirements(case: Case, document: Document) -> tuple[Requirement, ...]:
    """Return the checklist of a document for the case's council: the council's own where its file
    states one, else the document's."""
    from service import councils

    return councils.for_case(case).requirements(document.id, document.attachments)


# What the service can draw itself, by checklist item: the pupils it draws it for (each pupil's certificate
# from their own register marks).
Drawn = Mapping[str, tuple[Pupil, ...]]


def checklist(case: Case, document: Document, found: list[Inspection], generated: Drawn | None = None
              ) -> list[ChecklistItem]:
    """Evaluate a document's checklist: satisfied, missing, not required, or invalid (sent but unusable)."""
    return [_item(req, case, found, generated or {}) for req in requirements(case, document)]


def _item(req: Requirement, case: Case, found: list[Inspection], generated: Drawn) -> ChecklistItem:
    if not applies(req, case):
        return ChecklistItem(req.item, False, "not_required", "Not needed for this case.", req.label)
    sent = [f for f in found if f.attachment.kind in req.kinds]
    usable = any(f.usable for f in sent)
    short = _letters_short(req, case, sent)
    if short and usable:
        return ChecklistItem(req.item, True, "missing", short, req.label)
    uncovered = uncovered_pupils(req, case, sent)
    drawn = generated.get(req.item, ())
    left = [p.full_name for p in uncovered if p not in drawn]
    if usable and not uncovered:
        return ChecklistItem(req.item, True, "satisfied", "Attached.", req.label)
    if drawn and not left:
        return ChecklistItem(req.item, True, "satisfied", "Produced by the service from the case.", req.label)
    if left and (usable or drawn):
        return ChecklistItem(
            req.item,
            True,
            "missing",
            f"No certificate shows {', '.join(left)}: attach one for each pupil"
            + (", or send their register (attendance.marks)." if drawn else "."),
            req.label,
        )
    if sent:
        codes = ", ".join(sorted({f.problem.code for f in sent if f.problem}))
        return ChecklistItem(req.item, True, "invalid", f"Attached but not usable ({codes}).", req.label)
    return ChecklistItem(req.item, True, "missing", f"Attach: {req.label}.", req.label)


def uncovered_pupils(req: Requirement, case: Case, sent: list[Inspection]) -> list[Pupil]:
    """Return the pupils no usable attendance certificate names (each pupil needs their own)."""
    if req.item != "attendance_certificate":
        return []
    usable = [f for f in sent if f.usable]
    if any(not f.text.strip() for f in usable):
        return []  # a scan cannot be read: attachment_no_text already asks for a check by eye
    return [p for p in case.pupils if not any(names_pupil(f.text, p) for f in usable)]


def _letters_short(req: Requirement, case: Case, sent: list[Inspection]) -> str:
    """Say how many letters to parents are missing: each liable parent's household gets its own letter
    (at its own address), so the council needs one copy each."""
    from service.rules.penalty_notice import households

    if not set(req.kinds) & {"refusal_letter", "holiday_letter"}:
        return ""
    homes = households(case)
    usable = sum(1 for f in sent if f.usable)
    if usable >= len(homes):
        return ""
    return (
        f"The parents responsible live at {len(homes)} addresses and each was sent a letter: attach a copy "
        f"of each ({usable} of {len(homes)} attached)."
    )


def missing(items: list[ChecklistItem]) -> list[Issue]:
    """Return an `attachment_missing` error for each required item that is not satisfied."""
    return [
        Issue("attachments", "attachment_missing", f"Missing or unusable: {i.label}.")
        for i in items
        if i.required and i.status in ("missing", "invalid")
    ]
