"""`python -m service validate`: the report for scripts and cron."""

from __future__ import annotations

import json
from pathlib import Path

from service import councils
from service import forms
from service.cli import main
from tests.conftest import family_case


def case_file(tmp_path: Path, family: str) -> str:
    """Write one of the examples' families, at a council with no file, where a script would read it."""
    path = tmp_path / f"{family}.json"
    path.write_text(json.dumps(family_case(family)), encoding="utf-8")
    return str(path)


def test_valid_case_prints_report_and_exits_0(tmp_path, capsys):
    assert main(["validate", case_file(tmp_path, "irregular-one-child"), "--document", "notice-to-improve"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is True and report["document"] == "notice-to-improve"
    nti = report["decisions"]["notice_to_improve"]
    assert (nti["allowed"], nti["reason"], bool(nti["period_end"])) == (True, "allowed", True)


def test_blocked_document_exits_1(tmp_path, capsys):
    # The national framework: no penalty notice for irregular absence before a Notice to Improve.
    assert main(["validate", case_file(tmp_path, "irregular-one-child"), "--document", "generic-request"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [e["code"] for e in report["errors"]] == ["notice_to_improve_first"]


def test_a_document_the_council_does_not_take_exits_1(tmp_path, capsys):
    other = next(d.id for d in forms.all() if not councils.national("england").accepts(d.id))
    assert main(["validate", case_file(tmp_path, "holiday-two-children"), "--document", other]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["errors"][0]["code"] == "document_not_for_council"
    assert "Northbury Council does not take" in report["errors"][0]["message"]


def test_unreadable_file_and_unknown_document_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    assert main(["validate", case_file(tmp_path, "holiday-two-children"), "--document", "pn9"]) == 2
    assert "known: " in capsys.readouterr().err
