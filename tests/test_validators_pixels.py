"""Resolution, blur and timestamp validators on real rendered files through real ingest and tesseract OCR.

Each defect is produced on a rendered screenshot and is absent on its clean original; the cases that trip naive
checks (mostly empty screenshots, dark mode, heavy JPEG, small sharp crops, a sharp label on a blurred photo)
must stay clean. Fixtures are drawn once per session with Pillow and OCR'd with an empty cache.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from evidence_svc.config import Settings, load_settings
from evidence_svc.ingest import open_source, render_page
from evidence_svc.model import Claim, Facts, Finding
from evidence_svc.ocr import read_line, read_words
from validators import VALIDATORS
from validators.base import CheckContext, FileInput, PageInput
from support import paths

ORDER = "112-1234567-1234567"
TRACKING = "1Z999AA10123456784"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(BOLD if bold else FONT, size)


# ---------------------------------------------------------------------------------------------- drawing


def screenshot(*, order: str | None = ORDER, dates: bool = True, dark: bool = False, size=(1000, 620),
               lines: int = 9, tracking: str | None = TRACKING) -> Image.Image:
    """A desktop screenshot of an order page: title bar, body text in 16 px, a taskbar clock bottom-right."""
    w, h = size
    bg, fg, muted = ((30, 31, 34), (230, 232, 235), (160, 165, 170)) if dark else ((255, 255, 255), (20, 20, 20),
                                                                                    (90, 95, 100))
    im = Image.new("RGB", size, bg)
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, w, 44), fill=(35, 47, 62))
    d.text((16, 10), "amazon seller central", font=font(20, True), fill=(255, 255, 255))
    body = [("Order Details", font(24, True), fg)]
    if order:
        body.append((f"Order # {order}", font(16), fg))
    if dates:
        body.append(("Delivered Tuesday, November 3, 2026 at 2:41 PM", font(16), fg))
    body += [("Your package was left near the front door or porch.", font(16), fg),
             ("Shipped with UPS Ground, signed by: DOE", font(16), muted)]
    if tracking:
        body.append((f"Tracking ID {tracking}", font(16), fg))
    body += [("Ship to: Jordan Miller, 1200 Main St, Austin TX 78701", font(16), fg),
             ("Item: USB-C Charging Cable 2m, 2-Pack   Qty: 2   $12.99", font(16), fg),
             ("Payment: Visa ending in 4417   Grand total: $27.98", font(16), fg)][: max(lines - len(body), 0)]
    y = 70
    for text, f, fill in body:
        d.text((40, y), text, font=f, fill=fill)
        y += 40 if f.size > 20 else 32
    d.rectangle((0, h - 40, w, h), fill=(20, 22, 30))
    d.rectangle((12, h - 30, 32, h - 10), fill=(0, 120, 215))  # start button: a solid block, not text
    if dates:
        d.text((w - 100, h - 37), "2:41 PM", font=font(14), fill=(255, 255, 255))
        d.text((w - 100, h - 19), "11/3/2026", font=font(13), fill=(255, 255, 255))
    return im


def phone(*, time_text: str = "9:41") -> Image.Image:
    """A phone screenshot: status-bar time top-left, a message thread below."""
    im = Image.new("RGB", (540, 960), (255, 255, 255))
    d = ImageDraw.Draw(im)
    d.text((40, 14), time_text, font=font(26, True), fill=(0, 0, 0))
    d.rectangle((450, 22, 500, 40), outline=(0, 0, 0), width=2)  # battery
    d.text((30, 90), "Messages", font=font(28, True), fill=(0, 0, 0))
    msgs = ["Buyer: I have not received my item.", "Seller: We refunded $23.45 today.",
            f"Order {ORDER}", "Buyer: Thank you, I will close", "the claim now."]
    for i, m in enumerate(msgs):
        d.text((30, 160 + 56 * i), m, font=font(22), fill=(20, 20, 20))
    return im


def label_photo() -> Image.Image:
    """A sharp shipping label on an out-of-focus, textured background (a phone photo of a parcel)."""
    rng = np.random.default_rng(3)
    bg = cv2.resize(rng.integers(40, 200, (30, 40, 3)).astype(np.uint8), (1000, 750), interpolation=cv2.INTER_CUBIC)
    im = Image.fromarray(cv2.GaussianBlur(bg, (0, 0), 9))
    lab = Image.new("RGB", (460, 300), (250, 250, 245))
    d = ImageDraw.Draw(lab)
    rows = [("UPS GROUND", 28), ("SHIP TO: JORDAN MILLER", 20), ("1200 MAIN ST", 20), ("AUSTIN TX 78701", 20),
            (f"TRACKING # {TRACKING}", 18), ("SHIP DATE: 11/02/2026", 18)]
    for i, (t, s) in enumerate(rows):
        d.text((18, 14 + i * 46), t, font=font(s, i == 0), fill=(0, 0, 0))
    im.paste(lab, (270, 220))
    return im


def screen_photo(im: Image.Image) -> Image.Image:
    """A phone photo of a monitor showing the page: perspective, moire, defocus, sensor noise."""
    rng = np.random.default_rng(5)
    a = np.asarray(im).astype(np.float32)
    h, w = a.shape[:2]
    dst = np.float32([[w * 0.05, h * 0.07], [w * 0.96, h * 0.03], [w * 0.93, h * 0.96], [w * 0.03, h * 0.9]])
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), dst)
    a = cv2.warpPerspective(a, m, (w, h), borderValue=(50, 50, 50))
    yy, xx = np.mgrid[0:h, 0:w]
    a = a * 0.85 + 20 + 10 * np.sin(xx * 0.9 + yy * 0.35)[..., None]
    a = cv2.GaussianBlur(a, (0, 0), 2.0) + rng.normal(0, 5, a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def browser(zoom: float) -> Image.Image:
    """A 1366x768 desktop browser window at a page zoom: the tabs, address bar and taskbar keep their size (13 px
    UI text), the page's 16 px text is drawn at `zoom`."""
    w, h = 1366, 768
    im = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, w, 38), fill=(222, 225, 230))
    d.rectangle((12, 6, 272, 38), fill=(255, 255, 255))
    d.text((28, 14), "Order details - Seller Central", font=font(12), fill=(30, 30, 30))
    d.text((300, 14), "Inbox (3) - Mail", font=font(12), fill=(30, 30, 30))
    d.rectangle((110, 45, w - 110, 75), fill=(241, 243, 244))
    d.text((132, 52), "https://sellercentral.amazon.com/orders-v3/order/" + ORDER, font=font(13), fill=(30, 30, 30))
    marks = ["Seller Central", "Orders", "Inventory", "Payments", "Reports", "Messages", "UPS Tracking",
             "USPS Tracking", "DHL Express", "Help Center", "News", "Calendar"]
    x = 16
    for m in marks:  # a bookmarks bar: browser chrome whose letters outnumber a zoomed-out page's
        d.text((x, 88), m, font=font(13), fill=(40, 40, 40))
        x += round(d.textlength(m, font=font(13))) + 22
    d.line((0, 110, w, 110), fill=(200, 200, 200))
    z = lambda v: round(v * zoom)  # noqa: E731
    body = [f"Order ID: {ORDER}", "Purchase date October 28, 2026", "Ship by October 30, 2026",
            "Deliver by November 4, 2026", "Shipping service Standard", "Buyer name Jennifer Miller",
            "Stainless Steel Insulated Water Bottle, 32 oz   Qty 2   $24.98",
            f"Shipped with UPS, tracking number {TRACKING}", "Delivered on November 3, 2026 at 2:41 PM",
            "Ship to: Jordan Miller, 1200 Main St, Austin TX 78701", "Grand total: $27.98"]
    y = 124
    for t in body:
        d.text((40, y), t, font=font(z(16)), fill=(20, 20, 20))
        y += z(30)
    d.rectangle((0, h - 40, w, h), fill=(32, 32, 36))
    for i in range(5):
        d.rectangle((20 + i * 46, h - 32, 44 + i * 46, h - 8), fill=(0, 120, 215) if i == 0 else (240, 160, 20))
    d.text((w - 90, h - 37), "2:41 PM", font=font(12), fill=(245, 245, 245))
    d.text((w - 90, h - 19), "11/3/2026", font=font(12), fill=(245, 245, 245))
    return im


