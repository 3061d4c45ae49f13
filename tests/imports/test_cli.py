"""`python -m service import`: an export on disk to a folder, exit 0/1/2 like `validate`."""

from __future__ import annotations

import json

from service.cli import main
from tests.imports.builders import COUNCIL_DEFAULTS
from tests.imports.builders import contact
from tests.imports.builders import ctf
from tests.imports.builders import pupil
from tests.imports.test_batch import school


def files(tmp_path, export: bytes, case: object = COUNCIL_DEFAULTS):
    (tmp_path / "school.xml").write_bytes(export)
    (tmp_path / "case.json").write_text(json.dumps(case), encoding="utf-8")
    return ["import", "ctf", str(tmp_path / "school.xml"), "--case", str(tmp_path / "case.json"), "--out", str(tmp_path / "out")]


def test_clean_export_exits_0_and_writes_the_folder(tmp_path, capsys):
    clean = ctf([pupil(1, "Isla", "Ashworth", contacts=(contact("Kate", "Ashworth"),))])
    assert main(files(tmp_path, clean)) == 0
    assert capsys.readouterr().out == f"1 pupils, 0 errors: written to {tmp_path / 'out'}\n"
    assert json.loads((tmp_path / "out" / "scan.json").read_text())[0]["name"] == "Isla Ashworth"
    assert json.loads((tmp_path / "out" / "errors.json").read_text()) == []


def test_export_with_errors_exits_1_with_documents_written(tmp_path):
    assert main([*files(tmp_path, school()), "--documents", "notice-to-improve"]) == 1
    written = sorted(p.name for p in (tmp_path / "out" / "documents").iterdir())
    assert written == ["notice-to-improve-ashworth-isla-2026-09-07.docx",
                       "notice-to-improve-whitlock-amelia-2026-09-07.docx", "summary.csv"]


def test_hostile_file_bad_case_part_and_unknown_document_exit_2(tmp_path, capsys):
    assert main(files(tmp_path, b'<!DOCTYPE x [<!ENTITY a "b">]><CTfile>&a;</CTfile>')) == 2
    assert main(files(tmp_path, school(), {"council": "atlantis"})) == 2
    assert main([*files(tmp_path, school()), "--documents", "pn9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hostile_xml: ") and "  council: unknown_council" in err and "unknown id 'pn9'" in err
    assert not (tmp_path / "out").exists()


def test_marks_option_writes_cases_with_the_windows_marks(tmp_path):
    assert main([*files(tmp_path, school()), "--marks"]) == 1
    cases = json.loads((tmp_path / "out" / "cases.json").read_text())
    first = cases[0]["attendance"]
    assert first["marks"][0] == {"date": "2026-09-07", "session": "AM", "code": "/"}
    assert first["sessions_possible"] == sum(1 for m in first["marks"] if m["code"] not in "#XYZDQ")
    assert json.loads((tmp_path / "out" / "warnings.json").read_text()) == []
