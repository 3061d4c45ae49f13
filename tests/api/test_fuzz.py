"""Property-based: random and malformed JSON never gives a 500; always a report or a problem."""

from __future__ import annotations

import json

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from service import create_app
from tests.conftest import family_case

URL = "/api/v1/cases/validate"
CLIENT = create_app({"TESTING": True}).test_client()
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children,
                                                                        max_size=4),
    max_leaves=20,
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(response) -> None:
    assert response.status_code in (200, 400, 404, 415), response.data[:300]
    body = response.get_json()
    if response.status_code == 200:
        assert set(body) >= {"valid", "errors", "warnings", "decisions", "checklist"}
        assert all({"path", "code", "message"} == set(e) for e in body["errors"])
    else:
        assert response.mimetype == "application/problem+json"
        assert body["status"] == response.status_code and body["code"]


@SETTINGS
@given(json_values)
def test_any_json_value(value):
    check(CLIENT.post(URL, data=json.dumps(value), content_type="application/json"))


@SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes(raw):
    check(CLIENT.post(URL, data=raw, content_type="application/json"))


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value[:3]):
            yield from _paths(child, (*prefix, i))


EXAMPLE = family_case("holiday-two-children")
PATHS = [p for p in _paths(EXAMPLE) if p]


def _mutate(case, path, replacement):
    target = case
    for key in path[:-1]:
        target = target[key]
    if replacement == "<delete>":
        del target[path[-1]]
    else:
        target[path[-1]] = replacement
    return case


@SETTINGS
@given(st.sampled_from(PATHS), json_values | st.just("<delete>"),
       st.sampled_from([None, "generic-request", "pn3", "notice-to-improve", "leave-refusal"]))
def test_mutated_example_case(path, replacement, document):
    case = _mutate(json.loads(json.dumps(EXAMPLE)), path, replacement)
    query = f"?document={document}" if document else ""
    response = CLIENT.post(URL + query, data=json.dumps(case), content_type="application/json")
    assert response.status_code == 200, response.data[:300]
    check(response)
