"""Command line for scripts and cron: validate a case file and print the report; import a school export."""

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
    _import_parser(commands)
    _verify_parser(commands)
    work = commands.add_parser("worker", help="run job workers against the queue the environment names")
    work.add_argument("--workers", type=int, default=2, help="worker processes, each with its LibreOffice")
    work.add_argument(
        "--metrics-port",
        type=int,
        help="serve these workers' Prometheus metrics on this port (needs PROMETHEUS_MULTIPROC_DIR: an "
        "empty folder of this machine)",
    )
    work.add_argument("--metrics-host", default="127.0.0.1", help="the address for --metrics-port")
    args = parser.parse_args(argv)
    if args.command == "import":
        return import_export(args)
    if args.command == "verify":
        return verify_bundle(args)
    if args.command == "worker":
        return job_worker(args)
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


def _verify_parser(commands: argparse._SubParsersAction) -> None:
    checking = commands.add_parser(
        "verify", help="check a received bundle as a council: complete, signed, trusted"
    )
    checking.add_argument("bundle", type=Path, help="the bundle (ZIP)")
    checking.add_argument(
        "--trust", type=Path, action="append", default=[], help="a folder of trusted certificates and CRLs"
    )
    checking.add_argument("--key", help="the shared HMAC key (only for a service checking its own bundles)")


def verify_bundle(args: argparse.Namespace) -> int:
    """Print what verify answers; exit 0 when the bundle is valid, 1 when not, 2 on bad input."""
    from service import verify
    from service.engines.signatures import SigningSettingsError
    from service.engines.signatures import load_trust

    try:
        data = args.bundle.read_bytes()
        trust = load_trust(str(p) for p in args.trust) if args.trust else None
        result = verify.verify(data, args.key.encode() if args.key else None, trust)
    except (OSError, SigningSettingsError) as exc:
        print(f"cannot verify: {exc}", file=sys.stderr)
        return 2
    except (verify.ManifestInvalid, verify.JsonTooDeep) as exc:
        print(f"the manifest has the wrong shape: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if result["valid"] else 1
def job_worker(args: argparse.Namespace) -> int:
    """Run job workers until stopped; exit 2 when the jobs settings are missing or wrong."""
    from service.jobs.settings import JobsMisconfigured
    from service.jobs.settings import Settings
    from service.jobs.worker import run
    from service.observability import configure_logging

    try:
        settings = Settings.from_env()
    except JobsMisconfigured as exc:
        print(f"attendance worker: {exc}", file=sys.stderr)
        return 2
    from service.observability import Metrics
    from service.observability import multiprocess_dir

    try:
        folder = multiprocess_dir()
    except RuntimeError as exc:
        print(f"attendance worker: {exc}", file=sys.stderr)
        return 2
    if args.metrics_port is not None and folder is None:
        # Huey's worker processes count separately: without a shared folder the port would show none of it.
        needs = "--metrics-port needs PROMETHEUS_MULTIPROC_DIR (an empty folder of this machine)"
        print(f"attendance worker: {needs}", file=sys.stderr)
        return 2
    configure_logging("INFO")
    metrics = Metrics()
    if args.metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(args.metrics_port, args.metrics_host, registry=metrics.merged())
    run(settings, max(1, args.workers), events=metrics)
    return 0


def _import_parser(commands: argparse._SubParsersAction) -> None:
    imports = commands.add_parser("import", help="import a school MIS export: cases, scan, documents")
    imports.add_argument("kind", choices=("ctf", "csv"), help="a Common Transfer File or a CSV register")
    imports.add_argument("file", type=Path, help="the export (CTF XML, or the CSV register)")
    imports.add_argument("--pupils", type=Path, help="CSV only: the pupil/contact sheet")
    imports.add_argument("--case", type=Path, required=True, help="JSON: council, school, defaults, mapping")
    imports.add_argument("--out", type=Path, required=True, help="the folder to write to")
    imports.add_argument("--documents", help="one document per eligible pupil too (notice-to-improve …)")
    imports.add_argument("--format", choices=("docx", "pdf"), help="letters as DOCX (default) or PDF")
    imports.add_argument("--marks", action="store_true", help="cases carry the window's marks (certificates)")
    imports.add_argument(
        "--converters",
        type=int,
        help="PDF letters: LibreOffices converting side by side (default: one per CPU)",
    )


def import_export(args: argparse.Namespace) -> int:
    """Import an export to a folder; exit 0 when no pupil has errors, 1 when some have, 2 on bad input."""
    from service.imports import run
    from service.problems import Problem

    try:
        part = json.loads(args.case.read_text(encoding="utf-8"))
        file = args.file.read_bytes()
        pupils = args.pupils.read_bytes() if args.pupils else None
    except (OSError, ValueError) as exc:
        print(f"cannot read the input: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    if not isinstance(part, dict):
        print("the case part must be a JSON object", file=sys.stderr)
        return 2
    if args.converters is not None and args.converters < 1:
        print("--converters must be at least 1", file=sys.stderr)
        return 2
    try:
        given, export = run.prepare(args.kind, part, file, pupils)
        found = run.write(
            args.out,
            export,
            given,
            args.documents,
            args.format,
            marks=args.marks,
            converters=args.converters,
        )
    except Problem as exc:
        print(f"{exc.code}: {exc.detail or exc.title}", file=sys.stderr)
        for error in exc.extra.get("errors", []):
            print(f"  {error['path']}: {error['code']}", file=sys.stderr)
        return 2
    except (UnknownDocument, UnknownCouncil) as exc:
        print(f"unknown id {exc.args[0]!r}; known: {', '.join(exc.known)}", file=sys.stderr)
        return 2
    print(f"{len(found['cases'])} pupils, {len(found['errors'])} errors: written to {args.out}")
    return 1 if found["errors"] else 0
