"""Small builders of school MIS exports for the tests: CTF XML and CSV registers, fictional people only.

Every CTF these builders write was written for the tests, from the element names of the DfE Common Transfer
File specification (CTF 17–21 §4.3.2 "Pupil data"; CTF 25 writer): no real CTF with attendance is public.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from xml.sax.saxutils import escape

from service.case.fields import upn_check_letter
from tests.conftest import NO_FILE

# The import's `case` part: a school in England whose council has no file (the national framework, the
# generic request form, the council's own name and e-mail given in `council_details`), since importing an
# export is the same for every council.
COUNCIL_DEFAULTS = {
    **NO_FILE["england"],
    "school": {
        "name": "Larkspur Primary School",
        "urn": "126042",
        "headteacher": "Mrs Joanna Whitlock",
        "contact_name": "Mr Ben Ashworth",
        "contact_phone": "01632 960100",
        # A Notice to Improve's end date is counted through the school's holidays (term_dates_required).
        "holidays": [{"start": "2026-12-21", "end": "2027-01-01"}],
    },
    "letter_date": "2026-11-23",
}


def upn(serial: int) -> str:
    """Return a valid UPN (check letter per the DfE UPN specification) for a fictional pupil."""
    body = f"8652001{25 + serial // 1000:02d}{serial % 1000:03d}"
    return upn_check_letter("A" + body) + body


def marks(start: date, end: date, codes: dict[date, str] | None = None, closed: tuple[date, ...] = ()) -> str:
    """Return a CTF marks string: two characters a calendar day, `##` at weekends and closures,
    `/\\` (present AM, PM) unless `codes` gives the day's two marks."""
    codes = codes or {}
    out = []
    day = start
    while day <= end:
        if day.weekday() >= 5 or day in closed:
            out.append("##")
        else:
            out.append(codes.get(day, "/\\"))
        day += timedelta(days=1)
    return "".join(out)


def address(line1: str, town: str, postcode: str, bs7666: bool = True) -> str:
    """Return a CTF `Address`: BS 7666 (PAON + Street) or free address lines."""
    if bs7666:
        paon, _, street = line1.partition(" ")
        inner = (
            f"<BS7666Address><PAON>{escape(paon)}</PAON><Street>{escape(street)}</Street>"
            f"<Town>{escape(town)}</Town></BS7666Address>"
        )
    else:
        inner = f"<AddressLines><AddressLine1>{escape(line1)}</AddressLine1><AddressLine2>{escape(town)}</AddressLine2></AddressLines>"
    return f"<Address>{inner}<PostCode>{postcode}</PostCode></Address>"


def contact(
    forename: str,
    surname: str,
    *,
    order: int = 1,
    relationship: str = "PAR",
    gender: str = "F",
    responsibility: bool = True,
    phone: str | None = "07700 900123",
    email: str | None = None,
    home: str | None = None,
) -> str:
    """Return a CTF `Contact`; `home=None` means AddressAsPupil."""
    where = home or "<Address><AddressAsPupil>true</AddressAsPupil></Address>"
    phones = f"<Phones><Phone><TelephoneType>M</TelephoneType><PhoneNo>{phone}</PhoneNo></Phone></Phones>" if phone else ""
    mail = f"<Email>{email}</Email>" if email else "<Email/>"
    return (
        f"<Contact><Order>{order}</Order><Title>MRS</Title><Surname>{escape(surname)}</Surname>"
        f"<Forename>{escape(forename)}</Forename><Gender>{gender}</Gender><Relationship>{relationship}</Relationship>"
        f"<Responsibility>{'true' if responsibility else 'false'}</Responsibility>{where}{phones}{mail}</Contact>"
    )


def year_data(
    year: int,
    possible: int,
    authorised: int,
    unauthorised: int,
    start: date | None = None,
    session_marks: str | None = None,
    attended: int | None = None,
) -> str:
    """Return a CTF `YearData` block: summary counts (`SessionsAttended` when given) and, optionally, the
    session marks."""
    sessions = (
        f"<AttendSessions><AttendanceStartDate>{start.isoformat()}</AttendanceStartDate>"
        f"<AttendanceMarks>{escape(session_marks)}</AttendanceMarks></AttendSessions>"
        if start and session_marks is not None
        else ""
    )
    return (
        f"<YearData><Year>{year}</Year><LEA>865</LEA><Estab>2001</Estab><SchoolName>LARKSPUR PRIMARY SCHOOL</SchoolName>"
        f"<SessionsPossible>{possible}</SessionsPossible><SessionsAuthorised>{authorised}</SessionsAuthorised>"
        f"<SessionsUnauthorised>{unauthorised}</SessionsUnauthorised>"
        + (f"<SessionsAttended>{attended}</SessionsAttended>" if attended is not None else "")
        + f"{sessions}</YearData>"
    )


def pupil(
    serial: int,
    forename: str,
    surname: str,
    *,
    dob: str = "2016-05-04",
    sex: str = "F",
    home: str | None = None,
    contacts: tuple[str, ...] = (),
    years: tuple[str, ...] = (),
    year_group: str = "5",
) -> str:
    """Return a CTF `Pupil` (names as MIS exports often send them: in capitals, if the test says so)."""
    home = home or address("12 Orchard Way", "Trowbridge", "BA14 8AB")
    attendance = f"<Attendance>{''.join(years)}</Attendance>" if years else ""
    return (
        f"<Pupil><UPN>{upn(serial)}</UPN><Surname>{escape(surname)}</Surname><Forename>{escape(forename)}</Forename>"
        f"<DOB>{dob}</DOB><Sex>{sex}</Sex><BasicDetails><NCyearActual>{year_group}</NCyearActual></BasicDetails>"
        f"{home}<Email/><Contacts>{''.join(contacts)}</Contacts>{attendance}"
        "<StageAssessments><KeyStage><Stage>KS1</Stage></KeyStage></StageAssessments></Pupil>"
    )


def ctf(pupils: tuple[str, ...] | list[str], version: str = "21.0", stamp: str = "2026-11-20T16:05:00") -> bytes:
    """Return a whole CTF file, with its header (`stamp`: the header's DateTime, when it was written)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<!-- Written for the tests from the DfE CTF specification's element names: not a real export. -->\n"
        "<CTfile>\n<Header><DocumentName>Common Transfer File</DocumentName>"
        f"<CTFversion>{version}</CTFversion><DateTime>{stamp}</DateTime>"
        "<DocumentQualifier>partial</DocumentQualifier><SupplierID>TESTS</SupplierID>"
        "<SourceSchool><LEA>865</LEA><Estab>2001</Estab><URN>126042</URN><SchoolName>Larkspur Primary School</SchoolName>"
        "<AcademicYear>2026</AcademicYear></SourceSchool><DestSchool><LEA>865</LEA><Estab>2001</Estab></DestSchool>"
        "</Header>\n<CTFpupilData>\n" + "\n".join(pupils) + "\n</CTFpupilData>\n</CTfile>\n"
    ).encode()
