"""The shapes ingest hands on (`Source`, a triaged file; `RenderedPage`, one page) and the findings it raises.

Every failure of ingest becomes one of the findings built here (damaged file, too large, too many pages or pixels);
the helpers keep our own paths out of a library's error text. Data and pure builders only: nothing here reads a file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from PIL import Image

from ..config import Settings
from ..messages import finding
from ..model import Finding, Page


@dataclass
class Source:
    """A triaged file: what it really is, and whether it can be read. Picklable (a path, no open handles)."""

    name: str  # display name (file name as the user gave it)
    path: Path  # where the bytes are (never derived from an uploaded name)
    sha256: str
    bytes: int
    media_type: str | None  # sniffed from content: image/png, image/jpeg, image/webp, image/tiff, image/gif, image/heic, application/pdf
    kind: Literal["image", "pdf"] | None
    page_count: int = 0
    findings: list[Finding] = field(default_factory=list)  # file-level problems found while triaging
    readable: bool = True  # False: findings explain why; no page is rendered
    # PDFs: a decrypted, repaired copy made by pikepdf (renderers read this one); None -> read `path`.
    render_path: Path | None = None
    # PDFs with an owner password only (readable without a password, but restricted): see `pdf.triage_pdf`.
    restricted: bool = False
    active_content: list[str] = field(default_factory=list)  # what `active-content` found, for the bundle


@dataclass
class RenderedPage:
    page: Page  # index, width, height, dpi, text_source; words filled for text-PDF pages; images = embedded images
    image: Image.Image | None  # RGB raster for OCR and pixel checks; None for text-PDF pages
    needs_ocr: bool
    findings: list[Finding] = field(default_factory=list)  # page-level problems (e.g. a page that cannot be drawn)


def mb(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB"


def fail(src: Source, f: Finding) -> Source:
    src.findings.append(f)
    src.readable = False
    return src


def corrupt(e: BaseException, page: int | None = None, path: Path | None = None) -> Finding:
    """A damaged-file finding whose detail is the library's reason, without our paths in it."""
    text = str(e)
    for p in sorted({str(path) if path else "", os.getcwd()} - {""}, key=len, reverse=True):  # the file's own first
        text = text.replace(p + os.sep, "").replace(p, "the file")
    text = re.sub(r"(/[^\s:/]+)+/", "", text)  # any other absolute directory
    detail = f"{type(e).__name__}: {text}".strip()[:200]
    return finding("corrupt-file", page=page, detail=detail, detail_zh=detail)


def too_many_pixels(pixels: int, settings: Settings, page: int | None = None) -> Finding:
    return finding("image-too-large", page=page, value=int(pixels), threshold=settings.max_image_pixels)


def too_many_pages(n: int, settings: Settings) -> Finding:
    return finding(
        "file-too-large", value=n, threshold=settings.max_pdf_pages,
        detail=f"the file has {n} pages, more than the limit of {settings.max_pdf_pages}",
        detail_zh=f"文件有 {n} 页，超过上限 {settings.max_pdf_pages} 页")
