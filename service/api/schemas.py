"""Response schemas: they document the API in OpenAPI; the domain builds the dicts they describe."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema
from marshmallow import fields

from service.case.schema import CaseSchema
from service.schemas import ChecklistItemSchema  # noqa: F401 - the report's schemas, declared once
from service.schemas import IssueSchema
from service.schemas import ReportSchema

PROBLEM = "application/problem+json"
# /cases/validate takes any JSON object and reports what is wrong with it: its body is described as
# such (a schema-violating case is not refused, it is the input the endpoint exists for).
VALIDATE_BODY = {
    "description": "Any JSON object: a case (schema Case) gets its report; a faulty one gets its errors. "
    "Or multipart/form-data with a part `case` and one file part per attachment, named by its kind.",
    "required": True,
    "content": {
        "application/json": {"schema": {"type": "object", "additionalProperties": True}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"case": {"type": "object", "additionalProperties": True}},
                "required": ["case"],
            },
            "encoding": {"case": {"contentType": "application/json"}},
        },
    },
}
CASE_BODY = {
    "description": "A case (case-format.md), as JSON; or multipart/form-data with a part `case` "
    "holding the JSON and one file part per attachment, named by its kind.",
    "required": True,
    "content": {
        "application/json": {"schema": CaseSchema},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "case": {"$ref": "#/components/schemas/Case"},
                    "attendance_certificate": {"type": "string", "format": "binary"},
                    "leave_request_form": {"type": "string", "format": "binary"},
                    "refusal_letter": {"type": "string", "format": "binary"},
                    "holiday_letter": {"type": "string", "format": "binary"},
                    "other": {"type": "string", "format": "binary"},
                },
                "required": ["case"],
            },
            "encoding": {"case": {"contentType": "application/json"}},
        },
    },
}


class ProblemSchema(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    code = fields.String()
    errors = fields.List(fields.Nested(IssueSchema))
    report = fields.Nested(ReportSchema)
    known = fields.List(fields.String())


class RequirementSchema(Schema):
    item = fields.String()
    label = fields.String()
    kinds = fields.List(fields.String())
    when = fields.String(
        metadata={"enum": ["always", "leave_requested", "leave_not_requested", "holiday", "irregular"]}
    )


class DocumentInfoSchema(Schema):
    id = fields.String()
    title = fields.String()
    councils = fields.List(fields.String())
    outputs = fields.List(fields.String())
    available = fields.Boolean()
    attachments = fields.List(fields.Nested(RequirementSchema))


class SourceSchema(Schema):
    id = fields.String()
    title = fields.String()
    url = fields.String(allow_none=True)
    document = fields.String(allow_none=True)
    read = fields.Date(metadata={"description": "when the fact was read"})


class CouncilThresholdSchema(Schema):
    unauthorised_sessions = fields.Integer()
    window = fields.String(metadata={"enum": ["rolling_school_weeks", "current_term", "episode"]})
    window_school_weeks = fields.Integer(allow_none=True)
    below_percent_year_to_date = fields.Float(allow_none=True)
    holiday_sessions_consecutive = fields.Boolean()
    source = fields.String()


class PenaltiesSchema(Schema):
    first_early = fields.Integer()
    first_early_days = fields.Integer()
    first_full = fields.Integer()
    first_full_days = fields.Integer()
    second_early = fields.Integer(allow_none=True)
    second_full = fields.Integer()
    notices_per_three_years = fields.Integer(allow_none=True)
    source = fields.String()


class SubmissionSchema(Schema):
    channel = fields.String(
        allow_none=True, metadata={"enum": ["email", "online_form", "portal", "post", None]}
    )
    to = fields.String(allow_none=True)
    cc_school_inclusion_lead = fields.Boolean()
    cc = fields.List(fields.String())
    url = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    source = fields.String()


class ContactSchema(Schema):
    team = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    source = fields.String()


class DeadlineSchema(Schema):
    days = fields.Integer()
    unit = fields.String(metadata={"enum": ["school_days", "working_days", "calendar_days"]})
    after = fields.String(metadata={"enum": ["absence_end", "warning_letter"]})
    absence_types = fields.List(fields.String())
    text = fields.String()
    source = fields.String()


class FirstStepSchema(Schema):
    absence_type = fields.String()
    step = fields.String(metadata={"enum": ["notice_to_improve", "warning_letter", "none"]})
    source = fields.String()
    national = fields.Boolean(metadata={"description": "the country's default: the file says nothing of it"})


class NoticeToImprovePolicySchema(Schema):
    issued_by = fields.String(allow_none=True, metadata={"enum": ["school", "council", None]})
    period_school_weeks = fields.Integer(allow_none=True)
    source = fields.String()


class CouncilSchema(Schema):
    """A council's file as loaded: every fact with the id of its source, listed in `sources`."""

    id = fields.String()
    name = fields.String()
    name_cy = fields.String(allow_none=True)
    country = fields.String(metadata={"enum": ["england", "wales"]})
    department = fields.String(allow_none=True)
    source = fields.String()
    threshold = fields.Nested(CouncilThresholdSchema)
    penalties = fields.Nested(PenaltiesSchema)
    documents = fields.List(fields.String())
    submit_to = fields.Nested(SubmissionSchema)
    contact = fields.Nested(ContactSchema, allow_none=True)
    deadlines = fields.List(fields.Nested(DeadlineSchema))
    request_per = fields.String(allow_none=True, metadata={"enum": ["child", "family", None]})
    requires_both_addresses_when_apart = fields.Boolean()
    first_steps = fields.List(fields.Nested(FirstStepSchema))
    notice_to_improve = fields.Nested(NoticeToImprovePolicySchema, allow_none=True)
    term_dates = fields.Method("_holidays", metadata={"description": "published school holidays, or null"})
    bilingual_letters = fields.Boolean()
    notes = fields.List(fields.String())
    not_published = fields.List(
        fields.String(), metadata={"description": "facts the council does not publish"}
    )
    sources = fields.List(fields.Nested(SourceSchema))
    checklists = fields.Method("_checklists")

    def _holidays(self, council: Any) -> Any:
        if council.term_dates is None:
            return None
        return {
            "holidays": [{"start": a.isoformat(), "end": b.isoformat()} for a, b in council.holidays],
            "source": council.term_dates.source,
        }

    def _checklists(self, council: Any) -> dict[str, Any]:
        from service import forms

        lists = {d: council.requirements(d, forms.get(d).attachments) for d in council.documents}
        return {d: RequirementSchema(many=True).dump(items) for d, items in lists.items()}


