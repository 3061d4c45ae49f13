"""Jobs in the embedded mode (Huey on SQLite, no Redis): progress, results once, cancel, expiry."""

from __future__ import annotations

import csv
import io
import time
import zipfile

import pytest

from service.jobs.errors import JobNotFinished
from service.jobs.errors import JobNotFound
from service.jobs.errors import ResultGone
from service.jobs.queue import Jobs
from service.jobs.work import Spec
from service.jobs.worker import ThreadWorkers
from tests.imports.builders import COUNCIL_DEFAULTS
from tests.imports.test_batch import school
from tests.jobs.conftest import settings_for


def wait(jobs: Jobs, job_id: str, *states: str, timeout: float = 60) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = jobs.status(job_id)
        if status.state in states:
            return status
        time.sleep(0.05)
    raise AssertionError(f"job still {jobs.status(job_id).state}")


def test_an_import_job_gives_the_zip_once(embedded: Jobs) -> None:
    spec = Spec("ctf", "notice-to-improve", "docx", COUNCIL_DEFAULTS)
    submitted = embedded.submit(spec, {"file": school()})
    assert submitted.state in ("queued", "running")
    done = wait(embedded, submitted.id, "done")
    assert (done.total, done.done, done.produced) == (4, 4, 2)
    with embedded.take_result(submitted.id) as result:
        names = zipfile.ZipFile(result).namelist()
    assert len([n for n in names if n.endswith(".docx")]) == 2
    assert "summary.csv" in names
    with pytest.raises(ResultGone):
        embedded.take_result(submitted.id)
    assert embedded.status(submitted.id).state == "downloaded"


# Cases jobs are the same for every council: a family at a council with no file, on the generic request form.
REQUEST = "generic-request"


def many_cases(count: int) -> list[dict]:
    from tests.conftest import family_case

    return [family_case("holiday-two-children") for _ in range(count)]


def test_progress_moves_and_a_cancel_stops_the_work(embedded: Jobs) -> None:
    submitted = embedded.submit(Spec("cases", REQUEST, "pdf", {}), {"cases": many_cases(60)})
    seen = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = embedded.status(submitted.id)
        seen.add(status.done)
        if status.done >= 4:
            break
        time.sleep(0.01)
    assert status.total == 60 and 0 < status.done < 60
    cancelled = embedded.cancel(submitted.id)
    assert cancelled.state == "cancelled"
    time.sleep(1.0)
    stopped_at = embedded.status(submitted.id).done
    time.sleep(1.0)
    assert embedded.status(submitted.id).done == stopped_at < 60  # the workers stopped at their next item
    assert len(seen) > 1  # progress moved while the job ran
    with pytest.raises(ResultGone):
        embedded.take_result(submitted.id)
    # Nothing of the cases is left: only the state word and the spec (what was asked), until the TTL.
    left = {k.split(":", 1)[1].split(":")[0] for k in embedded.backend.keys("")}
    assert not left & {"input", "in", "out"}


def test_the_result_asked_too_early_is_409_and_an_unknown_job_404(embedded: Jobs) -> None:
    submitted = embedded.submit(Spec("cases", REQUEST, "pdf", {}), {"cases": many_cases(40)})
    with pytest.raises(JobNotFinished):
        embedded.take_result(submitted.id)
    with pytest.raises(JobNotFound):
        embedded.status("0" * 32)
    with pytest.raises(JobNotFound):
        embedded.status("../../etc")
    embedded.cancel(submitted.id)


def test_another_callers_job_is_not_found(embedded: Jobs) -> None:
    submitted = embedded.submit(Spec("cases", REQUEST, "pdf", {}, owner="school-a"), {"cases": many_cases(1)})
    assert embedded.status(submitted.id, "school-a").id == submitted.id
    with pytest.raises(JobNotFound):
        embedded.status(submitted.id, "school-b")


def test_everything_is_gone_after_the_ttl(tmp_path) -> None:
    from service.jobs.worker import ThreadWorkers
    from tests.jobs.conftest import settings_for

    jobs = Jobs(settings_for(tmp_path / "jobs.db", ttl=2))
    workers = ThreadWorkers(jobs).start()
    try:
        submitted = jobs.submit(Spec("cases", REQUEST, "pdf", {}), {"cases": many_cases(2)})
        wait(jobs, submitted.id, "done")
        time.sleep(2.2)
        with pytest.raises(JobNotFound):
            jobs.status(submitted.id)
        jobs.backend.put("sweep", b"x", 60)  # any write sweeps the expired rows out of the file
        import sqlite3

        rows = sqlite3.connect(tmp_path / "jobs.db").execute("select key from jobs_kv").fetchall()
        assert rows == [("sweep",)]
    finally:
        workers.stop()


