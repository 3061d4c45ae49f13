"""Read CSV exports: a register of session marks (five layouts) and an optional pupil/contact sheet.

Register layouts, told apart by their headers (README "CSV registers" lists an example header of each):
- `am_pm`: one row per pupil per date, the AM and PM marks in two columns;
- `sessions`: one row per session (Bromcom `BasicAttendance`, Arbor roll-call records, Wonde session
  attendance, whose marks are ids turned into codes by the look-up table the request gives);
- `weekly`: one row per pupil per week, `MonAM … FriPM`, the week from a week-start column or the request
  (Bromcom `StudentAttendanceByWeek` has no date of its own);
- `mark_strings`: one row per pupil with a mark string (two characters a day from the start date, as in CTF);
- `totals`: one row per pupil with the year's totals only.
Pupils are joined on the UPN when both sheets have one, else on the MIS's own pupil id (`StudentId`,
`student_id`, `student`), which is not a UPN. Headers are matched without regard to case, spaces or
punctuation against the aliases below (the usual SIMS, Arbor, Bromcom and Wonde column names); the
`mapping` of the request's case part names any other header, for both sheets or per sheet. Files are UTF-8
(with or without BOM) or Windows-1252. Every bad row is reported with its line, never skipped silently;
repeated errors of one kind are one error with a count and the first few lines. Codes are kept as sent
(`C1`, `J1`, `Y1`) and checked against the country's table.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from typing import Any

from service import codes
from service.imports import Contact
from service.imports import Export
from service.imports import Issues
from service.imports import LineIssue
from service.imports import ParsedPupil
from service.imports import YearSummary
from service.imports.marks import NO_MARK
from service.imports.marks import Register
from service.imports.marks import check_codes
from service.imports.marks import merge
from service.imports.marks import misaligned
from service.imports.marks import normal as placed
from service.imports.marks import plausible
from service.problems import Problem

PUPIL_FIELDS: dict[str, tuple[str, ...]] = {
    "upn": ("upn", "uniquepupilnumber", "pupilupn", "studentupn"),
    # The MIS's own pupil id, the join key of Bromcom (StudentId), Wonde (student_id) and Arbor (student).
    "pupil_id": ("studentid", "student", "pupilid", "misid", "personid", "learnerid"),
    "forename": ("forename", "legalforename", "firstname", "legalfirstname", "givenname"),
    "surname": ("surname", "legalsurname", "lastname", "legallastname", "familyname"),
    "date_of_birth": ("dob", "dateofbirth", "birthdate"),
    "gender": ("gender", "sex", "gendercode"),
    "year_group": ("year", "yeargroup", "ncyear", "nationalcurriculumyear"),
    "class_name": (
        "reg",
        "reggroup",
        "registrationgroup",
        "regform",
        "registrationform",
        "form",
        "class",
        "tutorgroup",
        "tutorgroupname",
    ),
    "address_line1": ("address1", "addressline1", "address", "street"),
    "address_line2": ("address2", "addressline2", "locality"),
    "town": ("town", "city", "posttown", "address3"),
    "postcode": ("postcode", "postalcode"),
    "looked_after": ("lookedafter", "incare", "cla", "incareflag"),
}
DAYS = ("mon", "tue", "wed", "thu", "fri")
WEEK = tuple(f"{d}_{s}" for d in DAYS for s in ("am", "pm"))  # Bromcom's MonAM … FriPM
REGISTER_FIELDS: dict[str, tuple[str, ...]] = {
    "date": ("date", "attendancedate", "sessiondate", "calendarstartdate", "recorddate", "calendardate"),
    "am": ("am", "ammark", "amcode", "morning", "morningmark"),
    "pm": ("pm", "pmmark", "pmcode", "afternoon", "afternoonmark"),
    "session": (
        "session",
        "sessionname",
        "amorpm",
        "ampm",
        "perioddisplayname",
        "attendancerollcall",
        "rollcall",
    ),
    "mark": ("mark", "code", "attendancemark", "attendancecode", "markcode", "attendancecodeid"),
    "marks": ("marks", "attendancemarks", "markstring", "sessionmarks"),
    "start_date": ("startdate", "attendancestartdate", "marksfrom", "from"),
    "end_date": ("enddate", "to", "asof", "attendanceto"),
    "week_start": ("weekstart", "weekbeginning", "weekstarting", "weekcommencing", "weekstartdate"),
    **{day: (day.replace("_", ""),) for day in WEEK},
    "sessions_possible": ("possiblesessions", "sessionspossible", "possible"),
    "sessions_present": ("presentsessions", "sessionspresent", "present", "sessionsattended", "attended"),
    "authorised_absences": ("authorisedabsence", "authorisedabsences", "sessionsauthorised", "authorised"),
    "unauthorised_absences": (
        "unauthorisedabsence",
        "unauthorisedabsences",
        "sessionsunauthorised",
        "unauthorised",
    ),
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
SIMPLE = frozenset(c for c in codes.ALL if len(c) == 1) | {""}  # one upper-case code, or nothing
SESSION_NAMES = {"AM": 0, "MORNING": 0, "PM": 1, "AFTERNOON": 1}
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
# ISO dates, and ISO date-times as Bromcom's API writes them (2025-11-10T00:00:00, with or without a zone).
_YMD = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")


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

    def raw(self, cells: list[str], name: str) -> str:
        """Return a cell with its spaces (a space in a mark string is a session with no mark)."""
        at = self.columns.get(name)
        return cells[at].strip("\r\n") if at is not None and at < len(cells) else ""


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


SHEETS = ("register", "pupils")


def per_sheet(mapping: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Return each sheet's mapping: entries at the top level apply to both, `register`/`pupils` to one."""
    flat = {k: v for k, v in mapping.items() if k not in SHEETS}
    return {name: {**flat, **(mapping.get(name) or {})} for name in SHEETS}


