"""Case fields that know UK formats: UPN check letters, postcodes, phones, e-mail, ISO dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from marshmallow import ValidationError
from marshmallow import fields

from service.case.fields import LENIENT
from service.case.fields import UPN
from service.case.fields import Email
from service.case.fields import IsoDate
from service.case.fields import Postcode
from service.case.fields import UKPhone
from service.case.fields import upn_check_letter
from service.report import issues_from_marshmallow

# DfE "Unique Pupil Numbers (UPN)" guidance, written out again here so that the field is checked
# against the rule, not against itself: no I, O or S.
DFE_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def dfe_check_letter(body: str) -> str:
    """Return the check letter for a UPN's characters 2–13: sum of value × position, mod 23."""
    assert len(body) == 12
    values = [int(c) if c.isdigit() else DFE_LETTERS.index(c) for c in body]
    return DFE_LETTERS[sum(value * position for position, value in enumerate(values, start=2)) % 23]


def with_check(body: str) -> str:
    """Return a UPN with its correct check letter in front."""
    return dfe_check_letter(body) + body


def wrong_check(body: str) -> str:
    """Return a UPN whose check letter is the next one in the table (so certainly wrong)."""
    right = DFE_LETTERS.index(dfe_check_letter(body))
    return DFE_LETTERS[(right + 1) % 23] + body


def code_of(field: fields.Field, value: Any) -> str:
    """Return the one stable code a field refuses a value with."""
    with pytest.raises(ValidationError) as excinfo:
        field.deserialize(value)
    issues = issues_from_marshmallow(excinfo.value.messages)
    assert len(issues) == 1, issues
    return issues[0].code


@pytest.fixture
def lenient() -> Iterator[None]:
    token = LENIENT.set(True)
    yield
    LENIENT.reset(token)


# ---------------------------------------------------------------------------------------------
# UPN

# 12 characters after the check letter: 3 LA, 4 establishment, 2 year, 3 serial (rules.md: UPN).
BODIES = [
    "865200125001",  # case-format.md's example, R865200125001
    "865204225011",
    "865204225012",
    "865204224031",
    "835304223019",
    "835304223021",
    "673404124013",
    "000000000000",  # all zeros: sum 0 → A
    "999999999999",
    "123456789012",
    "86520012500A",  # temporary UPN: the last character a letter (A = 0)
    "86520012500Z",  # temporary UPN: Z = 22, the top of the table
    "93611234567N",  # temporary UPN
]


def test_dfe_helper_agrees_with_the_contract_example() -> None:
    # case-format.md: R865200125001 is a valid UPN.
    assert with_check("865200125001") == "R865200125001"


@pytest.mark.parametrize("body", BODIES)
def test_upn_check_letter_follows_the_dfe_rule(body: str) -> None:
    # rules.md: UPN check letter; DfE UPN guidance.
    assert upn_check_letter(with_check(body)) == dfe_check_letter(body)


@pytest.mark.parametrize("body", BODIES)
def test_upn_with_its_check_letter_is_accepted(body: str) -> None:
    upn = with_check(body)
    assert UPN().deserialize(upn) == upn


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("r865200125001", "R865200125001"),  # upper-cased
        ("  R865200125001 ", "R865200125001"),  # surrounding blanks dropped
        ("c86520012500a", "C86520012500A"),  # temporary UPN, lower case
    ],
)
def test_upn_is_normalised(value: str, expected: str) -> None:
    assert UPN().deserialize(value) == expected


@pytest.mark.parametrize("body", BODIES)
def test_upn_with_a_wrong_check_letter_is_refused(body: str) -> None:
    # rules.md: "Wrong check letter: error."
    assert code_of(UPN(), wrong_check(body)) == "invalid_upn"


