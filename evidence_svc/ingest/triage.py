"""Triage a file before anything expensive runs: type by content, byte limit, then the image or PDF checks.

`open_source` reads no more than it must (a hash and the first 1 KB here; headers and structure in `image.py` and
`pdf.py`) and turns every problem into a finding on the returned `Source`. It never raises on bad input and never
renders a page (that is `render.py`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..config import Settings
from ..hashing import sha256_file
from ..messages import finding
from .filetype import UNKNOWN_ZH, describe_unknown, sniff
from .image import triage_image
from .pdf import triage_pdf
from .source import Source, corrupt, fail, mb

log = logging.getLogger(__name__)


def open_source(path: Path, settings: Settings, name: str | None = None, *, decode: bool = True) -> Source:
    """Triage a file: type by content, limits, encryption, structure. Never raises for bad input.

    `decode=False` reads image headers only and leaves the full decode to `image.decode_problem` (the pipeline
    runs it in a pool worker, so the process that opens the files never decodes pixels)."""
    path = Path(path)
    src = Source(name=name or path.name, path=path, sha256="", bytes=0, media_type=None, kind=None)
    try:
        src.bytes = path.stat().st_size
        # Hashing only reads, but a stray multi-GB file should not cost seconds: far over the limit -> no hash.
        src.sha256 = sha256_file(path) if src.bytes <= 8 * settings.max_file_bytes else ""
        with path.open("rb") as f:
            head = f.read(1024)
    except OSError as e:
        return fail(src, finding("corrupt-file", detail=f"cannot be read: {e.strerror or e}",
                                 detail_zh=f"无法读取：{e.strerror or e}"))
    if src.bytes == 0:
        return fail(src, finding("corrupt-file", detail="the file is empty", detail_zh="文件为空"))
    if src.bytes > settings.max_file_bytes:
        return fail(src, finding(
            "file-too-large", value=src.bytes, threshold=settings.max_file_bytes,
            detail=f"the file is {mb(src.bytes)}, more than the limit of {mb(settings.max_file_bytes)}",
            detail_zh=f"文件大小为 {mb(src.bytes)}，超过上限 {mb(settings.max_file_bytes)}"))
    src.media_type = sniff(head)
    if src.media_type is None:
        what = describe_unknown(head)
        return fail(src, finding("unsupported-format", detail=what, detail_zh=UNKNOWN_ZH.get(what, what)))
    src.kind = "pdf" if src.media_type == "application/pdf" else "image"
    try:
        if src.kind == "pdf":
            triage_pdf(src, settings)
        else:
            triage_image(src, settings, decode=decode)
    except Exception as e:  # last resort: every library failure on bad input is a damaged file
        log.debug("triage of %s failed", src.name, exc_info=True)
        fail(src, corrupt(e, path=src.path))
    return src
