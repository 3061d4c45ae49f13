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

from service.councils import Council
from service.councils import Threshold
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


def rules_applied(council: Council) -> str:
    """Return whose rules a case is checked under, in the page's language: a council with no file is
    checked under its country's national rules, and the page says so (issue 13, national defaults)."""
    threshold = _threshold(council.threshold)
    if council.national and council.country == "wales":
        return gettext(
            "%(council)s has no file here: the Education (Penalty Notices) (Wales) Regulations 2013 apply: "
            "%(threshold)s.",
            council=council.name,
            threshold=threshold,
        )
    if council.national:
        return gettext(
            "%(council)s has no file here: England's national framework applies (Working together to "
            "improve school attendance, DfE 2024): %(threshold)s.",
            council=council.name,
            threshold=threshold,
        )
    return gettext(
        "%(council)s's published rules apply: %(threshold)s.", council=council.name, threshold=threshold
    )


def _threshold(t: Threshold) -> str:
    """Return the threshold as the council counts it (councils.threshold_text, in the page's language)."""
    where = {
        "rolling_school_weeks": gettext("in a rolling %(weeks)s school weeks", weeks=t.window_school_weeks),
        "current_term": gettext("in the current term"),
        "episode": gettext("in the absence episode"),
    }[t.window]
    words = gettext(
        "%(sessions)s sessions of unauthorised absence %(where)s",
        sessions=t.unauthorised_sessions,
        where=where,
    )
    if t.below_percent_year_to_date is not None:
        words += gettext(
            ", and attendance below %(percent)s%% for the school year to date",
            percent=f"{t.below_percent_year_to_date:g}",
        )
    if t.holiday_sessions_consecutive:
        words += gettext("; a holiday's sessions on consecutive school days")
    return words
