"""What a file really is, from its first bytes: the media type by magic numbers, never by name or extension.

Also the one place that teaches Pillow to open HEIC/HEIF phone photos (pillow-heif), so every reader of images
(ingest, upload thumbnails) sees the same formats. Pure functions of bytes; nothing here opens or decodes a file.
"""

from __future__ import annotations

import logging
from functools import cache

log = logging.getLogger(__name__)

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}


@cache
def register_heif() -> bool:
    """Register pillow-heif's opener with Pillow (once per process); False when it is unavailable."""
    try:  # HEIC/HEIF phone photos
        from pillow_heif import register_heif_opener

        register_heif_opener()
        return True
    except Exception:  # pragma: no cover - pillow-heif is a declared dependency
        log.warning("pillow-heif unavailable: HEIC files will be reported as unsupported")
        return False


def sniff(head: bytes) -> str | None:
    """The media type from the first bytes of a file, or None. Never looks at a name."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "image/tiff"
    if head[4:8] == b"ftyp":
        size = int.from_bytes(head[:4], "big")
        brands = {head[8:12]} | {head[i : i + 4] for i in range(16, min(max(size, 16), len(head)), 4)}
        if brands & _HEIF_BRANDS:
            return "image/heic"
        return None  # AVIF, MP4, MOV ...: not evidence formats we read
    # PDF readers accept junk (or a BOM) before the header within the first 1024 bytes; so do we.
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    return None


def describe_unknown(head: bytes) -> str:
    """A short English description of bytes `sniff` does not recognise (a key of `UNKNOWN_ZH`)."""
    if not head.strip():
        return "no content"
    if head[:2] == b"PK":
        return "a ZIP archive or office document"
    try:
        head[:512].decode("utf-8")
        return "a text file"
    except UnicodeDecodeError:
        return "unknown binary data"


UNKNOWN_ZH = {
    "no content": "没有内容",
    "a ZIP archive or office document": "ZIP 压缩包或办公文档",
    "a text file": "文本文件",
    "unknown binary data": "未知的二进制数据",
}
