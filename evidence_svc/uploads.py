"""HTTP uploads: a streaming multipart reader that writes file parts straight into the blob store, and thumbnails.

Starlette's own form parser spools every file to a temp file first and checks no size until the body has been
read; this reader hashes and writes each chunk as it arrives (at most one chunk in memory), refuses a file the
moment it passes the limit, and notices a body that ends before its closing boundary (python-multipart does not).
Uploaded file names are kept as display text only; nothing here builds a path from them. Thumbnails are small
PNGs of the first page, made on demand and cached by content hash.
"""

from __future__ import annotations

import os
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

import anyio

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from .errors import EvidenceError
from .store.blobs import BlobTooLarge, BlobWriter, private_dir

MAX_PARTS = 32
MAX_FIELD_BYTES = 64 * 1024
MAX_NAME_CHARS = 200


class UploadError(EvidenceError):
    """A request the reader refuses; the API turns it into a JSON error with this status and code."""

    def __init__(self, status: int, code: str, message: str, message_zh: str, **details: object) -> None:
        super().__init__(message, message_zh, code=code, status=status, details=details)


@dataclass
class Part:
    field_name: str = ""
    file_name: str | None = None
    writer: BlobWriter | None = None
    size: int = 0
    data: bytearray = field(default_factory=bytearray)
    complete: bool = False


@dataclass
class Upload:
    """What a multipart body held: file parts (in blob writers, not committed yet) and text fields."""

    files: list[tuple[str, BlobWriter]] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    def abort(self) -> None:
        for _, writer in self.files:
            writer.abort()


