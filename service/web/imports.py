"""The export scan page: a school's CTF or CSV export in, one row per pupil out, each with its case to check.

The form gives what the API's `case` part holds (the council and the school); the export says who the pupils
and parents are. Each row's button posts that pupil's case to the report page, in the body like every page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from service import councils
from service import forms
from service.api.jobs import current_jobs
from service.documents import slug
from service.imports import batch
from service.imports.run import answer
from service.imports.run import prepare
from service.imports.scan import run
from service.jobs.queue import Status
from service.jobs.work import Spec
from service.problems import Problem
from service.web import notes as notes_words
from service.web import words
from service.web.pages import Link

# The school block of the `case` part, as form fields: (key, label, hint).
SCHOOL_FIELDS = (
    ("name", _l("School name"), ""),
    ("urn", _l("School URN"), _l("6 digits, for example 126042")),
    ("headteacher", _l("Headteacher"), ""),
    ("contact_name", _l("Contact name"), _l("Who the council should contact about these cases")),
    ("contact_phone", _l("Contact phone number"), ""),
    ("contact_email", _l("Contact email address (optional)"), ""),
    (
        "inclusion_lead_email",
        _l("Inclusion lead email address (optional)"),
        _l("Some councils copy their replies to them"),
    ),
)

# "My council is not listed": a council with no file, under its country's national rules (England's
# framework, Wales's 2013 regulations) on the generic request form. Its fields are the case's
# `council_details` (case-format: name, country, the e-mail or online form its requests go to, phone).
NOT_LISTED = "not-listed"
COUNCIL_DETAILS = (
    ("name", _l("Council's name"), _l("As the council writes it, for example Northbury Borough Council")),
    (
        "email",
        _l("Penalty-notice team's email address"),
        _l("Where the council asks schools to send their requests"),
    ),
    (
        "url",
        _l("Or the address of the council's online form"),
        _l("Only if the council takes requests through a form on its website, starting https://"),
    ),
    ("phone", _l("Penalty-notice team's phone number (optional)"), ""),
)
COUNTRIES = (("england", _l("England")), ("wales", _l("Wales")))
DETAIL_KEYS = ("name", "country", "email", "url", "phone")  # their order on the page


# Refusals about the document asked for, and the field they point at.
DOCUMENT_CODES = {
    "document_not_for_council": "documents",
    "unknown_document": "documents",
    "unsupported_format": "format",
    "conversion_unavailable": "format",
}


@dataclass(frozen=True)
class ScanRow:
    """One pupil of the export: what the scan found, and the case the row's button carries."""

    name: str
    upn: str
    attendance: str
    unauthorised: str
    flags: str
    allowed: tuple[str, ...]
    problems: tuple[str, ...]
    warnings: tuple[str, ...]
    case: str


@dataclass(frozen=True)
class ScanPage:
    """The scan of one export: where it came from, its rows, and what was wrong outside any one pupil."""

    source: str
    rows: tuple[ScanRow, ...]
    notes: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    marks: bool = False
    rules: str = ""  # whose rules the cases were checked under (a council with no file: the national ones)

    @property
    def over_threshold(self) -> int:
        """Return how many pupils have a threshold document allowed."""
        return sum(1 for row in self.rows if row.allowed)


def case_part(form: Mapping[str, str]) -> dict[str, Any]:
    """Return the API's `case` part from the form: the council, and the school fields filled in (its
    holidays, one a line, as the contract's `school.holidays`)."""
    school: dict[str, Any] = {key: form.get(f"school-{key}", "").strip() for key, _, _ in SCHOOL_FIELDS}
    school = {k: v for k, v in school.items() if v}
    holidays = holiday_list(form.get("school-holidays", ""))
    if holidays:
        school["holidays"] = holidays
    return {**council_ref(form), "school": school}


def council_ref(form: Mapping[str, str]) -> dict[str, Any]:
    """Return the part's council: the one chosen from the list, or, when it is not listed, an id made from
    the name typed (it names the bundle's files) and the `council_details` the national rules need."""
    chosen = form.get("council", "")
    if chosen != NOT_LISTED:
        return {"council": chosen}
    typed = {key: form.get(f"council-details-{key}", "").strip() for key in DETAIL_KEYS}
    details = {key: value for key, value in typed.items() if value}
    council_id = slug(details["name"]) if details.get("name") else NOT_LISTED
    return {"council": council_id, "council_details": details}