def japanese_page(size: int) -> Image.Image:
    """A Japanese order page in Noto Sans CJK at `size` px."""
    im = Image.new("RGB", (720, 420), (255, 255, 255))
    d = ImageDraw.Draw(im)
    f = ImageFont.truetype(CJK, size, index=0)
    lines = ["注文内容", f"注文番号 {ORDER}", "注文日 2026年10月28日", "配達済み 2026年11月3日 14:41",
             "お届け先 東京都渋谷区神南1-2-3", "配送業者 日本郵便 追跡番号 EJ300797530JP", "商品の小計 ¥1,980",
             "返金処理が完了しました", "ご不明な点はお問い合わせください"]
    y = 16
    for t in lines:
        d.text((20, y), t, font=f, fill=(20, 20, 20))
        y += round(size * 1.9)
    return im


def phone3x() -> Image.Image:
    """The top of a 3x phone screenshot: a message thread in 48 px text (16 pt at 3x)."""
    im = Image.new("RGB", (1170, 1300), (255, 255, 255))
    d = ImageDraw.Draw(im)
    d.text((120, 40), "9:41", font=font(50, True), fill=(0, 0, 0))
    d.text((60, 200), "Messages", font=font(84, True), fill=(0, 0, 0))
    msgs = ["Buyer: I have not received", "my item yet. Where is it?", "Seller: We refunded $23.45",
            "today, November 3, 2026.", f"Order {ORDER}", "Buyer: Thank you, I will", "close the claim now."]
    for i, m in enumerate(msgs):
        d.text((60, 380 + 120 * i), m, font=font(48), fill=(20, 20, 20))
    return im


