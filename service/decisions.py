"""What the rules decide of a case, as frozen typed objects, and the schemas that dump them.

A case is a family: every decision that can differ between its people is held per pupil (`PupilDecision`)
or per liable parent and pupil (`Notice`); the top-level fields of `PenaltyNoticeDecision` only summarise
and never stand for a pair that differs (`uniform` says whether they do). The schemas below are the one
JSON shape of the decisions: the report, the manifest and the OpenAPI description all use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from marshmallow import Schema
from marshmallow import fields

from service.rules.threshold import ThresholdResult


@dataclass(frozen=True)
class PupilDecision:
    """One pupil: compulsory school age on the absence's first day, what bars a notice, the refusal letter."""

    index: int  # in case.pupils: the JSON path is pupils[index]
    upn: str
    compulsory_school_age: bool
    compulsory_school_age_from: date
    compulsory_school_age_until: date
    leave_refusal_variant: str
    bar: str | None = None  # below/above_compulsory_school_age, looked_after_child
    threshold: ThresholdResult | None = None  # from this pupil's own register when sent, else the case's


@dataclass(frozen=True)
class Notice:
    """The penalty notice one liable parent would receive for one pupil, or why not."""

    parent_id: str
    pupil_upn: str
    allowed: bool
    reason: str
    notice_number: int | None = None
    amount_early: int | None = None
    amount_full: int | None = None
    early_days: int | None = None
    full_days: int | None = None
    parent_index: int = 0  # parents[parent_index]
    pupil_index: int = 0  # pupils[pupil_index]
    # England, irregular absence: the Notice to Improve this pair had first (its period's end), if any.
    notice_to_improve_ended: date | None = None
    # Where the council puts a warning letter first: the latest one this pair was sent, if any.
    warning_letter_sent: date | None = None


@dataclass(frozen=True)
class FirstStepDecision:
    """What the council puts before a penalty notice for this absence, read from its data: a Notice to
    Improve (who issues it, and for how long), a warning letter, or nothing; with the source it is read in."""

    step: str  # notice_to_improve, warning_letter, none
    source: str  # the title of the source, with the date it was read
    basis: str = "council_file"  # or national_default: the file states nothing for this absence type
    issued_by: str | None = None  # the Notice to Improve's issuer: school or council (None: not published)
    weeks: int | None = None  # its improvement period


@dataclass(frozen=True)
class PenaltyNoticeDecision:
    """The penalty-notice decision: each parent-and-pupil notice, and a summary of the highest allowed."""

    allowed: bool
    reason: str
    notices: tuple[Notice, ...]
    notice_number: int | None = None
    amount_early: int | None = None
    amount_full: int | None = None
    early_days: int | None = None
    full_days: int | None = None
    uniform: bool = True  # every notice has the same number, amounts and reason
    first_step: FirstStepDecision | None = None  # None: the council's data puts nothing first

    def allowed_notices(self) -> tuple[Notice, ...]:
        """Return the notices that may be issued."""
        return tuple(n for n in self.notices if n.allowed)


@dataclass(frozen=True)
class NoticeToImproveDecision:
    """Whether a Notice to Improve may be issued, and its improvement period when it can be computed."""

    allowed: bool
    reason: str
    period_start: date | None = None
    period_end: date | None = None
    weeks: int | None = None


@dataclass(frozen=True)
class Decisions:
    """Everything the rules decide of one case."""

    compulsory_school_age: bool  # every pupil is of compulsory school age
    threshold_met: bool
    threshold: ThresholdResult
    penalty_notice: PenaltyNoticeDecision
    notice_to_improve: NoticeToImproveDecision
    leave_refusal_variant: str  # the first pupil's; each pupil's is in `pupils`
    pupils: tuple[PupilDecision, ...]

    def pupil(self, index: int) -> PupilDecision:
        """Return the decision of pupils[index]."""
        return self.pupils[index]

    def notices_for(self, pupil_index: int) -> tuple[Notice, ...]:
        """Return the notices of one pupil, one per liable parent."""
        return tuple(n for n in self.penalty_notice.notices if n.pupil_index == pupil_index)


