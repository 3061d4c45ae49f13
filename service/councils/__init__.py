"""Councils as data: one TOML file each (`service/councils/data/<id>.toml`, plus a deployment's own
directory named by ATTENDANCE_COUNCILS_DIR), checked against one schema at start and loaded into frozen
dataclasses. Every fact carries the id of its source; a fact a council does not publish is listed in
`not_published` rather than guessed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

ENGLAND = "england"
WALES = "wales"
COUNTRIES = (ENGLAND, WALES)
SHIPPED = Path(__file__).resolve().parent / "data"
ENV_DIR = "ATTENDANCE_COUNCILS_DIR"

# Threshold windows: the national framework's rolling school weeks (England), the current term or the
# absence episode (Welsh councils' codes of conduct, councils/published-processes.md).
WINDOWS = ("rolling_school_weeks", "current_term", "episode")
DAY_UNITS = ("school_days", "working_days", "calendar_days")
DEADLINE_FROM = ("absence_end", "warning_letter")
CHANNELS = ("email", "online_form", "portal", "post")
REQUEST_PER = ("child", "family")
NTI_ISSUERS = ("school", "council")
FIRST_STEPS = ("notice_to_improve", "warning_letter", "none")
# When a checklist item applies (forms' and councils' checklists alike).
WHEN = ("always", "leave_requested", "leave_not_requested", "holiday", "irregular")


class UnknownCouncil(LookupError):
    """A council id the service does not know."""

    def __init__(self, council_id: str) -> None:
        super().__init__(council_id)
        self.council_id = council_id
        self.known = ids()


class CouncilFileError(ValueError):
    """A council file that does not fit the schema: the service does not start with it."""

    def __init__(self, path: Path | str, where: str, message: str) -> None:
        super().__init__(f"{path}: {where}: {message}")
        self.path, self.where, self.message = str(path), where, message


@dataclass(frozen=True)
class Source:
    """Where a fact was read: a web page or a document, and when."""

    id: str
    title: str
    read: date
    url: str | None = None
    document: str | None = None


@dataclass(frozen=True)
class Requirement:
    """One item of an attachment checklist: the kinds that satisfy it (several: either-or), and when."""

    item: str
    label: str
    kinds: tuple[str, ...]
    when: str = "always"

    def __post_init__(self) -> None:
        if self.when not in WHEN:
            raise ValueError(f"Requirement {self.item}: when must be one of {WHEN}")


@dataclass(frozen=True)
class Threshold:
    """Unauthorised sessions that open the way to a penalty notice, and how they are counted."""

    unauthorised_sessions: int
    window_school_weeks: int | None  # the rolling window (England); None for a term or the episode
    window: str = "rolling_school_weeks"
    below_percent_year_to_date: float | None = None  # ERW code: attendance below 90 % this school year
    holiday_sessions_consecutive: bool = False  # Torfaen: holiday of 10 sessions on consecutive days
    source: str = ""


@dataclass(frozen=True)
class Penalties:
    """Penalty-notice amounts in whole pounds, with the days each amount applies for."""

    first_early: int
    first_early_days: int
    first_full: int
    first_full_days: int
    second_early: int | None
    second_full: int
    notices_per_three_years: int | None  # None: the sources set no limit
    source: str = ""


@dataclass(frozen=True)
class Submission:
    """Where penalty-notice paperwork goes: an e-mail address (To, and whom to Cc), or an online form's
    or a portal's address."""

    channel: str | None  # None: not published
    to: str | None = None
    cc_school_inclusion_lead: bool = False
    cc: tuple[str, ...] = ()
    url: str | None = None
    team: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Contact:
    """Whom a school asks about the council's penalty-notice process."""

    team: str | None = None
    email: str | None = None
    phone: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Deadline:
    """A request goes in within `days` (school, working or calendar days) of the absence's end or of a
    warning letter, for the absence types listed."""

    days: int
    unit: str
    after: str
    absence_types: tuple[str, ...]
    text: str  # the council's own words
    source: str = ""


@dataclass(frozen=True)
class NoticeToImprove:
    """Who issues the Notice to Improve and how long its improvement period runs."""

    issued_by: str | None
    period_school_weeks: int | None = None
    source: str = ""


@dataclass(frozen=True)
class FirstStep:
    """What must come before a penalty notice for one absence type."""

    absence_type: str
    step: str
    source: str = ""
    national: bool = False  # lent by the country's default: the file states nothing for this absence type


@dataclass(frozen=True)
class DocumentUse:
    """A document the council takes, and its attachment checklist when the council states its own."""

    id: str
    attachments: tuple[Requirement, ...] | None = None  # None: the document's own checklist
    source: str = ""


