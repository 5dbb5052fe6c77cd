"""The HTTP service: `create_app(settings)` builds the FastAPI app (API under /v1, web page at /), `serve` runs it.

An adapter like the CLI: it turns requests into store calls and jobs, and never checks a file itself except for
`POST /v1/lint`, which calls the pipeline synchronously and stores nothing. Every /v1 request carries an API key
(`Authorization: Bearer evk_...`); a tenant sees only its own claims, files and jobs, and another tenant's IDs
answer 404. Uploads are streamed into the blob store (uploads.py), never held in memory; checks run off the
request path (jobs.py). Every response carries an `X-Request-ID`; logs are JSON lines with that ID and never
contain a key. CORS is off unless `cors_origins` lists origins.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, AsyncIterator

import anyio
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from . import __version__, metrics
from .api_models import (
    CheckIn, ClaimIn, ClaimOut, ClaimPage, ClaimStatus, ClaimSummaryOut, FileOut, FilesOut, Health, JobOut,
    MarketplaceCode, OrderId, ReplyIn, ReportSummaryOut, UtcDateTime,
)
from .api_support import (
    ApiError, BodyLimit, BodyTooLarge, RequestContext, configure_logging, error_docs, install_error_handlers,
    not_found,
)
from .config import Settings
from .jobs import make_backend
from .model import Claim, ClaimReport, FileReport, Reason
from .store import ClaimFields, ClaimRow, FileRow, JobRow, Store, open_store
from .uploads import UploadError, attachment_header, make_thumbnail, read_multipart

log = logging.getLogger("evidence_svc.api")
WEB_DIR = Path(__file__).parent / "web"

# --- dependencies ------------------------------------------------------------------------------------------------

bearer = HTTPBearer(auto_error=False, scheme_name="ApiKey",
                    description="An API key from `evidence keys create --tenant NAME`, sent as `Bearer evk_...`")


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def current_tenant(request: Request, creds: HTTPAuthorizationCredentials | None = Security(bearer)) -> str:
    """The tenant the API key belongs to; 401 without a valid key. The key itself is never logged or kept."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if creds is None:
        raise ApiError(401, "unauthorized", "missing API key: send 'Authorization: Bearer <key>'",
                       "缺少 API 密钥：请发送 'Authorization: Bearer <密钥>'", headers=challenge)
    tenant = request.app.state.store.tenant_for_key(creds.credentials)
    if tenant is None:
        raise ApiError(401, "unauthorized", "unknown or revoked API key", "API 密钥无效或已被吊销",
                       headers=challenge)
    request.state.tenant = tenant.id
    return tenant.id


# --- conversions -------------------------------------------------------------------------------------------------


def file_out(row: FileRow) -> FileOut:
    return FileOut(id=row.id, name=row.name, sha256=row.sha256, bytes=row.bytes, media_type=row.media_type,
                   created_at=row.created_at)


def job_out(row: JobRow) -> JobOut:
    return JobOut(id=row.id, kind=row.kind, claim_id=row.claim_id, state=row.state, attempts=row.attempts,
                  error=row.error, reused=row.reused, created_at=row.created_at, started_at=row.started_at,
                  finished_at=row.finished_at)


def claim_out(store: Store, settings: Settings, row: ClaimRow) -> ClaimOut:
    report = store.get_report(row.report_id) if row.report_id else None
    job = store.latest_job(row.id)
    decision = row.opened_at + timedelta(days=settings.decision_after_days) if row.opened_at else None
    return ClaimOut(
        id=row.id, order_id=row.order_id, reason=row.reason, marketplace=row.marketplace, tracking=row.tracking,
        opened_at=row.opened_at, respond_by=row.respond_by, decision_expected_at=decision,
        order_total=row.order_total, reply=row.reply, target=row.target, status=row.status,
        files=[file_out(f) for f in store.list_files(row.id)],
        report=ReportSummaryOut(errors=report.errors, warnings=report.warnings, ready=report.ready,
                                current=report.claim_revision == row.revision, created_at=report.created_at)
        if report else None,
        job=job_out(job) if job else None, created_at=row.created_at, updated_at=row.updated_at,
    )


# --- /v1/claims --------------------------------------------------------------------------------------------------

claims = APIRouter(prefix="/v1/claims", tags=["claims"])


