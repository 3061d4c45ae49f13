"""Batch documents: one document per eligible pupil of an import, and `summary.csv`, in one ZIP.

Letters are rendered one at a time and written to the archive as they come; the archive is a spooled
temporary file (memory up to `SPOOL_BYTES`, then an unnamed file on disk), so a whole school costs memory
for its parsed export only, not for its documents.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from tempfile import SpooledTemporaryFile
from typing import IO
from typing import Any

from service import forms
from service.documents import MEDIA_TYPES
from service.documents import Rendered
from service.documents import filename
from service.documents import produce
from service.documents import write_letter
from service.engines import Engines
from service.engines.pool import ordered_map
from service.imports.cases import Defaults
from service.imports.scan import GATED
from service.imports.scan import PupilResult
from service.problems import CannotProduce
from service.problems import Problem
from service.spreadsheet import SafeWriter

SPOOL_BYTES = 8 * 1024 * 1024
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed entry times: the same import gives the same entries
SUMMARY = "summary.csv"
COLUMNS = (
    "line",
    "upn",
    "name",
    "status",
    "file",
    "reasons",
    "documents_allowed",
    "unauthorised_sessions_in_window",
    "attendance_percent",
)


def check(document_id: str, fmt: str | None, given: Defaults) -> str:
    """Check the document asked for before any work (404 unknown, 422 not the council's, 400 format)."""
    document = forms.get(document_id)
    if not given.council.accepts(document.id):
        raise Problem(
            422,
            "document_not_for_council",
            "Not a document of this council",
            f"{given.council.name} takes: {', '.join(given.council.documents)}.",
        )
    return output_format(document, fmt, "docx")


def output_format(document: forms.Document, fmt: str | None, preferred: str) -> str:
    """The format asked for, else `preferred` where the document has it; 400 for one it lacks."""
    fmt = fmt or (preferred if preferred in document.outputs else document.outputs[0])
    if fmt not in document.outputs:
        raise Problem(
            400,
            "unsupported_format",
            "Unsupported format",
            f"{document.id} is produced as: {', '.join(document.outputs)}.",
        )
    return fmt


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED if name.endswith(".csv") else zipfile.ZIP_STORED
    return info


def render(
    result: PupilResult, document_id: str, fmt: str, engines: Engines, given: Defaults
) -> tuple[str, Any]:
    """Return (status, Rendered or the reasons) for one pupil: produced, not_allowed or cannot_produce."""
    document = forms.get(document_id)
    if GATED & document.need_names and document_id not in result.row["documents_allowed"]:
        return "not_allowed", [e.code for e in result.errors] or ["not_allowed_by_rules"]
    if isinstance(document, forms.Letter) and result.loaded is not None:
        return _letter(result, document, fmt, engines, given)
    try:
        done = result.assessment
        assert done is not None
        return "produced", produce(document_id, done, engines, fmt)
    except CannotProduce as exc:
        return "cannot_produce", [e.code for e in exc.report.errors]


def _letter(
    result: PupilResult, letter: forms.Letter, fmt: str, engines: Engines, given: Defaults
) -> tuple[str, Any]:
    """Write a letter from the assessment the scan made: what `produce` does, without the checklist (an
    import has no attachments)."""
    done = result.assessment
    assert result.loaded is not None and done is not None
    issues = result.report.errors + done.blocking(letter)
    if issues:
        return "cannot_produce", [i.code for i in issues]
    content = write_letter(letter, done, engines, fmt, None)
    return "produced", Rendered(content, filename(letter.id, result.loaded, fmt), MEDIA_TYPES[fmt])


@dataclass(frozen=True)
class Outcome:
    """What one pupil's turn gave: its status, the document when produced, and its summary.csv row
    (the file column filled in when the archive names the entry)."""

    status: str
    rendered: Rendered | None
    reasons: tuple[str, ...]
    row: tuple[Any, ...]
    upn: str = ""


def outcome(result: PupilResult, document_id: str, fmt: str, engines: Engines, given: Defaults) -> Outcome:
    """Render one pupil's document (or say why not) as an Outcome."""
    status, produced = render(result, document_id, fmt, engines, given)
    rendered = produced if status == "produced" else None
    reasons = () if rendered else tuple(dict.fromkeys(produced))
    return Outcome(
        status,
        rendered,
        reasons,
        tuple(_summary_row(result, status, "", list(reasons))),
        str(result.row["upn"]),
    )


def write_archive(outcomes: Iterable[Outcome], columns: tuple[str, ...] = COLUMNS) -> IO[bytes]:
    """Return a ZIP (a file object at its start): each produced document, then summary.csv.

    Rows name the entry in the column `file`; two documents of one name are told apart by the UPN."""
    out: IO[bytes] = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the response closes it
    summary = io.StringIO()
    writer = SafeWriter(summary)  # names and codes come from the export: no cell may start a formula
    writer.writerow(columns)
    names: set[str] = set()
    file_column = columns.index("file")
    try:
        with zipfile.ZipFile(out, "w") as zipped:
            for done in outcomes:
                row = list(done.row)
                if done.rendered is not None:
                    row[file_column] = name = _unique(done.rendered.filename, done.upn or "x", names)
                    zipped.writestr(_entry(name), done.rendered.content)
                writer.writerow(row)
            zipped.writestr(_entry(SUMMARY), summary.getvalue().encode("utf-8-sig"))
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def archive(
    results: Iterable[PupilResult],
    document_id: str,
    fmt: str,
    engines: Engines,
    given: Defaults,
    workers: int = 1,
) -> IO[bytes]:
    """Return the ZIP (a file object at its start): each eligible pupil's document, then summary.csv.
    With `workers` > 1 that many pupils are rendered at once (engines with a ConverterPool: each letter
    converts on an idle LibreOffice), the archive still in the pupils' order."""

    def one(result: PupilResult) -> Outcome:
        return outcome(result, document_id, fmt, engines, given)

    return write_archive(ordered_map(one, results, workers))


def converts(document_id: str, fmt: str) -> bool:
    """Return whether each document of this batch goes through LibreOffice (a letter as PDF)."""
    return fmt == "pdf" and isinstance(forms.get(document_id), forms.Letter)


def _unique(name: str, upn: str, taken: set[str]) -> str:
    """Return a file name no other entry has (two pupils of one name: the UPN tells them apart)."""
    if name in taken:
        stem, _, ext = name.rpartition(".")
        name = f"{stem}-{upn.lower()}.{ext}"
    taken.add(name)
    return name


def _summary_row(result: PupilResult, status: str, name: str, reasons: list[str]) -> list[Any]:
    row = result.row
    return [
        row["line"],
        row["upn"],
        row["name"],
        status,
        name,
        ";".join(dict.fromkeys(reasons)),
        ";".join(row["documents_allowed"]),
        "" if row["unauthorised_sessions_in_window"] is None else row["unauthorised_sessions_in_window"],
        "" if row["attendance_percent"] is None else row["attendance_percent"],
    ]
