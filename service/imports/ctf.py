"""Read a DfE Common Transfer File (CTF 15 to 25) with hardened XML: pupils, contacts and attendance.

Element names follow the DfE CTF specifications (CTF 17, 18, 20 and 21 specification documents, §3.1
"Outline data content" and §4.3.2 "Pupil data") and the CTF 25 writer DfE publishes:

    CTfile/Header/{CTFversion, DateTime, SourceSchool/{LEA, Estab, URN, SchoolName, AcademicYear}}
    CTfile/CTFpupilData/Pupil/{UPN, Surname, Forename, DOB, Sex (Gender before CTF 23),
        BasicDetails/NCyearActual, LookedAfter/InCare,
        Address/{BS7666Address/{SAON, PAON, Street, Locality, Town, PostTown} | AddressLines/AddressLine1-5,
                 PostCode},
        Contacts/Contact/{Order, Title, Surname, Forename, Gender, Relationship, Responsibility,
                          Address/{AddressAsPupil | ...}, Phones/Phone/{TelephoneType, PhoneNo}, Email},
        Attendance/YearData/{Year, LEA, Estab, SchoolName, SessionsPossible, SessionsAuthorised,
                             SessionsAttended, SessionsUnauthorised,
                             AttendSessions/{AttendanceStartDate, AttendanceMarks}}}

`AttendanceMarks` is read as one character a session, AM then PM, for every calendar day from
`AttendanceStartDate`, days the school is not in session written `#` (as MIS writers emit it), a space being
"no mark" wherever it stands. What real writers do, and what the reader does about it:
- marks dated after the header's `DateTime` (a writer fills the school days to the year's end as present)
  are dropped, with a warning that says how many (`future_marks_dropped`);
- a string that puts marks on a Saturday or Sunday has fallen out of step with the calendar (enrolment
  spans joined with the gap dropped, a day-shift, a school-days-only string): refused (`marks_misaligned`),
  naming the first such day; the pupil is listed, not judged;
- a code the country's table does not know, or not on that date, is an error naming the dates and sessions;
- `YearData` totals are checked against the marks of their block (`totals_disagree`, both figures named);
  with totals only, attendance is what the absences leave of the possible sessions (some writers' own
  `SessionsAttended` counts only `/` and `\\`);
- names, date of birth and gender missing from `Pupil/{Surname, Forename, DOB, Sex|Gender}` are one error
  (`ctf_pupil_incomplete`), naming where the file put them instead.
"""

from __future__ import annotations

import re
import xml.sax
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

import defusedxml
import defusedxml.sax

from service import codes
from service.imports import Contact
from service.imports import Export
from service.imports import Issues
from service.imports import LineIssue
from service.imports import ParsedPupil
from service.imports import YearSummary
from service.imports import in_step
from service.imports.marks import Register
from service.imports.marks import check_codes
from service.imports.marks import merge
from service.imports.marks import misaligned
from service.imports.marks import normal
from service.imports.marks import plausible
from service.imports.marks import totals
from service.problems import Problem

