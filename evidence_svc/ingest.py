"""Bytes -> pages: sniff what a file really is, enforce the limits, and turn each page into pixels or words.

`open_source` triages a file without decoding more than it must: magic bytes (never the extension), byte and
pixel limits read from headers, PDF structure through pikepdf (encryption, page count, active content, embedded
image sizes). `render_page` then produces one page at a time: an RGB raster for images and scanned PDF pages, or
the words of a PDF's text layer with boxes in page pixels. Every failure becomes a finding (`Source.findings`,
`RenderedPage.findings`); nothing here raises on bad input. This module knows nothing about OCR or validators.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from PIL import Image, ImageOps

from .config import Settings
from .messages import finding
from .model import EmbeddedImage, Finding, Page, Word
from .text import normalize_text

log = logging.getLogger(__name__)

try:  # HEIC/HEIF phone photos
    from pillow_heif import register_heif_opener

    register_heif_opener()
except Exception:  # pragma: no cover - pillow-heif is a declared dependency
    log.warning("pillow-heif unavailable: HEIC files will be reported as unsupported")

PDF_TEXT_DPI = 144  # nominal resolution for PDF pages read from their text layer (no raster is made)
MIN_RASTER_DPI = 72  # a scanned page is never rasterised below this
MIN_BOMB_RASTER_DPI = 18  # a page that would need less than this to fit the pixel limit is refused


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
    # PDFs with an owner password only (readable without a password, but restricted): see `_triage_pdf`.
    restricted: bool = False
    active_content: list[str] = field(default_factory=list)  # what `active-content` found, for the bundle


@dataclass
class RenderedPage:
    page: Page  # index, width, height, dpi, text_source; words filled for text-PDF pages; images = embedded images
    image: Image.Image | None  # RGB raster for OCR and pixel checks; None for text-PDF pages
    needs_ocr: bool
    findings: list[Finding] = field(default_factory=list)  # page-level problems (e.g. a page that cannot be drawn)


# ----------------------------------------------------------------------------------------------- sniffing

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}


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


def _describe_unknown(head: bytes) -> str:
    if not head.strip():
        return "no content"
    if head[:2] == b"PK":
        return "a ZIP archive or office document"
    try:
        head[:512].decode("utf-8")
        return "a text file"
    except UnicodeDecodeError:
        return "unknown binary data"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _mb(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB"


# ----------------------------------------------------------------------------------------------- triage


def open_source(path: Path, settings: Settings, name: str | None = None) -> Source:
    """Triage a file: type by content, limits, encryption, structure. Never raises for bad input."""
    path = Path(path)
    src = Source(name=name or path.name, path=path, sha256="", bytes=0, media_type=None, kind=None)
    try:
        src.bytes = path.stat().st_size
        # Hashing only reads, but a stray multi-GB file should not cost seconds: far over the limit -> no hash.
        src.sha256 = _sha256(path) if src.bytes <= 8 * settings.max_file_bytes else ""
        with path.open("rb") as f:
            head = f.read(1024)
    except OSError as e:
        return _fail(src, finding("corrupt-file", detail=f"cannot be read: {e.strerror or e}",
                                  detail_zh=f"无法读取：{e.strerror or e}"))
    if src.bytes == 0:
        return _fail(src, finding("corrupt-file", detail="the file is empty", detail_zh="文件为空"))
    if src.bytes > settings.max_file_bytes:
        return _fail(src, finding(
            "file-too-large", value=src.bytes, threshold=settings.max_file_bytes,
            detail=f"the file is {_mb(src.bytes)}, more than the limit of {_mb(settings.max_file_bytes)}",
            detail_zh=f"文件大小为 {_mb(src.bytes)}，超过上限 {_mb(settings.max_file_bytes)}"))
    src.media_type = sniff(head)
    if src.media_type is None:
        what = _describe_unknown(head)
        return _fail(src, finding("unsupported-format", detail=what, detail_zh=_UNKNOWN_ZH.get(what, what)))
    src.kind = "pdf" if src.media_type == "application/pdf" else "image"
    try:
        if src.kind == "pdf":
            _triage_pdf(src, settings)
        else:
            _triage_image(src, settings)
    except Exception as e:  # last resort: every library failure on bad input is a damaged file
        log.debug("triage of %s failed", src.name, exc_info=True)
        _fail(src, _corrupt(e, path=src.path))
    return src


_UNKNOWN_ZH = {
    "no content": "没有内容",
    "a ZIP archive or office document": "ZIP 压缩包或办公文档",
    "a text file": "文本文件",
    "unknown binary data": "未知的二进制数据",
}


def _fail(src: Source, f: Finding) -> Source:
    src.findings.append(f)
    src.readable = False
    return src


def _corrupt(e: BaseException, page: int | None = None, path: Path | None = None) -> Finding:
    """A damaged-file finding whose detail is the library's reason, without our paths in it."""
    text = str(e)
    for p in {str(path) if path else "", os.getcwd()} - {""}:
        text = text.replace(p + os.sep, "").replace(p, "the file")
    text = re.sub(r"(/[^\s:/]+)+/", "", text)  # any other absolute directory
    detail = f"{type(e).__name__}: {text}".strip()[:200]
    return finding("corrupt-file", page=page, detail=detail, detail_zh=detail)


