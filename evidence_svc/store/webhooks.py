"""Webhooks and their outbox: a tenant's endpoints, the events waiting to be sent, and the log of what was sent.

An event is written to the outbox (`webhook_deliveries`, one row per subscribed webhook) in the same transaction
as the change it announces (`add_events` takes that transaction's session), so no event is lost to a crash and
none is sent for a change that was rolled back. A runner takes a due row with a lease (`take_delivery`), so two
runners never send one row at once, and records each attempt (`record_attempt`). The row stays as the delivery
log until `prune_deliveries` removes it (delivered or failed, older than `webhook_log_days`). Sending, signing
and the address rules are in `evidence_svc/webhooks/`; this module knows no HTTP.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from .db import Sessions
from .rows import ClaimRow, DeliveryRow, JobRow, WebhookRow, new_id, utcnow

EVENTS = ("check.finished", "claim.deadline_near")


def event_body(event: str, data: dict, now: datetime) -> str:
    """The JSON every subscriber of one happening receives (same `id` for all)."""
    return json.dumps({"id": new_id("evt"), "type": event, "created_at": now.isoformat(), "data": data},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def add_events(s: Session, tenant_id: str, event: str, dedupe_key: str, data: dict) -> int:
    """Queue `event` for every webhook of the tenant that wants it, inside the caller's transaction. A webhook
    that already has a row with this `dedupe_key` gets no second one. Returns how many rows were queued."""
    now = utcnow()
    hooks = [h for h in s.scalars(select(WebhookRow).where(WebhookRow.tenant_id == tenant_id)) if event in h.events]
    if not hooks:
        return 0
    seen = set(s.scalars(select(DeliveryRow.webhook_id).where(
        DeliveryRow.webhook_id.in_([h.id for h in hooks]), DeliveryRow.dedupe_key == dedupe_key)))
    body = event_body(event, data, now)
    fresh = [h for h in hooks if h.id not in seen]
    for hook in fresh:
        s.add(DeliveryRow(id=new_id("dlv"), webhook_id=hook.id, event=event, dedupe_key=dedupe_key, payload=body,
                          state="pending", attempts=0, next_attempt_at=now, created_at=now))
    return len(fresh)


def drop_claim_events(s: Session, claim_id: str) -> int:
    """A claim is being deleted (inside the caller's transaction): its events not yet sent never will be; they stay
    in the log as failed. Returns how many."""
    keys = [f"check.finished:{job_id}" for job_id in s.scalars(select(JobRow.id).where(JobRow.claim_id == claim_id))]
    about = DeliveryRow.dedupe_key.like(f"claim.deadline_near:{claim_id}:%")
    return s.execute(update(DeliveryRow).where(
        DeliveryRow.state == "pending", or_(about, DeliveryRow.dedupe_key.in_(keys)) if keys else about,
    ).values(state="failed", next_attempt_at=None, lease_until=None,
             last_error="not sent: the claim was deleted")).rowcount or 0


class WebhookRepo(Sessions):
    """A tenant's webhooks, the outbox and the delivery log."""

    def create_webhook(self, tenant_id: str, url: str, events: list[str], secret: str,
                       limit: int | None = None) -> WebhookRow | None:
        """A new webhook; None when the tenant already has `limit` of them (counted in the same transaction)."""
        row = WebhookRow(id=new_id("whk"), tenant_id=tenant_id, url=url, events=list(events), secret=secret,
                         created_at=utcnow())
        with self._write() as s:
            if limit is not None and (s.scalar(select(func.count()).select_from(WebhookRow)
                                               .where(WebhookRow.tenant_id == tenant_id)) or 0) >= limit:
                return None
            s.add(row)
        return row

    def queue_event(self, tenant_id: str, event: str, dedupe_key: str, data: dict) -> int:
        """Queue an event on its own (not part of another change): see add_events."""
        with self._write() as s:
            return add_events(s, tenant_id, event, dedupe_key, data)

    def list_webhooks(self, tenant_id: str) -> list[WebhookRow]:
        with self._read() as s:
            return list(s.scalars(select(WebhookRow).where(WebhookRow.tenant_id == tenant_id)
                                  .order_by(WebhookRow.created_at, WebhookRow.id)))

    def get_webhook(self, tenant_id: str, webhook_id: str) -> WebhookRow | None:
        with self._read() as s:
            return s.scalar(select(WebhookRow).where(WebhookRow.id == webhook_id, WebhookRow.tenant_id == tenant_id))

    def delete_webhook(self, tenant_id: str, webhook_id: str) -> bool:
        with self._write() as s:
            return s.execute(delete(WebhookRow).where(WebhookRow.id == webhook_id,
                                                      WebhookRow.tenant_id == tenant_id)).rowcount == 1

    def list_deliveries(self, tenant_id: str, webhook_id: str, limit: int = 50) -> list[DeliveryRow] | None:
        """The webhook's deliveries, newest first; None if the webhook is not the tenant's."""
        with self._read() as s:
            if s.scalar(select(WebhookRow.id).where(WebhookRow.id == webhook_id,
                                                    WebhookRow.tenant_id == tenant_id)) is None:
                return None
            return list(s.scalars(select(DeliveryRow).where(DeliveryRow.webhook_id == webhook_id)
                                  .order_by(DeliveryRow.created_at.desc(), DeliveryRow.id.desc()).limit(limit)))

    def add_deadline_events(self, within: timedelta) -> int:
        """Queue `claim.deadline_near` for claims whose response is due within `within` and not yet sent, once per
        claim and deadline (a changed `opened_at` is a new deadline)."""
        now = utcnow()
        queued = 0
        with self._write() as s:
            tenants = set(s.scalars(select(WebhookRow.tenant_id)))
            if not tenants:
                return 0
            claims = list(s.scalars(select(ClaimRow).where(
                ClaimRow.tenant_id.in_(tenants), ClaimRow.respond_by.is_not(None), ClaimRow.respond_by > now,
                ClaimRow.respond_by <= now + within)))
            for c in claims:
                assert c.respond_by is not None
                data = {"claim_id": c.id, "order_id": c.order_id, "status": c.status,
                        "respond_by": c.respond_by.isoformat()}
                queued += add_events(s, c.tenant_id, "claim.deadline_near",
                                     f"claim.deadline_near:{c.id}:{c.respond_by.isoformat()}", data)
        return queued

    def due_deliveries(self, limit: int = 50) -> list[str]:
        now = utcnow()
        with self._read() as s:
            return list(s.scalars(select(DeliveryRow.id).where(
                DeliveryRow.state == "pending", DeliveryRow.next_attempt_at <= now,
                or_(DeliveryRow.lease_until.is_(None), DeliveryRow.lease_until < now),
            ).order_by(DeliveryRow.next_attempt_at).limit(limit)))

    def due_by_webhook(self, limit: int = 200, exclude: frozenset[str] = frozenset()) -> dict[str, list[str]]:
        """Due deliveries grouped by webhook, each group in the order its events were queued; webhooks in
        `exclude` (being sent to right now) are left out so that their backlog does not crowd out the others."""
        now = utcnow()
        where = [DeliveryRow.state == "pending", DeliveryRow.next_attempt_at <= now,
                 or_(DeliveryRow.lease_until.is_(None), DeliveryRow.lease_until < now)]
        if exclude:
            where.append(DeliveryRow.webhook_id.not_in(sorted(exclude)))
        groups: dict[str, list[str]] = {}
        with self._read() as s:
            for webhook_id, delivery_id in s.execute(
                    select(DeliveryRow.webhook_id, DeliveryRow.id).where(*where)
                    .order_by(DeliveryRow.created_at, DeliveryRow.id).limit(limit)):
                groups.setdefault(webhook_id, []).append(delivery_id)
        return groups

    def prune_deliveries(self, older_than: timedelta) -> int:
        """Forget delivered and failed deliveries queued longer ago than `older_than`; pending ones stay."""
        with self._write() as s:
            return s.execute(delete(DeliveryRow).where(
                DeliveryRow.state.in_(("delivered", "failed")),
                DeliveryRow.created_at < utcnow() - older_than)).rowcount or 0

    def take_delivery(self, delivery_id: str, lease_s: float) -> tuple[DeliveryRow, WebhookRow] | None:
        """Lease a due delivery to the caller (at most one runner wins), with its webhook."""
        now = utcnow()
        with self._write() as s:
            won = s.execute(update(DeliveryRow).where(
                DeliveryRow.id == delivery_id, DeliveryRow.state == "pending", DeliveryRow.next_attempt_at <= now,
                or_(DeliveryRow.lease_until.is_(None), DeliveryRow.lease_until < now),
            ).values(lease_until=now + timedelta(seconds=lease_s), attempts=DeliveryRow.attempts + 1)).rowcount
            if won != 1:
                return None
            row = s.get(DeliveryRow, delivery_id)
            assert row is not None
            hook = s.get(WebhookRow, row.webhook_id)
            return (row, hook) if hook is not None else None

    def record_attempt(self, delivery_id: str, *, delivered: bool, status: int | None, error: str | None,
                       retry_in: float | None) -> None:
        """The outcome of one attempt: delivered, due again in `retry_in` seconds, or (retry_in None) given up."""
        now = utcnow()
        with self._write() as s:
            row = s.get(DeliveryRow, delivery_id)
            if row is None or row.state != "pending":  # given up meanwhile (its claim was deleted): stays so
                return
            row.last_status, row.last_error, row.lease_until = status, error, None
            if delivered:
                row.state, row.delivered_at, row.next_attempt_at = "delivered", now, None
            elif retry_in is None:
                row.state, row.next_attempt_at = "failed", None
            else:
                row.next_attempt_at = now + timedelta(seconds=retry_in)
