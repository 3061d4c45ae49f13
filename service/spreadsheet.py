"""CSV the service writes: every text cell made safe to open in a spreadsheet (OWASP CSV injection)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO
from typing import Any

# OWASP "CSV Injection": a cell starting with = + - @, a tab or a carriage return is read as a formula by
# Excel, LibreOffice Calc and Google Sheets (a forename `=HYPERLINK(...)` would send the row to a stranger).
# Full-width forms are included: some spreadsheets fold them into their ASCII twins.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    """Return a text cell that cannot start a formula: OWASP's leading single quote, shown as text."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer with every cell quoted and every text cell neutralised (numbers are written as numbers)."""

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.writer(stream, lineterminator="\r\n", quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])
