"""Replies: the text a tenant answers a claim with, and the history of them that `reply-reused` compares against.

Setting a claim's reply changes its inputs (see `claims.touch_claim`) and adds the text to the tenant's history;
the history is read per tenant only, never across tenants.
"""

from __future__ import annotations

from sqlalchemy import select

from .claims import touch_claim
from .db import Sessions
from .rows import ClaimRow, ReplyRow, new_id, utcnow


class ReplyRepo(Sessions):
    """A claim's reply and the tenant's earlier replies."""

    def set_reply(self, tenant_id: str, claim_id: str, text: str | None) -> ClaimRow | None:
        with self._write() as s:
            claim = s.scalar(select(ClaimRow).where(ClaimRow.id == claim_id, ClaimRow.tenant_id == tenant_id))
            if claim is None:
                return None
            if claim.reply != text:
                claim.reply = text
                touch_claim(claim)
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
