"""`POST /v1/claims/{id}/reply-draft`: a reply draft built from the claim's latest finished check.

The draft (reply_draft.draft_reply) states only what the stored report's usable files prove, in the buyer's
language with a Chinese rendering, and varies its phrasing away from the tenant's replies to other claims. The
route reads the store and answers; it never runs a check (409 until one has finished) and stores nothing.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from ..config import Settings
from ..model import ClaimReport
from ..reply_draft import LANGS, Note, ReplyDraft, draft_reply
from ..store import Store
from .deps import current_tenant, get_settings, get_store
from .errors import ApiError, error_docs, not_found

router = APIRouter(prefix="/v1/claims", tags=["claims"])

DraftLang = Literal[LANGS]  # type: ignore[valid-type]


class ReplyDraftIn(BaseModel):
    """What to draft; every field is optional."""

    model_config = ConfigDict(extra="forbid")

    lang: DraftLang | None = Field(default=None, description="Language of the draft (default: the marketplace's)")
    remedy: Literal["refund", "reship", "none"] | None = Field(
        default=None, description="What was done for the buyer (default: what the evidence shows)")
    tone: Literal["full", "brief"] = Field(default="full", description="`brief`: the facts and the proof only")
    appeal: bool = Field(default=False, description="Draft the appeal after a decision: root cause and corrective "
                                                    "steps")


class ReplyDraftOut(ReplyDraft):
    """A reply draft: `text` in the buyer's language to paste into the A-to-z response, `text_zh` for the seller,
    the facts it states with the file behind each, and bilingual notes on what is missing and what to do next."""

    lang: str = Field(description="Language of `text` (en, de, fr, it, es, ja or zh)")
    text: str = Field(description="The reply in the buyer's language, stating only facts the evidence proves")
    missing: list[Note] = Field(default_factory=list, description="What to add (English and Chinese) so the draft can "
                                                            "state more; empty when nothing is missing")
    claim_id: str = Field(description="The claim")
    report_id: str = Field(description="The report (latest finished check) the draft is built from")
    report_current: bool = Field(description="False when the claim changed since that check: check again first")


@router.post("/{claim_id}/reply-draft", response_model=ReplyDraftOut, responses=error_docs(401, 404, 409, 422))
def reply_draft(claim_id: str, body: ReplyDraftIn | None = None, tenant: str = Depends(current_tenant),
                store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> ReplyDraftOut:
    """Draft the reply to the buyer from the latest finished check: the buyer's language with Chinese beside it,
    only proven facts, and what is missing. Nothing is stored; save the reply you send with PUT .../reply."""
    body = body or ReplyDraftIn()
    claim = store.get_claim(tenant, claim_id)
    if claim is None:
        raise not_found("claim", "该索赔")
    row = store.get_report(claim.report_id) if claim.report_id else None
    if row is None:
        raise ApiError(409, "no-finished-check", "no check of this claim has finished yet: POST "
                       "/v1/claims/{id}/check, wait for the job, then draft the reply",
                       "该索赔尚无已完成的检查：请先调用 POST /v1/claims/{id}/check，任务完成后再生成回复草稿")
    report = ClaimReport.model_validate_json(row.body)
    draft = draft_reply(report, lang=body.lang, remedy=body.remedy, tone=body.tone, appeal=body.appeal,
                        earlier_replies=store.earlier_replies(tenant, claim.id), settings=settings)
    return ReplyDraftOut(**draft.model_dump(), claim_id=claim.id, report_id=row.id,
                         report_current=row.claim_revision == claim.revision)
