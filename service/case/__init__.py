"""A case: one absence episode of one or more pupils of one family, for one council (typed, frozen)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date

ABSENCE_TYPES = ("holiday", "irregular")
ATTACHMENT_KINDS = (
    "attendance_certificate",
    "leave_request_form",
    "refusal_letter",
    "holiday_letter",
    # What some councils' checklists add (councils/published-processes.md): the certificate for the
    # previous school year, the headteacher's certificate, an early-help assessment or attendance plan,
    # and evidence that the parents were told (letters, notes of calls).
    "attendance_certificate_previous_year",
    "headteacher_certificate",
    "early_help_assessment",
    "attendance_plan",
    "parent_communication",
    "other",
)
SESSIONS = ("AM", "PM")


@dataclass(frozen=True)
class Address:
    """A postal address; `postcode` is normalised (upper case, one space)."""

    line1: str
    town: str
    postcode: str
    line2: str = ""

    def lines(self) -> list[str]:
        """Return the address lines that have text, postcode last."""
        parts = [self.line1, self.line2, self.town, self.postcode]
        return [p.strip() for p in parts if p and p.strip()]

    def key(self) -> tuple[str, str]:
        """Return what makes two addresses the same home: first line and postcode, loosely."""
        return (" ".join(self.line1.lower().split()), self.postcode.replace(" ", ""))


@dataclass(frozen=True)
class School:
    """The school sending the case."""

    name: str
    urn: str
    headteacher: str
    contact_name: str
    contact_phone: str
    contact_email: str | None = None
    inclusion_lead_email: str | None = None
    upcoming_inset_days: tuple[date, ...] = ()
    holidays: tuple[tuple[date, date], ...] = ()  # term holidays, first and last day of each

    def closures(self) -> tuple[date, ...]:
        """Return the days the school is closed that it told us of: INSET days and holidays."""
        days = list(self.upcoming_inset_days)
        for first, last in self.holidays:
            days += [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
        return tuple(days)


@dataclass(frozen=True)
class Pupil:
    """A pupil of the case."""

    upn: str
    forename: str
    surname: str
    date_of_birth: date
    gender: str
    address: Address
    lives_with: tuple[str, ...] = ()
    looked_after: bool = False
    social_worker: str | None = None
    year_group: str | None = None
    class_name: str | None = None
    attendance: Attendance | None = None  # this pupil's own figures (siblings differ); else the case's

    @property
    def full_name(self) -> str:
        """Return the name as written: forename then surname."""
        return f"{self.forename} {self.surname}"


@dataclass(frozen=True)
class Parent:
    """A parent or carer; `address=None` means they live at the pupil's address."""

    id: str
    full_name: str
    relationship: str
    parental_responsibility: bool = True
    address: Address | None = None
    phone: str | None = None
    email: str | None = None
    language: str = "en"


@dataclass(frozen=True)
class LeaveRequest:
    """Whether (and how) the family asked for leave in advance."""

    submitted: bool
    submitted_on: date | None = None
    reason: str | None = None
    decided_on: date | None = None
    decision: str | None = None


@dataclass(frozen=True)
class Absence:
    """The absence episode the paperwork is about."""

    type: str
    start_date: date
    end_date: date
    unauthorised_sessions: int
    responsible_parent_ids: tuple[str, ...] = ()
    leave_request: LeaveRequest | None = None
    grounds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mark:
    """One register mark: a date, AM or PM, and the national attendance code."""

    date: date
    session: str
    code: str


@dataclass(frozen=True)
class Attendance:
    """The pupil's attendance figures, and optionally the session-by-session register."""

    as_of: date
    sessions_possible: int
    sessions_present: int
    authorised_absences: int
    unauthorised_absences: int
    marks: tuple[Mark, ...] = ()
    class_average_sessions_missed: float | None = None


@dataclass(frozen=True)
class PreviousNotice:
    """A penalty notice issued before, to one parent for one pupil."""

    parent_id: str
    pupil_upn: str
    issued_on: date


@dataclass(frozen=True)
class PreviousNoticeToImprove:
    """A Notice to Improve issued before, to one parent for one pupil, and the end of its period."""

    parent_id: str
    pupil_upn: str
    issued_on: date
    period_end: date


@dataclass(frozen=True)
class PreviousLetter:
    """A letter the school sent before (attendance letter 1 …), for "my previous letter dated …"."""

    document: str
    sent_on: date
    parent_id: str | None = None
    pupil_upn: str | None = None


@dataclass(frozen=True)
class Support:
    """Support offered to the family so far (Notice to Improve)."""

    date: date
    description: str


@dataclass(frozen=True)
class Attachment:
    """A file sent with the case, by kind (contract: attendance_certificate, …)."""

    kind: str
    content: bytes
    filename: str = ""


@dataclass(frozen=True)
class CouncilDetails:
    """What the case says of its council: for a council with no file (its name, country and route, so
    that the national rules apply), or the route a council's file says is not published."""

    name: str | None = None
    country: str | None = None
    email: str | None = None
    url: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Case:
    """The whole case as loaded and checked field by field by `CaseSchema`."""

    council: str
    school: School
    pupils: tuple[Pupil, ...]
    parents: tuple[Parent, ...]
    absence: Absence
    attendance: Attendance | None = None
    previous_penalty_notices: tuple[PreviousNotice, ...] = ()
    court_orders_restricting_information: bool = False
    other_information: str = ""
    support_offered: tuple[Support, ...] = ()
    improvement_period_weeks: int | None = None
    letter_date: date | None = None
    attachments: tuple[Attachment, ...] = field(default=(), repr=False)
    council_details: CouncilDetails | None = None
    previous_notices_to_improve: tuple[PreviousNoticeToImprove, ...] = ()
    support_not_appropriate: str | None = None  # the school's reason why a Notice to Improve is not
    previous_letters: tuple[PreviousLetter, ...] = ()

    def attendance_of(self, pupil: Pupil) -> Attendance | None:
        """Return a pupil's figures: their own, else the case's (which are the first pupil's)."""
        if pupil.attendance is not None:
            return pupil.attendance
        return self.attendance if pupil == self.pupils[0] else None

    def of_pupils(self, pupils: tuple[Pupil, ...]) -> Case:
        """Return the case narrowed to some of its pupils, each keeping their own figures: the case's go with
        its first pupil only, so a narrowed case must not hand them to another child."""
        return replace(self, pupils=pupils, attendance=self.attendance_of(pupils[0]))

    def parent(self, parent_id: str) -> Parent | None:
        """Return the parent with this id, or None."""
        return next((p for p in self.parents if p.id == parent_id), None)

    def home_of(self, parent: Parent, pupil: Pupil) -> Address:
        """Return where a parent lives (their own address, or the pupil's when theirs is null)."""
        return parent.address or pupil.address
