"""Fixtures for the real Redis and PostgreSQL servers that `.ci/services.sh` starts.

The URLs come from `EVIDENCE_TEST_REDIS_URL` / `EVIDENCE_TEST_POSTGRES_URL`, or from the env file the script
writes (`$EVIDENCE_SERVICES_DIR/env`, default /tmp/evidence-services/env). A test that needs a service is skipped
when no such service is configured on a developer's machine, but fails under `CI=true`: in CI a missing server
is a broken pipeline, not a reason to pass quietly. Registered as a plugin by tests/conftest.py: a test asks for
`redis_url`, `postgres_database` or `postgres_session_database` by name, with no import.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest

ENV_FILE = Path(os.environ.get("EVIDENCE_SERVICES_DIR", "/tmp/evidence-services")) / "env"


def _service_url(name: str) -> str | None:
    if os.environ.get(name):
        return os.environ[name]
    if ENV_FILE.is_file():
        for line in ENV_FILE.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == name and value.strip():
                return value.strip()
    return None


def _missing(what: str) -> None:
    message = f"{what}; run .ci/services.sh (it starts redis-server and PostgreSQL on loopback)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_redis() -> str:
    url = _service_url("EVIDENCE_TEST_REDIS_URL")
    if not url:
        _missing("EVIDENCE_TEST_REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        _missing(f"Redis at {url} does not answer ({exc})")
    return url


def require_postgres() -> str:
    url = _service_url("EVIDENCE_TEST_POSTGRES_URL")
    if not url:
        _missing("EVIDENCE_TEST_POSTGRES_URL is not set")
    import psycopg

    try:
        psycopg.connect(_libpq(url), connect_timeout=3).close()
    except psycopg.Error as exc:
        _missing(f"PostgreSQL at {url} does not answer ({exc})")
    return url


def _libpq(url: str) -> str:
    """postgresql+psycopg://... (SQLAlchemy) -> postgresql://... (libpq)."""
    scheme, _, rest = url.partition("://")
    return "postgresql://" + rest


def _with_database(url: str, name: str) -> str:
    base, _, _db = url.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis database of this session's own, empty, flushed again at the end.

    Several test sessions may share one server (a developer's run next to CI's, parallel helpers); each claims a
    free database number with a lock key, so no session flushes or consumes another's queue.
    """
    import redis

    url = require_redis()
    base = url.rsplit("/", 1)[0]
    token = uuid.uuid4().hex
    for db in range(1, 16):  # database 0 is left to whoever uses the server by hand
        client = redis.Redis.from_url(f"{base}/{db}")
        if client.set(_LOCK_KEY, token, nx=True, ex=3600):
            break
    else:
        _missing(f"no free Redis database on {base} (all 15 claimed by other test sessions)")
    keys = [k for k in client.scan_iter(count=1000) if k != _LOCK_KEY.encode()]
    if keys:
        client.delete(*keys)  # left by a session that was killed before it cleaned up
    yield f"{base}/{db}"
    client.flushdb()


_LOCK_KEY = "evidence-test-session"


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (SQLAlchemy URL), dropped afterwards."""
    yield from _fresh_database()


@pytest.fixture(scope="session")
def postgres_session_database() -> Iterator[str]:
    """One fresh PostgreSQL database shared by a whole test session."""
    yield from _fresh_database()


def _fresh_database() -> Iterator[str]:
    import psycopg

    url = require_postgres()
    name = f"evidence_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(url, name)
    finally:
        # WITH (FORCE): a pooled connection some engine still holds must not keep the database alive.
        with psycopg.connect(_libpq(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
