"""The validators on the defects real evidence showed (issue 12), through the whole pipeline with real tesseract.

Each picture is drawn to look like the real file it stands for - a receipt photographed on a table and saved as
JPEG, a phone screenshot with a dark status bar, a carrier page blurred under a sharp screenshot tool's overlay, a
faded thermal receipt - and then cut, blurred or shrunk the way the real one was:
- a dated line cut by the edge is `timestamp-cropped`, never "no date at all", and money or plain text at an edge
  is not;
- blur is judged where the facts are: a sharp overlay does not hide a blurred page, and faint print is not blur;
- a white-on-dark status-bar clock counts as the file's time;
- a duplicate never hides another finding.
"""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from evidence_svc import pipeline
from evidence_svc.config import Settings, load_settings
from evidence_svc.model import Claim, FileReport

ORDER = "112-7654321-7654321"
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"


def font(size: int, path: str = SANS) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def jpeg(im: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def paper(size: tuple[int, int], tone: int = 238, seed: int = 1) -> Image.Image:
    """Slightly uneven, noisy paper as a phone camera sees it."""
    rng = np.random.default_rng(seed)
    w, h = size
    light = cv2.resize(rng.normal(0, 6, (6, 4)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    a = tone + light + rng.normal(0, 3, (h, w))
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).convert("RGB")


RECEIPT_LINES = ["KEDAI BUKU & ALAT TULIS", "NO. 12, JALAN PUDU, 50490", "KUALA LUMPUR", "T: 03-2093 7358",
                 "(GST REG NO 000243941376)", "Qty   Item               RM", "1  Plastic Lamination A4   2.00",
                 "2  A4 Simili 80gsm        4.24", "1  Envelope brown C4      1.20", "Total inclusive GST:   7.44",
                 "Cash                   10.00", "Change                  2.56"]


def receipt(lines: list[str], size=(640, 760), ink: int = 25, seed: int = 1) -> Image.Image:
    im = paper(size, seed=seed)
    d = ImageDraw.Draw(im)
    for i, t in enumerate(lines):
        d.text((40, 30 + 44 * i), t, font=font(24, MONO), fill=(ink, ink, ink + 10))
    return im


def phone_screen(*, dark_bar: bool, clock: str | None, rows: list[str]) -> Image.Image:
    """A 1080x2340 phone screenshot: status bar (clock top-left, icons top-right), app bar, list rows."""
    w, h = 1080, 2340
    im = Image.new("RGB", (w, h), (250, 250, 250))
    d = ImageDraw.Draw(im)
    bar_bg, bar_fg = ((24, 26, 31), (255, 255, 255)) if dark_bar else ((250, 250, 250), (20, 20, 20))
    d.rectangle((0, 0, w, 96), fill=bar_bg)
    if clock:  # status-bar size: the page pass of tesseract does not read it
        d.text((48, 30), clock, font=font(30), fill=bar_fg)
    for i in range(4):  # signal bars and a battery: icons, not text
        d.rectangle((860 + 16 * i, 66 - 10 * i, 870 + 16 * i, 72), fill=bar_fg)
    d.rectangle((960, 36, 1024, 68), outline=bar_fg, width=4)
    d.rectangle((0, 96, w, 260), fill=(32, 33, 36) if dark_bar else (240, 240, 244))
    d.text((60, 150), "Parcels", font=font(56, BOLD), fill=(255, 255, 255) if dark_bar else (20, 20, 20))
    for i, t in enumerate(rows):
        y = 320 + 170 * i
        d.rounded_rectangle((40, y, w - 40, y + 140), radius=24, fill=(255, 255, 255), outline=(220, 220, 224))
        d.text((90, y + 40), t, font=font(44), fill=(30, 30, 30))
    return im


def tracking_page(size=(1200, 900)) -> Image.Image:
    """A carrier's tracking history: status, place and a date for each scan, in a repeating block."""
    im = Image.new("RGB", size, (255, 255, 255))
    d = ImageDraw.Draw(im)
    d.text((60, 30), "Shipment 1Z999AA10123456784", font=font(30, BOLD), fill=(30, 30, 30))
    scans = [("Delivered", "AUSTIN, TX, US", "11/03/2026 2:41 PM"), ("Out for delivery", "AUSTIN, TX, US",
             "11/03/2026 8:02 AM"), ("Arrived at facility", "DALLAS, TX, US", "11/02/2026 9:15 PM"),
             ("Departed facility", "MEMPHIS, TN, US", "11/01/2026 6:40 AM"), ("Label created", "MEMPHIS, TN, US",
             "10/31/2026 4:05 PM")]
    for i, (status, place, when) in enumerate(scans):
        y = 110 + 150 * i
        d.ellipse((60, y + 8, 84, y + 32), fill=(0, 120, 215))
        d.text((120, y), status, font=font(28, BOLD), fill=(30, 30, 30))
        d.text((120, y + 42), place, font=font(24), fill=(90, 90, 90))
        d.text((120, y + 80), when, font=font(24), fill=(90, 90, 90))
    return im


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return load_settings(cache_dir=tmp_path_factory.mktemp("ocr-cache"), workers=1)


def check(tmp: Path, settings: Settings, *files: tuple[str, bytes], market: str = "US") -> list[FileReport]:
    paths = []
    for name, data in files:
        p = tmp / name
        p.write_bytes(data)
        paths.append(p)
    claim = Claim(order_id=ORDER, marketplace=market)
    return pipeline.check_claim(claim, paths, settings).files


def codes(report: FileReport) -> set[str]:
    return {f.code for f in report.findings}


# ------------------------------------------------------------------------------------------------ cropped


def test_receipt_photo_cut_through_its_dated_line_is_cropped_not_missing(tmp_path, settings) -> None:
    """The only date, "12/03/18" at the end of the invoice line, is cut in half by the bottom edge: the file
    shows a date, cut - `timestamp-cropped`, not `timestamp-missing`."""
    im = receipt(RECEIPT_LINES[:6] + ["Tax Invoice : BAT0220180312      12/03/18"], size=(640, 700))
    y_line = 30 + 44 * 6
    im = im.crop((0, 0, im.width, y_line + 16))  # through the dated line: the upper half of its glyphs is left
    rep = check(tmp_path, settings, ("receipt_cut.jpg", jpeg(im, 90)))[0]
    assert "timestamp-cropped" in codes(rep), rep.findings
    assert "timestamp-missing" not in codes(rep)


def test_tracking_history_cut_through_its_next_date_row_is_cropped(tmp_path, settings) -> None:
    """Each scan is a block (status, place, date); the edge cuts the fifth block's date row in half."""
    im = tracking_page()
    im = im.crop((0, 0, im.width, 110 + 150 * 4 + 80 + 14))
    rep = check(tmp_path, settings, ("history_cut.png", png(im)))[0]
    assert "timestamp-cropped" in codes(rep), rep.findings


def test_dated_line_running_past_the_right_edge_is_cropped(tmp_path, settings) -> None:
    """A label line "Printed on: 14/06/25 21:44" cut after the date, through the time: the cut word starts the
    time right after the date."""
    im = paper((900, 420), seed=4)
    d = ImageDraw.Draw(im)
    d.text((40, 40), "RETURN SHIPMENT", font=font(34, BOLD), fill=(20, 20, 20))
    d.text((40, 120), "AWB: M00968628436", font=font(28), fill=(20, 20, 20))
    d.text((40, 200), "Seller: Acme Gadgets Pvt Ltd", font=font(28), fill=(20, 20, 20))
    d.text((500, 330), "Printed on: 14/06/25 21:44", font=font(28), fill=(20, 20, 20))
    cut_at = 500 + round(d.textlength("Printed on: 14/06/25 2", font=font(28))) - 6
    rep = check(tmp_path, settings, ("label_cut.jpg", jpeg(im.crop((0, 0, cut_at, im.height)), 90)))[0]
    assert "timestamp-cropped" in codes(rep), rep.findings


def test_amount_at_the_edge_of_a_receipt_photo_is_not_a_cut_timestamp(tmp_path, settings) -> None:
    """A receipt photographed on a table, cropped tight: its totals column ("0.00", "7.44") touches the right
    edge near the bottom corner, where camera date stamps live. Money is not a date."""
    lines = RECEIPT_LINES[:5] + ["Date: 27/03/2018 16:54"] + RECEIPT_LINES[5:] + ["Rounding            0.00"]
    im = receipt(lines, size=(640, 860), seed=7)
    right = 40 + round(ImageDraw.Draw(im).textlength("Rounding            0.0", font=font(24, MONO))) + 4
    rep = check(tmp_path, settings, ("receipt_tight.jpg", jpeg(im.crop((0, 0, right, im.height)), 88)))[0]
    assert "timestamp-cropped" not in codes(rep), rep.findings


def test_plain_text_cut_at_the_bottom_is_not_a_cut_timestamp(tmp_path, settings) -> None:
    im = receipt(RECEIPT_LINES[:5] + ["Date: 27/03/2018 16:54", "THANK YOU PLEASE COME AGAIN"], size=(640, 700))
    im = im.crop((0, 0, im.width, 30 + 44 * 6 + 12))
    rep = check(tmp_path, settings, ("receipt_text_cut.jpg", jpeg(im, 90)))[0]
    assert "timestamp-cropped" not in codes(rep), rep.findings


# ------------------------------------------------------------------------------------------------ blur


def test_blurred_page_under_a_sharp_overlay_is_blurry(tmp_path, settings) -> None:
    """A screenshot tool's sharp header, button and arrow drawn over a blurred carrier page: the dates and the
    tracking number (the facts) are blurred, the overlay's words are not."""
    page = tracking_page((1200, 900))
    a = cv2.GaussianBlur(np.asarray(page), (0, 0), 2.4)
    im = Image.fromarray(a)
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, 1200, 70), fill=(255, 255, 255))
    d.text((24, 14), "Back to shipment list", font=font(32), fill=(20, 20, 20))
    d.text((820, 20), "Open map view", font=font(26), fill=(40, 40, 40))
    d.rectangle((1010, 420, 1170, 500), fill=(50, 50, 50))
    d.text((1030, 440), "Capture", font=font(28), fill=(255, 255, 255))
    d.line((860, 300, 1000, 420), fill=(230, 30, 30), width=9)
    for i, t in enumerate(["Send a parcel", "Track", "Help center"]):
        d.text((1010, 560 + 60 * i), t, font=font(24), fill=(40, 40, 40))
    rep = check(tmp_path, settings, ("blur_overlay.png", png(im)))[0]
    assert "blurry" in codes(rep), rep.findings


