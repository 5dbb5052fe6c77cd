"""PDF triage through pikepdf, in OCRmyPDF's order: open (password vs structure errors), encryption, page count,
active content, embedded image sizes, then a repaired and decrypted copy for the renderers.

Reads dictionaries only: no page is drawn and no embedded image decoded here (that is `render.py`). Problems become
findings on the `Source`; nothing here raises on bad input.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from ..config import Settings
from ..messages import finding
from .active_content import active_kinds, active_zh
from .source import Source, corrupt, fail, too_many_pages, too_many_pixels

log = logging.getLogger(__name__)


def triage_pdf(src: Source, settings: Settings) -> None:
    """OCRmyPDF's order: pikepdf open (password vs structure errors), encryption, pages, active content,
    embedded image sizes; then a normalised (repaired, decrypted) copy for the renderers."""
    import pikepdf

    try:
        pdf = pikepdf.open(src.path)
    except pikepdf.PasswordError:
        fail(src, finding("encrypted-pdf"))
        return
    except pikepdf.PdfError as e:
        fail(src, corrupt(e, path=src.path))
        return
    with pdf:
        # Opening with the empty user password worked. An owner password alone only restricts printing or
        # copying: every viewer (and a reviewer's browser) opens such a file without asking, so it is readable
        # and we do not flag it. We read it, and the bundle re-saves it without encryption (`restricted`).
        if pdf.is_encrypted:
            src.restricted = True
        try:
            n = len(pdf.pages)
        except Exception as e:
            fail(src, corrupt(e, path=src.path))
            return
        if n == 0:
            fail(src, finding("corrupt-file", detail="the PDF has no pages", detail_zh="该 PDF 没有任何页面"))
            return
        if n > settings.max_pdf_pages:
            src.page_count = n
            fail(src, too_many_pages(n, settings))
            return
        src.page_count = n
        found = active_kinds(pdf)
        if found:
            src.active_content = found
            what = ", ".join(found)
            src.findings.append(finding("active-content", detail=what, detail_zh=active_zh(found)))
        for i, page in enumerate(pdf.pages):
            biggest = _largest_image_pixels(page)
            if biggest > settings.max_image_pixels:
                fail(src, too_many_pixels(biggest, settings, page=i))
                return
        src.render_path = _normalised_copy(pdf, src, settings)


def _largest_image_pixels(page: Any) -> int:
    """Pixel count of the largest image a page can draw (its XObjects, through form XObjects, tiling patterns,
    soft masks and annotation appearances), read from the dictionaries only. pdfium decodes an embedded image
    at full size whatever the output dpi, so this is the decompression-bomb guard for PDFs
    (ocrmypdf/hugemono.pdf: 35000 x 35000). Hand-written: no library offers this walk without decoding."""
    import pikepdf

    seen: set[tuple[int, int]] = set()

    def image_pixels(img: Any) -> int:
        n = int(img.get("/Width", 0)) * int(img.get("/Height", 0))
        smask = img.get("/SMask")
        if isinstance(smask, pikepdf.Stream):
            n = max(n, int(smask.get("/Width", 0)) * int(smask.get("/Height", 0)))
        return n

    def walk(obj: Any, depth: int) -> int:
        if depth > 6 or not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            return 0
        if obj.is_indirect:
            if obj.objgen in seen:  # shared resources and reference cycles
                return 0
            seen.add(obj.objgen)
        biggest = 0
        res = obj.get("/Resources")
        if isinstance(res, pikepdf.Dictionary):
            for group in ("/XObject", "/Pattern"):
                entries = res.get(group)
                if not isinstance(entries, pikepdf.Dictionary):
                    continue
                for _, xo in entries.items():
                    if not isinstance(xo, pikepdf.Stream):
                        continue
                    if xo.get("/Subtype") == pikepdf.Name.Image:
                        biggest = max(biggest, image_pixels(xo))
                    else:  # form XObject or tiling pattern: has its own resources
                        biggest = max(biggest, walk(xo, depth + 1))
        annots = obj.get("/Annots")
        if isinstance(annots, pikepdf.Array):
            for annot in annots:
                ap = annot.get("/AP") if isinstance(annot, pikepdf.Dictionary) else None
                normal = ap.get("/N") if isinstance(ap, pikepdf.Dictionary) else None
                states = [normal] if isinstance(normal, pikepdf.Stream) else (
                    list(normal.values()) if isinstance(normal, pikepdf.Dictionary) else [])
                for st in states:
                    biggest = max(biggest, walk(st, depth + 1))
        return biggest

    try:
        return walk(page.obj, 0)
    except Exception:
        log.debug("image size scan failed", exc_info=True)
        return 0


def _normalised_copy(pdf: Any, src: Source, settings: Settings) -> Path | None:
    """A repaired, decrypted copy (qpdf rewrites the xref and drops junk before the header), content-addressed
    under the cache directory so every worker reads the same file. None if it cannot be written."""
    out_dir = Path(settings.cache_dir) / "pdf"
    out = out_dir / f"{src.sha256}.pdf"
    if out.exists():
        return out
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".tmp")
        os.close(fd)
        try:
            pdf.save(tmp, encryption=False)
            os.replace(tmp, out)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return out
    except Exception:
        log.debug("normalised copy of %s failed; rendering the original", src.name, exc_info=True)
        return None
