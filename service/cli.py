"""Command line for scripts and cron: validate a case file and print the report."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from service.councils import UnknownCouncil
from service.forms import UnknownDocument
from service.validation import validate


def main(argv: list[str] | None = None) -> int:
    """Run the command; exit 0 when valid, 1 when the report has errors, 2 on bad usage."""
    parser = argparse.ArgumentParser(prog="python -m service", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="validate a case JSON file, print the report")
    check.add_argument("case", type=Path, help="the case file (JSON), or - for standard input")
    check.add_argument("--document", help="also check what blocks this document (e.g. pn3)")
    check.add_argument("--today", type=date.fromisoformat, help="the date to judge on (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    try:
        raw = sys.stdin.read() if str(args.case) == "-" else args.case.read_text(encoding="utf-8")
        data = json.loads(raw)
    except (OSError, ValueError) as exc:
        print(f"cannot read the case: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    if not isinstance(data, dict):
        print("the case must be a JSON object", file=sys.stderr)
        return 2
    try:
        report, _ = validate(data, args.document, today=args.today)
    except (UnknownDocument, UnknownCouncil) as exc:
        print(f"unknown id {exc.args[0]!r}; known: {', '.join(exc.known)}", file=sys.stderr)
        return 2
    print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    return 0 if report.valid else 1
