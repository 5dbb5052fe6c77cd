"""Jobs: the queue of checks, run by any number of processes on any number of machines without running one twice.

A job is a row; a runner takes it atomically with a lease it renews while it works, and finishes it in the same
transaction that stores the report (and the bundle's row), moves the claim to its next status and queues the
`check.finished` webhook event (webhooks.add_events: the outbox is written with the change it announces). A job whose
runner died goes back to the queue (`recover_jobs`) until it has died too often. This module decides nothing about
what a check is: the runner (`evidence_svc/jobs.py`) does the work; this module only keeps the state consistent.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from .db import Sessions, StoreError
from .rows import BundleRow, ClaimRow, FileRow, JobRow, ReportRow, new_id, utcnow
from .webhooks import add_events


def _finished_event(s: Session, job: JobRow, claim: ClaimRow, report: ReportRow | None) -> None:
    data = {"claim_id": claim.id, "order_id": claim.order_id, "job_id": job.id, "state": job.state,
            "claim_status": claim.status, "error": job.error,
            "report": {"id": report.id, "errors": report.errors, "warnings": report.warnings, "ready": report.ready,
                       "current": report.claim_revision == claim.revision} if report else None}
    add_events(s, claim.tenant_id, "check.finished", f"check.finished:{job.id}", data)


def _has_pending(s: Session, claim_id: str, except_job: str) -> bool:
    return s.scalar(select(func.count()).select_from(JobRow).where(
        JobRow.claim_id == claim_id, JobRow.id != except_job, JobRow.state.in_(("queued", "running")))) > 0


class JobRepo(Sessions):
    """The job queue and its leases."""

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

    def claim_for_job(self, job: JobRow) -> tuple[ClaimRow, list[FileRow]] | None:
        """The job's claim and files (noting the revision the job sees); None if the claim was deleted meanwhile."""
        with self._write() as s:
            claim = s.get(ClaimRow, job.claim_id)
            if claim is None:  # deleted after the job was taken (the job row went with it: ON DELETE CASCADE)
                return None
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
                claim.status = "draft" if not _has_pending(s, claim.id, job.id) else "checking"
            _finished_event(s, current, claim, existing)
            return existing.id, reused

    def fail_job(self, job_id: str, owner: str | None, error: str) -> None:
        now = utcnow()
        with self._write() as s:
            job = s.get(JobRow, job_id)
            if job is None or job.state in ("done", "failed") or (owner is not None and job.owner != owner):
                return
            job.state, job.error, job.finished_at, job.lease_until = "failed", error, now, None
            claim = s.get(ClaimRow, job.claim_id)
            if claim is not None and not _has_pending(s, claim.id, job.id):
                claim.status = "failed"
            if claim is not None:
                _finished_event(s, job, claim, None)

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
                    if claim is not None and not _has_pending(s, claim.id, job.id):
                        claim.status = "failed"
                    if claim is not None:
                        _finished_event(s, job, claim, None)
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
