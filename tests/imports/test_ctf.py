"""CTF import: pupils, contacts and attendance read from files built to the CTF schema; hostile XML refused."""

from __future__ import annotations

from datetime import date

import pytest

from service.imports import ctf as reader
from service.imports.cases import defaults
from service.imports.cases import parents
from service.imports.scan import run
from service.problems import Problem
from tests.imports.builders import COUNCIL_DEFAULTS
from tests.imports.builders import address
from tests.imports.builders import contact
from tests.imports.builders import ctf
from tests.imports.builders import marks
from tests.imports.builders import pupil
from tests.imports.builders import upn
from tests.imports.builders import year_data

SEPT = date(2026, 9, 7)
HALF_TERM = tuple(date(2026, 10, d) for d in range(26, 31))


def school() -> bytes:
    """Five pupils: two siblings, a pupil of separated parents, one with no marks, one who joined late."""
    mum = contact("SARAH", "BROWN", email="sarah.brown@example.com")
    autumn = marks(SEPT, date(2026, 11, 20), {date(2026, 11, d): "NN" for d in (9, 10, 11, 12, 13)}, HALF_TERM)
    return ctf(
        [
            pupil(1, "OLIVIA", "BROWN", contacts=(mum,), years=(year_data(2026, 96, 0, 10, SEPT, autumn),)),
            pupil(2, "JACK", "BROWN", sex="M", contacts=(contact("Sarah", "Brown"),),
                  years=(year_data(2026, 96, 0, 0, SEPT, marks(SEPT, date(2026, 11, 20), closed=HALF_TERM)),)),
            pupil(
                3, "Zoë", "Fairweather-Ó Briain",
                contacts=(
                    contact("Aoife", "Ó Briain", order=1),
                    contact("Daniel", "Fairweather", order=2, gender="M", phone="01632 960555",
                            home=address("4 Mill Lane", "Bradford on Avon", "BA15 1AA", bs7666=False)),
                    contact("Nain", "Prydderch", order=3, relationship="REL", responsibility=False),
                ),
            ),
            pupil(4, "RHYS", "OKAFOR", sex="M", contacts=(contact("GRACE", "OKAFOR"),)),
            pupil(
                5, "MAYA", "LANGDON",
                contacts=(contact("EMMA", "LANGDON"),),
                years=(
                    year_data(2025, 120, 4, 2, date(2026, 3, 2), marks(date(2026, 3, 2), date(2026, 3, 27))),
                    year_data(2026, 60, 0, 4, SEPT, marks(SEPT, date(2026, 10, 2), {date(2026, 9, 15): "NN", date(2026, 9, 16): "NN"})),
                ),
            ),
        ]
    )


@pytest.fixture
def export():
    return reader.read(school())


def test_every_pupil_is_read_with_names_as_sent(export):
    assert [p.pupil["upn"] for p in export.pupils] == [upn(n) for n in range(1, 6)]
    first = export.pupils[0].pupil
    assert first == {
        "upn": upn(1), "forename": "OLIVIA", "surname": "BROWN", "date_of_birth": "2016-05-04", "gender": "F",
        "looked_after": False, "year_group": "Year 5",
        "address": {"line1": "12 Orchard Way", "line2": "", "town": "Trowbridge", "postcode": "BA14 8AB"},
    }
    assert export.source == {"kind": "ctf", "version": "21.0", "school_urn": "126042",
                             "school_name": "Larkspur Primary School", "academic_year": "2026"}
    assert export.exported_on == date(2026, 11, 20)
    assert [p.line for p in export.pupils] == [6, 7, 8, 9, 10]


