"""The signing engine: PAdES signatures on PDFs and detached CMS signatures on other files, made with the
school's certificate (PKCS#12) through pyHanko, and checked against a trust store. It knows no council,
form or case: callers say where a visible signature goes and what it shows.

PAdES: ETSI EN 319 142-1 (baseline B-B, or B-T with an RFC 3161 timestamp). The signature dictionary uses
/ETSI.CAdES.detached, which Acrobat Reader, poppler's pdfsig and pyHanko all read.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Protocol

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from pypdf import PdfReader
from pypdf import PdfWriter
from pypdf.generic import ArrayObject
from pypdf.generic import DecodedStreamObject
from pypdf.generic import DictionaryObject
from pypdf.generic import FloatObject
from pypdf.generic import NameObject
from pypdf.generic import NumberObject
from pypdf.generic import TextStringObject

from service.engines.pdf_font import RESOURCE_NAME
from service.engines.pdf_font import Font
from service.limits import TimeLimitExceeded

FIELD_NAME = "SchoolSignature"
KEY_USAGES = {"non_repudiation", "digital_signature"}  # either will do: schools' certificates differ


class SigningUnavailable(RuntimeError):
    """No signing certificate is configured here."""


class TimestampUnavailable(SigningUnavailable):
    """The configured timestamping authority did not answer: nothing is sent unstamped."""


class SignatureUnreadable(ValueError):
    """A PDF or signature container that cannot be parsed."""


class SigningSettingsError(ValueError):
    """The signing settings are wrong: the service must not start with them."""


@dataclass(frozen=True)
class Spot:
    """Where a visible signature goes: a page (negative counts from the end) and a box in points."""

    page: int
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 from the page's lower left corner


@dataclass(frozen=True)
class Visible:
    """A visible signature: where, and the lines it shows (who signed, in what role, when)."""

    spot: Spot
    lines: tuple[str, ...]


class Signer(Protocol):
    """Signs PDFs (PAdES) and other bytes (detached CMS)."""

    def sign_pdf(
        self, pdf: bytes, at: datetime, visible: Visible | None = None, reason: str = ""
    ) -> bytes: ...

    def sign_detached(self, data: bytes, at: datetime) -> bytes: ...

    def available(self) -> tuple[bool, str]: ...


@dataclass
class UnavailableSigner:
    """No certificate configured: bundles are made unsigned and verify says `signature_missing`."""

    reason: str = "no signing certificate configured (ATTENDANCE_SIGNING_PKCS12)"

    def sign_pdf(self, pdf: bytes, at: datetime, visible: Visible | None = None, reason: str = "") -> bytes:
        raise SigningUnavailable(self.reason)

    def sign_detached(self, data: bytes, at: datetime) -> bytes:
        raise SigningUnavailable(self.reason)

    def available(self) -> tuple[bool, str]:
        return False, self.reason


class PadesSigner:
    """Signs with a key and certificate from a PKCS#12 file, optionally timestamped by a TSA."""

    def __init__(self, pkcs12: bytes, passphrase: bytes | None, tsa_url: str | None = None) -> None:
        from pyhanko.sign import signers

        try:
            loaded = signers.SimpleSigner.load_pkcs12_data(pkcs12, (), passphrase=passphrase)
        except ValueError:
            raise SigningSettingsError(
                "the PKCS#12 file cannot be opened: wrong passphrase, or not a PKCS#12 file"
            ) from None
        if loaded.signing_key is None or loaded.signing_cert is None:
            raise SigningSettingsError("the PKCS#12 file holds no key and certificate")
        self._signer = _pyhanko().KeptKeySigner(
            signing_cert=loaded.signing_cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
        )
        self.tsa_url = tsa_url
        self.font = Font()

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self._signer.signing_cert

    @property
    def subject(self) -> str:
        return self.certificate.subject.human_friendly

    def available(self) -> tuple[bool, str]:
        stamp = f", timestamps from {self.tsa_url}" if self.tsa_url else ""
        return True, f"pyHanko, PAdES as {self.subject}{stamp}"

    def _timestamper(self):  # noqa: ANN202 - pyHanko's type, imported late
        if not self.tsa_url:
            return None
        from pyhanko.sign.timestamps import HTTPTimeStamper

        return HTTPTimeStamper(self.tsa_url, timeout=10)

    def sign_pdf(self, pdf: bytes, at: datetime, visible: Visible | None = None, reason: str = "") -> bytes:
        """Return the PDF with an approval signature added as an incremental update (the signed bytes
        are the original bytes, plus the signature field). Same input and time give the same bytes
        (RSA keys, no timestamp)."""
        from pyhanko.sign import fields
        from pyhanko.sign.signers import PdfSignatureMetadata
        from pyhanko.stamp import NoOpStampStyle

        if visible is not None:
            pdf = _with_field(pdf, visible, self.font)
        meta = PdfSignatureMetadata(
            field_name=FIELD_NAME,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason or None,
        )
        signer = _pyhanko().AtTime(
            meta,
            self._signer,
            at=at,
            timestamper=self._timestamper(),
            stamp_style=NoOpStampStyle(),  # keep the appearance drawn by _with_field
            new_field_spec=None if visible else fields.SigFieldSpec(FIELD_NAME),
        )
        writer = _pyhanko().Writer(io.BytesIO(pdf), at)
        with _stamped():
            out = signer.sign_pdf(writer, existing_fields_only=visible is not None)
        return out.getvalue()

    def sign_detached(self, data: bytes, at: datetime) -> bytes:
        """Return a detached CMS SignedData (DER) over the bytes: `openssl cms -verify` reads it too."""
        from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

        coro = self._signer.async_sign_general_data(
            data,
            "sha256",
            detached=True,
            timestamper=self._timestamper(),
            signed_attr_settings=PdfCMSSignedAttributes(signing_time=at),
        )
        with _stamped():
            return asyncio.run(coro).dump()