@pytest.mark.parametrize(
    "value",
    [
        "R86520012500",  # 12 characters
        "R8652001250011",  # 14 characters
        "",  # empty
        "865200125001",  # no check letter
        "RR65200125001",  # a letter where the LA number goes
        "R8652001A5001",  # a letter inside the 12 digits (only the last may be one)
        "I865200125001",  # I is not a check letter (DfE: no I, O, S)
        "O865200125001",
        "S865200125001",
        "R86520012500I",  # nor a temporary UPN's last letter
        "R86520012500O",
        "R86520012500S",
        "R865 200 125 001",  # spaces inside
        "R-865200125001",
    ],
)
def test_upn_of_the_wrong_shape_is_refused(value: str) -> None:
    # rules.md: 13 characters, a check letter then 12 digits (the last may be a letter).
    assert code_of(UPN(), value) == "invalid_upn"


def test_upn_message_names_the_expected_letter() -> None:
    with pytest.raises(ValidationError) as excinfo:
        UPN().deserialize("A865200125001")
    assert "should be R, not A" in excinfo.value.messages[0]["message"]


def test_temporary_upn_is_checked_with_its_letter_value() -> None:
    # DfE: a temporary UPN's 13th character takes the value of its place in the table (A=0 … Z=22).
    assert dfe_check_letter("86520012500A") == "C"
    assert UPN().deserialize("C86520012500A") == "C86520012500A"
    assert code_of(UPN(), "R86520012500A") == "invalid_upn"  # R would be right for …5001


# ---------------------------------------------------------------------------------------------
# Postcodes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("BA14 8AB", "BA14 8AB"),
        ("ba14 8ab", "BA14 8AB"),  # rules.md: upper case
        ("SW1A1AA", "SW1A 1AA"),  # rules.md: one space
        ("  ba14   8ab ", "BA14 8AB"),  # blanks collapsed
        ("GIR 0AA", "GIR 0AA"),  # Girobank's historic non-geographic postcode
        ("gir0aa", "GIR 0AA"),
        ("M1 1AE", "M1 1AE"),  # outward A9
        ("B33 8TH", "B33 8TH"),  # A99
        ("CR2 6XH", "CR2 6XH"),  # AA9
        ("DN55 1PT", "DN55 1PT"),  # AA99
        ("W1A 0AX", "W1A 0AX"),  # A9A
        ("EC1A 1BB", "EC1A 1BB"),  # AA9A
        ("DT2 9RE", "DT2 9RE"),
        ("cf627bd", "CF62 7BD"),
    ],
)
def test_postcode_is_normalised(value: str, expected: str) -> None:
    # rules.md: UK format (outward and inward code), upper case with one space.
    assert Postcode().deserialize(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "BA14",  # outward code only
        "8AB",  # inward code only
        "BA14 8A",  # inward code too short
        "BA14 8ABX",  # too long
        "BA148ABX",
        "12345",  # a US ZIP code
        "1A1 1AA",  # outward code must start with a letter
        "AA11A 1AA",  # outward code too long
        "BA14 AAB",  # inward code must start with a digit
        "BA14-8AB",
        "K1A 0B1",  # a Canadian postal code
    ],
)
def test_postcode_that_is_not_uk_is_refused(value: str) -> None:
    assert code_of(Postcode(), value) == "invalid_postcode"


# ---------------------------------------------------------------------------------------------
# Phones


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("01632 960100", "01632 960100"),  # Ofcom drama range 01632 960000–960999
        ("01632960123", "01632 960123"),
        ("+44 1632 960999", "01632 960999"),
        ("07700 900123", "07700 900123"),  # Ofcom drama range 07700 900000–900999
        ("+447700900000", "07700 900000"),
        ("07700900999", "07700 900999"),
        ("020 7946 0000", "020 7946 0000"),  # Ofcom drama range, London
        ("01225 713000", "01225 713000"),  # a geographic landline (Trowbridge)
        ("0300 456 0100", "0300 456 0100"),  # a 03 non-geographic number
        ("07911 123456", "07911 123456"),  # a mobile
        ("+44 (0)7911 123456", "07911 123456"),  # the common written form with (0)
        ("0044 7911 123456", "07911 123456"),
        ("0800 123 4567", "0800 123 4567"),  # freephone
    ],
)
def test_uk_phone_is_accepted_in_print_form(value: str, expected: str) -> None:
    # rules.md: UK numbers, normalised for print.
    assert UKPhone().deserialize(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "12345",  # too short to be any UK number
        "999",
        "",
        "abc",
        "+1 202 555 0143",  # a US number
        "+33 1 42 68 53 00",  # a French number
        "07700 901000",  # just outside the drama range, and not an allocated mobile
        "01632 961000",  # just outside the drama range
        "07911 12345",  # a digit short
    ],
)
def test_phone_that_cannot_be_uk_is_refused(value: str) -> None:
    # rules.md: a number that cannot be a UK number is an error.
    assert code_of(UKPhone(), value) == "invalid_phone"


