"""The report page's model: anchors for JSON paths, and a summary of any JSON object without failing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from service.web import pages
from service.web import summary

ANCHORS = {"pupils[0]": "case-pupils-0", "pupils[0].address": "case-pupils-0-address", "attachments": "case-a"}


@pytest.mark.parametrize(
    ("path", "href"),
    [
        ("pupils[0].address", "#case-pupils-0-address"),
        ("pupils[0].address.postcode", "#case-pupils-0-address"),
        ("pupils[0].upn", "#case-pupils-0"),
        ("attachments[3]", "#case-a"),
        ("surprise", "#case-summary"),
        ("", "#case-summary"),
        ("pupils[9].x[2][3]", "#case-summary"),
    ],
)
def test_resolve_finds_the_nearest_row(path, href):
    assert pages.resolve(path, ANCHORS) == href


def test_anchor_is_a_valid_id():
    assert summary.anchor("pupils[0].date_of_birth") == "case-pupils-0-date-of-birth"
    assert summary.anchor("") == "case-summary"


def test_every_path_of_an_example_has_a_row(family):
    data = family("holiday-parents-apart")
    _, anchors = summary.cards(data, 0)
    for path in ("council", "pupils[0].upn", "parents[1].address", "absence.end_date", "attendance.as_of"):
        assert path in anchors


def test_dates_and_flags_read_as_words(family, app):
    with app.test_request_context():
        cards, _ = summary.cards(family("holiday-two-children"), 0)
    rows = {(c.title, r.key): r.lines for c in cards for r in c.rows}
    assert rows[("Zoë Fairweather (pupil)", "Date of birth")] == ("4 May 2016",)
    assert rows[("Zoë Fairweather (pupil)", "Looked after")] == ("No",)
    assert rows[("Hannah Fairweather, mother", "Address")] == ("Lives at the pupil's address",)


def test_people_by_name_and_role_and_values_as_they_print(family, app):
    """Seen: "p1 p2" for the parents responsible, postcodes as typed ("ba14 9qz")."""
    with app.test_request_context():
        cards, _ = summary.cards(family("holiday-two-children"), 0)
    rows = {(c.title, r.key): r.lines for c in cards for r in c.rows}
    assert rows[("Absence", "Parents responsible")] == (
        "Hannah Fairweather, mother",
        "Owen Fairweather, father",
    )
    assert rows[("Zoë Fairweather (pupil)", "Address")][-1] == "BA14 9QZ"
    assert rows[("Hannah Fairweather, mother", "Phone")] == ("07700 900111",)
    assert rows[("Hannah Fairweather, mother", "Name")] == ("Hannah Fairweather",)  # no "id p1"
    assert ("Absence", "Type") in rows and rows[("Absence", "Type")] == ("Holiday in term time",)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
KEYS = st.sampled_from(["council", "school", "pupils", "parents", "absence", "attendance", "attachments"])


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(KEYS, JSON, max_size=7))
def test_any_json_object_gets_a_report_page(data):
    page = pages.report(data, (), pdf_letters=False)
    assert page.cards
    for link in page.errors:
        assert link.href.startswith("#")
