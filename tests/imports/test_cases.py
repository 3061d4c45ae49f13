"""The import's `case` part names its council as a case does: a council with a file, or any other council in
England or Wales with `council_details` (its name, country and route), under its country's national rules."""

from __future__ import annotations

import io
import json

import pytest

from service.imports.cases import defaults
from service.problems import Problem
from tests.imports.builders import COUNCIL_DEFAULTS
from tests.imports.test_batch import school

NO_FILE = "borsetshire"  # a council the service has no file for (fictional)


def part(**details) -> dict:
    given = {**COUNCIL_DEFAULTS, "council": NO_FILE}
    given["council_details"] = {"name": "Borsetshire County Council", "country": "england",
                                "email": "attendance@borsetshire.example.gov.uk", **details}
    return given


def test_a_council_without_a_file_gets_its_countrys_national_rules():
    given = defaults(part(), "ctf")
    assert (given.council.id, given.council.name, given.council.national) == (
        NO_FILE, "Borsetshire County Council", True)
    assert given.council.country == "england" and given.council.threshold.window == "rolling_school_weeks"
    assert given.council.submit_to.to == "attendance@borsetshire.example.gov.uk"


def test_a_welsh_council_without_a_file_is_counted_in_the_episode():
    given = defaults(part(country="wales", name="Cyngor Sir Borsetshire"), "ctf")
    assert given.council.country == "wales" and given.council.threshold.window == "episode"


@pytest.mark.parametrize(("details", "path", "code"), [
    (None, "council", "unknown_council"),
    ({"email": None}, "council_details.email", "required"),
    ({"country": "scotland"}, "council_details.country", "invalid_country"),
])
def test_a_council_without_a_file_or_its_route_is_refused_with_the_path(details, path, code):
    given = part(**(details or {}))
    if details is None:
        del given["council_details"]
    with pytest.raises(Problem) as raised:
        defaults(given, "ctf")
    assert raised.value.code == "invalid_import_case"
    assert (path, code) in [(e["path"], e["code"]) for e in raised.value.extra["errors"]]


def test_the_import_api_answers_cases_for_it_under_the_national_rules(client):
    response = client.post("/api/v1/imports/ctf", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(school()), "export.xml"), "case": json.dumps(part())})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert {c["council"] for c in body["cases"]} == {NO_FILE}
    assert body["cases"][0]["council_details"]["name"] == "Borsetshire County Council"
    # The national framework: a Notice to Improve first for irregular absence, as for a council with a file.
    assert [r["documents_allowed"] for r in body["scan"]] == [["notice-to-improve"], [], ["notice-to-improve"],
                                                              ["notice-to-improve"]]
    report = client.post("/api/v1/cases/validate", json=body["cases"][0]).get_json()
    assert report["rules"]["basis"] == "national_default" and report["rules"]["name"] == "Borsetshire County Council"
