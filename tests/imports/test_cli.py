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


def test_pdf_letters_convert_on_a_pool_of_libreoffices(tmp_path, monkeypatch):
    import csv
    import io

    from pypdf import PdfReader

    from service.engines.pool import ConverterPool
    from service.imports import run

    pools = []

    class Watched(ConverterPool):
        def __init__(self, size, make=None):
            super().__init__(size, make)
            pools.append(self)

    monkeypatch.setattr(run, "ConverterPool", Watched)
    args = [*files(tmp_path, school()), "--documents", "notice-to-improve", "--format", "pdf", "--converters", "2"]
    assert main(args) == 1
    assert [p.size for p in pools] == [2]
    assert all(c.worker_pid is None for c in pools[0].converters)  # every LibreOffice stopped afterwards
    folder = tmp_path / "out" / "documents"
    rows = list(csv.DictReader(io.StringIO((folder / "summary.csv").read_text(encoding="utf-8-sig"))))
    produced = [r for r in rows if r["status"] == "produced"]
    assert [r["file"] for r in produced] == ["notice-to-improve-ashworth-isla-2026-09-07.pdf",
                                             "notice-to-improve-whitlock-amelia-2026-09-07.pdf"]
    for row in produced:  # each file is its own pupil's letter, in the summary's order
        text = PdfReader(folder / row["file"]).pages[0].extract_text()
        assert row["name"].split()[-1] in text


def test_converters_must_be_positive(tmp_path, capsys):
    assert main([*files(tmp_path, school()), "--documents", "notice-to-improve", "--converters", "0"]) == 2
    assert "--converters must be at least 1" in capsys.readouterr().err
