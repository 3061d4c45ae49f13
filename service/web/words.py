"""Errors and warnings in words an officer acts on: who it is about, which detail, what to do.

The domain's issues carry a JSON path, a stable code and an English message written for school systems
("send attendance.marks", "(parents[1])"). The pages say whom the issue is about by name and role, use
their own (translated) sentence for the codes officers meet most, and for any other code keep the domain's
message with its paths and document ids turned into words. The codes stay on the links (`data-code`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from service import forms
from service.web import language
from service.web import people

# The detail a path's last name is about, as the page's rows name it.
FIELDS = {
    "forename": _l("first name"),
    "surname": _l("last name"),
    "full_name": _l("name"),
    "date_of_birth": _l("date of birth"),
    "upn": _l("unique pupil number (UPN)"),
    "postcode": _l("postcode"),
    "address": _l("address"),
    "line1": _l("address"),
    "town": _l("town"),
    "phone": _l("phone number"),
    "email": _l("email address"),
    "relationship": _l("relationship to the pupil"),
    "lives_with": _l("who the pupil lives with"),
    "id": _l("reference in the case file"),
    "start_date": _l("first day of the absence"),
    "end_date": _l("last day of the absence"),
    "unauthorised_sessions": _l("unauthorised sessions"),
    "contact_phone": _l("contact phone number"),
    "contact_email": _l("contact email address"),
    "urn": _l("URN"),
    "headteacher": _l("headteacher"),
    "letter_date": _l("letter date"),
    "as_of": _l("date of the attendance figures"),
    "marks": _l("register marks"),
    "holidays": _l("school holiday dates"),
    "attendance": _l("attendance figures"),
    "class_average_sessions_missed": _l("class average of sessions missed"),
}

# Each document's title on the pages, by its id (the domain's titles are English; the id is the key).
TITLES = {
    "attendance-certificate": _l("Attendance certificate built from the register"),
    "attendance-letter-1": _l("First attendance concern letter, with a chart"),
    "attendance-letter-2": _l("Second attendance letter, inviting to an attendance meeting"),
    "dorset-holiday": _l("School attendance request for penalty notice – holiday"),
    "dorset-warning": _l("School attendance request for penalty notice warning"),
    "generic-request": _l("Request for a penalty notice"),
    "leave-refusal": _l("Leave of absence refusal letter"),
    "notice-to-improve": _l("Notice to improve school attendance"),
    "pn3": _l("School notification of unauthorised leave of absence (PN3)"),
    # Not a document of the service: the school's own letter some councils want before a penalty notice
    # (rules/first_steps.py), named in the case's history (`previous_letters[].document`).
    "warning-letter": _l("Penalty notice warning letter"),
}


def title(document_id: str) -> str:
    """Return a document's (or a history letter's) title in the page's language (the domain's English title
    for a document not listed)."""
    found = TITLES.get(document_id)
    return str(found) if found is not None else forms.get(document_id).title


# Sentences of our own for the codes officers meet most (each says what to do).
OWN: dict[str, Callable[[str], str]] = {
    "required": lambda field: _("Enter the %(field)s", field=field),
    "blank": lambda field: _("Enter the %(field)s", field=field),
    "invalid_postcode": lambda field: _("Enter a real postcode, like SN15 1ER"),
    "invalid_phone": lambda field: _("Enter a UK phone number, like 01632 960 001 or 07700 900 982"),
    "invalid_email": lambda field: _("Enter an email address in the correct format, like name@example.com"),
    "invalid_upn": lambda field: _(
        "Enter the 13-character unique pupil number (UPN) from the school's system"
    ),
    "implausible_date_of_birth": lambda field: _("Check the date of birth: it is not plausible for a pupil"),
    "second_address_required": lambda field: _(
        "Enter this parent's address: the parents live apart and the council needs both addresses"
    ),
    "lives_with_required": lambda field: _("Say which parent the pupil lives with: the parents live apart"),
    "below_compulsory_school_age": lambda field: _(
        "Not yet of compulsory school age when the absence began: no penalty notice or Notice to Improve"
    ),
    "above_compulsory_school_age": lambda field: _(
        "Past compulsory school age when the absence began: no penalty notice or Notice to Improve"
    ),
    "looked_after_child": lambda field: _("A looked-after child: no penalty notice or Notice to Improve"),
    "attendance_required": lambda field: _(
        "Add this pupil's own attendance figures: the letter reports each child's attendance"
    ),
    "class_average_required": lambda field: _(
        "Add the class average of sessions missed: the letter charts the pupil's beside it"
    ),
    "marks_required": lambda field: _(
        "Add the register marks (session by session): this document is built from them"
    ),
    "absence_type_mismatch": lambda field: _("This document is for the other type of absence"),
    "notice_to_improve_first": lambda field: _(
        "No Notice to Improve whose period has ended: for absence other than holiday a Notice to Improve "
        "comes first. Add the earlier Notice to Improve to the case's history, or the school's reason why "
        "support is not appropriate"
    ),
    "warning_letter_first": lambda field: _(
        "No warning letter sent before today: the council's rules put a warning letter before a penalty "
        "notice. Send it first, then add it to the case's history (a letter already sent)"
    ),
    "warning_letter_not_recorded": lambda field: _(
        "The council counts its deadline from the warning letter, and none is recorded: add the warning "
        "letter to the case's history so that the deadline can be checked"
    ),
    # What the rules and the attachment checks say most often beyond the fields above (their English
    # messages, written for school systems, are the fallback for any other code).
    "invalid_date": lambda field: _("Enter a real date"),
    "end_before_start": lambda field: _("Check the dates: this one is before the date it should follow"),
    "duplicate_id": lambda field: _(
        "Two people in the case file have the same reference: correct it in the school's system"
    ),
    "unknown_parent": lambda field: _(
        "This names a parent the case file does not list: correct it in the school's system"
    ),
    "totals_disagree": lambda field: _(
        "The attendance totals disagree with the register marks: the marks are used. Check the totals in the "
        "school's system"
    ),
    "totals_inconsistent": lambda field: _(
        "The attendance figures do not add up: check them in the school's system"
    ),
    "as_of_before_absence_end": lambda field: _(
        "The attendance figures are dated before the absence ended: export them again"
    ),
    "threshold_not_met": lambda field: _("The absence is below the council's threshold for a penalty notice"),
    "threshold_window_unverified": lambda field: _(
        "The absence spans more than 10 weeks: add the register marks (session by session) so that the 10 "
        "school weeks can be counted"
    ),
    "third_offence": lambda field: _(
        "A third penalty notice within three years cannot be issued: ask the council about other action, "
        "such as a prosecution"
    ),
    "late_submission": lambda field: _(
        "The council's deadline for this request may have passed: send it now"
    ),
    "attendance_year_to_date_unknown": lambda field: _(
        "This school year's attendance is not known: add the register marks or this year's totals"
    ),
    "attachment_name_mismatch": lambda field: _(
        "The certificate does not show the pupil's name: attach the certificate for this pupil"
    ),
    "attachment_stale": lambda field: _(
        "The certificate is dated before the absence ended: attach a current one"
    ),
    "attachment_no_text": lambda field: _(
        "The file has no text to read (a scan?): check that it shows the pupil's name"
    ),
    "attachment_encrypted": lambda field: _(
        "The PDF is protected by a password: attach one without a password"
    ),
    "attachment_unreadable": lambda field: _("The file is not a PDF that can be read: attach the PDF again"),
    "attachment_too_large": lambda field: _("The file is too big: at most 10 MB and 50 pages"),
    "attachment_active_content": lambda field: _(
        "The PDF carries active content (such as JavaScript or an embedded file): attach a plain PDF, for "
        "example printed to PDF again"
    ),
    "invalid_characters": lambda field: (
        _("Remove the control or unprintable characters from the %(field)s", field=field)
        if field
        else _("Remove the control or unprintable characters")
    ),
    "document_not_for_council": lambda field: _("This council does not take this document"),
    "term_dates_required": lambda field: _(
        "Add the school's holiday dates: the Notice to Improve counts its improvement period in school days"
    ),
    "not_allowed_by_rules": lambda field: _("The rules do not allow this document for this pupil"),
    "term_dates_unknown": lambda field: _(
        "Add the school's holiday dates, so that dates counted in school days skip the holidays"
    ),
}
# Codes whose domain message carries the case's own figures or the council's words (the totals that
# disagree, the deadline, the date on a certificate): English pages keep it; Welsh pages say it in Welsh.
DETAILED = frozenset(
    {
        "totals_disagree",
        "totals_inconsistent",
        "late_submission",
        "threshold_window_unverified",
        "attachment_stale",
        "attachment_too_large",
        "attachment_active_content",
        "attachment_unreadable",
        "attachment_encrypted",
        "attachment_no_text",
        "attachment_name_mismatch",
        "third_offence",
        "as_of_before_absence_end",
        "warning_letter_not_recorded",
    }
)
PATHS = (
    # How a case file records a letter (`document warning-letter, sent_on`): an officer uses the history form.
    (re.compile(r"\s*\(document warning-letter(?:, [a-z_]+)*\)"), ""),
    (re.compile(r"\s*\((?:parents|pupils)\[\d+\]\)"), ""),
    (re.compile(r"\bschool\.holidays\b"), _l("the school's holiday dates")),
    (re.compile(r"\b(?:pupils\[\d+\]\.)?attendance\.marks\b"), _l("the register marks (session by session)")),
    (re.compile(r"\bresponsible_parent_ids\b"), _l("the parents responsible")),
    (re.compile(r"\bprevious_penalty_notices\b"), _l("the earlier penalty notices")),
    (re.compile(r"\bprevious_notices_to_improve\b"), _l("the earlier Notices to Improve")),
    (re.compile(r"\bprevious_letters\b"), _l("the letters already sent")),
    (re.compile(r"\bsupport_not_appropriate\b"), _l("the reason support is not appropriate")),
)
# A JSON path of the case left in a message: `pupils[0].address.postcode`, `absence.leave_request.decided_on`.
JSON_PATH = re.compile(
    r"\b(?:pupils|parents|attachments|previous_[a-z_]+)\[\d+\](?:\.[a-z_]+(?:\[\d+\])?)*"
    r"|\b(?:absence|attendance|school|leave_request|council_details)(?:\.[a-z_]+(?:\[\d+\])?)+"
)


# A field's own name left in a message (`class_average_sessions_missed`), not in an email address or a
# file's name.
FIELD_NAME = re.compile(r"(?<![\w@.-])[a-z]+(?:_[a-z]+)+(?![\w@-]|\.\w)")


def issue(data: Mapping[str, Any], path: str, code: str, message: str) -> str:
    """Return an issue as the page says it: "Sarah Brown, mother: Enter a real postcode, like SN15 1ER"."""
    field = _field(path)
    own = OWN.get(code)
    if code in DETAILED and language.current() != "cy":
        own = None  # the domain's own words carry the figures: kept on English pages
    text = own(field) if own and (field or code not in ("required", "blank")) else plain(message)
    if own and path.startswith("attachments[") and ": " in message:
        text = f"{message.partition(': ')[0]}: {text}"  # the file's name (pages._named) stays in front
    who = _who(data, path)
    return f"{who}: {text}" if who and who not in text else text


def plain(message: str) -> str:
    """Return a domain message with JSON paths and document ids put into words."""
    for pattern, words in PATHS:
        message = pattern.sub(lambda _m, w=words: str(w), message)
    message = JSON_PATH.sub(
        lambda m: str(FIELDS.get(m.group(0).split(".")[-1].split("[")[0], _("a detail"))), message
    )
    message = FIELD_NAME.sub(lambda m: str(FIELDS.get(m.group(0), m.group(0).replace("_", " "))), message)
    titles = {d.id: title(d.id) for d in forms.all()}
    return re.sub(
        r"(?<![\w-])("
        + "|".join(re.escape(i) for i in sorted(titles, key=len, reverse=True))
        + r")(?![\w-])",
        lambda m: titles[m.group(1)],
        message,
    )


def _field(path: str) -> str:
    last = re.sub(r"\[\d+\]$", "", (path or "").split(".")[-1])
    return str(FIELDS.get(last, ""))


def _who(data: Mapping[str, Any], path: str) -> str | None:
    found = people.who(data, path)
    if found:
        return found
    earlier = re.match(
        r"^(previous_penalty_notices|previous_notices_to_improve|previous_letters)\[(\d+)\]", path or ""
    )
    if not earlier:
        return None
    items = data.get(earlier.group(1))
    item = (
        items[int(earlier.group(2))]
        if isinstance(items, list) and int(earlier.group(2)) < len(items)
        else None
    )
    if not isinstance(item, Mapping):
        return None
    parent = people.parent_by_id(data, item.get("parent_id"))
    pupil = people.pupil_by_upn(data, item.get("pupil_upn"))
    if parent and pupil:
        return _("%(parent)s, for %(pupil)s", parent=parent, pupil=pupil)
    return parent or pupil
