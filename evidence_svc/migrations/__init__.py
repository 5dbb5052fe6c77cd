"""Schema migrations (Alembic), run programmatically whenever a store is opened.

`upgrade(engine)` brings any older database to the newest schema in place, inside one transaction, holding a lock
so that two processes starting at once (API and workers) do not both migrate. The revisions in `versions/` are the
only place the schema is created; the models in `store/rows.py` must match them (a test compares the two).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

HERE = Path(__file__).parent
_PG_LOCK_KEY = 0x45564944  # any constant shared by every process of this service


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config()
    conn = engine.connect().execution_options(sqlite_immediate=True)
    try:
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        conn.close()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
