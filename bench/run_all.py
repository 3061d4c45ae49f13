"""Every benchmark in one command: prints the tables and writes them as Markdown to bench/RESULTS.md.

- latency (median, p95) of every document the service produces, in-process and over HTTP (gunicorn,
  2 workers);
- throughput at 1, 4 and 16 concurrent clients (the mix of bench/load.py), and memory per worker after it;
- comparisons: naive pypdf and `pdftk fill_form` vs the service's filler; cold `soffice --convert-to pdf`
  vs the warm converter.

Run: .venv/bin/python bench/run_all.py [--quick] [--output PATH]
--quick runs everything with small counts (a smoke run, under a minute) and writes no file unless --output.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape
from xml.sax.saxutils import quoteattr

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import httpx  # noqa: E402
import load  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from pypdf import PdfWriter  # noqa: E402
from timing import samples as timed  # noqa: E402

from service import forms  # noqa: E402
from service.assessment import evaluate  # noqa: E402
from service.documents import produce  # noqa: E402
from service.documents import sheets  # noqa: E402
from service.engines import Engines  # noqa: E402
from service.engines import soffice_path  # noqa: E402
from service.validation import validate  # noqa: E402
from service.version import VERSION  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
LEVELS = (1, 4, 16)
WORKERS = 2


@dataclass(frozen=True)
class Counts:
    """How many runs each measurement takes."""

    in_process: int
    http: int
    level_seconds: float
    fill: int
    naive: int
    pdftk: int
    cold: int
    warm: int


FULL = Counts(in_process=50, http=50, level_seconds=10, fill=200, naive=50, pdftk=20, cold=10, warm=30)
QUICK = Counts(in_process=4, http=4, level_seconds=3, fill=20, naive=4, pdftk=2, cold=1, warm=4)


@dataclass
class Table:
    """A titled table, printed as aligned text and written as Markdown."""

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        widths = [max(len(r[i]) for r in [self.headers, *self.rows]) for i in range(len(self.headers))]
        line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
        body = [line(self.headers), line(["-" * w for w in widths]), *map(line, self.rows)]
        return "\n".join([self.title, *body, *(f"  note: {n}" for n in self.notes)])

    def markdown(self) -> str:
        row = lambda cells: "| " + " | ".join(cells) + " |"  # noqa: E731
        body = [row(self.headers), row(["---"] * len(self.headers)), *map(row, self.rows)]
        return "\n".join([f"### {self.title}", "", *body, "", *(f"- {n}" for n in self.notes)]).rstrip()


# --- timing ------------------------------------------------------------------------------------------


def ms(value: float) -> str:
    """Format milliseconds: 0.41, 12.3, 1234."""
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def median_p95(samples: list[float]) -> list[str]:
    return [ms(statistics.median(samples)), ms(load.percentile(samples, 95))] if samples else ["-", "-"]


# --- the documents -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    """One document to time: id, format, variant, and the example case that produces it."""

    id: str
    fmt: str
    variant: str | None
    case: str

    @property
    def label(self) -> str:
        return self.id + (f" {self.variant}" if self.variant else "")

    @property
    def params(self) -> dict[str, str]:
        return {"format": self.fmt} | ({"variant": self.variant} if self.variant else {})


def first_valid_case(document_id: str) -> str | None:
    """Return the first example case (by name) that is valid for a document."""
    for path in sorted((ROOT / "examples").glob("*.json")):
        report, _ = validate(load.example(path.stem), document_id)
        if report.valid:
            return path.stem
    return None


def documents() -> tuple[list[Doc], list[str]]:
    """Return every document, format and variant the service produces, and notes on those skipped."""
    docs, notes = [], []
    for document in forms.all():
        case = first_valid_case(document.id) if document.available else None
        if case is None:
            notes.append(
                f"{document.id}: skipped ({'not available' if not document.available else 'no valid case'})"
            )
            continue
        docs += [
            Doc(document.id, fmt, variant, case)
            for variant in getattr(document, "variants", ()) or (None,)
            for fmt in document.outputs
        ]
    return docs, notes


def in_process(docs: list[Doc], engines: Engines, runs: int) -> dict[Doc, tuple[list[float], int]]:
    """Return each document's produce() times and output size."""
    found = {}
    for doc in docs:
        data = load.example(doc.case)
        size = len(produce(doc.id, evaluate(data), engines, doc.fmt, variant=doc.variant).content)
        found[doc] = (timed(lambda: produce(doc.id, evaluate(data), engines, doc.fmt, variant=doc.variant), runs), size)
    return found


