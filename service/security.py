"""API keys (stored hashed, compared in constant time) and security headers (style: one place)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import re
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ApiKey:
    """A caller's key: its name (for logs and metrics) and the SHA-256 of the key."""

    name: str
    sha256: str


def hash_key(key: str) -> str:
    """Return the hex SHA-256 of a key (keys are long random strings, so no salt or stretching is needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


def parse_keys(text: str) -> tuple[ApiKey, ...]:
    """Read `name:sha256` pairs, one per line or comma-separated; `#` starts a comment."""
    keys = []
    for raw in text.replace(",", "\n").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, digest = line.partition(":")
        digest = digest.strip().lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"API key {name.strip()!r}: give the SHA-256 of the key, 64 hex characters")
        keys.append(ApiKey(name.strip(), digest))
    return tuple(keys)


class KeysSettingError(ValueError):
    """The API keys setting is present but unusable: the service must not start (it would run open)."""


def load_keys(inline: str | None, path: str | None) -> tuple[ApiKey, ...]:
    """Return the keys from the environment value and/or a mounted file.

    A setting that is present but yields no key (`","`, `" "`, `"# todo"`, an empty or unreadable file) is
    an error, never "no keys": an operator who set it meant to lock the service.
    """
    text = "" if inline is None else str(inline)
    if path:
        try:
            text += "\n" + Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise KeysSettingError(
                f"ATTENDANCE_API_KEYS_FILE {path!r} cannot be read ({type(exc).__name__})"
            ) from None
    try:
        keys = parse_keys(text)
    except ValueError as exc:
        raise KeysSettingError(str(exc)) from None
    if not keys and (inline is not None or path):
        where = "ATTENDANCE_API_KEYS_FILE" if path else "ATTENDANCE_API_KEYS"
        raise KeysSettingError(
            f"{where} is set but holds no key: give `name:<sha256 of key>` pairs, or unset it to run "
            "for this machine only"
        )
    return keys


def keys_from_environment(environ: Mapping[str, str] | None = None) -> tuple[ApiKey, ...]:
    """Return the keys the environment configures (gunicorn's start-up check); raise KeysSettingError."""
    env = os.environ if environ is None else environ
    return load_keys(env.get("ATTENDANCE_API_KEYS"), env.get("ATTENDANCE_API_KEYS_FILE"))


def identify(presented: str | None, keys: Iterable[ApiKey]) -> str | None:
    """Return the name of the caller whose key this is, comparing every hash in constant time."""
    if not presented:
        return None
    digest = hash_key(presented)
    found = None
    for key in keys:
        if hmac.compare_digest(digest, key.sha256):
            found = key.name  # no early exit: the time taken does not depend on which key matched
    return found


class ProxySettingError(ValueError):
    """ATTENDANCE_TRUSTED_PROXIES is not a count of proxies: the service must not start."""


MAX_PROXIES = 5


def trusted_proxies(value: object) -> int:
    """Return how many reverse proxies stand in front of the service (0: none, X-Forwarded-* ignored).

    Only that many hops of X-Forwarded-For/-Proto are believed (werkzeug's ProxyFix), so a caller cannot
    claim HTTPS or another address by sending the headers itself. Anything but a whole number from 0 to 5
    stops the start.
    """
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or not str(value).strip().isdigit() or int(str(value)) > MAX_PROXIES:
        raise ProxySettingError(
            f"ATTENDANCE_TRUSTED_PROXIES {str(value)[:40]!r}: give the number of reverse proxies in front "
            f"of the service (0 to {MAX_PROXIES}), whose X-Forwarded-For and -Proto are then believed"
        )
    return int(str(value))


def is_loopback(bind: str) -> bool:
    """Return whether a gunicorn bind address listens on this machine only."""
    if bind.startswith("unix:"):
        return True
    host = bind.rsplit(":", 1)[0].strip("[]") or "0.0.0.0"
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_peer(address: str | None) -> bool:
    """Return whether a request's peer address is this machine (a unix socket has no address)."""
    if not address:
        return True  # a unix socket: only processes on this machine can connect
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


API_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"


def docs_csp(html: str) -> str:
    """Return the CSP of the API docs page: its own scripts and the one inline start-up script (by hash),
    the styles Swagger UI sets, the OpenAPI description fetched from here; nothing from elsewhere."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    )
    return (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