def _too_many_pixels(pixels: int, settings: Settings, page: int | None = None) -> Finding:
    return finding("image-too-large", page=page, value=int(pixels), threshold=settings.max_image_pixels)


def _too_many_pages(n: int, settings: Settings) -> Finding:
    return finding(
        "file-too-large", value=n, threshold=settings.max_pdf_pages,
        detail=f"the file has {n} pages, more than the limit of {settings.max_pdf_pages}",
        detail_zh=f"文件有 {n} 页，超过上限 {settings.max_pdf_pages} 页")


def _open_image(path: Path, settings: Settings) -> Image.Image:
    """Image.open reads the header only. Pillow's own bomb guard stays on as a second line behind our check
    (it raises above 2x this value); its warning below that is ours to turn into a finding, so it is muted."""
    Image.MAX_IMAGE_PIXELS = settings.max_image_pixels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(path)


def _triage_image(src: Source, settings: Settings) -> None:
    """Header-only size check for every frame, then one full decode of what will be rendered."""
    try:
        im = _open_image(src.path, settings)
    except Image.DecompressionBombError as e:
        m = re.search(r"\((\d+) pixels\)", str(e))
        _fail(src, _too_many_pixels(int(m.group(1)) if m else settings.max_image_pixels * 2, settings))
        return
    except Exception as e:
        _fail(src, _corrupt(e, path=src.path))
        return
    with im:
        frames = _frame_count(im, src.media_type)
        if frames > settings.max_pdf_pages:
            _fail(src, _too_many_pages(frames, settings))
            return
        for i in range(frames):
            if i:
                im.seek(i)  # reads the next frame's header (TIFF IFD), not its pixels
            w, h = im.size
            if w * h > settings.max_image_pixels:
                _fail(src, _too_many_pixels(w * h, settings, page=i if frames > 1 else None))
                return
            if w == 0 or h == 0:
                _fail(src, finding("corrupt-file", detail="the image has no pixels", detail_zh="图片没有像素"))
                return
        src.page_count = frames
    # Decode now so a truncated file is a finding here, not a failure in a worker later.
    for i in range(src.page_count):
        try:
            with _open_image(src.path, settings) as im:
                if i:
                    im.seek(i)
                im.load()
        except Exception as e:
            _fail(src, _corrupt(e, page=i if src.page_count > 1 else None, path=src.path))
            return


