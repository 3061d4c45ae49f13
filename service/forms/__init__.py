"""Documents as modules: each ends with `DOCUMENT = ...`, found and checked at import; `get`, `all`."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from service import councils
from service.case import Case
from service.case import Parent
from service.case import Pupil
from service.councils import WHEN  # noqa: F401 - re-exported: checklists are council data too
from service.councils import Requirement
from service.needs import NAMED  # noqa: E402 - after the imports it shares with service.needs
from service.needs import Need  # noqa: E402

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# What a document needs the rules to allow before it can be produced: `service.needs` (each a Need, a
# named check); a document lists them, and a name (the first wave's form) is read as its Need.
NEEDS = tuple(NAMED)


class NotAvailable(Exception):
    """A document in the catalogue that this version cannot produce yet."""

    def __init__(self, document_id: str) -> None:
        super().__init__(document_id)
        self.document_id = document_id


@dataclass(frozen=True)
class Job:
    """What a document is rendered from: the assessment, the document's own report, the engines and
    what the caller asked for (format, flattened, a letter's variant)."""

    assessment: Any  # service.assessment.Assessment (assessed once, read here)
    report: Any  # service.report.Report, for this document
    engines: Any  # service.engines.Engines
    fmt: str = "pdf"
    flatten: bool = False
    variant: str | None = None


class UnknownDocument(LookupError):
    """A document id the service does not know."""

    def __init__(self, document_id: str) -> None:
        super().__init__(document_id)
        self.document_id = document_id
        self.known = ids()


@dataclass(frozen=True)
class SignatureBox:
    """Where the headteacher's visible signature goes: a field of the form's template (its box), or a box
    on a page (negative pages count from the end)."""

    field: str = ""
    page: int = 0
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Document:
    """What every document declares: id, title, outputs, needs and attachments.

    Which councils take a document is the councils' data (`Council.documents`), said once there.
    """

    id: str
    title: str
    outputs: tuple[str, ...]
    needs: tuple[Need | str, ...] = ()
    attachments: tuple[Requirement, ...] = ()
    advice: tuple[str, ...] = ()  # checks that only warn (see validation._ADVICE)
    available: bool = True
    signature: SignatureBox | None = None  # None: signed without a visible signature

    def __post_init__(self) -> None:
        unknown = [n for n in self.needs if isinstance(n, str) and n not in NAMED]
        if unknown:
            raise ValueError(f"{self.id}: unknown needs {sorted(unknown)}; known: {NEEDS}")
        resolved = tuple(NAMED[n] if isinstance(n, str) else n for n in self.needs)
        object.__setattr__(self, "needs", resolved)

    @property
    def need_names(self) -> frozenset[str]:
        """Return the names of what the document needs (`penalty_notice`, `holiday` …)."""
        return frozenset(n.name for n in self.needs)  # type: ignore[union-attr]

    def render(self, job: Job) -> bytes:
        """Return the document's bytes: each kind renders itself (the hook every kind defines)."""
        raise NotAvailable(self.id)

    def describe(self) -> dict[str, object]:
        """Return the catalogue entry of the contract."""
        return {
            "id": self.id,
            "title": self.title,
            "councils": list(councils_taking(self.id)),
            "outputs": list(self.outputs),
            "available": self.available,
            "attachments": [
                {"item": r.item, "label": r.label, "kinds": list(r.kinds), "when": r.when}
                for r in self.attachments
            ],
        }


@dataclass(frozen=True)
class Value:
    """A field's value and the JSON path of the case data it comes from (named when it cannot fit)."""

    text: str | bool
    path: str


@dataclass(frozen=True)
class Sheet:
    """What one copy of a form is filled from: the case, the pupils on this copy, which copy it is."""

    case: Case
    council: councils.Council
    decisions: Any  # service.decisions.Decisions
    pupils: tuple[tuple[int, Pupil], ...]  # (index in case.pupils, pupil)
    number: int
    count: int
    today: date


@dataclass(frozen=True)
class PdfForm(Document):
    """A council's fillable PDF form: its template and the mapping from a case to its fields."""

    template: str = ""
    fields: Callable[[Sheet], dict[str, Value]] | None = None
    pupils_per_sheet: int = 1
    # Lines a copy's box of penalty notices holds, one per liable parent × pupil (None: the form has a row
    # per pupil instead): a copy then takes fewer pupils when more parents are liable.
    pairs_per_sheet: int | None = None

    def sheet_size(self, case: Case) -> int:
        """Return how many pupils one copy takes: its rows, fewer when its notices would not all show."""
        if self.pairs_per_sheet is None:
            return self.pupils_per_sheet
        from service.rules.penalty_notice import liable_parents

        parents = max(1, len(liable_parents(case)))
        return max(1, min(self.pupils_per_sheet, self.pairs_per_sheet // parents))

    @property
    def template_path(self) -> Path:
        """Return the template's path in templates/pdf/."""
        return TEMPLATES / "pdf" / self.template

    def render(self, job: Job) -> bytes:
        """Fill the form, one copy per sheet of pupils."""
        if self.fields is None:
            raise NotAvailable(self.id)
        from service.documents import fill_form

        return fill_form(self, job.assessment.case, job.report, job.engines, job.flatten)


@dataclass(frozen=True)
class LetterInput:
    """What one letter's context is built from: the case narrowed to the pupils this letter is about
    (with their own attendance), the parents it is addressed to (one household, at their address)."""

    case: Case
    council: councils.Council
    decisions: Any  # service.decisions.Decisions
    today: date
    variant: str | None
    welsh: bool
    recipients: tuple[Parent, ...] = ()
    pupil_indexes: tuple[int, ...] = ()  # in the whole case's pupils (for their decisions)


@dataclass(frozen=True)
class Letter(Document):
    """A letter: a DOCX template (one per variant when it has variants) and its context."""

    template: str = ""  # may hold "{variant}"
    context: Callable[[LetterInput], dict[str, Any]] | None = None
    variants: tuple[str, ...] = ()
    per_pupil: bool = False  # True: one letter per child (it prints that child's own figures)

    def template_path(self, variant: str | None = None) -> Path:
        """Return the DOCX template for a variant, in templates/docx/."""
        return TEMPLATES / "docx" / self.template.format(variant=variant)

    def render(self, job: Job) -> bytes:
        """Write one letter per household of liable parents (and per child or variant), in one file."""
        if self.context is None:
            raise NotAvailable(self.id)
        from service.documents import write_letter

        return write_letter(self, job.assessment, job.engines, job.fmt, job.variant)


@dataclass(frozen=True)
class GeneratedPdf(Document):
    """A PDF drawn from the case itself (no template to fill), such as the attendance certificate."""

    build: Callable[[Case, Any, date], bytes] | None = None

    def render(self, job: Job) -> bytes:
        """Draw the PDF from the case."""
        if self.build is None:
            raise NotAvailable(self.id)
        return self.build(job.assessment.case, job.assessment.decisions, job.assessment.today)


def _discover() -> dict[str, Document]:
    found: dict[str, Document] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue  # helpers shared by the forms, not documents
        module = importlib.import_module(f"{__name__}.{info.name}")
        document = getattr(module, "DOCUMENT", None)
        if not isinstance(document, Document):
            raise TypeError(f"{module.__name__} must end with DOCUMENT = <a Document>")
        if document.id.replace("-", "_") != info.name:
            raise ValueError(f"{module.__name__} declares id {document.id!r}: name them alike")
        if document.id in found:
            raise ValueError(f"document id {document.id!r} is declared twice")
        found[document.id] = document
    return found


_REGISTRY: dict[str, Document] = {}


def _registry() -> dict[str, Document]:
    if not _REGISTRY:
        _REGISTRY.update(_discover())
    return _REGISTRY


def get(document_id: str) -> Document:
    """Return a document by id, or raise UnknownDocument naming the known ones."""
    try:
        return _registry()[document_id]
    except KeyError:
        raise UnknownDocument(document_id) from None


def all() -> tuple[Document, ...]:  # noqa: A001 - the registry's verb
    """Return every document, in id order."""
    return tuple(sorted(_registry().values(), key=lambda d: d.id))


def ids() -> tuple[str, ...]:
    """Return every document id, sorted."""
    return tuple(sorted(_registry()))


def councils_taking(document_id: str) -> tuple[str, ...]:
    """Return the ids of the councils that take a document."""
    return tuple(c.id for c in councils.all() if c.accepts(document_id))
