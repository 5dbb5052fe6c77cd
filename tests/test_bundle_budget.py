"""Destination limits: the recompression ladder brings phone photos under a byte budget without making text
unreadable, a bundle that cannot fit says which exhibits to send separately, page limits are reported, and no page
is ever dropped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pdfplumber
import pikepdf
import pytest
from PIL import Image, ImageDraw

from support.bundle_evidence import (
    ORDER,
    claim_info,
    file_report,
    font,
    messages_pdf,
    ocr_page,
    pdf_text_pages,
    qpdf_check,
    report_of,
    settings_for,
)

from evidence_svc.bundle import build_bundle
from evidence_svc.bundle.budget import destination
from evidence_svc.model import Page


@pytest.fixture(scope="session")
def photos(tmp_path_factory) -> list[Path]:
    """Four 12-megapixel phone photos (4000 x 3000) with sensor-like noise, a label and a receipt line: ~4.5 MB
    each as JPEG, 18 MB together. The text is 100 px tall, like a parcel label shot from arm's length."""
    root = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(7)
    h, w = 3000, 4000
    noise = rng.integers(-26, 27, (h, w, 3), dtype=np.int16)
    gx = np.linspace(40, 200, w, dtype=np.float32)[None, :, None]
    gy = np.linspace(60, 190, h, dtype=np.float32)[:, None, None]
    paths = []
    for i in range(4):
        tint = np.array([[1.0, 0.4, 0.6], [0.5, 1.0, 0.3], [0.3, 0.6, 1.0], [0.8, 0.8, 0.4]][i], np.float32)
        base = (gx * tint + gy * tint[::-1]) * 0.55
        im = Image.fromarray(np.clip(base.astype(np.int16) + np.roll(noise, i * 97, axis=1), 0, 255).astype(np.uint8))
        d = ImageDraw.Draw(im)
        d.rectangle([250, 250, 3200, 700], fill=(245, 245, 240))
        d.text((300, 300), f"Order {ORDER}", fill=(10, 10, 10), font=font(100))
        d.text((300, 480), f"Parcel {i + 1} of 4  delivered 2026-11-03", fill=(10, 10, 10), font=font(100))
        path = root / f"photo{i + 1}.jpg"
        im.save(path, "JPEG", quality=88)
        paths.append(path)
    return paths


def _photo_reports(photos: list[Path], settings) -> list:
    """Reports with OCR words: the first photo is OCR'd at quarter size (boxes scaled back) and, since all four
    carry their text at the same place, its words stand for the others."""
    small = Image.open(photos[0]).reduce(4)
    words = ocr_page(small, "eng", settings).words
    for w in words:
        w.box = tuple(v * 4 for v in w.box)
    reports = []
    for p in photos:
        page = Page(index=0, width=4000, height=3000, text_source="ocr")
        page.words = [w.model_copy() for w in words]
        reports.append(file_report(p, [page], "delivery", media="image/jpeg"))
    return reports


def _paths(reports: list, photos: list[Path]) -> dict[str, Path]:
    return {r.sha256: p for r, p in zip(reports, photos, strict=False)}


def _image_sizes(path: Path) -> list[tuple[int, int]]:
    with pikepdf.open(path) as pdf:
        return [(int(x.Width), int(x.Height)) for page in pdf.pages[1:]
                for x in page.resources.XObject.values() if x.Subtype == pikepdf.Name.Image]


def test_stripe_budget_holds_for_large_phone_photos(photos, tmp_path):
    settings = settings_for(tmp_path)
    reports = _photo_reports(photos, settings)
    assert sum(p.stat().st_size for p in photos) > 4 * 4_000_000
    out = tmp_path / "stripe.pdf"
    result = build_bundle(report_of(claim_info(), reports), _paths(reports, photos), out, settings, target="stripe")
    assert result.findings == []
    assert result.info.bytes == out.stat().st_size <= 4_500_000 and result.step >= 1
    assert result.info.pages == 5  # nothing dropped
    assert qpdf_check(out).returncode == 0
    # downsampled, but the 10th-percentile word still has at least bundle_min_text_px pixels of height
    for w, _h in _image_sizes(out):
        assert w < 4000 and w >= 4000 * settings.bundle_min_text_px / 100 * 0.9
    with pdfplumber.open(out) as pdf:  # the text layer survives recompression
        assert ORDER in pdf.pages[1].extract_text()