def _frame_count(im: Image.Image, media_type: str | None) -> int:
    """Pages of an image file. TIFF: every frame is a page (multi-page scans and faxes are documents).
    GIF/WebP/HEIC: the first frame only (animations and bursts show one moment)."""
    if media_type == "image/tiff":
        return max(1, int(getattr(im, "n_frames", 1)))
    return 1


# ------------------------------------------------------------------------------------------------- PDF


def _triage_pdf(src: Source, settings: Settings) -> None:
    """OCRmyPDF's order: pikepdf open (password vs structure errors), encryption, pages, active content,
    embedded image sizes; then a normalised (repaired, decrypted) copy for the renderers."""
    import pikepdf

    try:
        pdf = pikepdf.open(src.path)
    except pikepdf.PasswordError:
        _fail(src, finding("encrypted-pdf"))
        return
    except pikepdf.PdfError as e:
        _fail(src, _corrupt(e, path=src.path))
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
            _fail(src, _corrupt(e, path=src.path))
            return
        if n == 0:
            _fail(src, finding("corrupt-file", detail="the PDF has no pages", detail_zh="该 PDF 没有任何页面"))
            return
        if n > settings.max_pdf_pages:
            src.page_count = n
            _fail(src, _too_many_pages(n, settings))
            return
        src.page_count = n
        found = _active_content(pdf)
        if found:
            src.active_content = found
            what = ", ".join(found)
            src.findings.append(finding("active-content", detail=what, detail_zh=_active_zh(found)))
        for i, page in enumerate(pdf.pages):
            biggest = _largest_image_pixels(page)
            if biggest > settings.max_image_pixels:
                _fail(src, _too_many_pixels(biggest, settings, page=i))
                return
        src.render_path = _normalised_copy(pdf, src, settings)


_ACTIVE_ZH = {
    "JavaScript": "JavaScript 脚本",
    "an action run on opening": "打开时自动执行的动作",
    "automatic actions": "自动触发的动作",
    "launch actions": "启动外部程序的动作",
    "embedded files": "嵌入文件",
    "form fields": "表单字段",
}


def _active_zh(found: list[str]) -> str:
    return "、".join(_ACTIVE_ZH.get(f, f) for f in found)


def _active_content(pdf: Any) -> list[str]:
    """What a reviewer's viewer might run or open: scripts, launch actions, automatic actions, attachments,
    form fields. Hand-written: pikepdf exposes the objects but has no 'is this active' helper."""
    import pikepdf

    found: list[str] = []
    root = pdf.Root

    def add(what: str) -> None:
        if what not in found:
            found.append(what)

    def action_kinds(action: Any, depth: int = 0) -> set[str]:
        kinds: set[str] = set()
        if depth > 8 or action is None:
            return kinds
        if isinstance(action, pikepdf.Array):
            for a in action:
                kinds |= action_kinds(a, depth + 1)
            return kinds
        if not isinstance(action, pikepdf.Dictionary):
            return kinds
        s = action.get("/S")
        if s is not None:
            kinds.add(str(s))
        if "/JS" in action:
            kinds.add("/JavaScript")
        nxt = action.get("/Next")
        if nxt is not None:
            kinds |= action_kinds(nxt, depth + 1)
        return kinds

    def note(kinds: set[str]) -> None:
        if "/JavaScript" in kinds:
            add("JavaScript")
        if "/Launch" in kinds:
            add("launch actions")

    try:
        names = root.get("/Names")
        if isinstance(names, pikepdf.Dictionary):
            if "/JavaScript" in names:
                add("JavaScript")
            if "/EmbeddedFiles" in names:
                add("embedded files")
        open_action = root.get("/OpenAction")
        if isinstance(open_action, pikepdf.Dictionary):  # an array is a plain destination, harmless
            kinds = action_kinds(open_action)
            note(kinds)
            if kinds & {"/JavaScript", "/Launch"}:
                add("an action run on opening")
        if "/AA" in root:
            note(action_kinds(list(root.AA.values())))
            add("automatic actions")
        acro = root.get("/AcroForm")
        if isinstance(acro, pikepdf.Dictionary):
            fields = acro.get("/Fields")
            if isinstance(fields, pikepdf.Array) and len(fields) > 0:
                add("form fields")
            if "/XFA" in acro:
                add("form fields")
        for page in pdf.pages:
            pobj = page.obj
            if "/AA" in pobj:
                note(action_kinds(list(pobj.AA.values())))
                add("automatic actions")
            annots = pobj.get("/Annots")
            if not isinstance(annots, pikepdf.Array):
                continue
            for annot in annots:
                if not isinstance(annot, pikepdf.Dictionary):
                    continue
                if annot.get("/Subtype") == pikepdf.Name.FileAttachment:
                    add("embedded files")
                note(action_kinds(annot.get("/A")))
                if "/AA" in annot:
                    note(action_kinds(list(annot.AA.values())))
    except Exception:  # a broken structure is not active content; the renderers will report damage
        log.debug("active-content scan failed", exc_info=True)
    return found


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


