"""The letters downloaded from the report page go to each liable parent, at that parent's address: read back."""

from __future__ import annotations

from tests.e2e.test_web import letters


def test_only_the_parent_responsible_gets_the_letter_at_the_pupils_address(officer, read, family):
    data = family("holiday-parents-apart")  # the mother is responsible; the father lives elsewhere
    page = read(officer.upload_case(data))
    assert "Niamh O'Connor, mother: Penalty notice 1" in page.text_of(page.by_id("outcome-pupil-0"))
    assert "Rhys Hughes" not in page.text_of(page.by_id("outcome-pupil-0"))
    response = officer.resubmit(page, "/download", document="leave-refusal.docx")
    (letter,) = letters(response.data)
    at = letter.index("Niamh O'Connor")
    assert letter[at + 1 : at + 5] == ["9 Willow Row", "Charminster", "Dorchester", "DT2 9RE"]
    assert "Dear Niamh O'Connor" in letter and not [line for line in letter if "Rhys" in line]


def test_parents_at_one_address_share_one_letter(officer, read, family):
    data = family("holiday-two-children")
    liable = [p for p in data["parents"] if p.get("parental_responsibility", True)]
    page = read(officer.upload_case(data))
    response = officer.resubmit(page, "/download", document="leave-refusal.docx")
    sent = letters(response.data)
    households = {repr(p.get("address")) for p in liable}
    assert len(sent) == len(households)
    text = "\n".join(sent[0])
    assert all(p["full_name"] in text for p in liable if p.get("address") is None)
