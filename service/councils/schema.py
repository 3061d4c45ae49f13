"""The one schema every council file is checked against, and the loader from TOML to `Council`.

A file names its sources once (`[sources.<id>]`: a URL or a document, and the date it was read) and
every fact table points at one (`source = "<id>"`). The facts a council has not published are listed
in `not_published` by their field name; a fact that must be either given or listed there (the route,
the phone, the deadlines, one request per child or per family, the Notice to Improve, the term dates)
makes a file that does neither fail at start, so nothing is guessed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

from service.case import ABSENCE_TYPES
from service.case import ATTACHMENT_KINDS
from service.councils import CHANNELS
from service.councils import COUNTRIES
from service.councils import DAY_UNITS
from service.councils import DEADLINE_FROM
from service.councils import FIRST_STEPS
from service.councils import NTI_ISSUERS
from service.councils import REQUEST_PER
from service.councils import WHEN
from service.councils import WINDOWS
from service.councils import Contact
from service.councils import Council
from service.councils import CouncilFileError
from service.councils import Deadline
from service.councils import DocumentUse
from service.councils import FirstStep
from service.councils import NoticeToImprove
from service.councils import Penalties
from service.councils import Requirement
from service.councils import Source
from service.councils import Submission
from service.councils import TermDates
from service.councils import Threshold

# Facts a file gives or lists in `not_published` (a missing one stops the start). A national default
# has no route of its own: the case gives its council's name and address.
MUST_SAY = ("submission", "contact.phone", "deadlines", "request_per", "term_dates")
MUST_SAY_ENGLAND = ("notice_to_improve",)
MAY_BE_UNPUBLISHED = (
    *MUST_SAY,
    *MUST_SAY_ENGLAND,
    "contact",
    "submission.to",
    "submission.url",
    "notice_to_improve.issued_by",
    "notice_to_improve.period_school_weeks",
    "first_steps",
    "department",
)
ID = validate.Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", error="lower-case words joined by hyphens")


class TomlDate(fields.Field):
    """A TOML date (`2026-12-01`, read by tomllib as a date)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        if isinstance(value, date):
            return value
        raise ValidationError("a TOML date, such as 2026-12-01 (no quotes)")


class Strict(Schema):
    class Meta:
        unknown = RAISE


def one_of(choices: Iterable[str]) -> validate.OneOf:
    return validate.OneOf(tuple(choices), error="must be one of {choices}")


def source_ref() -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=1))


class SourceSchema(Strict):
    title = fields.String(required=True, validate=validate.Length(min=1))
    url = fields.Url(load_default=None, schemes={"http", "https"})
    document = fields.String(load_default=None)
    read = TomlDate(required=True)

    @validates_schema
    def where(self, data: Mapping[str, Any], **_: Any) -> None:
        if not data.get("url") and not data.get("document"):
            raise ValidationError("give the url or the document it was read in", "url")


class SubmissionSchema(Strict):
    channel = fields.String(required=True, validate=one_of(CHANNELS))
    to = fields.Email(load_default=None)
    cc_school_inclusion_lead = fields.Boolean(load_default=False)
    cc = fields.List(fields.Email(), load_default=list)
    url = fields.Url(load_default=None, schemes={"http", "https"})
    team = fields.String(load_default=None)
    source = source_ref()


class ContactSchema(Strict):
    team = fields.String(load_default=None)
    email = fields.Email(load_default=None)
    phone = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^0[0-9 ]{9,12}$", error="a UK number, such as 01305 221596"),
    )
    source = source_ref()


class ThresholdSchema(Strict):
    unauthorised_sessions = fields.Integer(required=True, strict=True, validate=validate.Range(1, 100))
    window = fields.String(required=True, validate=one_of(WINDOWS))
    window_school_weeks = fields.Integer(load_default=None, strict=True, validate=validate.Range(1, 52))
    below_percent_year_to_date = fields.Float(load_default=None, validate=validate.Range(1, 100))
    holiday_sessions_consecutive = fields.Boolean(load_default=False)
    source = source_ref()

    @validates_schema
    def weeks(self, data: Mapping[str, Any], **_: Any) -> None:
        rolling = data["window"] == "rolling_school_weeks"
        if rolling != (data.get("window_school_weeks") is not None):
            raise ValidationError("give window_school_weeks with a rolling window, and only then",
                                  "window_school_weeks")


