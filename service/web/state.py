"""What the pages carry from one post to the next: the case as uploaded and its attachments, in the body.

Nothing is kept on the server. The report page holds the case JSON (as uploaded, unchanged) in a hidden
field `case`, and each attachment uploaded on the pages in a hidden field `carried`, in the contract's
inline shape (`{"kind", "filename", "content_base64"}`). Its buttons post them back, so a download needs
no second upload and no URL ever holds case data. The upload form itself is the API's multipart shape:
a part `case` and one file part per attachment, named by its kind.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict

from service import councils
from service.api.request import attachment_parts
from service.api.request import parse_json
from service.case import ATTACHMENT_KINDS
from service.case import Attachment
from service.problems import Problem

# How each kind is named on the pages (case-format.md, "Kinds").
KIND_LABELS = {
    "attendance_certificate": _l("Attendance certificate"),
    "leave_request_form": _l("Leave of absence request form"),
    "refusal_letter": _l("Letter saying the absence is not authorised"),
    "holiday_letter": _l(
        "Letter saying the absence is not authorised, as the child is believed to have been on holiday"
    ),
    "attendance_certificate_previous_year": _l("Attendance certificate for the previous school year"),
    "headteacher_certificate": _l("Headteacher's certificate"),
    "early_help_assessment": _l("Early help assessment or plan"),
    "attendance_plan": _l("School attendance plan"),
    "parent_communication": _l(
        "Letters and other contact telling the parents (of the absence, the warning, the referral)"
    ),
    "other": _l("Other supporting documents"),
}
# Multipart framing and field names around each carried value, counted generously.
PART_OVERHEAD = 512


@dataclass(frozen=True)
class CarriedCase:
    """The case text as uploaded, the JSON object it holds, and the attachments uploaded on the pages."""

    text: str
    data: dict[str, Any]
    attachments: tuple[Attachment, ...]

    def hidden_attachments(self) -> list[str]:
        """Return one hidden-field value per attachment (the contract's inline attachment shape)."""
        return [
            json.dumps(
                {
                    "kind": a.kind,
                    "filename": a.filename,
                    "content_base64": base64.b64encode(a.content).decode("ascii"),
                }
            )
            for a in self.attachments
        ]

    def with_attachments_inline(self) -> str:
        """Return the case with the attachments uploaded on the pages added to its own (the contract's
        `attachments`), so that one file holds everything the page holds."""
        if not self.attachments:
            return self.text
        inline = self.data.get("attachments") if isinstance(self.data.get("attachments"), list) else []
        carried = [json.loads(value) for value in self.hidden_attachments()]
        return json.dumps({**self.data, "attachments": inline + carried}, ensure_ascii=False, indent=2)

    def carried_bytes(self) -> int:
        """Return about how many bytes the next post of the page will send."""
        encoded = sum(
            4 * ((len(a.content) + 2) // 3) + len(a.filename) + PART_OVERHEAD for a in self.attachments
        )
        return len(self.text.encode()) + encoded + PART_OVERHEAD


def read(form: MultiDict[str, str], files: MultiDict[str, FileStorage], uploads: bool = True) -> CarriedCase:
    """Return the case a post carries, with `remove` applied and (unless told not to) new uploads added."""
    text = _case_text(form, files)
    attachments = [_decode(value) for value in form.getlist("carried")]
    if form.get("remove"):
        attachments = _without(attachments, form["remove"])
    if uploads:
        attachments += _uploads(files)
    data = case_object(text)
    chosen = form.get("council")
    if chosen and chosen in councils.ids() and data.get("council") != chosen:
        # The officer picked the council on the upload page: the case carried on says so.
        data = {**data, "council": chosen}
        text = json.dumps(data, ensure_ascii=False, indent=2)
    return CarriedCase(text, data, tuple(attachments))


def case_object(text: str) -> dict[str, Any]:
    """Return the JSON object in a case text; the API's codes when it is not one."""
    try:
        data = parse_json(text)
    except ValueError as exc:
        raise Problem(
            400,
            "invalid_json",
            "The case file is not JSON",
            f"The case file could not be read as JSON ({type(exc).__name__}). Export it again "
            "from your school's system, or check it was saved as a .json file.",
        ) from None
    if not isinstance(data, dict):
        raise Problem(
            400,
            "case_not_object",
            "The case file is not a case",
            f"A case is a JSON object; this file holds a JSON {type(data).__name__}.",
        )
    return data


def _case_text(form: Mapping[str, str], files: Mapping[str, FileStorage]) -> str:
    upload = files.get("case")
    if upload is not None and upload.filename:
        raw = upload.read()
        try:
            return raw.decode(json.detect_encoding(raw))
        except (UnicodeDecodeError, LookupError):
            raise Problem(
                400, "invalid_json", "The case file is not JSON", "The case file is not text (UTF-8)."
            ) from None
    if form.get("case"):
        return form["case"]
    raise Problem(400, "case_missing", "No case file", "Select the case file (JSON) to check.")


def _uploads(files: MultiDict[str, FileStorage]) -> list[Attachment]:
    # The history form's own file inputs (`history-letter-copy`) are read by service/web/history.py.
    mine = MultiDict([(k, v) for k, v in files.items(multi=True) if not k.startswith("history-")])
    return attachment_parts(mine, skip_empty=True)


def changed(carried: CarriedCase, data: dict[str, Any], added: tuple[Attachment, ...]) -> CarriedCase:
    """Return the case carried on with the officer's change (its history) and the attachments it adds."""
    if data == carried.data and not added:
        return carried
    text = carried.text if data == carried.data else json.dumps(data, ensure_ascii=False, indent=2)
    return CarriedCase(text, data, carried.attachments + added)


def _decode(value: str) -> Attachment:
    try:
        item = parse_json(value)
        kind, filename = item["kind"], item.get("filename", "")
        content = base64.b64decode(item["content_base64"], validate=True)
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise _tampered() from None
    if kind not in ATTACHMENT_KINDS or not isinstance(filename, str):
        raise _tampered()
    return Attachment(kind, content, filename)


def _without(attachments: list[Attachment], index: str) -> list[Attachment]:
    if not index.isdigit() or int(index) >= len(attachments):
        raise _tampered()
    return attachments[: int(index)] + attachments[int(index) + 1 :]


def _tampered() -> Problem:
    return Problem(
        400,
        "bad_request",
        "The page was changed",
        "The attachments this page carried cannot be read. Upload the case again.",
    )
