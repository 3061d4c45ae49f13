"""Load test: gunicorn (2 workers) on 127.0.0.1 under a mix of validate / PN3 / PDF letter / bundle calls.

Every response is checked in full: status 200, PDFs parse with pypdf and carry the expected file name and
pupil, ZIPs open, pass their CRCs and hold a manifest.json whose SHA-256s match, reports are valid.
Optional faults: SIGKILL the workers' LibreOffice (soffice.bin) or a gunicorn worker every N seconds.

Run: .venv/bin/python bench/load.py --clients 16 --seconds 60 [--kill-libreoffice-every N]
                                    [--kill-worker-every N] [--record]
Exit code 0 only when the invariants held (see README.md in this folder).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from service.assessment import evaluate  # noqa: E402
from service.documents import filename  # noqa: E402
from service.documents import produce  # noqa: E402
from service.engines import Engines  # noqa: E402
from service.engines import UnavailableConverter  # noqa: E402
from service.validation import validate  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
LOAD_HEADING = "## Load tests (bench/load.py)"
JSON_HEADERS = {"Content-Type": "application/json"}
CLIENT_TIMEOUT = httpx.Timeout(90.0, connect=10.0)
MAX_PER_CLIENT = 100_000  # a hard cap on each client's loop, besides its deadline
LIBREOFFICE = ("soffice.bin", "oosplash")
Check = Callable[[httpx.Response], str | None]


# --- processes ---------------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int] | None:
    """Return (comm, ppid) of a process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    return comm, int(raw[raw.rindex(")") + 2 :].split()[1])


def process_table() -> dict[int, tuple[str, int]]:
    """Return {pid: (comm, ppid)} for every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (found := _stat(int(entry))) is not None:
            table[int(entry)] = found
    return table


def children(pid: int, table: dict[int, tuple[str, int]]) -> list[int]:
    """Return the direct children of `pid`."""
    return sorted(p for p, (_, ppid) in table.items() if ppid == pid)


def descendants(pid: int, table: dict[int, tuple[str, int]]) -> list[int]:
    """Return every process below `pid` (breadth first)."""
    found, todo = [], [pid]
    while todo:
        kids = children(todo.pop(0), table)
        found += kids
        todo += kids
    return found


def rss_mib(pid: int) -> float | None:
    """Return VmRSS of a process in MiB, from /proc/<pid>/status."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def alive(pid: int) -> bool:
    """Return whether a process exists (and is not a zombie)."""
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def work_dirs(pids: list[int]) -> set[Path]:
    """Return the converter directories (the parent of `--profile <dir>`) of these UNO workers."""
    found = set()
    for pid in pids:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if "--profile" in argv[:-1]:
            found.add(Path(argv[argv.index("--profile") + 1]).parent)
    return found


def leftovers(dirs: set[Path]) -> tuple[list[Path], int]:
    """Return the directories still there and how many files they hold; remove those that are empty."""
    left = [d for d in sorted(dirs) if d.is_dir()]
    files = sum(1 for d in left for f in d.rglob("*") if not f.is_dir())
    for d in left:
        with contextlib.suppress(OSError):
            d.rmdir()  # only an empty directory: files are left for inspection
    return left, files


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the server -------------------------------------------------------------------------------------


