"""Pages for attendance officers: GOV.UK Frontend look, plain form posts, nothing kept between requests.

The blueprint serves the pages at `/` and the compiled GOV.UK Frontend assets at `/assets/`. CSRF
protection (Flask-WTF) is switched on for this blueprint only: the JSON API under /api/v1 sends no
cookies and stays exempt by construction, whatever blueprints it adds later.
"""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path

from flask import Blueprint
from flask import Flask
from flask import request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from jinja2 import BaseLoader
from jinja2 import ChoiceLoader
from jinja2 import FileSystemLoader
from jinja2 import PackageLoader
from jinja2 import PrefixLoader

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
csrf = CSRFProtect()

# The pages' security settings: fixed, not tunables (ATTENDANCE_SESSION_COOKIE_SECURE=true still applies
# behind HTTPS).
PAGE_SETTINGS = {
    "WTF_CSRF_CHECK_DEFAULT": False,  # the pages call csrf.protect() themselves; the API never does
    "SESSION_COOKIE_NAME": "attendance_csrf",  # the signed cookie holds the CSRF token, nothing else
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
}


class CsrfCookie(SecureCookieSessionInterface):
    """The signed CSRF cookie, `Secure` whenever the page was served over HTTPS: directly, or behind a
    proxy the operator configured (ATTENDANCE_TRUSTED_PROXIES, its X-Forwarded-Proto)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or request.is_secure)


class PagesBlueprint(Blueprint):
    """A blueprint whose templates are templates/web/ plus the GOV.UK Frontend Jinja macros."""

    @cached_property
    def jinja_loader(self) -> BaseLoader | None:  # type: ignore[override]
        return ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        )


blp = PagesBlueprint("web", __name__, static_folder="static", static_url_path="/assets")


def register(app: Flask) -> None:
    """Register the pages and their CSRF protection on the app."""
    app.config.update(PAGE_SETTINGS)
    key = app.config.get("SECRET_KEY")
    # ATTENDANCE_SECRET_KEY signs the CSRF cookie; every worker needs the same one (gunicorn.conf.py makes
    # one for all its workers when it is unset). A single process (flask run, tests) can make its own.
    app.config["SECRET_KEY"] = str(key) if key else secrets.token_urlsafe(32)
    app.session_interface = CsrfCookie()
    csrf.init_app(app)
    from service.web import language

    language.register(app)
    from service.web import views  # noqa: F401 - the routes register themselves on blp

    app.register_blueprint(blp)
