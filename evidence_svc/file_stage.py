"""The work on one file that runs in a pool worker: render each page, OCR it, read barcodes and run the page
checks; then, once the file's pages are read, its facts and the file checks that look at this file alone.

Pixels exist only here and only while one page is worked on: a page's image is dropped as soon as OCR and the pixel
measurements are done, and what goes back to the process that started the claim (`PageOutcome`, `FileOutcome`) holds
words, facts and findings, never pixels. Checks that compare a file with the claim's other files (duplicates) run in
that process (`pipeline.py`), the one place that sees every file. This module never reads or writes the cache and
never decides the stage order; `pipeline.py` does both.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import replace
from functools import lru_cache

from validators import VALIDATORS
from validators.base import CheckContext, PageInput
from validators.file_rules import image_phash

from .facts.barcodes import read_barcodes
from .facts.extract import classify, extract_facts
from .ingest import Source, open_source, render_page
from .ingest.image import decode_problem
from .messages import finding
from .model import Page
from .ocr import read_line, read_words
from .ocr.clocks import find_stamp
from .outcomes import CLAIM_WIDE, FileOutcome, PageOutcome, file_input_of

def check_page(source: Source, index: int, ctx: CheckContext, verify: bool = False) -> PageOutcome:
    """Render one page, read its words, and run the page validators. `verify`: first check the image's pixels
    decode (files triaged header-only)."""
    settings = ctx.settings
    if verify and source.kind == "image":
        problem = decode_problem(source, index, settings)
        if problem is not None:
            return PageOutcome(page=Page(index=index, width=0, height=0), fatal=problem)
    rendered = render_page(source, index, settings)
    page, image = rendered.page, rendered.image
    out = PageOutcome(page=page, findings=list(rendered.findings))
    rendered.image = None
    stamp = None
    if source.kind == "pdf" and image is not None and image.mode == "RGB":
        image, stamp = _grey_with_stamp(image, rendered.needs_ocr)
    if rendered.needs_ocr and image is not None:
        result = read_words(image, settings.ocr_langs_for(ctx.claim.marketplace), settings, stamp)
        out.ocr_seconds = result.seconds
        page.words, page.ocr_confidence, page.text_source = result.words, result.confidence, "ocr"
        if result.error:
            out.findings.append(finding("unreadable", page=index, detail=result.error))
    gray = None
    if image is not None:
        out.barcodes = read_barcodes(image, index)
        gray = _gray(image)
        if index == 0 and source.kind == "image":
            out.phash = image_phash(image)
        image.close()  # the page checks need only the grey array: free the raster now
        image = None
    subject = PageInput(page=page, gray=gray, source=source.kind or "image", name=source.name)
    for validator in VALIDATORS:
        out.findings.extend(validator.check_page(subject, ctx))
    return out


def _grey_with_stamp(image, needs_ocr: bool):
    """A rendered PDF page as grey plus its camera stamp (looked for only when the page is OCR'd), with the colour
    raster closed: everything after rendering reads grey except the stamp, and a 300-dpi page's RGB raster (25 MB)
    would otherwise sit in every worker through OCR. Photos and screenshots keep their colour (`read_words` finds
    their stamps itself)."""
    grey = image.convert("L")
    grey.info = dict(image.info)
    stamp = find_stamp(image) if needs_ocr else None
    image.close()
    return grey, stamp


def _gray(image):
    import numpy as np

    return np.asarray(image if image.mode == "L" else image.convert("L"))


def run_page(args: tuple[Source, int, CheckContext, bool]) -> PageOutcome:
    """`check_page` for the pool: a page that breaks a library must not take the claim down with it."""
    source, index, ctx, verify = args
    try:
        return check_page(source, index, replace(ctx, read_line=read_line), verify)
    except Exception as exc:
        return PageOutcome(
            page=Page(index=index, width=0, height=0),
            findings=[finding("corrupt-file", page=index,
                              detail=f"page {index + 1} could not be processed: {type(exc).__name__}: {exc}")],
        )
    finally:
        release_memory()


def finish_file(source: Source, pages: list[PageOutcome], ctx: CheckContext) -> FileOutcome:
    """Facts, kind and the file checks of one readable file whose pages are read (claim-wide checks excepted)."""
    out = FileOutcome(pages=pages)
    if out.fatal is not None:
        return out
    page_list = [o.page for o in pages]
    found = extract_facts(page_list, ctx.claim, ctx.settings, barcodes=[b for o in pages for b in o.barcodes])
    file_input = file_input_of(source, out, found)
    alone = CheckContext(claim=ctx.claim, settings=ctx.settings)
    out.facts = found
    out.checks = [(v.name, None if v.name in CLAIM_WIDE else v.check_file(file_input, alone)) for v in VALIDATORS]
    out.kind = classify(found, page_list)
    return out


def run_file(args: tuple[Source, list[int], list[PageOutcome] | None, CheckContext, bool]) -> FileOutcome:
    """A whole file for the pool: the pages given in `indices` (or already-read `pages`), then `finish_file`."""
    source, indices, pages, ctx, verify = args
    if pages is None:
        pages = [run_page((source, i, ctx, verify)) for i in indices]
    try:
        return finish_file(source, pages, ctx)
    finally:
        release_memory()


@lru_cache(maxsize=1)
def _libc():
    name = ctypes.util.find_library("c")
    lib = ctypes.CDLL(name) if name else None
    return lib if lib is not None and hasattr(lib, "malloc_trim") else None


def release_memory() -> None:
    """Hand freed heap back to the system after a page (glibc keeps it otherwise, so a worker that once held a
    300-dpi page stays that big for the rest of its life)."""
    lib = _libc()
    if lib is not None:
        lib.malloc_trim(0)


__all__ = ["check_page", "finish_file", "open_source", "release_memory", "run_file", "run_page"]