@contextmanager
def _stamped() -> Iterator[None]:
    """Turn a TSA failure (pyHanko's TimestampRequestError, an OSError) into TimestampUnavailable."""
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    try:
        yield
    except TimestampRequestError:
        logging.getLogger(__name__).warning("timestamping authority unavailable")
        raise TimestampUnavailable("the timestamping authority did not answer") from None


@cache
def _pyhanko() -> SimpleNamespace:
    """pyHanko subclasses that make signing deterministic, built on first use (pyHanko takes most of a
    second to import, which the CLI and the pages need not pay)."""
    import dataclasses

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.metadata.model import DocumentMetadata
    from pyhanko.sign.signers import PdfSigner
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class AtTime(PdfSigner):
        """pyHanko's signer with the signing time given rather than read from the clock."""

        def __init__(self, *args: object, at: datetime, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._at = at

        def init_signing_session(self, pdf_out, existing_fields_only=False):  # noqa: ANN001, ANN202
            session = super().init_signing_session(pdf_out, existing_fields_only)
            session.system_time = self._at
            return session

    class Writer(IncrementalPdfFileWriter):
        """An incremental writer whose new document ID is derived from the content, not random (the first
        ID is kept, as ISO 32000 asks), and whose /ModDate is the signing time."""

        def __init__(self, stream: io.BytesIO, at: datetime) -> None:
            super().__init__(stream, strict=False)
            self._meta = FixedMeta.of(self._meta, at)

        @classmethod
        def _handle_id(cls, prev):  # noqa: ANN001, ANN206
            prev.stream.seek(0)
            digest = hashlib.sha256(prev.stream.read()).digest()
            try:
                first, _ = prev.trailer["/ID"]
                if isinstance(first, generic.TextStringObject):
                    first = generic.ByteStringObject(first.original_bytes)
            except (KeyError, ValueError, TypeError):
                first = generic.ByteStringObject(digest[:16])
            return generic.ArrayObject([first, generic.ByteStringObject(digest[16:])])

    class FixedMeta(DocumentMetadata):
        """Document metadata reading "now" (which pyHanko's writer sets before writing) as a fixed time."""

        at: datetime | None = None

        @classmethod
        def of(cls, meta: DocumentMetadata, at: datetime) -> FixedMeta:
            fixed = cls(**{f.name: getattr(meta, f.name) for f in dataclasses.fields(meta)})
            fixed.at = at
            fixed.last_modified = "now"
            return fixed

        def __setattr__(self, name: str, value: object) -> None:
            if name == "last_modified" and value == "now" and getattr(self, "at", None) is not None:
                value = self.at
            super().__setattr__(name, value)

    class KeptKeySigner(SimpleSigner):
        """pyHanko's in-memory signer, keeping the key loaded: SimpleSigner parses (and so validates) the
        key for every signature, about 40 ms for RSA-2048, several times a bundle."""

        def __init__(self, **kwargs: object) -> None:
            super().__init__(**kwargs)
            self._key = serialization.load_der_private_key(self.signing_key.dump(), password=None)

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, RSAPrivateKey):
                return self._key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
            return super().sign_raw(data, digest_algorithm)  # other key types: pyHanko's own path

    return SimpleNamespace(AtTime=AtTime, Writer=Writer, KeptKeySigner=KeptKeySigner)


