"""Which failures are transient: the one rule job runners (jobs.py) and task workers (tasks.py) retry by.

A transient error says "try again later", not "this job is wrong": a database or broker connection that dropped,
a lock held by another writer, a shared mount that hiccupped, a job another live runner holds. Anything else is a
bug or a permanent failure, recorded on the job once. A bad evidence file never gets here: the pipeline makes it
a finding. This module only classifies; it never retries, sleeps or logs.
"""

from __future__ import annotations

import errno

_TRANSIENT_ERRNOS = frozenset(
    getattr(errno, name)
    for name in ("EAGAIN", "EBUSY", "EINTR", "EIO", "ESTALE", "ETIMEDOUT", "ENOLCK", "ECONNRESET", "ECONNREFUSED",
                 "ECONNABORTED", "EPIPE", "ENOTCONN", "ENETDOWN", "ENETUNREACH", "ENETRESET", "EHOSTDOWN",
                 "EHOSTUNREACH", "EREMOTEIO")
    if hasattr(errno, name)
)


def is_transient(exc: BaseException) -> bool:
    """True for errors worth retrying with backoff (connection, lock, timeout, flaky shared storage)."""
    import kombu.exceptions
    import redis.exceptions
    import sqlalchemy.exc

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:  # walk the cause chain: SQLAlchemy wraps the driver
        seen.add(id(current))
        if isinstance(current, (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
                                sqlalchemy.exc.DisconnectionError, sqlalchemy.exc.TimeoutError)):
            return True
        if isinstance(current, sqlalchemy.exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
                                kombu.exceptions.OperationalError, ConnectionError, TimeoutError)):
            return True
        if isinstance(current, OSError) and current.errno in _TRANSIENT_ERRNOS:
            return True
        current = current.__cause__ or current.__context__
    return False