@dataclass
class Server:
    """gunicorn (wsgi:app, gunicorn.conf.py) on 127.0.0.1 and a free port, with its process tree."""

    workers: int = 2
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    log_path: str = ""
    libreoffice_seen: set[int] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_timeout: float = 90.0) -> None:
        """Start gunicorn and wait until it answers /health and every worker has a warm LibreOffice."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENDANCE_API_KEYS")}
        env |= {"ATTENDANCE_BIND": f"127.0.0.1:{self.port}", "ATTENDANCE_WORKERS": str(self.workers)}
        log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)
        self.log_path = log.name
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--worker-tmp-dir",
            "/dev/shm",
            "wsgi:app",
        ]
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
        )
        log.close()
        self.wait_ready(ready_timeout)

    def wait_ready(self, timeout: float, warm: bool = True) -> None:
        """Wait for /health and all workers, each with its soffice.bin when `warm` (and LibreOffice works)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            if self._healthy() and self._warm(warm):
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready within {timeout:g} s; see {self.log_path}")

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def _warm(self, warm: bool) -> bool:
        table = process_table()
        pids = self.worker_pids(table)
        if len(pids) != self.workers:
            return False
        return not warm or not self.converter_available() or all(self.libreoffice_of(w, table) for w in pids)

    def converter_available(self) -> bool:
        """Return whether the workers can convert DOCX to PDF (from /health)."""
        try:
            engines = httpx.get(f"{self.url}/health", timeout=5).json()["engines"]
        except (httpx.HTTPError, ValueError, KeyError):
            return False
        return bool(engines.get("converter", {}).get("available"))

    def worker_pids(self, table: dict[int, tuple[str, int]] | None = None) -> list[int]:
        """Return the workers that convert: the heavy lane's when the front started one (README: lanes),
        else the master's own (ATTENDANCE_LANES=off); never the job workers."""
        assert self.proc is not None
        table = table or process_table()
        kids = [p for p in children(self.proc.pid, table) if not _is_job_worker(p)]
        heavy = [p for p in kids if _is_heavy_lane(p)]
        return children(heavy[0], table) if heavy else kids

    def libreoffice_of(self, worker: int, table: dict[int, tuple[str, int]] | None = None) -> list[int]:
        """Return the soffice.bin (and oosplash) processes below a worker."""
        table = table or process_table()
        found = [p for p in descendants(worker, table) if table[p][0] in LIBREOFFICE]
        self.libreoffice_seen.update(found)
        return found

    def tree_of(self, worker: int) -> list[int]:
        """Return everything below a worker (its UNO worker and soffice.bin)."""
        table = process_table()
        below = descendants(worker, table)
        self.libreoffice_seen.update(below)
        return below

    def stop(self) -> list[int]:
        """Stop gunicorn; kill and return any LibreOffice process of this run still alive afterwards."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        left = _wait_gone(sorted(self.libreoffice_seen), 10.0)
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return left

    def log_lines(self, *needles: str) -> list[str]:
        """Return the gunicorn log lines holding every one of `needles`."""
        try:
            text = Path(self.log_path).read_text(errors="replace")
        except OSError:
            return []
        return [line for line in text.splitlines() if all(n in line for n in needles)]


def _is_job_worker(pid: int) -> bool:
    try:
        return b"service\0worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _is_heavy_lane(pid: int) -> bool:
    try:
        return b"ATTENDANCE_LANE=heavy" in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False


def _wait_gone(pids: list[int], timeout: float) -> list[int]:
    """Wait until the processes have exited; return those still alive at the timeout."""
    deadline = time.monotonic() + timeout
    left = [p for p in pids if alive(p)]
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = [p for p in left if alive(p)]
    return left


@contextlib.contextmanager
def serve(workers: int = 2) -> Iterator[Server]:
    """Run gunicorn for the duration of the block; its log is removed afterwards, or kept after an error."""
    server = Server(workers)
    try:
        server.start()
        yield server
    except BaseException:
        print(f"gunicorn log kept: {server.log_path}", file=sys.stderr, flush=True)
        raise
    else:
        Path(server.log_path).unlink(missing_ok=True)
    finally:
        if left := server.stop():
            print(f"LibreOffice processes left after gunicorn stopped (killed): {left}", file=sys.stderr)


# --- the calls and their checks -----------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One kind of request of the mix, and how to check its response."""

    kind: str
    path: str
    params: dict[str, str]
    body: bytes
    check: Check

    def send(self, client: httpx.Client) -> httpx.Response:
        return client.post(self.path, params=self.params, content=self.body, headers=JSON_HEADERS)


def example(name: str) -> dict[str, Any]:
    """Return an example case (examples/<name>.json)."""
    return json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))


def _conftest() -> Any:
    """Import tests/conftest.py for its PDF makers, undoing its TMPDIR redirection (meant for pytest)."""
    saved_env, saved_dir = os.environ.get("TMPDIR"), tempfile.tempdir
    from tests import conftest

    if saved_env is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = saved_env
    tempfile.tempdir = saved_dir
    shutil.rmtree(conftest.TEST_TMP, ignore_errors=True)
    return conftest


