"""Store rows -> response models: the one place where what the store keeps becomes what the API answers.

Routers return only pydantic models from models.py, never ORM rows. Deadlines shown with a claim come from the
domain rule (rules.deadlines) applied to when the claim was opened, so a changed response window shows at once.
Nothing here writes to the store.
"""

from __future__ import annotations

from ..config import Settings
from ..rules import deadlines
from ..store import ClaimRow, FileRow, JobRow, Store
from .models import ClaimOut, ClaimSummaryOut, FileOut, JobOut, ReportSummaryOut


def file_out(row: FileRow) -> FileOut:
    return FileOut(id=row.id, name=row.name, sha256=row.sha256, bytes=row.bytes, media_type=row.media_type,
                   created_at=row.created_at)


def job_out(row: JobRow) -> JobOut:
    return JobOut(id=row.id, kind=row.kind, claim_id=row.claim_id, state=row.state, attempts=row.attempts,
                  error=row.error, reused=row.reused, created_at=row.created_at, started_at=row.started_at,
                  finished_at=row.finished_at)


def claim_out(store: Store, settings: Settings, row: ClaimRow) -> ClaimOut:
    report = store.get_report(row.report_id) if row.report_id else None
    job = store.latest_job(row.id)
    due = deadlines(row.opened_at, settings)
    return ClaimOut(
        id=row.id, order_id=row.order_id, reason=row.reason, marketplace=row.marketplace, tracking=row.tracking,
        opened_at=row.opened_at, respond_by=due.respond_by, decision_expected_at=due.decision_expected_at,
        order_total=row.order_total, reply=row.reply, target=row.target, bundle_lang=row.bundle_lang or "en",
        timezone=row.timezone, status=row.status,
        files=[file_out(f) for f in store.list_files(row.id)],
        report=ReportSummaryOut(errors=report.errors, warnings=report.warnings, ready=report.ready,
                                current=report.claim_revision == row.revision, created_at=report.created_at)
        if report else None,
        job=job_out(job) if job else None, created_at=row.created_at, updated_at=row.updated_at,
    )


def claim_summary_out(settings: Settings, row: ClaimRow, file_count: int) -> ClaimSummaryOut:
    return ClaimSummaryOut(id=row.id, order_id=row.order_id, reason=row.reason, marketplace=row.marketplace,
                           status=row.status, opened_at=row.opened_at,
                           respond_by=deadlines(row.opened_at, settings).respond_by, file_count=file_count,
                           created_at=row.created_at, updated_at=row.updated_at)