# ---------------------------------------------------------------------------------------------- render


def render_page(source: Source, index: int, settings: Settings) -> RenderedPage:
    """One page as pixels (images, scanned PDF pages) or words (PDF text layer). Never raises for bad input:
    a page that cannot be drawn comes back with a `corrupt-file` finding and no image."""
    try:
        if not source.readable:
            raise ValueError("the file is not readable")
        if source.kind == "image":
            return _render_image(source, index, settings)
        if source.kind == "pdf":
            return _render_pdf_page(source, index, settings)
        raise ValueError(f"unknown kind {source.kind!r}")
    except Exception as e:
        log.debug("render of %s page %d failed", source.name, index, exc_info=True)
        failed = [_corrupt(e, page=index, path=source.path)]
        return RenderedPage(Page(index=index, width=0, height=0), None, False, failed)


def to_rgb(im: Image.Image) -> Image.Image:
    """Any Pillow mode -> RGB; transparency is composited on white (screenshots with alpha are shown on white)."""
    if im.mode == "RGB":
        return im
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        import numpy as np

        a = np.asarray(im, dtype=np.float64)
        hi = float(a.max()) or 1.0
        im = Image.fromarray((a * (255.0 / (65535.0 if hi > 255 else 255.0))).clip(0, 255).astype("uint8"))
    if im.mode == "F":
        im = im.convert("L")
    if im.mode in ("LA", "PA", "La"):
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "RGBa"):
        bg = Image.new("RGB", im.size, (255, 255, 255))
        bg.paste(im.convert("RGBA"), mask=im.convert("RGBA").getchannel("A"))
        return bg
    return im.convert("RGB")  # L, 1, CMYK, YCbCr, LAB, HSV


def _image_dpi(im: Image.Image) -> float | None:
    dpi = im.info.get("dpi")
    try:
        if dpi:
            x, y = float(dpi[0]), float(dpi[1])
            # Many encoders write 1 or 72 as "unknown"; 72 is also genuine for screenshots on Macs, keep it.
            if x > 1 and y > 1:
                return round(min(x, y), 2)
    except (TypeError, ValueError, IndexError):
        pass
    return None


def _render_image(source: Source, index: int, settings: Settings) -> RenderedPage:
    with _open_image(source.path, settings) as im:
        if index:
            im.seek(index)
        dpi = _image_dpi(im)
        im.load()
        rgb = to_rgb(ImageOps.exif_transpose(im))  # exif_transpose returns a copy, rotated or not
    rgb.info.pop("exif", None)
    if dpi:
        rgb.info["dpi"] = (dpi, dpi)  # tells tesseract the resolution
    page = Page(index=index, width=rgb.width, height=rgb.height, dpi=dpi, text_source="ocr")
    return RenderedPage(page, rgb, True)


