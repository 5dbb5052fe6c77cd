"""Reading an upload off the request: the body as chunks, streamed into the blob store by uploads.read_multipart.

Shared by the routes that take files (`POST /v1/claims/{id}/files`, `POST /v1/lint`). A refused body is drained
(up to the body limit) so the client gets to read the 413; a file of 0 bytes is refused with 422 naming it.
Nothing here decides what a file is: that is the pipeline's job once the file is stored.
"""

from __future__ import annotations

from typing import AsyncIterator

from fastapi import Request
from starlette.requests import ClientDisconnect

from ..config import Settings
from ..store import Store
from ..uploads import Upload, UploadError, read_multipart
from .errors import ApiError, BodyTooLarge

UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
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


async def receive_upload(request: Request, settings: Settings, store: Store) -> Upload:
    body = _Body(request)
    try:
        return await read_multipart(request.headers.get("content-type"), body.chunks(),
                                    lambda: store.blob_writer(settings.max_file_bytes), settings.max_file_bytes,
                                    drain=body.drain)
    except BodyTooLarge as exc:
        raise UploadError(413, "request-too-large", f"the request body is larger than the limit of {exc.limit} bytes",
                          f"请求体超过了 {exc.limit} 字节的上限", limit_bytes=exc.limit) from None


def empty_file(name: str) -> ApiError:
    return ApiError(422, "empty-file", f"{name}: the file is empty (0 bytes); choose the file again",
                    f"{name}：文件是空的（0 字节）；请重新选择文件", {"file": name})
