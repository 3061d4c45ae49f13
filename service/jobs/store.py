"""A job's data at rest: small key/value backends (Redis, SQLite) and the encrypted vault over them.

Everything a job keeps expires: every key is written with a time to live (Redis deletes it itself; the SQLite
backend skips and sweeps expired rows). Bookkeeping (states, counters, leases) holds no personal data and is
stored as it is; anything from a case (inputs, documents, failures) goes through `Vault`, which pickles and
encrypts it with Fernet (AES-128-CBC and HMAC-SHA256): without the key the queue holds no readable data, and
a tampered value is refused before it is unpickled.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
import threading
import time
from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any
from typing import Protocol

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken

PREFIX = "attendance:jobs:"


class Backend(Protocol):
    """The few operations jobs need, atomic on one key each."""

    def put(self, key: str, value: bytes, ttl: float) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]: ...

    def add(self, key: str, value: bytes, ttl: float) -> bool: ...

    def replace(self, key: str, old: bytes, new: bytes, ttl: float) -> bool: ...

    def incr(self, key: str, ttl: float) -> int: ...

    def delete(self, *keys: str) -> None: ...

    def keys(self, suffix: str) -> list[str]: ...


# Compare-and-set: the value changes only if nobody changed it since it was read.
_REPLACE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"""