def unlisted_issues(form: Mapping[str, str]) -> list[dict[str, str]]:
    """Return what the officer left out of a council that is not listed, every field at once (the case's
    schema stops at a malformed one), and a council typed in that has a file: it is chosen from the list."""
    if form.get("council") != NOT_LISTED:
        return []
    details = council_ref(form)["council_details"]
    missing = [key for key in ("name", "country") if not details.get(key)]
    if not (details.get("email") or details.get("url")):
        missing.append("email")
    issues = [
        {"path": f"council_details.{key}", "code": "required", "message": _council_words(key, "required")}
        for key in missing
    ]
    name = details.get("name", "")
    listed = [
        c for c in councils.all() if name and (c.name.casefold() == name.casefold() or c.id == slug(name))
    ]
    if listed:
        message = _("%(council)s is in the list of councils: choose it there", council=listed[0].name)
        issues.append({"path": "council_details.name", "code": "council_listed", "message": message})
    return issues


def _prepared(
    which: str, part: Mapping[str, Any], form: Mapping[str, str], export: bytes, pupils: bytes | None
) -> tuple[Any, Any]:
    """Check the case part and read the export (the domain's import), with the page's own checks of a
    council that is not listed joined to the domain's refusal: every field's error listed at once."""
    own = unlisted_issues(form)
    try:
        found = prepare(which, part, export, pupils if which == "csv" else None)
    except Problem as problem:
        if problem.code != "invalid_import_case" or not own:
            raise
        raise _joined(problem.extra.get("errors") or [], own) from None
    if own:
        raise _joined([], own)
    return found


def _joined(domain: list[dict[str, Any]], own: list[dict[str, str]]) -> Problem:
    """Return one refusal: the council's fields first, in page order (one error a field), then the rest."""
    about = {e["path"]: e for e in domain if e["path"].startswith("council_details.")}
    for issue in own:
        about.setdefault(issue["path"], issue)
    order = {f"council_details.{key}": n for n, key in enumerate(DETAIL_KEYS)}
    council = sorted(about.values(), key=lambda e: order.get(e["path"], len(order)))
    rest = [e for e in domain if not e["path"].startswith("council_details.")]
    errors = council + rest
    return Problem(
        422,
        "invalid_import_case",
        "The case part cannot be applied",
        "; ".join(f"{e['path']}: {e['code']}" for e in errors),
        {"errors": errors},
    )


def _council_words(key: str, code: str) -> str:
    """Return what to do about a field of a council that is not listed, in the page's language."""
    if code in ("required", "blank"):
        return {
            "name": _("Enter the council's name"),
            "country": _("Select whether the council is in England or Wales"),
        }.get(key) or _(
            "Enter the penalty-notice team's email address, or the address of the council's online form"
        )
    return {
        "invalid_country": _("Select whether the council is in England or Wales"),
        "invalid_url": _("Enter the online form's address in full, starting https://"),
    }.get(code) or words.issue({}, f"council_details.{key}", code, "")


HOLIDAY = re.compile(r"^\s*(\S+)\s*(?:to|-|–|—|i)\s*(\S+)\s*$", re.IGNORECASE)


def holiday_list(text: str) -> list[dict[str, str]]:
    """Return the holidays typed one a line ("21/12/2026 to 1/1/2027"); refuse a line not two dates."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        pair = HOLIDAY.match(line)
        dates = [_day(pair.group(1)), _day(pair.group(2))] if pair else [None, None]
        if dates[0] is None or dates[1] is None or dates[1] < dates[0]:
            raise Problem(
                422,
                "invalid_holidays",
                "School holidays not understood",
                "",
                {
                    "errors": [
                        {
                            "path": "school.holidays",
                            "code": "invalid_holidays",
                            "message": _(
                                "Line %(number)s of the school holidays: enter the first and last day, like "
                                "21/12/2026 to 1/1/2027",
                                number=number,
                            ),
                        }
                    ]
                },
            )
        found.append({"start": dates[0].isoformat(), "end": dates[1].isoformat()})
    return found


def _day(text: str) -> date | None:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        day, month, year = (int(p) for p in re.split(r"[/.]", text))
        return date(year, month, day) if year > 1999 else None
    except ValueError:
        return None


def kind(content: bytes) -> str:
    """Return `ctf` for an XML export (a CTF), else `csv`: told from the content, not the file's name."""
    return "ctf" if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else "csv"


