"""The threshold scan: per pupil, attendance, unauthorised sessions in the window, and what the rules allow.

The window is the council's: England, the latest `window_school_weeks` school weeks ending at the pupil's
latest mark (rules.md §Thresholds: a rolling 10 school weeks, which may span terms and school years; weeks
with no possible session, such as half-term, are not school weeks, as in `rules.threshold.school_weeks`).
A council without a rolling window (Wales) counts the current term, told from the register by the last
break of two weeks or more (Christmas, Easter, summer; half-terms are one week), or the whole export when
the register shows no such break. Attendance and the absence flags are for the current school year.
The case built from the window is loaded and assessed once (`service.assessment`), and its decisions say
which documents are allowed: no rule is re-implemented here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from datetime import timedelta
from typing import Any

from service import assessment
from service import councils
from service import forms
from service.assessment import Assessment
from service.case import Case
from service.case.schema import CaseSchema
from service.councils import Council
from service.imports import Export
from service.imports import LineIssue
from service.imports import ParsedPupil
from service.imports import YearSummary
from service.imports.cases import Defaults
from service.imports.cases import case_data
from service.imports.marks import FLAGS
from service.imports.marks import UNAUTHORISED
from service.imports.marks import Register
from service.imports.marks import totals
from service.register import Totals
from service.report import Issue
from service.report import Report
from service.school_calendar import school_year_start

# 12+ days with no possible session end a term: a two-week holiday is 16 days weekend to weekend, while
# a half-term is 9, or 11 with an INSET day either side.
TERM_BREAK_DAYS = 12
GATED = frozenset({"notice_to_improve", "penalty_notice"})  # the documents a threshold scan is about
PERSISTENT = 0.9  # DfE: persistent absence, missing 10% or more of possible sessions
SEVERE = 0.5  # DfE: severe absence, missing 50% or more


@dataclass(frozen=True)
class Window:
    """Where the unauthorised sessions were counted, and how many there were."""

    # "school_weeks", "term", "export", "totals" (no marks), "none" (no attendance at all) or "refused" (marks
    # that cannot be read right: the pupil is listed with the error, and not judged)
    basis: str
    start: date | None = None
    end: date | None = None
    unauthorised: int | None = None
    holiday: bool = False
    school_weeks: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the window's JSON shape."""
        return {
            "basis": self.basis,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "school_weeks": self.school_weeks,
        }


@dataclass
class PupilResult:
    """One pupil scanned: the case built, its report, the scan row and the errors with their lines."""

    index: int
    parsed: ParsedPupil
    case: dict[str, Any]
    report: Report
    loaded: Case | None
    row: dict[str, Any]
    errors: list[LineIssue]
    warnings: list[LineIssue]
    assessment: Assessment | None = None


class Checker:
    """Assess the cases of one import through the pipeline's own steps (`assessment.load`, then
    `assessment.assess`), with the case schema built once: marshmallow builds nested schemas per instance,
    most of a case's load time."""

    def __init__(self) -> None:
        self.schema = CaseSchema()

    def assess(self, data: dict[str, Any], today: date) -> Assessment:
        """Return the assessment of one pupil's case (no attachments: the case part may not carry any)."""
        case, errors = assessment.load(data, self.schema)
        if case is None:
            return Assessment(Report(council=data["council"], errors=errors), today=today)
        return assessment.assess(case, councils.for_case(case), today, errors=errors, inspect=False)

    def check(self, data: dict[str, Any], today: date) -> tuple[Report, Case | None]:
        """Return the report on a case and the case (see `assess`)."""
        done = self.assess(data, today)
        return done.report, done.case


def _window(register: Register, start: date, end: date, basis: str, weeks: int | None) -> Window:
    counts = Counter(register.between(start, end))
    unauthorised = sum(counts[c] for c in UNAUTHORISED)
    # A holiday case when holiday codes (G) are most of the unauthorised sessions; otherwise irregular.
    holiday = counts["G"] * 2 > unauthorised
    return Window(basis, start, end, unauthorised, holiday, weeks)


