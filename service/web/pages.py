"""What the report page shows, built from the domain's answers (validation, rules, checklist): no HTML.

Every error and warning gets a link to where it is on the page: the summary row of its JSON path (or the
nearest row above it), or the file input of a missing attachment, as the GOV.UK error summary asks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from service import councils
from service import forms
from service.assessment import Assessment
from service.assessment import evaluate
from service.bundles import request_document
from service.case import Attachment
from service.problems import Problem
from service.report import ChecklistItem
from service.report import Issue
from service.web import history
from service.web import notes as council_notes
from service.web import outcome
from service.web import summary
from service.web import words
from service.web.state import KIND_LABELS

TASK_STATUS = {
    "satisfied": "done",
    "missing": "missing",
    "invalid": "invalid",
    "not_required": "not_required",
}
# What stops a council's form because of one person on it (the other pupils could still be referred).
PERSON_BARS = ("below_compulsory_school_age", "above_compulsory_school_age", "looked_after_child")
FIX_FIRST = _l("Correct the problems listed at the top of the page first.")
NO_FORM = _l(
    "No penalty-notice request form of this council fits the case (check the absence type and the rules)."
)


@dataclass(frozen=True)
class Link:
    """An error or warning as the error summary lists it: its text and where on the page it points."""

    text: str
    href: str
    code: str


@dataclass(frozen=True)
class Task:
    """One checklist item as a task-list row."""

    title: str
    hint: str
    status: str  # done | missing | invalid | not_required
    href: str | None


@dataclass(frozen=True)
class AttachmentEntry:
    """One attachment: what it is, whether it is usable, and (when uploaded on the pages) its position."""

    anchor: str
    label: str
    filename: str
    size: str
    status: str
    problem: bool
    remove_index: int | None


@dataclass(frozen=True)
class DocumentChoice:
    """A document the council takes: the formats offered for this case, or why it cannot be produced."""

    id: str
    title: str
    outputs: tuple[str, ...]
    reasons: tuple[str, ...]
    note: str = ""

    @property
    def available(self) -> bool:
        """Return whether the case can produce it."""
        return not self.reasons


@dataclass(frozen=True)
class ReportPage:
    """Everything the report page shows."""

    council: str
    errors: tuple[Link, ...]
    description: str
    warnings: tuple[Link, ...]
    outcome: outcome.Outcome | None
    request_form: str | None
    tasks: tuple[Task, ...]
    cards: tuple[summary.Card, ...]
    attachments: tuple[AttachmentEntry, ...]
    documents: tuple[DocumentChoice, ...]
    bundle_reasons: tuple[str, ...] = field(default=())
    history: history.Form | None = None
    rules: str = ""  # whose rules the case is checked under (a council with no file: its national ones)


def report(
    data: Mapping[str, Any],
    uploaded: tuple[Attachment, ...],
    pdf_letters: bool,
    failure: Problem | None = None,
    too_big: str | None = None,
    entered: history.Form | None = None,
) -> ReportPage:
    """Return the report page of a case: the report for the council's request form when one fits."""
    base = evaluate(data, uploaded)
    form = request_document(base, None)
    done = base.for_document(form) if form else base.report
    checklist = done.checklist
    cards, anchors = summary.cards(data, _attachment_count(data) + len(uploaded))
    own = _issue_links(_named(done.errors, base), anchors, data) + _checklist_links(checklist, form)
    if too_big:
        own.append(Link(too_big, "#case-attachments", "request_too_large"))
    missing = any(i.required and i.status in ("missing", "invalid") for i in checklist) if form else False
    blocked = () if form else _blocked_forms(base, anchors, data)
    own += blocked  # the council's form refused because of one person: an error summary names them
    found = (
        outcome.build(
            data,
            base.case,
            base.council,
            base.decisions,
            outcome.Context(
                bool(done.errors), missing, words.title(form.id) if form else None, _blocked_people(blocked)
            ),
        )
        if base.case is not None and base.council is not None and base.decisions is not None
        else None
    )
    failure_links = _failure_links(failure, anchors, data)
    if entered is not None:  # what the officer typed into the history form and must correct, first
        failure_links = [Link(t, f"#{f}", "history_entry") for f, t in entered.links] + failure_links
    if blocked:  # "no form fits" says nothing an officer can act on: the blocked links say who and why
        failure_links = [link for link in failure_links if link.code != "no_request_document"]
    return ReportPage(
        council=base.council.name if base.council else _council_name(data),
        rules=council_notes.rules_applied(base.council) if base.council else "",
        errors=tuple(dict.fromkeys(failure_links + own)),
        description=_describe(failure),
        warnings=tuple(_issue_links(done.warnings, anchors, data)),
        outcome=found,
        request_form=words.title(form.id) if form else None,
        tasks=tuple(_task(item, form) for item in checklist) if form else (),
        cards=cards,
        attachments=_attachments(base, data, uploaded),
        documents=_documents(base, pdf_letters, data),
        bundle_reasons=tuple(dict.fromkeys(link.text for link in own)) or (() if form else (str(NO_FORM),)),
        history=entered,
    )