@dataclass
class _PdfLayer:
    """What pdfplumber reads from one page: crop size, text-layer words, embedded images (points, crop origin)."""

    w_pt: float = 0.0
    h_pt: float = 0.0
    words: list[dict] = field(default_factory=list)
    garbage: float = 0.0
    images: list[tuple[tuple[float, float, float, float], int, int]] = field(default_factory=list)


def _read_layer(path: Path, index: int) -> _PdfLayer:
    import pdfplumber

    layer = _PdfLayer()
    try:
        with pdfplumber.open(path, pages=[index + 1]) as doc:
            p = doc.pages[0]
            crop = _view_crop(p)  # (x0, top, x1, bottom) of what pdfium draws, in pdfplumber's coordinates
            layer.w_pt, layer.h_pt = float(crop[2] - crop[0]), float(crop[3] - crop[1])
            for im in p.images:
                sw, sh = (int(v) for v in (im.get("srcsize") or (0, 0)))
                box = (float(im["x0"]) - crop[0], float(im["top"]) - crop[1],
                       float(im["x1"]) - crop[0], float(im["bottom"]) - crop[1])
                layer.images.append((box, sw, sh))
            if _has_overprint(p.chars):  # fake bold: the same glyph printed several times repeats letters
                p = p.dedupe_chars()  # slow (~0.3 s per 3000 chars), hence only when needed
            layer.garbage = _garbage_share(p.chars)
            for w in p.extract_words(keep_blank_chars=False, use_text_flow=False):
                w = dict(w)
                w["x0"], w["x1"] = w["x0"] - crop[0], w["x1"] - crop[0]
                w["top"], w["bottom"] = w["top"] - crop[1], w["bottom"] - crop[1]
                layer.words.append(w)
    except Exception:  # pdfplumber raises IndexError/TypeError/KeyError... on real broken files
        log.debug("pdfplumber failed on page %d of %s", index, path, exc_info=True)
        return _PdfLayer(images=layer.images, garbage=1.0)
    return layer


def _render_pdf_page(source: Source, index: int, settings: Settings) -> RenderedPage:
    """A PDF page: from its text layer when it has a usable one, else rasterised at its scan's resolution.
    A usable text layer over a page-sized image (an already-OCR'd scan) gives both: the layer's words and the
    raster, so pixel checks (blur, resolution) still see what the reviewer sees."""
    import pypdfium2 as pdfium

    path = source.render_path or source.path
    layer = _read_layer(path, index)
    doc = pdfium.PdfDocument(str(path))
    try:
        pg = doc[index]
        if not layer.w_pt or not layer.h_pt:
            layer.w_pt, layer.h_pt = pg.get_size()  # rotated-view size of the crop box
        w_pt, h_pt = layer.w_pt, layer.h_pt
        text = _is_text_page(layer.words, layer.garbage, layer.images, w_pt, h_pt)
        if text and _image_share(layer.images, w_pt, h_pt) <= 0.5:
            scale = PDF_TEXT_DPI / 72.0
            page = Page(index=index, width=max(1, round(w_pt * scale)), height=max(1, round(h_pt * scale)),
                        dpi=float(PDF_TEXT_DPI), text_source="pdf-text")
            page.words = _pdf_words(layer.words, scale, page)
            page.images = _embedded(layer.images, scale)
            return RenderedPage(page, None, False)

        dpi = _raster_dpi(layer.images, settings)
        pixels = (w_pt * dpi / 72.0) * (h_pt * dpi / 72.0)
        if pixels > settings.max_image_pixels:  # a huge page (posters, 200-inch pages): shrink to fit the limit
            dpi = math.floor(72.0 * math.sqrt(settings.max_image_pixels / max(w_pt * h_pt, 1.0)))
            if dpi < MIN_BOMB_RASTER_DPI:
                return RenderedPage(Page(index=index, width=0, height=0), None, False,
                                    [_too_many_pixels(int(pixels), settings, page=index)])
        scale = dpi / 72.0
        bitmap = pg.render(scale=scale, may_draw_forms=True)
        try:
            img = to_rgb(bitmap.to_pil())
            img.info["dpi"] = (float(dpi), float(dpi))  # tells tesseract the resolution
        finally:
            bitmap.close()
            pg.close()
    finally:
        doc.close()
    page = Page(index=index, width=img.width, height=img.height, dpi=float(dpi),
                text_source="pdf-text" if text else "ocr")
    page.images = _embedded(layer.images, scale)
    if text:
        page.words = _pdf_words(layer.words, scale, page)
    return RenderedPage(page, img, not text)


