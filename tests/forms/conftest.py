"""Forms fixtures: a case for any form (at a council that takes it), a Welsh council with bilingual letters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from service import councils
from service import forms
from service.validation import validate
from tests.conftest import FAMILIES
from tests.conftest import council_toml
from tests.conftest import family_case


def _councils_taking(document_id: str, country: str) -> list[str | None]:
    """Return where a form goes in a country: None (a council with no file) when the national default
    takes it, then every council whose file does, in id order."""
    found: list[str | None] = [None] if councils.national(country).accepts(document_id) else []
    return found + [c.id for c in councils.all() if c.country == country and c.accepts(document_id)]


def form_case(document_id: str) -> dict[str, Any]:
    """Return the first of the examples' families that a form accepts on one sheet (several sheets are
    flattened and joined: no fields to read back), sent to a council that takes the form: a council with
    no file for the generic request, the council whose own form it is otherwise. Contract tests over
    every form read it, so no test of forms in general names a council."""
    per_sheet = forms.get(document_id).pupils_per_sheet
    for name in FAMILIES:
        data = family_case(name)
        if len(data["pupils"]) > per_sheet:
            continue
        for council_id in _councils_taking(document_id, data["council_details"]["country"]):
            moved = data if council_id is None else {
                **{k: v for k, v in data.items() if k != "council_details"}, "council": council_id}
            if validate(moved, document_id)[0].valid:
                return moved
    raise AssertionError(f"no family is accepted by {document_id} at a council that takes it")


# A fictional Welsh council whose file asks for bilingual letters, with the letters it takes: bilingual
# letters are a council's rule in its file, so the letters are tested on a council written for the tests.
BILINGUAL_ID = "cwm-prawf"
BILINGUAL_NAME_CY = "Cyngor Cwm Prawf"
_BILINGUAL = f'bilingual_letters = true\nname_cy = "{BILINGUAL_NAME_CY}"\n'
_LETTERS = """
[documents.attendance-letter-1]
source = "code"

[documents.attendance-letter-2]
source = "code"
"""


@pytest.fixture
def bilingual(temp_council) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Return a mover of a case to a Welsh council whose file asks for bilingual letters."""
    council = temp_council(_BILINGUAL + council_toml(BILINGUAL_ID, "wales", extra=_LETTERS))

    def move(data: dict[str, Any]) -> dict[str, Any]:
        return {**{k: v for k, v in data.items() if k != "council_details"}, "council": council.id}

    return move