def attachments() -> list[tuple[str, bytes]]:
    """Return the uploads of a Wiltshire bundle: two certificates, the request and the refusal."""
    conftest = _conftest()
    certificate_pdf, make_pdf = conftest.certificate_pdf, conftest.make_pdf
    return [
        ("attendance_certificate", certificate_pdf("Fairweather, Zoë")),
        ("attendance_certificate", certificate_pdf("Fairweather, Alfie")),
        ("leave_request_form", make_pdf(["Leave request"])),
        ("refusal_letter", make_pdf(["Refused"])),
    ]


def with_attachments(data: dict[str, Any], items: list[tuple[str, bytes]]) -> dict[str, Any]:
    """Return the case with its attachments inline (base64), as bench/bundles.py sends them."""
    files = [
        {"kind": kind, "filename": f"{kind}.pdf", "content_base64": base64.b64encode(content).decode()}
        for kind, content in items
    ]
    return {**data, "attachments": files}


def disposition_name(response: httpx.Response) -> str:
    """Return the plain filename="..." of Content-Disposition."""
    header = response.headers.get("content-disposition", "")
    start = header.find('filename="')
    return header[start + 10 : header.find('"', start + 10)] if start >= 0 else ""


def pdf_problem(body: bytes, needle: str) -> str | None:
    """Return what is wrong with a PDF body (None when whole): header, trailer, parse, pupil's name."""
    if not body.startswith(b"%PDF-") or not body.rstrip().endswith(b"%%EOF"):
        return "not a whole PDF (header or %%EOF trailer missing)"
    try:
        reader = PdfReader(io.BytesIO(body))
        values = " ".join(str(f.get("/V", "")) for f in (reader.get_fields() or {}).values())
        if needle in values:
            return None
        text = "\n".join(page.extract_text() for page in reader.pages)
    except Exception as exc:  # noqa: BLE001 - any parse error is a broken document
        return f"pypdf cannot read it: {type(exc).__name__}"
    return None if needle in text else f"{needle!r} is neither in its fields nor in its text"


def expect_pdf(name: str, needle: str, exact: bytes | None = None) -> Check:
    """Return a check of a PDF download: 200, application/pdf, its file name, a whole PDF naming the pupil,
    and, for a deterministic document, the very bytes the service's code produces in this process."""

    def check(response: httpx.Response) -> str | None:
        if response.status_code != 200:
            return f"status {response.status_code}"
        if response.headers.get("content-type") != "application/pdf":
            return f"content type {response.headers.get('content-type')}"
        if disposition_name(response) != name:
            return f"file name {disposition_name(response)!r}, expected {name!r}"
        if exact is not None and response.content != exact:
            return "bytes differ from produce() in-process (the forms are deterministic)"
        return pdf_problem(response.content, needle)

    return check


def expect_report(document: str) -> Check:
    """Return a check of a validation report: 200, JSON, valid, for the document asked."""

    def check(response: httpx.Response) -> str | None:
        if response.status_code != 200:
            return f"status {response.status_code}"
        try:
            report = response.json()
        except ValueError:
            return "report is not JSON"
        if report.get("valid") is not True or report.get("document") != document:
            return f"report valid={report.get('valid')!r} document={report.get('document')!r}"
        return None

    return check