def test_separated_parents_get_their_own_address_and_the_child_lives_with_the_other(export):
    people, lives_with = parents(export.pupils[2])
    assert people == [
        {"id": "p1", "full_name": "Aoife Ó Briain", "relationship": "mother", "parental_responsibility": True,
         "address": None, "phone": "07700 900123", "email": None},
        {"id": "p2", "full_name": "Daniel Fairweather", "relationship": "father", "parental_responsibility": True,
         "address": {"line1": "4 Mill Lane", "line2": "", "town": "Bradford on Avon", "postcode": "BA15 1AA"},
         "phone": "01632 960555", "email": None},
    ]  # the grandmother has no parental responsibility: a contact, not a parent of the case
    assert lives_with == ["p1"]


def test_siblings_sharing_a_contact_get_one_case_each_and_name_each_other(export):
    rows = [r.row for r in run(export, defaults(COUNCIL_DEFAULTS, "ctf"))]
    assert rows[0]["siblings"] == [upn(2)] and rows[1]["siblings"] == [upn(1)]  # SARAH BROWN = Sarah Brown
    assert [r["siblings"] for r in rows[2:]] == [[], [], []]


def test_a_pupil_with_no_marks_is_listed_with_nothing_counted(export):
    result = list(run(export, defaults(COUNCIL_DEFAULTS, "ctf")))[3]
    assert result.row | {"window": None} == {
        "upn": upn(4), "name": "RHYS OKAFOR", "sessions_possible": 0, "attendance_percent": None,
        "unauthorised_sessions_in_window": None, "persistent_absence": False, "severe_absence": False,
        "documents_allowed": [], "window": None, "absence_type": "irregular", "valid": True, "siblings": [], "line": 9,
    }
    assert "attendance" not in result.case
    assert result.row["window"]["basis"] == "none"


def test_two_year_data_blocks_make_one_register_and_a_late_joiner_has_a_short_window(export):
    joined = export.pupils[4]
    assert joined.register.start == date(2026, 3, 2)
    assert [(s.year, s.possible, s.unauthorised) for s in joined.summaries] == [(2025, 120, 2), (2026, 60, 4)]
    row = list(run(export, defaults(COUNCIL_DEFAULTS, "ctf")))[4].row
    # 4 school weeks of spring (2 Mar – 27 Mar) and 4 of autumn (7 Sep – 2 Oct): 8 school weeks, not 10.
    assert row["window"] == {"basis": "school_weeks", "start": "2026-03-02", "end": "2026-10-02", "school_weeks": 8}
    assert row["unauthorised_sessions_in_window"] == 4
    assert row["sessions_possible"] == 40 and row["attendance_percent"] == 90.0  # autumn only: 36 of 40


def test_threshold_met_allows_the_notice_to_improve(export):
    row = next(run(export, defaults(COUNCIL_DEFAULTS, "ctf"))).row
    assert row["unauthorised_sessions_in_window"] == 10
    assert row["documents_allowed"] == ["notice-to-improve"]
    # 10 school weeks (half-term skipped) = 100 sessions, 90 attended: 90.0% is not below 90%.
    assert (row["sessions_possible"], row["attendance_percent"], row["persistent_absence"]) == (100, 90.0, False)


def test_bs7666_address_joins_saon_paon_and_street():
    node = reader.Node("Address", 1)
    bs = reader.Node("BS7666Address", 1)
    for name, text in (("SAON", "Flat 7"), ("PAON", "Riverside Court"), ("Street", "Bradford Road"),
                       ("Locality", "Studley Green"), ("PostTown", "TROWBRIDGE")):
        bs.children.append(reader.Node(name, 1, [text]))
    node.children += [bs, reader.Node("PostCode", 1, ["ba14 9az"])]
    assert reader._address(node) == {"line1": "Flat 7, Riverside Court Bradford Road", "line2": "Studley Green",
                                      "town": "TROWBRIDGE", "postcode": "ba14 9az"}


