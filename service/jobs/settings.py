"""Where jobs queue and keep their data, read from the environment (`ATTENDANCE_*`), checked at start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.fernet import Fernet

DEFAULT_TTL = 3600  # seconds a job's data lives from submission, downloaded or not (README, "Jobs")
DEFAULT_LEASE = 30.0  # seconds a silent worker keeps its task before another takes it over
DEFAULT_CHUNK = 20  # pupils a task renders: small enough to spread a school over every worker


class JobsMisconfigured(RuntimeError):
    """A jobs setting is missing or wrong: the service or worker must not start."""


@dataclass(frozen=True)
class Settings:
    """The jobs settings: the broker (Redis, or an embedded SQLite file), the key, the lifetimes."""

    redis_url: str | None
    database: str | None
    key: bytes
    ttl: int = DEFAULT_TTL
    lease: float = DEFAULT_LEASE
    chunk: int = DEFAULT_CHUNK

    @property
    def distributed(self) -> bool:
        """Return whether jobs go through Redis (any number of machines) rather than one machine's file."""
        return self.redis_url is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read ATTENDANCE_REDIS_URL, _JOBS_DATABASE, _JOBS_KEY, _JOBS_TTL, _JOBS_LEASE, _JOBS_CHUNK."""
        env = os.environ if env is None else env
        redis_url = env.get("ATTENDANCE_REDIS_URL") or None
        database = env.get("ATTENDANCE_JOBS_DATABASE") or None
        key = env.get("ATTENDANCE_JOBS_KEY", "")
        if not key:
            raise JobsMisconfigured(
                "ATTENDANCE_JOBS_KEY is not set: jobs keep children's data in the queue, encrypted with it "
                '(make one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())")'
            )
        try:
            Fernet(key)
        except ValueError as exc:
            raise JobsMisconfigured(
                "ATTENDANCE_JOBS_KEY is not a Fernet key (32 url-safe base64 bytes)"
            ) from exc
        if redis_url is None and database is None:
            raise JobsMisconfigured(
                "set ATTENDANCE_REDIS_URL (distributed) or ATTENDANCE_JOBS_DATABASE (embedded)"
            )
        return cls(
            redis_url,
            database,
            key.encode(),
            _number(env, "ATTENDANCE_JOBS_TTL", DEFAULT_TTL, int),
            _number(env, "ATTENDANCE_JOBS_LEASE", DEFAULT_LEASE, float),
            _number(env, "ATTENDANCE_JOBS_CHUNK", DEFAULT_CHUNK, int),
        )


def _number(env: Mapping[str, str], name: str, default: float, kind: type) -> object:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise JobsMisconfigured(f"{name} must be a number, not {raw[:20]!r}") from None
    if value <= 0:
        raise JobsMisconfigured(f"{name} must be positive")
    return value


def new_key() -> str:
    """Return a fresh Fernet key (the embedded default when none is set: one machine, one run)."""
    return Fernet.generate_key().decode()
