"""Ingest on real files built here: type by content, limits before decoding, PDF triage, text layers, rasters."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from evidence_svc.config import load_settings
from evidence_svc.ingest import open_source, render_page, sniff

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
ORDER = "112-1234567-1234567"


def codes(findings) -> list[str]:
    return [f.code for f in findings]


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    return load_settings(cache_dir=tmp_path_factory.mktemp("cache"))


def text_image(size=(900, 300), text=ORDER, px=32) -> Image.Image:
    im = Image.new("RGB", size, "white")
    ImageDraw.Draw(im).text((40, 40), text, fill="black", font=ImageFont.truetype(FONT, px))
    return im


def png_with_size(w: int, h: int) -> bytes:
    """A valid PNG signature + IHDR claiming w x h, one tiny IDAT and IEND: a decompression bomb's header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


@pytest.fixture(scope="session")
def files(tmp_path_factory) -> dict[str, Path]:
    """Every format under a misleading extension, plus the PDFs the tests below need."""
    d = tmp_path_factory.mktemp("ingest")
    base = text_image()
    out: dict[str, Path] = {}

    def save(name: str, fmt: str, im: Image.Image = base, **kw) -> None:
        p = d / name
        im.save(p, format=fmt, **kw)
        out[name] = p

    save("png_as.jpg", "PNG")
    save("jpeg_as.pdf", "JPEG", quality=90)
    save("webp_as.png", "WEBP", lossless=True)
    save("tiff_as.gif", "TIFF")
    save("gif_as.tiff", "GIF")
    import pillow_heif

    pillow_heif.register_heif_opener()
    save("heic_as.jpg", "HEIF", quality=90)

    c = canvas.Canvas(str(d / "text.pdf"), pagesize=letter)
    c.setFont("Helvetica", 14)
    c.drawString(72, 700, f"Order ID: {ORDER}")
    c.drawString(72, 680, "Delivered on March 3, 2024")
    c.showPage()
    c.save()
    out["text.pdf"] = d / "text.pdf"
    junk = d / "junk_before_header.png"  # a BOM and junk before %PDF, named like an image
    junk.write_bytes(b"\xef\xbb\xbfjunk\n" + out["text.pdf"].read_bytes())
    out["junk_before_header.png"] = junk

    # Scanned: one page holding only an image of the text, 1200 px drawn 6 inches wide = 200 dpi.
    scan_img = text_image((1200, 400), f"Order ID: {ORDER}", 36)
    scan_png = d / "scan-src.png"
    scan_img.save(scan_png)
    c = canvas.Canvas(str(d / "scan.pdf"), pagesize=letter)
    c.drawImage(str(scan_png), 72, 400, width=432, height=144)
    c.save()
    out["scan.pdf"] = d / "scan.pdf"

    with pikepdf.open(out["text.pdf"]) as pdf:
        pdf.save(d / "user-pw.pdf", encryption=pikepdf.Encryption(user="secret", owner="owner"))
        pdf.save(d / "owner-only.pdf", encryption=pikepdf.Encryption(user="", owner="owner",
                                                                      allow=pikepdf.Permissions(extract=False)))
    out["user-pw.pdf"] = d / "user-pw.pdf"
    out["owner-only.pdf"] = d / "owner-only.pdf"

    with pikepdf.open(out["text.pdf"]) as pdf:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        pdf.save(d / "js.pdf")
    out["js.pdf"] = d / "js.pdf"
    with pikepdf.open(out["text.pdf"]) as pdf:
        pdf.attachments["invoice.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ not really",
                                                                   mime_type="application/octet-stream")
        pdf.save(d / "attached.pdf")
    out["attached.pdf"] = d / "attached.pdf"

    with pikepdf.open(out["text.pdf"]) as pdf:  # the same page rotated for display and cropped off-origin
        page = pdf.pages[0]
        page.Rotate = 90
        page.CropBox = [36, 300, 560, 760]
        pdf.save(d / "rotated-cropped.pdf")
    out["rotated-cropped.pdf"] = d / "rotated-cropped.pdf"

    # A page that draws a 40000 x 40000 1-bit image: the dictionary alone must stop it (never decoded).
    pdf = pikepdf.new()
    bomb = pikepdf.Stream(pdf, zlib.compress(b"\0" * 1024))
    bomb.Type, bomb.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    bomb.Width, bomb.Height, bomb.BitsPerComponent = 40000, 40000, 1
    bomb.ColorSpace, bomb.Filter = pikepdf.Name.DeviceGray, pikepdf.Name.FlateDecode
    content = pikepdf.Stream(pdf, b"q 612 0 0 792 0 0 cm /Im0 Do Q")
    pdf.add_blank_page(page_size=(612, 792))
    pdf.pages[0].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=bomb))
    pdf.pages[0].Contents = content
    pdf.save(d / "bomb.pdf")
    out["bomb.pdf"] = d / "bomb.pdf"
    # The same image hidden one level down, inside a form XObject.
    form = pikepdf.Stream(pdf, b"q 612 0 0 792 0 0 cm /Im0 Do Q")
    form.Type, form.Subtype, form.BBox = pikepdf.Name.XObject, pikepdf.Name.Form, [0, 0, 612, 792]
    form.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=bomb))
    pdf.pages[0].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fm0=form))
    pdf.pages[0].Contents = pikepdf.Stream(pdf, b"/Fm0 Do")
    pdf.save(d / "nested-bomb.pdf")
    out["nested-bomb.pdf"] = d / "nested-bomb.pdf"

    with pikepdf.open(out["text.pdf"]) as pdf:  # a link that launches a program
        launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))
        link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 690, 300, 715],
                                  A=launch)
        pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([link]))
        pdf.save(d / "launch.pdf")
    out["launch.pdf"] = d / "launch.pdf"

    # A 200 x 200 inch page with nothing but vector art: its raster must be shrunk under the pixel limit.
    c = canvas.Canvas(str(d / "poster.pdf"), pagesize=(14400, 14400))
    c.rect(100, 100, 14200, 14200, fill=1)
    c.save()
    out["poster.pdf"] = d / "poster.pdf"

    c = canvas.Canvas(str(d / "many.pdf"), pagesize=letter)
    for i in range(6):
        c.drawString(72, 700, f"page {i}")
        c.showPage()
    c.save()
    out["many.pdf"] = d / "many.pdf"
    return out


