"""The pages: start, upload, the report (check answers, errors, checklist), downloads; GOV.UK error pages.

Each view parses the post, makes one domain call and renders. Everything with case data is a POST; the
case travels in the body (service/web/state.py), never in a URL, and no response is cached.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Response
from flask import abort
from flask import current_app
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import HTTPException

from service import bundles
from service import councils
from service import lanes
from service import problems
from service.api import downloads
from service.api.jobs import current_jobs
from service.assessment import evaluate
from service.documents import produce
from service.engines import ConversionUnavailable
from service.forms import UnknownDocument
from service.problems import CannotProduce
from service.problems import Problem
from service.web import blp
from service.web import csrf
from service.web import history
from service.web import imports
from service.web import language
from service.web import pages
from service.web import progress
from service.web import state

log = logging.getLogger(__name__)
FAILURES = (CannotProduce, Problem, UnknownDocument, ConversionUnavailable)
HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "request_too_large"}


@blp.before_request
def protect() -> None:
    """Give the page its CSP nonce, let hidden fields be as big as a request, and check the CSRF token; a
    call the front refused for the heavy lane (service/lanes.py) is answered before its body is read."""
    g.csp_nonce = secrets.token_urlsafe(16)
    refused = request.environ.get(lanes.REFUSED_ENVIRON)
    if refused:
        raise Problem(503, refused, "", "", {"retry_after": 5 if refused == "conversion_queue_full" else 10})
    request.max_form_memory_size = current_app.config["MAX_CONTENT_LENGTH"]
    csrf.protect()


@blp.after_request
def headers(response: Response) -> Response:
    """Add the pages' security headers; pages and downloads are never cached (they carry case data)."""
    nonce = getattr(g, "csp_nonce", "")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self'; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Same-origin posts keep their Referer: Flask-WTF checks it over HTTPS. URLs never hold case data.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if request.endpoint != "web.static":
        response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return language.remember(response)


@blp.context_processor
def page_globals() -> dict[str, Any]:
    return {
        "cspNonce": getattr(g, "csp_nonce", None),
        "kinds": state.KIND_LABELS,
        "language": language.current(),
        "languages": language.LANGUAGES,
        "language_back": _back(),
        "language_href": _language_href,
    }


# The pages the language switch returns to (GET pages, no case data); from any other page, the upload page.
RETURNS = {
    "start": "web.start",
    "upload": "web.upload",
    "import": "web.import_form",
    "batch": "web.batch_form",
}


def _back() -> str:
    here = request.endpoint if request.method == "GET" else None
    return next((name for name, endpoint in RETURNS.items() if endpoint == here), "upload")


def _language_href(code: str) -> str:
    """Return the language switch's link: back to this page (a job's progress page included)."""
    if request.endpoint == "web.job" and request.method == "GET":
        return url_for("web.language_job", code=code, job_id=request.view_args["job_id"])
    return url_for("web.language_switch", code=code, back=_back())


@blp.get("/language/<code>/job/<job_id>")
def language_job(code: str, job_id: str) -> Response:
    """Keep the chosen language and go back to the job's progress page."""
    if code not in language.LANGUAGES:
        abort(404)
    language.choose(code)
    return language.remember(redirect(url_for("web.job", job_id=job_id), 303))


@blp.get("/language/<code>/<back>")
def language_switch(code: str, back: str) -> Response:
    """Keep the chosen language in a cookie and go back to the page the switch was on (no query string)."""
    if code not in language.LANGUAGES or back not in RETURNS:
        abort(404)
    language.choose(code)
    return language.remember(redirect(url_for(RETURNS[back]), 303))


@blp.get("/")
def start() -> str:
    """The start page."""
    return render_template("web/start.html", councils=[c.name for c in councils.all()])


@blp.get("/upload")
def upload() -> str:
    """The upload form: the case file and its attachments."""
    return render_template("web/upload.html", councils=councils.all())


@blp.post("/report")
def report() -> tuple[str, int]:
    """Check the case (with any new attachments) and show the report (in the language chosen, if one was)."""
    language.choose(request.form.get("language"))
    try:
        carried = state.read(request.form, request.files)
    except Problem as problem:
        return render_template("web/upload.html", problem=problem, councils=councils.all()), problem.status
    found = history.change(carried.data, request.form, request.files)
    return _report(state.changed(carried, found.data, found.attachments), history_errors=found.errors)