def _blocked_forms(base: Assessment, anchors: Mapping[str, str], data: Mapping[str, Any]) -> tuple[Link, ...]:
    """Return why each of the council's request forms cannot be filled, by person (a child under five on
    the PN3), when none fits the case: the bundle's refusal says who and why, not only "no form"."""
    if base.case is None or base.council is None or base.decisions is None:
        return ()
    links = []
    for document_id in base.council.documents:
        document = forms.get(document_id)
        if isinstance(document, forms.PdfForm):
            links += [
                Link(words.issue(data, i.path, i.code, i.message), resolve(i.path, anchors), i.code)
                for i in base.blocking(document)
                if i.code in PERSON_BARS
            ]
    return tuple(dict.fromkeys(links))


def _blocked_people(blocked: tuple[Link, ...]) -> tuple[str, ...]:
    return tuple(link.text for link in blocked)


def welsh_council(data: Mapping[str, Any]) -> bool:
    """Return whether the case belongs to a council in Wales (its pages then default to Welsh)."""
    council, details = data.get("council"), data.get("council_details")
    if isinstance(council, str) and council in councils.ids():
        return councils.get(council).country == "wales"
    return isinstance(details, Mapping) and details.get("country") == "wales"  # a council with no file


def _council_name(data: Mapping[str, Any]) -> str:
    council = data.get("council")
    return councils.get(council).name if isinstance(council, str) and council in councils.ids() else ""


def _attachment_count(data: Mapping[str, Any]) -> int:
    inline = data.get("attachments")
    return len(inline) if isinstance(inline, list) else 0


def resolve(path: str, anchors: Mapping[str, str]) -> str:
    """Return the anchor of a JSON path's row, or of the nearest row above it, or the summary's top."""
    while path:
        if path in anchors:
            return "#" + anchors[path]
        parent = re.sub(r"(\.[^.\[\]]*|\[\d*\]|^[^.\[\]]+)$", "", path)
        path = parent if parent != path else ""  # a path of no known shape: the top of the summary
    return "#case-summary"


def _issue_links(issues: list[Issue], anchors: Mapping[str, str], data: Mapping[str, Any]) -> list[Link]:
    return [
        Link(words.issue(data, i.path, i.code, i.message), resolve(i.path, anchors), i.code) for i in issues
    ]


def _named(issues: list[Issue], done: Assessment) -> list[Issue]:
    """Say which file an attachment's issue is about: `bad.pdf: This file is not a PDF…`."""
    names = {
        f"attachments[{f.index}]": f.attachment.filename or KIND_LABELS[f.attachment.kind]
        for f in done.inspections
    }
    return [Issue(i.path, i.code, f"{names[i.path]}: {i.message}") if i.path in names else i for i in issues]


