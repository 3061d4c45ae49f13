"""MIS imports: a school's export (DfE Common Transfer File or CSV) in, one case per pupil and a scan out.

`ctf.read` and `csv_import.read` turn a file into an `Export` (pupils, contacts, registers, and every problem
found with its line); `scan.run` builds each pupil's case, validates it once and says what the rules allow;
`batch.archive` renders one document per eligible pupil into a ZIP. Nothing here imports Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from typing import Any

from service.imports.marks import Register
from service.report import Issue

FIRST_LINES = 5  # a grouped error lists the first few rows of its kind


@dataclass(frozen=True)
class LineIssue(Issue):
    """An issue of the contract, with the line of the export it comes from (None: not from one line).

    Repeated issues of one kind are one issue: `count` rows or sessions, `lines` the first few rows.
    `pupil` is the UPN (or the export's pupil id) of the pupil it is about, when it is about one.
    """

    line: int | None = None
    count: int = 1
    lines: tuple[int, ...] = ()
    pupil: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the contract's import error shape: path, code, message, line, and how many of its kind."""
        lines = list(self.lines) or ([self.line] if self.line is not None else [])
        message = self.message
        if self.count > 1 and len(lines) > 1:
            more = " …" if self.count > len(lines) else ""
            message += f" ({self.count} rows like this, lines {', '.join(map(str, lines))}{more})"
        out = {
            **super().as_dict(),
            "message": message,
            "line": self.line,
            "count": self.count,
            "lines": lines,
        }
        if self.pupil is not None:
            out["pupil"] = self.pupil
        return out


class Issues(list[LineIssue]):
    """Issues in the order found; those added with the same `group` key are counted into the first."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.groups: dict[tuple[str, ...], int] = {}

    def add(self, issue: LineIssue, group: str | None = None) -> None:
        """Add an issue, or count it into the earlier one of its group."""
        if group is None:
            self.append(issue)
            return
        key = (issue.path, issue.code, group)
        at = self.groups.get(key)
        if at is None:
            self.groups[key] = len(self)
            lines = (issue.line,) if issue.line is not None else ()
            self.append(replace(issue, lines=lines))
            return
        first = self[at]
        lines = first.lines
        if issue.line is not None and len(lines) < FIRST_LINES and issue.line not in lines:
            lines += (issue.line,)
        self[at] = replace(first, count=first.count + issue.count, lines=lines)


@dataclass(frozen=True)
class Contact:
    """A contact of a pupil as the export gives it; `address=None` means the pupil's address."""

    forename: str
    surname: str
    relationship: str
    responsibility: bool
    address: dict[str, str] | None = None
    phones: tuple[str, ...] = ()
    email: str | None = None

    @property
    def full_name(self) -> str:
        """Return forename then surname, as sent (CTF names are often in capitals)."""
        return " ".join(p for p in (self.forename, self.surname) if p)

    def key(self) -> tuple[str, ...]:
        """Return what makes two pupils' contacts one person: name, and a phone or e-mail, any case."""
        reach = self.phones[0] if self.phones else (self.email or "")
        return (self.forename.casefold(), self.surname.casefold(), "".join(reach.split()).casefold())


@dataclass(frozen=True)
class YearSummary:
    """One CTF `YearData` block's counts: a year at one school."""

    year: int | None
    possible: int
    authorised: int
    unauthorised: int
    attended: int | None = None


@dataclass
class ParsedPupil:
    """One pupil of an export: the contract's pupil fields, contacts, register, and what was wrong."""

    line: int | None
    pupil: dict[str, Any]
    contacts: list[Contact] = field(default_factory=list)
    register: Register | None = None
    summaries: list[YearSummary] = field(default_factory=list)
    issues: Issues = field(default_factory=Issues)  # errors; paths inside the pupil's case
    warnings: Issues = field(default_factory=Issues)
    refused: bool = False  # the marks cannot be read right: the pupil is listed, not judged
    key: str | None = None  # the MIS's own pupil id, when the export joins on one
    incomplete: frozenset[str] = frozenset()  # fields missing from where the CTF puts them (one error)
    placed: list[tuple[date, str, int]] = field(default_factory=list)  # this school's CTF blocks, as sent

    def add(
        self,
        path: str,
        code: str,
        message: str,
        line: int | None = None,
        group: str | None = None,
        count: int = 1,
    ) -> None:
        """Record an error found while reading this pupil (grouped with its kind when `group` is given)."""
        self.issues.add(LineIssue(path, code, message, self.line if line is None else line, count), group)

    def warn(self, path: str, code: str, message: str, line: int | None = None) -> None:
        """Record a warning: the export was read, but something in it deserves a look."""
        self.warnings.add(LineIssue(path, code, message, self.line if line is None else line))


@dataclass
class Export:
    """A parsed export: its pupils in file order, and issues that belong to no pupil."""

    kind: str
    pupils: list[ParsedPupil]
    issues: Issues = field(default_factory=Issues)
    source: dict[str, Any] = field(default_factory=dict)
    exported_on: date | None = None
    warnings: Issues = field(default_factory=Issues)
