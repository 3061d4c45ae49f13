"""The outcome at the top of the report page: what the case allows for each pupil and each liable parent,
what is still missing, and the next step, in words an officer acts on.

Built from the one assessment (typed decisions per parent × pupil), never from the report's JSON: a
summary never hides a pair that differs, and every outcome (a notice, a Notice to Improve first, a third
notice, a child under five, a case below the threshold, a council with no request form) has a next step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from service.case import Case
from service.councils import Council
from service.decisions import Decisions
from service.decisions import Notice
from service.decisions import PupilDecision
from service.text import pounds
from service.web import language
from service.web import notes
from service.web import people

VARIANTS = {
    "statutory-age": _l("the letter for a child of compulsory school age"),
    "not-statutory-age": _l("the letter for a child not of compulsory school age"),
    "not-requested-in-advance": _l("the letter for leave not requested in advance"),
}


@dataclass(frozen=True)
class PairLine:
    """One liable parent's penalty notice for one pupil, or why there is none."""

    parent: str  # "Sarah Brown, mother"
    text: str
    allowed: bool


@dataclass(frozen=True)
class PupilOutcome:
    """One pupil: their age status, a line per liable parent, and which refusal letter fits them."""

    name: str
    anchor: str
    status: str
    allowed: bool
    notices: tuple[PairLine, ...]
    letter: str


@dataclass(frozen=True)
class Outcome:
    """The top of the report page."""

    headline: str
    threshold: str
    pupils: tuple[PupilOutcome, ...]
    improve: str
    steps: tuple[str, ...]
    council_notes: tuple[notes.Note, ...]


@dataclass(frozen=True)
class Context:
    """What the page knows beyond the decisions: errors, missing attachments, the request form."""

    has_errors: bool = False
    missing_attachments: bool = False
    request_form: str | None = None  # the council's form the case can fill, if any
    form_blocked_by: tuple[
        str, ...
    ] = ()  # why none can, by person ("Ivy Brown: below compulsory school age")


def build(
    data: Mapping[str, Any], case: Case, council: Council, decisions: Decisions, context: Context
) -> Outcome:
    """Return the outcome of an assessed case."""
    pupils = tuple(_pupil(data, case, decisions, p) for p in decisions.pupils)
    return Outcome(
        headline=_headline(pupils, decisions, context.has_errors),
        threshold=_threshold(decisions),
        pupils=pupils,
        improve=_improve(decisions),
        steps=tuple(_steps(case, council, decisions, context)),
        council_notes=tuple(notes.note(n) for n in council.notes),
    )


def _pupil(data: Mapping[str, Any], case: Case, decisions: Decisions, pupil: PupilDecision) -> PupilOutcome:
    lang = language.current()
    if pupil.compulsory_school_age:
        status = _("Of compulsory school age")
    elif pupil.bar == "below_compulsory_school_age":
        status = _(
            "Below compulsory school age: from %(date)s",
            date=people.day(pupil.compulsory_school_age_from, lang),
        )
    elif pupil.bar == "above_compulsory_school_age":
        status = _(
            "Past compulsory school age (it ended %(date)s)",
            date=people.day(pupil.compulsory_school_age_until, lang),
        )
    else:
        status = _("Not of compulsory school age")
    if pupil.bar == "looked_after_child":
        status = _("A looked-after child")
    notices = tuple(
        PairLine(people.parent_name(data, n.parent_index), notice_text(n), n.allowed)
        for n in decisions.notices_for(pupil.index)
    )
    return PupilOutcome(
        name=people.pupil_name(data, pupil.index),
        anchor=f"outcome-pupil-{pupil.index}",
        status=status,
        allowed=any(n.allowed for n in notices),
        notices=notices,
        letter=str(VARIANTS.get(pupil.leave_refusal_variant, pupil.leave_refusal_variant)),
    )