@claims.post("", status_code=201, response_model=ClaimOut, responses=error_docs(401, 413, 422))
def create_claim(body: ClaimIn, response: Response, tenant: str = Depends(current_tenant),
                 store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> ClaimOut:
    """Open a claim: the order, the reason, the marketplace, when the buyer filed it, and a draft reply."""
    respond_by = body.opened_at + timedelta(hours=settings.respond_within_hours) if body.opened_at else None
    row = store.create_claim(tenant, ClaimFields(
        order_id=body.order_id, reason=body.reason.value, marketplace=body.marketplace, tracking=body.tracking,
        opened_at=body.opened_at, respond_by=respond_by,
        order_total=body.order_total.model_dump() if body.order_total else None, reply=body.reply or None,
        target=body.target,
    ))
    response.headers["Location"] = f"/v1/claims/{row.id}"
    return claim_out(store, settings, row)


@claims.get("", response_model=ClaimPage, responses=error_docs(401, 422))
def list_claims(
    status: ClaimStatus | None = Query(default=None, description="Only claims in this state"),
    respond_before: UtcDateTime | None = Query(default=None, description="Only claims due by this time"),
    order_id: OrderId | None = Query(default=None),
    limit: int = Query(default=50, ge=1, le=200), offset: int = Query(default=0, ge=0, le=1_000_000),
    tenant: str = Depends(current_tenant), store: Store = Depends(get_store),
) -> ClaimPage:
    """The tenant's claims, newest first, a page at a time; filter by status or response deadline."""
    rows, total, counts = store.list_claims(tenant, status=status, respond_before=respond_before,
                                            order_id=order_id, limit=limit, offset=offset)
    items = [ClaimSummaryOut(id=r.id, order_id=r.order_id, reason=r.reason, marketplace=r.marketplace,
                             status=r.status, opened_at=r.opened_at, respond_by=r.respond_by,
                             file_count=counts.get(r.id, 0), created_at=r.created_at, updated_at=r.updated_at)
             for r in rows]
    return ClaimPage(items=items, total=total, limit=limit, offset=offset)


@claims.get("/{claim_id}", response_model=ClaimOut, responses=error_docs(401, 404))
def get_claim(claim_id: str, tenant: str = Depends(current_tenant), store: Store = Depends(get_store),
              settings: Settings = Depends(get_settings)) -> ClaimOut:
    row = store.get_claim(tenant, claim_id)
    if row is None:
        raise not_found("claim", "该索赔")
    return claim_out(store, settings, row)


_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "minLength": 1,
                            "description": "An evidence file (image or PDF); repeat the field for several"}},
}}}}}


class _Body:
    """The request body as chunks, remembering whether it was read to the end (so a refusal can drain the rest)."""

    def __init__(self, request: Request) -> None:
        self.request, self.done = request, False

    async def chunks(self) -> AsyncIterator[bytes]:
        while not self.done:
            message = await self.request.receive()
            if message["type"] != "http.request":
                raise ClientDisconnect()
            self.done = not message.get("more_body", False)
            yield message.get("body", b"")

    async def drain(self) -> None:
        """Read and drop the rest of a refused body (up to the body limit) so the client gets to read our 413."""
        try:
            async for _ in self.chunks():
                pass
        except (BodyTooLarge, ClientDisconnect):
            pass


async def _receive_upload(request: Request, settings: Settings, store: Store):
    body = _Body(request)
    try:
        return await read_multipart(request.headers.get("content-type"), body.chunks(),
                                    lambda: store.blob_writer(settings.max_file_bytes), settings.max_file_bytes,
                                    drain=body.drain)
    except BodyTooLarge as exc:
        raise UploadError(413, "request-too-large", f"the request body is larger than the limit of {exc.limit} bytes",
                          f"请求体超过了 {exc.limit} 字节的上限", limit_bytes=exc.limit) from None


def _empty_file(name: str) -> ApiError:
    return ApiError(422, "empty-file", f"{name}: the file is empty (0 bytes); choose the file again",
                    f"{name}：文件是空的（0 字节）；请重新选择文件", {"file": name})


@claims.post("/{claim_id}/files", status_code=201, response_model=FilesOut, openapi_extra=_UPLOAD_BODY,
             responses=error_docs(400, 401, 404, 413, 415, 422))
async def upload_files(claim_id: str, request: Request, tenant: str = Depends(current_tenant)) -> FilesOut:
    """Add evidence files to a claim (multipart, field `file`, repeatable). Streamed to disk; stored once by
    sha256. A file over the size limit is refused with 413 naming it; an empty file with 422."""
    store, settings = request.app.state.store, request.app.state.settings
    if await run_in_threadpool(store.get_claim, tenant, claim_id) is None:
        raise not_found("claim", "该索赔")
    upload = await _receive_upload(request, settings, store)
    try:
        if not upload.files:
            raise ApiError(422, "no-file", "no file in the form: send the file in a field named 'file'",
                           "表单中没有文件：请在名为 'file' 的字段中发送文件")
        for name, writer in upload.files:
            if writer.size == 0:
                raise _empty_file(name)
        committed = await run_in_threadpool(lambda: [(n, *w.commit()) for n, w in upload.files])
    finally:
        upload.abort()  # no-op for committed writers
    rows = await run_in_threadpool(store.add_files, tenant, claim_id, committed)
    if rows is None:
        raise not_found("claim", "该索赔")
    metrics.UPLOADED.inc(sum(size for _, _, size in committed))
    return FilesOut(files=[file_out(r) for r in rows])


