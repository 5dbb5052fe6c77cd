"""`/v1/claims/{id}/files`: add evidence files (streamed into the blob store), read them back, draw a thumbnail,
remove one.

Uploads never sit in memory (receive.py streams them to disk); stored bytes go out as attachments, never rendered
by the browser. Nothing here checks a file: a claim's next check does.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from .. import metrics
from ..config import Settings
from ..store import FileRow, Store
from ..uploads import attachment_header, make_thumbnail
from .deps import current_tenant, get_settings, get_store
from .errors import ApiError, error_docs, not_found
from .idempotency import IdempotencyKey, answer_once, fingerprint
from .mapping import file_out
from .models import FilesOut
from .receive import UPLOAD_BODY, empty_file, receive_upload

router = APIRouter(prefix="/v1/claims", tags=["claims"])


@router.post("/{claim_id}/files", status_code=201, response_model=FilesOut, openapi_extra=UPLOAD_BODY,
             responses=error_docs(400, 401, 404, 409, 413, 415, 422))
async def upload_files(claim_id: str, request: Request, tenant: str = Depends(current_tenant),
                       idempotency_key: str | None = IdempotencyKey) -> Response:
    """Add evidence files to a claim (multipart, field `file`, repeatable). Streamed to disk; stored once by
    sha256. A file over the size limit is refused with 413 naming it; an empty file with 422. With an
    `Idempotency-Key`, the same files (names and content) sent again get the first answer."""
    store, settings = request.app.state.store, request.app.state.settings
    if await run_in_threadpool(store.get_claim, tenant, claim_id) is None:
        raise not_found("claim", "该索赔")
    upload = await receive_upload(request, settings, store)
    try:
        if not upload.files:
            raise ApiError(422, "no-file", "no file in the form: send the file in a field named 'file'",
                           "表单中没有文件：请在名为 'file' 的字段中发送文件")
        for name, writer in upload.files:
            if writer.size == 0:
                raise empty_file(name)
        committed = await run_in_threadpool(lambda: [(n, *w.commit()) for n, w in upload.files])
    finally:
        upload.abort()  # no-op for committed writers

    def make():
        rows = store.add_files(tenant, claim_id, committed)
        if rows is None:
            raise not_found("claim", "该索赔")
        metrics.UPLOADED.inc(sum(size for _, _, size in committed))
        return 201, FilesOut(files=[file_out(r) for r in rows]), None

    fp = fingerprint("POST", request.url.path, committed)
    return await run_in_threadpool(answer_once, store, tenant, idempotency_key, fp, make)


def _file_or_404(store: Store, tenant: str, claim_id: str, file_id: str) -> FileRow:
    row = store.get_file(tenant, claim_id, file_id)
    if row is None:
        raise not_found("file", "该文件")
    return row


_BINARY = {"description": "The stored bytes", "content": {"application/octet-stream": {"schema": {
    "type": "string", "format": "binary"}}}}


@router.get("/{claim_id}/files/{file_id}/content", response_class=FileResponse,
            responses={200: _BINARY, **error_docs(401, 404)})
def file_content(claim_id: str, file_id: str, tenant: str = Depends(current_tenant),
                 store: Store = Depends(get_store)) -> FileResponse:
    """The file exactly as uploaded (sent as an attachment, never rendered by the browser)."""
    row = _file_or_404(store, tenant, claim_id, file_id)
    return FileResponse(store.blob_path(row.sha256), media_type="application/octet-stream",
                        headers={"Content-Disposition": attachment_header(row.name), "ETag": f'"{row.sha256}"'})


@router.get("/{claim_id}/files/{file_id}/thumbnail.png", response_class=FileResponse,
            responses={200: {"description": "PNG, at most 320 px", "content": {"image/png": {"schema": {
                "type": "string", "format": "binary"}}}}, **error_docs(401, 404)})
def file_thumbnail(claim_id: str, file_id: str, tenant: str = Depends(current_tenant),
                   store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> FileResponse:
    """A small picture of the file's first page, for the web page; 404 if the file cannot be drawn."""
    row = _file_or_404(store, tenant, claim_id, file_id)
    thumb = store.thumb_path(row.sha256)
    if not thumb.is_file() and not make_thumbnail(store.blob_path(row.sha256), thumb, settings.max_image_pixels):
        raise ApiError(404, "no-thumbnail", "this file cannot be drawn as a picture (see its findings)",
                       "无法为此文件生成缩略图（请查看检查结果）")
    return FileResponse(thumb, media_type="image/png", headers={"Cache-Control": "private, max-age=86400"})


@router.delete("/{claim_id}/files/{file_id}", status_code=204, response_class=Response,
               responses=error_docs(401, 404))
def delete_file(claim_id: str, file_id: str, tenant: str = Depends(current_tenant),
                store: Store = Depends(get_store)) -> Response:
    """Remove a file from the claim (its next check and bundle leave it out)."""
    if not store.delete_file(tenant, claim_id, file_id):
        raise not_found("file", "该文件")
    return Response(status_code=204)