def latest_weeks(register: Register, weeks: int, latest: date) -> Window:
    """Return the last `weeks` school weeks ending at the latest mark (fewer when the register is short)."""
    mondays = register.school_weeks(latest)[-weeks:]
    start = register.first_possible(mondays[0], latest) or mondays[0]
    return _window(register, start, latest, "school_weeks", len(mondays))


def term(register: Register, latest: date) -> Window:
    """Return the current term: from the first session after the last break of two weeks or more."""
    first = register.first_possible(register.start, latest) or register.start
    flags = register.between(first, latest).translate(FLAGS)
    am, pm = flags[0::2], flags[1::2]
    days = format(int(am, 2) | int(pm or "0", 2), f"0{len(am)}b") if am else ""
    breaks = list(re.finditer(f"0{{{TERM_BREAK_DAYS},}}", days))
    if not breaks:
        return _window(register, first, latest, "export", None)
    return _window(register, first + timedelta(days=breaks[-1].end()), latest, "term", None)


def year_totals(register: Register, latest: date) -> Totals:
    """Return the totals of the school year (1 Sep – 31 Aug) of the latest mark."""
    return totals(register.between(max(school_year_start(latest), register.start), latest))


def summary_totals(summaries: list[YearSummary]) -> tuple[Totals, int | None]:
    """Return the totals of the latest year the CTF summarises (all its schools), and that year."""
    year = max((s.year or 0 for s in summaries), default=0)
    chosen = [s for s in summaries if (s.year or 0) == year]
    possible = sum(s.possible for s in chosen)
    authorised = sum(s.authorised for s in chosen)
    unauthorised = sum(s.unauthorised for s in chosen)
    # SessionsAttended when sent (CTF 2x), else what the absences leave of the possible sessions.
    attended = sum(
        s.possible - s.authorised - s.unauthorised if s.attended is None else s.attended for s in chosen
    )
    return Totals(possible, max(attended, 0), authorised, unauthorised), (year or None)


def measure(parsed: ParsedPupil, council: Council, fallback: date) -> tuple[Window, Totals | None, date]:
    """Return the pupil's window, current-year totals and as-of date, from the marks or else the summaries."""
    if parsed.refused:
        return Window("refused", fallback, fallback, None), None, fallback
    register = parsed.register
    latest = register.latest_mark() if register else None
    if register is not None and latest is not None:
        weeks = council.threshold.window_school_weeks
        window = latest_weeks(register, weeks, latest) if weeks else term(register, latest)
        return window, year_totals(register, latest), latest
    if parsed.summaries:
        found, year = summary_totals(parsed.summaries)
        start = min(date(year, 9, 1), fallback) if year else school_year_start(fallback)
        return Window("totals", start, fallback, found.unauthorised_absences), found, fallback
    return Window("none", fallback, fallback, None), None, fallback


def built_absence(window: Window) -> dict[str, Any]:
    """Return the case's absence: the window, its unauthorised sessions, holiday or irregular."""
    assert window.start is not None and window.end is not None
    return {
        "type": "holiday" if window.holiday else "irregular",
        "start_date": window.start.isoformat(),
        "end_date": window.end.isoformat(),
        "unauthorised_sessions": window.unauthorised or 0,
    }


def built_attendance(found: Totals | None, as_of: date) -> dict[str, Any] | None:
    """Return the case's attendance block (current school year), or None when the export has none."""
    if found is None:
        return None
    return {
        "as_of": as_of.isoformat(),
        "sessions_possible": found.sessions_possible,
        "sessions_present": found.sessions_present,
        "authorised_absences": found.authorised_absences,
        "unauthorised_absences": found.unauthorised_absences,
    }


def allowed(done: Assessment) -> list[str]:
    """Return the council's threshold documents (Notice to Improve, penalty requests) the rules allow.

    What the case data lacks to print a document (the school's term dates for an improvement period's
    end) is not a rule: such a document is still allowed here, and `cannot_produce` says why in a batch.
    """
    if done.case is None or done.council is None or done.decisions is None:
        return []
    out = []
    for document_id in done.council.documents:
        document = forms.get(document_id)
        if GATED & document.need_names and not [
            i for i in done.blocking(document) if i.code != "term_dates_required"
        ]:
            out.append(document_id)
    return out