def zip_problem(body: bytes, needle: str) -> str | None:
    """Return what is wrong with a bundle (None when whole): CRCs, manifest, SHA-256s, PDFs."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
        if (bad := archive.testzip()) is not None:
            return f"CRC error in {bad}"
        manifest = json.loads(archive.read("manifest.json"))
        listed = manifest["files"]
        if sorted(f["name"] for f in listed) != sorted(set(archive.namelist()) - {"manifest.json"}):
            return "entries differ from the manifest"
        for entry in listed:
            content = archive.read(entry["name"])
            if hashlib.sha256(content).hexdigest() != entry["sha256"]:
                return f"SHA-256 mismatch for {entry['name']}"
            if entry["name"].endswith(".pdf") and (problem := pdf_problem(content, "")) is not None:
                return f"{entry['name']}: {problem}"
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        return f"bundle unreadable: {type(exc).__name__}"
    if manifest.get("report", {}).get("valid") is not True:
        return "manifest report is not valid"
    return None if any(needle in f["name"] for f in listed) else f"no {needle} in the bundle"


def expect_zip(name: str, needle: str) -> Check:
    """Return a check of a bundle download: 200, application/zip, its file name, a whole ZIP."""

    def check(response: httpx.Response) -> str | None:
        if response.status_code != 200:
            return f"status {response.status_code}"
        if response.headers.get("content-type") != "application/zip":
            return f"content type {response.headers.get('content-type')}"
        if disposition_name(response) != name:
            return f"file name {disposition_name(response)!r}, expected {name!r}"
        return zip_problem(response.content, needle)

    return check


def expected_name(document: str, data: dict[str, Any], fmt: str = "pdf") -> str:
    """Return the file name the service gives a document of this case."""
    _, case = validate(data, document)
    assert case is not None, f"{document}: the example case does not validate"
    return filename(document, case, fmt)


def document_call(kind: str, document: str, case: str, needle: str, exact: bool = False) -> Call:
    """Return a POST /documents/<id> call (PDF) checked by name and content (and bytes when `exact`)."""
    data = example(case)
    name = expected_name(document, data)
    reference = produce(document, evaluate(data), Engines(converter=UnavailableConverter())).content if exact else None
    return Call(
        kind,
        f"/api/v1/documents/{document}",
        {"format": "pdf"},
        json.dumps(data).encode(),
        expect_pdf(name, needle, reference),
    )


def mix(letters: bool = True) -> list[Call]:
    """Return the mixed load: validate, the PN3, a PDF letter (LibreOffice) and a Wiltshire bundle."""
    case = example("wiltshire-holiday")
    calls = [
        Call(
            "validate",
            "/api/v1/cases/validate",
            {"document": "pn3"},
            json.dumps(case).encode(),
            expect_report("pn3"),
        ),
        document_call("pn3", "pn3", "wiltshire-holiday", "Fairweather", exact=True),
        Call(
            "bundle",
            "/api/v1/bundles",
            {},
            json.dumps(with_attachments(case, attachments())).encode(),
            expect_zip("wiltshire-fairweather-zoe-bundle.zip", "attendance-certificate"),
        ),
    ]
    if letters:
        calls.insert(2, document_call("letter", "leave-refusal", "wiltshire-holiday", "Fairweather"))
    return calls


# --- running the load --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One request: its kind, when it ran (monotonic), and how it ended."""

    kind: str
    start: float
    end: float
    result: str  # ok | unavailable (clean 503 problem+json) | connection | timeout | bad
    detail: str = ""

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000


def classify(call: Call, response: httpx.Response) -> tuple[str, str]:
    """Return (result, detail) of a response."""
    if response.status_code == 503:
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        if (
            response.headers.get("content-type", "").startswith("application/problem+json")
            and problem.get("status") == 503
            and problem.get("code")
        ):
            return "unavailable", str(problem["code"])
        return "bad", "503 without a problem+json body"
    problem = call.check(response)
    return ("ok", "") if problem is None else ("bad", problem)


def send(client: httpx.Client, call: Call) -> Outcome:
    """Send one call, read its body whole and check it."""
    start = time.monotonic()
    try:
        response = call.send(client)
    except httpx.TimeoutException as exc:
        return Outcome(call.kind, start, time.monotonic(), "timeout", type(exc).__name__)
    except httpx.TransportError as exc:
        return Outcome(call.kind, start, time.monotonic(), "connection", type(exc).__name__)
    end = time.monotonic()
    result, detail = classify(call, response)
    return Outcome(call.kind, start, end, result, detail)


def client_loop(url: str, calls: list[Call], offset: int, deadline: float) -> list[Outcome]:
    """One client: go round the mix (starting at `offset`) until the deadline, one request at a time."""
    outcomes = []
    with httpx.Client(base_url=url, timeout=CLIENT_TIMEOUT) as client:
        for n in range(MAX_PER_CLIENT):
            if time.monotonic() >= deadline:
                break
            outcomes.append(send(client, calls[(offset + n) % len(calls)]))
    return outcomes


def run_load(url: str, calls: list[Call], clients: int, seconds: float) -> tuple[list[Outcome], float]:
    """Run `clients` concurrent clients for `seconds`; return every outcome and the wall time taken."""
    start = time.monotonic()
    deadline = start + seconds
    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(client_loop, url, calls, n, deadline) for n in range(clients)]
        outcomes = [o for f in futures for o in f.result()]
    return outcomes, time.monotonic() - start


