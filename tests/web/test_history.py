"""The case's history entered on the report page: each entry comes back in the case the page carries, in
the assessment (the outcome, the letters) and in the case file the officer downloads."""

from __future__ import annotations

import io
import json

from tests.conftest import make_pdf
from tests.web.conftest import Page


def dated(prefix: str, iso: str) -> dict[str, str]:
    year, month, day = iso.split("-")
    return {f"{prefix}-day": str(int(day)), f"{prefix}-month": str(int(month)), f"{prefix}-year": year}


def notice_to_improve(
    parent: str = "0", pupil: str = "0", issued: str = "2026-06-01", end: str = "2026-07-13"
):
    return {
        "history": "notice_to_improve",
        "history-notice_to_improve-parent": parent,
        "history-notice_to_improve-pupil": pupil,
        **dated("history-notice_to_improve-issued_on", issued),
        **dated("history-notice_to_improve-period_end", end),
    }


def carried(page: Page) -> dict:
    return json.loads(page.hidden("case")[0])


def test_every_history_field_has_a_label_and_help_text(officer, read, family):
    page = read(officer.upload_case(family("irregular-with-marks")))
    fields = [
        e
        for e in page.elements
        if e.tag in ("input", "select", "textarea") and e.attrs.get("name", "").startswith("history-")
    ]
    labels = {label.attrs["for"] for label in page.find("label")}
    assert len(fields) == 21 and {f.attrs["id"] for f in fields} <= labels
    for legend in ("An earlier Notice to Improve", "An earlier penalty notice", "A letter already sent"):
        (fieldset,) = [f for f in page.find("fieldset") if page.text_of(f).startswith(legend)]
        hint = page.by_id(fieldset.attrs["aria-describedby"])
        assert "govuk-hint" in hint.attrs["class"] and len(page.text_of(hint)) > 60
    assert "Marta Kowalczyk, mother" in [page.text_of(o) for o in page.find("option")]


def test_an_earlier_notice_to_improve_comes_back_in_the_case_and_allows_the_notice(officer, read, family):
    page = read(officer.upload_case(family("irregular-with-marks")))
    assert "a Notice to Improve comes first" in page.text_of(page.by_id("outcome-pupil-0"))

    added = read(officer.resubmit(page, **notice_to_improve()))
    assert carried(added)["previous_notices_to_improve"] == [
        {
            "parent_id": "p1",
            "pupil_upn": "J865204224031",
            "issued_on": "2026-06-01",
            "period_end": "2026-07-13",
        }
    ]
    outcome = added.text_of(added.by_id("outcome-pupil-0"))
    assert "Marta Kowalczyk, mother: Penalty notice 1: £80 if paid within 21 days" in outcome
    history = added.text_of(added.by_id("case-history"))
    assert "Marta Kowalczyk, mother, for Tomasz Kowalczyk-Reid: issued on 1 June 2026" in history
    assert "improvement period ended 13 July 2026" in history
    assert "notice_to_improve_first" not in [a.attrs["data-code"] for a in added.error_links()]

    (remove,) = added.find("button", name="remove_history")
    removed = read(officer.resubmit(added, remove_history=remove.attrs["value"]))
    assert carried(removed)["previous_notices_to_improve"] == []
    assert "a Notice to Improve comes first" in removed.text_of(removed.by_id("outcome-pupil-0"))


def test_two_earlier_penalty_notices_stop_a_third(officer, read, family):
    page = read(officer.upload_case(family("holiday-two-children")))
    for issued in ("2025-02-12", "2026-01-20"):
        page = read(
            officer.resubmit(
                page,
                history="penalty_notice",
                **{"history-penalty_notice-parent": "0", "history-penalty_notice-pupil": "0"},
                **dated("history-penalty_notice-issued_on", issued),
            )
        )
        if issued == "2025-02-12":
            zoe = page.text_of(page.by_id("outcome-pupil-0"))
            assert "Penalty notice 2: £160, paid within 28 days (no reduced amount)" in zoe
    assert [n["issued_on"] for n in carried(page)["previous_penalty_notices"]] == ["2025-02-12", "2026-01-20"]
    zoe = page.text_of(page.by_id("outcome-pupil-0"))
    assert "Hannah Fairweather, mother: No penalty notice: this parent has had two for this child" in zoe
    assert "Penalty notice 1: £80" in page.text_of(page.by_id("outcome-pupil-1"))  # Alfie's are his own


