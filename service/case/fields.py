"""Case fields that know UK formats: UPN with its check letter, postcodes, phone numbers, e-mail."""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from contextvars import ContextVar
from functools import cache
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError
from email_validator import validate_email
from marshmallow import ValidationError
from marshmallow import fields

# While set, format fields keep a value they cannot read instead of refusing it, so that the
# rules can still decide on a case whose only faults are formats (see schema.load_case).
LENIENT: ContextVar[bool] = ContextVar("lenient", default=False)

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # DfE UPN specification: no I, O, S
_UPN = re.compile(r"^[A-HJ-NP-RT-Z]\d{11}[\dA-HJ-NP-RT-Z]$")
# BS 7666 postcode shape: outward code (A9, A99, AA9, AA99, A9A, AA9A) and inward code (9AA).
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?|GIR) ?(\d[A-Z]{2})$")
# The contract's one date form (case-format.md): ISO 8601 extended calendar date.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# Ofcom numbers reserved for drama (and so for fictional example cases): never a real line.
_DRAMA = re.compile(r"^(01632960\d{3}|07700900\d{3}|02079460\d{3}|01134960\d{3}|01214960\d{3})$")


def problem(code: str, message: str) -> ValidationError:
    """Return a ValidationError carrying a stable code (flattened by report.issues_from_marshmallow)."""
    return ValidationError([{"code": code, "message": message}])


def upn_check_letter(upn: str) -> str:
    """Return the check letter of a UPN: sum of char × position (2–13) modulo 23 (DfE UPN spec)."""
    total = 0
    for position, char in enumerate(upn[1:13], start=2):
        value = int(char) if char.isdigit() else UPN_LETTERS.index(char)
        total += value * position
    return UPN_LETTERS[total % 23]


def normalise_postcode(value: str) -> str | None:
    """Return a UK postcode in upper case with one space, or None if it is not one."""
    match = _POSTCODE.match(" ".join(value.upper().split()))
    return f"{match.group(1)} {match.group(2)}" if match else None


def normalise_phone(value: str) -> str | None:
    """Return a UK phone number in national print form (`01632 960100`), or None."""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return None
    national = str(number.national_number)
    if number.country_code == 44 and _DRAMA.match("0" + national):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    if phonenumbers.region_code_for_number(number) not in ("GB", "GG", "JE", "IM"):
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


class _Formatted(fields.String):
    """A string with a UK format: refused with a code, or kept raw while LENIENT is set."""

    code = "invalid"
    description = ""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            return self.parse(text)
        except ValidationError:
            if LENIENT.get():
                return text
            raise

    def parse(self, text: str) -> str:
        raise NotImplementedError


class UPN(_Formatted):
    """Unique Pupil Number: check letter, 3-digit LA, 4-digit establishment, 2-digit year, serial."""

    def parse(self, text: str) -> str:
        upn = text.upper()
        if not _UPN.match(upn):
            raise problem(
                "invalid_upn",
                "A UPN is 13 characters: a check letter, then 12 digits "
                "(the last may be a letter for a temporary UPN).",
            )
        expected = upn_check_letter(upn)
        if upn[0] != expected:
            raise problem(
                "invalid_upn",
                f"The check letter of this UPN should be {expected}, "
                f"not {upn[0]}: check the number against the MIS.",
            )
        return upn


class Postcode(_Formatted):
    """A UK postcode, normalised to upper case with one space."""

    def parse(self, text: str) -> str:
        postcode = normalise_postcode(text)
        if postcode is None:
            raise problem("invalid_postcode", "This is not a UK postcode (for example BA14 8AB).")
        return postcode


class UKPhone(_Formatted):
    """A UK phone number, checked with Google's libphonenumber and printed in national form."""

    def parse(self, text: str) -> str:
        phone = normalise_phone(text)
        if phone is None:
            raise problem("invalid_phone", "This is not a UK phone number (for example 01632 960100).")
        return phone


