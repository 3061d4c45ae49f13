"""The validation report of the contract: issues, checklist items, decisions, and how they serialise."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from service.decisions import Decisions

# marshmallow's own messages, pinned to stable codes (marshmallow 4.4).
BUILTIN_CODES = {
    "Missing data for required field.": "required",
    "Unknown field.": "unknown_field",
    "Field may not be null.": "null",
    "Not a valid string.": "invalid_type",
    "Not a valid integer.": "invalid_type",
    "Not a valid boolean.": "invalid_type",
    "Not a valid list.": "invalid_type",
    "Not a valid date.": "invalid_date",
    "Invalid input type.": "invalid_type",
    "Invalid value.": "invalid",
}


@dataclass(frozen=True)
class Issue:
    """One error or warning: where it is (a JSON path), what it is (a stable code), and why."""

    path: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """Return the contract's shape."""
        return {"path": self.path, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class ChecklistItem:
    """One line of a council's attachment checklist, evaluated for a case."""

    item: str
    required: bool
    status: str  # satisfied | missing | not_required | invalid
    message: str
    label: str = ""


@dataclass
class Report:
    """What the service says about a case; `valid` follows from the errors."""

    council: str | None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    decisions: Decisions | None = None
    checklist: list[ChecklistItem] = field(default_factory=list)
    document: str | None = None
    rules: dict[str, Any] | None = None  # which council's rules applied, and their sources

    @property
    def valid(self) -> bool:
        """Return whether nothing blocks the case (or the document asked for)."""
        return not self.errors

    @property
    def ready_to_submit(self) -> bool | None:
        """Return, for a document, whether it is valid and no mandatory attachment is missing or unusable."""
        if not self.document:
            return None
        return self.valid and not any(
            c.required and c.status in ("missing", "invalid") for c in self.checklist
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the contract's report shape (`service.schemas.ReportSchema`)."""
        from service.schemas import dump_report

        return dump_report(self)


def json_path(parts: Iterable[str | int]) -> str:
    """Join keys and indexes as `pupils[0].address.postcode`."""
    path = ""
    for part in parts:
        if isinstance(part, int) or (isinstance(part, str) and part.isdigit()):
            path += f"[{part}]"
        elif part == "_schema":
            continue
        else:
            path += f".{part}" if path else str(part)
    return path


def issues_from_marshmallow(messages: Any, prefix: tuple[str | int, ...] = ()) -> list[Issue]:
    """Flatten marshmallow's nested error messages into issues with JSON paths and codes."""
    if isinstance(messages, Mapping):
        if set(messages) == {"code", "message"}:
            return [Issue(json_path(prefix), str(messages["code"]), str(messages["message"]))]
        out: list[Issue] = []
        for key, value in messages.items():
            out += issues_from_marshmallow(value, (*prefix, key))
        return out
    if isinstance(messages, list | tuple):
        out = []
        for item in messages:
            out += issues_from_marshmallow(item, prefix)
        return out
    text = str(messages)
    return [Issue(json_path(prefix), BUILTIN_CODES.get(text, "invalid"), text)]