def scan(form: Mapping[str, str], export: bytes | None, pupils: bytes | None) -> ScanPage:
    """Read and scan an export (the domain's import), then build the page."""
    if not export:
        raise Problem(
            400, "file_missing", "No export", "Select the school's export: a CTF (XML) or a CSV file."
        )
    which = kind(export)
    given, parsed = _prepared(which, case_part(form), form, export, pupils)
    marks = form.get("marks") == "true"  # each case carries the window's register (#12: the scan from marks)
    return page(answer(parsed, run(parsed, given, marks)), marks, given.council)


def submit(form: Mapping[str, str], export: bytes | None, pupils: bytes | None, owner: str) -> Status:
    """Start the job that makes the chosen document for every eligible pupil of an export (checked here
    first, as the API does: a wrong council, school, document or export is refused now, not by a worker)."""
    if not export:
        raise Problem(
            400, "file_missing", "No export", "Select the school's export: a CTF (XML) or a CSV file."
        )
    which = kind(export)
    part = case_part(form)
    given, _parsed = _prepared(which, part, form, export, pupils)
    document_id = form.get("documents", "")
    fmt = form.get("format") or None
    if document_id in forms.ids() and fmt not in forms.get(document_id).outputs:
        fmt = None  # the document's own format (the request form is a PDF only), not a refusal
    fmt = batch.check(document_id, fmt, given)
    spec = Spec(which, forms.get(document_id).id, fmt, part, owner)
    return current_jobs().submit(spec, {"file": export, "pupils": pupils if which == "csv" else None})


def submit_cases(texts: list[tuple[str, bytes]], form: Mapping[str, str], owner: str) -> Status:
    """Start the job that makes one document for each uploaded case file (POST /batches, on the pages)."""
    from service.api.jobs import MAX_CASES
    from service.web.state import case_object

    if not texts or len(texts) > MAX_CASES:
        raise Problem(
            400,
            "batch_size",
            "Batch size refused",
            _("Choose between 1 and %(count)s case files.", count=MAX_CASES),
            {
                "errors": [
                    {"path": "cases", "code": "batch_size", "message": _("Choose the case files (JSON)")}
                ]
            },
        )
    cases = []
    for name, raw in texts:
        try:
            cases.append(case_object(raw.decode("utf-8-sig")))
        except (Problem, UnicodeDecodeError):
            message = _("%(file)s is not a case file (JSON): export it again", file=name[-80:])
            raise Problem(
                400,
                "invalid_json",
                "Not a case file",
                message,
                {"errors": [{"path": "cases", "code": "invalid_json", "message": message}]},
            ) from None
    choice = form.get("document", "")
    if choice not in forms.ids():
        message = _("Choose the document to make")
        raise Problem(
            400,
            "unknown_document",
            "No document",
            message,
            {"errors": [{"path": "document", "code": "required", "message": message}]},
        )
    document = forms.get(choice)
    fmt = batch.output_format(
        document, form.get("format") if form.get("format") in document.outputs else None, "pdf"
    )
    return current_jobs().submit(Spec("cases", document.id, fmt, {}, owner), {"cases": cases})


def all_documents() -> tuple[tuple[str, str], ...]:
    """Return every document, by title, for a batch of case files."""
    return tuple((d.id, words.title(d.id)) for d in forms.all())


def documents() -> tuple[tuple[str, str], ...]:
    """Return the documents an import can make for every eligible pupil: the letters and the Notice to
    Improve, and the national defaults' request form (the generic request, for a council with no file; the
    councils' own forms need attachments an export does not hold)."""
    national = {d for country in councils.COUNTRIES for d in councils.national(country).documents}
    return tuple(
        (d.id, words.title(d.id)) for d in forms.all() if isinstance(d, forms.Letter) or d.id in national
    )


