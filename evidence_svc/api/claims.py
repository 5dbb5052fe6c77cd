"""`/v1/claims`: open, list, read, edit and delete a tenant's claims, save the draft reply, export the claim log.

A claim's deadlines come from the domain rule (rules.deadlines), never computed here and never frozen: the row
keeps `respond_by` only so the list can be filtered by deadline in the database, and every edit of `opened_at`
refreshes it. Responses are models from models.py made by mapping.py. Files, checks and reports of a claim have
routers of their own; deleting a claim removes them too (and the blobs no other claim uses).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from ..config import MARKETPLACE_LOCALE, Settings
from ..export import claims_csv
from ..labels import LANGS
from ..rules import deadlines
from ..store import ClaimFields, ClaimRow, Store, utcnow
from .deps import current_tenant, get_settings, get_store
from .errors import error_docs, not_found
from .idempotency import IdempotencyKey, answer_once, fingerprint
from .mapping import claim_out, claim_summary_out
from .models import ClaimIn, ClaimOut, ClaimPage, ClaimPatch, ClaimStatus, OrderId, ReplyIn, UtcDateTime

router = APIRouter(prefix="/v1/claims", tags=["claims"])
export = APIRouter(prefix="/v1", tags=["claims"])


def default_bundle_lang(marketplace: str) -> str:
    """The cover page's language when none is chosen: the marketplace's, if the bundle speaks it."""
    lang = MARKETPLACE_LOCALE.get(marketplace, ("en", ""))[0]
    return lang if lang in LANGS else "en"


@router.post("", status_code=201, response_model=ClaimOut, responses=error_docs(401, 409, 413, 422))
def create_claim(body: ClaimIn, request: Request, tenant: str = Depends(current_tenant),
                 store: Store = Depends(get_store), settings: Settings = Depends(get_settings),
                 idempotency_key: str | None = IdempotencyKey) -> Response:
    """Open a claim: the order, the reason, the marketplace, when the buyer filed it, and a draft reply."""
    def make():
        row = store.create_claim(tenant, ClaimFields(
            order_id=body.order_id, reason=body.reason.value, marketplace=body.marketplace, tracking=body.tracking,
            # kept on the row only so that the list can be filtered by deadline in the database
            opened_at=body.opened_at, respond_by=deadlines(body.opened_at, settings).respond_by,
            order_total=body.order_total.model_dump() if body.order_total else None, reply=body.reply or None,
            target=body.target, bundle_lang=body.bundle_lang or default_bundle_lang(body.marketplace),
            timezone=body.timezone,
        ))
        return 201, claim_out(store, settings, row), f"/v1/claims/{row.id}"

    fp = fingerprint("POST", request.url.path, body.model_dump(mode="json"))
    return answer_once(store, tenant, idempotency_key, fp, make)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# "<microseconds since 1970>_<claim ID>" of the last claim on a page: every string the pattern allows is a place in
# the list (16 digits stay within datetime's range), so no well-formed cursor is refused.
CURSOR_PATTERN = r"^[0-9]{1,16}_[A-Za-z0-9_]{1,40}$"


def _cursor(row: ClaimRow) -> str:
    return f"{(row.created_at - _EPOCH) // timedelta(microseconds=1)}_{row.id}"


def _after(cursor: str | None) -> tuple[datetime, str] | None:
    if cursor is None:
        return None
    micros, claim_id = cursor.split("_", 1)
    return _EPOCH + timedelta(microseconds=int(micros)), claim_id


@router.get("", response_model=ClaimPage, responses=error_docs(401, 422))
def list_claims(
    status: ClaimStatus | None = Query(default=None, description="Only claims in this state"),
    respond_before: UtcDateTime | None = Query(default=None, description="Only claims due by this time"),
    respond_after: UtcDateTime | None = Query(default=None, description="Only claims due at or after this time"),
    order_id: OrderId | None = Query(default=None),
    limit: int = Query(default=50, ge=1, le=200), offset: int = Query(default=0, ge=0, le=1_000_000),
    cursor: str | None = Query(default=None, max_length=60, pattern=CURSOR_PATTERN,
                               description="`next_cursor` of the previous page; `offset` then counts from there"),
    tenant: str = Depends(current_tenant), store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
) -> ClaimPage:
    """The tenant's claims, newest first, a page at a time (by `offset`, or by `cursor`); filter by status or
    response deadline."""
    rows, total, counts = store.list_claims(tenant, status=status, respond_before=respond_before,
                                            respond_after=respond_after, order_id=order_id, limit=limit + 1,
                                            offset=offset, after=_after(cursor))
    more, rows = len(rows) > limit, rows[:limit]
    items = [claim_summary_out(settings, r, counts.get(r.id, 0)) for r in rows]
    return ClaimPage(items=items, total=total, limit=limit, offset=offset,
                     next_cursor=_cursor(rows[-1]) if more and rows else None)


_CSV = {200: {"description": "One line per claim: order, reason, opened, respond-by, status, errors, warnings, "
              "evidence ready", "content": {"text/csv": {"schema": {"type": "string"}}}}}


@export.get("/claims.csv", response_class=Response, responses={**_CSV, **error_docs(401, 422)})
def export_claims(days: int = Query(default=90, ge=1, le=3650, description="Claims opened in the last N days"),
                  tenant: str = Depends(current_tenant), store: Store = Depends(get_store),
                  settings: Settings = Depends(get_settings)) -> Response:
    """The claim log sellers keep (90 days by default), as CSV; cells that a spreadsheet would run as a formula
    are quoted with a leading apostrophe."""
    rows = store.claim_log(tenant, utcnow() - timedelta(days=days))
    return Response(claims_csv(rows, settings), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="claims.csv"'})


@router.get("/{claim_id}", response_model=ClaimOut, responses=error_docs(401, 404))
def get_claim(claim_id: str, tenant: str = Depends(current_tenant), store: Store = Depends(get_store),
              settings: Settings = Depends(get_settings)) -> ClaimOut:
    row = store.get_claim(tenant, claim_id)
    if row is None:
        raise not_found("claim", "该索赔")
    return claim_out(store, settings, row)


def patch_changes(row: ClaimRow, body: ClaimPatch, settings: Settings) -> dict:
    """The row values a PATCH body asks for: only the fields sent, with the derived ones kept in step."""
    changes = body.model_dump(mode="json", include=body.model_fields_set)
    if "opened_at" in changes:  # as a datetime, not its JSON text
        changes["opened_at"] = body.opened_at
        changes["respond_by"] = deadlines(body.opened_at, settings).respond_by
    marketplace = changes.get("marketplace", row.marketplace)
    if "bundle_lang" in changes and changes["bundle_lang"] is None:
        changes["bundle_lang"] = default_bundle_lang(marketplace)
    elif "bundle_lang" not in changes and marketplace != row.marketplace \
            and row.bundle_lang in (None, default_bundle_lang(row.marketplace)):
        changes["bundle_lang"] = default_bundle_lang(marketplace)  # it followed the marketplace: keep following
    return changes


@router.patch("/{claim_id}", response_model=ClaimOut, responses=error_docs(401, 404, 413, 422))
def patch_claim(claim_id: str, body: ClaimPatch, tenant: str = Depends(current_tenant),
                store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> ClaimOut:
    """Change a claim's order ID, reason, marketplace, tracking, opened_at, order total, target, bundle language
    or time zone (only the fields sent). A change makes the claim a draft until it is checked again."""
    row = store.get_claim(tenant, claim_id)
    if row is None:
        raise not_found("claim", "该索赔")
    updated = store.update_claim(tenant, claim_id, patch_changes(row, body, settings))
    if updated is None:
        raise not_found("claim", "该索赔")
    return claim_out(store, settings, updated)


@router.delete("/{claim_id}", status_code=204, response_class=Response, responses=error_docs(401, 404))
async def delete_claim(claim_id: str, tenant: str = Depends(current_tenant),
                       store: Store = Depends(get_store)) -> Response:
    """Delete a claim with its files, reports, bundles and jobs; stored bytes no other claim uses are removed."""
    if not await run_in_threadpool(store.delete_claim_everything, tenant, claim_id):
        raise not_found("claim", "该索赔")
    return Response(status_code=204)


@router.put("/{claim_id}/reply", response_model=ClaimOut, responses=error_docs(401, 404, 413, 422))
def put_reply(claim_id: str, body: ReplyIn, tenant: str = Depends(current_tenant),
              store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> ClaimOut:
    """Save the draft reply to the buyer; the next check lints it."""
    row = store.set_reply(tenant, claim_id, body.text or None)
    if row is None:
        raise not_found("claim", "该索赔")
    return claim_out(store, settings, row)