def _image_share(images: list, w_pt: float, h_pt: float) -> float:
    area = sum(max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1]) for b, _, _ in images)
    return area / max(w_pt * h_pt, 1.0)


def _view_crop(p: Any) -> tuple[float, float, float, float]:
    """The crop box in pdfplumber's coordinates (rotated view, top-left origin, offset by the media box).
    pdfplumber's own `cropbox` only swaps axes for /Rotate and is wrong for 180/270 or an offset crop box, so
    the corners go through the same transform pdfminer applies to the page content."""
    def norm(b: Any) -> tuple[float, float, float, float]:
        x0, x1 = sorted((float(b[0]), float(b[2])))
        y0, y1 = sorted((float(b[1]), float(b[3])))
        return x0, y0, x1, y1

    from pdfplumber.utils import resolve_all

    attrs = p.page_obj.attrs
    mx0, my0, mx1, my1 = norm(resolve_all(attrs["MediaBox"]))
    raw_crop = resolve_all(attrs.get("CropBox")) or (mx0, my0, mx1, my1)
    cx0, cy0, cx1, cy1 = norm(raw_crop)
    cx0, cy0, cx1, cy1 = max(cx0, mx0), max(cy0, my0), min(cx1, mx1), min(cy1, my1)
    if cx1 <= cx0 or cy1 <= cy0:  # a crop box outside the media box: viewers fall back to the media box
        cx0, cy0, cx1, cy1 = mx0, my0, mx1, my1
    a, b, c, d, e, f = {
        90: (0, -1, 1, 0, -my0, mx1),
        180: (-1, 0, 0, -1, mx1, my1),
        270: (0, 1, -1, 0, my1, -mx0),
    }.get(p.rotation, (1, 0, 0, 1, -mx0, -my0))
    xs, tops = [], []
    for X, Y in ((cx0, cy0), (cx1, cy1)):
        u, v = a * X + c * Y + e, b * X + d * Y + f
        xs.append(u + float(p.mediabox[0]))
        tops.append(float(p.height) - v + float(p.mediabox[1]))
    return min(xs), min(tops), max(xs), max(tops)


def _has_overprint(chars: list[dict]) -> bool:
    seen: set[tuple[str, int, int]] = set()
    dup = 0
    for c in chars:
        key = (c.get("text") or "", round(float(c["x0"])), round(float(c["top"])))
        dup += key in seen
        seen.add(key)
    return dup > max(3, 0.05 * len(chars))