def preflight(url: str, calls: list[Call]) -> list[str]:
    """Send each call once, sequentially; return the problems (the mix must work before loading it)."""
    with httpx.Client(base_url=url, timeout=CLIENT_TIMEOUT) as client:
        outcomes = [send(client, call) for call in calls]
    return [f"{o.kind}: {o.result} {o.detail}" for o in outcomes if o.result != "ok"]


def percentile(samples: list[float], q: float) -> float:
    """Return the nearest-rank percentile (q in 0..100) of the samples."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = -(-len(ordered) * q // 100)  # ceil(n q / 100)
    return ordered[int(max(0, min(len(ordered) - 1, rank - 1)))]


# --- faults ------------------------------------------------------------------------------------------


@dataclass
class Kill:
    """One fault: when (monotonic), what, and the pids killed."""

    at: float
    what: str
    pids: list[int]


class Injector(threading.Thread):
    """Every `every` seconds until the deadline, SIGKILL the workers' LibreOffice or one gunicorn worker."""

    def __init__(self, server: Server, what: str, every: float, deadline: float) -> None:
        super().__init__(daemon=True)
        self.server, self.what, self.every, self.deadline = server, what, every, deadline
        self.kills: list[Kill] = []
        self.below_killed_workers: list[int] = []
        self.work_dirs: set[Path] = set()
        self._stop_event = threading.Event()

    def run(self) -> None:
        for round_ in range(int((self.deadline - time.monotonic()) / self.every) + 1):
            if self._stop_event.wait(self.every) or time.monotonic() >= self.deadline:
                return
            pids = self._libreoffice() if self.what == "libreoffice" else self._worker(round_)
            if pids:
                self.kills.append(Kill(time.monotonic(), self.what, pids))

    def stop(self) -> None:
        self._stop_event.set()

    def _libreoffice(self) -> list[int]:
        table = process_table()
        pids = [p for w in self.server.worker_pids(table) for p in self.server.libreoffice_of(w, table)]
        return [p for p in pids if _kill(p)]

    def _worker(self, round_: int) -> list[int]:
        workers = self.server.worker_pids()
        if not workers:
            return []
        worker = workers[round_ % len(workers)]
        below = self.server.tree_of(worker)
        self.below_killed_workers += below
        self.work_dirs |= work_dirs(below)
        return [worker] if _kill(worker) else []


def _kill(pid: int) -> bool:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


# --- the verdict -------------------------------------------------------------------------------------


@dataclass
class Verdict:
    """What the run showed, and whether the invariants held."""

    outcomes: list[Outcome]
    wall: float
    kills: list[Kill]
    after: list[str] = field(default_factory=list)
    orphans: list[int] = field(default_factory=list)
    unexpected: list[Outcome] = field(default_factory=list)
    log_notes: list[str] = field(default_factory=list)
    dirs_left: list[Path] = field(default_factory=list)
    files_left: int = 0

    def judge(self) -> None:
        """Collect the outcomes that break an invariant."""
        lo_kills = [k.at for k in self.kills if k.what == "libreoffice"]
        worker_kills = [k.at for k in self.kills if k.what == "worker"]
        self.unexpected = [o for o in self.outcomes if not self._allowed(o, lo_kills, worker_kills)]

    @staticmethod
    def _allowed(o: Outcome, lo_kills: list[float], worker_kills: list[float]) -> bool:
        if o.result == "ok":
            return True
        if o.result == "unavailable":
            # a conversion in flight when its LibreOffice was killed, or (lanes) a letter or bundle in flight
            # on the heavy-lane worker that was killed: the front answers a clean 503 with Retry-After
            return any(o.start <= t <= o.end for t in lo_kills + worker_kills)
        if o.result == "connection":  # the request was on the worker that was killed (one pool)
            return any(o.start <= t <= o.end for t in worker_kills)
        return False

    @property
    def held(self) -> bool:
        return not self.unexpected and not self.after and not self.orphans and not self.files_left

    def count(self, result: str) -> int:
        return sum(o.result == result for o in self.outcomes)


