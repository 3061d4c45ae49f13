"""The progress page of a whole-school job (documents for every eligible pupil of an export): how far it has
got, the pupils it could not make a document for so far, then the one download.

The page needs no JavaScript: while the job runs the response carries a `Refresh` header, so the browser
loads it again every few seconds, and the officer can stop that (WCAG 2.2.1: a refresh the user can turn off).
A header rather than `<meta http-equiv="refresh">`: the same reload, and the page's markup stays what
it says. The job is the throughput issue's (service/jobs): the page only reads its status.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from service.jobs.queue import Status
from service.web import words

REFRESH_SECONDS = 3


@dataclass(frozen=True)
class Failure:
    """A pupil the job could not make a document for: who, where (the export's line, or the case's number in
    a batch of case files) and why."""

    pupil: str
    line: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class JobPage:
    """What the progress page shows of a job."""

    id: str
    state: str  # queued | running | done | failed | cancelled | downloaded
    document: str
    format: str
    total: int | None
    done: int
    produced: int
    percent: int
    failures: tuple[Failure, ...]
    error: str
    kind: str = ""

    @property
    def active(self) -> bool:
        """Return whether the job is still working (the page refreshes itself)."""
        return self.state in ("queued", "running")

    @property
    def heading(self) -> str:
        """Return the page's heading, which says the state (a screen reader hears it on every reload)."""
        return {
            "queued": _("Waiting to start"),
            "running": _(
                "Making the documents: %(done)s of %(total)s case files", done=self.done, total=self.total
            )
            if self.kind == "cases"
            else _("Making the documents: %(done)s of %(total)s pupils", done=self.done, total=self.total),
            "done": _("The documents are ready"),
            "failed": _("The documents could not be made"),
            "cancelled": _("Cancelled"),
            "downloaded": _("The documents have been downloaded"),
        }.get(self.state, self.state)

    @property
    def counted(self) -> str:
        """Return how far the job has got, in words."""
        if self.total is None:
            return _("Reading the case files…") if self.kind == "cases" else _("Reading the export…")
        # One document made is "1 document" (ngettext: Welsh has its own plural forms).
        if self.kind == "cases":
            return ngettext(
                "%(done)s of %(total)s case files done, %(produced)s document made.",
                "%(done)s of %(total)s case files done, %(produced)s documents made.",
                self.produced,
                done=self.done,
                total=self.total,
                produced=self.produced,
            )
        return ngettext(
            "%(done)s of %(total)s pupils checked, %(produced)s document made.",
            "%(done)s of %(total)s pupils checked, %(produced)s documents made.",
            self.produced,
            done=self.done,
            total=self.total,
            produced=self.produced,
        )


def page(status: Status) -> JobPage:
    """Return the progress page of a job's status."""
    total = status.total
    percent = int(100 * status.done / total) if total else (100 if total == 0 else 0)
    return JobPage(
        id=status.id,
        state=status.state,
        document=words.title(status.document) if status.document else "",
        format=status.format.upper(),
        total=total,
        done=status.done,
        produced=status.produced,
        percent=percent,
        failures=tuple(_failure(f) for f in status.failures),
        error=str(ERRORS.get(status.error or "", _("Start the import again."))) if status.error else "",
        kind=status.kind,
    )


ERRORS = {
    "worker_lost": _l("The machine making the documents stopped twice. Start the import again."),
    "job_failed": _l("Making the documents failed twice. Start the import again."),
}


def _failure(found: Mapping[str, Any]) -> Failure:
    codes = [str(c) for c in found.get("codes") or ()]
    reasons = tuple(dict.fromkeys(words.issue({}, "", code, code) for code in codes)) or (
        _("The document could not be made"),
    )
    line, item = found.get("line"), int(found.get("item", 0)) + 1
    where = _("Line %(line)s", line=line) if line else _("Case %(number)s", number=item)
    return Failure(
        pupil=str(found.get("name") or _("Pupil %(number)s", number=item)),
        line=where,
        reasons=reasons,
    )


def owner(session_token: str, secret: str, caller: str | None) -> str:
    """Return who a page-submitted job belongs to: this browser's session (its CSRF secret), and the API
    caller when keys are configured. Another browser, or the API without that key, does not find it."""
    digest = hmac.new(secret.encode(), session_token.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{caller or ''}|page:{digest}"
