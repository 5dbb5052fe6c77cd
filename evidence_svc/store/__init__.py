"""The store: tenants, API keys, claims, files, reports, bundles, jobs and replies, plus the content-addressed blobs.

`Store` is the one object the adapters (the API, the job runner, Celery workers) hold: a facade over one
repository per aggregate, each in its own module (`keys`, `claims`, `replies`, `files`, `reports`, `jobs`, `blobs`,
`idempotency`, `webhooks`),
the rows in `rows` and the engine, migrations and sessions in `db`. Every query that a tenant can trigger is
scoped by tenant: another tenant's IDs simply are not found. The store knows nothing about HTTP or the pipeline;
raw API keys are never stored or logged, only their sha256.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ..config import Settings
from .blobs import BlobEmpty, BlobError, BlobRepo, BlobTooLarge, BlobWriter
from .claims import ClaimFields, ClaimRepo
from .db import Sessions, StoreError, dispose_engines, engine_for
from .files import FileRepo
from .idempotency import IdempotencyRepo
from .jobs import JobRepo
from .keys import KEY_PREFIX, KeyRepo, hash_key
from .replies import ReplyRepo
from .reports import ReportRepo
from .webhooks import EVENTS, WebhookRepo
from .rows import (
    ApiKey,
    Base,
    BundleRow,
    ClaimRow,
    DeliveryRow,
    FileRow,
    IdempotencyRow,
    JobRow,
    ReplyRow,
    ReportRow,
    Tenant,
    UTCDateTime,
    WebhookRow,
    new_id,
    utcnow,
)

__all__ = [
    "EVENTS", "KEY_PREFIX", "ApiKey", "Base", "BlobEmpty", "BlobError", "BlobTooLarge", "BlobWriter", "BundleRow",
    "ClaimFields", "ClaimRow", "DeliveryRow", "FileRow", "IdempotencyRow", "JobRow", "ReplyRow", "ReportRow", "Store",
    "StoreError", "Tenant", "UTCDateTime", "WebhookRow", "create_key", "dispose_engines", "engine_for", "hash_key",
    "new_id", "open_store", "utcnow",
]


class Store(KeyRepo, ClaimRepo, ReplyRepo, FileRepo, ReportRepo, JobRepo, IdempotencyRepo, WebhookRepo,
            BlobRepo):
    """Repository functions over one database and one blob directory. Each call is one short transaction."""

    def __init__(self, engine: Engine, blobs: Path) -> None:
        Sessions.__init__(self, engine)
        BlobRepo.__init__(self, blobs)

    def remove_blob_if_unused(self, sha256: str) -> bool:
        """Unlink a blob that no file or bundle row refers to (say, a bundle whose claim was deleted while it was
        being made); True if it was removed."""
        with self._read() as s:
            used = s.scalar(select(FileRow.id).where(FileRow.sha256 == sha256).limit(1)) is not None or \
                s.scalar(select(BundleRow.id).where(BundleRow.sha256 == sha256).limit(1)) is not None
        if not used:
            self.remove_blob(sha256)
        return not used

    def delete_claim_everything(self, tenant_id: str, claim_id: str) -> bool:
        """Delete a claim and the blobs (and thumbnails) no other claim uses; False if not the tenant's."""
        orphans = self.delete_claim(tenant_id, claim_id)
        if orphans is None:
            return False
        for sha in orphans:
            self.remove_blob(sha)
        return True


def open_store(settings: Settings) -> Store:
    return Store(engine_for(settings.sqlalchemy_url), settings.blobs)


def create_key(settings: Settings, tenant: str) -> str:
    """A new API key for `tenant` (created if new). The key is returned once; only its sha256 is stored."""
    store = open_store(settings)
    tenant_row = store.ensure_tenant(tenant)
    return store.add_key(tenant_row.id)
