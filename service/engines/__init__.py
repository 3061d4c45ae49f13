"""Engines behind small interfaces: PDF filling, DOCX rendering, DOCX→PDF conversion, signing."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Protocol

from service.engines.docx_renderer import DocxRenderer
from service.engines.pdf_filler import PdfFiller
from service.engines.signatures import Signer
from service.engines.signatures import TrustStore
from service.engines.signatures import UnavailableSigner


class ConversionUnavailable(RuntimeError):
    """No DOCX→PDF converter can run here (LibreOffice missing or failing)."""


class ConverterEvents(Protocol):
    """What a converter reports as it works (service.observability.Metrics implements it)."""

    def queue_changed(self, depth: int) -> None: ...

    def conversion_shed(self) -> None: ...

    def libreoffice_restarted(self, reason: str) -> None: ...


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
    signer: Signer = field(default_factory=UnavailableSigner)  # the school's certificate, when configured
    trust: TrustStore = field(
        default_factory=TrustStore
    )  # the certificates a council trusts, when configured

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Engines:
        """Return the engines the settings ask for; a bad signing or trust setting raises
        SigningSettingsError, which stops the start."""
        from service.engines import signatures

        signer = signatures.from_settings(
            settings.get("SIGNING_PKCS12"),
            settings.get("SIGNING_PASSPHRASE"),
            settings.get("SIGNING_TSA_URL"),
        )
        trust_dirs = [p for p in str(settings.get("TRUST_DIR") or "").split(":") if p]
        trust = signatures.load_trust(trust_dirs) if trust_dirs else TrustStore()
        if settings.get("ACTIVE_CONTENT", "refuse") not in ("refuse", "remove"):
            raise signatures.SigningSettingsError("ATTENDANCE_ACTIVE_CONTENT must be refuse or remove")
        return cls(signer=signer, trust=trust)

    def status(self, board: str | None = None) -> dict[str, dict[str, object]]:
        """Return which engines are available, for /health; the converter's from the processes that
        convert (`board`: where they publish their state, see LibreOfficeConverter.publish), else this
        process's own."""
        signs, how = self.signer.available()
        return {
            "pdf_filler": {"available": True, "detail": "pypdf"},
            "docx_renderer": {"available": True, "detail": "docxtpl"},
            "converter": self.converter_status(board),
            "signer": {"available": signs, "detail": how},
            "trust": {
                "available": self.trust.configured,
                "detail": f"{len(self.trust.roots)} trusted certificates, {len(self.trust.crls)} CRLs"
                if self.trust.configured
                else "no trust folder configured (ATTENDANCE_TRUST_DIR)",
            },
        }


    def converter_status(self, board: str | None = None) -> dict[str, object]:
        """Return the converters' real state: `processes` (one per converting process: warm, cold, dead,
        failed or unavailable), `available` (one of them can convert now or start LibreOffice to), and a
        summary `state`: their one state when they agree, else degraded (or unavailable: none can)."""
        from service.engines.libreoffice import CAN_CONVERT
        from service.engines.libreoffice import board_states

        if board:
            processes = board_states(board)
        elif hasattr(self.converter, "state"):
            processes = [self.converter.state()]
        else:
            ok, why = self.converter.available()
            processes = [{"state": "cold" if ok else "unavailable", "detail": why}]
        usable = sum(p.get("state") in CAN_CONVERT for p in processes)
        states = sorted({str(p.get("state")) for p in processes})
        if len(processes) == 1:
            detail = str(processes[0].get("detail"))
        elif processes:
            counts = ", ".join(f"{sum(p.get('state') == s for p in processes)} {s}" for s in states)
            details = sorted({str(p.get("detail")) for p in processes if p.get("state") != "warm"})
            detail = f"{len(processes)} LibreOffice processes: {counts}" + "".join(f"; {d}" for d in details)
        else:
            detail = "no converting worker is running"
        summary = states[0] if len(states) == 1 else "degraded" if usable else "unavailable"
        return {
            "available": usable > 0,
            "detail": detail,
            "state": summary,
            "processes": processes,
        }


def soffice_path() -> str | None:
    """Return the LibreOffice binary if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")
