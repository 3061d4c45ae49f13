"""Jobs over HTTP: GET a job's state and progress, GET its result once, DELETE to cancel; POST /batches.

Imports with `documents` (api/imports.py) and `POST /batches` answer 202 with the job's URL in `Location`.
"""

from __future__ import annotations

import atexit
import os
from datetime import UTC
from datetime import datetime
from typing import Any

from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import json
from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from service import forms
from service.api.downloads import download
from service.api.downloads import stream
from service.api.schemas import PROBLEM
from service.api.schemas import BatchQuery
from service.api.schemas import BatchSchema
from service.api.schemas import JobSchema
from service.api.schemas import ProblemSchema
from service.imports import batch
from service.jobs.queue import Jobs
from service.jobs.queue import Status
from service.jobs.settings import Settings
from service.jobs.work import Spec
from service.problems import Problem

blp = Blueprint("jobs", __name__, url_prefix="/api/v1", description="Batches as jobs: progress, one download")
MAX_CASES = 5000


def configured(app: Flask) -> Jobs | None:
    """Build the app's jobs from the environment when it names a queue (a bad setting stops the start)."""
    if app.config.get("JOBS") is not None:
        return connected(app, app.config["JOBS"])
    if os.environ.get("ATTENDANCE_REDIS_URL") or os.environ.get("ATTENDANCE_JOBS_DATABASE"):
        return connected(app, Jobs(Settings.from_env()))
    return None


def connected(app: Flask, jobs: Jobs) -> Jobs:
    """Count the jobs in the app's metrics: submissions here (and, run in this process, their work), and
    `attendance_jobs{state}` read from the queue's store at each scrape."""
    from service.jobs.queue import NoEvents
    from service.observability import Metrics

    metrics = app.extensions.setdefault("metrics", Metrics())
    if isinstance(jobs.events, NoEvents):
        jobs.events = metrics
    metrics.watch_jobs(jobs.states)
    return jobs


def current_jobs() -> Jobs:
    """Return the app's jobs; outside gunicorn with no queue set, an embedded queue run by threads here."""
    jobs = current_app.extensions.get("jobs")
    if jobs is None:
        from service.jobs.worker import in_process

        jobs, workers = in_process()
        atexit.register(workers.stop)
        current_app.extensions["jobs"] = connected(current_app, jobs)
    return jobs


def accepted(status: Status) -> Response:
    """Return 202 Accepted: the job's status, and its URL in Location."""
    response = Response(json.dumps(describe(status)), 202, mimetype="application/json")
    response.headers["Location"] = url_for("jobs.Job", job_id=status.id)
    response.headers["Retry-After"] = "2"
    return response


def submit(spec: Spec, payload: dict[str, Any]) -> Response:
    """Queue a job for the caller and answer 202."""
    return accepted(current_jobs().submit(spec, payload))


def describe(status: Status) -> dict[str, Any]:
    """Return the job's JSON (JobSchema's shape)."""
    progress = {
        "total": status.total,
        "done": status.done,
        "produced": status.produced,
        "failed": len(status.failures),
        "percent": int(100 * status.done / status.total)
        if status.total
        else (100 if status.total == 0 else 0),
    }
    links = {"self": url_for("jobs.Job", job_id=status.id)}
    if status.state == "done":
        links["result"] = url_for("jobs.JobResult", job_id=status.id)
    if status.state in ("queued", "running", "done"):
        links["cancel"] = links["self"]
    return {
        "id": status.id,
        "state": status.state,
        "document": status.document,
        "format": status.format,
        "progress": progress,
        "failures": status.failures,
        "error": status.error,
        "expires_at": datetime.fromtimestamp(status.expires_at, UTC).isoformat(timespec="seconds"),
        "links": links,
    }


def _caller() -> str | None:
    return getattr(g, "caller", None)


@blp.route("/jobs/<job_id>")
class Job(MethodView):
    @blp.response(200, JobSchema)
    @blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM, description="No such job (or expired)")
    def get(self, job_id: str) -> Response:
        """A job's state and progress: documents done of total, failures so far"""
        status = current_jobs().status(job_id, _caller())
        response = Response(json.dumps(describe(status)), 200, mimetype="application/json")
        response.headers["Cache-Control"] = "no-store"
        if status.state in ("queued", "running"):
            response.headers["Retry-After"] = "2"
        return response

    @blp.response(200, JobSchema)
    @blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM, description="No such job (or expired)")
    def delete(self, job_id: str) -> dict[str, Any]:
        """Cancel a job: its workers stop, its data (and any result) is deleted"""
        return describe(current_jobs().cancel(job_id, _caller()))


@blp.route("/jobs/<job_id>/result")
class JobResult(MethodView):
    @blp.response(200, content_type="application/zip", description="The documents and summary.csv, once")
    @blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM, description="No such job (or expired)")
    @blp.alt_response(409, schema=ProblemSchema, content_type=PROBLEM, description="Not done yet")
    @blp.alt_response(410, schema=ProblemSchema, content_type=PROBLEM, description="Downloaded or cancelled")
    def get(self, job_id: str) -> Response:
        """The job's ZIP: downloaded once, then deleted"""
        jobs = current_jobs()
        archive = jobs.take_result(job_id, _caller())
        return download(stream(archive), f"job-{job_id[:8]}.zip", "application/zip")


@blp.route("/batches")
class Batches(MethodView):
    @blp.arguments(BatchQuery, location="query")
    @blp.arguments(BatchSchema)
    @blp.response(202, JobSchema, description="Queued: the job's URL is in Location")
    @blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM, description="Unknown document")
    @blp.alt_response(400, schema=ProblemSchema, content_type=PROBLEM, description="Format or size refused")
    def post(self, query: dict[str, Any], body: dict[str, Any]) -> Response:
        """Produce one document for each of many cases, as a job"""
        document = forms.get(query["document"])
        fmt = batch.output_format(document, query.get("format"), "pdf")
        cases = body["cases"]
        if not cases or len(cases) > MAX_CASES:
            raise Problem(400, "batch_size", "Batch size refused", f"Send 1 to {MAX_CASES} cases.")
        return submit(Spec("cases", document.id, fmt, {}, _caller()), {"cases": cases})
