"""Tenants and their API keys: who may call the API. Raw keys are never stored or logged, only their sha256.

A key is shown once when it is made; the store keeps its hash and a short prefix to tell keys apart in a listing.
Keys are listed and revoked by their ID from the CLI only (never over HTTP).
This module knows nothing about HTTP: the API's auth dependency asks `tenant_for_key` and nothing else.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from ..hashing import sha256_text
from .db import Sessions, StoreError
from .rows import ApiKey, Tenant, new_id, utcnow

KEY_PREFIX = "evk_"  # recognisable in config files and secret scanners, like GitHub's ghp_


def hash_key(raw: str) -> str:
    return sha256_text(raw)


class KeyRepo(Sessions):
    """Tenants and API keys."""

    def ensure_tenant(self, name: str) -> Tenant:
        name = name.strip()
        if not name:
            raise StoreError("a tenant needs a name")
        with self._write() as s:
            row = s.scalar(select(Tenant).where(Tenant.name == name))
            if row is None:
                row = Tenant(id=new_id("tnt"), name=name, created_at=utcnow())
                s.add(row)
            return row

    def tenant_by_name(self, name: str) -> Tenant | None:
        with self._read() as s:
            return s.scalar(select(Tenant).where(Tenant.name == name.strip()))

    def add_key(self, tenant_id: str) -> str:
        raw = KEY_PREFIX + secrets.token_urlsafe(32)
        with self._write() as s:
            s.add(ApiKey(id=new_id("key"), tenant_id=tenant_id, prefix=raw[:10], key_hash=hash_key(raw),
                         created_at=utcnow()))
        return raw

    def list_keys(self) -> list[tuple[ApiKey, str]]:
        """Every key (never the key itself: its ID, prefix and dates) with its tenant's name, oldest first."""
        with self._read() as s:
            rows = s.execute(select(ApiKey, Tenant.name).join(Tenant, ApiKey.tenant_id == Tenant.id)
                             .order_by(ApiKey.created_at, ApiKey.id))
            return [(key, name) for key, name in rows]

    def revoke_key(self, key_id: str) -> ApiKey | None:
        """Revoke a key by its ID (a revoked key stays revoked); None when there is no such key. Effective at once:
        `tenant_for_key` reads the database on every request."""
        with self._write() as s:
            key = s.get(ApiKey, key_id)
            if key is not None and key.revoked_at is None:
                key.revoked_at = utcnow()
            return key

    def tenant_for_key(self, raw: str) -> Tenant | None:
        if not raw.startswith(KEY_PREFIX) or len(raw) > 200:
            return None
        with self._read() as s:
            return s.scalar(
                select(Tenant).join(ApiKey, ApiKey.tenant_id == Tenant.id)
                .where(ApiKey.key_hash == hash_key(raw), ApiKey.revoked_at.is_(None))
            )
