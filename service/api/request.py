"""Read a case from a request: JSON, or multipart with a `case` part and one part per attachment."""

from __future__ import annotations

import json
from typing import Any

from flask import Request
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict

from service.case import ATTACHMENT_KINDS
from service.case import Attachment
from service.problems import Problem

# A case is about six levels deep; anything much deeper is not a case, and past about 1,000 levels Python's
# json (and every recursive walk after it) runs out of stack.
MAX_JSON_DEPTH = 32


def read_case(request: Request) -> tuple[dict[str, Any], tuple[Attachment, ...]]:
    """Return the case JSON object and any attachments sent as multipart parts."""
    if request.mimetype == "application/json":
        return _object(request.get_data(cache=False)), ()
    if request.mimetype == "multipart/form-data":
        return _multipart(request)
    raise Problem(
        415,
        "unsupported_media_type",
        "Unsupported media type",
        "Send the case as application/json, or multipart/form-data with a part `case`.",
    )


def parse_json(raw: bytes | str) -> Any:
    """Return the JSON value of a body or part, refusing nesting deeper than MAX_JSON_DEPTH (400
    `json_too_deep`) however deep it goes; a body that is not JSON raises ValueError, for the caller
    to word."""
    try:
        data = json.loads(raw)
    except RecursionError:
        raise too_deep() from None
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise too_deep()
            stack += [(item, depth + 1) for item in (value.values() if isinstance(value, dict) else value)]
    return data


def too_deep() -> Problem:
    return Problem(
        400,
        "json_too_deep",
        "The JSON is nested too deeply",
        f"JSON objects and arrays may be nested {MAX_JSON_DEPTH} levels deep at most; a case needs six.",
    )


def _object(raw: bytes | str) -> dict[str, Any]:
    try:
        data = parse_json(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem(
            400,
            "invalid_json",
            "The body is not JSON",
            f"The case could not be read as JSON: {type(exc).__name__}.",
        ) from None
    if not isinstance(data, dict):
        raise Problem(
            400,
            "case_not_object",
            "The case must be a JSON object",
            f"A case is a JSON object; this body is a JSON {type(data).__name__}.",
        )
    return data


def _multipart(request: Request) -> tuple[dict[str, Any], tuple[Attachment, ...]]:
    if "case" in request.files:
        raw: bytes | str = request.files["case"].read()
    elif "case" in request.form:
        raw = request.form["case"]
    else:
        raise Problem(
            400,
            "case_missing",
            "No case part",
            "A multipart request needs a part named `case` holding the case JSON.",
        )
    return _object(raw), tuple(attachment_parts(request.files))


def attachment_parts(files: MultiDict[str, FileStorage], skip_empty: bool = False) -> list[Attachment]:
    """Return one attachment per file part, the part's name being its kind (the API and the pages alike).

    :param skip_empty: leave out parts with no file name (an HTML file input left empty still sends one).
    """
    out = []
    for kind, upload in files.items(multi=True):
        if kind == "case" or (skip_empty and not upload.filename):
            continue
        if kind not in ATTACHMENT_KINDS:
            raise Problem(
                400,
                "invalid_attachment_kind",
                "Unknown attachment kind",
                f"Part {kind[:40]!r} is not an attachment kind; known: {', '.join(ATTACHMENT_KINDS)}.",
            )
        out.append(Attachment(kind, upload.read(), (upload.filename or "")[-255:]))
    return out
