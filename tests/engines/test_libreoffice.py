"""The warm LibreOffice converter against a real LibreOffice: text, restarts, timeouts, clean shutdown."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from service.engines import ConversionUnavailable
from service.engines import soffice_path
from service.engines.libreoffice import UNO_PYTHON
from service.engines.libreoffice import WORKER_SCRIPT
from service.engines.libreoffice import ConversionFailed
from service.engines.libreoffice import ConversionTimeout
from service.engines.libreoffice import ConverterBusy
from service.engines.libreoffice import LibreOfficeConverter
from service.engines.libreoffice import board_states
from service.engines.uno_worker import HEADER

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed"),
]

NAME = "Siân O'Connor-Hughes"
HOUSE = "Tŷ Gwyn"


def letter(*lines: str, table: tuple[tuple[str, str], ...] = ()) -> bytes:
    """Return a small DOCX with these paragraphs and an optional two-column table."""
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    if table:
        grid = document.add_table(rows=len(table), cols=2)
        for row, (left, right) in zip(grid.rows, table, strict=True):
            row.cells[0].text, row.cells[1].text = left, right
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def text_of(pdf: bytes) -> str:
    """Return the first page's text."""
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def group_members(pgid: int, parent: int | None = None) -> list[int]:
    """Return every process (zombies too) in process group `pgid`, optionally only children of `parent`."""
    members = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            state, ppid, pgrp = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if int(pgrp) == pgid and parent in (None, int(ppid)):
            members.append(int(entry))
    return members


def soffice_of(converter: LibreOfficeConverter) -> int:
    """Return the pid of the converter's soffice: the worker's child in its process group."""
    worker = converter.worker_pid
    assert worker is not None
    (soffice,) = group_members(worker, parent=worker)
    return soffice


def worker_arg(converter: LibreOfficeConverter, flag: str) -> str:
    """Return the value after `flag` on the running worker's command line (--pipe, --profile)."""
    argv = Path(f"/proc/{converter.worker_pid}/cmdline").read_bytes().decode().split("\0")
    return argv[argv.index(flag) + 1]


def processes_mentioning(text: str) -> list[int]:
    """Return pids whose command line contains `text`."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            if text.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                found.append(int(entry))
        except OSError:
            continue
    return found


def wait_gone(pgid: int, timeout: float = 10.0) -> list[int]:
    """Wait for a process group to empty; return what is left."""
    deadline = time.monotonic() + timeout
    while (left := group_members(pgid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.fixture(scope="module")
def converter() -> Iterator[LibreOfficeConverter]:
    """One warm converter for the module, closed (and checked for leftovers) at the end."""
    conv = LibreOfficeConverter()
    ok, why = conv.available()
    if not ok:
        pytest.skip(why)
    assert conv.warm_up()
    pgid, base = conv.worker_pid, Path(worker_arg(conv, "--profile")).parent
    yield conv
    last = conv.worker_pid
    conv.close()
    for group in {pgid, last} - {None}:
        assert wait_gone(group) == []
    assert not base.exists()


@pytest.fixture
def owned() -> Iterator[list[LibreOfficeConverter]]:
    """A list to put a test's own converters in; each is closed after the test."""
    converters: list[LibreOfficeConverter] = []
    yield converters
    for conv in converters:
        conv.close()


def test_available_reports_version_and_warmth(converter: LibreOfficeConverter) -> None:
    ok, detail = converter.available()
    assert ok
    assert detail.startswith("LibreOffice ") and detail.endswith(", warm")
    assert any(ch.isdigit() for ch in detail)


def test_converts_welsh_names_and_a_table(converter: LibreOfficeConverter) -> None:
    pdf = converter.convert(letter(NAME, HOUSE, table=(("Pupil", "Year 5"), ("Sessions missed", "14"))))
    text = text_of(pdf)
    for expected in (NAME, HOUSE, "Pupil", "Year 5", "Sessions missed", "14"):
        assert expected in text


