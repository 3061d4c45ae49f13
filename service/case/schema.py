"""The case schema (marshmallow): every field of the contract, refused with a path and a stable code."""

from __future__ import annotations

import functools
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_load
from marshmallow import validates
from marshmallow import validates_schema

from service import councils
from service.case import ABSENCE_TYPES
from service.case import ATTACHMENT_KINDS
from service.case import SESSIONS
from service.case import Absence
from service.case import Address
from service.case import Attachment
from service.case import Attendance
from service.case import Case
from service.case import CouncilDetails
from service.case import LeaveRequest
from service.case import Mark
from service.case import Parent
from service.case import PreviousLetter
from service.case import PreviousNotice
from service.case import PreviousNoticeToImprove
from service.case import Pupil
from service.case import School
from service.case import Support
from service.case.fields import LENIENT
from service.case.fields import UPN
from service.case.fields import Base64Bytes
from service.case.fields import Email
from service.case.fields import IsoDate
from service.case.fields import PersonalText
from service.case.fields import Postcode
from service.case.fields import UKPhone
from service.case.fields import problem
from service.register import ALL_CODES
from service.report import Issue
from service.report import issues_from_marshmallow

LEAVE_DECISIONS = ("refused", "authorised", "pending")
REFUSAL_GROUNDS = ("not_requested", "believed_holiday", "no_evidence_of_illness", "late_return")


def one_of(code: str, choices: tuple[str, ...]) -> Callable[[Any], None]:
    """Return a validator refusing anything outside `choices`, naming them."""

    def check(value: Any) -> None:
        if value not in choices:
            raise problem(code, f"Must be one of: {', '.join(choices)}.")

    return check


def within(low: int, high: int | None = None) -> Callable[[Any], None]:
    """Return a validator for a whole number in [low, high]."""

    def check(value: int) -> None:
        if value < low or (high is not None and value > high):
            span = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise problem("out_of_range", f"Must be {span}.")

    return check


def text(max_length: int = 200, **kwargs: Any) -> PersonalText:
    """Return a personal-text field: no blanks, no over-long values, no characters that rewrite a letter."""
    return PersonalText(max_length, **kwargs)


class BaseSchema(Schema):
    """Unknown keys are refused (marshmallow's RAISE), never dropped."""

    class Meta:
        unknown = RAISE