def check_mapping(mapping: Mapping[str, Any], used: dict[str, set[str]], present: tuple[str, ...]) -> None:
    """Refuse a mapping naming an unknown field or a column no file has (422 `invalid_mapping`)."""
    errors = []
    flat = {k: v for k, v in mapping.items() if k not in SHEETS}
    for f, header in flat.items():
        if f not in FIELDS:
            errors.append(
                {"path": f"mapping.{f}", "code": "unknown_field", "message": "Not a field of the CSV import."}
            )
        elif not any(f in used[n] for n in present):
            errors.append(
                {
                    "path": f"mapping.{f}",
                    "code": "column_not_found",
                    "message": f"No column {header[:60]!r} in the files.",
                }
            )
    for name in SHEETS:
        for f, header in (mapping.get(name) or {}).items():
            if f not in FIELDS:
                errors.append(
                    {
                        "path": f"mapping.{name}.{f}",
                        "code": "unknown_field",
                        "message": "Not a field of the CSV import.",
                    }
                )
            elif f not in used.get(name, set()):
                errors.append(
                    {
                        "path": f"mapping.{name}.{f}",
                        "code": "column_not_found",
                        "message": f"No column {header[:60]!r} in the {name} file.",
                    }
                )
    errors.sort(key=lambda e: e["code"] != "unknown_field")  # unknown fields first, then missing columns
    if errors:
        detail = "; ".join(f"{e['path']}: {e['code']}" for e in errors)
        raise Problem(
            422, "invalid_mapping", "The column mapping does not fit the files", detail, {"errors": errors}
        )


def parse_date(text: str) -> date | None:
    """Return a date written `YYYY-MM-DD` (an ISO date-time's date too) or the UK way `DD/MM/YYYY` (never
    the US order), in the years 1900–2099; else None (year 9999 is refused here, not overflowed later)."""
    match = _YMD.fullmatch(text) or _DMY.fullmatch(text)
    if not match:
        return None
    a, b, c = (int(g) for g in match.groups())
    try:
        day = date(a, b, c) if match.re is _YMD else date(c, b, a)
    except ValueError:
        return None
    return day if plausible(day) else None


@dataclass
class Options:
    """What the request says about a CSV beyond its columns: the week of a weekly export, a code look-up."""

    week_start: date | None = None
    lookup: dict[str, str] = field(default_factory=dict)  # an export's mark id → the code it stands for

    @classmethod
    def of(cls, part: Mapping[str, Any]) -> Options:
        """Return the options of the case part (checked by `cases.defaults`)."""
        given = part.get("week_start")
        return cls(parse_date(str(given)) if given else None, lookup(part.get("codes")))