MAX_DEPTH = 24  # a CTF nests 7 levels deep (Pupil/Attendance/YearData/AttendSessions/...)
# Pupil children the import reads; the rest (assessments, SEN, FSM, school history) is skipped unread.
READ = frozenset(
    "UPN Surname Forename DOB Sex Gender BasicDetails LookedAfter Address Contacts Attendance".split()
)
# CBDS relationship-to-pupil codes as the CTF carries them; others are kept as sent, lower-cased.
RELATIONSHIPS = {
    "PAR": "parent",
    "CAR": "carer",
    "STP": "step-parent",
    "FAM": "family member",
    "REL": "relative",
    "OTH": "other contact",
    "SWR": "social worker",
    "CHM": "childminder",
    "DOC": "doctor",
}
SUMMARY = ("Year", "SessionsPossible", "SessionsAuthorised", "SessionsUnauthorised", "SessionsAttended")
TRUE = frozenset({"true", "1", "y", "yes"})
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Node:
    """An element kept while its pupil is read: name, text, children and the line it starts on."""

    name: str
    line: int
    parts: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    def find(self, path: str) -> Node | None:
        """Return the first descendant along a `A/B/C` path."""
        node: Node | None = self
        for name in path.split("/"):
            node = next((c for c in node.children if c.name == name), None) if node else None
        return node

    def all(self, name: str) -> list[Node]:
        """Return the children with this name."""
        return [c for c in self.children if c.name == name]

    def text(self, path: str = "") -> str:
        """Return the stripped text at a path ('' when absent or empty: CTF optional elements)."""
        node = self.find(path) if path else self
        return "".join(node.parts).strip() if node else ""

    def raw(self, path: str) -> str:
        """Return the text at a path with its spaces (a space in a marks string is a session: "no mark");
        surrounding white space is dropped only where it holds a line break (an indented element)."""
        node = self.find(path)
        text = "".join(node.parts) if node else ""
        return text.strip() if "\n" in text else text.strip("\r\t")


class Reader(xml.sax.ContentHandler):
    """SAX handler: keeps one pupil's elements at a time, so memory follows one pupil, not the school."""

    def __init__(self, table: codes.CodeTable) -> None:
        super().__init__()
        self.stack: list[Node | None] = []
        self.header: Node | None = None
        self.pupils: list[ParsedPupil] = []
        self.table = table
        self.issues = Issues()
        self.exported: date | None = None
        self.school: tuple[str, str] = ("", "")

    def startElement(self, name: str, attrs: Any) -> None:  # noqa: N802 - SAX's name
        depth = len(self.stack)
        if depth >= MAX_DEPTH:
            raise Problem(400, "xml_too_deep", "XML nested too deeply", f"Deeper than {MAX_DEPTH} levels.")
        if depth == 0 and name != "CTfile":
            raise Problem(400, "not_ctf", "Not a Common Transfer File", "The root element must be CTfile.")
        parent = self.stack[-1] if self.stack else None
        node = Node(name, self._locator.getLineNumber()) if self._keep(depth, name, parent) else None
        if node is not None and parent is not None:
            parent.children.append(node)
        self.stack.append(node)

    def _keep(self, depth: int, name: str, parent: Node | None) -> bool:
        if depth == 1:
            return name == "Header"
        if depth == 2 and name == "Pupil":
            return True  # CTFpupilData itself is not kept: each pupil is read, then let go
        return parent is not None and (parent.name != "Pupil" or name in READ)

    def characters(self, content: str) -> None:
        node = self.stack[-1] if self.stack else None
        if node is not None:
            node.parts.append(content)

    def endElement(self, name: str) -> None:  # noqa: N802 - SAX's name
        node = self.stack.pop()
        if node is not None and len(self.stack) == 2 and name == "Pupil":
            self.pupils.append(pupil(node, self.table, self.exported, self.school))
        elif node is not None and len(self.stack) == 1 and name == "Header":
            self.header = node
            self.exported = _exported(node, self.issues)
            self.school = (node.text("SourceSchool/LEA"), node.text("SourceSchool/Estab"))


