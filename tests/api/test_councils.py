"""GET /api/v1/councils and /councils/<id>: every council, each fact with its source."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from service import councils
from service import forms
from tests.conftest import WARNING_DEADLINE
from tests.conftest import council_toml


def test_list_has_every_council_with_its_sources(client):
    body = client.get("/api/v1/councils").get_json()
    assert [c["id"] for c in body] == list(councils.ids())
    for council in body:
        listed = {s["id"] for s in council["sources"]}
        cited = [council["source"], council["threshold"]["source"], council["penalties"]["source"]]
        assert set(cited) <= listed, council["id"]
        for source in council["sources"]:
            assert source["read"] == "2026-12-01" and (source["url"] or source["document"])
        assert set(council["checklists"]) == set(council["documents"])


def test_the_listing_says_what_is_not_published(client):
    body = client.get("/api/v1/councils").get_json()
    assert all(isinstance(c["not_published"], list) for c in body)
    silent = [c for c in body if "submission" in c["not_published"]]
    assert silent and all(c["submit_to"]["channel"] is None for c in silent)


# A Welsh council's own parameters (the ERW code's 90 % condition, its term window, its amounts), written as
# data: the listing gives them as the file says, each with its source.
WELSH_RULES = """
[threshold]
unauthorised_sessions = 10
window = "current_term"
below_percent_year_to_date = 90
holiday_sessions_consecutive = true
source = "code"

[penalties]
first_early = 60
first_early_days = 28
first_full = 120
first_full_days = 42
second_early = 60
second_full = 120
source = "code"
"""


def test_welsh_parameters_are_data(client, temp_council):
    temp_council(council_toml("westshire", country="wales", extra=WELSH_RULES))
    body = client.get("/api/v1/councils/westshire").get_json()
    assert body["country"] == "wales"
    assert body["threshold"] == {
        "unauthorised_sessions": 10, "window": "current_term", "window_school_weeks": None,
        "below_percent_year_to_date": 90.0, "holiday_sessions_consecutive": True, "source": "code"}
    assert body["penalties"] == {"first_early": 60, "first_early_days": 28, "first_full": 120,
                                 "first_full_days": 42, "second_early": 60, "second_full": 120,
                                 "notices_per_three_years": None, "source": "code"}


@pytest.mark.parametrize("council", councils.all(), ids=councils.ids())
def test_each_council_is_listed_as_its_file_says(client, council):
    body = client.get(f"/api/v1/councils/{council.id}").get_json()
    assert (body["id"], body["name"], body["country"]) == (council.id, council.name, council.country)
    assert body["threshold"] == asdict(council.threshold)
    assert body["penalties"] == asdict(council.penalties)
    assert body["submit_to"] == asdict(council.submit_to) | {"cc": list(council.submit_to.cc)}
    assert body["deadlines"] == [asdict(d) | {"absence_types": list(d.absence_types)} for d in council.deadlines]
    assert body["documents"] == list(council.documents)
    assert body["not_published"] == list(council.not_published)
    for document in council.documents:
        expected = council.requirements(document, forms.get(document).attachments)
        assert [(i["item"], i["when"], i["kinds"]) for i in body["checklists"][document]] == [
            (r.item, r.when, list(r.kinds)) for r in expected], document
    assert [(s["id"], s["title"], s["url"], s["document"]) for s in body["sources"]] == [
        (s.id, s.title, s.url, s.document) for s in council.sources]


def test_dorset_addresses_deadline_and_checklist(client):
    body = client.get("/api/v1/councils/dorset").get_json()
    assert body["submit_to"]["to"] == "penaltynotices@dorsetcouncil.gov.uk"
    assert body["submit_to"]["cc_school_inclusion_lead"] is True
    assert body["contact"]["phone"] == "01305 221596"
    assert body["deadlines"] == [{"days": 7, "unit": "calendar_days", "after": "absence_end",
                                  "absence_types": ["holiday"], "source": "app7",
                                  "text": "Please submit this form within one week of completion of holiday absence."}]
    assert body["requires_both_addresses_when_apart"] is True
    items = {(i["item"], i["when"]) for i in body["checklists"]["dorset-holiday"]}
    assert items == {("attendance_certificate", "always"), ("leave_request_form", "leave_requested"),
                     ("refusal_letter", "always")}


# A council that states its own checklist (the certificate for two school years, a headteacher's certificate, an
# early-help assessment or attendance plan) and a deadline counted in working days from the warning letter.
OWN_CHECKLIST = """
[documents.generic-request]
source = "code"
attachments = [
  {item = "attendance_certificate", label = "Certificate for this school year", kinds = ["attendance_certificate"]},
  {item = "attendance_certificate_previous_year", label = "Certificate for last school year", kinds = ["attendance_certificate_previous_year"]},
  {item = "headteacher_certificate", label = "Headteacher's certificate", kinds = ["headteacher_certificate"]},
  {item = "support_plan", label = "Early help assessment or attendance plan", kinds = ["early_help_assessment", "attendance_plan"]},
]
"""


def test_a_council_checklist_of_its_own_replaces_the_documents(client, temp_council):
    text = council_toml("checkshire", unpublished=("submission", "contact", "request_per", "term_dates",
                                                   "notice_to_improve"), extra=WARNING_DEADLINE)
    text = text.replace('[documents.generic-request]\nsource = "code"\n', OWN_CHECKLIST.lstrip())
    temp_council(text)
    body = client.get("/api/v1/councils/checkshire").get_json()
    assert [(i["item"], i["kinds"]) for i in body["checklists"]["generic-request"]] == [
        ("attendance_certificate", ["attendance_certificate"]),
        ("attendance_certificate_previous_year", ["attendance_certificate_previous_year"]),
        ("headteacher_certificate", ["headteacher_certificate"]),
        ("support_plan", ["early_help_assessment", "attendance_plan"])]
    default = [(i.item, list(i.kinds)) for i in forms.get("leave-refusal").attachments]
    assert [(i["item"], i["kinds"]) for i in body["checklists"]["leave-refusal"]] == default
    assert [(d["days"], d["unit"], d["after"]) for d in body["deadlines"]] == [(10, "working_days", "warning_letter")]


def test_unknown_council_is_a_404_problem(client):
    response = client.get("/api/v1/councils/no-such-council")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["known"] == list(councils.ids())