def test_faded_thermal_receipt_is_not_blurry(tmp_path, settings) -> None:
    """Faint purple-grey thermal print on off-white paper, photographed and saved as JPEG: low contrast, legible."""
    lines = RECEIPT_LINES[:5] + ["27 March, 2018  16:54:04"] + RECEIPT_LINES[5:]
    im = receipt(lines, size=(640, 820), ink=135, seed=9)
    a = np.asarray(im).astype(np.float32)
    a[..., 0] += 12  # a purple cast
    im = Image.fromarray(np.clip(cv2.GaussianBlur(a, (0, 0), 0.7), 0, 255).astype(np.uint8))
    rep = check(tmp_path, settings, ("faded.jpg", jpeg(im, 80)))[0]
    assert "blurry" not in codes(rep), rep.findings


# ------------------------------------------------------------------------------------------------ clocks


def test_white_on_dark_status_bar_clock_is_the_files_time(tmp_path, settings) -> None:
    """A tracking app's list (no dates in it) with a white "3:00" on a dark status bar: not timestamp-missing."""
    im = phone_screen(dark_bar=True, clock="3:00", rows=["Phone case", "Keyring tracker", "Game merch"])
    rep = check(tmp_path, settings, ("phone_dark.png", png(im)))[0]
    assert "timestamp-missing" not in codes(rep), rep.findings
    assert any("3:00" in t.text for t in rep.facts.timestamps), rep.facts.timestamps


