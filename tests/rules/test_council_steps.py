"""What comes first and how long it lasts, from the council's file: a Notice to Improve before a penalty
notice where the file says so (else England's national framework), and its improvement period."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from service import councils
from service.assessment import evaluate
from service.case.schema import load_case
from service.councils import FirstStep
from service.councils import NoticeToImprove
from service.rules import notice_to_improve
from service.rules import penalty_notice
from tests.conftest import load_example


def irregular(country: str = "england"):
    data = load_example("national-england-holiday")
    data["council_details"]["country"] = country
    data["absence"]["type"] = "irregular"
    data["absence"].pop("leave_request", None)
    case, errors = load_case(data)
    assert case is not None, errors
    return case


@pytest.mark.parametrize(
    ("steps", "first"),
    [
        ((FirstStep("irregular", "notice_to_improve", "code"),), True),
        ((FirstStep("irregular", "none", "code"),), False),
        ((FirstStep("irregular", "warning_letter", "code"),), False),
        ((FirstStep("holiday", "notice_to_improve", "code"),), False),  # another absence type
    ],
)
def test_the_councils_first_step_decides_notice_to_improve_first(steps, first):
    case = irregular()
    council = replace(councils.for_case(case), first_steps=steps)
    reasons = {n.reason for n in penalty_notice.decide(case, council, True, date(2026, 10, 16)).notices}
    assert ("notice_to_improve_first" in reasons) is first


def test_the_national_default_in_england_asks_for_a_notice_to_improve_first():
    report = evaluate(load_example("national-england-holiday") | {
        "absence": load_example("national-england-holiday")["absence"] | {"type": "irregular"}}).report
    assert "notice_to_improve_first" in {n.reason for n in report.decisions.penalty_notice.notices}


def test_the_improvement_period_is_the_councils_unless_the_case_says():
    case = irregular()
    council = replace(councils.for_case(case), notice_to_improve=NoticeToImprove("school", 4, "code"))
    assert notice_to_improve.decide(case, council, True).weeks == 4
    assert notice_to_improve.decide(replace(case, improvement_period_weeks=5), council, True).weeks == 5
    assert notice_to_improve.decide(case, councils.for_case(case), True).weeks == 6  # national framework


def test_a_welsh_council_with_no_file_reads_the_register_with_welsh_codes():
    data = load_example("national-england-holiday")
    data["council_details"]["country"] = "wales"
    data["attendance"]["marks"] = [{"date": "2026-10-05", "session": "AM", "code": "G"}]
    report = evaluate(data).report
    assert report.rules["basis"] == "national_default" and report.rules["country"] == "wales"
    assert "internal" not in str(report.as_dict())