class HealthSchema(Schema):
    status = fields.String()
    version = fields.String()
    engines = fields.Dict()


class ReadySchema(Schema):
    ready = fields.Boolean()
    converter = fields.Dict()


class ValidateQuery(Schema):
    document = fields.String(metadata={"description": "a document id: add what blocks it"})


class DocumentQuery(Schema):
    format = fields.String(load_default="pdf", metadata={"enum": ["pdf", "docx"]})
    variant = fields.String(
        metadata={
            "description": "leave-refusal only: not-statutory-age, statutory-age or not-requested-in-advance "
            "(default: the variant the rules choose)"
        }
    )
    flatten = fields.Boolean(
        load_default=False,
        metadata={"description": "true: a non-editable PDF (fields drawn into the page, no form left)"},
    )


class BundleQuery(Schema):
    document = fields.String(
        metadata={"description": "the request form (default: the one the case calls for)"}
    )
    merged = fields.Boolean(load_default=False, metadata={"description": "also one merged PDF"})


class SignatureCheckSchema(Schema):
    signer = fields.String(metadata={"description": "the signing certificate's subject"})
    signed_at = fields.String(
        allow_none=True, metadata={"description": "ISO time: the timestamp's, else the signer's"}
    )
    timestamped = fields.Boolean(metadata={"description": "an RFC 3161 timestamp vouches for the time"})
    intact = fields.Boolean(metadata={"description": "the signed bytes are unchanged"})
    valid = fields.Boolean(metadata={"description": "the cryptographic signature verifies"})
    trusted = fields.Boolean(metadata={"description": "the certificate chains to one the council trusts"})
    covers_whole_file = fields.Boolean(metadata={"description": "nothing was appended after signing"})
    trust_problem = fields.String(
        allow_none=True, metadata={"description": "untrusted, expired, revoked, not_yet_valid or unusable"}
    )


class FileCheckSchema(Schema):
    name = fields.String()
    role = fields.String(
        metadata={"description": "document, generated, merged (signed by the service), attachment"}
    )
    kind = fields.String()
    present = fields.Boolean()
    hash_matches = fields.Boolean(allow_none=True)
    signatures = fields.List(fields.Nested(SignatureCheckSchema))
    status = fields.String(
        metadata={
            "description": "signed, unsigned, modified, untrusted, invalid, missing, damaged, unreadable"
        }
    )


class CheckedSchema(Schema):
    complete = fields.Boolean(metadata={"description": "every listed file present, none added"})
    hashes_match = fields.Boolean()
    manifest_signature = fields.String(
        metadata={"description": "valid, untrusted, invalid, missing, unverifiable"}
    )
    pdf_signatures = fields.Boolean()
    trust = fields.String(allow_none=True, metadata={"description": "what the council trusts, or null"})


class VerifySchema(Schema):
    valid = fields.Boolean(
        metadata={"description": "every file present and unchanged, every signature intact and trusted"}
    )
    signed = fields.Boolean()
    signature_valid = fields.Boolean(allow_none=True)
    signer = fields.Nested(
        SignatureCheckSchema, allow_none=True, metadata={"description": "the manifest's signer"}
    )
    checked = fields.Nested(CheckedSchema)
    summary = fields.List(fields.String(), metadata={"description": "what was checked, in plain words"})
    files = fields.List(fields.Nested(FileCheckSchema))
    errors = fields.List(fields.Nested(IssueSchema))
    warnings = fields.List(fields.Nested(IssueSchema))
    manifest = fields.Dict(allow_none=True)


