"""The pipeline: a case is loaded once and assessed once, whatever the surface; decisions are typed and
described field by field in the OpenAPI."""

from __future__ import annotations

import dataclasses

import pytest

from service import assessment
from service import rules
from service.case import schema
from service.decisions import Decisions
from service.decisions import Notice
from tests.conftest import family_case
from tests.test_bundles import holiday_sent


@pytest.fixture
def counted(monkeypatch):
    """Count the case loads and rule runs."""
    calls = {"load": 0, "decide": 0}
    load, decide = schema.load_case, rules.decide

    def counting_load(*args, **kwargs):
        calls["load"] += 1
        return load(*args, **kwargs)

    def counting_decide(*args, **kwargs):
        calls["decide"] += 1
        return decide(*args, **kwargs)

    monkeypatch.setattr(assessment, "load_case", counting_load)
    monkeypatch.setattr(assessment.rules, "decide", counting_decide)
    return calls


def test_bundle_loads_and_assesses_once(client, counted):
    response = client.post("/api/v1/bundles", json=holiday_sent())
    assert response.status_code == 200
    assert counted == {"load": 1, "decide": 1}


def test_validate_for_a_document_loads_and_assesses_once(client, counted):
    body = client.post("/api/v1/cases/validate?document=generic-request",
                       json=family_case("holiday-two-children")).get_json()
    assert body["document"] == "generic-request" and body["checklist"]
    assert counted == {"load": 1, "decide": 1}


def test_decisions_are_frozen_typed_objects(family):
    done = assessment.evaluate(family("holiday-two-children"))
    assert isinstance(done.decisions, Decisions)
    notice = done.decisions.penalty_notice.notices[0]
    assert isinstance(notice, Notice)
    with pytest.raises(dataclasses.FrozenInstanceError):
        notice.allowed = False  # type: ignore[misc]


def test_openapi_describes_the_decisions_field_by_field(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    report = schemas["Report"]["properties"]
    assert {"$ref": "#/components/schemas/Decisions"} in report["decisions"]["anyOf"]
    assert "ready_to_submit" in report
    notice = schemas["Notice"]["properties"]
    assert {"parent_id", "pupil_upn", "parent_index", "pupil_index", "notice_number", "amount_early",
            "amount_full", "reason"} <= set(notice)
    assert {"notices", "uniform"} <= set(schemas["PenaltyNotice"]["properties"])
    assert {"period_start", "period_end"} <= set(schemas["NoticeToImprove"]["properties"])


def test_every_document_lists_its_needs_as_checks():
    from service import forms
    from service.needs import Need

    for document in forms.all():
        assert all(isinstance(n, Need) and callable(n) for n in document.needs), document.id
    assert forms.get("pn3").need_names == {"penalty_notice", "holiday"}
