"""The store's database: one engine per URL per process, migrated on first use, and short transactions over it.

A SQLite file in WAL mode under `settings.data_dir` by default, any SQLAlchemy URL (PostgreSQL) through
`EVIDENCE_DATABASE_URL`. The schema is owned by Alembic (`evidence_svc/migrations/`), upgraded when an engine is
first opened, so an old data directory upgrades in place. `Sessions` is the base of every repository: `_read` for
queries, `_write` for anything that changes rows. This module holds no queries and knows no aggregate.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .blobs import private_dir


class StoreError(Exception):
    pass


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")  # a committed claim survives a power cut, not only a crash
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that reads, then writes, fails at once with SQLITE_BUSY when another writer got in
        # between (the busy timeout does not apply to that upgrade). Writers take the lock up front instead.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for(url: str) -> Engine:
    """One engine (and pool) per database URL per process, migrated to the newest schema on first use."""
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            if url.startswith("sqlite"):
                path = url.split("///", 1)[-1]
                if path and path != ":memory:":
                    private_dir(Path(path).parent)
                    # 0600 from the start; SQLite gives its -wal and -shm files the database file's mode
                    try:
                        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                    except FileExistsError:
                        pass
                engine = create_engine(url, pool_size=10, max_overflow=20, pool_timeout=30)
                _sqlite_pragmas(engine)
            else:
                engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
            from ..migrations import upgrade

            upgrade(engine)
            _ENGINES[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests that reopen a data directory, process shutdown)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


class Sessions:
    """Short transactions over one engine; every repository of the store builds on it. Each call is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.is_sqlite = engine.dialect.name == "sqlite"

    def _read(self) -> Session:
        return self._sessions()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction, committed on success (on SQLite it takes the write lock up front)."""
        with self._sessions() as session, session.begin():
            if self.is_sqlite:
                session.connection(execution_options={"sqlite_immediate": True})
            yield session

    def ping(self) -> None:
        with self._read() as s:
            s.execute(select(1))