# ----------------------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize("name,media_type", [
    ("png_as.jpg", "image/png"),
    ("jpeg_as.pdf", "image/jpeg"),
    ("webp_as.png", "image/webp"),
    ("tiff_as.gif", "image/tiff"),
    ("gif_as.tiff", "image/gif"),
    ("heic_as.jpg", "image/heic"),
    ("junk_before_header.png", "application/pdf"),
])
def test_type_is_judged_by_content_not_extension(files, settings, name, media_type):
    src = open_source(files[name], settings)
    assert src.media_type == media_type
    assert src.readable, src.findings
    page = render_page(src, 0, settings)
    assert page.findings == []
    if src.kind == "image":
        assert page.image.mode == "RGB" and page.image.size == (900, 300)
    else:
        assert ORDER in [w.text for w in page.page.words]


def test_non_images_are_unsupported_and_empty_files_corrupt(tmp_path, settings):
    (tmp_path / "notes.png").write_text("hello, this is not an image\n")
    (tmp_path / "archive.pdf").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    (tmp_path / "empty.jpg").write_bytes(b"")
    assert codes(open_source(tmp_path / "notes.png", settings).findings) == ["unsupported-format"]
    assert codes(open_source(tmp_path / "archive.pdf", settings).findings) == ["unsupported-format"]
    empty = open_source(tmp_path / "empty.jpg", settings)
    assert codes(empty.findings) == ["corrupt-file"] and not empty.readable