_WORDLIKE = re.compile(r"[^\W_]{2,}|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _garbage_share(chars: list[dict]) -> float:
    """Share of characters with no usable Unicode mapping ("(cid:12)", private use, replacement, controls)."""
    if not chars:
        return 0.0
    bad = 0
    for c in chars:
        t = c.get("text") or ""
        if t.startswith("(cid:") or not t:
            bad += 1
            continue
        ch = t[0]
        o = ord(ch)
        if ch == "\ufffd" or 0xE000 <= o <= 0xF8FF or (o < 32 and ch not in "\t\n\r"):
            bad += 1
    return bad / len(chars)


def _is_text_page(words: list[dict], garbage: float, images: list, w_pt: float, h_pt: float) -> bool:
    """A page is read from its text layer when the layer is mostly real text and is not a few words on top
    of a page-sized scan (then the scan is the evidence and must be OCR'd and checked as pixels)."""
    if not words or garbage > 0.3:
        return False
    # A font without a Unicode map often yields plausible ASCII that is no words at all ('"7+%-').
    if sum(bool(_WORDLIKE.search(w["text"])) for w in words) < 0.3 * len(words):
        return False
    n_chars = sum(len(w["text"]) for w in words)
    if _image_share(images, w_pt, h_pt) > 0.5 and n_chars < 40:
        return False
    return n_chars >= 3


def _pdf_words(words: list[dict], scale: float, page: Page) -> list[Word]:
    """pdfplumber words -> Words in page pixels, grouped into visual lines (words whose vertical extents
    overlap by more than half the smaller height share a line id). The text is NFKC-normalised: Chromium's
    "Save as PDF" writes some CJK ideographs as Kangxi radicals ("2026年11⽉18⽇" with U+2F49 for 月)."""
    items = []
    for w in words:
        t = normalize_text(w.get("text") or "").strip()
        if not t:
            continue
        x0 = max(0, round(w["x0"] * scale))
        y0 = max(0, round(w["top"] * scale))
        x1 = min(page.width, round(w["x1"] * scale))
        y1 = min(page.height, round(w["bottom"] * scale))
        if x1 <= 0 or y1 <= 0 or x0 >= page.width or y0 >= page.height:
            continue  # outside the visible crop box
        items.append((t, (x0, y0, max(x1, x0 + 1), max(y1, y0 + 1))))
    items.sort(key=lambda it: ((it[1][1] + it[1][3]) / 2, it[1][0]))
    out: list[Word] = []
    line_id = -1
    cur_top = cur_bot = None
    for t, b in items:
        if cur_top is not None:
            overlap = min(cur_bot, b[3]) - max(cur_top, b[1])
            smaller = min(cur_bot - cur_top, b[3] - b[1]) or 1
            same = overlap > 0.5 * smaller
        else:
            same = False
        if not same:
            line_id += 1
            cur_top, cur_bot = b[1], b[3]
        else:
            cur_top, cur_bot = min(cur_top, b[1]), max(cur_bot, b[3])
        out.append(Word(text=t, box=b, conf=100.0, line=line_id))
    return out


def _effective_dpi(box: tuple[float, float, float, float], src_w: int, src_h: int) -> tuple[float, float] | None:
    """(x, y) dpi of an image drawn in `box` (points). An image drawn rotated by 90 degrees has its pixel axes
    swapped relative to the page: pair the axes by orientation."""
    dw, dh = (box[2] - box[0]) / 72.0, (box[3] - box[1]) / 72.0
    if dw <= 0 or dh <= 0 or src_w <= 0 or src_h <= 0:
        return None
    if (src_w > src_h) != (dw > dh) and src_w != src_h and abs(dw - dh) > 1e-6:
        src_w, src_h = src_h, src_w
    return src_w / dw, src_h / dh


def _embedded(images: list, scale: float) -> list[EmbeddedImage]:
    out = []
    for box, sw, sh in images:
        eff = _effective_dpi(box, sw, sh)
        if eff is None:
            continue
        px = tuple(round(v * scale) for v in box)
        out.append(EmbeddedImage(box=px, dpi=round(min(eff), 1), pixel_width=sw, pixel_height=sh))
    return out


def _raster_dpi(images: list, settings: Settings) -> int:
    """Resolution for a scanned page: that of its largest image (the finer axis, so no pixel is lost),
    between MIN_RASTER_DPI and the cap; the default when the page has no image."""
    best = None
    best_area = 0.0
    for box, sw, sh in images:
        eff = _effective_dpi(box, sw, sh)
        area = (box[2] - box[0]) * (box[3] - box[1])
        if eff and area > best_area:
            best, best_area = eff, area
    if best is None:
        return int(settings.raster_dpi_default)
    return int(min(settings.raster_dpi_cap, max(MIN_RASTER_DPI, round(max(best)))))