def page(found: Mapping[str, Any], marks: bool = False, council: councils.Council | None = None) -> ScanPage:
    """Return the scan page of an import's answer (cases, scan, errors, warnings, source), saying whose
    rules the cases were checked under."""
    titles = {d.id: words.title(d.id) for d in forms.all()}
    rows = []
    for n, (case, row) in enumerate(zip(found["cases"], found["scan"], strict=True)):
        mine = [e for e in found["errors"] if _about(e, n)]
        cautions = [w for w in found.get("warnings", []) if _about(w, n)]
        rows.append(
            ScanRow(
                name=str(row.get("name", "")),
                upn=str(row.get("upn", "")),
                attendance=_percent(row.get("attendance_percent")),
                unauthorised=str(row.get("unauthorised_sessions_in_window", "")),
                flags=_flags(row),
                allowed=tuple(titles.get(d, d) for d in row.get("documents_allowed", [])),
                problems=tuple(_line(e, case) for e in mine),
                warnings=tuple(_line(w, case) for w in cautions),
                case=json.dumps(case, ensure_ascii=False),
            )
        )
    notes = tuple(_line(e, {}) for e in found["errors"] if not e["path"].startswith("pupils["))
    warnings = tuple(_line(w, {}) for w in found.get("warnings", []) if not w["path"].startswith("pupils["))
    rules = notes_words.rules_applied(council) if council else ""
    return ScanPage(_source(found.get("source") or {}), tuple(rows), notes, warnings, marks, rules)


def _about(issue: Mapping[str, Any], n: int) -> bool:
    """Return whether an import issue is about the export's pupil n (`pupils[n]`, `pupils[n].…`)."""
    return re.match(rf"^pupils\[{n}\](?:$|[.\[])", issue.get("path", "")) is not None


def form_errors(problem: Problem) -> list[Link]:
    """Return a refused import's problems as links to the form fields they are about."""
    where = DOCUMENT_CODES.get(problem.code, "file")
    issues = problem.extra.get("errors") or [{"path": where, "code": problem.code, "message": problem.detail}]
    return [Link(_message(e), "#" + _field(e["path"]), e["code"]) for e in issues]


def _message(issue: Mapping[str, Any]) -> str:
    """Return a refusal's words: the page's own for the council's fields, the pages' words for the school's
    (in Welsh on a Welsh page), else the domain's message."""
    path, code = issue["path"], issue["code"]
    if path.startswith("council_details.") and code != "council_listed":
        return _council_words(path.split(".")[1], code)
    if path == "council" and code == "unknown_council":
        return _('Choose the school\'s council, or choose "My council is not listed"')
    if path.startswith("school.") and not path.startswith("school.holidays"):
        return words.issue({}, path, code, str(issue["message"]))
    return str(issue["message"])


def _field(path: str) -> str:
    if path == "council":
        return "council"
    if path.startswith("council_details"):
        key = path.partition(".")[2].split(".")[0]
        return f"council-details-{key}" if key in DETAIL_KEYS else "council-details-name"
    if path in ("documents", "format", "cases", "document"):
        return path
    if path.startswith("school.holidays"):
        return "school-holidays"
    if path.startswith("school."):
        key = path.split(".")[1]
        return f"school-{key}" if key in {k for k, _, _ in SCHOOL_FIELDS} else "school-name"
    return "school-name" if path == "school" else "file"


def _percent(value: Any) -> str:
    return f"{value}%" if isinstance(value, int | float) else _("Not known")


def _flags(row: Mapping[str, Any]) -> str:
    if row.get("severe_absence"):
        return _("Severe absence")
    return _("Persistent absence") if row.get("persistent_absence") else ""


def _line(issue: Mapping[str, Any], case: Mapping[str, Any]) -> str:
    """Return an import issue in words: its line, whom it is about in the pupil's case, what to do."""
    path = re.sub(r"^pupils\[\d+\]\.?", "", issue.get("path", ""))  # the row is the pupil: path in their case
    text = words.issue(case, path, issue.get("code", ""), issue.get("message", ""))
    return _("Line %(line)s: %(text)s", line=issue["line"], text=text) if issue.get("line") else text


def _source(source: Mapping[str, Any]) -> str:
    if source.get("kind") == "ctf":
        return _(
            "Common Transfer File %(version)s from %(school)s",
            version=source.get("version", ""),
            school=source.get("school_name") or _("the school"),
        )
    layout = LAYOUTS.get(source.get("layout", ""), source.get("layout"))
    return _("CSV register (%(layout)s)", layout=layout) if layout else _("CSV register")


# The CSV register layouts (service/imports/csv_import.py LAYOUTS) as an officer knows them.
LAYOUTS = {
    "mark_strings": _l("a row of marks per pupil"),
    "am_pm": _l("morning and afternoon marks by date"),
    "sessions": _l("a row per session"),
    "weekly": _l("a row per week"),
    "totals": _l("attendance totals only"),
}