def history(rows: int = 5) -> Image.Image:
    """A carrier's tracking history: a date column, a location, a status, one event a row."""
    im = Image.new("RGB", (1000, 60 + 40 * rows), (255, 255, 255))
    d = ImageDraw.Draw(im)
    d.text((40, 16), "Date                      Location               Details", font=font(15, True),
           fill=(80, 80, 80))
    events = ["Delivered", "Out for Delivery", "Arrived at Facility", "Departed Facility", "Origin Scan",
              "Label Created"]
    for i in range(rows):
        y = 56 + 40 * i
        d.text((40, y), f"11/0{8 - i}/2026 {i + 2}:4{i} PM", font=font(16), fill=(20, 20, 20))
        d.text((300, y), "AUSTIN, TX, US", font=font(16), fill=(20, 20, 20))
        d.text((560, y), events[i % len(events)], font=font(16), fill=(20, 20, 20))
    return im


def receipt() -> Image.Image:
    """A refund receipt with its date at the top right."""
    im = Image.new("RGB", (900, 400), (255, 255, 255))
    d = ImageDraw.Draw(im)
    d.text((40, 30), "Refund receipt", font=font(24, True), fill=(20, 20, 20))
    d.text((700, 36), "11/03/2026", font=font(18), fill=(20, 20, 20))
    for i, t in enumerate([f"Order # {ORDER}", "Refund amount: $23.45", "Refunded to: Visa ending in 4417",
                           "Reason: item not received"]):
        d.text((40, 110 + 40 * i), t, font=font(16), fill=(20, 20, 20))
    return im


