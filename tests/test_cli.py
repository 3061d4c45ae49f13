"""`python -m service validate`: the report for scripts and cron."""

from __future__ import annotations

import json

from service.cli import main
from tests.conftest import EXAMPLES


def test_valid_case_prints_report_and_exits_0(capsys):
    assert main(["validate", str(EXAMPLES / "dorset-warning-irregular.json"), "--document",
                 "dorset-warning"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is True
    nti = report["decisions"]["notice_to_improve"]
    assert (nti["allowed"], nti["reason"], bool(nti["period_end"])) == (True, "allowed", True)


def test_blocked_document_exits_1(capsys):
    assert main(["validate", str(EXAMPLES / "wiltshire-holiday.json"), "--document", "dorset-holiday"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["errors"][0]["code"] == "document_not_for_council"


def test_unreadable_file_and_unknown_document_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    assert main(["validate", str(EXAMPLES / "wiltshire-holiday.json"), "--document", "pn9"]) == 2
    assert "known: " in capsys.readouterr().err