def test_a_cases_batch_makes_one_pdf_per_case_and_lists_the_ones_that_cannot(embedded: Jobs) -> None:
    cases = many_cases(3)
    cases[1]["pupils"][0]["upn"] = "not a upn"
    submitted = embedded.submit(Spec("cases", REQUEST, "pdf", {}), {"cases": cases})
    done = wait(embedded, submitted.id, "done")
    assert (done.produced, [f["item"] for f in done.failures]) == (2, [1])
    with embedded.take_result(submitted.id) as result:
        archive = zipfile.ZipFile(result)
        pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
        assert len(pdfs) == 2 and all(archive.read(n).startswith(b"%PDF-") for n in pdfs)
        summary = list(csv.reader(io.StringIO(archive.read("summary.csv").decode("utf-8-sig"))))
    assert summary[0] == ["item", "name", "status", "file", "reasons"] and summary[2][2] == "cannot_produce"


def test_the_jobs_metrics_count_submissions_outcomes_and_states(tmp_path) -> None:
    from service.observability import Metrics

    metrics = Metrics()
    jobs = Jobs(settings_for(tmp_path / "jobs.db"), events=metrics)
    metrics.watch_jobs(jobs.states)
    workers = ThreadWorkers(jobs, workers=2).start()
    try:
        submitted = jobs.submit(Spec("ctf", "notice-to-improve", "docx", COUNCIL_DEFAULTS), {"file": school()})
        wait(jobs, submitted.id, "done")
    finally:
        workers.stop()
    text = metrics.exposition().decode()
    assert 'attendance_jobs_submitted_total{document="notice-to-improve",format="docx"} 1.0' in text
    assert 'attendance_job_items_total{document="notice-to-improve",status="produced"} 2.0' in text
    assert 'attendance_job_items_total{document="notice-to-improve",status="cannot_produce"} 1.0' in text
    assert 'attendance_job_seconds_count{document="notice-to-improve",state="done"} 1.0' in text
    assert 'attendance_jobs{state="done"} 1.0' in text
    jobs.take_result(submitted.id).close()
    assert 'attendance_jobs{state="downloaded"} 1.0' in metrics.exposition().decode()
    assert "Ashworth" not in text and "Whitlock" not in text


def test_a_scrape_while_the_store_is_away_still_answers() -> None:
    from service.observability import Metrics

    def away() -> dict:
        raise ConnectionError("redis down")

    metrics = Metrics()
    metrics.watch_jobs(away)
    text = metrics.exposition().decode()
    assert "# TYPE attendance_jobs gauge" in text and 'attendance_jobs{state=' not in text
    assert "# TYPE attendance_requests_total counter" in text  # the rest of the service still reports


def test_worker_metrics_port_needs_a_shared_folder(monkeypatch, capsys) -> None:
    from service.cli import main
    from service.jobs.settings import new_key

    monkeypatch.setenv("ATTENDANCE_JOBS_DATABASE", "/dev/shm/never-used.db")
    monkeypatch.setenv("ATTENDANCE_JOBS_KEY", new_key())
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert main(["worker", "--workers", "1", "--metrics-port", "9108"]) == 2
    assert "--metrics-port needs PROMETHEUS_MULTIPROC_DIR" in capsys.readouterr().err


def test_the_sweep_finds_expired_rows_by_index_not_by_reading_every_result(tmp_path) -> None:
    # Each write sweeps expired rows; a scan would read through every stored result (bench/jobs.py: two
    # workers were 1.25× one on a 1,000-letter job, queued on the write lock behind it).
    from service.jobs.store import SqliteBackend

    backend = SqliteBackend(str(tmp_path / "jobs.db"))
    plan = backend._conn().execute("explain query plan delete from jobs_kv where expires < ?", (0,)).fetchall()
    assert any("USING INDEX jobs_kv_expires" in str(row[-1]) for row in plan), plan
