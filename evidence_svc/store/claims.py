"""Claims: a tenant's claim rows, their listing, and the rule that a change of a claim's inputs makes it a draft.

Every query is scoped by tenant: another tenant's claim IDs simply are not found. A claim's files, replies and
checks have their own modules; `touch_claim` is the one place that says what changing a claim's inputs means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from .db import Sessions
from .rows import ClaimRow, FileRow, ReplyRow, new_id, utcnow


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
