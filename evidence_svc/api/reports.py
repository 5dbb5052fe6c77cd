"""A claim's latest report (`evidence-report/1`, as stored) and its bundle PDF.

Both come from the latest finished check; `X-Report-Current: false` says the claim changed since. Each file entry
of the report carries the `file_id` it has under /v1/claims/{id}/files. The bundle is
sent as an attachment named after the order. Nothing here runs a check.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Response
from fastapi.responses import FileResponse

from ..model import ClaimReport
from ..store import Store
from ..uploads import attachment_header
from .deps import current_tenant, get_store
from .errors import ApiError, error_docs, not_found

router = APIRouter(prefix="/v1/claims", tags=["claims"])


def _report_row(store: Store, tenant: str, claim_id: str):
    claim = store.get_claim(tenant, claim_id)
    if claim is None:
        raise not_found("claim", "该索赔")
    report = store.get_report(claim.report_id) if claim.report_id else None
    if report is None:
        raise ApiError(404, "no-report", "this claim has not been checked yet: POST /v1/claims/{id}/check",
                       "该索赔尚未检查：请先调用 POST /v1/claims/{id}/check")
    return claim, report


@router.get("/{claim_id}/report", response_model=ClaimReport, responses=error_docs(401, 404))
def get_report(claim_id: str, tenant: str = Depends(current_tenant), store: Store = Depends(get_store)) -> Response:
    """The latest report (`evidence-report/1`). Header `X-Report-Current: false` when the claim changed since."""
    claim, report = _report_row(store, tenant, claim_id)
    current = "true" if report.claim_revision == claim.revision else "false"
    body = with_file_ids(report.body, [(f.id, f.sha256, f.name) for f in store.list_files(claim.id)])
    return Response(body, media_type="application/json", headers={"X-Report-Current": current})


def with_file_ids(body: str, files: list[tuple[str, str, str]]) -> str:
    """The report with each file entry's `file_id`: the claim's file with that content and name, in upload order
    (null for a file removed since the check)."""
    report = json.loads(body)
    free = list(files)
    for entry in report.get("files", []):
        match = next((f for f in free if (f[1], f[2]) == (entry.get("sha256"), entry.get("name"))), None)
        if match is not None:
            free.remove(match)
        entry["file_id"] = match[0] if match else None
    return json.dumps(report, ensure_ascii=False)


@router.get("/{claim_id}/bundle.pdf", response_class=FileResponse, responses={200: {
    "description": "The bundle: cover page, then each file as a stamped exhibit", "content": {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}, **error_docs(401, 404)})
def get_bundle(claim_id: str, tenant: str = Depends(current_tenant), store: Store = Depends(get_store)):
    """The one PDF to attach in Seller Central, from the latest check."""
    claim, report = _report_row(store, tenant, claim_id)
    bundle = store.bundle_for_report(report.id)
    if bundle is None:
        raise ApiError(404, "no-bundle", "the latest check made no bundle (see the report's findings)",
                       "最近一次检查没有生成证据包（请查看报告中的问题）")
    name = f"claim-{claim.order_id}-evidence.pdf"
    return FileResponse(store.blob_path(bundle.sha256), media_type="application/pdf",
                        headers={"Content-Disposition": attachment_header(name), "ETag": f'"{bundle.sha256}"'})
