"""A council's published term dates (`[term_dates]`): a Notice to Improve's end date is counted through them
when the school sends none of its own; the school's own dates win; without either, `term_dates_required`.
No source the project holds publishes a council's term dates (councils/published-processes.md, seeds 000 and
004), so every shipped file lists `term_dates` in `not_published`; these tests write one into a deployment's
directory, as an LA would."""

from __future__ import annotations

import pytest

from service import councils
from service import create_app
from tests.conftest import council_toml
from tests.conftest import load_example

TERMS = """
[documents.notice-to-improve]
source = "code"

[sources.calendar]
title = "Testshire Council: school term and holiday dates 2026 to 2027"
url = "https://testshire.example.gov.uk/term-dates"
read = 2026-11-30

[term_dates]
holidays = [
  {start = 2026-10-26, end = 2026-10-30},
  {start = 2026-12-21, end = 2027-01-01},
]
source = "calendar"
"""
UNPUBLISHED = ("submission", "contact", "deadlines", "request_per", "notice_to_improve")


@pytest.fixture
def started(tmp_path):
    """Return `start(toml) -> (council id, client)`: the app started with the file in a deployment's directory."""
    apps = []

    def start(text: str):
        (tmp_path / "testshire.toml").write_text(text, encoding="utf-8")
        apps.append(create_app({"TESTING": True, "COUNCILS_DIR": str(tmp_path)}))
        return "testshire", apps[-1].test_client()

    yield start
    for app in apps:
        app.extensions["engines"].converter.close()
    councils.load(again=True)


@pytest.fixture
def with_terms(started):
    return started(council_toml(unpublished=UNPUBLISHED, extra=TERMS))


def irregular(council_id: str, school_holidays=None) -> dict:
    data = load_example("national-england-holiday")
    data["council"] = council_id
    del data["council_details"]
    data["absence"]["type"] = "irregular"
    data["absence"].pop("leave_request", None)
    data["letter_date"] = "2026-11-23"
    if school_holidays is not None:
        data["school"]["holidays"] = school_holidays
    return data


def period(client, data) -> dict:
    report = client.post("/api/v1/cases/validate?document=notice-to-improve", json=data).get_json()
    return report["decisions"]["notice_to_improve"] | {"codes": [e["code"] for e in report["errors"]]}


def test_no_shipped_file_guesses_term_dates():
    for council in councils.all():
        assert council.term_dates is None and "term_dates" in council.not_published, council.file


def test_the_notice_to_improve_ends_after_the_councils_christmas_holiday(with_terms):
    council_id, client = with_terms
    found = period(client, irregular(council_id))
    # Six school weeks from Tue 24 Nov, with the council's 21 Dec – 1 Jan closed: Mon 18 Jan 2027.
    assert (found["period_start"], found["period_end"], found["weeks"]) == ("2026-11-24", "2027-01-18", 6)
    assert "term_dates_required" not in found["codes"]


def test_the_schools_own_dates_win(with_terms):
    council_id, client = with_terms
    own = [{"start": "2026-12-18", "end": "2027-01-05"}]  # the school breaks up earlier and goes back later
    found = period(client, irregular(council_id, own))
    # 24 Nov – 17 Dec is 18 school days; 12 more from Wed 6 Jan: Thu 21 Jan 2027.
    assert (found["period_start"], found["period_end"]) == ("2026-11-24", "2027-01-21")


def test_without_the_councils_or_the_schools_dates_the_notice_is_refused(started):
    without = TERMS.split("[sources.calendar]")[0]
    council_id, client = started(council_toml(unpublished=(*UNPUBLISHED, "term_dates"), extra=without))
    found = period(client, irregular(council_id))
    assert found["period_end"] is None and "term_dates_required" in found["codes"]


def test_the_listing_gives_the_dates_with_their_source(with_terms):
    council_id, client = with_terms
    listed = client.get(f"/api/v1/councils/{council_id}").get_json()
    assert listed["term_dates"]["holidays"][1] == {"start": "2026-12-21", "end": "2027-01-01"}
    source = next(s for s in listed["sources"] if s["id"] == listed["term_dates"]["source"])
    assert source["url"] == "https://testshire.example.gov.uk/term-dates"
