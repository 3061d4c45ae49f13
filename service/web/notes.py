"""The councils' own notes (their files' `notes`, in English) in the page's language.

The council files are data in English, owned by the councils' issue; the pages translate a note by its
English text through the catalogue, so the notes of the councils in Wales, whose services the Welsh Language
Standards expect in Welsh, read in Welsh on a Welsh page. A note not listed here (a council file changed
since) is shown as written, marked `lang="en"`: the English is the fallback, never a wrong Welsh.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from service.web import language

# The notes of the councils in Wales (and of the national default for Wales), as their files give them.
WELSH_COUNCILS = (
    _l(
        "Only the council issues penalty notices: schools and the police request them, and an authorised "
        "officer of the council reviews the documentation."
    ),
    _l("Not for nursery or sixth-form pupils."),
    _l("9 sessions where the school uses an asymmetric week (not modelled: the service counts 10)."),
    _l(
        "The ERW common code: the same 90 % condition applies to 10 sessions of term-time holiday and to 10 "
        "sessions of lateness after the register closes."
    ),
    _l(
        "Persistent lateness on 10 or more occasions in the current term (more than 30 minutes after "
        "registration)."
    ),
    _l(
        "At least 10 sessions (5 school days) lost to unauthorised absence, not necessarily consecutive; no "
        "window is published, so the absence episode is counted."
    ),
    _l("Persistent late arrival after the register closes on at least 10 sessions."),
    _l("£60 within 28 days, £120 after 28 and before 42 days, per parent per child."),
    _l(
        "Headteachers can issue a FPN without a warning period for 10 or more unauthorised sessions coded as "
        "holiday (seed 000)."
    ),
    _l("A pupil missing 10 school days is a Children Missing Education notification to the Inclusion Team."),
    _l(
        "The council has no file here: the Education (Penalty Notices) (Wales) Regulations 2013 apply, "
        "counting the 10 sessions in the absence episode; the council's own code of conduct may count them "
        "in the current term."
    ),
)


@dataclass(frozen=True)
class Note:
    """A council's note as the page shows it, and the language it is in."""

    text: str
    lang: str


def note(text: str) -> Note:
    """Return a council's note in the page's language when the catalogue has it, else as written."""
    if language.current() == "cy":
        translated = gettext(text)
        if translated != text:
            return Note(translated, "cy")
    return Note(text, "en")