def over_http(docs: list[Doc], url: str, runs: int) -> tuple[dict[Doc, list[float]], int]:
    """Return each document's request times (one client, sequential) and the count of non-200 answers."""
    found, errors = {}, 0
    with httpx.Client(base_url=url, timeout=load.CLIENT_TIMEOUT) as client:
        for doc in docs:
            body = (ROOT / "examples" / f"{doc.case}.json").read_bytes()

            def post() -> None:
                nonlocal errors
                r = client.post(
                    f"/api/v1/documents/{doc.id}", params=doc.params, content=body, headers=load.JSON_HEADERS
                )
                errors += r.status_code != 200

            found[doc] = timed(post, runs, warm_up=4)  # both workers read their templates first
    return found, errors


LANES_HEADING = "## Lanes: cheap calls alone and under the mix (bench/lanes.py)"
JOBS_HEADING = "## Jobs: a 1,000-letter PDF batch on one and two worker processes (bench/jobs.py)"
TARGETS = {"leave-refusal statutory-age": 80.0, "attendance-letter-1": 100.0}


def latency_table(
    docs: list[Doc],
    local: dict[Doc, tuple[list[float], int]],
    remote: dict[Doc, list[float]],
    counts: Counts,
    notes: list[str],
) -> Table:
    table = Table(
        "Per-document latency (ms)",
        [
            "document",
            "format",
            "example case",
            "in-process median",
            "in-process p95",
            "HTTP median",
            "HTTP p95",
            "size KiB",
        ],
    )
    for doc in docs:
        samples, size = local[doc]
        table.rows.append(
            [
                doc.label,
                doc.fmt,
                doc.case,
                *median_p95(samples),
                *median_p95(remote.get(doc, [])),
                f"{size / 1024:.0f}",
            ]
        )
    medians = {(doc.label, doc.fmt): statistics.median(local[doc][0]) for doc in docs}
    for label, target in TARGETS.items():
        if (found := medians.get((label, "pdf"))) is not None:
            met = "met" if found <= target else "**missed**"
            table.notes.append(f"target (issue 16): {label} PDF ≤ {target:g} ms median in-process: {found:.0f} ms, {met}")
    table.notes += [
        f"in-process: service.documents.produce (validate, rules, fill or render, convert), "
        f"{counts.in_process} runs each after one untimed; PDF letters use the warm LibreOffice",
        f"HTTP: POST /api/v1/documents/<id> to gunicorn ({WORKERS} workers, 127.0.0.1), one client, "
        f"{counts.http} requests each after 4 untimed",
        *notes,
    ]
    return table


# --- throughput and memory ---------------------------------------------------------------------------


def throughput(server: load.Server, seconds: float) -> Table:
    """Run the mixed load at each concurrency level and tabulate requests/s, errors and latency."""
    calls = load.mix(server.converter_available())
    table = Table(
        f"Throughput, mixed load ({WORKERS} workers, {seconds:g} s per level)",
        ["clients", "requests", "ok/s", "errors", "p50 ms", "p95 ms", "max ms", "LibreOffice recycled"],
    )
    for clients in LEVELS:
        recycled = len(server.log_lines("LibreOffice worker", "recycled after"))
        outcomes, wall = load.run_load(server.url, calls, clients, seconds)
        recycled = len(server.log_lines("LibreOffice worker", "recycled after")) - recycled
        ok = [o.ms for o in outcomes if o.result == "ok"]
        table.rows.append(
            [
                str(clients),
                str(len(outcomes)),
                f"{len(ok) / wall:.1f}",
                str(len(outcomes) - len(ok)),
                ms(load.percentile(ok, 50)),
                ms(load.percentile(ok, 95)),
                ms(max(ok, default=0)),
                str(recycled),
            ]
        )
    table.notes.append(
        "mix, in turn per client: "
        + ", ".join(f"{c.kind} ({c.path})" for c in calls)
        + "; every response checked in full as in bench/load.py; errors = any response that is "
        "not a complete, valid 200; the client runs on the same machine"
    )
    table.notes.append(
        "LibreOffice recycled: planned restarts of a worker's LibreOffice (every 200 conversions, about "
        "1 s, from the service's log); a request waiting on one shows in the max column"
    )
    return table