IMPORT_BODY = {
    "description": "A school MIS export as multipart/form-data: `file` (the CTF XML, or the CSV register), "
    "`pupils` (CSV only, optional: the pupil/contact sheet) and `case` (JSON: `council`, `school` and "
    "defaults for every case; for CSV an optional `mapping` of field → column header).",
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "pupils": {"type": "string", "format": "binary"},
                    "case": {"type": "string", "description": "JSON: council, school, defaults, mapping"},
                },
                "required": ["file", "case"],
            }
        }
    },
}


class ImportQuery(Schema):
    documents = fields.String(
        metadata={"description": "a document id (notice-to-improve …): a job (202), one per eligible pupil"}
    )
    format = fields.String(
        metadata={"enum": ["docx", "pdf"], "description": "with documents: letters as DOCX (default) or PDF"}
    )
    marks = fields.Boolean(
        load_default=False,
        metadata={
            "description": "true: each case carries the window's register (`attendance.marks`, codes as "
            "sent), so that an attendance certificate can be produced from it"
        },
    )


class ImportIssueSchema(IssueSchema):
    line = fields.Integer(allow_none=True, metadata={"description": "the export's line the issue is on"})
    count = fields.Integer(metadata={"description": "how many rows or sessions of this kind (grouped)"})
    lines = fields.List(fields.Integer(), metadata={"description": "the first few lines of this kind"})
    pupil = fields.String(metadata={"description": "the pupil's UPN (or the export's pupil id)"})


class ScanRowSchema(Schema):
    upn = fields.String(allow_none=True)
    name = fields.String()
    sessions_possible = fields.Integer()
    attendance_percent = fields.Float(allow_none=True)
    unauthorised_sessions_in_window = fields.Integer(allow_none=True)
    persistent_absence = fields.Boolean()
    severe_absence = fields.Boolean()
    documents_allowed = fields.List(fields.String())
    window = fields.Dict(
        metadata={"description": "basis (school_weeks|term|export|totals|none|refused), start, end"}
    )
    absence_type = fields.String(metadata={"enum": ["irregular", "holiday"]})
    valid = fields.Boolean(metadata={"description": "the pupil's case has no errors"})
    siblings = fields.List(fields.String(), metadata={"description": "UPNs sharing a contact"})
    line = fields.Integer(allow_none=True)


class ImportResultSchema(Schema):
    cases = fields.List(fields.Dict(), metadata={"description": "one case per pupil (case-format.md)"})
    scan = fields.List(fields.Nested(ScanRowSchema))
    errors = fields.List(fields.Nested(ImportIssueSchema))
    warnings = fields.List(fields.Nested(ImportIssueSchema))
    source = fields.Dict(metadata={"description": "the export read: kind, version or layout, encoding"})


class JobProgressSchema(Schema):
    total = fields.Integer(allow_none=True, metadata={"description": "pupils or cases; null at first"})
    done = fields.Integer(metadata={"description": "items finished so far"})
    produced = fields.Integer(metadata={"description": "documents made so far"})
    failed = fields.Integer(metadata={"description": "items that could not be produced so far"})
    percent = fields.Integer(metadata={"description": "done of total, 0-100"})


class JobFailureSchema(Schema):
    item = fields.Integer(metadata={"description": "the item's place in the input, from 0"})
    line = fields.Integer(allow_none=True, metadata={"description": "imports: the export's line"})
    upn = fields.String(metadata={"description": "imports: the pupil's UPN"})
    name = fields.String()
    status = fields.String(metadata={"enum": ["cannot_produce", "failed"]})
    codes = fields.List(fields.String(), metadata={"description": "why, as stable codes"})


class JobSchema(Schema):
    id = fields.String()
    state = fields.String(
        metadata={"enum": ["queued", "running", "done", "failed", "cancelled", "downloaded"]}
    )
    document = fields.String()
    format = fields.String()
    progress = fields.Nested(JobProgressSchema)
    failures = fields.List(fields.Nested(JobFailureSchema))
    error = fields.String(allow_none=True, metadata={"description": "failed: the code why"})
    expires_at = fields.String(metadata={"description": "when every trace of the job is deleted (UTC)"})
    links = fields.Dict(metadata={"description": "self, result (when done), cancel"})


class BatchQuery(Schema):
    document = fields.String(required=True, metadata={"description": "the document for every case"})
    format = fields.String(metadata={"enum": ["docx", "pdf"], "description": "default: pdf for letters"})


class BatchSchema(Schema):
    cases = fields.List(fields.Dict(), required=True, metadata={"description": "cases (case-format.md)"})
