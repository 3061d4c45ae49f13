"""GET /api/v1/councils and /councils/<id>."""

from __future__ import annotations


def test_list_has_the_three_councils_with_rules(client):
    body = client.get("/api/v1/councils").get_json()
    by_id = {c["id"]: c for c in body}
    assert sorted(by_id) == ["dorset", "vale-of-glamorgan", "wiltshire"]
    assert by_id["vale-of-glamorgan"]["country"] == "wales"
    assert by_id["vale-of-glamorgan"]["penalties"]["first_early"] == 60
    assert by_id["vale-of-glamorgan"]["threshold"] == {"unauthorised_sessions": 10, "window_school_weeks": None}
    assert by_id["wiltshire"]["threshold"] == {"unauthorised_sessions": 10, "window_school_weeks": 10}


def test_dorset_addresses_and_checklist(client):
    body = client.get("/api/v1/councils/dorset").get_json()
    assert body["submit_to"]["to"] == "penaltynotices@dorsetcouncil.gov.uk"
    assert body["submit_to"]["cc_school_inclusion_lead"] is True
    assert body["submission_window_days"] == 7
    assert body["requires_both_addresses_when_apart"] is True
    items = {(i["item"], i["when"]) for i in body["checklists"]["dorset-holiday"]}
    assert items == {("attendance_certificate", "always"), ("leave_request_form", "leave_requested"),
                     ("refusal_letter", "always")}


def test_unknown_council_is_a_404_problem(client):
    response = client.get("/api/v1/councils/kent")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["known"] == ["dorset", "vale-of-glamorgan", "wiltshire"]
