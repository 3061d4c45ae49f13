"""The report page's next steps say what the council's own file puts before a penalty notice, and only that:
the national framework lent to a file (or to a council with no file) is not the council's word. What a
council puts first, and a deadline counted from its warning letter, read in plain words, English and Welsh."""

from __future__ import annotations

import pytest

from tests.conftest import WARNING_DEADLINE
from tests.conftest import council_toml
from tests.web.conftest import at_council
from tests.web.test_history import dated
from tests.web.test_officer_words import assert_plain
from tests.web.test_officer_words import outcome_of

# A council that puts a warning letter before a holiday penalty notice (one published process does).
WARNING_FIRST = """
[[first_steps]]
absence_type = "holiday"
step = "warning_letter"
source = "code"
"""
SAYS_NOTHING_OF = ("submission", "contact", "request_per", "term_dates", "notice_to_improve")


def in_welsh(officer) -> None:
    officer.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "cy,en;q=0.5"


@pytest.fixture
def warning_first(temp_council):
    """A council whose file puts a warning letter before a holiday penalty notice."""
    return temp_council(council_toml("wardshire", extra=WARNING_FIRST))


@pytest.fixture
def warning_deadline(temp_council):
    """A council whose file counts its deadline from the warning letter."""
    return temp_council(council_toml("letterton", extra=WARNING_DEADLINE, unpublished=SAYS_NOTHING_OF))


def test_a_councils_own_first_step_is_its_next_step_in_words(officer, read, family, warning_first):
    data = at_council(family("holiday-two-children"), warning_first)
    page = read(officer.upload_case(data))
    outcome = outcome_of(page)
    assert "Wardshire Council asks for this first: a warning letter" in outcome
    assert "Send the parents a warning letter first" in outcome
    zoe = page.text_of(page.by_id("outcome-pupil-0"))
    assert "Hannah Fairweather, mother: No penalty notice yet: a warning letter comes first" in zoe
    assert_plain(page, data)
    in_welsh(officer)
    cymraeg = read(officer.upload_case(data))
    outcome = outcome_of(cymraeg)
    assert "Mae Wardshire Council yn gofyn am hyn yn gyntaf: llythyr rhybudd" in outcome
    assert "Hannah Fairweather, mam: Dim hysbysiad cosb eto: daw llythyr rhybudd yn gyntaf" in outcome
    assert_plain(cymraeg, data)


def test_the_national_framework_is_not_put_in_a_councils_mouth(officer, read, family):
    data = family("irregular-one-child")  # a council with no file: England's framework, NTI first
    outcome = outcome_of(read(officer.upload_case(data)))
    assert "asks for this first" not in outcome


def test_a_missing_warning_letter_is_said_in_plain_words(officer, read, family, warning_first):
    data = at_council(family("holiday-two-children"), warning_first)
    page = read(officer.upload_case(data))
    refused = officer.resubmit(page, "/download", document="generic-request.pdf")
    assert refused.status_code == 422
    summary = read(refused)
    links = {(a.attrs["data-code"], summary.text_of(a)) for a in summary.error_links()}
    said = (
        "No warning letter sent before today: the council's rules put a warning letter before a penalty "
        "notice. Send it first, then add it to the case's history (a letter already sent)"
    )
    assert ("warning_letter_first", f"Hannah Fairweather, mother: {said}") in links
    assert ("warning_letter_first", f"Owen Fairweather, father: {said}") in links
    assert_plain(summary, data)
    in_welsh(officer)
    cymraeg = read(officer.resubmit(page, "/download", document="generic-request.pdf"))
    links = {(a.attrs["data-code"], cymraeg.text_of(a)) for a in cymraeg.error_links()}
    assert (
        "warning_letter_first",
        "Hannah Fairweather, mam: Dim llythyr rhybudd wedi'i anfon cyn heddiw: mae rheolau'r cyngor yn rhoi "
        "llythyr rhybudd cyn hysbysiad cosb. Anfonwch ef yn gyntaf, yna ychwanegwch ef at hanes yr achos "
        "(llythyr a anfonwyd eisoes)",
    ) in links
    assert_plain(cymraeg, data)


def test_the_warning_letter_added_on_the_page_allows_the_notice(officer, read, family, warning_first):
    page = read(officer.upload_case(at_council(family("holiday-two-children"), warning_first)))
    (option,) = [o for o in page.find("option") if o.attrs.get("value") == "warning-letter"]
    assert page.text_of(option) == "Penalty notice warning letter"
    added = read(
        officer.resubmit(
            page,
            history="letter",
            **{"history-letter-document": "warning-letter"},
            **dated("history-letter-sent_on", "2026-09-20"),
        )
    )
    assert "Penalty notice warning letter, sent on 20 September 2026" in added.text_of(
        added.by_id("case-history")
    )
    assert "Hannah Fairweather, mother: Penalty notice 1: £80" in added.text_of(added.by_id("outcome-pupil-0"))
    assert "asks for this first" in outcome_of(added)  # still the council's rule, now met


def test_a_deadline_from_an_unrecorded_warning_letter_is_said_in_plain_words(
    officer, read, family, warning_deadline
):
    data = at_council(family("holiday-two-children"), warning_deadline)
    page = read(officer.upload_case(data))
    warned = page.text_of(page.by_id("warnings"))
    # English keeps the council's own words and whose letter is missing, with no field or document id
    assert (
        "Letterton Council counts its deadline from the warning letter (Refer within 10 working days of the "
        "final warning letter.), and none is recorded for Hannah Fairweather for Zoë Fairweather" in warned
    )
    assert "add it to the letters already sent so that the deadline can be checked" in warned
    assert "warning-letter" not in warned and "sent on)" not in warned
    assert_plain(page, data)
    in_welsh(officer)
    cymraeg = read(officer.upload_case(data))
    assert (
        "Mae'r cyngor yn cyfrif ei ddyddiad cau o'r llythyr rhybudd, ac nid oes un wedi'i gofnodi: "
        "ychwanegwch y llythyr rhybudd at hanes yr achos er mwyn gallu gwirio'r dyddiad cau"
        in cymraeg.text_of(cymraeg.by_id("warnings"))
    )
    assert_plain(cymraeg, data)
