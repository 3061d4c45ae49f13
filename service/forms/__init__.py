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
from service.case import Pupil
from service.councils import WHEN  # noqa: F401 - re-exported: checklists are council data too
from service.councils import Requirement

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# What a document needs the rules to allow before it can be produced (see documents.blocking_issues).
NEEDS = (
    "penalty_notice",
    "notice_to_improve",
    "holiday",
    "irregular",
    "marks",
    "attendance",
    "class_average",
    "leave_not_authorised",
)


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
    needs: tuple[str, ...] = ()
    attachments: tuple[Requirement, ...] = ()
    advice: tuple[str, ...] = ()  # checks that only warn (see validation._ADVICE)
    available: bool = True
    signature: SignatureBox | None = None  # None: signed without a visible signature

    def __post_init__(self) -> None:
        unknown = set(self.needs) - set(NEEDS)
        if unknown:
            raise ValueError(f"{self.id}: unknown needs {sorted(unknown)}; known: {NEEDS}")

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
    decisions: dict[str, Any]
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

    @property
    def template_path(self) -> Path:
        """Return the template's path in templates/pdf/."""
        return TEMPLATES / "pdf" / self.template


@dataclass(frozen=True)
class LetterInput:
    """What a letter's context is built from."""

    case: Case
    council: councils.Council
    decisions: dict[str, Any]
    today: date
    variant: str | None
    welsh: bool


@dataclass(frozen=True)
class Letter(Document):
    """A letter: a DOCX template (one per variant when it has variants) and its context."""

    template: str = ""  # may hold "{variant}"
    context: Callable[[LetterInput], dict[str, Any]] | None = None
    variants: tuple[str, ...] = ()

    def template_path(self, variant: str | None = None) -> Path:
        """Return the DOCX template for a variant, in templates/docx/."""
        return TEMPLATES / "docx" / self.template.format(variant=variant)


@dataclass(frozen=True)
class GeneratedPdf(Document):
    """A PDF drawn from the case itself (no template to fill), such as the attendance certificate."""

    build: Callable[[Case, dict[str, Any], date], bytes] | None = None


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