def _file_or_404(store: Store, tenant: str, claim_id: str, file_id: str) -> FileRow:
    row = store.get_file(tenant, claim_id, file_id)
    if row is None:
        raise not_found("file", "该文件")
    return row


_BINARY = {"description": "The stored bytes", "content": {"application/octet-stream": {"schema": {
    "type": "string", "format": "binary"}}}}


@claims.get("/{claim_id}/files/{file_id}/content", response_class=FileResponse,
            responses={200: _BINARY, **error_docs(401, 404)})
def file_content(claim_id: str, file_id: str, tenant: str = Depends(current_tenant),
                 store: Store = Depends(get_store)) -> FileResponse:
    """The file exactly as uploaded (sent as an attachment, never rendered by the browser)."""
    row = _file_or_404(store, tenant, claim_id, file_id)
    return FileResponse(store.blob_path(row.sha256), media_type="application/octet-stream",
                        headers={"Content-Disposition": attachment_header(row.name), "ETag": f'"{row.sha256}"'})


@claims.get("/{claim_id}/files/{file_id}/thumbnail.png", response_class=FileResponse,
            responses={200: {"description": "PNG, at most 320 px", "content": {"image/png": {"schema": {
                "type": "string", "format": "binary"}}}}, **error_docs(401, 404)})