LINE_SIZE = 7.0
PAD = 2.0


def _with_field(pdf: bytes, visible: Visible, font: Font) -> bytes:
    """Add an empty signature field whose widget shows the given lines in the form font, as an incremental
    update: pyHanko then signs that field and keeps its appearance (no random resource names, every
    character the form font has)."""
    reader = PdfReader(io.BytesIO(pdf), strict=False)
    writer = PdfWriter(reader, incremental=True)
    pages = writer.pages
    index = visible.spot.page % len(pages)
    page = pages[index]
    x1, y1, x2, y2 = visible.spot.box
    width, height = x2 - x1, y2 - y1
    lines = [line for line in visible.lines if line]
    missing = {c for line in lines for c in font.missing(line)}
    lines = ["".join("?" if c in missing else c for c in line) for line in lines]
    size = _fit(lines, font, width - 2 * PAD, height - 2 * PAD)
    stream = DecodedStreamObject()
    stream.set_data(_appearance(lines, font, size, width, height))
    stream.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(
                [FloatObject(0), FloatObject(0), FloatObject(width), FloatObject(height)]
            ),
            NameObject("/Resources"): DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject(RESOURCE_NAME): font.add_to(writer)})}
            ),
        }
    )
    widget = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Sig"),
            NameObject("/T"): TextStringObject(FIELD_NAME),
            NameObject("/F"): NumberObject(4),  # printed
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (x1, y1, x2, y2)]),
            NameObject("/P"): page.indirect_reference,
            NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(stream)}),
        }
    )
    ref = writer._add_object(widget)
    annots = page.get("/Annots")
    annots = ArrayObject(list(annots.get_object()) if annots is not None else [])
    annots.append(ref)
    page[NameObject("/Annots")] = annots
    root = writer._root_object
    form = root.get("/AcroForm")
    form = form.get_object() if form is not None else DictionaryObject()
    fields_ = ArrayObject(list(form.get("/Fields", ArrayObject())))
    fields_.append(ref)
    form[NameObject("/Fields")] = fields_
    form[NameObject("/SigFlags")] = NumberObject(3)  # signatures exist; append only
    root[NameObject("/AcroForm")] = writer._add_object(form) if "/AcroForm" not in root else form
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _fit(lines: list[str], font: Font, width: float, height: float) -> float:
    size = LINE_SIZE
    while size > 4 and (
        max((font.width(line, size) for line in lines), default=0) > width
        or len(lines) * size * 1.15 > height
    ):
        size -= 0.25
    return size


def _appearance(lines: list[str], font: Font, size: float, width: float, height: float) -> bytes:
    """A thin frame, then the lines from the top, left-aligned."""
    leading = size * 1.15
    top = height - PAD - font.ascent * size / 1000
    out = [f"q 0.2 0.3 0.6 RG 0.5 w 0.25 0.25 {width - 0.5:.2f} {height - 0.5:.2f} re S Q".encode()]
    out.append(
        f"BT {RESOURCE_NAME} {size:g} Tf 0.1 0.15 0.45 rg {PAD:g} {top:.2f} Td {leading:.2f} TL".encode()
    )
    out += [font.encode(line) + (b" Tj" if i == 0 else b" '") for i, line in enumerate(lines)]
    out.append(b"ET")
    return b"\n".join(out)


