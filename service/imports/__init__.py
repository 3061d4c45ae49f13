"""MIS imports: a school's export (DfE Common Transfer File or CSV) in, one case per pupil and a scan out.

`ctf.read` and `csv_import.read` turn a file into an `Export` (pupils, contacts, registers, and every problem
found with its line); `scan.run` builds each pupil's case, validates it once and says what the rules allow;
`batch.archive` renders one document per eligible pupil into a ZIP. Nothing here imports Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from service.imports.marks import Register
from service.report import Issue


@dataclass(frozen=True)
class LineIssue(Issue):
    """An issue of the contract, with the line of the export it comes from (None: not from one line)."""

    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the contract's import error shape: path, code, message, line."""
        return {**super().as_dict(), "line": self.line}


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
    issues: list[LineIssue] = field(default_factory=list)  # paths inside the pupil's case

    def add(self, path: str, code: str, message: str, line: int | None = None) -> None:
        """Record an issue found while reading this pupil."""
        self.issues.append(LineIssue(path, code, message, self.line if line is None else line))


@dataclass
class Export:
    """A parsed export: its pupils in file order, and issues that belong to no pupil."""

    kind: str
    pupils: list[ParsedPupil]
    issues: list[LineIssue] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    exported_on: date | None = None
