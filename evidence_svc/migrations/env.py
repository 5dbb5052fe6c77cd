"""Alembic environment: migrates the connection handed over by `migrations.upgrade` (or a URL, for the CLI)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from evidence_svc.store.rows import Base

config = context.config
connection = config.attributes.get("connection")


def _run(conn) -> None:
    # render_as_batch: SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # `alembic -x url=... upgrade head` by hand
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    with create_engine(url).begin() as conn:
        _run(conn)