# ---------------------------------------------------------------------------------------------
# E-mail


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("sarah.brown@example.com", "sarah.brown@example.com"),
        ("Sarah.Brown@Example.COM", "Sarah.Brown@example.com"),  # the domain is case-insensitive
        ("office@larkspur.example.sch.uk", "office@larkspur.example.sch.uk"),
        (" iwan.prydderch@example.com ", "iwan.prydderch@example.com"),
        ("inclusion+cc@example.org", "inclusion+cc@example.org"),
    ],
)
def test_email_is_accepted(value: str, expected: str) -> None:
    assert Email().deserialize(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not-an-email",  # no @
        "a@b",  # no dot in the domain
        "a b@example.com",  # a space
        "sarah@@example.com",
        "@example.com",
        "sarah@",
        "sarah@example..com",
    ],
)
def test_email_that_is_not_one_is_refused(value: str) -> None:
    assert code_of(Email(), value) == "invalid_email"


# ---------------------------------------------------------------------------------------------
# ISO dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-10-05", date(2026, 10, 5)),
        ("2028-02-29", date(2028, 2, 29)),  # a leap day
        ("2016-05-04", date(2016, 5, 4)),
    ],
)
def test_iso_date_is_read(value: str, expected: date) -> None:
    # case-format.md: dates as ISO 8601 (YYYY-MM-DD).
    assert IsoDate().deserialize(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "2026-13-01",  # no 13th month
        "2026-02-29",  # 2026 is not a leap year
        "2026-04-31",
        "04/05/2016",  # a UK-written date
        "2016/05/04",
        "4 May 2016",
        "2026-1-5",  # not zero-padded
        "20261005",  # ISO basic format: not the contract's YYYY-MM-DD
        "2026-W41-1",  # ISO week date
        "2026-10-05T10:00:00",  # a date-time
        "2026-10-05 ",
        "",
        20261005,  # a number
        2026,
        1.5,
        ["2026-10-05"],
    ],
)
def test_iso_date_that_is_not_yyyy_mm_dd_is_refused(value: Any) -> None:
    assert code_of(IsoDate(), value) == "invalid_date"


# ---------------------------------------------------------------------------------------------
# Lenient loading (schema.load_case's second pass)


@pytest.mark.parametrize(
    ("field", "value", "kept"),
    [
        (UPN(), "A865200125001", "A865200125001"),
        (UPN(), " r86520012500 ", "r86520012500"),
        (Postcode(), " nowhere ", "nowhere"),
        (UKPhone(), "12345", "12345"),
        (Email(), "not-an-email", "not-an-email"),
    ],
)
def test_lenient_format_fields_keep_what_they_cannot_read(lenient: None, field: fields.Field,
                                                          value: str, kept: str) -> None:
    assert field.deserialize(value) == kept


def test_lenient_still_normalises_what_it_can_read(lenient: None) -> None:
    assert Postcode().deserialize("sw1a1aa") == "SW1A 1AA"


def test_lenient_does_not_cover_dates(lenient: None) -> None:
    # A date the rules compute with must be a date: only formats are lenient (schema.load_case).
    assert code_of(IsoDate(), "04/05/2016") == "invalid_date"