def file_thumbnail(claim_id: str, file_id: str, tenant: str = Depends(current_tenant),
                   store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> FileResponse:
    """A small picture of the file's first page, for the web page; 404 if the file cannot be drawn."""
    row = _file_or_404(store, tenant, claim_id, file_id)
    thumb = store.blobs / "thumbs" / row.sha256[:2] / f"{row.sha256}.png"
    if not thumb.is_file() and not make_thumbnail(store.blob_path(row.sha256), thumb, settings.max_image_pixels):
        raise ApiError(404, "no-thumbnail", "this file cannot be drawn as a picture (see its findings)",
                       "无法为此文件生成缩略图（请查看检查结果）")
    return FileResponse(thumb, media_type="image/png", headers={"Cache-Control": "private, max-age=86400"})


@claims.delete("/{claim_id}/files/{file_id}", status_code=204, response_class=Response,
               responses=error_docs(401, 404))
def delete_file(claim_id: str, file_id: str, tenant: str = Depends(current_tenant),
                store: Store = Depends(get_store)) -> Response:
    """Remove a file from the claim (its next check and bundle leave it out)."""
    if not store.delete_file(tenant, claim_id, file_id):
        raise not_found("file", "该文件")
    return Response(status_code=204)


@claims.put("/{claim_id}/reply", response_model=ClaimOut, responses=error_docs(401, 404, 413, 422))
def put_reply(claim_id: str, body: ReplyIn, tenant: str = Depends(current_tenant),
              store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> ClaimOut:
    """Save the draft reply to the buyer; the next check lints it."""
    row = store.set_reply(tenant, claim_id, body.text or None)
    if row is None:
        raise not_found("claim", "该索赔")
    return claim_out(store, settings, row)


@claims.post("/{claim_id}/check", status_code=202, response_model=JobOut, responses=error_docs(401, 404, 413, 422))
def start_check(claim_id: str, request: Request, response: Response, body: CheckIn | None = None,
                tenant: str = Depends(current_tenant), store: Store = Depends(get_store)) -> JobOut:
    """Check the claim's files and reply, then build the bundle, in the background. Poll the job; when it is done,
    fetch the report and the bundle. Unchanged inputs reuse the earlier report instead of checking again."""
    job, _created = store.create_job(tenant, claim_id, "check", body.target if body else None)
    if job is None:
        raise not_found("claim", "该索赔")
    request.app.state.backend.submit(job.id)
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    return job_out(job)


def _report_row(store: Store, tenant: str, claim_id: str):
    claim = store.get_claim(tenant, claim_id)
    if claim is None:
        raise not_found("claim", "该索赔")
    report = store.get_report(claim.report_id) if claim.report_id else None
    if report is None:
        raise ApiError(404, "no-report", "this claim has not been checked yet: POST /v1/claims/{id}/check",
                       "该索赔尚未检查：请先调用 POST /v1/claims/{id}/check")
    return claim, report


@claims.get("/{claim_id}/report", response_model=ClaimReport, responses=error_docs(401, 404))
def get_report(claim_id: str, tenant: str = Depends(current_tenant), store: Store = Depends(get_store)) -> Response:
    """The latest report (`evidence-report/1`). Header `X-Report-Current: false` when the claim changed since."""
    claim, report = _report_row(store, tenant, claim_id)
    current = "true" if report.claim_revision == claim.revision else "false"
    return Response(report.body, media_type="application/json", headers={"X-Report-Current": current})


@claims.get("/{claim_id}/bundle.pdf", response_class=FileResponse, responses={200: {
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


# --- /v1/jobs, /v1/lint ------------------------------------------------------------------------------------------

jobs = APIRouter(prefix="/v1/jobs", tags=["jobs"])


@jobs.get("/{job_id}", response_model=JobOut, responses=error_docs(401, 404))
def get_job(job_id: str, tenant: str = Depends(current_tenant), store: Store = Depends(get_store)) -> JobOut:
    row = store.get_job(job_id, tenant)
    if row is None:
        raise not_found("job", "该任务")
    return job_out(row)


lint = APIRouter(prefix="/v1", tags=["lint"])

_LINT_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "minLength": 1},
        "order_id": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9-]*$", "maxLength": 64},
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
    upload = await _receive_upload(request, settings, store)
    try:
        if len(upload.files) != 1:
            raise ApiError(422, "one-file", "send exactly one file in the field 'file'",
                           "请在 'file' 字段中只发送一个文件")
        name, writer = upload.files[0]
        if writer.size == 0:
            raise _empty_file(name)
        try:
            fields = LintFields(**{k: v for k, v in upload.fields.items() if k in LintFields.model_fields and v})
        except ValidationError as exc:
            raise RequestValidationError(exc.errors()) from None
        path = await run_in_threadpool(writer.close_temp)
        claim = Claim(order_id=fields.order_id or "", marketplace=fields.marketplace, reason=fields.reason)
        from .pipeline import check_file

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


# --- operations and the web page ---------------------------------------------------------------------------------

ops = APIRouter(tags=["operations"])


@ops.get("/healthz", response_model=Health, responses=error_docs(503))
def healthz(store: Store = Depends(get_store)) -> Any:
    """Liveness and database reachability (no key needed)."""
    try:
        store.ping()
    except Exception:
        log.warning("health check: database unreachable", exc_info=True)
        return JSONResponse(Health(status="degraded", database="error", version=__version__).model_dump(),
                            status_code=503)
    return Health(status="ok", database="ok", version=__version__)


@ops.get("/metrics", response_class=PlainTextResponse, responses={200: {
    "description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}}})
def prometheus_metrics(store: Store = Depends(get_store)) -> Response:
    """Files processed, OCR seconds, queue depth, errors by finding code, HTTP requests (no key needed)."""
    body, content_type = metrics.render(store.job_counts)
    return Response(body, media_type=content_type)


def _index() -> FileResponse:
    return FileResponse(WEB_DIR / "index.html", media_type="text/html", headers={"Cache-Control": "no-cache"})


# --- the app -----------------------------------------------------------------------------------------------------


def create_app(settings: Settings) -> FastAPI:
    """The service for one data directory (or database URL): API, job runner, web page."""
    store = open_store(settings)
    backend = make_backend(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        backend.start()
        log.info("service started", extra={"version": __version__, "database": store.engine.dialect.name})
        try:
            yield
        finally:
            backend.stop()

    app = FastAPIOffline(
        title="evidence-svc", version=__version__, lifespan=lifespan,
        description="Checks and bundles the evidence for A-to-z Guarantee claims. Authenticate with "
                    "`Authorization: Bearer <key>` (`evidence keys create --tenant NAME`). Reports follow the "
                    "`evidence-report/1` contract.",
    )
    app.state.settings, app.state.store, app.state.backend = settings, store, backend
    install_error_handlers(app)
    for router in (claims, jobs, lint, ops):
        app.include_router(router)
    app.add_api_route("/", _index, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="web")
    app.add_middleware(BodyLimit, settings=settings)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
                           allow_headers=["Authorization", "Content-Type", "X-Request-ID"])
    app.add_middleware(RequestContext)
    return app


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the service with uvicorn until interrupted (`evidence serve`)."""
    import uvicorn

    configure_logging(settings)
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, access_log=False, server_header=False,
                timeout_graceful_shutdown=10, timeout_keep_alive=15)
