"""Engines behind small interfaces: PDF filling, DOCX rendering, DOCX→PDF conversion."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from dataclasses import field
from typing import Protocol

from service.engines.docx_renderer import DocxRenderer
from service.engines.pdf_filler import PdfFiller


class ConversionUnavailable(RuntimeError):
    """No DOCX→PDF converter can run here (LibreOffice missing or failing)."""


class Converter(Protocol):
    """Turns a DOCX into a PDF."""

    def convert(self, docx: bytes) -> bytes: ...

    def available(self) -> tuple[bool, str]: ...


@dataclass
class UnavailableConverter:
    """The converter when LibreOffice is not installed: PDF letters answer 503, DOCX still works."""

    reason: str = "LibreOffice (soffice) is not installed"

    def convert(self, docx: bytes) -> bytes:
        raise ConversionUnavailable(self.reason)

    def available(self) -> tuple[bool, str]:
        return False, self.reason


def libreoffice() -> Converter:
    """Return the warm LibreOffice converter (it starts LibreOffice on its first conversion)."""
    from service.engines.libreoffice import LibreOfficeConverter  # imports this module: import late

    return LibreOfficeConverter()


@dataclass
class Engines:
    """The engines one worker uses, built once by the app factory."""

    converter: Converter = field(default_factory=libreoffice)
    pdf_filler: PdfFiller = field(default_factory=lambda: PdfFiller())
    docx_renderer: DocxRenderer = field(default_factory=lambda: DocxRenderer())

    def status(self) -> dict[str, dict[str, object]]:
        """Return which engines are available, for /health."""
        ok, detail = self.converter.available()
        return {
            "pdf_filler": {"available": True, "detail": "pypdf"},
            "docx_renderer": {"available": True, "detail": "docxtpl"},
            "converter": {"available": ok, "detail": detail},
        }


def soffice_path() -> str | None:
    """Return the LibreOffice binary if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")