def notice_text(notice: Notice) -> str:
    """Return a notice in words: its number and amounts, or why this parent gets none for this child."""
    if notice.allowed:
        if notice.amount_early is None:
            return _(
                "Penalty notice %(number)s: %(full)s, paid within %(full_days)s days (no reduced amount)",
                number=notice.notice_number,
                full=pounds(notice.amount_full),
                full_days=notice.full_days,
            )
        return _(
            "Penalty notice %(number)s: %(early)s if paid within %(early_days)s days, %(full)s within "
            "%(full_days)s days",
            number=notice.notice_number,
            early=pounds(notice.amount_early),
            early_days=notice.early_days,
            full=pounds(notice.amount_full),
            full_days=notice.full_days,
        )
    return REASONS.get(notice.reason, lambda: _("No penalty notice"))()


REASONS = {
    "below_compulsory_school_age": lambda: _("No penalty notice: the child is below compulsory school age"),
    "above_compulsory_school_age": lambda: _("No penalty notice: the child is past compulsory school age"),
    "looked_after_child": lambda: _("No penalty notice: the child is looked after"),
    "threshold_not_met": lambda: _("No penalty notice: the absence is below the council's threshold"),
    "third_offence": lambda: _(
        "No penalty notice: this parent has had two for this child in the last three years"
    ),
    "notice_to_improve_first": lambda: _("No penalty notice yet: a Notice to Improve comes first"),
    "warning_letter_first": lambda: _("No penalty notice yet: a warning letter comes first"),
}
# What a council's file can put first (rules/first_steps.py), as the next step names it.
FIRST_STEPS = {
    "notice_to_improve": lambda: _("a Notice to Improve"),
    "warning_letter": lambda: _("a warning letter"),
}


def _headline(pupils: tuple[PupilOutcome, ...], decisions: Decisions, has_errors: bool) -> str:
    allowed = sum(1 for p in pupils if p.allowed)
    if has_errors:
        prefix = _("Once the problems are corrected: ")
    else:
        prefix = ""
    if allowed == len(pupils) and pupils:
        text = _("penalty notices are allowed for every pupil")
    elif allowed:
        text = _(
            "penalty notices are allowed for %(allowed)s of the %(count)s pupils",
            allowed=allowed,
            count=len(pupils),
        )
    elif decisions.notice_to_improve.allowed:
        text = _("a Notice to Improve is allowed, not yet a penalty notice")
    else:
        text = _("no penalty notice is allowed")
    return (prefix + text)[:1].upper() + (prefix + text)[1:]


def _threshold(decisions: Decisions) -> str:
    t = decisions.threshold
    where = _("from the register marks") if t.source == "marks" else _("from the totals sent")
    if t.window_start and t.window_end:
        lang = language.current()
        where = _(
            "%(where)s, between %(start)s and %(end)s",
            where=where,
            start=people.day(t.window_start, lang),
            end=people.day(t.window_end, lang),
        )
    if t.met:
        return _(
            "%(sessions)s unauthorised sessions %(where)s: the council's threshold of %(needed)s is met.",
            sessions=t.sessions,
            where=where,
            needed=t.needed,
        )
    return _(
        "%(sessions)s unauthorised sessions %(where)s: below the council's threshold of %(needed)s.",
        sessions=t.sessions,
        where=where,
        needed=t.needed,
    )


def _improve(decisions: Decisions) -> str:
    improve = decisions.notice_to_improve
    if improve.allowed:
        if improve.period_end is not None:
            lang = language.current()
            return _(
                "A Notice to Improve is allowed: its improvement period would run from %(start)s to %(end)s.",
                start=people.day(improve.period_start, lang),
                end=people.day(improve.period_end, lang),
            )
        return _("A Notice to Improve is allowed.")
    return {
        "holiday": lambda: _("A Notice to Improve is not used for holiday absence."),
        "not_england": lambda: _("Notices to Improve are not used in Wales."),
        "threshold_not_met": lambda: _("A Notice to Improve is not allowed: the threshold is not met."),
    }.get(improve.reason, lambda: _("A Notice to Improve is not allowed for this case."))()