def test_sniff_rejects_avif_and_other_iso_media():
    assert sniff(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf") is None
    assert sniff(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom") is None


# ------------------------------------------------------------------------------------------- limits


def test_pixel_limit_is_read_from_the_header_without_decoding(tmp_path, settings):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_with_size(20000, 20000))  # 400 MP claimed, 100 bytes on disk
    tracemalloc.start()
    t0 = time.perf_counter()
    src = open_source(bomb, settings)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert codes(src.findings) == ["image-too-large"] and not src.readable
    assert src.findings[0].value == 400_000_000
    assert elapsed < 1.0 and peak < 20 * 1024 * 1024  # 400 MP RGB decoded would be 1.2 GB


def test_pixel_limit_just_over_the_setting(tmp_path, tmp_path_factory):
    s = load_settings(cache_dir=tmp_path_factory.mktemp("c"), max_image_pixels=10_000)
    p = tmp_path / "x.png"
    Image.new("RGB", (101, 100)).save(p)
    assert codes(open_source(p, s).findings) == ["image-too-large"]
    Image.new("RGB", (100, 100)).save(p)
    assert open_source(p, s).readable


def test_byte_limit_names_size_and_limit(tmp_path, tmp_path_factory):
    s = load_settings(cache_dir=tmp_path_factory.mktemp("c"), max_file_bytes=1000)
    p = tmp_path / "big.png"
    p.write_bytes(png_with_size(10, 10) + b"\0" * 5000)
    src = open_source(p, s)
    assert codes(src.findings) == ["file-too-large"] and not src.readable
    f = src.findings[0]
    assert "MB" in f.message and "上限" in f.message_zh and f.value > 1000 and f.threshold == 1000


def test_pdf_page_limit(files, tmp_path_factory):
    s = load_settings(cache_dir=tmp_path_factory.mktemp("c"), max_pdf_pages=5)
    src = open_source(files["many.pdf"], s)
    assert codes(src.findings) == ["file-too-large"] and "6" in src.findings[0].message


@pytest.mark.parametrize("name", ["bomb.pdf", "nested-bomb.pdf"])
def test_embedded_image_bomb_is_refused_from_its_dictionary(files, settings, name):
    t0 = time.perf_counter()
    src = open_source(files[name], settings)
    assert codes(src.findings) == ["image-too-large"] and not src.readable
    assert src.findings[0].value == 1_600_000_000
    assert time.perf_counter() - t0 < 2


def test_huge_page_is_rastered_under_the_pixel_limit(files, settings):
    src = open_source(files["poster.pdf"], settings)
    page = render_page(src, 0, settings)
    assert page.image is not None and page.needs_ocr
    assert page.image.width * page.image.height <= settings.max_image_pixels
    assert page.page.dpi < 72


# ---------------------------------------------------------------------------------------- damage


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_images_are_corrupt(tmp_path, settings, fmt):
    buf = io.BytesIO()
    text_image().save(buf, format=fmt)
    p = tmp_path / f"cut.{fmt.lower()}"
    p.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    src = open_source(p, settings)
    assert codes(src.findings) == ["corrupt-file"] and not src.readable
    assert str(tmp_path) not in src.findings[0].message  # no server paths in user-facing text


def test_truncated_pdf_is_corrupt(files, tmp_path, settings):
    data = files["scan.pdf"].read_bytes()
    p = tmp_path / "cut.pdf"
    p.write_bytes(data[: len(data) // 2])
    assert codes(open_source(p, settings).findings) == ["corrupt-file"]


def test_pdf_with_header_only_is_corrupt(tmp_path, settings):
    p = tmp_path / "header.pdf"
    p.write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert codes(open_source(p, settings).findings) == ["corrupt-file"]


def test_render_never_raises_on_unreadable_source(tmp_path, settings):
    p = tmp_path / "x.pdf"
    p.write_bytes(b"%PDF-1.4\n%%EOF\n")
    src = open_source(p, settings)
    page = render_page(src, 0, settings)
    assert page.image is None and codes(page.findings) == ["corrupt-file"]


# ---------------------------------------------------------------------------------- encryption and active content


def test_pdf_needing_a_password_is_encrypted(files, settings):
    src = open_source(files["user-pw.pdf"], settings)
    assert codes(src.findings) == ["encrypted-pdf"] and not src.readable


def test_owner_password_only_pdf_is_read_and_marked_restricted(files, settings):
    src = open_source(files["owner-only.pdf"], settings)
    assert src.readable and src.findings == [] and src.restricted
    words = [w.text for w in render_page(src, 0, settings).page.words]
    assert ORDER in words


def test_open_action_javascript_is_active_content(files, settings):
    src = open_source(files["js.pdf"], settings)
    assert codes(src.findings) == ["active-content"] and src.readable
    assert "JavaScript" in src.findings[0].message and "JavaScript" in src.findings[0].message_zh
    assert "an action run on opening" in src.active_content


def test_embedded_file_is_active_content(files, settings):
    src = open_source(files["attached.pdf"], settings)
    assert codes(src.findings) == ["active-content"]
    assert "embedded files" in src.findings[0].message and "嵌入文件" in src.findings[0].message_zh


def test_launch_action_is_active_content(files, settings):
    src = open_source(files["launch.pdf"], settings)
    assert codes(src.findings) == ["active-content"] and "launch actions" in src.findings[0].message


def test_plain_pdf_has_no_active_content(files, settings):
    assert open_source(files["text.pdf"], settings).findings == []


# ------------------------------------------------------------------------------------------- PDF pages


def test_text_pdf_words_have_boxes_where_reportlab_drew_them(files, settings):
    src = open_source(files["text.pdf"], settings)
    page = render_page(src, 0, settings)
    assert page.page.text_source == "pdf-text" and not page.needs_ocr and page.image is None
    dpi = page.page.dpi
    assert (page.page.width, page.page.height) == (round(8.5 * dpi), round(11 * dpi))
    word = next(w for w in page.page.words if w.text == ORDER)
    from reportlab.pdfbase.pdfmetrics import stringWidth

    k = dpi / 72
    x0 = 72 + stringWidth("Order ID: ", "Helvetica", 14)
    x1 = 72 + stringWidth(f"Order ID: {ORDER}", "Helvetica", 14)
    baseline = 792 - 700
    assert abs(word.box[0] - x0 * k) <= 3 and abs(word.box[2] - x1 * k) <= 3
    assert word.box[1] < baseline * k < word.box[3]  # the glyphs sit on the baseline
    assert (baseline - 14) * k <= word.box[1] and word.box[3] <= (baseline + 5) * k
    # Words on the same visual line share a line id; the next line has another.
    by_text = {w.text: w.line for w in page.page.words}
    assert by_text["Order"] == by_text["ID:"] == by_text[ORDER] != by_text["Delivered"]


def test_rotated_and_cropped_page_boxes_match_what_is_drawn(files, settings):
    src = open_source(files["rotated-cropped.pdf"], settings)
    page = render_page(src, 0, settings)
    assert page.page.text_source == "pdf-text"
    assert (page.page.width, page.page.height) == (920, 1048)  # the 524 x 460 pt crop box, turned 90 degrees
    pdf = pdfium.PdfDocument(str(src.render_path or src.path))
    gray = np.asarray(pdf[0].render(scale=page.page.dpi / 72).to_pil().convert("L"))
    pdf.close()
    assert gray.shape == (page.page.height, page.page.width)
    for w in page.page.words:
        x0, y0, x1, y1 = w.box
        assert (gray[y0:y1, x0:x1] < 128).mean() > 0.05, w  # ink under every word box
    word = next(w for w in page.page.words if w.text == ORDER)
    assert word.box[3] - word.box[1] > word.box[2] - word.box[0]  # runs top to bottom once turned


def test_scanned_pdf_is_rastered_at_its_image_resolution(files, settings):
    src = open_source(files["scan.pdf"], settings)
    page = render_page(src, 0, settings)
    assert page.needs_ocr and page.page.text_source == "ocr" and page.image.mode == "RGB"
    assert page.page.dpi == 200  # 1200 px over 6 inches
    assert page.image.size == (1700, 2200)
    [img] = page.page.images
    assert img.dpi == pytest.approx(200, abs=1) and (img.pixel_width, img.pixel_height) == (1200, 400)
    # Drawn at x 72 pt, 400 pt above the bottom, 432 x 144 pt: top-left origin at 200 dpi.
    assert img.box == pytest.approx((200, (792 - 544) * 200 / 72, 1400, (792 - 400) * 200 / 72), abs=2)


def test_ocrd_scan_uses_its_text_layer_and_keeps_the_raster(tmp_path, settings):
    """A scan with an invisible OCR layer (OCRmyPDF output): words from the layer, pixels for the checks."""
    scan = tmp_path / "scan.png"
    text_image((1700, 2200), f"Order ID: {ORDER}", 40).save(scan)
    c = canvas.Canvas(str(tmp_path / "ocrd.pdf"), pagesize=letter)
    c.drawImage(str(scan), 0, 0, width=612, height=792)
    t = c.beginText(14.4, 792 - 14.4 - 12)
    t.setTextRenderMode(3)  # invisible
    t.setFont("Helvetica", 12)
    t.textLine(f"Order ID: {ORDER} delivered to the front door")
    c.drawText(t)
    c.save()
    page = render_page(open_source(tmp_path / "ocrd.pdf", settings), 0, settings)
    assert page.page.text_source == "pdf-text" and not page.needs_ocr
    assert page.image is not None and page.page.dpi == 200 and page.image.size == (1700, 2200)
    word = next(w for w in page.page.words if w.text == ORDER)
    assert word.box[2] <= page.page.width and word.box[1] < 100  # in raster pixels, near the top


def test_raster_dpi_is_capped(tmp_path, settings):
    im = text_image((3000, 1000))
    src_png = tmp_path / "fine.png"
    im.save(src_png)
    c = canvas.Canvas(str(tmp_path / "fine.pdf"), pagesize=letter)
    c.drawImage(str(src_png), 72, 400, width=360, height=120)  # 600 dpi
    c.save()
    page = render_page(open_source(tmp_path / "fine.pdf", settings), 0, settings)
    assert page.page.dpi == settings.raster_dpi_cap
    assert page.page.images[0].dpi == pytest.approx(600, abs=1)


# ----------------------------------------------------------------------------------------- images


def test_exif_orientation_is_applied(tmp_path, settings):
    im = Image.new("RGB", (200, 100), "white")
    im.paste((255, 0, 0), (0, 0, 20, 20))  # red mark at the stored top-left
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise
    p = tmp_path / "phone.jpg"
    im.save(p, format="JPEG", exif=exif, quality=95)
    page = render_page(open_source(p, settings), 0, settings)
    assert page.image.size == (100, 200)
    r, g, b = page.image.getpixel((90, 10))  # stored top-left ends at the displayed top-right
    assert r > 200 and g < 80


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "I;16", "CMYK", "1", "L"])
def test_every_mode_becomes_rgb_with_alpha_on_white(tmp_path, settings, mode):
    base = Image.new("RGBA", (60, 40), (0, 0, 0, 0))  # fully transparent
    base.paste((0, 0, 0, 255), (10, 10, 30, 30))  # opaque black square
    if mode in ("RGBA", "LA"):
        im = base.convert(mode)
    elif mode == "P":  # index 0 (red) is the transparent colour, index 1 black
        im = Image.new("P", base.size, 0)
        im.putpalette([255, 0, 0, 0, 0, 0])
        im.paste(1, (10, 10, 30, 30))
        im.info["transparency"] = 0
    elif mode == "I;16":
        gray16 = np.full((40, 60), 65535, dtype=np.uint16)
        gray16[10:30, 10:30] = 0
        im = Image.fromarray(gray16)
        assert im.mode == "I;16"
    else:
        im = base.convert("RGB").convert(mode)
    fmt = "JPEG" if mode == "CMYK" else "TIFF" if mode == "I;16" else "PNG"
    p = tmp_path / f"m.{fmt.lower()}"
    im.save(p, format=fmt, **({"transparency": im.info["transparency"]} if mode == "P" else {}))
    page = render_page(open_source(p, settings), 0, settings)
    assert page.image.mode == "RGB"
    inside = page.image.getpixel((20, 20))
    outside = page.image.getpixel((50, 35))
    assert max(inside) < 60
    if mode in ("RGBA", "LA", "P"):
        assert min(outside) > 200  # transparency shown on white, not black


def test_multipage_tiff_gives_a_page_per_frame_and_gif_only_its_first(tmp_path, settings):
    frames = [text_image(text="first"), text_image(text="second")]
    frames[0].save(tmp_path / "fax.tif", save_all=True, append_images=frames[1:])
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    tif = open_source(tmp_path / "fax.tif", settings)
    assert tif.page_count == 2
    a, b = (render_page(tif, i, settings).image for i in range(2))
    assert a.tobytes() != b.tobytes()
    assert open_source(tmp_path / "anim.gif", settings).page_count == 1


def test_image_dpi_comes_from_the_file_when_present(tmp_path, settings):
    text_image().save(tmp_path / "d.png", dpi=(144, 144))
    text_image().save(tmp_path / "n.png")
    assert render_page(open_source(tmp_path / "d.png", settings), 0, settings).page.dpi == pytest.approx(144, abs=0.1)
    assert render_page(open_source(tmp_path / "n.png", settings), 0, settings).page.dpi is None


def test_source_is_picklable(files, settings):
    import pickle

    src = open_source(files["text.pdf"], settings)
    assert pickle.loads(pickle.dumps(src)).sha256 == src.sha256 and len(src.sha256) == 64


# ---------------------------------------------------------------------------------------------- text normalisation


def _pdf_with_tounicode(tmp: Path) -> Path:
    """A text PDF whose font's ToUnicode map gives Kangxi radicals for 月 and 日 (what Chromium's "Save as PDF"
    writes with Noto CJK, whose glyph for 月 serves U+2F49 too) and a full-width colon."""
    pdf = pikepdf.new()
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def\n"
            b"1 begincodespacerange <00> <FF> endcodespacerange\n"
            b"2 beginbfrange <30> <39> <0030> <41> <5A> <0041> endbfrange\n"
            b"4 beginbfchar <80> <5E74> <81> <2F49> <82> <2F47> <83> <FF1A> endbfchar\n"
            b"endcmap CMapName currentdict /CMap defineresource pop end end\n")
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
                              ToUnicode=pdf.make_stream(cmap))
    content = b"BT /F1 14 Tf 72 700 Td (2026\x8011\x8118\x82) Tj 0 -30 Td (AT\x8312) Tj ET"
    page = pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792],
                                           Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                                           Contents=pdf.make_stream(content)))
    pdf.pages.append(page)
    path = tmp / "kangxi.pdf"
    pdf.save(path)
    return path


