"""Read CSV exports: a register of session marks (two layouts) and an optional pupil/contact sheet.

Register layouts, told apart by their headers:
- one row per pupil per date: UPN, Date, AM, PM (or Date, Session, Mark: one row per session);
- one row per pupil: UPN, Start date, Marks (two characters a day from the start date, as in the CTF).
Headers are matched without regard to case, spaces or punctuation against the aliases below (the usual SIMS
and Arbor column names); the `mapping` of the request's case part names any other header. Files are UTF-8
(with or without BOM) or Windows-1252. Every bad row is reported with its line, never skipped silently.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from service.imports import Contact
from service.imports import Export
from service.imports import LineIssue
from service.imports import ParsedPupil
from service.imports.marks import NO_MARK
from service.imports.marks import Register
from service.imports.marks import calendar
from service.imports.marks import clean
from service.imports.marks import known
from service.imports.marks import merge
from service.problems import Problem
from service.register import ALL_CODES

PUPIL_FIELDS: dict[str, tuple[str, ...]] = {
    "upn": ("upn", "uniquepupilnumber", "pupilupn", "studentupn"),
    "forename": ("forename", "legalforename", "firstname", "legalfirstname", "givenname"),
    "surname": ("surname", "legalsurname", "lastname", "legallastname", "familyname"),
    "date_of_birth": ("dob", "dateofbirth", "birthdate"),
    "gender": ("gender", "sex"),
    "year_group": ("year", "yeargroup", "ncyear", "nationalcurriculumyear"),
    "class_name": ("reg", "reggroup", "registrationgroup", "regform", "registrationform", "form", "class"),
    "address_line1": ("address1", "addressline1", "address", "street"),
    "address_line2": ("address2", "addressline2", "locality"),
    "town": ("town", "city", "posttown", "address3"),
    "postcode": ("postcode", "postalcode"),
    "looked_after": ("lookedafter", "incare", "cla"),
}
REGISTER_FIELDS: dict[str, tuple[str, ...]] = {
    "date": ("date", "attendancedate", "sessiondate"),
    "am": ("am", "ammark", "amcode", "morning", "morningmark"),
    "pm": ("pm", "pmmark", "pmcode", "afternoon", "afternoonmark"),
    "session": ("session", "sessionname", "amorpm", "ampm"),
    "mark": ("mark", "code", "attendancemark", "attendancecode", "markcode"),
    "marks": ("marks", "attendancemarks", "markstring", "sessionmarks"),
    "start_date": ("startdate", "attendancestartdate", "marksfrom", "from"),
}
CONTACT_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("name", "fullname"),
    "forename": ("forename", "firstname"),
    "surname": ("surname", "lastname"),
    "relationship": ("relationship", "relation", "relationshiptopupil"),
    "responsibility": ("responsibility", "parentalresponsibility", "pr", "hasparentalresponsibility"),
    "phone": ("phone", "telephone", "mobile", "mobilephone", "homephone", "tel"),
    "email": ("email", "emailaddress"),
    "address_line1": ("address1", "addressline1", "address"),
    "address_line2": ("address2", "addressline2"),
    "town": ("town", "city"),
    "postcode": ("postcode",),
}
CONTACT_PREFIXES = ("contact{n}", "parent{n}", "priority{n}contact", "carer{n}")
CONTACTS = 4
TRUE = frozenset({"true", "1", "y", "yes"})
SIMPLE = frozenset(c for c in ALL_CODES) | {""}  # one upper-case national code, or nothing
SESSION_NAMES = {"AM": 0, "MORNING": 0, "PM": 1, "AFTERNOON": 1}
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def normal(header: str) -> str:
    """Return a header as matched: lower case, letters and digits only (`Legal Surname` → `legalsurname`)."""
    return re.sub(r"[^a-z0-9]", "", header.lower())


def fields() -> dict[str, tuple[str, ...]]:
    """Return every canonical field the CSV import knows, with its header aliases."""
    out = {**PUPIL_FIELDS, **REGISTER_FIELDS}
    for n in range(1, CONTACTS + 1):
        for name, aliases in CONTACT_FIELDS.items():
            prefixes = [p.format(n=n) for p in CONTACT_PREFIXES]
            out[f"contact{n}_{name}"] = tuple(p + a for p in prefixes for a in aliases)
    return out


FIELDS = fields()


def decode(data: bytes) -> tuple[str, str]:
    """Return the text and its encoding: UTF-8 (a BOM is dropped), else Windows-1252."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        raise Problem(
            400,
            "unreadable_csv",
            "The CSV cannot be read",
            "The file is neither UTF-8 nor Windows-1252 text.",
        ) from None


