"""The pipeline's third step: produce one document from an assessed case (`produce`); each document kind
renders itself (`forms.Document.render`), with the form filler, the letters and the joining helpers here."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from typing import Any

from pypdf import PdfReader
from pypdf import PdfWriter
from pypdf.generic import ArrayObject
from pypdf.generic import ByteStringObject

from service import councils
from service import forms
from service.assessment import Assessment
from service.assessment import evaluate
from service.case import Attachment
from service.case import Case
from service.engines import Engines
from service.engines.libreoffice import deterministic
from service.engines.pdf_filler import FieldDoesNotFit
from service.forms._letters import absence_sessions
from service.problems import CannotProduce
from service.problems import Problem
from service.report import Issue
from service.report import Report
from service.rules.penalty_notice import households

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
    assessment: Assessment | Mapping[str, Any],
    engines: Engines,
    fmt: str = "pdf",
    flatten: bool = False,
    variant: str | None = None,
    extra: tuple[Attachment, ...] = (),
    today: date | None = None,
) -> Rendered:
    """Return one document of an assessed case, or raise CannotProduce with the document's report.

    A case as sent (a mapping, with `extra` attachments and `today`) is assessed here first, once.
    """
    document = forms.get(document_id)
    if not isinstance(assessment, Assessment):
        assessment = evaluate(assessment, extra, today)
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
    report = assessment.for_document(document)
    if not report.valid or assessment.case is None:
        raise CannotProduce(report)
    content = document.render(forms.Job(assessment, report, engines, fmt, flatten, variant))
    return Rendered(content, filename(document_id, assessment.case, fmt), MEDIA_TYPES[fmt])


def pupil_groups(
    letter: forms.Letter, assessment: Assessment, variant: str | None
) -> list[tuple[tuple[int, ...], str | None]]:
    """Return the pupils of each letter, with its variant: one letter per child for letters that print a
    child's own figures; otherwise siblings share a letter when they share its variant and its figures (a
    family letter never tells a parent a notice may follow for a child who cannot get one, nor prints one
    child's sessions for another)."""
    case, decisions = assessment.case, assessment.decisions
    assert case is not None and decisions is not None
    if letter.per_pupil:
        return [((n,), variant) for n in range(len(case.pupils))]
    groups: dict[tuple[str | None, int], list[int]] = {}
    for p in decisions.pupils:
        chosen = variant if variant is not None or not letter.variants else p.leave_refusal_variant
        groups.setdefault((chosen, absence_sessions(case, case.pupils[p.index])), []).append(p.index)
    return [(tuple(indexes), chosen) for (chosen, _), indexes in groups.items()]


def letter_inputs(
    letter: forms.Letter, assessment: Assessment, variant: str | None
) -> list[forms.LetterInput]:
    """Return one input per letter: each household of liable parents × each group of pupils."""
    case, council = assessment.case, assessment.council
    assert case is not None and council is not None
    out = []
    for home in households(case):
        welsh = council.bilingual_letters and any(p.language == "cy" for p in home)
        for indexes, chosen in pupil_groups(letter, assessment, variant):
            pupils = tuple(case.pupils[n] for n in indexes)
            attendance = case.attendance_of(pupils[0]) if letter.per_pupil else case.attendance
            narrowed = replace(case, pupils=pupils, attendance=attendance)
            out.append(
                forms.LetterInput(
                    narrowed, council, assessment.decisions, assessment.today, chosen, welsh, home, indexes
                )
            )
    return out


def write_letter(
    letter: forms.Letter, assessment: Assessment, engines: Engines, fmt: str, variant: str | None
) -> bytes:
    """Render every letter (DOCX), in one file: a DOCX of one letter per page run, or one PDF."""
    assert letter.context is not None
    docs = [
        engines.docx_renderer.render(letter.template_path(inp.variant), letter.context(inp))
        for inp in letter_inputs(letter, assessment, variant)
    ]
    if fmt == "docx":
        return docs[0] if len(docs) == 1 else compose(docs)
    pdfs = [deterministic(engines.converter.convert(doc), assessment.today) for doc in docs]
    return pdfs[0] if len(pdfs) == 1 else join(pdfs)


def compose(docs: list[bytes]) -> bytes:
    """Return one DOCX holding each letter, each starting on a new page (docxcompose keeps styles,
    numbering and images of every part)."""
    import docx
    from docx.enum.text import WD_BREAK
    from docxcompose.composer import Composer

    master = docx.Document(io.BytesIO(docs[0]))
    composer = Composer(master)
    for doc in docs[1:]:
        master.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        composer.append(docx.Document(io.BytesIO(doc)))
    out = io.BytesIO()
    composer.save(out)
    return out.getvalue()


def sheets(form: forms.PdfForm, case: Case, report: Report, today: date) -> list[forms.Sheet]:
    """Split the pupils over as many copies of the form as its rows need: none is dropped."""
    indexed = tuple(enumerate(case.pupils))
    size = form.sheet_size(case)
    chunks = [indexed[i : i + size] for i in range(0, len(indexed), size)]
    council = councils.for_case(case)
    return [
        forms.Sheet(case, council, report.decisions, chunk, n, len(chunks), today)
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
    return len(case.pupils) > form.sheet_size(case)


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