class ThresholdSchema(Schema):
    sessions = fields.Integer(metadata={"description": "unauthorised sessions counted"})
    needed = fields.Integer(metadata={"description": "the council's threshold"})
    source = fields.String(metadata={"enum": ["marks", "totals"]})
    window_school_weeks = fields.Integer(allow_none=True)
    window_start = fields.Date(allow_none=True)
    window_end = fields.Date(allow_none=True)


class NoticeSchema(Schema):
    parent_id = fields.String()
    pupil_upn = fields.String()
    parent_index = fields.Integer(metadata={"description": "the parent is parents[parent_index]"})
    pupil_index = fields.Integer(metadata={"description": "the pupil is pupils[pupil_index]"})
    allowed = fields.Boolean()
    reason = fields.String(
        metadata={
            "description": "allowed, below_compulsory_school_age, above_compulsory_school_age, "
            "looked_after_child, threshold_not_met, third_offence, notice_to_improve_first, "
            "warning_letter_first"
        }
    )
    notice_number = fields.Integer(
        allow_none=True, metadata={"description": "1 first, 2 second; 3: third_offence"}
    )
    amount_early = fields.Integer(allow_none=True, metadata={"description": "pounds; null: no reduction"})
    amount_full = fields.Integer(allow_none=True)
    early_days = fields.Integer(allow_none=True)
    full_days = fields.Integer(allow_none=True)
    notice_to_improve_ended = fields.Date(
        allow_none=True, metadata={"description": "end of the Notice to Improve this pair had first"}
    )
    warning_letter_sent = fields.Date(
        allow_none=True,
        metadata={"description": "the warning letter this pair was sent, where one comes first"},
    )


class FirstStepDecisionSchema(Schema):
    step = fields.String(metadata={"enum": ["notice_to_improve", "warning_letter", "none"]})
    source = fields.String(metadata={"description": "where the council's data reads it, and when"})
    basis = fields.String(metadata={"enum": ["council_file", "national_default"]})
    issued_by = fields.String(allow_none=True, metadata={"enum": ["school", "council", None]})
    weeks = fields.Integer(allow_none=True, metadata={"description": "the Notice to Improve's school weeks"})


class PenaltyNoticeSchema(Schema):
    allowed = fields.Boolean(metadata={"description": "at least one notice may be issued"})
    reason = fields.String()
    notice_number = fields.Integer(allow_none=True, metadata={"description": "the highest allowed"})
    amount_early = fields.Integer(allow_none=True)
    amount_full = fields.Integer(allow_none=True)
    early_days = fields.Integer(allow_none=True)
    full_days = fields.Integer(allow_none=True)
    uniform = fields.Boolean(
        metadata={"description": "false: the notices differ (number, amounts or bar): read `notices`"}
    )
    notices = fields.List(
        fields.Nested(NoticeSchema), metadata={"description": "one per liable parent × pupil"}
    )
    first_step = fields.Nested(
        FirstStepDecisionSchema,
        allow_none=True,
        metadata={"description": "what the council puts first; null: nothing"},
    )


class NoticeToImproveSchema(Schema):
    allowed = fields.Boolean()
    reason = fields.String()
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(allow_none=True, metadata={"description": "null: no term dates to count with"})
    weeks = fields.Integer(allow_none=True)


class PupilDecisionSchema(Schema):
    index = fields.Integer()
    upn = fields.String()
    compulsory_school_age = fields.Boolean()
    compulsory_school_age_from = fields.Date()
    compulsory_school_age_until = fields.Date()
    leave_refusal_variant = fields.String(
        metadata={"enum": ["not-statutory-age", "statutory-age", "not-requested-in-advance"]}
    )
    bar = fields.String(allow_none=True)
    threshold = fields.Nested(ThresholdSchema, allow_none=True)


class DecisionsSchema(Schema):
    compulsory_school_age = fields.Boolean(
        metadata={"description": "every pupil is of compulsory school age"}
    )
    threshold_met = fields.Boolean()
    threshold = fields.Nested(ThresholdSchema)
    penalty_notice = fields.Nested(PenaltyNoticeSchema)
    notice_to_improve = fields.Nested(NoticeToImproveSchema)
    leave_refusal_variant = fields.String(metadata={"description": "the first pupil's; each in `pupils`"})
    pupils = fields.List(fields.Nested(PupilDecisionSchema))