@dataclass(frozen=True)
class TermDates:
    """The council's published school holidays (first and last day each); a school's own dates win."""

    holidays: tuple[tuple[date, date], ...]
    source: str = ""


@dataclass(frozen=True)
class Council:
    """A council's rules, amounts, documents and addresses, each fact with its source."""

    id: str
    name: str
    country: str
    threshold: Threshold
    penalties: Penalties
    uses: tuple[DocumentUse, ...]
    submit_to: Submission
    sources: tuple[Source, ...]
    source: str = ""  # of the name, country and documents
    contact: Contact | None = None
    department: str | None = None
    deadlines: tuple[Deadline, ...] = ()
    requires_both_addresses_when_apart: bool = False
    request_per: str | None = None
    first_steps: tuple[FirstStep, ...] = ()
    notice_to_improve: NoticeToImprove | None = None
    term_dates: TermDates | None = None
    bilingual_letters: bool = False
    name_cy: str | None = None  # the council's Welsh name, for bilingual letters
    notes: tuple[str, ...] = ()
    not_published: tuple[str, ...] = ()
    national: bool = False  # the national default for a council with no file of its own
    file: str = field(default="", compare=False)

    @property
    def documents(self) -> tuple[str, ...]:
        """Return the ids of the documents the council takes, in its file's order."""
        return tuple(u.id for u in self.uses)

    def accepts(self, document_id: str) -> bool:
        """Return whether the council takes this document."""
        return document_id in self.documents

    def requirements(self, document_id: str, default: tuple[Requirement, ...]) -> tuple[Requirement, ...]:
        """Return the council's checklist for a document, or the document's own when it states none."""
        use = next((u for u in self.uses if u.id == document_id), None)
        return default if use is None or use.attachments is None else use.attachments

    def source_of(self, source_id: str) -> Source | None:
        """Return a source by its id in this file."""
        return next((s for s in self.sources if s.id == source_id), None)

    def first_step(self, absence_type: str) -> str | None:
        """Return what must come before a penalty notice for this absence type, if published."""
        return next((f.step for f in self.first_steps if f.absence_type == absence_type), None)

    @property
    def holidays(self) -> tuple[tuple[date, date], ...]:
        """Return the council's published school holidays (empty when not published)."""
        return self.term_dates.holidays if self.term_dates else ()


def _registry() -> dict[str, Council]:
    if not _REGISTRY:
        load(os.environ.get(ENV_DIR) or None)
    return _REGISTRY


_REGISTRY: dict[str, Council] = {}
_LOADED_FROM: list[str | None] = []


def load(extra_dir: str | Path | None = None, again: bool = False) -> tuple[Council, ...]:
    """Load the shipped council files, then a deployment's directory (a file there with a shipped id
    replaces it); a bad file raises CouncilFileError naming the file and the field. Loading the same
    directories twice reads them once, unless `again`."""
    from service.councils.schema import read_directories

    key = str(extra_dir) if extra_dir else None
    if _REGISTRY and _LOADED_FROM == [key] and not again:
        return all()

    directories = [SHIPPED]
    if extra_dir:
        directories.append(Path(extra_dir))
        if not directories[-1].is_dir():
            raise CouncilFileError(extra_dir, ENV_DIR, "not a directory")
    found = read_directories(directories)
    _REGISTRY.clear()
    _REGISTRY.update(found)
    _LOADED_FROM[:] = [key]
    return all()


def get(council_id: str) -> Council:
    """Return a council by id, or raise UnknownCouncil naming the known ones."""
    try:
        return _registry()[council_id]
    except KeyError:
        raise UnknownCouncil(council_id) from None


def all() -> tuple[Council, ...]:  # noqa: A001 - the registry's verb, as in the style guide
    """Return every council, in id order (the national defaults are not among them)."""
    return tuple(sorted((c for c in _registry().values() if not c.national), key=lambda c: c.id))


def ids() -> tuple[str, ...]:
    """Return every council id, sorted."""
    return tuple(c.id for c in all())


def national(country: str) -> Council:
    """Return the national default of a country (England's framework, Wales's 2013 regulations)."""
    return _registry()[f"national-{country}"]


def for_case(case: Any) -> Council:
    """Return the council a case is for (see `resolve`)."""
    return resolve(case.council, case.council_details)


