"""`/v1/claims`: open a claim, list and read a tenant's claims, save the draft reply.

A claim's deadlines come from the domain rule (rules.deadlines), never computed here; responses are models from
models.py made by mapping.py. Files, checks and reports of a claim have routers of their own.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response

from ..config import Settings
from ..rules import deadlines
from ..store import ClaimFields, Store
from .deps import current_tenant, get_settings, get_store
from .errors import error_docs, not_found
from .mapping import claim_out, claim_summary_out
from .models import ClaimIn, ClaimOut, ClaimPage, ClaimStatus, OrderId, ReplyIn, UtcDateTime

router = APIRouter(prefix="/v1/claims", tags=["claims"])


@router.post("", status_code=201, response_model=ClaimOut, responses=error_docs(401, 413, 422))
def create_claim(body: ClaimIn, response: Response, tenant: str = Depends(current_tenant),
                 store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> ClaimOut:
    """Open a claim: the order, the reason, the marketplace, when the buyer filed it, and a draft reply."""
    row = store.create_claim(tenant, ClaimFields(
        order_id=body.order_id, reason=body.reason.value, marketplace=body.marketplace, tracking=body.tracking,
        # kept on the row only so that the list can be filtered by deadline in the database
        opened_at=body.opened_at, respond_by=deadlines(body.opened_at, settings).respond_by,
        order_total=body.order_total.model_dump() if body.order_total else None, reply=body.reply or None,
        target=body.target,
    ))
    response.headers["Location"] = f"/v1/claims/{row.id}"
    return claim_out(store, settings, row)


@router.get("", response_model=ClaimPage, responses=error_docs(401, 422))
def list_claims(
    status: ClaimStatus | None = Query(default=None, description="Only claims in this state"),
    respond_before: UtcDateTime | None = Query(default=None, description="Only claims due by this time"),
    order_id: OrderId | None = Query(default=None),
    limit: int = Query(default=50, ge=1, le=200), offset: int = Query(default=0, ge=0, le=1_000_000),
    tenant: str = Depends(current_tenant), store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
) -> ClaimPage:
    """The tenant's claims, newest first, a page at a time; filter by status or response deadline."""
    rows, total, counts = store.list_claims(tenant, status=status, respond_before=respond_before,
                                            order_id=order_id, limit=limit, offset=offset)
    items = [claim_summary_out(settings, r, counts.get(r.id, 0)) for r in rows]
    return ClaimPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/{claim_id}", response_model=ClaimOut, responses=error_docs(401, 404))
def get_claim(claim_id: str, tenant: str = Depends(current_tenant), store: Store = Depends(get_store),
              settings: Settings = Depends(get_settings)) -> ClaimOut:
    row = store.get_claim(tenant, claim_id)
    if row is None:
        raise not_found("claim", "该索赔")
    return claim_out(store, settings, row)


@router.put("/{claim_id}/reply", response_model=ClaimOut, responses=error_docs(401, 404, 413, 422))
def put_reply(claim_id: str, body: ReplyIn, tenant: str = Depends(current_tenant),
              store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> ClaimOut:
    """Save the draft reply to the buyer; the next check lints it."""
    row = store.set_reply(tenant, claim_id, body.text or None)
    if row is None:
        raise not_found("claim", "该索赔")
    return claim_out(store, settings, row)
