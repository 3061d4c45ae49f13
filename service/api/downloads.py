"""Downloads as the API and the pages send them: an attachment name, no caching, archives streamed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO
from urllib.parse import quote

from flask import Response

CHUNK = 64 * 1024


def download(content: bytes | Iterator[bytes], filename: str, media_type: str) -> Response:
    """Return content as a file download that no cache keeps."""
    response = Response(content, mimetype=media_type)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def stream(archive: IO[bytes]) -> Iterator[bytes]:
    """Send an archive in chunks and close (delete) it however the response ends."""
    try:
        while chunk := archive.read(CHUNK):
            yield chunk
    finally:
        archive.close()
