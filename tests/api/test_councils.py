"""GET /api/v1/councils and /councils/<id>: every council, each fact with its source."""

from __future__ import annotations

from service import councils


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


def test_welsh_parameters_are_data(client):
    body = client.get("/api/v1/councils/pembrokeshire").get_json()
    assert body["country"] == "wales"
    assert body["threshold"] | {"source": None} == {
        "unauthorised_sessions": 10, "window": "current_term", "window_school_weeks": None,
        "below_percent_year_to_date": 90.0, "holiday_sessions_consecutive": False, "source": None}
    assert body["penalties"]["first_early"] == 60


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


def test_a_council_checklist_of_its_own_replaces_the_documents(client):
    body = client.get("/api/v1/councils/rotherham").get_json()
    kinds = {k for i in body["checklists"]["generic-request"] for k in i["kinds"]}
    assert {"attendance_certificate_previous_year", "headteacher_certificate", "early_help_assessment",
            "attendance_plan"} <= kinds
    assert body["deadlines"][0]["unit"] == "working_days" and body["deadlines"][0]["after"] == "warning_letter"


def test_unknown_council_is_a_404_problem(client):
    response = client.get("/api/v1/councils/no-such-council")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["known"] == list(councils.ids())
