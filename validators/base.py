"""The Validator protocol and what a validator is given.

A validator looks at one kind of defect. `check_page` runs in a worker process next to the page's raster (the
only time the pixels exist); `check_file` runs afterwards on the whole file's pages, words and facts, without
pixels. Both are pure: inputs in, findings out. Thresholds come from `ctx.settings`, never from constants here.
The one service a page check may call is `ctx.read_line` (OCR of a small strip), handed over by the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Literal, Protocol

from evidence_svc.config import Settings
from evidence_svc.model import Claim, Facts, Finding, Page

if TYPE_CHECKING:  # the pixel libraries only for annotations: a cached report imports this module without them
    import numpy as np
    from PIL import Image


@dataclass
class PageInput:
    page: Page  # metadata + words (OCR or PDF text) + embedded images with their effective dpi
    gray: np.ndarray | None  # the raster, uint8 grayscale, height x width; None for text-PDF pages (not rasterised)
    source: Literal["image", "pdf"]
    name: str  # file name, for messages


@dataclass
class FileInput:
    name: str
    sha256: str
    media_type: str | None
    bytes: int
    pages: list[Page]
    facts: Facts
    phash: str | None = None  # perceptual hash of the first page (images only), hex
    source: Literal["image", "pdf"] = "image"
    findings: list[Finding] = field(default_factory=list)  # what its pages and ingest raised already


# Reads one line of text from a small image: (image, tesseract languages, settings, allowed characters or "") ->
# text. The pipeline hands `evidence_svc.ocr.read_line` over; validators never import the OCR stage.
LineReader = Callable[["Image.Image", str, Settings, str], str]


@dataclass
class CheckContext:
    claim: Claim
    settings: Settings
    earlier_files: list[FileInput] = field(default_factory=list)  # files of the same claim checked before this one
    read_line: LineReader | None = None  # re-reads a strip of pixels (cut edges); None: judge on geometry alone


class Validator(Protocol):
    name: str
    codes: tuple[str, ...]

    def check_page(self, page: PageInput, ctx: CheckContext) -> list[Finding]: ...

    def check_file(self, file: FileInput, ctx: CheckContext) -> list[Finding]: ...


class BaseValidator:
    """Defaults for validators that work at only one level."""

    name = "base"
    codes: tuple[str, ...] = ()

    def check_page(self, page: PageInput, ctx: CheckContext) -> list[Finding]:
        return []

    def check_file(self, file: FileInput, ctx: CheckContext) -> list[Finding]:
        return []