def totals() -> Image.Image:
    """The bottom of an order page: a grey totals band with right-aligned amounts (no taskbar)."""
    im = Image.new("RGB", (1000, 420), (255, 255, 255))
    d = ImageDraw.Draw(im)
    for i, t in enumerate(["Stainless Steel Insulated Water Bottle, 32 oz", "Silicone Baking Mat Set",
                           "USB-C Charging Cable 2m, 2-Pack"]):
        d.text((40, 40 + 50 * i), t, font=font(16), fill=(20, 20, 20))
        d.text((880, 40 + 50 * i), f"${12 + i}.99", font=font(16), fill=(20, 20, 20))
    d.rectangle((0, 300, 1000, 420), fill=(244, 245, 247))
    for i, (a, b) in enumerate([("Item subtotal", "$24.98"), ("Shipping total", "$4.99"), ("Grand total", "$29.97")]):
        d.text((720, 316 + 32 * i), a, font=font(15), fill=(20, 20, 20))
        d.text((900, 316 + 32 * i), b, font=font(15), fill=(20, 20, 20))
    return im


def gaussian(im: Image.Image, sigma: float) -> Image.Image:
    return im.filter(ImageFilter.GaussianBlur(sigma))


def motion(im: Image.Image, length: int) -> Image.Image:
    k = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1.0 / length
    return Image.fromarray(cv2.filter2D(np.asarray(im), -1, k, borderType=cv2.BORDER_REPLICATE))