def read(data: bytes, table: codes.CodeTable | None = None) -> Export:
    """Parse a CTF; refuse DTDs and entities (400 `hostile_xml`) and malformed XML (400 `invalid_xml`).

    Marks are checked against the country's code table (England's unless another is given)."""
    reader = Reader(table or codes.table("england"))
    try:
        defusedxml.sax.parseString(data, reader, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise Problem(
            400,
            "hostile_xml",
            "XML refused",
            f"The file declares a {type(exc).__name__.removesuffix('Forbidden').lower()}: DTDs, entities "
            "and external references are refused (a CTF has none).",
        ) from None
    except xml.sax.SAXParseException as exc:
        raise Problem(
            400,
            "invalid_xml",
            "The file is not well-formed XML",
            f"Line {exc.getLineNumber()}, column {exc.getColumnNumber()}: {exc.getMessage()}.",
            {"line": exc.getLineNumber()},
        ) from None
    in_step.check(reader.pupils)
    for parsed in reader.pupils:
        parsed.placed = []
    return Export("ctf", reader.pupils, reader.issues, _source(reader.header), reader.exported)


def _source(header: Node | None) -> dict[str, Any]:
    if header is None:
        return {"kind": "ctf", "version": None}
    return {
        "kind": "ctf",
        "version": header.text("CTFversion") or None,
        "school_urn": header.text("SourceSchool/URN") or None,
        "school_name": header.text("SourceSchool/SchoolName") or None,
        "academic_year": header.text("SourceSchool/AcademicYear") or None,
    }


def _exported(header: Node, issues: Issues) -> date | None:
    """Return the day of the header's DateTime: marks after it have not happened yet."""
    stamp = header.text("DateTime")
    day = _date(stamp[:10])
    if stamp and day is None:
        message = f"Header DateTime {stamp[:25]!r} is not a date-time in the years 1900–2099: ignored."
        issues.add(LineIssue("header.DateTime", "invalid_date", message, header.line))
    return day


def _date(text: str) -> date | None:
    """Return a `YYYY-MM-DD` date a register can hold (year 9999 is refused, not overflowed later)."""
    if not _ISO.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if plausible(day) else None


PLACES = {  # where the CTF puts each field (DfE CTF §4.3.2), and where other writers were seen to put them
    "surname": (("Surname",), ("BasicDetails/LegalSurname", "BasicDetails/Surname")),
    "forename": (("Forename",), ("BasicDetails/LegalForename", "BasicDetails/Forename")),
    "date_of_birth": (("DOB",), ("BasicDetails/DOB",)),
    "gender": (("Sex", "Gender"), ("BasicDetails/Gender", "BasicDetails/Sex")),
}


def _incomplete(node: Node, parsed: ParsedPupil) -> None:
    """Record one `ctf_pupil_incomplete` error naming each field missing from its CTF place."""
    missing, elsewhere = [], []
    for places, others in PLACES.values():
        if any(node.text(p) for p in places):
            continue
        missing.append("/".join(places))
        elsewhere += [f"{p} for {places[0]}" for p in others if node.text(p)]
    if not missing:
        return
    parsed.incomplete = frozenset(
        n for n, (places, _) in PLACES.items() if not any(node.text(p) for p in places)
    )
    message = f"The CTF has no {', '.join(missing)} under Pupil, where the CTF puts them"
    if elsewhere:
        message += f"; the file has {', '.join(elsewhere)}, which is not the CTF's place and is not read"
    parsed.add("", "ctf_pupil_incomplete", message + ".")


def pupil(
    node: Node,
    table: codes.CodeTable | None = None,
    exported: date | None = None,
    school: tuple[str, str] = ("", ""),
) -> ParsedPupil:
    """Turn one `Pupil` element into the contract's pupil fields, contacts and register."""
    data: dict[str, Any] = {
        "upn": node.text("UPN"),
        "forename": node.text("Forename"),
        "surname": node.text("Surname"),
        "date_of_birth": node.text("DOB"),
        "gender": (node.text("Sex") or node.text("Gender")).upper(),
        "looked_after": node.text("LookedAfter/InCare").lower() in TRUE,
    }
    year = node.text("BasicDetails/NCyearActual")
    if year:
        data["year_group"] = f"Year {year}" if year.isdigit() else year
    home = node.find("Address")
    if home is not None and (address := _address(home)) is not None:
        data["address"] = address
    parsed = ParsedPupil(node.line, {k: v for k, v in data.items() if v != ""})
    _incomplete(node, parsed)
    contacts = node.find("Contacts")
    found = sorted((_contact(c) for c in (contacts.all("Contact") if contacts else [])), key=lambda t: t[0])
    parsed.contacts = [contact for _, contact in found]
    attendance = node.find("Attendance")
    if attendance is not None:
        _attendance(attendance, parsed, table or codes.table("england"), exported, school)
    return parsed


def _address(node: Node) -> dict[str, str] | None:
    """Return the contract's address from a BS 7666 address or free address lines (town last)."""
    bs = node.find("BS7666Address")
    if bs is not None:
        street = " ".join(p for p in (bs.text("PAON"), bs.text("Street")) if p)
        line1 = ", ".join(p for p in (bs.text("SAON"), street) if p)
        line2, town = bs.text("Locality"), bs.text("Town") or bs.text("PostTown")
    else:
        lines = [node.text(f"AddressLines/AddressLine{n}") for n in range(1, 6)]
        lines = [line for line in lines if line]
        line1 = lines[0] if lines else ""
        town = lines[-1] if len(lines) > 1 else ""
        line2 = ", ".join(lines[1:-1])
    postcode = node.text("PostCode")
    if not (line1 or town or postcode):
        return None
    return {"line1": line1, "line2": line2, "town": town, "postcode": postcode}


def _contact(node: Node) -> tuple[int, Contact]:
    """Return a contact with its `Order` (priority); AddressAsPupil or no address means the pupil's."""
    code = node.text("Relationship")
    relationship = RELATIONSHIPS.get(code.upper(), code.lower() or "contact")
    if relationship == "parent":
        relationship = {"F": "mother", "M": "father"}.get(node.text("Gender").upper(), "parent")
    address_node = node.find("Address")
    address = None
    if address_node is not None and node.text("Address/AddressAsPupil").lower() not in TRUE:
        address = _address(address_node)
    phones = node.find("Phones")
    found = phones.all("Phone") if phones else []
    numbers = [(p.text("TelephoneType").upper(), p.text("PhoneNo")) for p in found]
    # Mobile first, then home: the number a parent answers (CBDS telephone types M, H, W).
    numbers.sort(key=lambda t: {"M": 0, "H": 1}.get(t[0], 2))
    order = node.text("Order")
    contact = Contact(
        forename=node.text("Forename"),
        surname=node.text("Surname"),
        relationship=relationship,
        responsibility=node.text("Responsibility").lower() in TRUE,
        address=address,
        phones=tuple(n for _, n in numbers if n),
        email=node.text("Email") or None,
    )
    return (int(order) if order.isdigit() else 99, contact)


def _attendance(
    node: Node, parsed: ParsedPupil, table: codes.CodeTable, exported: date | None, school: tuple[str, str]
) -> None:
    """Read each `YearData` block: its counts, and its marks (checked, cut at the file's date) into the
    pupil's register; a block that cannot be placed on the calendar refuses the pupil's marks."""
    segments: list[tuple[date, str]] = []
    future = 0
    for block in node.all("YearData"):
        summary = _summary(block, parsed)
        marks = normal(block.raw("AttendSessions/AttendanceMarks"))
        if not marks:
            if summary is not None:
                parsed.summaries.append(_derived(summary, parsed, block.line))
            continue
        if summary is not None:
            parsed.summaries.append(summary)
        start_text = block.text("AttendSessions/AttendanceStartDate")
        start = _date(start_text)
        if start is None:
            parsed.add(
                "attendance.marks",
                "invalid_date",
                f"AttendanceStartDate {start_text[:20]!r} is not a date (YYYY-MM-DD, years 1900–2099): "
                "these marks cannot be placed.",
                block.line,
            )
            parsed.refused = True
            continue
        shifted = misaligned(start, marks)
        if shifted is not None:
            parsed.add(
                "attendance.marks",
                "marks_misaligned",
                f"The marks from {start.isoformat()} put a session on {shifted:%A} {shifted.isoformat()}: "
                "the "
                "string has fallen out of step with the calendar (enrolment spans joined without the days "
                "between them, or a shifted string). Not read: export the register again.",
                block.line,
            )
            parsed.refused = True
            continue
        marks, bad = check_codes(start, marks, table)
        for found in bad:
            parsed.add(
                "attendance.marks",
                "invalid_mark",
                found.message(table.country),
                block.line,
                count=found.count,
            )
        if _ours(block, school):  # checked against the school's calendar, future days and all
            parsed.placed.append((start, marks, block.line))
        kept = Register(start, marks)
        if exported is not None:
            kept, dropped = kept.until(exported)
            future += dropped
        if summary is not None:
            _cross_check(summary, kept.marks, parsed, block.line)
        segments.append((kept.start, kept.marks))
    if future and exported is not None:
        parsed.warn(
            "attendance.marks",
            "future_marks_dropped",
            f"{future} session mark(s) dated after the file's date ({exported.isoformat()}) were dropped: "
            "the writer filled days that had not happened yet.",
        )
    parsed.register = None if parsed.refused else merge(segments)


def _ours(block: Node, school: tuple[str, str]) -> bool:
    """Return whether a YearData block is the exporting school's (blocks of earlier schools keep theirs)."""
    mine = (block.text("LEA"), block.text("Estab"))
    return all(not a or not b or a == b for a, b in zip(mine, school, strict=True))


def _cross_check(summary: YearSummary, marks: str, parsed: ParsedPupil, line: int) -> None:
    """Warn where a block's totals disagree with its marks (both figures named; the marks are used)."""
    counted = totals(marks)
    pairs = [
        ("sessions_possible", "SessionsPossible", summary.possible, counted.sessions_possible),
        ("authorised_absences", "SessionsAuthorised", summary.authorised, counted.authorised_absences),
        (
            "unauthorised_absences",
            "SessionsUnauthorised",
            summary.unauthorised,
            counted.unauthorised_absences,
        ),
        ("sessions_present", "SessionsAttended", summary.attended, counted.sessions_present),
    ]
    for field_name, element, sent, found in pairs:
        if sent is None or sent == found:
            continue
        note = ""
        if element == "SessionsAttended" and sent == marks.count("/") + marks.count("\\"):
            note = " (SessionsAttended counts only / and \\; late and approved activities attend too)"
        parsed.warn(
            f"attendance.{field_name}",
            "totals_disagree",
            f"YearData {summary.year or ''} {element} is {sent}; its marks to the file's date give "
            f"{found}{note}: "
            "the marks are used.",
            line,
        )


def _derived(summary: YearSummary, parsed: ParsedPupil, line: int) -> YearSummary:
    """Return a totals-only block, attendance derived from the absences (flagged when the file differs)."""
    derived = summary.possible - summary.authorised - summary.unauthorised
    if summary.attended is not None and summary.attended != derived:
        parsed.warn(
            "attendance.sessions_present",
            "totals_disagree",
            f"YearData {summary.year or ''} SessionsAttended is {summary.attended}; SessionsPossible less "
            "the "
            f"absences gives {derived}, which is used (some writers count only / and \\ as attended).",
            line,
        )
    return YearSummary(
        summary.year, summary.possible, summary.authorised, summary.unauthorised, max(derived, 0)
    )


def _summary(block: Node, parsed: ParsedPupil) -> YearSummary | None:
    numbers: dict[str, int | None] = {}
    for name in SUMMARY:
        text = block.text(name)
        numbers[name] = int(text) if text.isdigit() else None
        if text and not text.isdigit():
            message = f"{name} {text[:20]!r} is not a whole number."
            parsed.add("attendance", "invalid_number", message, block.line)
    if numbers["SessionsPossible"] is None:
        return None
    return YearSummary(
        numbers["Year"],
        numbers["SessionsPossible"] or 0,
        numbers["SessionsAuthorised"] or 0,
        numbers["SessionsUnauthorised"] or 0,
        numbers["SessionsAttended"],
    )