def lookup(table: Any) -> dict[str, str]:
    """Return a code look-up as id → code, from `{"id": "code"}` or Wonde's `[{"id", "code"}]` list."""
    if not table:
        return {}
    if isinstance(table, dict):
        return {str(k).strip(): str(v).strip().upper() for k, v in table.items()}
    return {str(e["id"]).strip(): str(e["code"]).strip().upper() for e in table}


def options_problems(part: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Return (path, code, message) for CSV options that cannot be used."""
    out = []
    if "week_start" in part:
        day = parse_date(str(part["week_start"]))
        if day is None or day.weekday() != 0:
            out.append(("week_start", "invalid_date", "week_start is the Monday of the week, YYYY-MM-DD."))
    table = part.get("codes")
    good = isinstance(table, dict) and all(isinstance(v, str) for v in table.values())
    good = good or (
        isinstance(table, list)
        and all(isinstance(e, dict) and isinstance(e.get("code"), str) and "id" in e for e in table)
    )
    if "codes" in part and not good:
        out.append(("codes", "invalid_codes", 'codes is {"<id>": "<code>"} or [{"id": …, "code": …}].'))
    elif "codes" in part:
        wrong = sorted({c for c in lookup(table).values() if c not in codes.ALL})
        if wrong:
            out.append(("codes", "invalid_codes", f"Not attendance codes: {', '.join(wrong)[:200]}."))
    return out


@dataclass
class Found:
    """What the sheets say, pupil by pupil (by join key, in first-seen order), and file-level issues."""

    pupils: dict[str, ParsedPupil] = field(default_factory=dict)
    days: dict[str, dict[date, list[str]]] = field(default_factory=dict)
    segments: dict[str, list[tuple[date, str]]] = field(default_factory=dict)
    issues: Issues = field(default_factory=Issues)
    dates: dict[str, date | None] = field(default_factory=dict)
    by_id: dict[str, str] = field(default_factory=dict)  # the pupil sheet's MIS id → its join key
    last_day: date | None = None  # the latest "as of" of a totals export

    def date(self, text: str) -> date | None:
        """Return a parsed date, each distinct text parsed once (a register repeats ~190 dates)."""
        if text not in self.dates:
            self.dates[text] = parse_date(text)
        return self.dates[text]


LAYOUTS = (  # (layout, the fields it needs besides the pupil's key), tried in this order
    ("mark_strings", {"marks", "start_date"}),
    ("am_pm", {"date", "am", "pm"}),
    ("sessions", {"date", "session", "mark"}),
    ("weekly", set(WEEK)),
    ("totals", {"sessions_possible", "authorised_absences", "unauthorised_absences"}),
)


def layout(register: Sheet) -> str:
    """Return the register's layout from its columns, or refuse it (400 `csv_layout_unknown`)."""
    has = set(register.columns)
    if has & {"upn", "pupil_id"}:
        for name, needs in LAYOUTS:
            if needs <= has:
                return name
    raise Problem(
        400,
        "csv_layout_unknown",
        "Unknown register layout",
        "The register needs a pupil column (UPN, or the MIS's pupil id: StudentId, student_id, student) and "
        "Date, AM, PM (a row per pupil per date); Date, Session, Mark (a row per session); MonAM … FriPM (a "
        "row per pupil per week); Start date, Marks (a row per pupil); or Possible, Authorised and "
        "Unauthorised sessions (totals only); or a mapping naming them.",
    )


def code(text: str, table: dict[str, str] | None = None) -> str:
    """Return one mark as stored: blank → `-`; a code as sent (C1 stays C1: one private character); an id
    through the request's look-up table; anything else as it is (refused by `_put`)."""
    text = text.strip()
    if table:
        text = table.get(text, "\0" + text) if text else ""
    text = text.upper()
    if not text:
        return NO_MARK
    return codes.CHARS.get(text, text)


def _put(found: Found, parsed: ParsedPupil, day: date, session: int, mark: str, line: int) -> None:
    if mark.startswith("\0"):
        parsed.add(
            "attendance.marks",
            "unknown_code_id",
            f"Mark id {mark[1:][:40]!r} is not in the codes look-up table "
            "sent with the request: not counted.",
            line,
            group="id:" + mark[1:41],
        )
        return
    if len(mark) != 1 or not (mark in codes.FROM_CHAR or mark == NO_MARK):
        parsed.add(
            "attendance.marks",
            "invalid_mark",
            f"{codes.as_sent(mark)[:10]!r} is not an attendance code "
            f"(first on {day.isoformat()} {('AM', 'PM')[session]}): not counted.",
            line,
            group=mark[:10],
        )
        return
    slot = found.days.setdefault(parsed_key(parsed), {}).setdefault(day, [NO_MARK, NO_MARK])
    if mark != NO_MARK and slot[session] not in (NO_MARK, mark):
        when = f"{day.isoformat()} {('AM', 'PM')[session]}"
        first, second = codes.as_sent(slot[session]), codes.as_sent(mark)
        message = f"{when} is marked twice ({first!r} and {second!r}): the first is kept."
        parsed.add("attendance.marks", "duplicate_mark", message, line, group="duplicate")
        return
    if mark != NO_MARK:
        slot[session] = mark


def parsed_key(parsed: ParsedPupil) -> str:
    """Return the key the register's rows were filed under for this pupil."""
    return str(parsed.key)


def _day(found: Found, parsed: ParsedPupil, text: str, line: int) -> date | None:
    day = found.date(text)
    if day is None:
        parsed.add(
            "attendance.marks",
            "invalid_date",
            f"{text[:30]!r} is not a date (DD/MM/YYYY, YYYY-MM-DD or an ISO date-time; years 1900–2099).",
            line,
            group="date",
        )
    return day


def _register_row(
    found: Found,
    register: Sheet,
    kind: str,
    parsed: ParsedPupil,
    line: int,
    cells: list[str],
    options: Options,
) -> None:
    if kind == "mark_strings":
        _mark_string(found, register, parsed, line, cells)
        return
    if kind == "totals":
        _totals_row(found, register, parsed, line, cells)
        return
    if kind == "weekly":
        _week_row(found, register, parsed, line, cells, options)
        return
    day = _day(found, parsed, register.get(cells, "date"), line)
    if day is None:
        return
    if kind == "am_pm":
        _put(found, parsed, day, 0, code(register.get(cells, "am"), options.lookup), line)
        _put(found, parsed, day, 1, code(register.get(cells, "pm"), options.lookup), line)
        return
    name = register.get(cells, "session")
    session = SESSION_NAMES.get(name.upper())
    if session is None:
        parsed.add(
            "attendance.marks",
            "invalid_session",
            f"Session {name[:20]!r} is not AM or PM: lesson or period "
            "marks are not the statutory register; export session marks.",
            line,
            group=name[:20].upper(),
        )
        return
    _put(found, parsed, day, session, code(register.get(cells, "mark"), options.lookup), line)


def _mark_string(found: Found, register: Sheet, parsed: ParsedPupil, line: int, cells: list[str]) -> None:
    start = _day(found, parsed, register.get(cells, "start_date"), line)
    marks = placed("".join(code(c) for c in register.raw(cells, "marks")))
    if start is None:
        return
    shifted = misaligned(start, marks)
    if shifted is not None:
        parsed.add(
            "attendance.marks",
            "marks_misaligned",
            f"The marks from {start.isoformat()} put a session on "
            f"{shifted:%A} {shifted.isoformat()}: the string is out of step with the calendar. Not read.",
            line,
        )
        parsed.refused = True
        return
    found.segments.setdefault(parsed_key(parsed), []).append((start, marks))


def _week_row(
    found: Found, register: Sheet, parsed: ParsedPupil, line: int, cells: list[str], options: Options
) -> None:
    text = register.get(cells, "week_start")
    monday = _day(found, parsed, text, line) if text else options.week_start
    if monday is None:
        if not text:
            parsed.add(
                "attendance.marks",
                "week_start_required",
                "A weekly register (MonAM … FriPM) needs the "
                "week: a week-start column, or week_start in the case part.",
                line,
                group="week",
            )
        return
    if monday.weekday() != 0:
        parsed.add(
            "attendance.marks",
            "invalid_date",
            f"Week start {monday.isoformat()} is not a Monday.",
            line,
            group="monday",
        )
        return
    for n, name in enumerate(WEEK):
        day = monday + timedelta(days=n // 2)
        _put(found, parsed, day, n % 2, code(register.get(cells, name), options.lookup), line)


def _totals_row(found: Found, register: Sheet, parsed: ParsedPupil, line: int, cells: list[str]) -> None:
    numbers = {}
    for name in ("sessions_possible", "sessions_present", "authorised_absences", "unauthorised_absences"):
        text = register.get(cells, name)
        numbers[name] = int(text) if text.isdigit() else None
        if text and not text.isdigit():
            parsed.add("attendance", "invalid_number", f"{name} {text[:20]!r} is not a whole number.", line)
    end_text = register.get(cells, "end_date")
    end = _day(found, parsed, end_text, line) if end_text else None
    if end is not None:
        found.last_day = max(found.last_day or end, end)
    possible, authorised = numbers["sessions_possible"] or 0, numbers["authorised_absences"] or 0
    unauthorised = numbers["unauthorised_absences"] or 0
    derived = possible - authorised - unauthorised
    sent = numbers["sessions_present"]
    if sent is not None and sent != derived:
        parsed.warn(
            "attendance.sessions_present",
            "totals_disagree",
            f"Present sessions is {sent}; possible less the absences gives {derived}, which is used.",
            line,
        )
    year = end.year - (end.month < 9) if end else None
    parsed.summaries.append(YearSummary(year, possible, authorised, unauthorised, max(derived, 0)))


def read_register(found: Found, register: Sheet, with_sheet: bool, options: Options) -> str:
    """Read every register row into the pupils' marks; return the layout."""
    kind = layout(register)
    parsed: ParsedPupil | None = None
    days: dict[date, list[str]] = {}
    field_name = "upn" if "upn" in register.columns else "pupil_id"
    at = register.columns[field_name]
    spots = tuple(register.columns.get(k, 0) for k in ("date", "am", "pm"))
    quick = kind == "am_pm" and not options.lookup
    dates = found.dates
    last: str | None = None
    for line, cells in register.rows:
        raw = cells[at] if at < len(cells) else ""
        if parsed is None or raw != last:  # rows come pupil by pupil: look up on change
            key = raw.strip().upper() if field_name == "upn" else raw.strip()
            if not key:
                message = f"This register row has no {'UPN' if field_name == 'upn' else 'pupil id'}."
                found.issues.add(LineIssue("register", "required", message, line), group="key")
                parsed, last = None, None
                continue
            parsed = _pupil_of(found, register, cells, key, field_name, line, with_sheet)
            days = found.days.setdefault(parsed_key(parsed), {})
            last = raw
        if quick:  # a plain AM/PM row (a known date, two one-letter codes, a new day) is stored at once
            try:
                text, am, pm = cells[spots[0]], cells[spots[1]], cells[spots[2]]
            except IndexError:
                text = am = pm = ""
            day = dates.get(text) or _date_of(found, text)
            if day is not None and day not in days and am in SIMPLE and pm in SIMPLE:
                days[day] = [am or NO_MARK, pm or NO_MARK]
                continue
        _register_row(found, register, kind, parsed, line, cells, options)
    return kind


def _pupil_of(
    found: Found, register: Sheet, cells: list[str], key: str, field_name: str, line: int, with_sheet: bool
) -> ParsedPupil:
    joined = found.by_id.get(key, key) if field_name == "pupil_id" else key
    parsed = found.pupils.get(joined)
    if parsed is None:
        data = pupil_fields(
            register, cells, key if field_name == "upn" else register.get(cells, "upn").upper()
        )
        parsed = found.pupils[joined] = ParsedPupil(line, data, key=joined)
        if with_sheet:
            what = "UPN" if field_name == "upn" else f"pupil id {key[:40]!r}"
            parsed.add(
                "upn", "unknown_pupil", f"The register has this {what}; the pupil sheet does not.", line
            )
    return parsed


def _date_of(found: Found, text: str) -> date | None:
    """Return the date of a cell as sent (spaces and all), parsed once per distinct text."""
    day = found.date(text.strip())
    found.dates[text] = day
    return day


def _days_segment(days: dict[date, list[str]]) -> tuple[date, str]:
    start, end = min(days), max(days)
    buffer = [NO_MARK * 2] * ((end - start).days + 1)
    for day, pair in days.items():
        buffer[(day - start).days] = pair[0] + pair[1]
    return start, "".join(buffer)


def registers(found: Found, table: codes.CodeTable) -> None:
    """Pour each pupil's marks (rows and mark strings) into one register, checked against the country's
    codes (a code the table does not know, or not on that date, is an error naming the sessions)."""
    for key, parsed in found.pupils.items():
        if parsed.refused:
            continue
        segments = list(found.segments.get(key, []))
        if found.days.get(key):
            segments.append(_days_segment(found.days[key]))
        register: Register | None = merge(segments)
        if register is not None:
            marks, bad = check_codes(register.start, register.marks, table)
            for wrong in bad:
                parsed.add(
                    "attendance.marks", "invalid_mark", wrong.message(table.country), count=wrong.count
                )
            register = Register(register.start, marks)
        parsed.register = register


def pupil_fields(sheet: Sheet, cells: list[str], upn: str) -> dict[str, Any]:
    """Return the contract's pupil fields from a row (dates turned to ISO; values kept for validation)."""
    data: dict[str, Any] = {"looked_after": sheet.get(cells, "looked_after").lower() in TRUE}
    if upn:
        data = {"upn": upn, **data}
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


def read_pupils(found: Found, pupils: Sheet, join: str) -> None:
    """Read the pupil/contact sheet: one row per pupil, contacts in numbered columns, keyed by `join`."""
    for line, cells in pupils.rows:
        upn = pupils.get(cells, "upn").upper()
        ident = pupils.get(cells, "pupil_id")
        key = upn if join == "upn" else ident
        if not key:
            what = "UPN" if join == "upn" else "pupil id"
            found.issues.add(
                LineIssue("pupils", "required", f"This pupil row has no {what}.", line), group="key"
            )
            continue
        if key in found.pupils:
            earlier = found.pupils[key]
            earlier.add(
                "upn" if join == "upn" else "pupil_id",
                "duplicate_id",
                f"This {what_key(join)} is on line {earlier.line} too: line {line} is not used.",
                line,
            )
            continue
        parsed = found.pupils[key] = ParsedPupil(line, pupil_fields(pupils, cells, upn), key=key)
        parsed.contacts = contacts(pupils, cells)
        if ident and join == "upn":
            found.by_id[ident] = key


def what_key(join: str) -> str:
    """Return how people call the join key."""
    return "UPN" if join == "upn" else "pupil id"


def join_on(register: Sheet, pupils: Sheet | None) -> str:
    """Return the pupil sheet's column the register's rows join on: the UPN when the register has one,
    else the MIS's pupil id (or the sheet's UPN, when the sheet has no id column: Arbor's `student`)."""
    if "upn" in register.columns or pupils is None:
        return "upn" if "upn" in register.columns else "pupil_id"
    return "pupil_id" if "pupil_id" in pupils.columns else "upn"


def read(
    register: bytes,
    pupils: bytes | None = None,
    mapping: Mapping[str, Any] | None = None,
    table: codes.CodeTable | None = None,
    options: Options | None = None,
) -> Export:
    """Read a CSV register and the optional pupil sheet into an export."""
    by_sheet = per_sheet(mapping or {})
    register_sheet = sheet("register", register, by_sheet["register"])
    pupil_sheet = sheet("pupils", pupils, by_sheet["pupils"]) if pupils else None
    used = {"register": register_sheet.used, "pupils": pupil_sheet.used if pupil_sheet else set()}
    check_mapping(mapping or {}, used, ("register", "pupils") if pupil_sheet else ("register",))
    found = Found()
    join = join_on(register_sheet, pupil_sheet)
    if pupil_sheet is not None:
        read_pupils(found, pupil_sheet, join)
        if join == "pupil_id" and "upn" in pupil_sheet.columns:
            pass
    kind = read_register(found, register_sheet, pupil_sheet is not None, options or Options())
    registers(found, table or codes.table("england"))
    source = {"kind": "csv", "layout": kind, "encoding": register_sheet.encoding, "joined_on": join}
    if pupil_sheet is not None:
        source["pupils_encoding"] = pupil_sheet.encoding
    return Export("csv", list(found.pupils.values()), found.issues, source, found.last_day)