class Email(_Formatted):
    """An e-mail address, checked for syntax (no DNS look-up: the service is offline by design)."""

    def parse(self, text: str) -> str:
        try:
            return validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise problem("invalid_email", f"This is not an e-mail address: {exc}") from None


class IsoDate(fields.Date):
    """An ISO 8601 calendar date, `YYYY-MM-DD`, refused with `invalid_date` otherwise."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):
            raise problem("invalid_date", "A date is a string written YYYY-MM-DD.")
        if not _ISO_DATE.fullmatch(value):
            # date.fromisoformat (3.11+) also reads 20261005 and 2026-W41-1: not the contract's form.
            raise problem("invalid_date", f"{value[:40]!r} is not a date written YYYY-MM-DD.")
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ValidationError:
            raise problem("invalid_date", f"{value[:40]!r} is not a date written YYYY-MM-DD.") from None


# Unicode categories that change how text reads or lays out instead of printing: controls (NUL, newline, tab),
# format characters (bidi overrides and isolates U+202A-202E/U+2066-2069, marks U+200E/F, ZWJ, BOM, soft
# hyphen), lone surrogates (which no output can encode), and the line and paragraph separators.
_REWRITING = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_LINE_BREAKS = frozenset("\r\n")


@cache
def drawable() -> frozenset[str]:
    """Return the characters every output can draw: those of the embedded form font (Liberation Sans's
    Latin, Welsh ŵ ŷ, Polish, typographic quotes and dashes); the letters' font draws a superset."""
    from service.engines.pdf_font import Font

    return frozenset(Font().gids)


def _codepoints(chars: list[str]) -> str:
    return ", ".join(f"U+{ord(c):04X}" + (f" {unicodedata.name(c, '')}".rstrip()) for c in chars[:5])


def character_problems(value: str, multiline: bool = False) -> str | None:
    """Return why `value` cannot be personal text on a letter or form, or None when it can.

    One rule for every output (validation, forms, letters): what would rewrite or reorder the text is
    refused, and so is what no output font can draw (it would vanish from a PDF letter and stop the PN3).
    """
    allowed = _LINE_BREAKS if multiline else frozenset()
    rewriting = sorted({c for c in value if unicodedata.category(c) in _REWRITING and c not in allowed})
    if rewriting:
        return (
            "Holds characters that would change how the text reads on a letter or form "
            f"({_codepoints(rewriting)}): remove them and send the text as it should print."
        )
    font = drawable()
    missing = sorted({c for c in value if c not in font and c not in allowed})
    if missing:
        return (
            f"Holds characters the letters' and forms' fonts cannot draw ({_codepoints(missing)}): write the "
            "name or text with letters that print (accents, Welsh and Polish letters are fine)."
        )
    return None


class PersonalText(fields.String):
    """Free text that prints on letters and forms (names, addresses, reasons): the one field type for it.

    Refuses blanks (when required), over-long values (stated, never cut) and, with `invalid_characters`,
    controls, bidi overrides, invisible format characters and anything the output fonts cannot draw.
    Canonically equivalent spellings are kept in their composed form (NFC: `e` + U+0301 is `é`), the only
    form the fonts draw. While LENIENT is set a refused value is kept, so the rules can still decide.
    """

    def __init__(self, max_length: int = 200, *, multiline: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length
        self.multiline = multiline

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = unicodedata.normalize("NFC", super()._deserialize(value, attr, data, **kwargs))
        if self.required and not text.strip():
            raise problem("blank", "This must not be empty.")
        if len(text) > self.max_length:
            raise problem("too_long", f"At most {self.max_length} characters ({len(text)} sent).")
        reason = character_problems(text, self.multiline)
        if reason and not LENIENT.get():
            raise problem("invalid_characters", reason)
        return text


class Base64Bytes(fields.String):
    """File content sent as base64 in JSON."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bytes:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise problem("invalid_base64", "content_base64 is not valid base64.") from None
