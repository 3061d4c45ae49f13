"""The pages' language: Welsh or English (Flask-Babel), chosen by the officer and kept in a cookie.

Order: a choice made on this request (the language switch), then the cookie of an earlier choice, then
what the case and the browser suggest: Welsh when the case's council is Welsh and the browser accepts
Welsh, or when the browser prefers Welsh to English; otherwise English. The Welsh Language Standards
expect a Welsh council's services to be offered in Welsh, so a Welsh case never needs the switch.
"""

from __future__ import annotations

from flask import Flask
from flask import Response
from flask import g
from flask import request
from flask_babel import Babel
from flask_babel import get_locale
from flask_babel import refresh

LANGUAGES = {"en": "English", "cy": "Cymraeg"}
COOKIE = "attendance_language"
COOKIE_AGE = 365 * 24 * 3600  # a year: the cookie holds only "cy" or "en"
babel = Babel()


def register(app: Flask) -> None:
    """Translate the pages from service/web/translations (compiled catalogues, committed)."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = "web/translations"
    babel.init_app(app, locale_selector=select)


def select() -> str:
    """Return the language of this response."""
    chosen = getattr(g, "language", None) or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    browser = request.accept_languages
    if getattr(g, "welsh_council", False) and browser.best_match(["cy"]) is not None:
        return "cy"
    return "cy" if browser.best_match(["en", "cy"]) == "cy" else "en"


def choose(language: str | None) -> None:
    """Use the language the officer chose on this request (ignored unless it is one of ours)."""
    if language in LANGUAGES:
        g.language = language
        refresh()


def suggest_welsh(welsh_council: bool) -> None:
    """Say that the case on this page belongs to a Welsh council (before anything is translated)."""
    g.welsh_council = welsh_council
    refresh()


def current() -> str:
    """Return the language of this response: `cy` or `en`."""
    return str(get_locale() or "en")


def remember(response: Response) -> Response:
    """Keep the officer's choice (and nothing else) in a cookie."""
    chosen = getattr(g, "language", None)
    if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen:
        secure = bool(request.is_secure)
        response.set_cookie(COOKIE, chosen, max_age=COOKIE_AGE, samesite="Lax", httponly=True, secure=secure)
    return response
