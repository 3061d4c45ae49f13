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
`AttendanceStartDate`, days the school is not in session written `#` (as MIS writers emit it); a string that
puts marks on Saturdays and Sundays was written for school days only and is re-read that way.
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

from service.imports import Contact
from service.imports import Export
from service.imports import ParsedPupil
from service.imports import YearSummary
from service.imports.marks import calendar
from service.imports.marks import clean
from service.imports.marks import merge
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


class Reader(xml.sax.ContentHandler):
    """SAX handler: keeps one pupil's elements at a time, so memory follows one pupil, not the school."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[Node | None] = []
        self.header: Node | None = None
        self.pupils: list[ParsedPupil] = []

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
            self.pupils.append(pupil(node))
        elif node is not None and len(self.stack) == 1 and name == "Header":
            self.header = node


def read(data: bytes) -> Export:
    """Parse a CTF; refuse DTDs and entities (400 `hostile_xml`) and malformed XML (400 `invalid_xml`)."""
    reader = Reader()
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
    return Export("ctf", reader.pupils, source=_source(reader.header), exported_on=_exported(reader.header))


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


def _exported(header: Node | None) -> date | None:
    stamp = header.text("DateTime")[:10] if header else ""
    return _date(stamp)


def _date(text: str) -> date | None:
    if not _ISO.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def pupil(node: Node) -> ParsedPupil:
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
    parsed = ParsedPupil(node.line, data)
    contacts = node.find("Contacts")
    found = sorted((_contact(c) for c in (contacts.all("Contact") if contacts else [])), key=lambda t: t[0])
    parsed.contacts = [contact for _, contact in found]
    attendance = node.find("Attendance")
    if attendance is not None:
        _attendance(attendance, parsed)
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


def _attendance(node: Node, parsed: ParsedPupil) -> None:
    """Read each `YearData` block: its counts, and its marks into the pupil's register."""
    segments: list[tuple[date, str]] = []
    for block in node.all("YearData"):
        summary = _summary(block, parsed)
        if summary is not None:
            parsed.summaries.append(summary)
        marks = block.text("AttendSessions/AttendanceMarks")
        if not marks:
            continue
        start_text = block.text("AttendSessions/AttendanceStartDate")
        start = _date(start_text)
        if start is None:
            parsed.add(
                "attendance.marks",
                "invalid_date",
                f"AttendanceStartDate {start_text[:20]!r} is not a date (YYYY-MM-DD): "
                "these marks cannot be placed.",
                block.line,
            )
            continue
        segments.append(calendar(start, _checked(marks, parsed, block.line)))
    parsed.register = merge(segments)


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


def _checked(marks: str, parsed: ParsedPupil, line: int) -> str:
    """Return the marks with unknown characters blanked, each kind reported once with its count."""
    cleaned, unknown = clean(marks)
    for char, count in unknown.items():
        parsed.add(
            "attendance.marks",
            "invalid_mark",
            f"{count} session(s) marked {char!r}, not a national attendance code: not counted.",
            line,
        )
    return cleaned