def resolve(council_id: str, details: Any = None) -> Council:
    """Return a council by id and the case's `council_details` (a `CouncilDetails`, or None): its file,
    else its country's national default named as the case names it; the case's own route fills what a
    file says is not published. The API, the pages and the imports all resolve a council here."""
    if council_id in _registry() and not _registry()[council_id].national:
        council = _registry()[council_id]
    elif details is not None and details.country in COUNTRIES:
        council = replace(national(details.country), id=council_id, name=details.name or council_id)
    else:
        raise UnknownCouncil(council_id)
    if details is None:
        return council
    route = council.submit_to
    if route.channel is None or council.national:
        channel = "email" if details.email else "online_form" if details.url else None
        route = replace(route, channel=channel, to=details.email, url=details.url, source="case")
    elif route.channel == "email" and not route.to and details.email:
        route = replace(route, to=details.email, source="case")
    elif route.channel != "email" and not route.url and details.url:
        route = replace(route, url=details.url, source="case")
    contact = council.contact
    if details.phone and not (contact and contact.phone):
        contact = replace(contact or Contact(), phone=details.phone, source="case")
    return replace(council, submit_to=route, contact=contact)


def check_documents(known: tuple[str, ...]) -> None:
    """Refuse a council that takes a document the service does not have (run once at start)."""
    for council in _registry().values():
        for use in council.uses:
            if use.id not in known:
                raise CouncilFileError(
                    council.file, f"documents.{use.id}", f"no such document; known: {', '.join(known)}"
                )


# How a council's facts read on a form, in an e-mail and on the pages (one wording, said once).
UNPUBLISHED = "Not published: ask the council"
_UNITS = {"school_days": "school days", "working_days": "working days", "calendar_days": "days"}
_AFTER = {"absence_end": "the absence ends", "warning_letter": "the warning letter"}


def route_text(council: Council) -> str:
    """Return where requests go: `E-mail penaltynotices@… (Cc the school's inclusion lead)`."""
    route = council.submit_to
    if route.channel == "email" and route.to:
        cc = [*route.cc, *(["the school's inclusion lead"] if route.cc_school_inclusion_lead else [])]
        return f"E-mail {route.to}" + (f" (Cc {', '.join(cc)})" if cc else "")
    if route.channel in ("online_form", "portal"):
        what = "Online form" if route.channel == "online_form" else "Portal"
        named = f" ({route.team})" if route.team else ""
        return f"{what}{named}: {route.url}" if route.url else f"{what}{named}: address not published"
    if route.channel == "email":
        return f"E-mail to the {route.team or 'council'}: address not published"
    return UNPUBLISHED


def deadline_text(council: Council, absence_type: str) -> str:
    """Return the council's deadlines for an absence type, in its own words, or say none is published."""
    found = [d for d in council.deadlines if absence_type in d.absence_types]
    if not found:
        return "No deadline published" if "deadlines" in council.not_published or council.national else ""
    return " ".join(
        f"Within {d.days} {_UNITS[d.unit]} after {_AFTER[d.after]} ({d.text.rstrip('.')})." for d in found
    )


def threshold_text(council: Council) -> str:
    """Return the threshold as the council counts it."""
    t = council.threshold
    where = {
        "rolling_school_weeks": f"within a rolling {t.window_school_weeks} school weeks",
        "current_term": "in the current term",
        "episode": "in the absence",
    }[t.window]
    words = f"{t.unauthorised_sessions} sessions of unauthorised absence {where}"
    if t.below_percent_year_to_date is not None:
        words += f", and attendance below {t.below_percent_year_to_date:g}% for the school year to date"
    if t.holiday_sessions_consecutive:
        words += "; a holiday's sessions on consecutive school days"
    return words


def rules_text(council: Council) -> str:
    """Return which rules apply and from where: the council's file, or the national default."""
    source = council.source_of(council.threshold.source)
    cited = f" (source: {source.title}, read {source.read:%d/%m/%Y})" if source else ""
    if council.national:
        basis = "No council file: the national framework" if council.country == ENGLAND else (
            "No council file: the Education (Penalty Notices) (Wales) Regulations 2013"
        )
        return f"{basis}: {threshold_text(council)}{cited}."
    return f"{council.name}'s published rules: {threshold_text(council)}{cited}."


def applied(council: Council) -> dict[str, Any]:
    """Return which rules a report applied and their sources: the council's file, or the national
    default of its country (a council with no file, named by the case)."""
    cited = dict.fromkeys([council.threshold.source, council.penalties.source, council.submit_to.source])
    sources = [council.source_of(s) for s in cited if s]
    return {
        "council": council.id,
        "name": council.name,
        "basis": "national_default" if council.national else "council_file",
        "country": council.country,
        "threshold": threshold_text(council),
        "route": route_text(council),
        "sources": [
            {"id": s.id, "title": s.title, "url": s.url, "document": s.document, "read": s.read.isoformat()}
            for s in sources
            if s is not None
        ]
        + ([{"id": "case", "title": "council_details of the case"}] if "case" in cited else []),
    }
