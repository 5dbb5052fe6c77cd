"""Claims: a tenant's claim rows, their listing, and the rule that a change of a claim's inputs makes it a draft.

Every query is scoped by tenant: another tenant's claim IDs simply are not found. A claim's files, replies and
checks have their own modules; `touch_claim` is the one place that says what changing a claim's inputs means.
Deleting a claim removes its rows (the foreign keys cascade) and returns the blobs no other row still points at,
for the caller to unlink: the store never guesses which bytes another claim shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select

from .db import Sessions
from .rows import BundleRow, ClaimRow, FileRow, ReplyRow, ReportRow, new_id, utcnow
from .webhooks import drop_claim_events


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
    bundle_lang: str | None = None
    timezone: str | None = None

# What PATCH may change; each one is an input of the claim's check (so a change makes the claim a draft).
EDITABLE = frozenset({"order_id", "reason", "marketplace", "tracking", "opened_at", "respond_by", "order_total",
                      "target", "bundle_lang", "timezone"})


def touch_claim(claim: ClaimRow) -> None:
    """A claim's inputs changed: its report no longer describes it."""
    claim.revision += 1
    claim.updated_at = utcnow()
    if claim.status != "checking":
        claim.status = "draft"


class ClaimRepo(Sessions):
    """Claims of a tenant."""

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

    def update_claim(self, tenant_id: str, claim_id: str, changes: dict) -> ClaimRow | None:
        """Apply `changes` (fields of EDITABLE); a real change makes the claim a draft. None if not the tenant's."""
        unknown = set(changes) - EDITABLE
        if unknown:
            raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
        with self._write() as s:
            claim = s.scalar(select(ClaimRow).where(ClaimRow.id == claim_id, ClaimRow.tenant_id == tenant_id))
            if claim is None:
                return None
            changed = {k: v for k, v in changes.items() if getattr(claim, k) != v}
            for name, value in changed.items():
                setattr(claim, name, value)
            if changed:
                touch_claim(claim)
            return claim

    def delete_claim(self, tenant_id: str, claim_id: str) -> list[str] | None:
        """Delete a claim with its files, reports, bundles, jobs and replies. Returns the sha256 of the blobs that
        no remaining file or bundle uses (the caller removes them), or None if the claim is not the tenant's."""
        with self._write() as s:
            claim = s.scalar(select(ClaimRow).where(ClaimRow.id == claim_id, ClaimRow.tenant_id == tenant_id))
            if claim is None:
                return None
            shas = set(s.scalars(select(FileRow.sha256).where(FileRow.claim_id == claim_id)))
            shas |= set(s.scalars(select(BundleRow.sha256).where(BundleRow.claim_id == claim_id)))
            drop_claim_events(s, claim_id)  # no webhook event about a claim that no longer exists
            s.execute(delete(ClaimRow).where(ClaimRow.id == claim_id))  # files, reports, jobs...: ON DELETE CASCADE
            s.flush()
            still = set(s.scalars(select(FileRow.sha256).where(FileRow.sha256.in_(shas)))) if shas else set()
            still |= set(s.scalars(select(BundleRow.sha256).where(BundleRow.sha256.in_(shas)))) if shas else set()
            return sorted(shas - still)

    def claim_log(self, tenant_id: str, since: datetime) -> list[tuple[ClaimRow, ReportRow | None]]:
        """Claims opened (or, without an opening time, created) since `since`, oldest first, each with its latest
        report: the claim log a seller keeps."""
        opened = func.coalesce(ClaimRow.opened_at, ClaimRow.created_at)
        with self._read() as s:
            rows = s.execute(select(ClaimRow, ReportRow).outerjoin(ReportRow, ReportRow.id == ClaimRow.report_id)
                             .where(ClaimRow.tenant_id == tenant_id, opened >= since)
                             .order_by(opened, ClaimRow.id))
            return [(claim, report) for claim, report in rows]

    def list_claims(
        self, tenant_id: str, *, status: str | None = None, respond_before: datetime | None = None,
        respond_after: datetime | None = None, order_id: str | None = None, limit: int = 50, offset: int = 0,
        after: tuple[datetime, str] | None = None, created_since: datetime | None = None,
    ) -> tuple[list[ClaimRow], int, dict[str, int]]:
        """A page of claims (newest first), the total matching, and the number of files of each.

        `after` is the (created_at, id) of the last claim of the previous page (cursor paging: stable while claims
        are added); `offset` counts from there."""
        where = [ClaimRow.tenant_id == tenant_id]
        if status:
            where.append(ClaimRow.status == status)
        if respond_before or respond_after:
            where.append(ClaimRow.respond_by.is_not(None))
        if respond_before:
            where.append(ClaimRow.respond_by <= respond_before)
        if respond_after:
            where.append(ClaimRow.respond_by >= respond_after)
        if order_id:
            where.append(ClaimRow.order_id == order_id)
        if created_since:
            where.append(ClaimRow.created_at >= created_since)
        with self._read() as s:
            total = s.scalar(select(func.count()).select_from(ClaimRow).where(*where)) or 0
            page = list(where)
            if after is not None:
                page.append(or_(ClaimRow.created_at < after[0],
                                (ClaimRow.created_at == after[0]) & (ClaimRow.id < after[1])))
            rows = list(s.scalars(
                select(ClaimRow).where(*page).order_by(ClaimRow.created_at.desc(), ClaimRow.id.desc())
                .limit(limit).offset(offset)
            ))
            counts: dict[str, int] = {}
            if rows:
                counts = dict(s.execute(
                    select(FileRow.claim_id, func.count()).where(FileRow.claim_id.in_([r.id for r in rows]))
                    .group_by(FileRow.claim_id)
                ).all())
        return rows, total, counts