# Verification ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    """What one signature says, checked against the trust store."""

    signer: str  # the certificate's subject
    signed_at: str | None  # ISO time the signer claims, or the timestamp's
    timestamped: bool
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the cryptographic signature is good
    trusted: bool  # the signer's certificate chains to a trusted certificate and is usable
    covers_whole_file: bool
    problem: str | None = None  # "expired", "revoked", "untrusted", "not_yet_valid", "unusable"

    def as_dict(self) -> dict[str, object]:
        return {
            "signer": self.signer,
            "signed_at": self.signed_at,
            "timestamped": self.timestamped,
            "intact": self.intact,
            "valid": self.valid,
            "trusted": self.trusted,
            "covers_whole_file": self.covers_whole_file,
            "trust_problem": self.problem,
        }


@dataclass
class TrustStore:
    """The certificates a council trusts (schools' certificates, or the CAs that issue them) and the CRLs
    it holds. Nothing is fetched: only what the council put in its trust folder counts."""

    roots: list[asn1_x509.Certificate] = field(default_factory=list)
    crls: list[bytes] = field(default_factory=list)
    source: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.roots)

    @classmethod
    def from_dir(cls, path: str | Path) -> TrustStore:
        """Read every certificate (PEM or DER: .pem .crt .cer .der) and CRL (.crl) in a folder."""
        from pyhanko.keys import load_certs_from_pemder_data

        folder = Path(path)
        if not folder.is_dir():
            raise SigningSettingsError(f"the trust folder {folder} does not exist")
        roots: list[asn1_x509.Certificate] = []
        crls: list[bytes] = []
        for item in sorted(folder.iterdir()):
            suffix = item.suffix.lower()
            if suffix in (".pem", ".crt", ".cer", ".der"):
                try:
                    roots += list(load_certs_from_pemder_data(item.read_bytes()))
                except (ValueError, TypeError):
                    raise SigningSettingsError(
                        f"{item.name} in the trust folder is not a certificate"
                    ) from None
            elif suffix == ".crl":
                crls.append(_der(item.read_bytes()))
        if not roots:
            raise SigningSettingsError(f"the trust folder {folder} holds no certificate")
        return cls(roots, crls, str(folder))

    def _context(self):  # noqa: ANN202
        from pyhanko_certvalidator import ValidationContext

        return ValidationContext(
            trust_roots=list(self.roots),
            crls=list(self.crls),
            allow_fetching=False,
            # without a CRL for a CA there is nothing to check offline; with one, it is enforced
            revocation_mode="soft-fail",
        )

    def check_pdf(self, pdf: bytes) -> list[SignatureCheck]:
        """Check every signature in a PDF (oldest first); an unreadable PDF raises SignatureUnreadable."""
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import KeyUsageConstraints
        from pyhanko.sign.validation import SignatureCoverageLevel
        from pyhanko.sign.validation import validate_pdf_signature

        try:
            reader = PdfFileReader(io.BytesIO(pdf), strict=False)
            embedded = list(reader.embedded_regular_signatures)
        except TimeLimitExceeded:
            raise
        except Exception as exc:  # a damaged PDF can raise anything from the parser
            raise SignatureUnreadable(type(exc).__name__) from None
        out = []
        usage = KeyUsageConstraints(key_usage=KEY_USAGES, match_all_key_usages=False)
        for sig in embedded:
            try:
                status = validate_pdf_signature(sig, self._context(), key_usage_settings=usage)
            except TimeLimitExceeded:
                raise
            except Exception as exc:  # a malformed signature container
                logging.getLogger(__name__).info("signature unreadable: %s", type(exc).__name__)
                out.append(SignatureCheck("", None, False, False, False, False, False, "unreadable"))
                continue
            whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
            out.append(_check(status, whole))
        return out

    def check_detached(self, data: bytes, signature: bytes) -> SignatureCheck:
        """Check a detached CMS signature over `data` (SignatureUnreadable: it cannot be parsed)."""
        from pyhanko.sign.validation import KeyUsageConstraints
        from pyhanko.sign.validation import async_validate_detached_cms

        try:
            info = cms.ContentInfo.load(signature)
            signed = info["content"]
            signed.native  # noqa: B018 - parse it all now: asn1crypto parses lazily
        except Exception as exc:
            raise SignatureUnreadable(type(exc).__name__) from None
        usage = KeyUsageConstraints(key_usage=KEY_USAGES, match_all_key_usages=False)
        try:
            status = asyncio.run(
                async_validate_detached_cms(
                    data, signed, signer_validation_context=self._context(), key_usage_settings=usage
                )
            )
        except Exception as exc:
            logging.getLogger(__name__).info("detached signature unreadable: %s", type(exc).__name__)
            raise SignatureUnreadable(type(exc).__name__) from None
        return _check(status, True)


