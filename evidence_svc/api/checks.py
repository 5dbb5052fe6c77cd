"""Checks: start a claim's check (`POST /v1/claims/{id}/check`), follow its job (`/v1/jobs`), and lint one file
now (`POST /v1/lint`).

A claim's check runs off the request path, on the app's job backend (jobs.LocalPool, or Celery workers via
tasks.BrokerBackend); the route only records the job and hands over its ID. `POST /v1/lint` is the one route that
calls the pipeline itself, synchronously and with a bounded number at once, and stores nothing.
"""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from .. import metrics
from ..model import Claim, FileReport, Reason
from ..rules import ORDER_ID_PATTERN
from ..store import Store
from .deps import current_tenant, get_store
from .errors import ApiError, error_docs, not_found
from .idempotency import IdempotencyKey, answer_once, fingerprint
from .mapping import job_out
from .models import CheckIn, JobOut, MarketplaceCode, OrderId
from .receive import empty_file, receive_upload

router = APIRouter(prefix="/v1/claims", tags=["claims"])
jobs = APIRouter(prefix="/v1/jobs", tags=["jobs"])
lint = APIRouter(prefix="/v1", tags=["lint"])


@router.post("/{claim_id}/check", status_code=202, response_model=JobOut,
             responses=error_docs(401, 404, 409, 413, 422))
def start_check(claim_id: str, request: Request, body: CheckIn | None = None,
                tenant: str = Depends(current_tenant), store: Store = Depends(get_store),
                idempotency_key: str | None = IdempotencyKey) -> Response:
    """Check the claim's files and reply, then build the bundle, in the background. Poll the job; when it is done,
    fetch the report and the bundle. Unchanged inputs reuse the earlier report instead of checking again."""
    def make():
        job, _created = store.create_job(tenant, claim_id, "check", body.target if body else None)
        if job is None:
            raise not_found("claim", "该索赔")
        request.app.state.backend.submit(job.id)
        return 202, job_out(job), f"/v1/jobs/{job.id}"

    fp = fingerprint("POST", request.url.path, body.model_dump(mode="json") if body else None)
    return answer_once(store, tenant, idempotency_key, fp, make)


@jobs.get("/{job_id}", response_model=JobOut, responses=error_docs(401, 404))
def get_job(job_id: str, tenant: str = Depends(current_tenant), store: Store = Depends(get_store)) -> JobOut:
    row = store.get_job(job_id, tenant)
    if row is None:
        raise not_found("job", "该任务")
    return job_out(row)


_LINT_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "minLength": 1},
        "order_id": {"type": "string", "pattern": ORDER_ID_PATTERN},
        "marketplace": {"type": "string", "enum": list(MarketplaceCode.__args__)},  # type: ignore[attr-defined]
        "reason": {"type": "string", "enum": [r.value for r in Reason]},
    },
}}}}}


class LintFields(BaseModel):
    order_id: OrderId | None = None
    marketplace: MarketplaceCode = "US"
    reason: Reason = Reason.not_received


@lint.post("/lint", response_model=FileReport, openapi_extra=_LINT_BODY,
           responses=error_docs(400, 401, 413, 415, 422))
async def lint_file(request: Request, tenant: str = Depends(current_tenant)) -> FileReport:
    """Check one file now, before it is sent anywhere (multipart: `file`, optional `order_id`, `marketplace`,
    `reason`). Nothing is stored; the answer is the file's report with its findings in English and Chinese."""
    store, settings = request.app.state.store, request.app.state.settings
    upload = await receive_upload(request, settings, store)
    try:
        if len(upload.files) != 1:
            raise ApiError(422, "one-file", "send exactly one file in the field 'file'",
                           "请在 'file' 字段中只发送一个文件")
        name, writer = upload.files[0]
        if writer.size == 0:
            raise empty_file(name)
        try:
            fields = LintFields(**{k: v for k, v in upload.fields.items() if k in LintFields.model_fields and v})
        except ValidationError as exc:
            raise RequestValidationError(exc.errors()) from None
        path = await run_in_threadpool(writer.close_temp)
        claim = Claim(order_id=fields.order_id or "", marketplace=fields.marketplace, reason=fields.reason)
        from ..pipeline import check_file  # imported here: the stack is heavy and only this route needs it

        report = await anyio.to_thread.run_sync(lambda: check_file(path, claim, settings, name=name),
                                                limiter=_lint_limiter(request))
    finally:
        upload.abort()  # the temp copy goes: nothing is stored
    metrics.count_files([report])
    return report


def _lint_limiter(request: Request) -> anyio.CapacityLimiter:
    state = request.app.state
    if getattr(state, "lint_limiter", None) is None:
        state.lint_limiter = anyio.CapacityLimiter(max(1, state.settings.lint_concurrency))
    return state.lint_limiter