def memory(server: load.Server) -> Table:
    """Tabulate the RSS of each gunicorn worker, its UNO worker and its soffice.bin."""
    table = Table(
        "Memory per worker after the load (VmRSS, MiB)",
        ["gunicorn worker", "worker RSS", "UNO worker RSS", "soffice.bin RSS", "total"],
    )
    procs = load.process_table()
    for worker in server.worker_pids(procs):
        below = load.descendants(worker, procs)
        office = [p for p in below if procs[p][0] in load.LIBREOFFICE]
        uno = [p for p in below if p not in office]
        sizes = [
            load.rss_mib(worker) or 0,
            sum(load.rss_mib(p) or 0 for p in uno),
            sum(load.rss_mib(p) or 0 for p in office),
        ]
        table.rows.append([f"pid {worker}", *(f"{s:.0f}" for s in sizes), f"{sum(sizes):.0f}"])
    assert server.proc is not None
    table.notes.append(
        f"gunicorn master: {load.rss_mib(server.proc.pid) or 0:.0f} MiB; RSS counts shared pages "
        "(the code the workers share with the master) in each process"
    )
    return table


# --- comparisons: filling ----------------------------------------------------------------------------


def form_values(form: forms.PdfForm, case_name: str) -> dict[str, str | bool]:
    """Return the field values the service fills for an example case (its first sheet)."""
    report, case = validate(load.example(case_name), form.id)
    assert case is not None
    return {k: v.text for k, v in form.fields(sheets(form, case, report, case.letter_date)[0]).items()}


def naive_fill(form: forms.PdfForm, values: dict[str, str | bool]) -> bytes:
    """The usual pypdf path: open the template, update_page_form_field_values (all pages), write."""
    writer = PdfWriter(clone_from=PdfReader(form.template_path))
    text = {k: v for k, v in values.items() if isinstance(v, str)}
    writer.update_page_form_field_values(None, text, auto_regenerate=False)  # None: every page
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def xfdf(form: forms.PdfForm, values: dict[str, str | bool]) -> bytes:
    """Return an XFDF with the same values; a ticked box gets its on-state from the template."""
    fields = PdfReader(form.template_path).get_fields() or {}
    items = []
    for name, value in values.items():
        if isinstance(value, bool):
            states = [s for s in fields.get(name, {}).get("/_States_", []) if s != "/Off"]
            value = states[0].lstrip("/") if value and states else "Off"
        items.append(f"<field name={quoteattr(name)}><value>{escape(value)}</value></field>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<xfdf xmlns="http://ns.adobe.com/xfdf/" '
        f'xml:space="preserve"><fields>{"".join(items)}</fields></xfdf>'
    ).encode()


def pdftk_fill(
    pdftk: str, form: forms.PdfForm, data: bytes, work: Path, flatten: bool
) -> Callable[[], bytes]:
    """Return a function running `pdftk <template> fill_form <xfdf> output <pdf> [flatten]`."""

    def run() -> bytes:
        (work / "values.xfdf").write_bytes(data)
        argv = [
            pdftk,
            str(form.template_path),
            "fill_form",
            str(work / "values.xfdf"),
            "output",
            str(work / "out.pdf"),
            *(["flatten"] if flatten else []),
        ]
        subprocess.run(argv, check=True, capture_output=True, timeout=120)
        return (work / "out.pdf").read_bytes()

    return run


def pdftk_reads_back(pdf: bytes, values: dict[str, str | bool]) -> bool:
    """Return whether pdftk's output carries every text value."""
    found = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    return all(str(found.get(k, {}).get("/V", "")) == v for k, v in values.items() if isinstance(v, str))


FLOOR = "the floor: writing the prepared update alone (template bytes, objects, xref)"