def rebase(index: int, issues: list[Any], parsed: ParsedPupil) -> list[LineIssue]:
    """Return a case's issues with paths under `pupils[index]`, each with the pupil's line and UPN."""
    out = []
    who = parsed.pupil.get("upn") or parsed.key
    for issue in issues:
        rest = issue.path.removeprefix("pupils[0]").lstrip(".")
        path = f"pupils[{index}]" + (f".{rest}" if rest else "")
        if isinstance(issue, LineIssue):
            out.append(replace(issue, path=path, line=issue.line or parsed.line, pupil=who))
        else:
            out.append(LineIssue(path, issue.code, issue.message, parsed.line, pupil=who))
    return list(dict.fromkeys(out))


def _not_cascaded(parsed: ParsedPupil, errors: list[Issue]) -> list[Issue]:
    """Drop the schema's `required` for fields a `ctf_pupil_incomplete` error already names."""
    paths = {f"pupils[0].{name}" for name in parsed.incomplete}
    return [e for e in errors if not (e.code == "required" and e.path in paths)]


def with_marks(window: Window, register: Register | None) -> dict[str, Any] | None:
    """Return the case's attendance as the window's register: its marks (codes as sent) and their totals."""
    if register is None or window.start is None or window.end is None or window.basis == "totals":
        return None
    counted = totals(register.between(window.start, window.end))
    return {
        **(built_attendance(counted, window.end) or {}),
        "marks": register.as_marks(window.start, window.end),
    }


def scan_pupil(
    index: int,
    parsed: ParsedPupil,
    given: Defaults,
    fallback: date,
    siblings: list[str],
    checker: Checker,
    marks: bool = False,
) -> PupilResult:
    """Build, validate and scan one pupil's case (with the window's marks when `marks` is asked)."""
    window, found, as_of = measure(parsed, given.council, fallback)
    attendance = (with_marks(window, parsed.register) if marks else None) or built_attendance(found, as_of)
    data = case_data(parsed, given, built_absence(window), attendance)
    done = checker.assess(data, given.today)
    report, case = done.report, done.case
    errors = rebase(index, [*parsed.issues, *_not_cascaded(parsed, report.errors)], parsed)
    warnings = rebase(index, list(parsed.warnings), parsed)
    possible = found.sessions_possible if found else 0
    ratio = found.sessions_present / possible if found and possible else None
    row = {
        "upn": parsed.pupil.get("upn"),
        "name": " ".join(p for p in (parsed.pupil.get("forename"), parsed.pupil.get("surname")) if p),
        "sessions_possible": possible,
        "attendance_percent": round(100 * ratio, 1) if ratio is not None else None,
        "unauthorised_sessions_in_window": window.unauthorised if window.basis != "totals" else None,
        "persistent_absence": ratio is not None and ratio < PERSISTENT,
        "severe_absence": ratio is not None and ratio < SEVERE,
        "documents_allowed": [] if parsed.refused else allowed(done),
        "window": window.as_dict(),
        "absence_type": "holiday" if window.holiday else "irregular",
        "valid": report.valid and not parsed.issues,
        "siblings": siblings,
        "line": parsed.line,
    }
    return PupilResult(index, parsed, data, report, case, row, errors, warnings, done)


def siblings(export: Export) -> list[list[str]]:
    """Return, per pupil, the UPNs of the other pupils who share a contact with parental responsibility."""
    by_contact: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for n, parsed in enumerate(export.pupils):
        for contact in parsed.contacts:
            if contact.responsibility:
                by_contact[contact.key()].add(n)
    found: list[set[int]] = [set() for _ in export.pupils]
    for group in by_contact.values():
        for n in group:
            found[n] |= group - {n}
    return [sorted(str(export.pupils[m].pupil.get("upn")) for m in group) for group in found]


def run(export: Export, given: Defaults, marks: bool = False) -> Iterator[PupilResult]:
    """Scan every pupil of the export, in file order: nothing is dropped."""
    fallback = export.exported_on or given.today
    family = siblings(export)
    checker = Checker()
    for index, parsed in enumerate(export.pupils):
        yield scan_pupil(index, parsed, given, fallback, family[index], checker, marks)
