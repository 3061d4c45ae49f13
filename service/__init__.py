"""School attendance paperwork: the app factory, which only wires config, engines and the API."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from service import limits
from service import security
from service.config import DEFAULTS
from service.engines import Engines
from service.observability import configure_logging
from service.version import VERSION as __version__


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create the Flask app: settings, engines, the API and its error handling."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env(DEFAULTS["ENV_PREFIX"])
    if test_config:
        app.config.from_mapping(test_config)
    app.config["API_VERSION"] = __version__
    # A bad budget stops the start (BudgetSettingError), never a service without one.
    app.config["REQUEST_BUDGET"] = limits.budget_seconds(app.config.get("REQUEST_BUDGET"))
    proxies = security.trusted_proxies(app.config.get("TRUSTED_PROXIES"))
    app.config["TRUSTED_PROXIES"] = proxies
    if proxies:
        # Behind a configured proxy only: its X-Forwarded-Proto says HTTPS (Secure cookies), its
        # X-Forwarded-For the caller (the local-only check judges that caller too).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.json.sort_keys = False  # keep the contract's key order
    app.extensions["engines"] = app.config.get("ENGINES") or Engines.from_settings(app.config)
    configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    from service import api
    from service import councils
    from service import forms

    # The registries fail loudly now, not on a first request: a bad council file stops the start.
    councils.load(app.config.get("COUNCILS_DIR") or None)
    councils.check_documents(forms.ids())

    api.register(app)
    from service import web

    web.register(app)  # the officer pages at / (CSRF-protected; the API stays exempt)
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    # pyHanko logs failed certificate paths with the certificate's subject (a school, a headteacher's
    # name): the verify answer says what failed, the log must not.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return app