class PenaltiesSchema(Strict):
    first_early = fields.Integer(required=True, strict=True)
    first_early_days = fields.Integer(required=True, strict=True)
    first_full = fields.Integer(required=True, strict=True)
    first_full_days = fields.Integer(required=True, strict=True)
    second_early = fields.Integer(load_default=None, strict=True)
    second_full = fields.Integer(required=True, strict=True)
    notices_per_three_years = fields.Integer(load_default=None, strict=True)
    source = source_ref()


class DeadlineSchema(Strict):
    days = fields.Integer(required=True, strict=True, validate=validate.Range(1, 365))
    unit = fields.String(required=True, validate=one_of(DAY_UNITS))
    after = fields.String(required=True, validate=one_of(DEADLINE_FROM))
    absence_types = fields.List(
        fields.String(validate=one_of(ABSENCE_TYPES)), load_default=lambda: list(ABSENCE_TYPES)
    )
    text = fields.String(required=True)
    source = source_ref()


class NoticeToImproveSchema(Strict):
    issued_by = fields.String(load_default=None, validate=one_of(NTI_ISSUERS))
    period_school_weeks = fields.Integer(load_default=None, strict=True, validate=validate.Range(3, 6))
    source = source_ref()


class FirstStepSchema(Strict):
    absence_type = fields.String(required=True, validate=one_of(ABSENCE_TYPES))
    step = fields.String(required=True, validate=one_of(FIRST_STEPS))
    source = source_ref()


class RequirementSchema(Strict):
    item = fields.String(required=True, validate=validate.Length(min=1))
    label = fields.String(required=True, validate=validate.Length(min=1))
    kinds = fields.List(fields.String(validate=one_of(ATTACHMENT_KINDS)), required=True,
                        validate=validate.Length(min=1))
    when = fields.String(load_default="always", validate=one_of(WHEN))


class DocumentSchema(Strict):
    attachments = fields.List(fields.Nested(RequirementSchema), load_default=None)
    source = source_ref()


class HolidaySchema(Strict):
    start = TomlDate(required=True)
    end = TomlDate(required=True)

    @validates_schema
    def order(self, data: Mapping[str, Any], **_: Any) -> None:
        if data["end"] < data["start"]:
            raise ValidationError("ends before it starts", "end")


class TermDatesSchema(Strict):
    holidays = fields.List(fields.Nested(HolidaySchema), required=True, validate=validate.Length(min=1))
    source = source_ref()