def test_pdf_words_are_nfkc_normalised(tmp_path, settings):
    import pdfplumber

    path = _pdf_with_tounicode(tmp_path)
    with pdfplumber.open(path) as doc:  # the raw text layer really holds the compatibility code points
        raw = " ".join(w["text"] for w in doc.pages[0].extract_words())
    assert "\u2f49" in raw and "\uff1a" in raw
    src = open_source(path, settings)
    words = [w.text for w in render_page(src, 0, settings).page.words]
    assert "2026年11月18日" in words and "AT:12" in words


# ------------------------------------------------------------------------------------ scanned pages as JPEG


W, H = 2550, 3300  # a letter page at 300 dpi (pdfium draws it 3301 rows high, resampled)


def _scan_pdf(path: Path, jpeg: bytes, content: bytes = b"", transparent: bool = False) -> Path:
    """A letter page as a scanner writes it: one JPEG (its bytes as they are, DCTDecode) filling the page, then
    `content` drawn over it; `transparent`: the image has a soft mask that hides all of it."""
    pdf = pikepdf.new()
    image = pikepdf.Stream(pdf, jpeg, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=W,
                           Height=H, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
                           Filter=pikepdf.Name.DCTDecode)
    if transparent:
        image.SMask = pikepdf.Stream(pdf, zlib.compress(bytes(W * H)), Type=pikepdf.Name.XObject,
                                     Subtype=pikepdf.Name.Image, Width=W, Height=H,
                                     ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8,
                                     Filter=pikepdf.Name.FlateDecode)
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792],
                              Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
                              Contents=pikepdf.Stream(pdf, b"q 612 0 0 792 0 0 cm /Im0 Do Q " + content))
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