def jpeg(im: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def scaled(im: Image.Image, f: float) -> Image.Image:
    return im.resize((round(im.width * f), round(im.height * f)), Image.Resampling.BOX)


def pdf_with_image(im: Image.Image, dpi: float) -> bytes:
    """A one-page PDF showing `im` at `dpi` (a screenshot pasted into a document and scaled up)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    w_pt, h_pt = im.width * 72.0 / dpi, im.height * 72.0 / dpi
    c = canvas.Canvas(buf, pagesize=(w_pt + 72, h_pt + 72))
    c.drawImage(ImageReader(im), 36, 36, width=w_pt, height=h_pt)
    c.showPage()
    c.save()
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------- checking


@dataclass
class Checked:
    findings: list[Finding]
    file: FileInput

    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    def get(self, code: str) -> Finding:
        return next(f for f in self.findings if f.code == code)


def check(path: Path, settings: Settings, claim: Claim | None = None,
          earlier: list[FileInput] | None = None) -> Checked:
    """Ingest -> OCR -> every validator's check_page and check_file, as the pipeline runs them."""
    claim = claim or Claim(order_id=ORDER, tracking=[TRACKING])
    src = open_source(path, settings)
    assert src.readable, src.findings
    ctx = CheckContext(claim=claim, settings=settings, read_line=read_line)
    findings: list[Finding] = []
    pages = []
    for i in range(src.page_count):
        rp = render_page(src, i, settings)
        if rp.needs_ocr:
            rp.page.words = read_words(rp.image, settings.ocr_langs_for(claim.marketplace), settings).words
        gray = np.asarray(rp.image.convert("L")) if rp.image is not None else None
        for v in VALIDATORS:
            findings += v.check_page(PageInput(rp.page, gray, src.kind or "image", src.name), ctx)
        pages.append(rp.page)
    fi = FileInput(name=src.name, sha256=src.sha256, media_type=src.media_type, bytes=src.bytes, pages=pages,
                   facts=Facts(), source=src.kind or "image", findings=list(findings))
    fctx = CheckContext(claim=claim, settings=settings, earlier_files=earlier or [])
    for v in VALIDATORS:
        findings += v.check_file(fi, fctx)
    return Checked(findings, fi)


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    return load_settings(cache_dir=tmp_path_factory.mktemp("ocr-cache"), workers=1)


@pytest.fixture(scope="session")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("pixels")
    clean = screenshot()
    out: dict[str, Path] = {}

    def save(name: str, im: Image.Image | bytes, ext: str = "png") -> None:
        p = d / f"{name}.{ext}"
        if isinstance(im, bytes):
            p.write_bytes(im)
        else:
            im.save(p)
        out[name] = p

    save("clean", clean)
    save("gaussian", gaussian(clean, 2.6))
    save("motion", motion(clean, 15))
    save("screen_photo", jpeg(screen_photo(screenshot(size=(1000, 620))), 85), "jpg")
    save("shrunk", scaled(clean, 0.36))
    save("jpeg_heavy", jpeg(clean, 12), "jpg")
    save("dark", screenshot(dark=True))
    save("empty", screenshot(size=(1800, 1100), lines=3))
    save("small_crop", clean.crop((30, 100, 560, 200)))
    save("label_photo", label_photo(), "jpg")
    h = clean.height
    save("clock_cut_bottom", clean.crop((0, 0, clean.width, h - 28)))  # through the "2:41 PM" line
    save("phone", phone())
    save("phone_cut_top", phone().crop((0, 27, 540, 960)))  # through the status-bar time
    save("no_dates", screenshot(dates=False))
    save("other_order", screenshot(order="113-9876543-7654321"))
    save("no_ids", screenshot(order=None, tracking=None))
    save("tracking_only", screenshot(order=None))
    save("phone_title_cut", phone().crop((0, 104, 540, 960)))  # through the "Messages" title, no status bar
    save("region_cut", clean.crop((0, 0, clean.width, 214)))  # a region capture ending mid-line (no date in it)
    save("totals_cut", totals().crop((0, 0, 1000, 356)))  # through "Shipping total $4.99" in a grey band
    save("history_cut", history().crop((0, 0, 1000, 56 + 40 * 4 + 7)))  # through the fifth row's date
    save("receipt_cut_right", receipt().crop((0, 0, 772, 400)))  # through the "2026" of "11/03/2026"
    save("zoom40", browser(0.4))
    save("zoom67", browser(0.67))
    save("shrunk62", scaled(clean, 0.62))  # 10 px text: small but readable at 100 %
    save("ja_small", japanese_page(8))
    save("ja_ok", japanese_page(14))
    save("phone3x_soft", gaussian(phone3x(), 2.5))  # 0.8 px at 1x: soft, readable
    save("phone3x_blurry", gaussian(phone3x(), 6.0))  # 2 px at 1x
    save("pdf_72dpi", pdf_with_image(clean, 72), "pdf")
    save("pdf_200dpi", pdf_with_image(screenshot(size=(2000, 1240)), 200), "pdf")
    return out


JP_CLAIM = Claim(order_id=ORDER, marketplace="JP")


@pytest.fixture(scope="session")
def results(files, settings) -> dict[str, Checked]:
    return {name: check(p, settings, claim=JP_CLAIM if name.startswith("ja_") else None)
            for name, p in files.items()}


# ---------------------------------------------------------------------------------------------- the clean original

READABILITY = {"blurry", "low-resolution"}


def test_clean_screenshot_has_no_findings(results) -> None:
    assert results["clean"].codes() == set()


@pytest.mark.parametrize("name", ["jpeg_heavy", "dark", "empty", "small_crop", "label_photo", "phone", "pdf_200dpi"])
def test_readable_files_are_not_called_blurry_or_low_resolution(results, name) -> None:
    assert not results[name].codes() & READABILITY, results[name].findings


# ---------------------------------------------------------------------------------------------- blur


@pytest.mark.parametrize("name", ["gaussian", "motion", "screen_photo"])
def test_blur_flags_blurred_screenshot_with_sharpness_and_threshold(results, settings, name) -> None:
    f = results[name].get("blurry")
    assert f.severity == "error"
    assert isinstance(f.value, (int, float)) and f.value < settings.blur_min_sharpness
    assert f.threshold in (settings.blur_min_sharpness, settings.blur_min_content_sharpness)
    assert f.page == 0
    assert f"sharpness {f.value:g}" in f.message and "模糊" in f.message_zh
    assert "low-resolution" not in results[name].codes()  # one cause, one finding


def test_blur_tolerance_grows_with_text_size_on_a_3x_phone_screenshot(results, settings) -> None:
    """A 2.5 px blur on 48 px text is a 0.8 px blur at 1x: soft but readable; 6 px (2 px at 1x) is blurry."""
    assert "blurry" not in results["phone3x_soft"].codes(), results["phone3x_soft"].findings
    f = results["phone3x_blurry"].get("blurry")
    assert f.value < settings.blur_min_sharpness


# ---------------------------------------------------------------------------------------------- resolution


def test_resolution_flags_shrunk_screenshot_by_text_size(results, settings) -> None:
    f = results["shrunk"].get("low-resolution")
    assert f.value < settings.min_text_height_px and f.threshold == settings.min_text_height_px
    assert "too small to read" in f.message and "像素" in f.message_zh
    assert "blurry" not in results["shrunk"].codes()  # small sharp text is not blur


def test_browser_zoom_is_judged_on_the_page_not_the_browser_chrome(results, settings) -> None:
    """At 40 % zoom the page's letters are 4-5 px while the tabs, address bar and taskbar keep 13 px letters;
    at 67 % the page reads fine at 100 %."""
    f = results["zoom40"].get("low-resolution")
    assert f.value < settings.min_glyph_height_px
    assert "low-resolution" not in results["zoom67"].codes(), results["zoom67"].findings
    assert "low-resolution" not in results["shrunk62"].codes(), results["shrunk62"].findings


def test_small_japanese_text_is_low_resolution_on_a_japanese_marketplace(results, settings) -> None:
    f = results["ja_small"].get("low-resolution")
    assert f.threshold == settings.min_cjk_text_height_px
    assert not results["ja_ok"].codes() & READABILITY, results["ja_ok"].findings


def test_resolution_flags_pdf_image_below_150_dpi(results) -> None:
    f = results["pdf_72dpi"].get("low-resolution")
    assert f.value == 72 and f.threshold == 150 and f.page == 0 and f.box is not None
    assert f.message == "the image on page 1 is 72 dpi (needs 150)"
    assert f.message_zh == "第 1 页的图片只有 72 dpi（至少需要 150 dpi）"


# ---------------------------------------------------------------------------------------------- timestamps


def test_timestamp_cropped_taskbar_clock_at_bottom_edge(results) -> None:
    f = results["clock_cut_bottom"].get("timestamp-cropped")
    assert "bottom edge" in f.message and "下边缘" in f.message_zh
    assert f.box is not None and f.box[3] >= results["clock_cut_bottom"].file.pages[0].height - 3


def test_timestamp_cropped_phone_status_bar_time_at_top_edge(results) -> None:
    f = results["phone_cut_top"].get("timestamp-cropped")
    assert "top edge" in f.message


def test_timestamp_cropped_dated_row_of_a_tracking_history(results) -> None:
    """The bottom edge cuts the next row of a column of dates: only the top of its glyphs is left."""
    f = results["history_cut"].get("timestamp-cropped")
    assert "bottom edge" in f.message and f.box is not None and f.box[0] < 100


def test_timestamp_cropped_date_cut_at_the_side(results) -> None:
    f = results["receipt_cut_right"].get("timestamp-cropped")
    assert "right edge" in f.message and f.box is not None


def test_a_strip_is_read_again_on_its_own(settings) -> None:
    """`ocr.read_line`, which the timestamp check uses on strips cut by an edge: one line, optionally limited to
    digits and date separators."""
    from evidence_svc.ocr import read_line

    im = Image.new("L", (420, 90), 255)
    ImageDraw.Draw(im).text((20, 20), "Date 11/03/2026", font=font(40), fill=0)
    assert "11/03/2026" in read_line(im, "eng", settings)
    forced = read_line(im, "eng", settings, allow="0123456789/")
    assert "11/03/2026" in forced and not any(c.isalpha() for c in forced)
    assert read_line(Image.new("L", (1, 1), 255), "eng", settings) == ""


@pytest.mark.parametrize("name", ["phone_title_cut", "region_cut", "totals_cut"])
def test_lines_cut_by_the_edge_without_a_date_are_not_cropped_timestamps(results, name) -> None:
    """Screenshots often end mid-line: a cut app title in a phone's top corner, a sentence, a totals row in a grey
    band at the bottom right are not clocks."""
    assert "timestamp-cropped" not in results[name].codes(), results[name].findings


def test_uncut_clocks_and_window_chrome_are_not_cropped(results) -> None:
    for name in ("clean", "phone", "dark", "empty", "small_crop", "label_photo", "jpeg_heavy"):
        assert "timestamp-cropped" not in results[name].codes(), name


def test_timestamp_missing_when_no_date_or_time_anywhere(results) -> None:
    f = results["no_dates"].get("timestamp-missing")
    assert f.severity == "warning"
    assert "timestamp-missing" not in results["clean"].codes()
    assert "timestamp-missing" not in results["phone"].codes()  # a bare clock time counts


# ---------------------------------------------------------------------------------------------- orders


def test_order_mismatch_names_the_other_order(results) -> None:
    f = results["other_order"].get("order-mismatch")
    assert f.value == "113-9876543-7654321" and f.threshold == ORDER and f.box is not None
    assert "order-missing" not in results["other_order"].codes()


def test_order_missing_only_without_order_id_and_tracking(results) -> None:
    assert results["no_ids"].get("order-missing").severity == "warning"
    assert "order-missing" not in results["tracking_only"].codes()  # the claim's tracking number is shown
    assert not {"order-missing", "order-mismatch"} & results["clean"].codes()


def test_duplicate_by_hash_and_by_look(files, settings, results) -> None:
    from validators.file_rules import image_phash

    clean = results["clean"].file
    clean.phash = image_phash(Image.open(files["clean"]))
    again = check(files["clean"], settings, earlier=[clean])
    f = again.get("duplicate-file")
    assert f.value == "clean.png"
    # the same screenshot re-encoded as JPEG: another sha256, the same picture and text
    copy = results["jpeg_heavy"].file
    copy.phash = image_phash(Image.open(files["jpeg_heavy"]))
    from validators.file_rules import FileRules

    ctx = CheckContext(claim=Claim(order_id=ORDER), settings=settings, earlier_files=[clean])
    assert [f.value for f in FileRules().check_file(copy, ctx)] == ["clean.png"]
    # a different page of the same layout is not a duplicate
    other = results["other_order"].file
    other.phash = image_phash(Image.open(files["other_order"]))
    assert FileRules().check_file(other, ctx) == []


CORPUS = paths.CORPUS
REAL_IMAGES = ["ocrmypdf/linn.png", "ocrmypdf/crom.png", "ocrmypdf/baiona_colormapped.png",
               "paperless/simple-no-dpi.png", "paperless/no-text-alpha.png"]


@pytest.mark.parametrize("rel", REAL_IMAGES)
def test_real_images_from_other_projects_are_not_called_unreadable(settings, rel) -> None:
    """A scanned letter, a small one-line crop, a map, a tiny text snippet, a drawing: all readable as they are."""
    assert not check(CORPUS / rel, settings).codes() & READABILITY


@pytest.mark.parametrize("shape,fill", [((1, 1), 0), ((3, 500), 255), ((400, 2), 0), ((64, 64), None),
                                        ((300, 300), 128)])
def test_degenerate_rasters_never_raise(settings, shape, fill) -> None:
    from evidence_svc.model import Page, Word

    rng = np.random.default_rng(0)
    gray = rng.integers(0, 255, shape, dtype=np.uint8) if fill is None else np.full(shape, fill, np.uint8)
    words = [Word(text="12:30", box=(0, 0, shape[1], shape[0]), conf=90, line=0)]
    page = Page(index=0, width=shape[1], height=shape[0], words=words)
    ctx = CheckContext(claim=Claim(order_id=ORDER), settings=settings, read_line=read_line)
    for v in VALIDATORS:
        found = v.check_page(PageInput(page, gray, "image", "x.png"), ctx)
        assert all(isinstance(f, Finding) for f in found)
    text_page = Page(index=0, width=100, height=100, text_source="pdf-text")
    for v in VALIDATORS:
        assert v.check_page(PageInput(text_page, None, "pdf", "x.pdf"), ctx) == []
