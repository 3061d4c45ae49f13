"""Defaults for the app's settings; each can be set from the environment as `ATTENDANCE_<NAME>`."""

from __future__ import annotations

import swagger_ui_bundle

DEFAULTS = {
    # A case with a few PDF attachments fits well within this; bigger is refused with a 413.
    "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
    "API_TITLE": "School attendance paperwork",
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    # Served from the installed swagger-ui-bundle: the docs page works with no internet.
    "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/assets/",
    "SWAGGER_UI_DIR": swagger_ui_bundle.swagger_ui_path,
    "ENV_PREFIX": "ATTENDANCE",
    # Set ATTENDANCE_BUNDLE_SIGNING_KEY to sign bundle manifests (HMAC-SHA256) and to check signatures.
    # Only for a deployment where the same service makes and checks bundles; schools and councils use
    # certificates (below).
    "BUNDLE_SIGNING_KEY": None,
    # The school's signing certificate and key: a mounted PKCS#12 file, its passphrase, and optionally an
    # RFC 3161 timestamping authority. Unset: bundles are made unsigned (verify says signature_missing).
    "SIGNING_PKCS12": None,
    "SIGNING_PASSPHRASE": None,
    "SIGNING_TSA_URL": None,
    # What a council trusts when it verifies bundles: folders (separated by ":") of certificates
    # (.pem/.crt/.cer/.der: schools' own, or the CAs that issue them) and CRLs (.crl).
    "TRUST_DIR": None,
    # Attachments with active content (JavaScript, actions, embedded files, XFA, rich media):
    # "refuse" (attachment_active_content) or "remove" (rewritten without it, the change reported).
    "ACTIVE_CONTENT": "refuse",
    # API keys: ATTENDANCE_API_KEYS="school-a:<sha256 of key>,la-team:<sha256>" or a mounted file of such
    # lines in ATTENDANCE_API_KEYS_FILE. Without keys gunicorn binds to localhost only.
    "API_KEYS": None,
    "API_KEYS_FILE": None,
    # A directory of council files (TOML) that add councils or replace shipped ones: ATTENDANCE_COUNCILS_DIR.
    "COUNCILS_DIR": None,
    # Every request's time budget in seconds, counted from its arrival (at the front when lanes forward it):
    # all its attachment parsing fits in it, or it is answered 503 time_budget_exceeded. 1 s up to 5 s
    # below gunicorn's worker timeout; anything else stops the start.
    "REQUEST_BUDGET": 20,
    # How many reverse proxies (TLS terminators) stand in front: their X-Forwarded-For and -Proto are
    # believed (werkzeug ProxyFix), so the pages' cookies get `Secure` behind HTTPS. 0: none believed.
    "TRUSTED_PROXIES": 0,
    # Where the converting processes publish their LibreOffice's state for /health (set by gunicorn.conf.py).
    "ENGINES_DIR": None,
}