@pytest.fixture(scope="module")
def scan_jpeg() -> bytes:
    """A letter page scanned at 300 dpi, as JPEG."""
    page = Image.new("RGB", (W, H), "white")
    ImageDraw.Draw(page).text((220, 300), f"Order {ORDER}", fill="black", font=ImageFont.truetype(FONT, 60))
    buf = io.BytesIO()
    page.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def test_a_page_that_is_one_jpeg_is_its_jpeg_pixel_for_pixel(tmp_path, settings, scan_jpeg):
    """No resampling: the raster the checks and OCR see is the scanner's JPEG as decoded from the file."""
    path = _scan_pdf(tmp_path / "scan.pdf", scan_jpeg)
    rendered = render_page(open_source(path, settings), 0, settings)
    expected = Image.open(io.BytesIO(scan_jpeg)).convert("RGB")
    assert rendered.image.size == (W, H) and rendered.page.dpi == 300
    assert np.array_equal(np.asarray(rendered.image), np.asarray(expected))
    assert rendered.needs_ocr


def test_a_jpeg_page_with_more_on_it_is_drawn(tmp_path, settings, scan_jpeg):
    """A mark drawn over the scan, or a soft mask on the image, must appear as the page shows it."""
    square = _scan_pdf(tmp_path / "square.pdf", scan_jpeg, b"q 0 0 0 rg 100 100 200 200 re f Q")
    grey = np.asarray(render_page(open_source(square, settings), 0, settings).image.convert("L"))
    k = 300 / 72  # points to pixels; PDF y grows upwards
    assert grey[H - int(280 * k):H - int(120 * k), int(120 * k):int(280 * k)].max() < 40

    masked = _scan_pdf(tmp_path / "masked.pdf", scan_jpeg, transparent=True)
    grey = np.asarray(render_page(open_source(masked, settings), 0, settings).image.convert("L"))
    assert grey.min() > 200  # fully transparent: white paper, no text