def _check(status, whole: bool) -> SignatureCheck:  # noqa: ANN001 - pyHanko's status types
    problem = None
    if not status.trusted:
        name = getattr(status.trust_problem_indic, "standard_name", "")
        problem = TRUST_PROBLEMS.get(name, "untrusted")
    ts = status.timestamp_validity
    when = ts.timestamp if ts is not None else status.signer_reported_dt
    return SignatureCheck(
        signer=status.signing_cert.subject.human_friendly if status.signing_cert else "",
        signed_at=when.astimezone(UTC).isoformat(timespec="seconds") if when else None,
        timestamped=ts is not None,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=whole,
        problem=problem,
    )


# ETSI EN 319 102-1 sub-indications, as the answer names them.
TRUST_PROBLEMS = {
    "REVOKED": "revoked",
    "REVOKED_NO_POE": "revoked",
    "REVOKED_CA_NO_POE": "revoked",
    "EXPIRED": "expired",
    "OUT_OF_BOUNDS_NO_POE": "expired",
    "OUT_OF_BOUNDS_NOT_REVOKED": "expired",
    "NOT_YET_VALID": "not_yet_valid",
    "NO_CERTIFICATE_CHAIN_FOUND": "untrusted",
    "CHAIN_CONSTRAINTS_FAILURE": "unusable",
    "SIG_CONSTRAINTS_FAILURE": "unusable",
}


def _der(data: bytes) -> bytes:
    """Return a CRL as DER, from PEM or DER."""
    if b"-----BEGIN" in data:
        from asn1crypto import pem

        _, _, der = pem.unarmor(data)
        return der
    return data


def from_settings(pkcs12_path: str | None, passphrase: str | None, tsa_url: str | None) -> Signer:
    """Return the signer the settings ask for, or raise SigningSettingsError (the start stops)."""
    if not pkcs12_path:
        if passphrase or tsa_url:
            raise SigningSettingsError(
                "a passphrase or TSA is set but no PKCS#12 file (ATTENDANCE_SIGNING_PKCS12)"
            )
        return UnavailableSigner()
    path = Path(pkcs12_path)
    try:
        data = path.read_bytes()
    except OSError:
        raise SigningSettingsError(f"the PKCS#12 file {path} cannot be read") from None
    if tsa_url and not tsa_url.startswith(("http://", "https://")):
        raise SigningSettingsError("the TSA address must be an http:// or https:// URL")
    signer = PadesSigner(data, passphrase.encode() if passphrase else None, tsa_url or None)
    _usable(signer.certificate)
    return signer


def _usable(cert: asn1_x509.Certificate, now: datetime | None = None) -> None:
    """Refuse a certificate a council would refuse: expired, not yet valid, or not for signing."""
    now = now or datetime.now(UTC)
    validity = cert["tbs_certificate"]["validity"]
    if validity["not_after"].native < now:
        raise SigningSettingsError("the signing certificate has expired: renew it before starting")
    if validity["not_before"].native > now:
        raise SigningSettingsError("the signing certificate is not valid yet")
    usage = cert.key_usage_value
    if usage is not None and not (set(usage.native) & KEY_USAGES):
        raise SigningSettingsError("the certificate is not for signatures (key usage)")


def load_trust(paths: Iterable[str]) -> TrustStore:
    """Return a trust store from one or more folders (the council's own, and any shared CA folder)."""
    stores = [TrustStore.from_dir(p) for p in paths]
    return TrustStore(
        [c for s in stores for c in s.roots],
        [c for s in stores for c in s.crls],
        ", ".join(s.source for s in stores),
    )
