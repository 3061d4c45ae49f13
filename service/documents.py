"""Produce one document from a case: validate, then fill the form (or render the letter)."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pypdf import PdfReader
from pypdf import PdfWriter
from pypdf.generic import ArrayObject
from pypdf.generic import ByteStringObject

from service import councils
from service import forms
from service.case import Attachment
from service.case import Case
from service.engines import Engines
from service.engines.libreoffice import deterministic
from service.engines.pdf_filler import FieldDoesNotFit
from service.forms._letters import recipients
from service.problems import CannotProduce
from service.problems import Problem
from service.report import Issue
from service.report import Report
from service.validation import validate

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class Rendered:
    """A produced document: its bytes, a file name that says whose it is, and its media type."""

    content: bytes
    filename: str
    media_type: str


def slug(text: str) -> str:
    """Return an ASCII file-name part: `O'Connor-Hughes` → `oconnor-hughes`, `Siân` → `sian`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-") or "x"


def filename(document_id: str, case: Case, fmt: str) -> str:
    """Return `pn3-brown-olivia-2026-10-05.pdf`: document, first pupil, absence start."""
    pupil = case.pupils[0]
    return f"{document_id}-{slug(pupil.surname)}-{slug(pupil.forename)}-{case.absence.start_date}.{fmt}"


def produce(
    document_id: str,
    data: Mapping[str, Any],
    engines: Engines,
    fmt: str = "pdf",
    flatten: bool = False,
    extra: tuple[Attachment, ...] = (),
    today: date | None = None,
    variant: str | None = None,
) -> Rendered:
    """Return the document for a case, or raise CannotProduce with the report saying why."""
    document = forms.get(document_id)
    if fmt not in document.outputs:
        raise Problem(
            400,
            "unsupported_format",
            "Unsupported format",
            f"{document_id} is produced as: {', '.join(document.outputs)}.",
        )
    if variant is not None and (not isinstance(document, forms.Letter) or variant not in document.variants):
        known = ", ".join(getattr(document, "variants", ())) or "none"
        raise Problem(400, "unknown_variant", "Unknown variant", f"{document_id} variants: {known}.")
    report, case = validate(data, document_id, extra, today)
    if not report.valid or case is None:
        raise CannotProduce(report)
    if isinstance(document, forms.Letter) and document.context is not None:
        content = write_letter(document, case, report, engines, fmt, variant)
        return Rendered(content, filename(document_id, case, fmt), MEDIA_TYPES[fmt])
    if isinstance(document, forms.GeneratedPdf) and document.build is not None:
        content = document.build(case, report.decisions or {}, case.letter_date or date.today())
        return Rendered(content, filename(document_id, case, fmt), MEDIA_TYPES[fmt])
    if not isinstance(document, forms.PdfForm) or document.fields is None:
        raise Problem(
            501,
            "document_not_available",
            "Not available yet",
            f"{document_id} is in the catalogue but this version cannot produce it yet.",
        )
    content = fill_form(document, case, report, engines, flatten)
    return Rendered(content, filename(document_id, case, fmt), MEDIA_TYPES[fmt])


def letter_input(letter: forms.Letter, case: Case, report: Report, variant: str | None) -> forms.LetterInput:
    """Return what a letter is written from: the variant the rules chose (unless named), and whether
    it goes out in Welsh too (a Welsh council, a parent who asked for Welsh)."""
    council = councils.for_case(case)
    decisions = report.decisions or {}
    if letter.variants and variant is None:
        variant = decisions.get("leave_refusal_variant")
    welsh = council.bilingual_letters and any(p.language == "cy" for p in recipients(case))
    return forms.LetterInput(case, council, decisions, case.letter_date or date.today(), variant, welsh)


def write_letter(
    letter: forms.Letter, case: Case, report: Report, engines: Engines, fmt: str, variant: str | None
) -> bytes:
    """Render the letter as DOCX, and convert it to PDF when asked."""
    inp = letter_input(letter, case, report, variant)
    assert letter.context is not None
    docx = engines.docx_renderer.render(letter.template_path(inp.variant), letter.context(inp))
    if fmt == "docx":
        return docx
    return deterministic(engines.converter.convert(docx), case.letter_date or date.today())


def sheets(form: forms.PdfForm, case: Case, report: Report, today: date) -> list[forms.Sheet]:
    """Split the pupils over as many copies of the form as its rows need: none is dropped."""
    indexed = tuple(enumerate(case.pupils))
    size = form.pupils_per_sheet
    chunks = [indexed[i : i + size] for i in range(0, len(indexed), size)]
    council = councils.for_case(case)
    return [
        forms.Sheet(case, council, report.decisions or {}, chunk, n, len(chunks), today)
        for n, chunk in enumerate(chunks, start=1)
    ]


def fill_form(form: forms.PdfForm, case: Case, report: Report, engines: Engines, flatten: bool) -> bytes:
    """Fill one copy per sheet; several copies are flattened and joined (their fields would clash)."""
    today = case.letter_date or date.today()
    copies = []
    for sheet in sheets(form, case, report, today):
        assert form.fields is not None
        values = form.fields(sheet)
        try:
            copies.append(
                engines.pdf_filler.fill(
                    form.template_path,
                    {k: v.text for k, v in values.items()},
                    flatten=flatten or _several(form, case),
                )
            )
        except FieldDoesNotFit as exc:
            path = values[exc.field_name].path
            report.errors.append(
                Issue(
                    path,
                    # The one personal-text rule's code (case/fields.py), should a value reach a form with
                    # characters its font lacks.
                    "invalid_characters" if exc.undrawable else "value_does_not_fit",
                    f"Cannot be shown in full in the form's field {exc.field_name!r}: {exc.reason}.",
                )
            )
            raise CannotProduce(report) from None
    return copies[0] if len(copies) == 1 else join(copies)


def _several(form: forms.PdfForm, case: Case) -> bool:
    return len(case.pupils) > form.pupils_per_sheet


def join(pdfs: list[bytes]) -> bytes:
    """Join flattened copies into one PDF, with an identifier derived from their bytes."""
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(PdfReader(io.BytesIO(pdf)))
    digest = hashlib.md5(b"".join(pdfs)).digest()
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    writer._info = None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