def _steps(case: Case, council: Council, decisions: Decisions, context: Context) -> list[str]:
    steps = []
    allowed = decisions.penalty_notice.allowed_notices()
    name = council.name_cy if language.current() == "cy" and council.name_cy else council.name
    if context.has_errors:
        steps.append(
            _("Correct the problems listed under “What is still missing”, then check the case again.")
        )
    # What the council's own file puts first (rules/first_steps.py); the national framework's, lent to a
    # file that says nothing, is not the council's word.
    first = decisions.penalty_notice.first_step
    if first and first.basis == "council_file":
        steps.append(
            _("%(council)s asks for this first: %(step)s", council=name, step=FIRST_STEPS[first.step]())
        )
    reasons = {n.reason for n in decisions.penalty_notice.notices}
    if allowed and context.form_blocked_by:
        steps.append(
            _(
                "The council's request form cannot be filled for this case: %(why)s. Refer the pupils who "
                "can have a notice in a case of their own (without the pupils above), or ask %(council)s's "
                "attendance team.",
                why="; ".join(context.form_blocked_by),
                council=name,
            )
        )
    elif allowed:
        if context.missing_attachments:
            steps.append(_("Add the missing attachments below, then check the case again."))
        steps += _send(council, name, context.request_form)
    elif "notice_to_improve_first" in reasons or decisions.notice_to_improve.allowed:
        steps.append(
            _(
                "Issue a Notice to Improve first (download it beside). If attendance has not improved by the "
                "end of its improvement period, check the case again for a penalty notice."
            )
        )
    elif "warning_letter_first" in reasons:
        steps.append(
            _(
                "Send the parents a warning letter first. Then add it to the case's history (“A letter "
                "already sent”) and check the case again for a penalty notice."
            )
        )
    elif "third_offence" in reasons:
        steps.append(
            _(
                "A third penalty notice within three years cannot be issued. Ask %(council)s's attendance "
                "team about other action, such as a prosecution.",
                council=name,
            )
        )
    elif not decisions.threshold.met:
        steps.append(
            _(
                "Nothing to send to the council: the absence is below its threshold. Keep following the "
                "school's attendance procedures and check the case again if absence continues."
            )
        )
    else:
        steps.append(
            _(
                "Nothing to send to the council: no pupil in this case can be given a penalty notice "
                "(the reasons are beside each pupil)."
            )
        )
    if (
        case.absence.type == "holiday"
        and not _sent(case, "leave-refusal")
        and council.accepts("leave-refusal")
    ):
        steps.append(
            _(
                "Send the parents the leave-refusal letter, if the school has not already "
                "(download it beside)."
            )
        )
    return steps


def _send(council: Council, name: str, request_form: str | None) -> list[str]:
    submit = council.submit_to
    team = submit.team or _("the penalty-notice team")
    if request_form:
        where = submit.to or submit.url
        if where:
            return [
                _(
                    "Download the bundle and send it to %(council)s, %(team)s: %(where)s.",
                    council=name,
                    team=team,
                    where=where,
                )
            ]
        return [
            _(
                "Download the bundle. %(council)s does not publish where to send it: ask its "
                "attendance team.",
                council=name,
            )
        ]
    contact = council.contact
    if contact and contact.email:
        return [
            _(
                "%(council)s takes no request form through this service: refer the case to its %(team)s "
                "(%(email)s) and keep the attendance certificate and letters ready.",
                council=name,
                team=contact.team or _("attendance team"),
                email=contact.email,
            )
        ]
    return [
        _(
            "%(council)s takes no request form through this service: ask its attendance team how to refer "
            "the case for a penalty notice.",
            council=name,
        )
    ]


def _sent(case: Case, document: str) -> bool:
    return any(letter.document.startswith(document) for letter in case.previous_letters)