def test_under_budget_keeps_every_photo_as_it_came(photos, tmp_path):
    settings = settings_for(tmp_path)
    reports = [file_report(p, [], "delivery", media="image/jpeg") for p in photos[:2]]
    out = tmp_path / "amazon.pdf"
    result = build_bundle(report_of(claim_info(), reports), _paths(reports, photos), out, settings, target="amazon")
    assert result.step == 0 and result.findings == []
    assert _image_sizes(out) == [(4000, 3000), (4000, 3000)]


def test_too_large_names_the_exhibits_for_a_second_message_and_keeps_every_page(photos, tmp_path):
    settings = settings_for(tmp_path, bundle_max_bytes=60_000)  # amazon, but with a tiny per-message limit
    reports = [file_report(p, [], "delivery", media="image/jpeg") for p in photos[:2]]
    out = tmp_path / "big.pdf"
    result = build_bundle(report_of(claim_info(), reports), _paths(reports, photos), out, settings, target="amazon")
    (f,) = result.findings
    assert f.code == "bundle-too-large" and f.severity == "error"
    assert f.value == result.info.bytes > 60_000 and f.threshold == 60_000
    assert "Send exhibit 2 (photo2.jpg" in f.message and "in a second message" in f.message
    assert "第2条消息" in f.message_zh and "photo2.jpg" in f.message_zh
    assert "photo1.jpg" not in f.message
    assert result.info.pages == 3 and result.step == 5  # the whole ladder was tried, every page is there


def test_page_limit_is_reported_with_the_exhibits_past_it(tmp_path):
    settings = settings_for(tmp_path)
    long_pdf = tmp_path / "history.pdf"
    messages_pdf(long_pdf, pages=20)
    fr = file_report(long_pdf, pdf_text_pages(long_pdf), "messages", media="application/pdf")
    out = tmp_path / "mc.pdf"
    result = build_bundle(report_of(claim_info(), [fr]), {fr.sha256: long_pdf}, out, settings, target="mastercard")
    (f,) = result.findings
    assert f.code == "bundle-too-large" and f.value == 21 and f.threshold == 19
    assert "history.pdf" in f.message and "No page was left out" in f.message
    assert result.info.pages == 21


def test_scanned_pdf_images_are_recompressed_in_place(tmp_path):
    """A 200-dpi colour scan inside a PDF is brought down to the budget; the page stays a PDF page."""
    settings = settings_for(tmp_path, bundle_max_bytes=400_000)
    rng = np.random.default_rng(3)
    scan = np.clip(200 + rng.integers(-30, 31, (2200, 1700, 3), dtype=np.int16), 0, 255).astype(np.uint8)
    im = Image.fromarray(scan)
    ImageDraw.Draw(im).text((150, 200), f"Order {ORDER}", fill=(0, 0, 0), font=font(44))
    path = tmp_path / "scan.pdf"
    im.save(path, "PDF", resolution=200.0, quality=92)
    raster = im.resize((1275, 1650))  # ingest rasterises at 150 dpi
    page = ocr_page(raster, "eng", settings, dpi=150.0)
    fr = file_report(path, [page], "order", media="application/pdf")
    out = tmp_path / "scan-bundle.pdf"
    result = build_bundle(report_of(claim_info(), [fr]), {fr.sha256: path}, out, settings)
    assert result.findings == [] and result.info.bytes <= 400_000 and path.stat().st_size > 1_500_000
    with pikepdf.open(out) as pdf:
        page = pdf.pages[1]
        assert float(page.mediabox[3]) - float(page.mediabox[1]) == pytest.approx(792 + 22, abs=1)
        (w, h), = [(int(x.Width), int(x.Height)) for x in page.get_images().values()]
        assert w < 1700
    assert qpdf_check(out).returncode == 0


def test_destination_limits_are_data_and_overridable(tmp_path):
    settings = settings_for(tmp_path)
    assert destination("amazon", settings).max_bytes == 10_000_000
    stripe = destination("stripe", settings)
    assert (stripe.max_bytes, stripe.max_pages, stripe.split) == (4_500_000, 49, "")
    assert destination("paypal", settings).max_total_bytes == 50_000_000
    assert destination("mastercard", settings).max_pages == 19
    extra = tmp_path / "dest.toml"
    extra.write_text('[ebay]\nlabel = "eBay"\nlabel_zh = "eBay"\nmax_file_bytes = 7000000\n'
                     '[amazon]\nmax_file_bytes = 8000000\n')
    custom = settings_for(tmp_path, bundle_destinations=extra)
    assert destination("ebay", custom).max_bytes == 7_000_000
    assert destination("amazon", custom).max_bytes == 8_000_000