def test_phone_screenshot_without_any_clock_is_still_missing_a_time(tmp_path, settings) -> None:
    im = phone_screen(dark_bar=True, clock=None, rows=["Phone case", "Keyring tracker", "Game merch"])
    rep = check(tmp_path, settings, ("phone_noclock.png", png(im)))[0]
    assert "timestamp-missing" in codes(rep), rep.findings


# ------------------------------------------------------------------------------------------------ duplicates


def test_a_duplicate_keeps_its_other_findings(tmp_path, settings) -> None:
    """The same shrunk screenshot sent twice: the second copy is a duplicate AND still too small to read."""
    im = tracking_page((1200, 900)).resize((300, 225), Image.Resampling.LANCZOS)
    data = png(im)
    first, second = check(tmp_path, settings, ("small.png", data), ("small_again.png", data))
    assert "low-resolution" in codes(first), first.findings
    assert {"duplicate-file", "low-resolution"} <= codes(second), second.findings


# ------------------------------------------------------------------------------------------------ orientation


def test_label_photographed_sideways_is_read_upright(tmp_path, settings) -> None:
    """A shipping label photographed turned 90 degrees: OCR turns it upright (orientation detection) and reads its
    date and tracking number, with boxes on the picture as sent."""
    im = paper((1100, 700), seed=11)
    d = ImageDraw.Draw(im)
    rows = [("UPS GROUND", 44, BOLD), ("SHIP TO: JORDAN MILLER", 34, SANS), ("1200 MAIN ST", 34, SANS),
            ("AUSTIN TX 78701", 34, SANS), ("TRACKING # 1Z999AA10123456784", 32, SANS),
            ("SHIP DATE: 11/02/2026", 32, SANS), ("WEIGHT: 2 LBS   DIMS: 10x8x4", 30, SANS)]
    for i, (t, size, face) in enumerate(rows):
        d.text((50, 40 + i * 88), t, font=font(size, face), fill=(15, 15, 15))
    sideways = im.rotate(90, expand=True)
    rep = check(tmp_path, settings, ("label_sideways.jpg", jpeg(sideways, 88)))[0]
    assert any(t.number == "1Z999AA10123456784" for t in rep.facts.tracking), rep.facts.tracking
    assert "timestamp-missing" not in codes(rep), rep.findings
    page = rep.pages[0]
    assert (page.width, page.height) == sideways.size