def display_name(raw: str | None) -> str:
    """A file name fit to show: no directories, no control characters, bounded length. Never used as a path."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C").strip()
    name = name.strip(". ") or "file"
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME_CHARS - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:MAX_NAME_CHARS]
    return name


def human_bytes(n: int) -> str:
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def _too_large(name: str | None, limit: int) -> UploadError:
    shown = display_name(name)
    return UploadError(
        413, "file-too-large",
        f"{shown}: the file is larger than the limit of {human_bytes(limit)} ({limit} bytes); "
        "send a smaller file (compress the image, or split the PDF)",
        f"{shown}：文件超过了 {human_bytes(limit)}（{limit} 字节）的上限；请压缩图片或拆分 PDF 后再上传",
        file=shown, limit_bytes=limit,
    )


async def read_multipart(
    content_type: str | None,
    stream: AsyncIterator[bytes],
    new_writer: Callable[[], BlobWriter],
    max_file_bytes: int,
    drain: Callable[[], Awaitable[Any]] | None = None,
    file_field: str = "file",
) -> Upload:
    """Read a multipart/form-data body from `stream`, each file part into its own blob writer.

    Raises UploadError (400 malformed, 413 too large, 415 not multipart). On any error every writer is aborted.
    `drain`, if given, is awaited after a 413 so the client is still reading when the answer comes. Files are
    taken from the field `file_field` only: a file in any other field is a 400 naming that field.
    """
    ctype, params = parse_options_header(content_type or "")
    if ctype != b"multipart/form-data":
        raise UploadError(415, "not-multipart", "send the file as multipart/form-data (a form with a file field)",
                          "请以 multipart/form-data（带文件字段的表单）上传文件")
    boundary = params.get(b"boundary")
    if not boundary:
        raise UploadError(400, "bad-multipart", "the multipart body has no boundary",
                          "multipart 请求缺少 boundary")

    upload = Upload()
    parts: list[Part] = []
    state = {"header_name": b"", "header_value": b"", "disposition": b"", "ended": False}

    def on_part_begin() -> None:
        if len(parts) >= MAX_PARTS:
            raise UploadError(400, "bad-multipart", f"too many parts (at most {MAX_PARTS})",
                              f"表单部分过多（最多 {MAX_PARTS} 个）")
        parts.append(Part())
        state["disposition"] = b""

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["header_name"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["header_value"] += data[start:end]

    def on_header_end() -> None:
        if state["header_name"].strip().lower() == b"content-disposition":
            state["disposition"] = state["header_value"]
        state["header_name"], state["header_value"] = b"", b""

    def on_headers_finished() -> None:
        part = parts[-1]
        _, options = parse_options_header(state["disposition"])
        if b"name" not in options:
            raise UploadError(400, "bad-multipart", "a part has no Content-Disposition name",
                              "表单的某个部分缺少 Content-Disposition name")
        part.field_name = options[b"name"].decode("utf-8", "replace")
        if b"filename" in options:
            if part.field_name != file_field:
                raise UploadError(400, "unexpected-file-field",
                                  f"the form field {part.field_name!r} carries a file; send files in the field "
                                  f"{file_field!r}", f"表单字段 {part.field_name!r} 带有文件；请用字段 {file_field!r} "
                                  "上传文件", field=part.field_name)
            part.file_name = display_name(options[b"filename"].decode("utf-8", "replace"))
            part.writer = new_writer()
            upload.files.append((part.file_name, part.writer))

    def on_part_data(data: bytes, start: int, end: int) -> None:
        part = parts[-1]
        if part.writer is not None:
            part.size += end - start
            if part.size > max_file_bytes:
                raise _too_large(part.file_name, max_file_bytes)
            pending.append((part.writer, data[start:end]))
        else:
            part.data += data[start:end]
            if len(part.data) > MAX_FIELD_BYTES:
                raise UploadError(413, "field-too-large", f"the form field {part.field_name!r} is too long",
                                  f"表单字段 {part.field_name!r} 过长", field=part.field_name)

    def on_part_end() -> None:
        part = parts[-1]
        part.complete = True
        if part.writer is None:
            upload.fields[part.field_name] = part.data.decode("utf-8", "replace")

    def on_end() -> None:
        state["ended"] = True

    try:  # the parser itself refuses some boundaries (over 256 characters): the client's mistake, a 400
        parser = MultipartParser(boundary, {
            "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
            "on_header_field": on_header_field, "on_header_value": on_header_value, "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished, "on_end": on_end,
        })
    except FormParserError as exc:
        raise UploadError(400, "bad-multipart", f"the multipart boundary is not valid ({exc})",
                          f"multipart boundary 无效（{exc}）") from None
    pending: list[tuple[BlobWriter, bytes]] = []

    def flush() -> None:
        for writer, data in pending:
            writer.write(data)
        pending.clear()

    try:
        async for chunk in stream:
            if chunk and not state["ended"]:
                parser.write(chunk)
                if pending:  # disk writes off the event loop, as Starlette's own parser does
                    await anyio.to_thread.run_sync(flush)
        parser.finalize()
        if not state["ended"] or not all(p.complete for p in parts):
            raise UploadError(400, "bad-multipart", "the request body ended before the closing multipart boundary",
                              "请求在 multipart 结束边界之前就结束了（上传不完整）")
    except UploadError as exc:
        upload.abort()
        if exc.status == 413 and drain is not None:
            await drain()
        raise
    except BlobTooLarge as exc:  # the writer's own guard; the part's counter above normally fires first
        upload.abort()
        raise _too_large(None, exc.limit) from None
    except FormParserError as exc:
        upload.abort()
        raise UploadError(400, "bad-multipart", f"the multipart body is malformed ({exc})",
                          "multipart 请求格式错误") from None
    except BaseException:
        upload.abort()
        raise
    return upload


# --- thumbnails --------------------------------------------------------------------------------------------------

THUMB_PX = 320


def make_thumbnail(src: Path, dest: Path, max_pixels: int, size: int = THUMB_PX) -> bool:
    """Write a PNG of the first page of `src` (image or PDF) at most `size` px wide/high. False if it cannot be read.

    Hand-written because the pipeline's ingest renders pages at full resolution for OCR, far too slow for a
    thumbnail; the same guards apply (content sniffed from magic bytes by ingest's `sniff`, pixel count checked
    before decoding).
    """
    from PIL import Image, ImageOps

    from .ingest import register_heif, sniff

    with open(src, "rb") as f:
        head = f.read(1024)
    try:
        if sniff(head) == "application/pdf":
            import pypdfium2 as pdfium

            pdf = pdfium.PdfDocument(str(src))
            try:
                page = pdf[0]
                w, h = page.get_size()
                scale = min(4.0, size / max(w, h, 1))
                image = page.render(scale=scale).to_pil()
            finally:
                pdf.close()
        else:
            register_heif()  # without pillow-heif a HEIC upload simply has no thumbnail
            with warnings.catch_warnings():  # Pillow's bomb warning: the pixel count is checked right below
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                im = Image.open(src)
            with im:
                if im.width * im.height > max_pixels:
                    return False
                im.draft("RGB", (size, size))  # JPEG: decode at a fraction of the size
                image = ImageOps.exif_transpose(im)
                image.thumbnail((size, size))
                image = image.convert("RGB")
        image.thumbnail((size, size))
        private_dir(dest.parent)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
        image.save(tmp, "PNG", optimize=True)
        os.chmod(tmp, 0o600)  # a tenant's evidence, shrunk: as private as the blob
        os.replace(tmp, dest)
        return True
    except Exception:  # unreadable, encrypted, truncated: the check's findings explain it; no thumbnail here
        return False


_CONTENT_DISPOSITION_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def attachment_header(name: str) -> str:
    """Content-Disposition for a download: an ASCII fallback plus the UTF-8 name (RFC 6266/5987)."""
    from urllib.parse import quote

    ascii_name = _CONTENT_DISPOSITION_SAFE.sub("_", name) or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