@blp.post("/download")
def download() -> Response | tuple[str, int]:
    """Send one document of the case, or show the report with why it cannot be produced."""
    carried = state.read(request.form, request.files, uploads=False)
    document_id, _, fmt = request.form.get("document", "").rpartition(".")
    engines = current_app.extensions["engines"]
    try:
        rendered = produce(document_id, evaluate(carried.data, carried.attachments), engines, fmt)
    except FAILURES as exc:
        return _report(carried, exc)
    return downloads.download(rendered.content, rendered.filename, rendered.media_type)


@blp.post("/bundle")
def bundle() -> Response | tuple[str, int]:
    """Send the bundle for the council's penalty-notice team, or show the report with why not."""
    carried = state.read(request.form, request.files, uploads=False)
    engines = current_app.extensions["engines"]
    key = current_app.config.get("BUNDLE_SIGNING_KEY")
    try:
        archive = bundles.build(
            evaluate(carried.data, carried.attachments), engines, key=key.encode() if key else None
        )
    except FAILURES as exc:
        return _report(carried, exc)
    name = bundles.archive_name(carried.data)
    return downloads.download(downloads.stream(archive), name, "application/zip")


@blp.post("/case-file")
def case_file() -> Response:
    """Send the case as the page holds it (history added, the page's attachments inline), to keep."""
    carried = state.read(request.form, request.files, uploads=False)
    name = bundles.archive_name(carried.data).removesuffix("-bundle.zip") + "-case.json"
    return downloads.download(carried.with_attachments_inline().encode(), name, "application/json")


@blp.get("/import")
def import_form() -> str:
    """The export form: the council, the school, and the CTF or CSV export."""
    return _import_form({}, [])


@blp.post("/import")
def import_scan() -> tuple[str, int] | Response:
    """Scan a school's export and list its pupils, each with a button to check their case; or, with a
    document chosen, start the job that makes it for every eligible pupil and show its progress."""
    files = {name: upload.read() for name, upload in request.files.items() if upload.filename}
    try:
        if request.form.get("documents"):
            status = imports.submit(request.form, files.get("file"), files.get("pupils"), _job_owner())
            return redirect(url_for("web.job", job_id=status.id), 303)
        page = imports.scan(request.form, files.get("file"), files.get("pupils"))
    except (Problem, UnknownDocument) as exc:
        problem = problems.from_exception(exc)
        assert problem is not None
        return _import_form(request.form, imports.form_errors(problem)), problem.status
    return render_template("web/scan.html", page=page), 200


def _import_form(form: Any, errors: list[pages.Link]) -> str:
    return render_template(
        "web/import.html",
        fields=imports.SCHOOL_FIELDS,
        form=form,
        errors=errors,
        councils=councils.all(),
        council_fields=imports.COUNCIL_DETAILS,
        countries=imports.COUNTRIES,
        not_listed=imports.NOT_LISTED,
        documents=imports.documents(),
    )


@blp.get("/batch")
def batch_form() -> str:
    """The batch form: many case files, one document each, as a job."""
    return _batch_form({}, [])


@blp.post("/batch")
def batch_start() -> tuple[str, int] | Response:
    """Start the job that makes one document for each case file uploaded, and show its progress."""
    texts = [(u.filename or "", u.read()) for u in request.files.getlist("cases") if u.filename]
    try:
        status = imports.submit_cases(texts, request.form, _job_owner())
    except (Problem, UnknownDocument) as exc:
        problem = problems.from_exception(exc)
        assert problem is not None
        return _batch_form(request.form, imports.form_errors(problem)), problem.status
    return redirect(url_for("web.job", job_id=status.id), 303)


def _batch_form(form: Any, errors: list[pages.Link]) -> str:
    from service.api.jobs import MAX_CASES

    return render_template(
        "web/batch.html", form=form, errors=errors, documents=imports.all_documents(), limit=f"{MAX_CASES:,}"
    )


@blp.get("/jobs/<job_id>")
def job(job_id: str) -> Response:
    """A job's progress; while it runs the page reloads itself (no JavaScript) unless the officer stops it."""
    found = progress.page(current_jobs().status(job_id, _job_owner()))
    refreshing = found.active and request.args.get("refresh") != "off"
    response = Response(
        render_template("web/job.html", job=found, refreshing=refreshing, seconds=progress.REFRESH_SECONDS)
    )
    if refreshing:
        response.headers["Refresh"] = str(progress.REFRESH_SECONDS)
    return response


@blp.post("/jobs/<job_id>/cancel")
def job_cancel(job_id: str) -> Response:
    """Cancel a job: its workers stop at the next pupil and what it made is deleted."""
    current_jobs().cancel(job_id, _job_owner())
    return redirect(url_for("web.job", job_id=job_id), 303)