def summary(verdict: Verdict, title: str) -> list[str]:
    """Return the report lines (Markdown-friendly)."""
    outcomes, ok = verdict.outcomes, [o for o in verdict.outcomes if o.result == "ok"]
    lines = [
        f"**{title}**",
        "",
        f"- requests: {len(outcomes)} in {verdict.wall:.1f} s ({len(ok) / verdict.wall:.1f} ok/s); "
        f"ok {len(ok)}; clean 503 {verdict.count('unavailable')}; connection errors "
        f"{verdict.count('connection')}; timeouts {verdict.count('timeout')}; "
        f"bad responses {verdict.count('bad')}; **failures (invariant broken): {len(verdict.unexpected)}**",
    ]
    if verdict.kills:
        kinds = sorted({k.what for k in verdict.kills})
        lines.append(
            f"- faults: {len(verdict.kills)} kills ({', '.join(kinds)}), "
            f"{sum(len(k.pids) for k in verdict.kills)} processes SIGKILLed; requests in flight "
            f"during a kill: {_in_flight(verdict)}"
        )
        lines.append(
            f"- after the faults, one of each call: "
            f"{'all succeeded' if not verdict.after else '; '.join(verdict.after)}"
        )
        lines.append(f"- LibreOffice processes left behind: {len(verdict.orphans)}")
        if any(k.what == "worker" for k in verdict.kills):
            lines.append(
                f"- temp directories of killed workers left behind: {len(verdict.dirs_left)}, holding "
                f"{verdict.files_left} files (empty ones removed by this script)"
            )
        lines += [f"- from the service's log: {note}" for note in verdict.log_notes]
    lines.append("- latency of ok requests, ms: " + _percentiles([o.ms for o in ok]))
    for kind in dict.fromkeys(o.kind for o in outcomes):
        mine = [o for o in outcomes if o.kind == kind]
        lines.append(
            f"  - {kind}: {sum(o.result == 'ok' for o in mine)}/{len(mine)} ok; "
            + _percentiles([o.ms for o in mine if o.result == "ok"])
        )
    failed = [o for o in outcomes if o.result != "ok" and o not in verdict.unexpected]
    lines += [
        f"- failed cleanly during a kill: {o.kind} {o.result} {o.detail} ({o.ms:.0f} ms)" for o in failed[:10]
    ]
    lines += [
        f"- unexpected: {o.kind} {o.result} {o.detail} ({o.ms:.0f} ms)" for o in verdict.unexpected[:10]
    ]
    lines.append(f"- invariants: {'held' if verdict.held else 'BROKEN'}")
    return lines


def _in_flight(verdict: Verdict) -> str:
    times = [k.at for k in verdict.kills]
    hit = [o for o in verdict.outcomes if any(o.start <= t <= o.end for t in times)]
    results = ("ok", "unavailable", "connection", "timeout", "bad")
    counts = {r: sum(o.result == r for o in hit) for r in results}
    kinds = {k: sum(o.kind == k for o in hit) for k in dict.fromkeys(o.kind for o in hit)}
    how = ", ".join(f"{r} {n}" for r, n in counts.items() if n)
    return f"{len(hit)} ({how}; {', '.join(f'{k} {n}' for k, n in kinds.items())})" if hit else "0"


def log_notes(server: Server) -> list[str]:
    """Return what the service and gunicorn logged about the faults (counts of lines)."""
    died = len(server.log_lines("LibreOffice worker", " died ("))
    started = len(server.log_lines("LibreOffice ", " started in "))
    failed = len(server.log_lines("LibreOffice did not start"))
    killed = len(server.log_lines("was sent SIGKILL"))
    booted = len(server.log_lines("Booting worker"))
    return [
        f"{died} conversions found their LibreOffice dead and retried on a fresh one; {started} "
        f"LibreOffice starts in all (with the first of each worker), {failed} killed while starting",
        f"gunicorn saw {killed} workers killed and booted {booted} workers in all",
    ]


def _percentiles(samples: list[float]) -> str:
    if not samples:
        return "none"
    parts = [f"p{q} {percentile(samples, q):.0f}" for q in (50, 90, 95, 99)]
    return f"{', '.join(parts)}, max {max(samples):.0f} (mean {statistics.fmean(samples):.0f})"


# --- main --------------------------------------------------------------------------------------------


