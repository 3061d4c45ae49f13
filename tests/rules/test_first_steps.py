"""What comes before a penalty notice, from the council's data (one rule, rules/first_steps.py): a Notice to
Improve whose period has ended, a warning letter sent to that parent about that child, or nothing; a file
that says nothing for an absence type has its country's (England's framework) at load."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from service import councils
from service.case.schema import load_case
from service.councils import FirstStep
from service.councils import NoticeToImprove
from service.rules import first_steps
from service.rules import penalty_notice
from service.validation import validate
from tests.conftest import council_toml
from tests.conftest import load_example

TODAY = date(2026, 10, 16)
ZOE, ALFIE = "U865204225011", "H865204225012"


def family(absence_type: str = "irregular", **extra) -> dict:
    """Two parents, two children, a council with no file (England's national rules)."""
    data = load_example("national-england-holiday")
    data["absence"]["type"] = absence_type
    if absence_type == "irregular":
        data["absence"].pop("leave_request", None)
    data["letter_date"] = TODAY.isoformat()
    return data | extra


def loaded(data: dict):
    case, errors = load_case(data)
    assert case is not None, errors
    return case


def reasons(case, council) -> dict[tuple[str, str], str]:
    decided = penalty_notice.decide(case, council, True, TODAY)
    return {(n.parent_id, n.pupil_upn): n.reason for n in decided.notices}


def letter(sent_on: str, parent_id: str | None = None, pupil_upn: str | None = None) -> dict:
    return {"document": "warning-letter", "sent_on": sent_on, "parent_id": parent_id, "pupil_upn": pupil_upn}


@pytest.mark.parametrize(
    ("step", "history", "expected"),
    [
        ("none", {}, "allowed"),
        ("notice_to_improve", {}, "notice_to_improve_first"),
        ("notice_to_improve", {"support_not_appropriate": {"reason": "Support was refused."}}, "allowed"),
        ("warning_letter", {}, "warning_letter_first"),
        ("warning_letter", {"previous_letters": [letter("2026-09-01")]}, "allowed"),
        ("warning_letter", {"previous_letters": [letter("2026-10-20")]}, "warning_letter_first"),  # after today
        # Another kind of letter is not the warning letter; a Notice to Improve is not one either.
        ("warning_letter", {"previous_letters": [{"document": "attendance-letter-2", "sent_on": "2026-09-01"}]},
         "warning_letter_first"),
    ],
)
def test_the_step_the_data_puts_first_decides_every_pair(step, history, expected):
    case = loaded(family(**history))
    council = replace(councils.for_case(case), first_steps=(FirstStep("irregular", step, "framework"),))
    assert set(reasons(case, council).values()) == {expected}


def test_a_warning_letter_counts_for_the_parent_and_child_it_went_to():
    history = [letter("2026-09-01", "p1", ZOE), letter("2026-09-02", "p2")]
    case = loaded(family(previous_letters=history))
    council = replace(councils.for_case(case), first_steps=(FirstStep("irregular", "warning_letter", "framework"),))
    assert reasons(case, council) == {
        ("p1", ZOE): "allowed", ("p2", ZOE): "allowed",  # p2's letter names no child: it was about both
        ("p1", ALFIE): "warning_letter_first", ("p2", ALFIE): "allowed",
    }
    notices = penalty_notice.decide(case, council, True, TODAY).notices
    assert {(n.parent_id, n.pupil_upn): n.warning_letter_sent for n in notices}[("p1", ZOE)] == date(2026, 9, 1)


def test_the_report_says_what_comes_first_who_issues_it_and_where_that_is_read(temp_council):
    council = temp_council(council_toml(unpublished=("submission", "contact", "deadlines", "request_per",
                                                     "term_dates"), extra="""
[notice_to_improve]
issued_by = "council"
period_school_weeks = 4
source = "code"

[[first_steps]]
absence_type = "holiday"
step = "warning_letter"
source = "code"
"""))
    data = family("holiday", council=council.id)
    del data["council_details"]
    report, _ = validate(data, "generic-request")
    first = report.as_dict()["decisions"]["penalty_notice"]["first_step"]
    assert first == {"step": "warning_letter", "source": "Testshire Council: penalty notice code of conduct, "
                     "read 30/11/2026", "basis": "council_file", "issued_by": None, "weeks": None}
    errors = [(e.path, e.code) for e in report.errors]
    assert errors.count(("parents[0]", "warning_letter_first")) == 2  # for each child
    assert ("parents[1]", "warning_letter_first") in errors
    message = next(e.message for e in report.errors if e.code == "warning_letter_first")
    assert "a warning letter for Hannah Fairweather (parents[0]) for Zoë Fairweather (pupils[0])" in message
    assert "Testshire Council: penalty notice code of conduct" in message and "warning-letter" in message
    # Irregular absence: the file says nothing, so England's framework (a Notice to Improve first), issued
    # as the file says (by the council, 4 school weeks).
    irregular = family("irregular", council=council.id)
    del irregular["council_details"]
    report, _ = validate(irregular, "generic-request")
    first = report.as_dict()["decisions"]["penalty_notice"]["first_step"]
    assert (first["step"], first["basis"], first["issued_by"], first["weeks"]) == (
        "notice_to_improve", "national_default", "council", 4)
    assert first["source"].startswith("Working together to improve school attendance (DfE, 2024)")
    message = next(e.message for e in report.errors if e.code == "notice_to_improve_first")
    assert "a Notice to Improve issued by the council, 4 school weeks, whose period has ended" in message


def test_a_file_borrows_its_countrys_first_steps_for_what_it_does_not_say(temp_council):
    english = temp_council(council_toml("eastshire"))
    assert [(f.absence_type, f.step, f.national) for f in english.first_steps] == [
        ("irregular", "notice_to_improve", True), ("holiday", "none", True)]
    assert english.source_of(english.first_steps[0].source).title.startswith("Working together")
    welsh = temp_council(council_toml("westshire", country="wales"))
    assert welsh.first_steps == ()
    case = loaded(family(council="westshire") | {"council_details": None})
    assert first_steps.decide(case, welsh) is None
    assert set(reasons(case, welsh).values()) == {"allowed"}


def test_the_notice_to_improve_first_is_waived_only_with_the_schools_reason_and_warned():
    case = loaded(family(support_not_appropriate={"reason": "Support was refused."}))
    council = councils.for_case(case)
    decided = penalty_notice.decide(case, council, True, TODAY)
    assert [i.code for i in first_steps.support_not_appropriate(case, council, decided)] == [
        "notice_to_improve_first"]
    warned = replace(council, first_steps=(FirstStep("irregular", "warning_letter", "framework"),))
    assert first_steps.support_not_appropriate(case, warned, decided) == []
    assert set(reasons(case, warned).values()) == {"warning_letter_first"}  # a reason does not replace a letter


def test_who_issues_the_notice_to_improve_is_the_councils_data():
    case = loaded(family())
    council = replace(councils.for_case(case), notice_to_improve=NoticeToImprove("school", 6, "framework"))
    first = first_steps.decide(case, council)
    assert (first.step, first.issued_by, first.weeks, first.basis) == (
        "notice_to_improve", "school", 6, "national_default")
    assert first_steps.what_comes_first(first) == (
        "a Notice to Improve issued by the school, 6 school weeks, whose period has ended")


# Stockton-on-Tees's own rule (stockton.gov.uk article 6059): a warning letter from the headteacher first for
# holiday, a Notice to Improve from the council first for other absence.
def test_stockton_on_tees_puts_a_warning_letter_before_a_holiday_notice():
    data = family("holiday", council="stockton-on-tees")
    del data["council_details"]
    case = loaded(data)
    council = councils.get("stockton-on-tees")
    assert set(reasons(case, council).values()) == {"warning_letter_first"}
    case = loaded(data | {"previous_letters": [letter("2026-09-20")]})
    assert set(reasons(case, council).values()) == {"allowed"}
    irregular = loaded(family(council="stockton-on-tees") | {"council_details": None})
    first = first_steps.decide(irregular, council)
    assert (first.step, first.issued_by, first.weeks, first.basis) == ("notice_to_improve", "council", 6,
                                                                       "council_file")
