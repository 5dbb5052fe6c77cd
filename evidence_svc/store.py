"""The store: tenants, API keys, claims, files, reports, bundles, jobs and replies, plus the content-addressed blobs.

SQLAlchemy 2.0 models and the repository functions the adapters (api.py, jobs.py, later Celery workers) use; a
SQLite file in WAL mode under `settings.data_dir` by default, any SQLAlchemy URL (PostgreSQL) through
`EVIDENCE_DATABASE_URL`. The schema is owned by Alembic (`evidence_svc/migrations/`), upgraded when the store is
opened, so an old data directory upgrades in place. Blobs are stored once per sha256 under `settings.blobs`,
written atomically (temp file, fsync, rename). Every query that a tenant can trigger is scoped by tenant: another
tenant's IDs simply are not found. This module knows nothing about HTTP or the pipeline; raw API keys are never
stored or logged, only their sha256.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any, Iterator

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from .blobs import BlobWriter, blob_path, clean_tmp, put_blob_stream
from .config import Settings

KEY_PREFIX = "evk_"  # recognisable in config files and secret scanners, like GitHub's ghp_


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_id(kind: str) -> str:
    return f"{kind}_{uuid.uuid4().hex}"


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


# --- models ------------------------------------------------------------------------------------------------------


class Base(DeclarativeBase):
    pass


class Tenant(Base):
    __tablename__ = "tenants"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(16))  # first characters, to tell keys apart in a listing
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ClaimRow(Base):
    __tablename__ = "claims"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    marketplace: Mapped[str] = mapped_column(String(8))
    tracking: Mapped[list] = mapped_column(JSON, default=list)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    order_total: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    reply: Mapped[str | None] = mapped_column(Text, nullable=True)
    target: Mapped[str] = mapped_column(String(20), default="amazon")
    # draft (changed since the last check) | checking | ready | needs_work | failed
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)  # bumped by every change of the claim's inputs
    report_id: Mapped[str | None] = mapped_column(String(40), nullable=True)  # the latest report
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FileRow(Base):
    __tablename__ = "files"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(255))  # display only: never used as a path
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    media_type: Mapped[str | None] = mapped_column(String(100), nullable=True)  # sniffed by the pipeline
    bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReportRow(Base):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("claim_id", "fingerprint", name="uq_reports_claim_fingerprint"),)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    claim_revision: Mapped[int] = mapped_column(Integer, default=0)
    body: Mapped[str] = mapped_column(Text)  # evidence-report/1 JSON
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    ready: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BundleRow(Base):
    __tablename__ = "bundles"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    target: Mapped[str] = mapped_column(String(20), default="amazon")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class JobRow(Base):
    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="check")
    state: Mapped[str] = mapped_column(String(20), default="queued", index=True)  # queued|running|done|failed
    target: Mapped[str] = mapped_column(String(20), default="amazon")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)  # host:pid:token of the runner
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claim_revision: Mapped[int] = mapped_column(Integer, default=0)  # what the runner checked
    report_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reused: Mapped[bool] = mapped_column(Boolean, default=False)  # an identical earlier report was reused
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ReplyRow(Base):
    __tablename__ = "replies"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StoreError(Exception):
    pass


# --- the store ---------------------------------------------------------------------------------------------------


@dataclass
class ClaimFields:
    order_id: str
    reason: str
    marketplace: str
    tracking: list[str]
    opened_at: datetime | None
    respond_by: datetime | None
    order_total: dict | None
    reply: str | None
    target: str = "amazon"


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
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(url, pool_size=10, max_overflow=20, pool_timeout=30)
                _sqlite_pragmas(engine)
            else:
                engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
            from .migrations import upgrade

            upgrade(engine)
            _ENGINES[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests that reopen a data directory, process shutdown)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def open_store(settings: Settings) -> "Store":
    return Store(engine_for(settings.sqlalchemy_url), settings.blobs)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_key(settings: Settings, tenant: str) -> str:
    """A new API key for `tenant` (created if new). The key is returned once; only its sha256 is stored."""
    store = open_store(settings)
    tenant_row = store.ensure_tenant(tenant)
    return store.add_key(tenant_row.id)


class Store:
    """Repository functions over one database and one blob directory. Each call is one short transaction."""

    def __init__(self, engine: Engine, blobs: Path) -> None:
        self.engine = engine
        self.blobs = Path(blobs)
        self.blobs.mkdir(parents=True, exist_ok=True)
        clean_tmp(self.blobs)
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.is_sqlite = engine.dialect.name == "sqlite"

    # sessions: `_read` for queries, `_write` for anything that changes rows
    def _read(self) -> Session:
        return self._sessions()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction, committed on success (on SQLite it takes the write lock up front)."""
        with self._sessions() as session, session.begin():
            if self.is_sqlite:
                session.connection(execution_options={"sqlite_immediate": True})
            yield session

    # --- blobs
    def blob_writer(self, max_bytes: int) -> BlobWriter:
        return BlobWriter(self.blobs, max_bytes)

    def put_blob_stream(self, fileobj: IO[bytes], max_bytes: int) -> tuple[str, int]:
        return put_blob_stream(self.blobs, fileobj, max_bytes)

    def put_blob_file(self, path: Path, max_bytes: int = 1 << 40) -> tuple[str, int]:
        with open(path, "rb") as f:
            return self.put_blob_stream(f, max_bytes)

    def blob_path(self, sha256: str) -> Path:
        return blob_path(self.blobs, sha256)

    # --- tenants and keys
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

    def add_key(self, tenant_id: str) -> str:
        raw = KEY_PREFIX + secrets.token_urlsafe(32)
        with self._write() as s:
            s.add(ApiKey(id=new_id("key"), tenant_id=tenant_id, prefix=raw[:10], key_hash=hash_key(raw),
                         created_at=utcnow()))
        return raw

    def tenant_for_key(self, raw: str) -> Tenant | None:
        if not raw.startswith(KEY_PREFIX) or len(raw) > 200:
            return None
        with self._read() as s:
            return s.scalar(
                select(Tenant).join(ApiKey, ApiKey.tenant_id == Tenant.id)
                .where(ApiKey.key_hash == hash_key(raw), ApiKey.revoked_at.is_(None))
            )

    # --- claims
    def create_claim(self, tenant_id: str, fields: ClaimFields) -> ClaimRow:
        now = utcnow()
        row = ClaimRow(id=new_id("clm"), tenant_id=tenant_id, status="draft", revision=1, created_at=now,
                       updated_at=now, **fields.__dict__)
        with self._write() as s:
            s.add(row)
            if fields.reply:
                s.add(ReplyRow(id=new_id("rpl"), tenant_id=tenant_id, claim_id=row.id, text=fields.reply,
                               created_at=now))
        return row

    def get_claim(self, tenant_id: str, claim_id: str) -> ClaimRow | None:
        with self._read() as s:
            return s.scalar(select(ClaimRow).where(ClaimRow.id == claim_id, ClaimRow.tenant_id == tenant_id))

    def list_claims(
        self, tenant_id: str, *, status: str | None = None, respond_before: datetime | None = None,
        order_id: str | None = None, limit: int = 50, offset: int = 0,
    ) -> tuple[list[ClaimRow], int, dict[str, int]]:
        """A page of claims (newest first), the total matching, and the number of files of each."""
        where = [ClaimRow.tenant_id == tenant_id]
        if status:
            where.append(ClaimRow.status == status)
        if respond_before:
            where.append(ClaimRow.respond_by.is_not(None))
            where.append(ClaimRow.respond_by <= respond_before)
        if order_id:
            where.append(ClaimRow.order_id == order_id)
        with self._read() as s:
            total = s.scalar(select(func.count()).select_from(ClaimRow).where(*where)) or 0
            rows = list(s.scalars(
                select(ClaimRow).where(*where).order_by(ClaimRow.created_at.desc(), ClaimRow.id.desc())
                .limit(limit).offset(offset)
            ))
            counts: dict[str, int] = {}
            if rows:
                counts = dict(s.execute(
                    select(FileRow.claim_id, func.count()).where(FileRow.claim_id.in_([r.id for r in rows]))
                    .group_by(FileRow.claim_id)
                ).all())
        return rows, total, counts

    def _touch(self, s: Session, claim: ClaimRow) -> None:
        """A claim's inputs changed: its report no longer describes it."""
        claim.revision += 1
        claim.updated_at = utcnow()
        if claim.status != "checking":
            claim.status = "draft"

    def set_reply(self, tenant_id: str, claim_id: str, text: str | None) -> ClaimRow | None:
        with self._write() as s:
            claim = s.scalar(select(ClaimRow).where(ClaimRow.id == claim_id, ClaimRow.tenant_id == tenant_id))
            if claim is None:
                return None
            if claim.reply != text:
                claim.reply = text
                self._touch(s, claim)
                if text:
                    s.add(ReplyRow(id=new_id("rpl"), tenant_id=tenant_id, claim_id=claim_id, text=text,
                                   created_at=utcnow()))
            return claim

    def earlier_replies(self, tenant_id: str, claim_id: str, limit: int = 200) -> list[str]:
        """The tenant's replies to its other claims (newest first): what `reply-reused` compares against."""
        with self._read() as s:
            texts = s.scalars(
                select(ReplyRow.text).where(ReplyRow.tenant_id == tenant_id, ReplyRow.claim_id != claim_id)
                .order_by(ReplyRow.created_at.desc(), ReplyRow.id).limit(limit)
            )
            return list(dict.fromkeys(texts))

    # --- files
    def add_files(self, tenant_id: str, claim_id: str, blobs: list[tuple[str, str, int]]) -> list[FileRow] | None:
        """Record uploaded blobs (name, sha256, size) as files of the claim; None if the claim is not the tenant's."""
        with self._write() as s:
            claim = s.scalar(select(ClaimRow).where(ClaimRow.id == claim_id, ClaimRow.tenant_id == tenant_id))
            if claim is None:
                return None
            last = s.scalar(select(func.max(FileRow.position)).where(FileRow.claim_id == claim_id)) or 0
            now = utcnow()
            rows = [
                FileRow(id=new_id("fil"), claim_id=claim_id, position=last + i + 1, name=name, sha256=sha,
                        bytes=size, created_at=now)
                for i, (name, sha, size) in enumerate(blobs)
            ]
            s.add_all(rows)
            self._touch(s, claim)
            return rows

    def list_files(self, claim_id: str) -> list[FileRow]:
        with self._read() as s:
            return list(s.scalars(
                select(FileRow).where(FileRow.claim_id == claim_id).order_by(FileRow.position, FileRow.id)
            ))

    def get_file(self, tenant_id: str, claim_id: str, file_id: str) -> FileRow | None:
        with self._read() as s:
            return s.scalar(
                select(FileRow).join(ClaimRow, ClaimRow.id == FileRow.claim_id)
                .where(FileRow.id == file_id, FileRow.claim_id == claim_id, ClaimRow.tenant_id == tenant_id)
            )

    def delete_file(self, tenant_id: str, claim_id: str, file_id: str) -> bool:
        """Remove a file from a claim. The blob stays: other claims may share it (content-addressed)."""
        with self._write() as s:
            claim = s.scalar(select(ClaimRow).where(ClaimRow.id == claim_id, ClaimRow.tenant_id == tenant_id))
            row = claim and s.scalar(select(FileRow).where(FileRow.id == file_id, FileRow.claim_id == claim_id))
            if not row:
                return False
            s.delete(row)
            self._touch(s, claim)
            return True

    # --- reports and bundles
    def get_report(self, report_id: str) -> ReportRow | None:
        with self._read() as s:
            return s.get(ReportRow, report_id)

    def report_by_fingerprint(self, claim_id: str, fingerprint: str) -> ReportRow | None:
        with self._read() as s:
            return s.scalar(select(ReportRow).where(ReportRow.claim_id == claim_id,
                                                    ReportRow.fingerprint == fingerprint))

    def bundle_for_report(self, report_id: str) -> BundleRow | None:
        with self._read() as s:
            return s.scalar(select(BundleRow).where(BundleRow.report_id == report_id))

    def count_reports(self, claim_id: str) -> int:
        with self._read() as s:
            return s.scalar(select(func.count()).select_from(ReportRow).where(ReportRow.claim_id == claim_id)) or 0

    # --- jobs
    def create_job(self, tenant_id: str, claim_id: str, kind: str = "check", target: str | None = None
                   ) -> tuple[JobRow | None, bool]:
        """Queue a job for the claim, or return the one already queued (it will see the claim as it is then).

        Returns (job, created); job is None if the claim is not the tenant's.
        """
        with self._write() as s:
            claim = s.scalar(select(ClaimRow).where(ClaimRow.id == claim_id, ClaimRow.tenant_id == tenant_id))
            if claim is None:
                return None, False
            target = target or claim.target
            queued = s.scalar(select(JobRow).where(JobRow.claim_id == claim_id, JobRow.kind == kind,
                                                   JobRow.state == "queued", JobRow.target == target))
            if queued is not None:
                return queued, False
            job = JobRow(id=new_id("job"), tenant_id=tenant_id, claim_id=claim_id, kind=kind, state="queued",
                         target=target, attempts=0, created_at=utcnow())
            s.add(job)
            claim.status = "checking"
            claim.target = target
            return job, True

    def get_job(self, job_id: str, tenant_id: str | None = None) -> JobRow | None:
        """A job by ID; with `tenant_id`, only that tenant's (the API); without, any (the runner)."""
        with self._read() as s:
            q = select(JobRow).where(JobRow.id == job_id)
            if tenant_id is not None:
                q = q.where(JobRow.tenant_id == tenant_id)
            return s.scalar(q)

    def latest_job(self, claim_id: str) -> JobRow | None:
        with self._read() as s:
            return s.scalar(select(JobRow).where(JobRow.claim_id == claim_id)
                            .order_by(JobRow.created_at.desc(), JobRow.id.desc()).limit(1))

    def take_job(self, job_id: str, owner: str, lease_s: float) -> JobRow | None:
        """Atomically make `owner` the runner of a queued job (or of a running one whose owner's lease ran out).

        At most one caller wins; everyone else gets None. This is what makes a redelivered or re-submitted job
        harmless: only one runner at a time, and a job that is done stays done.
        """
        now = utcnow()
        with self._write() as s:
            result = s.execute(
                update(JobRow)
                .where(JobRow.id == job_id,
                       or_(JobRow.state == "queued", (JobRow.state == "running") & (JobRow.lease_until < now)))
                .values(state="running", owner=owner, lease_until=now + timedelta(seconds=lease_s),
                        attempts=JobRow.attempts + 1, started_at=now, error=None)
            )
            if result.rowcount != 1:
                return None
            return s.get(JobRow, job_id)

    def renew_lease(self, job_id: str, owner: str, lease_s: float) -> bool:
        with self._write() as s:
            result = s.execute(
                update(JobRow).where(JobRow.id == job_id, JobRow.owner == owner, JobRow.state == "running")
                .values(lease_until=utcnow() + timedelta(seconds=lease_s))
            )
            return result.rowcount == 1

    def release_job(self, job_id: str, owner: str, error: str) -> None:
        """Give a job back to the queue (a transient failure: the database or the disk, not the evidence)."""
        with self._write() as s:
            s.execute(update(JobRow).where(JobRow.id == job_id, JobRow.owner == owner, JobRow.state == "running")
                      .values(state="queued", owner=None, lease_until=None, error=error))

    def claim_for_job(self, job: JobRow) -> tuple[ClaimRow, list[FileRow]]:
        with self._write() as s:
            claim = s.get(ClaimRow, job.claim_id)
            assert claim is not None  # the FK cascades: a job cannot outlive its claim
            s.execute(update(JobRow).where(JobRow.id == job.id).values(claim_revision=claim.revision))
            files = list(s.scalars(select(FileRow).where(FileRow.claim_id == claim.id)
                                   .order_by(FileRow.position, FileRow.id)))
            return claim, files

    def finish_job(
        self, job: JobRow, owner: str, *, fingerprint: str, report_json: str | None = None,
        errors: int = 0, warnings: int = 0, ready: bool = False, bundle: dict | None = None,
        media_types: dict[str, str | None] | None = None,
    ) -> tuple[str, bool] | None:
        """Store the report (unless one with this fingerprint exists) and mark the job done, in one transaction.

        Returns (report_id, reused), or None if `owner` no longer runs the job (its lease was taken over).
        """
        now = utcnow()
        with self._write() as s:
            current = s.get(JobRow, job.id)
            if current is None or current.state != "running" or current.owner != owner:
                return None
            existing = s.scalar(select(ReportRow).where(ReportRow.claim_id == job.claim_id,
                                                        ReportRow.fingerprint == fingerprint))
            claim = s.get(ClaimRow, job.claim_id)
            assert claim is not None
            reused = existing is not None
            if existing is None:
                if report_json is None:
                    raise StoreError("no report to store")
                existing = ReportRow(id=new_id("rep"), claim_id=job.claim_id, fingerprint=fingerprint,
                                     claim_revision=current.claim_revision, body=report_json, errors=errors,
                                     warnings=warnings, ready=ready, created_at=now)
                s.add(existing)
                s.flush()
                if bundle is not None:
                    s.add(BundleRow(id=new_id("bnd"), claim_id=job.claim_id, report_id=existing.id, **bundle,
                                    created_at=now))
            else:
                existing.claim_revision = current.claim_revision
            for file in s.scalars(select(FileRow).where(FileRow.claim_id == job.claim_id)):
                if media_types and media_types.get(file.sha256):
                    file.media_type = media_types[file.sha256]
            current.state, current.finished_at, current.report_id = "done", now, existing.id
            current.reused, current.lease_until, current.error = reused, None, None
            claim.report_id = existing.id
            if claim.revision == current.claim_revision:
                claim.status = "ready" if existing.ready else "needs_work"
            else:
                claim.status = "draft" if not self._has_pending(s, claim.id, job.id) else "checking"
            return existing.id, reused

    def fail_job(self, job_id: str, owner: str | None, error: str) -> None:
        now = utcnow()
        with self._write() as s:
            job = s.get(JobRow, job_id)
            if job is None or job.state in ("done", "failed") or (owner is not None and job.owner != owner):
                return
            job.state, job.error, job.finished_at, job.lease_until = "failed", error, now, None
            claim = s.get(ClaimRow, job.claim_id)
            if claim is not None and not self._has_pending(s, claim.id, job.id):
                claim.status = "failed"

    def _has_pending(self, s: Session, claim_id: str, except_job: str) -> bool:
        return s.scalar(select(func.count()).select_from(JobRow).where(
            JobRow.claim_id == claim_id, JobRow.id != except_job, JobRow.state.in_(("queued", "running")))) > 0

    def recover_jobs(self, is_dead: Any, max_attempts: int) -> list[str]:
        """Jobs left `running` by a dead process go back to the queue; those that died too often fail.

        `is_dead(owner)` says whether the owner process is known to be gone; a running job whose lease expired is
        treated as dead too. Returns the IDs of the jobs it put back in the queue.
        """
        now = utcnow()
        orphaned: list[str] = []
        requeued: list[str] = []
        with self._write() as s:
            for job in s.scalars(select(JobRow).where(JobRow.state == "running")):
                if (job.lease_until is not None and job.lease_until < now) or is_dead(job.owner or ""):
                    orphaned.append(job.id)
            for job_id in orphaned:
                job = s.get(JobRow, job_id)
                assert job is not None
                if job.attempts >= max_attempts:
                    job.state, job.finished_at, job.lease_until = "failed", now, None
                    job.error = f"stopped {job.attempts} times while it ran; not retried (a file may crash a tool)"
                    claim = s.get(ClaimRow, job.claim_id)
                    if claim is not None and not self._has_pending(s, claim.id, job.id):
                        claim.status = "failed"
                else:
                    job.state, job.owner, job.lease_until = "queued", None, None
                    requeued.append(job_id)
        return requeued

    def queued_job_ids(self) -> list[str]:
        with self._read() as s:
            return list(s.scalars(select(JobRow.id).where(JobRow.state == "queued").order_by(JobRow.created_at)))

    def job_counts(self) -> dict[str, int]:
        with self._read() as s:
            return dict(s.execute(select(JobRow.state, func.count()).group_by(JobRow.state)).all())

    def ping(self) -> None:
        with self._read() as s:
            s.execute(select(1))

