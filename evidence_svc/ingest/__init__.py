"""Bytes -> pages: sniff what a file really is, enforce the limits, and turn each page into pixels or words.

`open_source` (triage.py) triages a file without decoding more than it must: magic bytes, never the extension
(filetype.py); byte and pixel limits read from headers (image.py); PDF structure through pikepdf: encryption, page
count, active content, embedded image sizes (pdf.py, active_content.py). `render_page` (render.py) then produces one
page at a time: an RGB raster for images and scanned PDF pages, or the words of a PDF's text layer with boxes in page
pixels (pdf_text.py). Every failure becomes a finding (`Source.findings`, `RenderedPage.findings`, source.py);
nothing here raises on bad input. This package knows nothing about OCR or validators.
"""

from __future__ import annotations

from .filetype import register_heif, sniff
from .image import to_rgb
from .render import MIN_BOMB_RASTER_DPI, MIN_RASTER_DPI, PDF_TEXT_DPI, render_page
from .source import RenderedPage, Source
from .triage import open_source

register_heif()  # HEIC/HEIF phone photos open like any other image from here on

__all__ = [
    "MIN_BOMB_RASTER_DPI", "MIN_RASTER_DPI", "PDF_TEXT_DPI", "RenderedPage", "Source", "open_source",
    "register_heif", "render_page", "sniff", "to_rgb",
]
