"""Every CSV the service writes goes through the formula-safe writer (OWASP CSV injection)."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICE = Path(__file__).resolve().parent.parent / "service"


def test_no_module_writes_csv_but_through_the_safe_writer():
    writers = []
    for path in SERVICE.rglob("*.py"):
        if path.name == "spreadsheet.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter") and (
                isinstance(node.value, ast.Name) and node.value.id == "csv"
            ):
                writers.append(f"{path.relative_to(SERVICE)}:{node.lineno}")
    assert not writers, f"write CSV with service.spreadsheet.SafeWriter: {writers}"