def test_a_letter_sent_with_its_copy_dates_the_second_letter(officer, read, docx_text, family):
    page = read(officer.upload_case(family("irregular-with-marks")))
    copy = make_pdf(["Dear Ms Kowalczyk", "Tomasz's attendance has fallen to 84%."])
    added = read(
        officer.resubmit(
            page,
            history="letter",
            **{"history-letter-document": "attendance-letter-1", "history-letter-parent": "0"},
            **dated("history-letter-sent_on", "2026-10-05"),
            **{"history-letter-copy": (io.BytesIO(copy), "letter-1.pdf")},
        )
    )
    assert carried(added)["previous_letters"] == [
        {"document": "attendance-letter-1", "sent_on": "2026-10-05", "parent_id": "p1"}
    ]
    (attachment,) = [json.loads(v) for v in added.hidden("carried")]
    assert attachment["kind"] == "parent_communication" and attachment["filename"] == "letter-1.pdf"
    assert (
        "First attendance concern letter, with a chart, sent on 5 October 2026 (Marta Kowalczyk, mother)"
        in (added.text_of(added.by_id("case-history")))
    )
    letter = officer.resubmit(added, "/download", document="attendance-letter-2.docx")
    assert letter.status_code == 200
    assert "further to my previous letter dated 5 October 2026" in docx_text(letter.data)


def test_a_reason_support_is_not_appropriate_turns_the_error_into_a_warning(officer, read, family):
    page = read(officer.upload_case(family("irregular-with-marks")))
    reason = "The family refused every meeting offered since September."
    saved = read(officer.resubmit(page, history="support", **{"history-support-reason": reason}))
    assert carried(saved)["support_not_appropriate"] == {"reason": reason}
    assert "Penalty notice 1: £80" in saved.text_of(saved.by_id("outcome-pupil-0"))
    assert reason in saved.text_of(saved.by_id("case-history"))
    assert saved.text_of(saved.by_id("history-support-reason")) == reason
    cleared = read(officer.resubmit(saved, history="support", **{"history-support-reason": " "}))
    assert "support_not_appropriate" not in carried(cleared)


def test_a_wrong_entry_is_explained_and_the_case_is_unchanged(officer, read, family):
    page = read(officer.upload_case(family("irregular-with-marks")))
    wrong = notice_to_improve(pupil="", issued="2026-02-31", end="2026-07-13")
    wrong["history-notice_to_improve-issued_on-day"] = "31"
    wrong["history-notice_to_improve-issued_on-month"] = "2"
    response = officer.resubmit(page, **wrong)
    again = read(response)
    assert response.status_code == 400
    assert again.title.startswith("Error:")
    links = {a.attrs["href"]: again.text_of(a) for a in again.error_links()}
    assert links["#history-notice_to_improve-pupil"] == "Select the pupil it was about"
    assert links["#history-notice_to_improve-issued_on-day"] == (
        "Enter the date it was issued as a real date, like 27 3 2026"
    )
    for href in links:
        assert href.removeprefix("#") in again.ids()
    assert again.hidden("case") == page.hidden("case")
    assert again.by_id("history-notice_to_improve-issued_on-day").attrs["value"] == "31"  # kept to correct
    ends_first = notice_to_improve(issued="2026-07-13", end="2026-06-01")
    links = [a.attrs["href"] for a in read(officer.resubmit(page, **ends_first)).error_links()]
    assert "#history-notice_to_improve-period_end-day" in links


def test_the_case_file_download_keeps_the_history_and_the_attachments(officer, read, family):
    page = read(officer.upload_case(family("irregular-with-marks"), other=make_pdf(["A note of a call"])))
    added = read(officer.resubmit(page, **notice_to_improve()))
    response = officer.resubmit(added, "/case-file")
    council = json.loads(page.hidden("case")[0])["council"]  # named for the case's council, then the pupil
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="{council}-kowalczyk-reid')
    saved = json.loads(response.data)
    assert saved["previous_notices_to_improve"][0]["period_end"] == "2026-07-13"
    assert [a["kind"] for a in saved["attachments"]] == ["other"]
    officer_again = read(officer.upload_case(saved))
    assert "Penalty notice 1: £80" in officer_again.text_of(officer_again.by_id("outcome-pupil-0"))
