"""No test names a council except a test of that council's own rules (issue 13, "Done means").

A council is named by its id (`vale-of-glamorgan`, `vale_of_glamorgan`, `vale of glamorgan`) or by the
distinctive part of its name. A mention is allowed only where the test says which council it is about: in a test
function or class whose name carries the council's id (`test_wiltshire_pn3_…`), or anywhere in a module whose
file name does (`tests/councils/test_wiltshire.py`). Everything else reaches councils through the registry, a
council written into a temporary directory, or a council with no file (tests/conftest.py).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from service import councils

TESTS = Path(__file__).resolve().parent
# The examples are named for the councils they were written for; conftest maps them to families once.
MAPPING_ALLOWED = {("conftest.py", "FAMILIES")}


def _slug(council_id: str) -> str:
    return council_id.replace("-", "_")


def _patterns() -> dict[str, re.Pattern[str]]:
    found = {}
    for council in councils.all():
        found[council.id] = re.compile(r"[-_ ]".join(map(re.escape, council.id.split("-"))), re.IGNORECASE)
    return found


def _test_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if p.name != Path(__file__).name)


def _allowed(council_id: str, *names: str) -> bool:
    return any(_slug(council_id) in name.lower() for name in names)


def _segments(tree: ast.Module, total: int) -> list[tuple[str, int, int]]:
    """Return each top-level statement as (its name, first line, last line); the comments above a statement
    belong to it."""
    out = []
    end = 0
    for node in tree.body:
        start = end + 1
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = node.name
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            name = ",".join(t.id for t in targets if isinstance(t, ast.Name))
        else:
            name = ""
        end = node.end_lineno or node.lineno
        out.append((name, start, end))
    return [*out, ("", end + 1, total)] if end < total else out


def mentions(path: Path, root: Path = TESTS) -> list[str]:
    """Return the lines of a test file that name a council where no enclosing name says so."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    module = path.relative_to(root).as_posix()
    wrong = []
    for name, first, last in _segments(ast.parse(text), len(lines)):
        if (path.name, name) in MAPPING_ALLOWED:
            continue
        for number in range(first, last + 1):
            for council_id, pattern in _patterns().items():
                if pattern.search(lines[number - 1]) and not _allowed(council_id, module, name):
                    wrong.append(f"{module}:{number} names {council_id} in {name or 'module code'}")
    return wrong


@pytest.mark.parametrize("path", _test_files(), ids=lambda p: p.relative_to(TESTS).as_posix())
def test_only_a_test_of_a_councils_own_rules_names_it(path: Path) -> None:
    assert mentions(path) == []


def test_the_check_sees_a_council_named_in_a_general_test(tmp_path: Path) -> None:
    some = councils.all()[0]
    general = tmp_path / "test_general.py"
    general.write_text(f'def test_bundle():\n    assert "{some.id}"\n', encoding="utf-8")
    own = tmp_path / f"test_{_slug(some.id)}_rules.py"
    own.write_text(f'def test_deadline():\n    assert "{some.id.upper()}"\n', encoding="utf-8")
    named = tmp_path / "test_named.py"
    named.write_text(f'# {some.id}\ndef test_{_slug(some.id)}_form():\n    assert "{some.id}"\n', encoding="utf-8")
    comment = tmp_path / "test_comment.py"
    comment.write_text(f'def test_a():\n    pass\n\n\n# {some.id}\n', encoding="utf-8")
    assert len(mentions(general, tmp_path)) == 1
    assert mentions(own, tmp_path) == mentions(named, tmp_path) == []
    assert len(mentions(comment, tmp_path)) == 1