def load_test(args: argparse.Namespace) -> Verdict:
    """Start gunicorn, run the load (with its faults), probe afterwards, stop; return the verdict."""
    server = Server(args.workers)
    server.start()
    try:
        letters = server.converter_available()
        if not letters:
            print("note: LibreOffice unavailable in the workers: the mix has no PDF letter", flush=True)
        calls = mix(letters)
        if problems := preflight(server.url, calls):
            raise SystemExit(f"the mix fails before any load: {problems}; see {server.log_path}")
        deadline = time.monotonic() + args.seconds
        injectors = [
            Injector(server, what, every, deadline)
            for what, every in (
                ("libreoffice", args.kill_libreoffice_every),
                ("worker", args.kill_worker_every),
            )
            if every
        ]
        for injector in injectors:
            injector.start()
        outcomes, wall = run_load(server.url, calls, args.clients, args.seconds)
        for injector in injectors:
            injector.stop()
            injector.join(timeout=10)
        verdict = Verdict(outcomes, wall, sorted((k for i in injectors for k in i.kills), key=lambda k: k.at))
        if injectors:
            server.wait_ready(90, warm=False)
            verdict.after = preflight(server.url, calls)
            verdict.orphans = _orphans([p for i in injectors for p in i.below_killed_workers])
    finally:
        left = server.stop()
    if verdict.kills:
        verdict.log_notes = log_notes(server)
        verdict.dirs_left, verdict.files_left = leftovers({d for i in injectors for d in i.work_dirs})
    verdict.orphans += [p for p in left if p not in verdict.orphans]
    verdict.judge()
    if not verdict.held or args.keep_log:
        print(f"gunicorn log kept: {server.log_path}", flush=True)
    else:
        Path(server.log_path).unlink(missing_ok=True)
    return verdict


def _orphans(pids: list[int]) -> list[int]:
    """Return the processes below killed workers (UNO worker, soffice.bin) still alive after 10 s."""
    return _wait_gone(pids, 10.0)


def title(args: argparse.Namespace) -> str:
    """Return the command line that reproduces the run."""
    parts = [f"--clients {args.clients}", f"--seconds {args.seconds:g}"]
    if args.kill_libreoffice_every:
        parts.append(f"--kill-libreoffice-every {args.kill_libreoffice_every:g}")
    if args.kill_worker_every:
        parts.append(f"--kill-worker-every {args.kill_worker_every:g}")
    return "bench/load.py " + " ".join(parts)


def record(name: str, lines: list[str]) -> None:
    """Put this run's lines into bench/RESULTS.md's load-test section, replacing a run of the same name."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    head, _, section = text.partition(LOAD_HEADING)
    blocks = [b for b in section.split("\n### ")[1:] if not b.startswith(name + " (")]
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    blocks.append(f"{name} ({stamp})\n\n" + "\n".join(lines[2:]) + "\n")
    blocks.sort()
    body = "".join(f"\n### {b.rstrip()}\n" for b in blocks)
    RESULTS.write_text(f"{head.rstrip()}\n\n{LOAD_HEADING}\n{body}", encoding="utf-8")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (1..256)")
    parser.add_argument("--seconds", type=float, default=60, help="how long to load (1..3600)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--kill-libreoffice-every",
        type=float,
        default=0,
        metavar="N",
        help="SIGKILL every worker's soffice.bin every N seconds",
    )
    parser.add_argument(
        "--kill-worker-every",
        type=float,
        default=0,
        metavar="N",
        help="SIGKILL one gunicorn worker every N seconds (in turn)",
    )
    parser.add_argument("--record", action="store_true", help="also write the outcome into bench/RESULTS.md")
    parser.add_argument(
        "--keep-log", action="store_true", help="keep gunicorn's log (kept anyway on failure)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 256 or not 1 <= args.seconds <= 3600 or not 1 <= args.workers <= 16:
        parser.error("clients 1..256, seconds 1..3600, workers 1..16")
    if any(0 < n < 1 for n in (args.kill_libreoffice_every, args.kill_worker_every)):
        parser.error("kill intervals are at least 1 second")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    name = title(args)
    print(f"{name}: {args.workers} gunicorn workers on 127.0.0.1 ...", flush=True)
    cpus, busy = len(os.sched_getaffinity(0)), os.getloadavg()[0]
    machine = f"- machine: nproc {cpus}, 1-minute load average before the run {busy:.2f}"
    verdict = load_test(args)
    lines = summary(verdict, name)
    lines.insert(2, machine)
    print("\n".join(lines), flush=True)
    if args.record:
        record(name, lines)
    return 0 if verdict.held else 1


if __name__ == "__main__":
    sys.exit(main())
