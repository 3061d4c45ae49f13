"""What a council's own form prints about its council, from the council's data, at fill time: its name and
department in the heading, where the request goes and whom to Cc, its deadline, whom to ask. The templates
hold these as read-only fields (scripts/build_pdf_templates.py), so a corrected or added council file
(ATTENDANCE_COUNCILS_DIR) changes the printed fact with no rebuild. Each is the form's own wording (seed
004 App. 7, 8, 11) around the council's facts; a fact the council does not publish says so."""

from __future__ import annotations

from service import councils
from service.councils import Council
from service.forms import Value

PATH = "council"  # the JSON path a council fact comes from (the case's council)


def heading(council: Council) -> dict[str, Value]:
    """Return the heading's council name and department."""
    return {
        "council_name": Value(council.name, PATH),
        "council_department": Value(council.department or "", PATH),
    }


def email_request(council: Council) -> str:
    """Return `Email request to: penaltynotices@… cc: Inclusion Lead` (App. 7), or the council's route."""
    route = council.submit_to
    if route.channel != "email" or not route.to:
        return councils.route_text(council)
    cc = [*route.cc, *(["Inclusion Lead"] if route.cc_school_inclusion_lead else [])]
    return f"Email request to: {route.to}" + (f" cc: {', '.join(cc)}" if cc else "")


def email_form(council: Council) -> str:
    """Return App. 8's "Please email this form with a up to date Attendance Certificate attached and the
    Inclusion lead copied in to: …", the Cc said only where the council asks for it."""
    route = council.submit_to
    if route.channel != "email" or not route.to:
        return (
            "Please send this form with an up-to-date Attendance Certificate attached. "
            + councils.route_text(council)
        )
    copied = " and the Inclusion lead copied in" if route.cc_school_inclusion_lead else ""
    others = f" (cc: {', '.join(route.cc)})" if route.cc else ""
    return (
        f"Please email this form with a up to date Attendance Certificate attached{copied} to: {route.to}"
        + others
    )


def cc_reminder(council: Council) -> str:
    """Return the checklist's "Ensure inclusion lead has been CC'd into email." where the council asks."""
    asked = council.submit_to.cc_school_inclusion_lead
    return "•   Ensure inclusion lead has been CC'd into email." if asked else ""


def contact(council: Council) -> str:
    """Return "For further information please contact: … or alternatively phone us on …" (App. 7)."""
    found = council.contact
    email = found.email if found and found.email else None
    phone = found.phone if found and found.phone else None
    if email and phone:
        return f"For further information please contact: {email} or alternatively phone us on {phone}"
    if email or phone:
        return f"For further information please contact: {email or phone}"
    return f"For further information: {councils.UNPUBLISHED}"


def deadline(council: Council, absence_type: str) -> str:
    """Return the council's deadline for this absence type in its own words, as the form prints them
    (capitals), or say that none is published."""
    found = [d.text for d in council.deadlines if absence_type in d.absence_types]
    return " ".join(found).upper() if found else "NO DEADLINE PUBLISHED: ASK THE COUNCIL"


def with_checklist(council: Council) -> dict[str, Value]:
    """Return the facts of a form with App. 7's checklist page: the heading, the Cc and the contact."""
    return heading(council) | {
        "cc_reminder": Value(cc_reminder(council), PATH),
        "council_contact": Value(contact(council), PATH),
    }
