"""`/v1/webhooks`: register, list and remove the URLs a tenant's events are sent to, and read each one's delivery log.

A webhook's URL must pass the address rule (webhooks/guard.py: http(s), public addresses only, unless the
`webhook_allow_private` setting allows otherwise) when it is registered; delivery checks it again. The signing
secret is made here and shown only in the answer to `POST`. A tenant has at most `webhook_max_per_tenant` webhooks
(more is 409). Nothing here sends anything: the outbox loop does.
"""

from __future__ import annotations

import json
import secrets

from fastapi import APIRouter, Depends, Query, Response
from starlette.concurrency import run_in_threadpool

from ..config import Settings
from ..store import DeliveryRow, Store, WebhookRow
from ..webhooks import check_url
from .deps import current_tenant, get_settings, get_store
from .errors import ApiError, error_docs, not_found
from .models import DeliveriesOut, DeliveryOut, WebhookCreated, WebhookIn, WebhookOut, WebhooksOut

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
SECRET_PREFIX = "whsec_"


def _out(row: WebhookRow) -> WebhookOut:
    return WebhookOut(id=row.id, url=row.url, events=row.events, created_at=row.created_at)


def _delivery_out(row: DeliveryRow) -> DeliveryOut:
    return DeliveryOut(id=row.id, event=row.event, state=row.state, attempts=row.attempts,
                       last_status=row.last_status, last_error=row.last_error, next_attempt_at=row.next_attempt_at,
                       created_at=row.created_at, delivered_at=row.delivered_at, payload=json.loads(row.payload))


@router.post("", status_code=201, response_model=WebhookCreated, responses=error_docs(401, 403, 409, 413, 422))
async def create_webhook(body: WebhookIn, response: Response, tenant: str = Depends(current_tenant),
                         store: Store = Depends(get_store),
                         settings: Settings = Depends(get_settings)) -> WebhookCreated:
    """Send these events to this URL. Each delivery is a JSON POST signed with the secret in this answer (shown
    only now): `Evidence-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. Failed deliveries are
    retried with exponential backoff. At most `EVIDENCE_WEBHOOK_MAX_PER_TENANT` (20) webhooks per account."""
    await run_in_threadpool(check_url, body.url, settings.webhook_allow_private)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    limit = settings.webhook_max_per_tenant
    row = await run_in_threadpool(store.create_webhook, tenant, body.url, list(dict.fromkeys(body.events)), secret,
                                  limit)
    if row is None:
        raise ApiError(409, "webhook-limit", f"this account already has {limit} webhooks, the most allowed; "
                       "delete one first", f"此账户已有 {limit} 个 webhook，已达上限；请先删除一个")
    response.headers["Location"] = f"/v1/webhooks/{row.id}"
    return WebhookCreated(**_out(row).model_dump(), secret=secret)


@router.get("", response_model=WebhooksOut, responses=error_docs(401))
def list_webhooks(tenant: str = Depends(current_tenant), store: Store = Depends(get_store)) -> WebhooksOut:
    """The tenant's webhooks (never their secrets)."""
    return WebhooksOut(webhooks=[_out(r) for r in store.list_webhooks(tenant)])


@router.delete("/{webhook_id}", status_code=204, response_class=Response, responses=error_docs(401, 404))
def delete_webhook(webhook_id: str, tenant: str = Depends(current_tenant),
                   store: Store = Depends(get_store)) -> Response:
    """Stop sending to this webhook; its pending deliveries and log go with it."""
    if not store.delete_webhook(tenant, webhook_id):
        raise not_found("webhook", "该 webhook")
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries", response_model=DeliveriesOut, responses=error_docs(401, 404, 422))
def list_deliveries(webhook_id: str, limit: int = Query(default=50, ge=1, le=200),
                    tenant: str = Depends(current_tenant), store: Store = Depends(get_store)) -> DeliveriesOut:
    """The webhook's delivery log, newest first: each event, its state, attempts and the last answer or error."""
    rows = store.list_deliveries(tenant, webhook_id, limit)
    if rows is None:
        raise not_found("webhook", "该 webhook")
    return DeliveriesOut(deliveries=[_delivery_out(r) for r in rows])