class RedisBackend:
    """Keys in Redis, each with its own expiry (`SET … PX`): Redis forgets a job even if we never return."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._pid = -1
        self._client: Any = None

    @property
    def client(self) -> Any:
        """Return this process's client (a forked worker must not share its parent's sockets)."""
        if self._pid != os.getpid():
            import redis

            self._client = redis.Redis.from_url(self.url)
            self._replace = self._client.register_script(_REPLACE)
            self._pid = os.getpid()
        return self._client

    def put(self, key: str, value: bytes, ttl: float) -> None:
        self.client.set(PREFIX + key, value, px=_ms(ttl))

    def get(self, key: str) -> bytes | None:
        return self.client.get(PREFIX + key)

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return list(self.client.mget([PREFIX + k for k in keys])) if keys else []

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        return bool(self.client.set(PREFIX + key, value, px=_ms(ttl), nx=True))

    def replace(self, key: str, old: bytes, new: bytes, ttl: float) -> bool:
        client = self.client
        return bool(self._replace(keys=[PREFIX + key], args=[old, new, _ms(ttl)], client=client))

    def incr(self, key: str, ttl: float) -> int:
        with self.client.pipeline() as pipe:
            pipe.incr(PREFIX + key)
            pipe.pexpire(PREFIX + key, _ms(ttl))
            return int(pipe.execute()[0])

    def delete(self, *keys: str) -> None:
        if keys:
            self.client.delete(*[PREFIX + k for k in keys])

    def keys(self, suffix: str) -> list[str]:
        found = self.client.scan_iter(match=f"{PREFIX}*{suffix}", count=500)
        return [k.decode()[len(PREFIX) :] for k in found]


class SqliteBackend:
    """Keys in one SQLite file on this machine (the embedded default), beside Huey's own tables."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self._local = threading.local()
        with self._db() as db:
            db.execute(
                "create table if not exists jobs_kv (key text primary key, value blob not null, expires real)"
            )
            # The sweep on every write finds the expired rows by this index. Without it each write scanned
            # the table, reading through every stored result (expires sits after the blob in the row): a
            # 1,000-letter job slowed as its results grew, and two workers queued on the write lock for it
            # (bench/jobs.py: two workers 1.25× one, issue #16).
            db.execute("create index if not exists jobs_kv_expires on jobs_kv (expires)")

    def _conn(self) -> sqlite3.Connection:
        """Return this thread's connection (in autocommit mode: transactions are explicit)."""
        db = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            db = sqlite3.connect(self.filename, timeout=10, check_same_thread=False, isolation_level=None)
            db.execute("pragma journal_mode=wal")
            self._local.db, self._local.pid = db, os.getpid()
        return db

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock first (a read-then-write must not interleave)."""
        db = self._conn()
        db.execute("begin immediate")
        try:
            yield db
        except BaseException:
            db.execute("rollback")
            raise
        db.execute("commit")

    def put(self, key: str, value: bytes, ttl: float) -> None:
        now = time.time()
        with self._db() as db:
            db.execute("delete from jobs_kv where expires < ?", (now,))  # the sweep: nothing outlives its TTL
            db.execute("insert or replace into jobs_kv values (?, ?, ?)", (key, value, now + ttl))

    def get(self, key: str) -> bytes | None:
        row = (
            self._conn()
            .execute("select value from jobs_kv where key = ? and expires >= ?", (key, time.time()))
            .fetchone()
        )
        return bytes(row[0]) if row else None

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return [self.get(k) for k in keys]

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        now = time.time()
        with self._db() as db:
            db.execute("delete from jobs_kv where key = ? and expires < ?", (key, now))
            cursor = db.execute("insert or ignore into jobs_kv values (?, ?, ?)", (key, value, now + ttl))
            return cursor.rowcount == 1

    def replace(self, key: str, old: bytes, new: bytes, ttl: float) -> bool:
        now = time.time()
        with self._db() as db:
            cursor = db.execute(
                "update jobs_kv set value = ?, expires = ? where key = ? and value = ? and expires >= ?",
                (new, now + ttl, key, old, now),
            )
            return cursor.rowcount == 1

    def incr(self, key: str, ttl: float) -> int:
        now = time.time()
        with self._db() as db:
            db.execute("delete from jobs_kv where key = ? and expires < ?", (key, now))
            row = db.execute("select value from jobs_kv where key = ?", (key,)).fetchone()
            value = int(bytes(row[0])) + 1 if row else 1
            db.execute(
                "insert or replace into jobs_kv values (?, ?, ?)", (key, str(value).encode(), now + ttl)
            )
            return value

    def delete(self, *keys: str) -> None:
        with self._db() as db:
            db.executemany("delete from jobs_kv where key = ?", [(k,) for k in keys])

    def keys(self, suffix: str) -> list[str]:
        rows = (
            self._conn()
            .execute(
                "select key from jobs_kv where key like ? escape '\\' and expires >= ?",
                ("%" + suffix.replace("%", "\\%").replace("_", "\\_"), time.time()),
            )
            .fetchall()
        )
        return [r[0] for r in rows]


class Vault:
    """Personal data at rest: pickled, encrypted and authenticated with Fernet, refused once past the TTL."""

    def __init__(self, backend: Backend, key: bytes, ttl: float) -> None:
        self.backend, self.ttl = backend, ttl
        self._fernet = Fernet(key)

    def put(self, key: str, value: object, ttl: float | None = None) -> None:
        """Store `value` under `key` for `ttl` seconds (the job's lifetime by default)."""
        token = self._fernet.encrypt(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        self.backend.put(key, token, ttl or self.ttl)

    def get(self, key: str) -> Any:
        """Return the value stored under `key`, or None when absent, expired or not ours."""
        token = self.backend.get(key)
        if token is None:
            return None
        try:
            # Fernet's own timestamp bounds the age too, whatever the backend forgot to delete.
            data = self._fernet.decrypt(token, ttl=int(self.ttl) + 60)
        except InvalidToken:
            return None
        return pickle.loads(data)  # noqa: S301 - authenticated by Fernet: only we could have written it

    def seal(self, value: object) -> bytes:
        """Return `value` encrypted (for Huey's task messages)."""
        return self._fernet.encrypt(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def open(self, token: bytes) -> Any:
        """Return what `seal` encrypted; raise InvalidToken for anything else."""
        return pickle.loads(self._fernet.decrypt(token))  # noqa: S301 - authenticated by Fernet


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def backend_for(redis_url: str | None, database: str | None) -> Backend:
    """Return the Redis backend when a URL is given, else the SQLite file's."""
    if redis_url:
        return RedisBackend(redis_url)
    assert database is not None
    return SqliteBackend(database)
