"""What a job does: turn its input into items (one per pupil or case), and each item into an Outcome.

Two kinds of batch, both composed from the steps the synchronous API uses (the import's scan and
`batch.outcome`; `documents.produce` for a list of cases), so a job gives exactly what one request would.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from service.documents import produce
from service.engines import Engines
from service.imports import batch
from service.imports.cases import defaults
from service.imports.run import prepare
from service.imports.scan import run
from service.problems import CannotProduce
from service.problems import from_exception

CASE_COLUMNS = ("item", "name", "status", "file", "reasons")


@dataclass(frozen=True)
class Spec:
    """The job's request, without the bulky input: what to produce, from what kind of input, for whom."""

    kind: str  # "ctf" or "csv" (a school's export), or "cases" (a list of cases)
    document: str
    fmt: str
    part: Mapping[str, Any]  # the import's `case` part (council, school, defaults); {} for cases
    owner: str | None = None
    marks: bool = False  # an import's `?marks=true`: each case carries the window's register

    @property
    def columns(self) -> tuple[str, ...]:
        """Return summary.csv's columns for this kind of job."""
        return CASE_COLUMNS if self.kind == "cases" else batch.COLUMNS


def items(spec: Spec, payload: Mapping[str, Any]) -> list[Any]:
    """Return the job's items in order: the scanned pupils of an export, or (index, case) pairs."""
    if spec.kind == "cases":
        return list(enumerate(payload["cases"]))
    given, export = prepare(spec.kind, spec.part, payload["file"], payload.get("pupils"))
    return list(run(export, given, spec.marks))


def outcome(spec: Spec, item: Any, engines: Engines) -> batch.Outcome:
    """Render one item; an engine failure on this item alone (LibreOffice refusing it) is its outcome."""
    try:
        if spec.kind == "cases":
            return _case_outcome(spec, item, engines)
        return batch.outcome(item, spec.document, spec.fmt, engines, defaults(spec.part, spec.kind))
    except Exception as exc:
        problem = from_exception(exc)
        if problem is None:
            raise
        return _failed(spec, item, problem.code)


def _case_outcome(spec: Spec, item: tuple[int, Any], engines: Engines) -> batch.Outcome:
    index, case = item
    name = _name(case)
    try:
        rendered = produce(spec.document, case, engines, spec.fmt)
    except CannotProduce as exc:
        reasons = tuple(dict.fromkeys(e.code for e in exc.report.errors)) or ("cannot_produce",)
        return batch.Outcome(
            "cannot_produce", None, reasons, (index, name, "cannot_produce", "", ";".join(reasons))
        )
    return batch.Outcome("produced", rendered, (), (index, name, "produced", "", ""), str(index))


def _failed(spec: Spec, item: Any, code: str) -> batch.Outcome:
    """The outcome of an item whose rendering failed in the engine (`conversion_failed`, …)."""
    if spec.kind == "cases":
        index, case = item
        return batch.Outcome("failed", None, (code,), (index, _name(case), "failed", "", code))
    row = dict(item.row)
    values = {**row, "status": "failed", "file": "", "reasons": code}
    values["documents_allowed"] = ";".join(row.get("documents_allowed") or ())
    return batch.Outcome(
        "failed", None, (code,), tuple(values.get(c, "") for c in batch.COLUMNS), str(row["upn"])
    )


def _name(case: Any) -> str:
    """Return the first pupil's name as summary.csv shows it, from a case that may be malformed."""
    pupils = case.get("pupils") if isinstance(case, dict) else None
    pupil = pupils[0] if isinstance(pupils, list) and pupils and isinstance(pupils[0], dict) else {}
    return " ".join(str(pupil.get(k, "")) for k in ("forename", "surname")).strip()


def failure(spec: Spec, index: int, done: batch.Outcome) -> dict[str, Any] | None:
    """Return what the job's progress says about an item that was neither produced nor ruled out."""
    if done.status in ("produced", "not_allowed"):
        return None
    columns = spec.columns
    row = dict(zip(columns, done.row, strict=False))
    found = {"item": index, "status": done.status, "codes": list(done.reasons)}
    for column in ("line", "upn", "name"):
        if column in row:
            found[column] = row[column]
    return found
