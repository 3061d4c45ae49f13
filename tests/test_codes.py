"""The attendance code tables: contract tests over every country's table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from service import codes
from service import register

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("table", codes.TABLES.values(), ids=lambda t: t.country)
def test_every_code_has_a_meaning_a_category_and_a_source(table):
    for code in table.codes:
        assert code.meaning and code.source and code.category in codes.CATEGORIES, code
        assert f"| `{code.code}` |" in README, f"README's codes table lacks {code.code}"


def test_a_code_means_the_same_in_every_table_it_is_in():
    for code in codes.ALL:
        found = {t.get(code).category for t in codes.TABLES.values() if t.get(code)}
        assert len(found) == 1, code


def test_the_2024_codes_count_as_the_regulations_say():
    england = codes.table("england")
    assert england.get("J1").category == codes.AUTHORISED and not england.get("J1").attended  # interview: absent
    assert not england.get("D").possible and not england.get("X").possible  # dual registered; not of age
    assert all(not england.get(f"Y{n}").possible for n in range(1, 8)) and not england.get("Q").possible
    assert england.get("K").attended and england.get("C2").possible
    assert register.UNAUTHORISED == frozenset("GNOU")
    # Withdrawn codes are read in registers older than their withdrawal, refused after it.
    assert england.get("H").in_force(date(2024, 8, 18)) and not england.get("H").in_force(date(2024, 8, 19))
    assert england.get("F").in_force(date(2013, 8, 31)) and not england.get("F").in_force(date(2013, 9, 1))
    assert not england.get("J1").in_force(date(2024, 8, 18))
    wales = codes.table("wales")
    assert wales.get("C1") is None and wales.get("J").attended and wales.get("H").in_force(date(2026, 1, 5))


def test_long_codes_are_one_private_character_each_and_read_back_as_sent():
    for code in codes.ALL:
        assert len(codes.char(code)) == 1 and codes.as_sent(codes.char(code)) == code