def test_a_school_days_only_marks_string_is_refused_not_re_read():
    # Two weeks written without weekends: Mon–Fri, Mon–Fri (20 characters) puts marks on Saturday 12 September.
    data = ctf([pupil(1, "ISLA", "ASHWORTH", contacts=(contact("KATE", "ASHWORTH"),),
                      years=(year_data(2026, 20, 0, 2, SEPT, "/\\" * 4 + "NN" + "/\\" * 5),))])
    parsed = reader.read(data).pupils[0]
    assert [(i.path, i.code, i.line) for i in parsed.issues] == [("attendance.marks", "marks_misaligned", 6)]
    assert "Saturday 2026-09-12" in parsed.issues[0].message
    assert parsed.register is None and parsed.refused
    row = next(run(reader.read(data), defaults(COUNCIL_DEFAULTS, "ctf"))).row
    assert (row["window"]["basis"], row["unauthorised_sessions_in_window"], row["documents_allowed"]) == (
        "refused", None, [])
    assert row["valid"] is False


def test_unknown_mark_characters_and_a_bad_start_date_are_reported_with_their_line():
    data = ctf([pupil(1, "ISLA", "ASHWORTH", contacts=(contact("KATE", "ASHWORTH"),),
                      years=(year_data(2026, 10, 0, 0, SEPT, "/\\/\\?!/\\/\\"),
                             year_data(2025, 10, 0, 0, None, None).replace("</SessionsUnauthorised>",
                             "</SessionsUnauthorised><AttendSessions><AttendanceStartDate>07/09/2025</AttendanceStartDate>"
                             "<AttendanceMarks>/\\</AttendanceMarks></AttendSessions>")))])
    parsed = reader.read(data).pupils[0]
    assert [(i.path, i.code, i.line) for i in parsed.issues] == [
        ("attendance.marks", "invalid_mark", 6), ("attendance.marks", "invalid_mark", 6),
        ("attendance.marks", "invalid_date", 6),
    ]
    # Each names the code, the country, the date and the session.
    assert parsed.issues[0].message == "'!' is not an attendance code (England): 1 session(s), 2026-09-09 PM; not counted."
    assert parsed.issues[1].message == "'?' is not an attendance code (England): 1 session(s), 2026-09-09 AM; not counted."
    # A block that cannot be placed refuses the pupil's marks: judged on part of the register, a pupil could be
    # misread. The first block alone reads Monday to Friday with the two unknown marks blanked.
    assert parsed.register is None and parsed.refused
    alone = reader.read(data.replace(b"07/09/2025", b"2025-09-08")).pupils[0]
    assert alone.register.between(SEPT, date(2026, 9, 11)) == "/\\/\\--/\\/\\"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<CTfile><Header><DocumentName>&lol3;</DocumentName></Header></CTfile>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile [<!ENTITY home SYSTEM "file:///etc/passwd">]><CTfile><Header>&home;</Header></CTfile>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?><!DOCTYPE CTfile SYSTEM "http://127.0.0.1:9/ctf.dtd"><CTfile/>"""


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD], ids=["billion-laughs", "external-entity", "dtd"])
def test_hostile_xml_is_refused(hostile):
    with pytest.raises(Problem) as caught:
        reader.read(hostile)
    assert (caught.value.status, caught.value.code) == (400, "hostile_xml")
    assert caught.value.detail.endswith("DTDs, entities and external references are refused (a CTF has none).")


def test_malformed_xml_names_its_line():
    with pytest.raises(Problem) as caught:
        reader.read(b"<CTfile>\n<Header>\n<CTFversion>21.0</Header>\n</CTfile>")
    assert (caught.value.status, caught.value.code, caught.value.extra) == (400, "invalid_xml", {"line": 3})
    assert caught.value.detail.startswith("Line 3, column")


def test_deep_nesting_and_other_roots_are_refused():
    with pytest.raises(Problem) as deep:
        reader.read(b"<CTfile>" + b"<a>" * 30 + b"</a>" * 30 + b"</CTfile>")
    assert (deep.value.status, deep.value.code) == (400, "xml_too_deep")
    with pytest.raises(Problem) as other:
        reader.read(b"<html><body/></html>")
    assert (other.value.status, other.value.code) == (400, "not_ctf")