class CouncilSchema(Strict):
    id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(min=1))
    country = fields.String(required=True, validate=one_of(COUNTRIES))
    source = source_ref()
    national = fields.Boolean(load_default=False)
    department = fields.String(load_default=None)
    name_cy = fields.String(load_default=None)
    bilingual_letters = fields.Boolean(load_default=False)
    requires_both_addresses_when_apart = fields.Boolean(load_default=False)
    request_per = fields.String(load_default=None, validate=one_of(REQUEST_PER))
    notes = fields.List(fields.String(), load_default=list)
    not_published = fields.List(fields.String(validate=one_of(MAY_BE_UNPUBLISHED)), load_default=list)
    sources = fields.Dict(keys=fields.String(validate=ID), values=fields.Nested(SourceSchema), required=True,
                          validate=validate.Length(min=1))
    submission = fields.Nested(SubmissionSchema, load_default=None)
    contact = fields.Nested(ContactSchema, load_default=None)
    threshold = fields.Nested(ThresholdSchema, load_default=None)
    penalties = fields.Nested(PenaltiesSchema, load_default=None)
    deadlines = fields.List(fields.Nested(DeadlineSchema), load_default=None)
    notice_to_improve = fields.Nested(NoticeToImproveSchema, load_default=None)
    first_steps = fields.List(fields.Nested(FirstStepSchema), load_default=list)
    documents = fields.Dict(keys=fields.String(validate=ID), values=fields.Nested(DocumentSchema),
                            required=True, validate=validate.Length(min=1))
    term_dates = fields.Nested(TermDatesSchema, load_default=None)

    @validates_schema
    def said_or_unpublished(self, data: Mapping[str, Any], **_: Any) -> None:
        unpublished = set(data.get("not_published", ()))
        must = MUST_SAY + (MUST_SAY_ENGLAND if data.get("country") == "england" else ())
        if data.get("national"):
            must = ()  # the case gives its council's route; the rest is the national framework
        for path in must:
            given = _value(data, path) is not None
            if given and path in unpublished:
                raise ValidationError("given and also listed in not_published: say one", path)
            if not given and path not in unpublished and not _unpublished_parent(path, unpublished):
                raise ValidationError("give this fact, or list it in not_published", path)

    @validates_schema
    def route(self, data: Mapping[str, Any], **_: Any) -> None:
        route, unpublished = data.get("submission"), set(data.get("not_published", ()))
        if not route:
            return
        wanted = {"email": "to", "online_form": "url", "portal": "url"}.get(route["channel"])
        if wanted and not route.get(wanted) and f"submission.{wanted}" not in unpublished:
            raise ValidationError(f"give the {route['channel']} route's address, or list it in not_published",
                                  f"submission.{wanted}")

    @validates_schema
    def sources_exist(self, data: Mapping[str, Any], **_: Any) -> None:
        known = set(data.get("sources") or ())
        for path, ref in _refs(data):
            if ref not in known:
                raise ValidationError(f"unknown source {ref!r}; this file names: {', '.join(sorted(known))}",
                                      path)


def _value(data: Mapping[str, Any], path: str) -> Any:
    head, _, rest = path.partition(".")
    value = data.get(head)
    if rest:
        return None if value is None else value.get(rest)
    return value


def _unpublished_parent(path: str, unpublished: set[str]) -> bool:
    return "." in path and path.split(".")[0] in unpublished