class AddressSchema(BaseSchema):
    line1 = text(required=True)
    line2 = text(load_default="", allow_none=True)
    town = text(required=True)
    postcode = Postcode(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Address:
        return Address(**{**data, "line2": data.get("line2") or ""})


class HolidaySchema(BaseSchema):
    start = IsoDate(required=True)
    end = IsoDate(required=True)

    @validates_schema
    def ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data["end"] < data["start"]:
            raise ValidationError(
                {"end": [{"code": "end_before_start", "message": "The holiday ends before it starts."}]}
            )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> tuple[Any, Any]:
        return (data["start"], data["end"])


class SchoolSchema(BaseSchema):
    name = text(required=True)
    urn = text(20, required=True)
    headteacher = text(required=True)
    contact_name = text(required=True)
    contact_phone = UKPhone(required=True)
    contact_email = Email(load_default=None, allow_none=True)
    inclusion_lead_email = Email(load_default=None, allow_none=True)
    upcoming_inset_days = fields.List(IsoDate(), load_default=list)
    holidays = fields.List(fields.Nested(HolidaySchema), load_default=list)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> School:
        return School(
            **{
                **data,
                "upcoming_inset_days": tuple(data["upcoming_inset_days"]),
                "holidays": tuple(data["holidays"]),
            }
        )


class PupilSchema(BaseSchema):
    upn = UPN(required=True)
    forename = text(100, required=True)
    surname = text(100, required=True)
    date_of_birth = IsoDate(required=True)
    gender = fields.String(required=True, validate=one_of("invalid_gender", ("F", "M", "X", "U")))
    address = fields.Nested(AddressSchema, required=True)
    lives_with = fields.List(text(40), load_default=list)
    looked_after = fields.Boolean(load_default=False)
    social_worker = text(300, load_default=None, allow_none=True)
    year_group = text(20, load_default=None, allow_none=True)
    class_name = text(40, load_default=None, allow_none=True)
    attendance = fields.Nested("AttendanceSchema", load_default=None, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Pupil:
        return Pupil(**{**data, "lives_with": tuple(data["lives_with"])})


class ParentSchema(BaseSchema):
    id = text(40, required=True)
    full_name = text(150, required=True)
    relationship = text(40, required=True)
    parental_responsibility = fields.Boolean(load_default=True)
    address = fields.Nested(AddressSchema, load_default=None, allow_none=True)
    phone = UKPhone(load_default=None, allow_none=True)
    email = Email(load_default=None, allow_none=True)
    language = fields.String(load_default="en", validate=one_of("invalid_language", ("en", "cy")))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Parent:
        return Parent(**data)


class LeaveRequestSchema(BaseSchema):
    submitted = fields.Boolean(required=True)
    submitted_on = IsoDate(load_default=None, allow_none=True)
    reason = text(500, load_default=None, allow_none=True)
    decided_on = IsoDate(load_default=None, allow_none=True)
    decision = fields.String(
        load_default=None, allow_none=True, validate=one_of("invalid_decision", LEAVE_DECISIONS)
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> LeaveRequest:
        return LeaveRequest(**data)


class AbsenceSchema(BaseSchema):
    type = fields.String(required=True, validate=one_of("invalid_absence_type", ABSENCE_TYPES))
    start_date = IsoDate(required=True)
    end_date = IsoDate(required=True)
    unauthorised_sessions = fields.Integer(required=True, strict=True, validate=within(0, 1000))
    responsible_parent_ids = fields.List(text(40), load_default=list)
    leave_request = fields.Nested(LeaveRequestSchema, load_default=None, allow_none=True)
    grounds = fields.List(
        fields.String(validate=one_of("invalid_ground", REFUSAL_GROUNDS)), load_default=list
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Absence:
        return Absence(
            **{
                **data,
                "responsible_parent_ids": tuple(data["responsible_parent_ids"]),
                "grounds": tuple(data["grounds"]),
            }
        )


class MarkSchema(BaseSchema):
    date = IsoDate(required=True)
    session = fields.String(required=True, validate=one_of("invalid_session", SESSIONS))
    code = fields.String(required=True)

    @validates("code")
    def known_code(self, value: str, **_: Any) -> None:
        if value.upper() not in ALL_CODES:
            raise problem(
                "invalid_mark", "Not an attendance code of England (SI 2024/208) or Wales (SI 2010/1954)."
            )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Mark:
        return Mark(data["date"], data["session"], data["code"].upper())


class AttendanceSchema(BaseSchema):
    as_of = IsoDate(required=True)
    sessions_possible = fields.Integer(required=True, strict=True, validate=within(0, 1000))
    sessions_present = fields.Integer(required=True, strict=True, validate=within(0, 1000))
    authorised_absences = fields.Integer(required=True, strict=True, validate=within(0, 1000))
    unauthorised_absences = fields.Integer(required=True, strict=True, validate=within(0, 1000))
    marks = fields.List(fields.Nested(MarkSchema), load_default=list)
    class_average_sessions_missed = fields.Float(load_default=None, allow_none=True, validate=within(0, 1000))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Attendance:
        return Attendance(**{**data, "marks": tuple(data["marks"])})


class PreviousNoticeSchema(BaseSchema):
    parent_id = text(40, required=True)
    pupil_upn = UPN(required=True)
    issued_on = IsoDate(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> PreviousNotice:
        return PreviousNotice(**data)


class PreviousNoticeToImproveSchema(BaseSchema):
    parent_id = text(40, required=True)
    pupil_upn = UPN(required=True)
    issued_on = IsoDate(required=True)
    period_end = IsoDate(required=True)

    @validates_schema
    def ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data["period_end"] < data["issued_on"]:
            raise ValidationError(
                {
                    "period_end": [
                        {"code": "end_before_start", "message": "The period ends before the notice."}
                    ]
                }
            )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> PreviousNoticeToImprove:
        return PreviousNoticeToImprove(**data)


class PreviousLetterSchema(BaseSchema):
    document = fields.String(
        required=True,
        validate=one_of(
            "invalid_document",
            # `warning-letter`: a penalty-notice warning letter the school wrote itself (Rotherham's "final
            # warning letter", Stockton-on-Tees's headteacher's warning for holiday): councils count from it.
            ("attendance-letter-1", "attendance-letter-2", "notice-to-improve", "leave-refusal",
             "warning-letter"),
        ),
    )
    sent_on = IsoDate(required=True)
    parent_id = text(40, load_default=None, allow_none=True)
    pupil_upn = UPN(load_default=None, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> PreviousLetter:
        return PreviousLetter(**data)


class SupportNotAppropriateSchema(BaseSchema):
    reason = text(1000, required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> str:
        return data["reason"]


class SupportSchema(BaseSchema):
    date = IsoDate(required=True)
    description = text(500, required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Support:
        return Support(**data)


class AttachmentSchema(BaseSchema):
    kind = fields.String(required=True, validate=one_of("invalid_attachment_kind", ATTACHMENT_KINDS))
    filename = text(255, load_default="")
    content_base64 = Base64Bytes(required=True, data_key="content_base64", attribute="content")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Attachment:
        return Attachment(**data)


class CouncilDetailsSchema(BaseSchema):
    """The case's own word on its council (a council with no file, or a route its file lacks)."""

    name = text(200, load_default=None)
    country = fields.String(load_default=None, validate=one_of("invalid_country", councils.COUNTRIES))
    email = Email(load_default=None, allow_none=True)
    url = fields.String(load_default=None, allow_none=True, validate=lambda v: _web_address(v))
    phone = UKPhone(load_default=None, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> CouncilDetails:
        return CouncilDetails(**data)


class CouncilRefSchema(BaseSchema):
    """The council of a case and nothing else: what an import's `case` part must say of its council,
    checked as a case's is (a council with a file, or `council_details` for one without)."""

    council = fields.String(required=True)
    council_details = fields.Nested(CouncilDetailsSchema, load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False)
    def known_council(self, data: dict[str, Any], **_: Any) -> None:
        known_council(data.get("council"), data.get("council_details"))


class CaseSchema(BaseSchema):
    """A case of the contract (`case-format.md`), loaded into a frozen `Case`."""

    council = fields.String(required=True)
    school = fields.Nested(SchoolSchema, required=True)
    pupils = fields.List(fields.Nested(PupilSchema), required=True, validate=lambda v: _some(v))
    parents = fields.List(fields.Nested(ParentSchema), required=True, validate=lambda v: _some(v))
    absence = fields.Nested(AbsenceSchema, required=True)
    attendance = fields.Nested(AttendanceSchema, load_default=None, allow_none=True)
    previous_penalty_notices = fields.List(fields.Nested(PreviousNoticeSchema), load_default=list)
    court_orders_restricting_information = fields.Boolean(load_default=False)
    other_information = text(2000, multiline=True, load_default="", allow_none=True)
    support_offered = fields.List(fields.Nested(SupportSchema), load_default=list)
    improvement_period_weeks = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=within(3, 6)
    )
    letter_date = IsoDate(load_default=None, allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentSchema), load_default=list)
    council_details = fields.Nested(CouncilDetailsSchema, load_default=None, allow_none=True)
    previous_notices_to_improve = fields.List(fields.Nested(PreviousNoticeToImproveSchema), load_default=list)
    support_not_appropriate = fields.Nested(SupportNotAppropriateSchema, load_default=None, allow_none=True)
    previous_letters = fields.List(fields.Nested(PreviousLetterSchema), load_default=list)

    @validates_schema(skip_on_field_errors=False)
    def known_council(self, data: dict[str, Any], **_: Any) -> None:
        known_council(data.get("council"), data.get("council_details"))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Case:
        tuples = (
            "pupils",
            "parents",
            "previous_penalty_notices",
            "support_offered",
            "attachments",
            "previous_notices_to_improve",
            "previous_letters",
        )
        data = {**data, **{key: tuple(data[key]) for key in tuples}}
        return Case(**{**data, "other_information": data.get("other_information") or ""})


def _web_address(value: str) -> None:
    if not value.startswith("https://") or " " in value or len(value) > 500:
        raise problem("invalid_url", "A web address starting https:// is needed.")


def problem_dict(code: str, message: str) -> dict[str, str]:
    """Return a message in the shape the report's walker reads (a code and a message)."""
    return {"code": code, "message": message}


def _some(items: list[Any]) -> None:
    if not items:
        raise problem("required", "At least one is needed.")


@functools.cache
def _schema() -> CaseSchema:
    """Return the one case schema of this process: marshmallow builds the nested schemas per instance,
    half of a case's load time; a schema holds no state between loads (LENIENT is a context variable)."""
    return CaseSchema()


def load_case(data: Mapping[str, Any], schema: CaseSchema | None = None) -> tuple[Case | None, list[Issue]]:
    """Load a case; return it with its field errors.

    A case whose only faults are formats (a UPN, a postcode, a phone) is still returned, loaded
    leniently, so that the rules can say what they would decide once it is corrected. A caller loading
    many cases (an import) passes one `schema`: marshmallow builds nested schemas per instance.
    """
    schema = schema or _schema()
    try:
        return schema.load(data), []
    except ValidationError as exc:
        errors = issues_from_marshmallow(exc.messages)
    token = LENIENT.set(True)
    try:
        return schema.load(data), errors
    except ValidationError:
        return None, errors
    finally:
        LENIENT.reset(token)


def known_council(council: Any, details: Any) -> None:
    """A council with a file, or one with none whose name, country and route the case gives (the
    national rules then apply: England's framework, Wales's 2013 regulations)."""
    if not isinstance(council, str) or council in councils.ids():
        return
    if details is not None and not isinstance(details, CouncilDetails):
        return  # council_details itself is wrong: its own errors say so
    if details is None:
        raise ValidationError({"council": [problem_dict(
            "unknown_council",
            f"Unknown council; known: {', '.join(councils.ids())}. For another council, give "
            "council_details (name, country, and the e-mail or web address its requests go to).",
        )]})
    missing = [k for k in ("name", "country") if not getattr(details, k)]
    if not (details.email or details.url):
        missing.append("email")
    if missing:
        raise ValidationError({"council_details": {k: [problem_dict(
            "required", "A council with no file here needs its name, country and route.")]
            for k in missing}})
