"""What a bundle's manifest is called, which files the service signs, and the HMAC option."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

MANIFEST = "manifest.json"
MANIFEST_SIGNATURE = "manifest.json.p7s"  # detached CMS (RFC 5652) over manifest.json's bytes
SIGNED_ROLES = ("document", "generated", "merged")  # the PDFs the service produces: each PAdES-signed


def canonical(manifest: Mapping[str, Any]) -> bytes:
    """Return the bytes a signature covers: the manifest without its signature, keys sorted, compact."""
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(manifest: Mapping[str, Any], key: bytes) -> str:
    """Return the HMAC-SHA256 of the manifest, hex."""
    return hmac.new(key, canonical(manifest), hashlib.sha256).hexdigest()