def _failure_links(
    failure: Problem | None, anchors: Mapping[str, str], data: Mapping[str, Any]
) -> list[Link]:
    if failure is None:
        return []
    found = [
        Link(words.issue(data, e["path"], e["code"], e["message"]), resolve(e["path"], anchors), e["code"])
        for e in failure.extra.get("errors", [])
    ]
    return found or [Link(failure.detail or failure.title, "#downloads", failure.code)]


def _describe(failure: Problem | None) -> str:
    if failure is None:
        return ""
    return _("%(title)s. Nothing was downloaded.", title=failure.title)


def _input_for(item: ChecklistItem, form: forms.PdfForm | None) -> str:
    kinds = next((r.kinds for r in (form.attachments if form else ()) if r.item == item.item), ())
    return "#" + (kinds[0] if kinds else "other")


def _checklist_links(checklist: list[ChecklistItem], form: forms.PdfForm | None) -> list[Link]:
    links = []
    for item in checklist:
        label = re.sub(r"^\d+\.\s*", "", item.label).rstrip(".")
        if item.required and item.status == "missing":
            links.append(
                Link(_("Missing: %(item)s", item=label), _input_for(item, form), "attachment_missing")
            )
        elif item.required and item.status == "invalid":
            links.append(Link(f"{label}: {item.message}", _input_for(item, form), "attachment_missing"))
    return links


def _task(item: ChecklistItem, form: forms.PdfForm | None) -> Task:
    status = TASK_STATUS.get(item.status, "missing")
    href = _input_for(item, form) if status in ("missing", "invalid") else None
    return Task(item.label, item.message, status, href)


def _attachments(done: Assessment, data: Mapping[str, Any], uploaded: tuple[Attachment, ...]) -> tuple:
    inline = _attachment_count(data)
    found = {f.index: f for f in done.inspections}
    entries = []
    for index in range(inline + len(uploaded)):
        inspection = found.get(index)
        attachment = uploaded[index - inline] if index >= inline else None
        if inspection is not None:
            attachment = inspection.attachment
        if attachment is None:
            continue  # inline attachment of a case that did not load: its row is in the summary's errors
        status, bad = _attachment_status(inspection)
        entries.append(
            AttachmentEntry(
                anchor=summary.anchor(f"attachments[{index}]"),
                label=KIND_LABELS.get(attachment.kind, attachment.kind),
                filename=attachment.filename or _("(no file name)"),
                size=_size(len(attachment.content)),
                status=status,
                problem=bad,
                remove_index=index - inline if index >= inline else None,
            )
        )
    return tuple(entries)


def _attachment_status(inspection: Any) -> tuple[str, bool]:
    if inspection is None:
        return _("Not checked yet: correct the case first."), False
    if inspection.problem:
        return inspection.problem.message, True
    pages = _("PDF, %(count)s pages.", count=inspection.pages) if inspection.pages != 1 else _("PDF, 1 page.")
    notes = " ".join(n.message for n in inspection.notes)
    return f"{pages} {notes}".strip(), False


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _documents(base: Assessment, pdf_letters: bool, data: Mapping[str, Any]) -> tuple[DocumentChoice, ...]:
    """Return each document the council takes, with the formats this case can have it in, or why not."""
    if base.case is None or base.council is None or base.decisions is None:
        return ()
    out = []
    for document_id in base.council.documents:
        document = forms.get(document_id)
        reasons = tuple(
            dict.fromkeys(words.issue(data, i.path, i.code, i.message) for i in base.blocking(document))
        )
        if base.report.errors:
            reasons += (str(FIX_FIRST),)
        if not document.available:
            reasons += (_("This version of the service cannot produce it yet."),)
        outputs, note = _outputs(document, pdf_letters)
        out.append(DocumentChoice(document.id, words.title(document.id), outputs, reasons, note))
    return tuple(out)


def _outputs(document: forms.Document, pdf_letters: bool) -> tuple[tuple[str, ...], str]:
    if isinstance(document, forms.Letter) and not pdf_letters and "pdf" in document.outputs:
        outputs = tuple(o for o in document.outputs if o != "pdf")
        return outputs, _("PDF needs LibreOffice, which this server does not have: download the DOCX.")
    return document.outputs, ""