@blp.post("/jobs/<job_id>/download")
def job_download(job_id: str) -> Response:
    """Send the job's ZIP (its documents and summary.csv): once, then it is deleted."""
    archive = current_jobs().take_result(job_id, _job_owner())
    return downloads.download(downloads.stream(archive), f"documents-{job_id[:8]}.zip", "application/zip")


def _job_owner() -> str:
    generate_csrf()  # the session's CSRF secret exists from here on
    return progress.owner(session["csrf_token"], current_app.config["SECRET_KEY"], g.get("caller"))


def _report(
    carried: state.CarriedCase,
    failure: Exception | None = None,
    history_errors: tuple[history.FieldError, ...] = (),
) -> tuple[str, int]:
    language.suggest_welsh(pages.welsh_council(carried.data))
    problem = problems.from_exception(failure) if failure else None
    engines = current_app.extensions["engines"]
    page = pages.report(
        carried.data,
        carried.attachments,
        engines.converter.available()[0],
        problem,
        _too_big(carried),
        history.form(carried.data, request.form, history_errors),
    )
    status = problem.status if problem else (400 if history_errors else 200)
    return render_template("web/report.html", page=page, carried=carried), status


def _too_big(carried: state.CarriedCase) -> str | None:
    """Say so when the page could not post its attachments back (base64 makes them a third bigger)."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if carried.carried_bytes() <= limit:
        return None
    return _(
        "The attachments are too big to carry on this page: %(size)s MB once encoded, more than the "
        "%(limit)s MB a request can hold. Remove one, or send smaller PDFs.",
        size=f"{carried.carried_bytes() / 2**20:.1f}",
        limit=f"{limit / 2**20:.0f}",
    )


@blp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError) -> tuple[str, int, dict[str, str]]:
    """A post without a valid token: a page from elsewhere, or one left open too long."""
    problem = Problem(
        400,
        "csrf_failed",
        _("This page has expired"),
        _(
            "The form did not come from this service's page, or the page was left open too long. "
            "Nothing was kept: upload the case again."
        ),
    )
    return _error_page(problem)


@blp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[str, int, dict[str, str]]:
    """Not found, wrong method, too large: a GOV.UK error page with the API's code."""
    status = error.code or 500
    if status == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"] / 2**20
        detail = _(
            "A case and its attachments can be %(limit)s MB at most, and each attachment 10 MB.",
            limit=f"{limit:.0f}",
        )
        return _error_page(Problem(413, "request_too_large", _("The files are too big"), detail))
    return _error_page(
        Problem(status, HTTP_CODES.get(status, "http_error"), error.name, error.description or "")
    )


@blp.errorhandler(Exception)
def failed(error: Exception) -> tuple[str, int, dict[str, str]]:
    """A domain problem as a GOV.UK error page; anything else a 500 without details."""
    problem = problems.from_exception(error)
    if problem is None:
        log.error("unhandled %s", type(error).__name__)  # the type only: messages may carry case data
        problem = Problem(
            500, "internal_error", _("Sorry, there is a problem with the service"), _("Try again later.")
        )
    return _error_page(problem)


def _error_page(problem: Problem) -> tuple[str, int, dict[str, str]]:
    headers = dict(problem.extra.get("_headers", {}))
    if "retry_after" in problem.extra:
        headers.setdefault("Retry-After", str(problem.extra["retry_after"]))  # RFC 9110 §10.2.3
    g.problem_code = problem.code  # counted in the failure metrics as the API's problems are
    words = _busy_words(problem)
    if words:
        problem = Problem(problem.status, problem.code, *words, problem.extra)
    return render_template("web/error.html", problem=problem), problem.status, headers


def _busy_words(problem: Problem) -> tuple[str, str] | None:
    """Say in the officer's words what the API says for a developer: busy, restarting, out of time."""
    if problem.code == "conversion_queue_full":
        return _("The service is busy"), _(
            "Many letters and bundles are being made at the moment. Nothing was kept: try again in a few "
            "seconds. To make a whole school's letters, use \"Make documents for many case files\".")
    if problem.code == "conversion_unavailable":
        return _("Letters cannot be made at the moment"), _(
            "The part of the service that makes letters and bundles is restarting. Nothing was kept: try "
            "again in a minute.")
    if problem.code == "time_budget_exceeded":
        return _("The files took too long to read"), _(
            "Reading the PDFs attached took longer than the service allows for one page (%(seconds)s "
            "seconds). Attach fewer or smaller PDFs, or scanned pages saved as a plain PDF, and try again.",
            seconds=f"{problem.extra.get('budget_seconds') or 0:g}")
    return None
