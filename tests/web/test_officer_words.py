"""The report page as an attendance officer reads it: the outcome first, per person, in plain words.

Seen (issue 17): "p1 p2" for the parents, "send attendance.marks", postcodes as typed, the downloads at the
bottom of a 6,300-pixel page, no error summary when a form is refused because one sibling is under five,
and no next step for a Welsh case where a notice is allowed.
"""

from __future__ import annotations

import json
import re

import pytest

from service import forms
from service.assessment import evaluate
from tests.conftest import EXAMPLES
from tests.conftest import council_toml
from tests.web.conftest import Page
from tests.web.conftest import at_council
from tests.web.conftest import holiday_files
from tests.web.conftest import three_siblings

EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.json"))
# What must never be a page's visible text: a JSON path, a field or code name, a parent's id.
JSON_PATH = re.compile(r"\b[a-z_]+\[\d+\]|\b(?:pupils|parents|absence|attendance|school)\.[a-z_]+")
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def main_text(page: Page) -> str:
    """Return the main text a reader sees or hears (no attributes or hidden inputs), without the names of
    the files the officer uploaded (theirs to name)."""
    (main,) = page.find("main")
    return re.sub(r"[\w.'-]+\.(?:pdf|json)\b", "", " ".join(main.text.split()))


def assert_plain(page: Page, case: dict) -> None:
    text = main_text(page)
    ids = {p.get("id") for p in case.get("parents", []) if isinstance(p, dict)}
    assert not JSON_PATH.findall(text), JSON_PATH.findall(text)
    assert not SNAKE.findall(text.replace("@", " @")), SNAKE.findall(text)
    for parent_id in ids:
        assert not re.search(rf"(?<![\w@.-]){re.escape(parent_id)}(?![\w@.-])", text), parent_id


def outcome_of(page: Page) -> str:
    return page.text_of(page.by_id("outcome"))


def test_three_siblings_each_pupil_and_parent_by_name_with_the_refusal_explained(officer, read, family):
    data = three_siblings(family)
    page = read(officer.upload_case(data, **holiday_files()))
    outcome = outcome_of(page)
    assert "Penalty notices are allowed for 2 of the 3 pupils" in outcome
    for pupil in ("Zoë Fairweather", "Alfie Fairweather", "Ivy Fairweather"):
        assert page.text_of(page.by_id(f"outcome-pupil-{['Zoë', 'Alfie', 'Ivy'].index(pupil.split()[0])}"))
    ivy = page.text_of(page.by_id("outcome-pupil-2"))
    assert "Below compulsory school age: from 31 March 2027" in ivy
    assert "Hannah Fairweather, mother: No penalty notice: the child is below compulsory school age" in ivy
    assert "Owen Fairweather, father: No penalty notice: the child is below compulsory school age" in ivy
    zoe = page.text_of(page.by_id("outcome-pupil-0"))
    assert (
        "Hannah Fairweather, mother: Penalty notice 1: £80 if paid within 21 days, £160 within 28 days" in zoe
    )
    # the form cannot be filled with Ivy on it: the next step says so, naming her
    assert (
        "request form cannot be filled for this case: Ivy Fairweather: Not yet of compulsory school age"
        in outcome
    )
    # the bundle is refused (422) with a GOV.UK error summary naming the person and the reason
    refused = officer.resubmit(page, "/bundle")
    summary = read(refused)
    assert refused.status_code == 422
    links = [(summary.text_of(a), a.attrs["data-code"], a.attrs["href"]) for a in summary.error_links()]
    assert (
        "Ivy Fairweather: Not yet of compulsory school age when the absence began: no penalty notice or "
        "Notice to Improve",
        "below_compulsory_school_age",
        "#case-pupils-2-date-of-birth",
    ) in links
    assert summary.by_id("case-pupils-2-date-of-birth")
    assert_plain(summary, data)