def test_documents_in_sequence_keep_their_own_text(converter: LibreOfficeConverter) -> None:
    pdfs = [converter.convert(letter(f"Letter {n} to {HOUSE}", f"Reference AB-{n:04d}")) for n in range(6)]
    for n, pdf in enumerate(pdfs):
        text = text_of(pdf)
        assert f"Letter {n} to {HOUSE}" in text and f"AB-{n:04d}" in text
        assert all(f"AB-{m:04d}" not in text for m in range(6) if m != n)


def test_a_document_bigger_than_a_pipe_buffer_goes_both_ways(converter: LibreOfficeConverter) -> None:
    lines = [f"Line {n}: {os.urandom(40).hex()}" for n in range(1500)]  # random text: ~100 KB zipped
    document = letter(*lines, "The end of a long letter")
    assert len(document) > 65536
    pdf = converter.convert(document)
    assert len(pdf) > 65536
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 10
    assert "The end of a long letter" in reader.pages[-1].extract_text()


def test_threads_are_served_one_at_a_time(converter: LibreOfficeConverter) -> None:
    results: dict[int, str] = {}

    def work(n: int) -> None:
        results[n] = text_of(converter.convert(letter(f"Thread letter {n}")))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == [0, 1, 2, 3]
    assert all(f"Thread letter {n}" in text for n, text in results.items())


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not a document at all", b"PK\x03\x04" + b"\x00junk" * 100, b"%PDF-1.4\n"],
    ids=["empty", "text", "broken-zip", "pdf"],
)
def test_garbage_is_refused_quickly_and_the_worker_stays(
    converter: LibreOfficeConverter, garbage: bytes
) -> None:
    before = converter.worker_pid
    started = time.monotonic()
    with pytest.raises(ConversionFailed, match="refused"):
        converter.convert(garbage)
    assert time.monotonic() - started < 5
    assert converter.worker_pid == before
    assert NAME in text_of(converter.convert(letter(NAME)))


def test_killed_soffice_is_replaced_on_the_next_conversion(converter: LibreOfficeConverter) -> None:
    assert HOUSE in text_of(converter.convert(letter(HOUSE)))
    old, profile = converter.worker_pid, worker_arg(converter, "--profile")
    os.kill(soffice_of(converter), signal.SIGKILL)
    assert NAME in text_of(converter.convert(letter(NAME)))
    assert converter.worker_pid not in (None, old)
    assert wait_gone(old) == []  # old worker and its soffice reaped: no zombies
    assert not os.path.exists(profile)


class Events:
    """What the converter reports (service.engines.ConverterEvents), recorded."""

    def __init__(self) -> None:
        self.restarts: list[str] = []
        self.depths: list[int] = []
        self.shed = 0

    def queue_changed(self, depth: int) -> None:
        self.depths.append(depth)

    def conversion_shed(self) -> None:
        self.shed += 1

    def libreoffice_restarted(self, reason: str) -> None:
        self.restarts.append(reason)


def test_a_killed_soffice_is_reported_dead_at_once_and_its_restart_counted(
    converter: LibreOfficeConverter, tmp_path
) -> None:
    # issue 15 item 6: /health said "warm" with LibreOffice dead; the state is the processes' now.
    events = Events()
    converter.events, converter.board = events, str(tmp_path)
    try:
        assert HOUSE in text_of(converter.convert(letter(HOUSE)))
        assert converter.state()["state"] == "warm"
        (published,) = board_states(str(tmp_path))
        assert published["state"] == "warm" and published["pid"] == os.getpid()
        os.kill(soffice_of(converter), signal.SIGKILL)
        time.sleep(0.2)
        state = converter.state()
        assert state["state"] == "dead" and "next letter" in str(state["detail"])
        assert converter.available() == (True, state["detail"])  # it can start again
        assert [s["state"] for s in board_states(str(tmp_path))] == ["dead"]  # as another process sees it
        restarts = converter.restarts
        assert NAME in text_of(converter.convert(letter(NAME)))
        assert converter.state()["state"] == "warm" and converter.restarts == restarts + 1
        assert events.restarts == ["died"]
        assert [s["restarts"] for s in board_states(str(tmp_path))] == [restarts + 1]
    finally:
        converter.events, converter.board = None, None