def _refs(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return (field, source id) for every fact that names its source."""
    refs = [("source", data.get("source"))]
    for key in ("submission", "contact", "threshold", "penalties", "notice_to_improve", "term_dates"):
        if data.get(key):
            refs.append((f"{key}.source", data[key]["source"]))
    for key in ("deadlines", "first_steps"):
        refs += [(f"{key}.{i}.source", item["source"]) for i, item in enumerate(data.get(key) or ())]
    refs += [(f"documents.{d}.source", use["source"]) for d, use in (data.get("documents") or {}).items()]
    return [(path, ref) for path, ref in refs if ref is not None]


def _where(messages: Any, prefix: str = "") -> tuple[str, str]:
    """Return the first field path and message of marshmallow's nested messages."""
    if isinstance(messages, Mapping) and messages:
        key, value = next(iter(messages.items()))
        key = "" if key in ("_schema", "value") else str(key)
        return _where(value, f"{prefix}.{key}".strip(".") if key else prefix)
    if isinstance(messages, list | tuple) and messages:
        return _where(messages[0], prefix)
    return prefix or "(file)", str(messages)


def parse(path: Path) -> dict[str, Any]:
    """Read one council file and check it against the schema; return its checked data."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CouncilFileError(path, "(file)", f"not valid TOML: {exc}") from None
    try:
        data = CouncilSchema().load(raw)
    except ValidationError as exc:
        where, message = _where(exc.messages)
        raise CouncilFileError(path, where, message) from None
    if data["id"] != path.stem:
        raise CouncilFileError(path, "id", f"{data['id']!r} must match the file name {path.stem!r}")
    return data


def build(data: Mapping[str, Any], path: Path, nationals: Mapping[str, Council]) -> Council:
    """Return the Council of a checked file; a threshold or penalties it leaves out are its country's."""
    default = nationals.get(data["country"])
    sources = tuple(Source(id=k, **v) for k, v in data["sources"].items())
    first_steps = tuple(FirstStep(**f) for f in data["first_steps"])
    threshold = Threshold(**data["threshold"]) if data["threshold"] else None
    penalties = Penalties(**data["penalties"]) if data["penalties"] else None
    if default is not None:
        borrowed = []
        if threshold is None:
            threshold, borrowed = default.threshold, [*borrowed, default.threshold.source]
        if penalties is None:
            penalties, borrowed = default.penalties, [*borrowed, default.penalties.source]
        # What comes first for an absence type the file says nothing of is the country's (England's
        # framework: a Notice to Improve first for absence other than holiday), so one rule reads data.
        stated = {f["absence_type"] for f in data["first_steps"]}
        lent = [replace(f, national=True) for f in default.first_steps if f.absence_type not in stated]
        first_steps += tuple(lent)
        borrowed += [f.source for f in lent]
        sources += tuple(s for s in default.sources if s.id in borrowed and s.id not in data["sources"])
    if threshold is None or penalties is None:
        missing = "threshold" if threshold is None else "penalties"
        raise CouncilFileError(path, missing, "give it (a national default file has no default to lend)")
    submission = data["submission"] or {"channel": None, "source": ""}
    nti = data["notice_to_improve"]
    terms = data["term_dates"]
    return Council(
        id=data["id"],
        name=data["name"],
        country=data["country"],
        threshold=threshold,
        penalties=penalties,
        uses=tuple(
            DocumentUse(
                doc_id,
                None if use["attachments"] is None else tuple(_requirement(r) for r in use["attachments"]),
                use["source"],
            )
            for doc_id, use in data["documents"].items()
        ),
        submit_to=Submission(**{**submission, "cc": tuple(submission.get("cc", ()))}),
        sources=sources,
        source=data["source"],
        contact=Contact(**data["contact"]) if data["contact"] else None,
        department=data["department"],
        deadlines=tuple(Deadline(**{**d, "absence_types": tuple(d["absence_types"])})
                        for d in data["deadlines"] or ()),
        requires_both_addresses_when_apart=data["requires_both_addresses_when_apart"],
        request_per=data["request_per"],
        first_steps=first_steps,
        notice_to_improve=NoticeToImprove(**nti) if nti else None,
        term_dates=TermDates(tuple((h["start"], h["end"]) for h in terms["holidays"]), terms["source"])
        if terms
        else None,
        bilingual_letters=data["bilingual_letters"],
        name_cy=data["name_cy"],
        notes=tuple(data["notes"]),
        not_published=tuple(data["not_published"]),
        national=data["national"],
        file=str(path),
    )


def _requirement(data: Mapping[str, Any]) -> Requirement:
    return Requirement(data["item"], data["label"], tuple(data["kinds"]), data["when"])


def read_directories(directories: Iterable[Path]) -> dict[str, Council]:
    """Read every `*.toml` of the directories, a later directory's file replacing an earlier one of the
    same name; the national defaults first, so that the councils can borrow from them."""
    paths: dict[str, Path] = {}
    for directory in directories:
        paths |= {p.stem: p for p in sorted(directory.glob("*.toml"))}
    parsed = {stem: parse(path) for stem, path in paths.items()}
    nationals: dict[str, Council] = {}
    for stem, data in parsed.items():
        if data["national"]:
            nationals[data["country"]] = build(data, paths[stem], {})
    found = {}
    for stem, data in parsed.items():
        council = nationals[data["country"]] if data["national"] else build(data, paths[stem], nationals)
        found[council.id] = council
    return found


def with_route(council: Council, name: str, submit_to: Submission) -> Council:
    """Return a national default named for the case's own council, with the route the case gives."""
    return replace(council, name=name, submit_to=submit_to)