def fill_table(engines: Engines, counts: Counts) -> Table:
    """Compare naive pypdf, the service's filler and pdftk on each PDF form."""
    table = Table(
        "Filling a council form: naive pypdf and pdftk vs the service (ms)",
        ["form", "method", "median", "p95", "runs"],
    )
    pdftk = shutil.which("pdftk")
    with tempfile.TemporaryDirectory(prefix="bench-pdftk-", dir=_fast_tmp()) as tmp:
        for form in (d for d in forms.all() if isinstance(d, forms.PdfForm) and d.fields is not None):
            case = first_valid_case(form.id)
            if case is None:
                table.notes.append(f"{form.id}: no valid example case")
                continue
            values = form_values(form, case)
            rows = [
                (
                    "naive pypdf: open, update_page_form_field_values, write",
                    lambda: naive_fill(form, values),
                    counts.naive,
                ),
                (
                    "service filler (incremental update, appearances)",
                    lambda: engines.pdf_filler.fill(form.template_path, values),
                    counts.fill,
                ),
                (
                    "service filler, flatten",
                    lambda: engines.pdf_filler.fill(form.template_path, values, flatten=True),
                    counts.fill,
                ),
                (FLOOR, engines.pdf_filler.update(form.template_path, values).write, counts.fill),
            ]
            if pdftk:
                rows += _pdftk_rows(pdftk, form, values, Path(tmp), counts, table.notes)
            medians = {}
            for method, fn, runs in rows:
                found = timed(fn, runs)
                medians[method] = statistics.median(found)
                table.rows.append([form.id, method, *median_p95(found), str(runs)])
            ratio = medians["service filler (incremental update, appearances)"] / medians[FLOOR]
            table.notes.append(f"{form.id}: the service's fill is {ratio:.1f}× its floor (target ≤ 4×)")
    if not pdftk:
        table.notes.append(
            "pdftk comparison skipped: pdftk is not installed (Debian: apt-get install pdftk-java)"
        )
    table.notes.append(
        "naive pypdf sets the text fields (pypdf draws their appearances in the form's default "
        "font), not the check boxes, and rewrites the whole file; the service's filler appends an "
        "incremental update to the template's bytes, parsed once per process"
    )
    table.notes.append(
        "pdftk: one subprocess (a Java VM) per fill, the same values (check boxes too) as XFDF "
        "written to a temp file each time"
    )
    return table


def _pdftk_rows(
    pdftk: str,
    form: forms.PdfForm,
    values: dict[str, str | bool],
    work: Path,
    counts: Counts,
    notes: list[str],
) -> list[tuple[str, Callable[[], bytes], int]]:
    data = xfdf(form, values)
    plain = pdftk_fill(pdftk, form, data, work, flatten=False)
    if not pdftk_reads_back(plain(), values):
        notes.append(f"{form.id}: pdftk's output does not carry every value (read back with pypdf)")
    return [
        ("pdftk fill_form (XFDF, subprocess)", plain, counts.pdftk),
        ("pdftk fill_form flatten", pdftk_fill(pdftk, form, data, work, flatten=True), counts.pdftk),
    ]


def _fast_tmp() -> str | None:
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


# --- comparisons: converting -------------------------------------------------------------------------


def letter_docx(engines: Engines) -> tuple[bytes, str]:
    """Return a real letter as DOCX (the first leave-refusal the examples produce) and its label."""
    case = first_valid_case("leave-refusal") or "wiltshire-holiday"
    return produce("leave-refusal", evaluate(load.example(case)), engines, "docx").content, f"leave-refusal ({case})"


def cold_soffice(soffice: str, docx: bytes, profile: Path) -> Callable[[], bytes]:
    """Return a function running one `soffice --headless --convert-to pdf` in a fresh directory."""

    def run() -> bytes:
        with tempfile.TemporaryDirectory(prefix="bench-cold-", dir=_fast_tmp()) as tmp:
            (Path(tmp) / "letter.docx").write_bytes(docx)
            argv = [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(Path(tmp) / "letter.docx"),
            ]
            subprocess.run(argv, check=True, capture_output=True, timeout=180)
            return (Path(tmp) / "letter.pdf").read_bytes()

    return run


def convert_table(engines: Engines, counts: Counts) -> Table:
    """Compare a cold soffice --convert-to pdf with the service's warm converter."""
    table = Table("DOCX to PDF: cold soffice vs the warm converter (ms)", ["method", "median", "p95", "runs"])
    soffice = soffice_path()
    if soffice is None or not engines.converter.available()[0]:
        table.notes.append("skipped: LibreOffice (soffice) is not installed or cannot start")
        return table
    docx, label = letter_docx(engines)
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as profile:
        run = cold_soffice(soffice, docx, Path(profile) / "user")
        table.rows.append(
            [
                "cold soffice --convert-to pdf, first run (creates its profile)",
                *median_p95(timed(run, 1, warm_up=0)),
                "1",
            ]
        )
        table.rows.append(
            [
                "cold soffice --convert-to pdf (profile exists)",
                *median_p95(timed(run, counts.cold, warm_up=0)),
                str(counts.cold),
            ]
        )
    table.rows.append(
        [
            "warm converter (LibreOfficeConverter.convert, in-process)",
            *median_p95(timed(lambda: engines.converter.convert(docx), counts.warm)),
            str(counts.warm),
        ]
    )
    table.notes.append(
        f"the letter: {label} as DOCX, {len(docx) / 1024:.0f} KiB; {engines.converter.available()[1]}"
    )
    return table


# --- the report --------------------------------------------------------------------------------------