def test_the_board_forgets_processes_that_ended(tmp_path) -> None:
    (tmp_path / "999999999.json").write_text('{"pid": 999999999, "state": "warm"}', encoding="utf-8")
    (tmp_path / "garbage.json").write_text("{", encoding="utf-8")
    assert board_states(str(tmp_path)) == []
    assert not (tmp_path / "999999999.json").exists()


def test_stopped_soffice_times_out_then_recovers(converter: LibreOfficeConverter) -> None:
    old, profile = converter.worker_pid, worker_arg(converter, "--profile")
    os.kill(soffice_of(converter), signal.SIGSTOP)
    converter.timeout = 1.0
    try:
        started = time.monotonic()
        with pytest.raises(ConversionTimeout):
            converter.convert(letter(NAME))
        assert time.monotonic() - started < 4
    finally:
        converter.timeout = 20.0
    assert wait_gone(old) == []
    assert not os.path.exists(profile)
    assert converter.worker_pid is None
    assert NAME in text_of(converter.convert(letter(NAME)))


def test_tiny_timeout_raises_cleanly(converter: LibreOfficeConverter) -> None:
    converter.timeout = 0.001
    try:
        with pytest.raises(ConversionTimeout):
            converter.convert(letter(NAME))
    finally:
        converter.timeout = 20.0
    assert HOUSE in text_of(converter.convert(letter(HOUSE)))


def test_waiting_too_long_for_the_lock_is_busy(owned: list[LibreOfficeConverter]) -> None:
    conv = LibreOfficeConverter(timeout=1.5, busy_timeout=0.2)
    owned.append(conv)
    assert conv.warm_up()
    os.kill(soffice_of(conv), signal.SIGSTOP)
    outcome: list[BaseException] = []

    def hung() -> None:
        try:
            conv.convert(letter(NAME))
        except ConversionTimeout as exc:
            outcome.append(exc)

    slow = threading.Thread(target=hung)
    slow.start()
    time.sleep(0.3)
    started = time.monotonic()
    with pytest.raises(ConverterBusy):
        conv.convert(letter(HOUSE))
    assert time.monotonic() - started < 1
    slow.join(10)
    assert len(outcome) == 1
    assert HOUSE in text_of(conv.convert(letter(HOUSE)))


def test_recycles_the_worker_after_max_conversions(owned: list[LibreOfficeConverter]) -> None:
    conv = LibreOfficeConverter(max_conversions=2)
    owned.append(conv)
    conv.convert(letter("one"))
    first = conv.worker_pid
    conv.convert(letter("two"))
    assert conv.worker_pid == first
    assert "three" in text_of(conv.convert(letter("three")))
    assert conv.worker_pid not in (None, first)
    assert wait_gone(first) == []


def test_close_leaves_no_process_and_no_file(owned: list[LibreOfficeConverter]) -> None:
    conv = LibreOfficeConverter()
    owned.append(conv)
    conv.convert(letter(NAME))
    pgid, pipe, profile = conv.worker_pid, worker_arg(conv, "--pipe"), worker_arg(conv, "--profile")
    conv.close()
    assert wait_gone(pgid, timeout=1) == []
    assert processes_mentioning(pipe) == []
    assert not os.path.exists(Path(profile).parent)
    assert not [name for name in os.listdir("/tmp") if pipe in name]  # LibreOffice's OSL_PIPE socket
    ok, detail = conv.available()
    assert ok and detail.endswith(", cold")


@pytest.mark.parametrize(
    "bogus",
    [{"soffice": "/nonexistent/soffice"}, {"python": "/nonexistent/python3"}, {"python": sys.executable}],
    ids=["soffice", "python", "python-without-uno"],
)
def test_missing_pieces_make_it_unavailable(bogus: dict[str, str]) -> None:
    conv = LibreOfficeConverter(**bogus)
    ok, reason = conv.available()
    assert not ok and reason
    with pytest.raises(ConversionUnavailable) as raised:
        conv.convert(letter(NAME))
    assert str(raised.value) == reason
    assert conv.warm_up() is False
    conv.close()


