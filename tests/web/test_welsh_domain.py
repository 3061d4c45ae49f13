"""Welsh pages say the domain's words in Welsh: issue sentences by code, document titles by id, the councils'
notes by their text; anything the catalogue lacks stays in English, marked as English."""

from __future__ import annotations

from service.web import notes
from service.web import words
from tests.conftest import council_toml
from tests.web.conftest import at_council


def welsh(officer) -> None:
    officer.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "cy-GB,cy;q=0.9,en;q=0.5"


def test_a_welsh_councils_notes_and_the_document_titles_are_in_welsh(officer, read, family, temp_council):
    catalogued, added = "Not for nursery or sixth-form pupils.", "A note this council added yesterday."
    text = council_toml("westshire", country="wales").replace(
        'source = "code"\n', f'source = "code"\nnotes = ["{catalogued}", "{added}"]\n', 1
    )
    council = temp_council(text)
    welsh(officer)
    page = read(officer.upload_case(at_council(family("welsh-holiday"), council)))
    assert page.find("html")[0].attrs["lang"] == "cy"
    said = page.text_of(page.by_id("council-notes"))
    assert "Nid ar gyfer disgyblion meithrin na'r chweched dosbarth." in said and catalogued not in said
    # the note the catalogue lacks stays English, marked so (a screen reader reads it as English)
    assert [page.text_of(li) for li in page.find("li") if li.attrs.get("lang") == "en"] == [added]
    downloads = page.text_of(page.by_id("downloads"))
    assert "Llythyr gwrthod absenoldeb" in downloads and "Leave of absence refusal letter" not in downloads


def test_every_note_of_a_council_in_wales_has_its_welsh(app):
    """A contract over the registry: the councils in Wales (Welsh Language Standards) are Welsh on Welsh
    pages, every note of theirs included."""
    from service import councils

    in_wales = [c for c in councils.all() if c.country == "wales"]
    assert in_wales
    with app.test_request_context(headers={"Accept-Language": "cy"}):
        for council in in_wales:
            for note in council.notes:
                assert notes.note(note).lang == "cy", (council.id, note)


def test_issues_are_in_welsh_by_code_and_in_english_with_their_figures(officer, read, family):
    data = family("holiday-two-children")
    data["parents"][1]["id"] = data["parents"][0]["id"]  # duplicate_id
    data["absence"]["end_date"] = "2026-09-01"  # before its start: end_before_start
    english = read(officer.upload_case(data))
    texts = [english.text_of(a) for a in english.error_links()]
    assert any("Two people in the case file have the same reference" in t for t in texts), texts
    welsh(officer)
    officer.client.set_cookie("attendance_language", "cy")
    cymraeg = read(officer.upload_case(data))
    texts = [cymraeg.text_of(a) for a in cymraeg.error_links()]
    assert any("Mae gan ddau berson yn ffeil yr achos yr un cyfeirnod" in t for t in texts), texts
    assert any("Gwiriwch y dyddiadau" in t for t in texts), texts


def test_a_code_with_figures_keeps_them_in_english_and_is_welsh_in_welsh(app):
    message = "Present sessions is 300; possible less the absences gives 301."
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert words.issue({}, "attendance.sessions_present", "totals_disagree", message) == message
    with app.test_request_context(headers={"Accept-Language": "cy"}):
        said = words.issue({}, "attendance.sessions_present", "totals_disagree", message)
        assert said.startswith("Nid yw'r cyfansymiau presenoldeb yn cytuno")


def test_a_note_the_catalogue_lacks_stays_english_and_says_so(app):
    with app.test_request_context(headers={"Accept-Language": "cy"}):
        assert notes.note("A note a council added yesterday.") == notes.Note(
            "A note a council added yesterday.", "en"
        )
        known = notes.note("Not for nursery or sixth-form pupils.")
        assert known == notes.Note("Nid ar gyfer disgyblion meithrin na'r chweched dosbarth.", "cy")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert notes.note("Not for nursery or sixth-form pupils.").lang == "en"


def test_every_document_title_has_welsh(app):
    from service import forms

    with app.test_request_context(headers={"Accept-Language": "cy"}):
        for document in forms.all():
            assert words.title(document.id) != document.title, document.id