def machine() -> list[str]:
    """Return the machine's description: CPUs, CPU model, RAM, kernel."""
    cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace")
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    mem_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return [
        f"nproc {len(os.sched_getaffinity(0))}",
        model,
        f"RAM {mem_kib / 1024 / 1024:.1f} GiB",
        f"{platform.system()} {platform.release()}",
    ]


def versions(engines: Engines) -> list[str]:
    """Return the versions that matter to the figures."""
    packages = ("flask", "gunicorn", "pypdf", "docxtpl", "httpx")
    found = [f"service {VERSION} ({_git()})", f"Python {platform.python_version()}"]
    found += [f"{p} {importlib.metadata.version(p)}" for p in packages]
    found.append(engines.converter.available()[1].split(",")[0])
    pdftk = _first_line(["pdftk", "--version"]).split(" a Handy Tool")[0]
    found.append(pdftk.replace("pdftk port to java", "pdftk-java") or "pdftk not installed")
    return found


def _git() -> str:
    commit = _first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]) or "no git"
    dirty = _first_line(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"])
    return commit + (" with uncommitted changes" if dirty else "")


def _first_line(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (done.stdout or "").strip().splitlines()[0] if done.returncode == 0 and done.stdout.strip() else ""


def header(engines: Engines, quick: bool, took: float, load_before: float) -> list[str]:
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return [
        f"Date: {stamp}; {'--quick (smoke counts)' if quick else 'full run'}, {took:.0f} s",
        "Machine: " + ", ".join(machine()) + f"; 1-minute load average before the run {load_before:.2f} "
        "(the load generator and any other work on the machine share its CPUs)",
        "Versions: " + ", ".join(versions(engines)),
    ]


def write(path: Path, head: list[str], tables: list[Table]) -> None:
    """Write the Markdown report, keeping the load-test section that bench/load.py --record maintains."""
    kept = ""
    if path.exists():  # the sections bench/lanes.py, bench/jobs.py and bench/load.py --record keep
        text = path.read_text(encoding="utf-8")
        starts = [text.find(h) for h in (LANES_HEADING, JOBS_HEADING, load.LOAD_HEADING) if h in text]
        kept = text[min(starts) :] if starts else ""
    parts = [
        "# Benchmark results",
        "",
        "Benchmarks written by `.venv/bin/python bench/run_all.py`; load tests by "
        "`.venv/bin/python bench/load.py ... --record`.",
        "",
        *(f"- {line}" for line in head),
        "",
        "## Benchmarks (bench/run_all.py)",
        "",
        "\n\n".join(t.markdown() for t in tables),
        "",
    ]
    path.write_text("\n".join(parts) + ("\n" + kept.rstrip() + "\n" if kept else ""), encoding="utf-8")


# --- main --------------------------------------------------------------------------------------------


def run(counts: Counts) -> tuple[list[Table], Engines]:
    """Run every benchmark; return the tables (the engines are still warm, for the versions)."""
    engines = Engines()
    if hasattr(engines.converter, "warm_up"):
        engines.converter.warm_up()
    docs, notes = documents()
    _say(f"in-process latency of {len(docs)} documents")
    local = in_process(docs, engines, counts.in_process)
    _say("filling comparisons (naive pypdf, pdftk)")
    fills = fill_table(engines, counts)
    _say("conversion comparison (cold soffice vs warm)")
    converts = convert_table(engines, counts)
    with load.serve(WORKERS) as server:
        _say(f"HTTP latency via gunicorn on {server.url}")
        remote, errors = over_http(docs, server.url, counts.http)
        if errors:
            notes.append(f"HTTP: {errors} requests were not answered 200")
        _say(f"throughput at {', '.join(map(str, LEVELS))} clients")
        rates = throughput(server, counts.level_seconds)
        rss = memory(server)
    return [latency_table(docs, local, remote, counts, notes), rates, rss, fills, converts], engines


def _say(what: str) -> None:
    print(f"... {what}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run under a minute")
    parser.add_argument(
        "--output", type=Path, help="the Markdown file (default: bench/RESULTS.md, none with --quick)"
    )
    args = parser.parse_args(argv)
    started, load_before = time.monotonic(), os.getloadavg()[0]
    tables, engines = run(QUICK if args.quick else FULL)
    try:
        head = header(engines, args.quick, time.monotonic() - started, load_before)
    finally:
        close = getattr(engines.converter, "close", None)
        if close is not None:
            close()
    print("\n".join(head) + "\n\n" + "\n\n".join(t.text() for t in tables))
    output = args.output or (None if args.quick else RESULTS)
    if output is not None:
        write(output, head, tables)
        print(f"\nwritten to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
