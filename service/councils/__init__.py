"""Councils as data: one module each, ending with `COUNCIL = Council(...)`, found and checked at import."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from dataclasses import field

ENGLAND = "england"
WALES = "wales"


class UnknownCouncil(LookupError):
    """A council id the service does not know."""

    def __init__(self, council_id: str) -> None:
        super().__init__(council_id)
        self.council_id = council_id
        self.known = ids()


@dataclass(frozen=True)
class Threshold:
    """Unauthorised sessions that open the way to a penalty notice, and the window they count in."""

    unauthorised_sessions: int
    window_school_weeks: int | None  # None: no rolling window (Wales: the sessions of the episode)


@dataclass(frozen=True)
class Penalties:
    """Penalty-notice amounts in whole pounds, with the days each amount applies for."""

    first_early: int
    first_early_days: int
    first_full: int
    first_full_days: int
    second_early: int | None
    second_full: int
    notices_per_three_years: int | None  # None: the sources set no limit


@dataclass(frozen=True)
class Submission:
    """Where penalty-notice paperwork goes."""

    to: str
    cc_school_inclusion_lead: bool = False
    phone: str | None = None


@dataclass(frozen=True)
class Council:
    """A council's rules, amounts, documents and addresses; a rule reads only what it needs."""

    id: str
    name: str
    country: str
    threshold: Threshold
    penalties: Penalties
    documents: tuple[str, ...]
    submit_to: Submission
    submission_window_days: int | None = None
    requires_both_addresses_when_apart: bool = False
    bilingual_letters: bool = False
    name_cy: str | None = None  # the council's Welsh name, for bilingual letters
    notes: tuple[str, ...] = field(default=())

    def accepts(self, document_id: str) -> bool:
        """Return whether the council takes this document."""
        return document_id in self.documents


# Education (Penalty Notices) (England) Regulations 2007 as amended 19 Aug 2024 (rules.md §Thresholds).
ENGLAND_PENALTIES = Penalties(
    first_early=80,
    first_early_days=21,
    first_full=160,
    first_full_days=28,
    second_early=None,
    second_full=160,
    notices_per_three_years=2,
)
# Education (Penalty Notices) (Wales) Regulations 2013: £60 within 28 days, £120 within 42 days.
WALES_PENALTIES = Penalties(
    first_early=60,
    first_early_days=28,
    first_full=120,
    first_full_days=42,
    second_early=60,
    second_full=120,
    notices_per_three_years=None,
)
ENGLAND_THRESHOLD = Threshold(unauthorised_sessions=10, window_school_weeks=10)


def _discover() -> dict[str, Council]:
    found: dict[str, Council] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        council = getattr(module, "COUNCIL", None)
        if not isinstance(council, Council):
            raise TypeError(f"{module.__name__} must end with COUNCIL = Council(...)")
        if council.id in found:
            raise ValueError(f"council id {council.id!r} is declared twice")
        found[council.id] = council
    return found


_REGISTRY: dict[str, Council] = {}


def _registry() -> dict[str, Council]:
    if not _REGISTRY:
        _REGISTRY.update(_discover())
    return _REGISTRY


def get(council_id: str) -> Council:
    """Return a council by id, or raise UnknownCouncil naming the known ones."""
    try:
        return _registry()[council_id]
    except KeyError:
        raise UnknownCouncil(council_id) from None


def all() -> tuple[Council, ...]:  # noqa: A001 - the registry's verb, as in the style guide
    """Return every council, in id order."""
    return tuple(sorted(_registry().values(), key=lambda c: c.id))


def ids() -> tuple[str, ...]:
    """Return every council id, sorted."""
    return tuple(sorted(_registry()))
