"""Contract tests over every council file: each loads, each fact names a source it lists, its documents
exist, and what it does not publish is said rather than guessed."""

from __future__ import annotations

from dataclasses import fields
from dataclasses import is_dataclass

import pytest

from service import councils
from service import forms
from service.case import ATTACHMENT_KINDS
from service.councils.schema import MUST_SAY

EVERY = councils.all()


def facts(council: councils.Council):
    """Yield (field name, fact) for every fact of a council that carries a source."""
    for f in fields(council):
        value = getattr(council, f.name)
        items = value if isinstance(value, tuple) else (value,)
        for i, item in enumerate(items):
            if is_dataclass(item) and hasattr(item, "source") and not isinstance(item, councils.Source):
                yield f"{f.name}[{i}]", item


@pytest.mark.parametrize("council", EVERY, ids=lambda c: c.id)
def test_every_fact_names_a_source_the_file_lists(council):
    listed = {s.id for s in council.sources}
    assert council.source in listed
    missing = [(name, fact.source) for name, fact in facts(council) if fact.source and fact.source not in listed]
    assert not missing, f"{council.file}: add [sources.<id>] for {missing}"
    for source in council.sources:
        assert source.title and source.read and (source.url or source.document), source


@pytest.mark.parametrize("council", EVERY, ids=lambda c: c.id)
def test_documents_exist_and_checklists_use_known_kinds(council):
    missing = [d for d in council.documents if d not in forms.ids()]
    assert not missing, f"{council.id} takes {missing}: add service/forms/<id>.py for each"
    for use in council.uses:
        for req in council.requirements(use.id, forms.get(use.id).attachments):
            assert set(req.kinds) <= set(ATTACHMENT_KINDS), req


@pytest.mark.parametrize("council", EVERY, ids=lambda c: c.id)
def test_unpublished_facts_are_said(council):
    """Each fact a file must say is given or listed in not_published, never both."""
    given = {
        "submission": council.submit_to.channel is not None,
        "contact.phone": bool(council.contact and council.contact.phone),
        "deadlines": bool(council.deadlines),
        "request_per": council.request_per is not None,
        "term_dates": council.term_dates is not None,
    }
    for fact in MUST_SAY:
        listed = fact in council.not_published or fact.split(".")[0] in council.not_published
        assert given[fact] != listed, f"{council.id}: {fact} given={given[fact]} not_published={listed}"


@pytest.mark.parametrize("council", EVERY, ids=lambda c: c.id)
def test_a_council_with_its_own_form_or_an_email_route_says_where(council):
    route = council.submit_to
    if route.channel == "email" and "submission.to" not in council.not_published:
        assert "@" in route.to
    assert council.country in councils.COUNTRIES
    assert council.threshold.unauthorised_sessions == 10


def test_national_defaults_exist_for_both_countries_and_are_not_listed():
    assert councils.national("england").threshold.window == "rolling_school_weeks"
    assert councils.national("wales").penalties.first_early == 60
    assert not [c for c in EVERY if c.national]


def test_unknown_council_names_the_known():
    with pytest.raises(councils.UnknownCouncil) as info:
        councils.get("no-such-council")
    assert info.value.known == councils.ids()


def test_every_document_is_taken_by_some_council():
    orphans = [d.id for d in forms.all() if not forms.councils_taking(d.id)]
    assert not orphans, f"no council takes {orphans}: add it to a council's documents"
