"""The domain imports no Flask: only service/__init__.py and the HTTP layers (service/api/, service/web/) may
(style.md §6)."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICE = Path(__file__).resolve().parent.parent / "service"
ALLOWED = {SERVICE / "__init__.py"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_domain_modules_import_no_flask():
    offenders = [
        str(p.relative_to(SERVICE)) for p in SERVICE.rglob("*.py")
        if p not in ALLOWED and not {"api", "web"} & set(p.relative_to(SERVICE).parts)
        and imported_modules(p) & {"flask", "flask_smorest", "werkzeug"}
    ]
    assert not offenders, f"these domain modules import Flask: {offenders}"
