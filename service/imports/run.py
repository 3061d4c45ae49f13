"""One import from end to end: read the export, scan every pupil, answer in the contract's shape."""

from __future__ import annotations

import contextlib
import json
import zipfile
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from service import codes
from service.engines import Engines
from service.engines.pool import ConverterPool
from service.engines.pool import default_size
from service.imports import Export
from service.imports import batch
from service.imports import csv_import
from service.imports import ctf
from service.imports.cases import Defaults
from service.imports.cases import defaults
from service.imports.scan import PupilResult
from service.imports.scan import run

KINDS = ("ctf", "csv")


def prepare(
    kind: str, part: Mapping[str, Any], file: bytes, pupils: bytes | None = None
) -> tuple[Defaults, Export]:
    """Check the case part, then read the export (CTF XML, or a CSV register and pupil sheet)."""
    given = defaults(part, kind)
    table = codes.table(given.council.country)
    if kind == "ctf":
        return given, ctf.read(file, table)
    return given, csv_import.read(file, pupils, given.mapping, table, given.csv)


def answer(export: Export, results: Iterable[PupilResult]) -> dict[str, Any]:
    """Return the contract's answer: one case per pupil, the scan, and every error with its line."""
    cases, scan, errors = [], [], [i.as_dict() for i in export.issues]
    warnings = [i.as_dict() for i in export.warnings]
    for result in results:
        cases.append(result.case)
        scan.append(result.row)
        errors += [e.as_dict() for e in result.errors]
        warnings += [w.as_dict() for w in result.warnings]
    return {"cases": cases, "scan": scan, "errors": errors, "warnings": warnings, "source": export.source}


def write(
    out: Path,
    export: Export,
    given: Defaults,
    document_id: str | None = None,
    fmt: str | None = None,
    engines: Engines | None = None,
    marks: bool = False,
    converters: int | None = None,
) -> dict[str, Any]:
    """Write cases.json, scan.json, errors.json, warnings.json and, when asked, documents/ (with summary.csv)
    to `out`. PDF letters convert on `converters` LibreOffices side by side (default: one per CPU) unless
    `engines` are given."""
    fmt = batch.check(document_id, fmt, given) if document_id else None
    results = list(run(export, given, marks))
    found = answer(export, results)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("cases", "scan", "errors", "warnings"):
        text = json.dumps(found[name], indent=2, ensure_ascii=False)
        (out / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    if document_id and fmt:
        with _engines_for(document_id, fmt, engines, converters) as (used, workers):
            with batch.archive(results, document_id, fmt, used, given, workers) as archive:
                zipfile.ZipFile(archive).extractall(out / "documents")
    return found


@contextlib.contextmanager
def _engines_for(
    document_id: str, fmt: str, engines: Engines | None, converters: int | None
) -> Iterator[tuple[Engines, int]]:
    """Yield the engines and how many pupils to render at once: the caller's engines one at a time, else
    for PDF letters a pool of LibreOffices (stopped afterwards), else plain engines."""
    if engines is not None:
        yield engines, 1
        return
    size = converters or default_size()
    if not batch.converts(document_id, fmt) or size == 1:
        yield Engines(), 1
        return
    pool = ConverterPool(size)
    try:
        yield Engines(converter=pool), size
    finally:
        pool.close()
