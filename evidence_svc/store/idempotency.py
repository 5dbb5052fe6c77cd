"""Idempotency keys: the first answer to a POST sent with an `Idempotency-Key`, kept 24 hours per tenant.

A key is reserved (a row without a status) before the request does its work and completed with the answer after,
so a retry of the same request gets the first answer instead of a second claim, upload or check. The unique
(tenant, key) constraint decides between two requests racing with one key. What counts as "the same request" is
the caller's fingerprint; this module only stores and compares it, and knows nothing about HTTP.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .db import Sessions
from .rows import IdempotencyRow, new_id, utcnow

KEEP = timedelta(hours=24)
ABANDONED = timedelta(minutes=10)  # a reservation this old without an answer: its process died mid-request


class IdempotencyRepo(Sessions):
    """Reserve a key, store its answer, or give the reservation back."""

    def reserve_key(self, tenant_id: str, key: str, fingerprint: str) -> IdempotencyRow | None:
        """None when the key is new (it is now reserved for the caller); else the row already there, answered
        (`status` set) or still running."""
        now = utcnow()
        for _ in range(2):  # a second round only after losing an insert race (PostgreSQL)
            try:
                with self._write() as s:
                    row = s.scalar(select(IdempotencyRow).where(IdempotencyRow.tenant_id == tenant_id,
                                                                IdempotencyRow.key == key))
                    if row is not None:
                        expired = row.created_at < now - KEEP
                        abandoned = row.status is None and row.created_at < now - ABANDONED
                        if not (expired or abandoned):
                            return row
                        s.delete(row)
                        s.flush()
                    s.add(IdempotencyRow(id=new_id("idk"), tenant_id=tenant_id, key=key, fingerprint=fingerprint,
                                         created_at=now))
                return None
            except IntegrityError:
                continue
        raise RuntimeError("idempotency key contended")  # pragma: no cover - two lost races in a row

    def save_answer(self, tenant_id: str, key: str, status: int, body: str, location: str | None) -> None:
        with self._write() as s:
            row = s.scalar(select(IdempotencyRow).where(IdempotencyRow.tenant_id == tenant_id,
                                                        IdempotencyRow.key == key))
            if row is not None:
                row.status, row.body, row.location = status, body, location

    def release_key(self, tenant_id: str, key: str) -> None:
        """The request failed before it had an answer worth repeating: the key may be used again."""
        with self._write() as s:
            s.execute(delete(IdempotencyRow).where(IdempotencyRow.tenant_id == tenant_id, IdempotencyRow.key == key,
                                                   IdempotencyRow.status.is_(None)))

    def purge_idempotency(self) -> int:
        with self._write() as s:
            return s.execute(delete(IdempotencyRow).where(IdempotencyRow.created_at < utcnow() - KEEP)).rowcount