def _start_worker(profile: str) -> subprocess.Popen[bytes]:
    """Start uno_worker.py directly and wait for its ready frame."""
    proc = subprocess.Popen(
        [
            UNO_PYTHON,
            "-I",
            str(WORKER_SCRIPT),
            "--pipe",
            f"attendance-lo-test-{os.getpid()}",
            "--profile",
            profile,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    kind, size = HEADER.unpack(proc.stdout.read(HEADER.size))
    assert kind == b"R", proc.stdout.read(size)
    proc.stdout.read(size)
    return proc


@pytest.mark.parametrize("how", ["quit", "end-of-input", "sigterm"])
def test_worker_removes_soffice_and_profile_on_exit(how: str) -> None:
    if not os.access(UNO_PYTHON, os.X_OK):
        pytest.skip(f"{UNO_PYTHON} is not installed")
    profile = tempfile.mkdtemp(prefix="worker-profile-")
    proc = _start_worker(profile)
    try:
        assert len(group_members(proc.pid)) == 2  # the worker and soffice.bin
        if how == "quit":
            proc.stdin.write(HEADER.pack(b"Q", 0))
            proc.stdin.flush()
        elif how == "end-of-input":
            proc.stdin.close()
        else:
            proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) in (0, 128 + signal.SIGTERM)
        assert wait_gone(proc.pid, timeout=2) == []
        assert not os.path.exists(profile)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for stream in (proc.stdin, proc.stdout):
            stream.close()


def test_orphaned_work_folders_are_swept(tmp_path):
    from service.engines.libreoffice import _sweep_orphans

    dead = tmp_path / "libreoffice-999999999-abc"
    alive = tmp_path / f"libreoffice-{os.getpid()}-abc"
    other = tmp_path / "libreoffice-notapid"
    for folder in (dead, alive, other):
        folder.mkdir()
    _sweep_orphans(str(tmp_path))
    assert not dead.exists()
    assert alive.exists()
    assert other.exists()


def _strictly_read(pdf: bytes) -> PdfReader:
    """Read every object through the xref table, failing on any warning (an offset that moved)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reader = PdfReader(io.BytesIO(pdf), strict=True)
        for number in range(1, int(reader.trailer["/Size"])):
            reader.get_object(number)
    return reader


def test_deterministic_overwrites_libreoffice_export_in_place(converter: LibreOfficeConverter) -> None:
    from datetime import date

    from service.engines.libreoffice import PRODUCER
    from service.engines.libreoffice import deterministic

    exported = converter.convert(letter("Dear Mr O'Connor-Hughes", "Tŷ Gwyn"))
    time.sleep(1.05)  # LibreOffice stamps the export time to the second
    again = converter.convert(letter("Dear Mr O'Connor-Hughes", "Tŷ Gwyn"))
    assert exported != again
    fixed = deterministic(exported, date(2026, 10, 16))
    assert len(fixed) == len(exported)  # in place: every xref offset still holds
    assert fixed == deterministic(again, date(2026, 10, 16))
    reader = _strictly_read(fixed)
    assert dict(reader.metadata) == {
        "/Producer": PRODUCER,
        "/Creator": "attendance-paperwork",
        "/CreationDate": "D:20261016000000Z",
        "/ModDate": "D:20261016000000Z",
    }
    assert "O'Connor-Hughes" in reader.pages[0].extract_text()
    assert deterministic(exported, date(2026, 10, 17)) != fixed


def test_deterministic_rewrites_a_pdf_laid_out_otherwise() -> None:
    # An Info dictionary too short to overwrite, or an incremental update (two trailers): pypdf rewrites it.
    from datetime import date

    from pypdf import PdfWriter

    from service.engines.libreoffice import PRODUCER
    from service.engines.libreoffice import deterministic

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Producer": "x"})
    out = io.BytesIO()
    writer.write(out)
    updated = out.getvalue() + b"trailer\n<</Size 1>>\nstartxref\n0\n%%EOF\n"
    for pdf in (out.getvalue(), updated):
        reader = PdfReader(io.BytesIO(deterministic(pdf, date(2026, 10, 16))))
        assert (reader.metadata["/Producer"], reader.metadata["/ModDate"]) == (PRODUCER, "D:20261016000000Z")
        assert len(reader.pages) == 1
