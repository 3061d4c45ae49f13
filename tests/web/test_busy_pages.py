"""When the heavy lane cannot take a page's call (its queue is full, or its workers are restarting), or a page's
attachments outrun the request's time budget, the officer gets a page in words, in their language, with
Retry-After: never the API's problem+json in the browser."""

from __future__ import annotations

import json

import pytest

from service.lanes import Places
from service.lanes import Router
from tests.web.conftest import Officer
from tests.web.conftest import Page


@pytest.fixture
def front(app):
    """The app behind the front's router, whose heavy lane has no free place."""
    app.wsgi_app = Router(app.wsgi_app, "/nonexistent/heavy.sock", slots=Places(0))
    return app.test_client()


@pytest.fixture
def restarting(app):
    """The app behind the front's router, whose heavy lane does not answer."""
    app.wsgi_app = Router(app.wsgi_app, "/nonexistent/heavy.sock", slots=None)
    return app.test_client()


def page_post(client, path: str, family) -> object:
    form = {"case": json.dumps(family("holiday-two-children")), "value": "leave-refusal.pdf"}
    return client.post(path, data=form, content_type="multipart/form-data")


@pytest.mark.parametrize("path", ["/download", "/bundle", "/import"])
def test_a_full_queue_answers_a_page_in_words(front, family, path):
    response = page_post(front, path, family)
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert response.headers["Retry-After"] == "5"
    page = Page(response.get_data(as_text=True))
    assert page.text_of(page.find("h1")[0]) == "The service is busy"
    assert "try again in a few seconds" in response.get_data(as_text=True)
    assert "conversion_queue_full" in response.get_data(as_text=True)  # the code, for the service desk
    assert "POST /api" not in response.get_data(as_text=True)


def test_a_full_queue_answers_the_api_in_problem_json(front, family):
    response = front.post("/api/v1/bundles", json=family("holiday-two-children"))
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "conversion_queue_full"


def test_a_full_queue_speaks_welsh_on_a_welsh_page(front, family):
    front.set_cookie("attendance_language", "cy")
    response = page_post(front, "/download", family)
    assert response.status_code == 503 and 'lang="cy"' in response.get_data(as_text=True)
    assert "The service is busy" not in response.get_data(as_text=True)


def test_restarting_workers_answer_a_page_in_words(restarting, family):
    response = page_post(restarting, "/download", family)
    assert response.status_code == 503 and response.mimetype == "text/html"
    page = Page(response.get_data(as_text=True))
    assert page.text_of(page.find("h1")[0]) == "Letters cannot be made at the moment"
    assert "Retry-After" in response.headers


def test_a_page_out_of_time_says_what_to_do(client, family):
    from tests.fuzz.test_hostile_pdfs import slow_pdf

    client.application.config["REQUEST_BUDGET"] = 1
    officer = Officer(client)
    response = officer.upload_case(family("irregular-one-child"),
                                   attendance_certificate=[slow_pdf(n) for n in range(3)])
    assert response.status_code == 503 and response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    page = Page(text)
    assert page.text_of(page.find("h1")[0]) == "The files took too long to read"
    assert "Attach fewer or smaller PDFs" in text and "POST /api" not in text
    assert int(response.headers["Retry-After"]) > 0
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'attendance_time_budget_exhausted_total{route="/report"} 1.0' in metrics