@dataclass
class Sheet:
    """A CSV file read: its name, header columns by canonical field, and rows with their first line."""

    name: str
    columns: dict[str, int]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    encoding: str = "utf-8"
    used: set[str] = field(default_factory=set)

    def get(self, cells: list[str], name: str) -> str:
        """Return a row's cell for a canonical field ('' when the sheet has no such column)."""
        at = self.columns.get(name)
        return cells[at].strip() if at is not None and at < len(cells) else ""


def sheet(name: str, data: bytes, mapping: Mapping[str, str]) -> Sheet:
    """Decode and split a CSV file; map its header to canonical fields (the mapping first)."""
    text, encoding = decode(data)
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise Problem(400, "empty_csv", "Empty CSV", f"The {name} file has no header row.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=max(",;\t", key=first.count))
    header = next(reader)
    columns, used = _columns(header, mapping)
    return Sheet(name, columns, _numbered(reader, quoted='"' in text), encoding, used)


def _numbered(reader: Any, quoted: bool) -> list[tuple[int, list[str]]]:
    """Return the non-blank rows with the line each starts on (the header is line 1)."""
    if not quoted:  # no quotes, so no cell spans lines: row n is line n + 1
        return [(n, cells) for n, cells in enumerate(reader, start=2) if "".join(cells).strip()]
    rows, line = [], reader.line_num + 1
    for cells in reader:
        if "".join(cells).strip():
            rows.append((line, cells))
        line = reader.line_num + 1
    return rows


def _columns(header: list[str], mapping: Mapping[str, str]) -> tuple[dict[str, int], set[str]]:
    """Return canonical field → column index (aliases, then the mapping), and the mapping entries used."""
    by_header = {normal(h): i for i, h in reversed(list(enumerate(header)))}
    columns = {f: by_header[a] for f, aliases in FIELDS.items() for a in aliases[::-1] if a in by_header}
    used = {f for f, wanted in mapping.items() if f in FIELDS and normal(wanted) in by_header}
    columns |= {f: by_header[normal(mapping[f])] for f in used}
    return columns, used


def check_mapping(mapping: Mapping[str, str], used: set[str]) -> None:
    """Refuse a mapping naming an unknown field or a column no file has (422 `invalid_mapping`)."""
    errors = [
        {"path": f"mapping.{f}", "code": "unknown_field", "message": "Not a field of the CSV import."}
        for f in mapping
        if f not in FIELDS
    ]
    errors += [
        {"path": f"mapping.{f}", "code": "column_not_found", "message": f"No column {h[:60]!r} in the files."}
        for f, h in mapping.items()
        if f in FIELDS and f not in used
    ]
    if errors:
        detail = "; ".join(f"{e['path']}: {e['code']}" for e in errors)
        raise Problem(
            422, "invalid_mapping", "The column mapping does not fit the files", detail, {"errors": errors}
        )


def parse_date(text: str) -> date | None:
    """Return a date written `YYYY-MM-DD` or the UK way `DD/MM/YYYY` (never the US order), else None."""
    match = _YMD.fullmatch(text) or _DMY.fullmatch(text)
    if not match:
        return None
    a, b, c = (int(g) for g in match.groups())
    try:
        return date(a, b, c) if match.re is _YMD else date(c, b, a)
    except ValueError:
        return None


@dataclass
class Found:
    """What the sheets say, pupil by pupil (keyed by UPN, in first-seen order), and file-level issues."""

    pupils: dict[str, ParsedPupil] = field(default_factory=dict)
    days: dict[str, dict[date, list[str]]] = field(default_factory=dict)
    segments: dict[str, list[tuple[date, str]]] = field(default_factory=dict)
    issues: list[LineIssue] = field(default_factory=list)
    dates: dict[str, date | None] = field(default_factory=dict)

    def date(self, text: str) -> date | None:
        """Return a parsed date, each distinct text parsed once (a register repeats ~190 dates)."""
        if text not in self.dates:
            self.dates[text] = parse_date(text)
        return self.dates[text]


def layout(register: Sheet) -> str:
    """Return the register's layout from its columns, or refuse it (400 `csv_layout_unknown`)."""
    has = set(register.columns)
    if {"upn", "marks", "start_date"} <= has:
        return "mark_strings"
    if {"upn", "date", "am", "pm"} <= has:
        return "am_pm"
    if {"upn", "date", "session", "mark"} <= has:
        return "sessions"
    raise Problem(
        400,
        "csv_layout_unknown",
        "Unknown register layout",
        "The register needs the columns UPN, Date, AM, PM (a row per pupil per date), UPN, Date, Session, "
        "Mark (a row per session) or UPN, Start date, Marks (a row per pupil); or a mapping naming them.",
    )


def code(text: str) -> str:
    """Return one mark as a national code: blank → `-`; the 2024 sub-codes C1, C2 → C (seed 004 App. 1)."""
    text = text.strip().upper()
    if not text:
        return NO_MARK
    return text[0] if len(text) == 2 and text[1].isdigit() else text


def _put(found: Found, parsed: ParsedPupil, day: date, session: int, mark: str, line: int) -> None:
    if not known(mark):
        parsed.add(
            "attendance.marks", "invalid_mark", f"{mark[:10]!r} is not a national attendance code.", line
        )
        return
    slot = found.days.setdefault(str(parsed.pupil["upn"]), {}).setdefault(day, [NO_MARK, NO_MARK])
    if mark != NO_MARK and slot[session] not in (NO_MARK, mark):
        when = f"{day.isoformat()} {('AM', 'PM')[session]}"
        message = f"{when} is marked twice ({slot[session]!r} and {mark!r}): the first is kept."
        parsed.add("attendance.marks", "duplicate_mark", message, line)
        return
    if mark != NO_MARK:
        slot[session] = mark


def _day(found: Found, parsed: ParsedPupil, text: str, line: int) -> date | None:
    day = found.date(text)
    if day is None:
        parsed.add(
            "attendance.marks",
            "invalid_date",
            f"{text[:20]!r} is not a date (DD/MM/YYYY or YYYY-MM-DD).",
            line,
        )
    return day


def _register_row(
    found: Found, register: Sheet, kind: str, parsed: ParsedPupil, line: int, cells: list[str]
) -> None:
    if kind == "mark_strings":
        start = _day(found, parsed, register.get(cells, "start_date"), line)
        marks, unknown = clean(register.get(cells, "marks"))
        for char, count in unknown.items():
            parsed.add(
                "attendance.marks", "invalid_mark", f"{count} session(s) marked {char!r}: not counted.", line
            )
        if start is not None:
            found.segments.setdefault(str(parsed.pupil["upn"]), []).append(calendar(start, marks))
        return
    day = _day(found, parsed, register.get(cells, "date"), line)
    if day is None:
        return
    if kind == "am_pm":
        _put(found, parsed, day, 0, code(register.get(cells, "am")), line)
        _put(found, parsed, day, 1, code(register.get(cells, "pm")), line)
        return
    session = SESSION_NAMES.get(register.get(cells, "session").upper())
    if session is None:
        parsed.add("attendance.marks", "invalid_session", "Session must be AM or PM.", line)
        return
    _put(found, parsed, day, session, code(register.get(cells, "mark")), line)


def read_register(found: Found, register: Sheet, with_sheet: bool) -> str:
    """Read every register row into the pupils' marks; return the layout."""
    kind = layout(register)
    parsed: ParsedPupil | None = None
    days: dict[date, list[str]] = {}
    at = register.columns["upn"]
    spots = tuple(register.columns.get(k, 0) for k in ("date", "am", "pm"))
    for line, cells in register.rows:
        upn = cells[at].strip().upper() if at < len(cells) else ""
        if not upn:
            found.issues.append(LineIssue("register", "required", "This register row has no UPN.", line))
            continue
        if parsed is None or parsed.pupil["upn"] != upn:  # rows come pupil by pupil: look up on change
            parsed = _pupil_of(found, register, cells, upn, line, with_sheet)
            days = found.days.setdefault(upn, {})
        if kind != "am_pm" or not _quick(found, spots, days, cells):
            _register_row(found, register, kind, parsed, line, cells)
    return kind


def _pupil_of(
    found: Found, register: Sheet, cells: list[str], upn: str, line: int, with_sheet: bool
) -> ParsedPupil:
    parsed = found.pupils.get(upn)
    if parsed is None:
        parsed = found.pupils[upn] = ParsedPupil(line, pupil_fields(register, cells, upn))
        if with_sheet:
            parsed.add("upn", "unknown_pupil", "The register has this UPN; the pupil sheet does not.", line)
    return parsed


def _quick(found: Found, spots: tuple[int, ...], days: dict[date, list[str]], cells: list[str]) -> bool:
    """Store a plain AM/PM row (a known date, two one-letter codes, a new day) at once; else say no."""
    try:
        text, am, pm = cells[spots[0]].strip(), cells[spots[1]].strip(), cells[spots[2]].strip()
    except IndexError:
        return False
    day = found.dates.get(text) or found.date(text)
    if day is None or day in days or am not in SIMPLE or pm not in SIMPLE:
        return False
    days[day] = [am or NO_MARK, pm or NO_MARK]
    return True


def _days_segment(days: dict[date, list[str]]) -> tuple[date, str]:
    start, end = min(days), max(days)
    buffer = [NO_MARK * 2] * ((end - start).days + 1)
    for day, pair in days.items():
        buffer[(day - start).days] = pair[0] + pair[1]
    return start, "".join(buffer)


def registers(found: Found) -> None:
    """Pour each pupil's marks (rows and mark strings) into one register."""
    for upn, parsed in found.pupils.items():
        segments = list(found.segments.get(upn, []))
        if found.days.get(upn):
            segments.append(_days_segment(found.days[upn]))
        register: Register | None = merge(segments)
        parsed.register = register


def pupil_fields(sheet: Sheet, cells: list[str], upn: str) -> dict[str, Any]:
    """Return the contract's pupil fields from a row (dates turned to ISO; values kept for validation)."""
    data: dict[str, Any] = {"upn": upn, "looked_after": sheet.get(cells, "looked_after").lower() in TRUE}
    for name in ("forename", "surname", "year_group", "class_name"):
        if value := sheet.get(cells, name):
            data[name] = value
    if dob := sheet.get(cells, "date_of_birth"):
        parsed = parse_date(dob)
        data["date_of_birth"] = parsed.isoformat() if parsed else dob
    if gender := sheet.get(cells, "gender").upper():
        data["gender"] = {"MALE": "M", "FEMALE": "F"}.get(gender, gender)
    if address := _address(sheet, cells, ""):
        data["address"] = address
    return data


def _address(sheet: Sheet, cells: list[str], prefix: str) -> dict[str, str] | None:
    parts = {k: sheet.get(cells, prefix + k) for k in ("address_line1", "address_line2", "town", "postcode")}
    if not any(parts.values()):
        return None
    return {
        "line1": parts["address_line1"],
        "line2": parts["address_line2"],
        "town": parts["town"],
        "postcode": parts["postcode"],
    }


def contacts(sheet: Sheet, cells: list[str]) -> list[Contact]:
    """Return the row's contacts 1 to 4."""
    found = (_contact(sheet, cells, f"contact{n}_") for n in range(1, CONTACTS + 1))
    return [c for c in found if c is not None]


def _contact(sheet: Sheet, cells: list[str], prefix: str) -> Contact | None:
    """Return one numbered contact (a full name is split at its last space), or None when empty."""
    forename, surname, name = (sheet.get(cells, prefix + k) for k in ("forename", "surname", "name"))
    if name and not (forename or surname):
        forename, _, surname = name.rpartition(" ")
    if not (forename or surname):
        return None
    relationship = sheet.get(cells, prefix + "relationship").lower() or "contact"
    given = sheet.get(cells, prefix + "responsibility").lower()
    # No responsibility column: parents and carers are taken to have it (Children Act 1989 ss. 2-3).
    responsible = (
        given in TRUE if given else relationship in ("mother", "father", "parent", "carer", "guardian")
    )
    phone = sheet.get(cells, prefix + "phone")
    return Contact(
        forename,
        surname,
        relationship,
        responsible,
        _address(sheet, cells, prefix),
        (phone,) if phone else (),
        sheet.get(cells, prefix + "email") or None,
    )


def read_pupils(found: Found, pupils: Sheet) -> None:
    """Read the pupil/contact sheet: one row per pupil, contacts in numbered columns."""
    for line, cells in pupils.rows:
        upn = pupils.get(cells, "upn").upper()
        if not upn:
            found.issues.append(LineIssue("pupils", "required", "This pupil row has no UPN.", line))
            continue
        if upn in found.pupils:
            earlier = found.pupils[upn]
            earlier.add(
                "upn",
                "duplicate_id",
                f"This UPN is on line {earlier.line} too: line {line} is not used.",
                line,
            )
            continue
        parsed = found.pupils[upn] = ParsedPupil(line, pupil_fields(pupils, cells, upn))
        parsed.contacts = contacts(pupils, cells)


def read(register: bytes, pupils: bytes | None = None, mapping: Mapping[str, str] | None = None) -> Export:
    """Read a CSV register and the optional pupil sheet into an export."""
    mapping = mapping or {}
    register_sheet = sheet("register", register, mapping)
    pupil_sheet = sheet("pupils", pupils, mapping) if pupils else None
    check_mapping(mapping, register_sheet.used | (pupil_sheet.used if pupil_sheet else set()))
    found = Found()
    if pupil_sheet is not None:
        read_pupils(found, pupil_sheet)
    kind = read_register(found, register_sheet, pupil_sheet is not None)
    registers(found)
    source = {"kind": "csv", "layout": kind, "encoding": register_sheet.encoding}
    if pupil_sheet is not None:
        source["pupils_encoding"] = pupil_sheet.encoding
    return Export("csv", list(found.pupils.values()), found.issues, source)
