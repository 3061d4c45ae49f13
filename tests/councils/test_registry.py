"""Contract tests over every council: each is complete, and its documents exist."""

from __future__ import annotations

import pytest

from service import councils
from service import forms


@pytest.mark.parametrize("council", councils.all(), ids=lambda c: c.id)
def test_council_documents_exist(council):
    missing = [d for d in council.documents if d not in forms.ids()]
    assert not missing, f"{council.id} takes {missing}: add service/forms/<id>.py for each"


@pytest.mark.parametrize("council", councils.all(), ids=lambda c: c.id)
def test_council_has_an_address_and_a_country(council):
    assert "@" in council.submit_to.to
    assert council.country in (councils.ENGLAND, councils.WALES)
    assert council.threshold.unauthorised_sessions == 10


def test_unknown_council_names_the_known():
    with pytest.raises(councils.UnknownCouncil) as info:
        councils.get("kent")
    assert info.value.known == ("dorset", "vale-of-glamorgan", "wiltshire")


def test_only_dorset_cc_the_inclusion_lead():
    assert [c.id for c in councils.all() if c.submit_to.cc_school_inclusion_lead] == ["dorset"]


def test_every_document_is_taken_by_some_council():
    orphans = [d.id for d in forms.all() if not forms.councils_taking(d.id)]
    assert not orphans, f"no council takes {orphans}: add it to a council's documents"