def test_a_refused_letter_names_each_child_it_needs_figures_for(officer, read, family):
    data = three_siblings(family)
    page = read(officer.upload_case(data, **holiday_files()))
    refused = officer.resubmit(page, "/download", document="attendance-letter-1.docx")
    summary = read(refused)
    assert refused.status_code == 422
    texts = [summary.text_of(a) for a in summary.error_links()]
    assert (
        "Alfie Fairweather: Add this pupil's own attendance figures: the letter reports each child's attendance"
        in texts
    )
    assert (
        "Ivy Fairweather: Add this pupil's own attendance figures: the letter reports each child's attendance"
        in texts
    )
    assert_plain(summary, data)


def test_the_outcome_comes_first_with_the_downloads_beside_it(officer, read, family):
    data = family("holiday-two-children")
    page = read(officer.upload_case(data, **holiday_files()))
    order = [
        e.attrs.get("id")
        for e in page.elements
        if e.attrs.get("id") in ("outcome", "downloads", "checklist", "case-summary")
    ]
    assert order == ["outcome", "downloads", "checklist", "case-summary"]
    (row,) = [
        e
        for e in page.find("div", class_="govuk-grid-row")
        if "outcome" in {c.attrs.get("id") for c in page.elements}
    ]
    assert page.by_id("downloads").attrs["class"] == "govuk-grid-column-one-third"
    council = data["council_details"]["name"]
    assert f"Download the bundle and send it to {council}" in page.text_of(
        page.by_id("next-step").__class__ and page.by_id("outcome")
    )


def test_separated_parents_each_named_with_their_role(officer, read, family):
    data = family("holiday-parents-apart")
    page = read(officer.upload_case(data))
    outcome = outcome_of(page)
    for parent in data["parents"]:
        if parent["id"] in data["absence"].get("responsible_parent_ids", [p["id"] for p in data["parents"]]):
            assert f"{parent['full_name']}, {parent['relationship']}:" in outcome
    assert_plain(page, data)


def test_a_welsh_case_has_its_outcome_and_next_step_in_welsh(officer, read, family):
    officer.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "cy,en;q=0.5"
    data = family("welsh-holiday")
    page = read(officer.upload_case(data))
    assert page.find("html")[0].attrs["lang"] == "cy"
    outcome = outcome_of(page)
    assert "Beth y mae'r achos yn ei ganiatáu" in outcome
    assert "Y cam nesaf" in outcome
    steps = [page.text_of(li) for li in page.by_id("outcome").__class__ and page.find("li") if li.text]
    assert any(data["council_details"]["name"] in step for step in steps)  # Cyngor Gwaelod, as the case names it
    assert "£60 os telir o fewn 28 diwrnod, £120 o fewn 42 diwrnod" in outcome
    assert_plain(page, data)


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_no_page_shows_an_id_a_json_path_or_a_code(officer, read, name, language):
    """The report, every refused download and a refused bundle of every example, in English and Welsh."""
    officer.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    data = json.loads((EXAMPLES / f"{name}.json").read_text())
    page = read(officer.upload(name))
    assert page.find("html")[0].attrs["lang"] == language
    assert_plain(page, data)
    refused = 0
    for document in evaluate(data).council.documents:
        fmt = forms.get(document).outputs[0]
        response = officer.resubmit(page, "/download", document=f"{document}.{fmt}")
        if response.mimetype == "text/html":
            refused += 1
            assert response.status_code in (422, 501), document
            assert_plain(read(response), data)
    bundle = officer.resubmit(page, "/bundle")
    if bundle.mimetype == "text/html":
        assert_plain(read(bundle), data)
    assert refused  # every example has something it cannot produce yet (no attachments were sent)


def test_a_welsh_councils_steps_name_it_by_its_own_welsh_name(officer, read, family, temp_council):
    """The next step names the council as its file names it in Welsh (`name_cy`), not its English name."""
    text = council_toml("westshire", country="wales").replace(
        'country = "wales"', 'country = "wales"\nname_cy = "Cyngor Gorllewin"'
    )
    council = temp_council(text)
    officer.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "cy,en;q=0.5"
    page = read(officer.upload_case(at_council(family("welsh-holiday"), council)))
    steps = page.text_of(page.by_id("outcome"))
    assert "Cyngor Gorllewin" in steps and council.name not in steps
