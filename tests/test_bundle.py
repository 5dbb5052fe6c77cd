"""The claim bundle on real files: cover, exhibit order, stamps outside the content, searchable image pages,
highlights over the facts, bookmarks, active content stripped, determinism, CJK rendering.

Every bundle is opened with pikepdf, checked with `qpdf --check` and read back with pdfplumber; the cover and an
exhibit page are rendered to PNG under test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from support.bundle_evidence import (
    ARTIFACTS,
    ORDER,
    TRACKING,
    Evidence,
    build_evidence,
    claim_info,
    file_report,
    find_facts,
    ocr_page,
    qpdf_check,
    render,
    report_of,
    screenshot,
    settings_for,
)

from evidence_svc.bundle import BundleResult, build_bundle
from evidence_svc.bundle.fonts import FontMissing, _cjk_subset, find_font
from evidence_svc.labels import catalogue
from evidence_svc.bundle.sanitize import active_content
from evidence_svc.model import DeliveryFact, TrackingFact
from evidence_svc.text import lines_of


@pytest.fixture(scope="session")
def evidence(tmp_path_factory) -> Evidence:
    return build_evidence(tmp_path_factory.mktemp("claim"))


@pytest.fixture(scope="session")
def bundle(evidence: Evidence) -> tuple[Path, BundleResult]:
    out = evidence.root / "out" / "bundle.pdf"
    result = build_bundle(report_of(claim_info(), evidence.reports), evidence.paths, out, evidence.settings)
    return out, result


def page_of(result: BundleResult, name: str) -> int:
    """0-based bundle page where the exhibit made from `name` starts."""
    return next(e.first_page - 1 for e in result.exhibits if e.name == name)


def test_bundle_is_a_clean_pdf(bundle):
    out, result = bundle
    check = qpdf_check(out)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors" in check.stdout and "WARNING" not in check.stdout + check.stderr
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == result.info.pages == 1 + 1 + 1 + 1 + 1 + 1 + 1  # cover + 6 exhibit pages
    assert result.info.bytes == out.stat().st_size and result.info.target == "amazon"


def test_cover_states_the_claim_the_facts_and_the_exhibits(bundle):
    out, result = bundle
    with pdfplumber.open(out) as pdf:
        text = pdf.pages[0].extract_text()
    flat = " ".join(text.split())
    assert ORDER in flat and "Item not received" in flat and "2026-11-07 14:00 UTC" in flat
    assert f"Delivered 2026-11-03 by UPS, tracking number {TRACKING}, at Front Door (Exhibit 1)" in flat
    assert "Full refund of $23.45 issued 2026-11-04 (Exhibit 2)" in flat
    assert f"1 Tracking page Order ID {ORDER}; Tracking number" in flat and "; Delivered 2026-11-03" in flat
    assert f"Refund proof Order ID {ORDER}; Refund $23.45 2026-11-04 3" in flat
    assert f"3 Messages Order ID {ORDER} 4" in flat and f"4 Order details Order ID {ORDER} 5" in flat
    # the reviewer sees no file names and nothing about files left out; the seller's report gets those
    for name in ("tracking.png", "refund.jpg", "messages.pdf", "order_scan.pdf", "parcel_photo.png", "gone.png"):
        assert name not in flat
    assert "blurry" not in flat and "failed" not in flat and "(" + "blurry" not in flat
    assert dict(result.left_out)["gone.png"] == "the file itself was not available"


def test_exhibits_go_delivery_refund_messages_then_other(bundle):
    _, result = bundle
    names = [e.name for e in result.exhibits]
    assert names[:4] == ["tracking.png", "refund.jpg", "messages.pdf", "order_scan.pdf"]
    assert set(names[4:]) == {"form-acroform.pdf", "form-with-form.pdf"}
    assert [e.number for e in result.exhibits] == list(range(1, 7))


def test_image_exhibit_is_searchable_from_the_ocr_words_and_the_text_is_invisible(bundle, evidence):
    out, result = bundle
    i = page_of(result, "tracking.png")
    with pdfplumber.open(out) as pdf:
        text = pdf.pages[i].extract_text()
        words = {w["text"] for w in pdf.pages[i].extract_words()}
    ocr = [w.text for w in evidence.by_name("tracking.png").pages[0].words]
    assert TRACKING in words and ORDER in words and "Delivered" in words
    assert sum(w in words for w in ocr) >= 0.9 * len(ocr)
    assert "Exhibit 1 · Tracking page · page 1/1 · Order " + ORDER in text
    with pikepdf.open(out) as pdf:
        page = pdf.pages[i]
        content = page.obj.Contents.read_bytes() if isinstance(page.obj.Contents, pikepdf.Stream) else b"".join(
            s.read_bytes() for s in page.obj.Contents)
        assert b"3 Tr" in content  # render mode 3: neither filled nor stroked
        (image,) = [pikepdf.PdfImage(x) for x in page.resources.XObject.values()]
        assert (image.width, image.height) == (1300, 800)  # placed at its own pixels, not re-sampled
    # the page reads well: landscape paper for a landscape screenshot, no upscaling past 150 dpi
    with pikepdf.open(out) as pdf:
        w, h = (float(v) for v in pdf.pages[i].mediabox[2:])
    assert w > h and abs(h - 612) < 1  # US marketplace: Letter


def test_png_goes_in_losslessly_and_jpeg_as_its_own_bytes(bundle, evidence):
    out, result = bundle
    from PIL import Image, ImageChops

    with pikepdf.open(out) as pdf:
        png = pdf.pages[page_of(result, "tracking.png")].resources.XObject.EvImage
        shown = pikepdf.PdfImage(png).as_pil_image().convert("RGB")
        original = Image.open(evidence.root / "tracking.png").convert("RGB")
        assert ImageChops.difference(shown, original).getbbox() is None
        jpg = pdf.pages[page_of(result, "refund.jpg")].resources.XObject.EvImage
        assert jpg.read_raw_bytes() == (evidence.root / "refund.jpg").read_bytes()


def _annots(page: pdfplumber.page.Page) -> list[dict]:
    return [a for a in page.annots if str(a["data"].get("Subtype")).strip("/'") == "Highlight"]


def _word_box(page: pdfplumber.page.Page, text: str) -> tuple[float, float, float, float]:
    (w,) = [w for w in page.extract_words() if w["text"] == text][:1]
    return w["x0"], w["top"], w["x1"], w["bottom"]


def _inside(inner, outer, slack: float = 1.5) -> bool:
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack and inner[2] <= outer[2] + slack
            and inner[3] <= outer[3] + slack)


@pytest.mark.parametrize("name, words, count", [
    ("tracking.png", [TRACKING, ORDER], 3),  # tracking, delivered line, order ID
    ("refund.jpg", [ORDER, "$23.45"], 2),
    ("messages.pdf", [ORDER], 1),
    ("order_scan.pdf", [ORDER], 1),
])
def test_highlights_cover_the_fact_words_on_their_page(bundle, name, words, count):
    out, result = bundle
    i = page_of(result, name)
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[i]
        marks = _annots(page)
        assert len(marks) == count
        rects = [(a["x0"], a["top"], a["x1"], a["bottom"]) for a in marks]
        for word in words:
            box = _word_box(page, word)  # where the text layer (or the PDF's own text) has the word
            assert any(_inside(box, r, slack=4) for r in rects), (word, box, rects)
        x0, y0, x1, y1 = (float(v) for v in page.bbox)
        for r in rects:  # inside the page, above the stamp band
            assert x0 <= r[0] < r[2] <= x1 and y0 <= r[1] < r[3] <= y1 - 22.0
    with pikepdf.open(out) as pdf:
        for annot in [a for a in pdf.pages[i].obj.Annots if a.Subtype == pikepdf.Name.Highlight]:
            q = [float(v) for v in annot.QuadPoints]
            x0, y0, x1, y1 = (float(v) for v in annot.Rect)
            assert q == [x0, y1, x1, y1, x0, y0, x1, y0]
            assert "/N" in annot.AP and str(annot.Contents)


def test_pdf_exhibit_stays_vector_and_gets_a_band_below_its_content(bundle, evidence):
    out, result = bundle
    i = page_of(result, "messages.pdf")
    with pdfplumber.open(evidence.root / "messages.pdf") as src, pdfplumber.open(out) as pdf:
        before = {w["text"]: (w["x0"], w["top"]) for w in src.pages[0].extract_words()}
        page = pdf.pages[i]
        top = float(page.bbox[1])  # pdfplumber measures from the top of a media box that now starts below 0
        after: dict[str, tuple[float, float]] = {}
        for w in page.extract_words():
            after.setdefault(w["text"], (w["x0"], w["top"] - top))
        assert float(page.height) == pytest.approx(792 + 22) and float(page.width) == pytest.approx(612)
        for word in ("Buyer-Seller", ORDER, "arrived"):  # same place, measured from the top: nothing moved
            assert after[word] == pytest.approx(before[word], abs=0.01)
        stamp = [w for w in page.extract_words() if w["text"] == "Exhibit"]
        assert stamp and all(w["top"] - top > 792 for w in stamp)  # the stamp sits in the added band
    with pikepdf.open(out) as pdf:
        xobjects = pdf.pages[i].resources.XObject
        assert all(x.Subtype == pikepdf.Name.Form for x in xobjects.values())  # no raster: vector content


def test_rotated_scan_is_upright_with_a_text_layer(bundle):
    out, result = bundle
    i = page_of(result, "order_scan.pdf")
    with pikepdf.open(out) as pdf:
        page = pdf.pages[i]
        assert int(page.obj.get("/Rotate", 0)) == 0
        w, h = (float(v) for v in page.mediabox[2:])
        assert h > w  # portrait, as the scan reads
    with pdfplumber.open(out) as pdf:
        text = pdf.pages[i].extract_text()
    assert "Order Details" in text and ORDER in text


def test_active_content_never_reaches_the_bundle(bundle, evidence):
    out, result = bundle
    with pikepdf.open(out) as pdf:
        assert active_content(pdf) == []
        assert "/AcroForm" not in pdf.Root and "/Names" not in pdf.Root and "/OpenAction" not in pdf.Root
        kinds = {str(a.Subtype) for page in pdf.pages for a in page.obj.get("/Annots", [])}
        assert kinds == {"/Highlight", "/Square"}  # ours, and the messages PDF's harmless markup (its /A removed)
    raw = subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(out), "-"], capture_output=True).stdout
    for token in (b"/JavaScript", b"/JS ", b"/OpenAction", b"/EmbeddedFile", b"/AcroForm", b"/Launch", b"/URI",
                  b"/Widget", b"/FileAttachment", b"MZ not really", b"app.alert"):
        assert token not in raw, token
    # the messages PDF really carried all of it, and it was reported as removed
    removed = " ".join(result.removed["messages.pdf"])
    for what in ("/OpenAction", "/AcroForm", "/Names", "/AA", "/Link", "/FileAttachment"):
        assert what in removed
    # the filled-in form value stayed visible (flattened), it just is not a live field any more
    with pdfplumber.open(out) as pdf:
        assert "FORM VALUE 42" in pdf.pages[page_of(result, "messages.pdf")].extract_text()
        for name in ("form-acroform.pdf", "form-with-form.pdf"):
            assert not pdf.pages[page_of(result, name)].annots


def test_bookmarks_and_document_info_come_from_the_claim(bundle):
    out, result = bundle
    with pikepdf.open(out) as pdf:
        with pdf.open_outline() as outline:
            items = list(outline.root)
            titles = [o.title for o in items]
            pages = [pikepdf.Page(o.destination[0]).index for o in items]
        assert titles[0] == "Cover" and len(titles) == 1 + len(result.exhibits)
        assert titles[1:] == ["Exhibit 1 · Tracking page", "Exhibit 2 · Refund proof", "Exhibit 3 · Messages",
                              "Exhibit 4 · Order details", "Exhibit 5 · Other evidence", "Exhibit 6 · Other evidence"]
        assert pages == [0] + [e.first_page - 1 for e in result.exhibits]
        info = pdf.docinfo
        assert ORDER in str(info.Title) and TRACKING in str(info.Keywords) and "not received" in str(info.Subject)
        assert str(info.CreationDate) == "D:20261105140000Z" and "/ModDate" not in info
        assert pdf.Root.PageMode == pikepdf.Name.UseOutlines
        meta = pdf.open_metadata()
        assert ORDER in meta["dc:title"] and meta["xmp:CreateDate"].startswith("2026-11-05T14:00:00")


def test_same_inputs_give_the_same_bytes(bundle, evidence):
    out, result = bundle
    again = evidence.root / "out" / "again.pdf"
    second = build_bundle(report_of(claim_info(), evidence.reports), evidence.paths, again, evidence.settings)
    assert again.read_bytes() == out.read_bytes() and second.info.sha256 == result.info.sha256


def test_failed_files_can_be_included_and_the_bundle_does_not_say_so(evidence):
    out = evidence.root / "out" / "with-failed.pdf"
    result = build_bundle(report_of(claim_info(), evidence.reports), evidence.paths, out, evidence.settings,
                          include_failed=True)
    assert [n for n, _ in result.left_out] == ["gone.png"]
    assert next(e for e in result.exhibits if e.name == "parcel_photo.png").failed
    with pdfplumber.open(out) as pdf:
        text = " ".join(pdf.pages[0].extract_text().split())
    assert "failed" not in text and "blurry" not in text and "parcel_photo" not in text and "⚠" not in text


def test_unreadable_file_is_listed_not_a_crash(tmp_path):
    settings = settings_for(tmp_path)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n this is not a pdf at all")
    good = tmp_path / "ok.png"
    screenshot([f"Order {ORDER}"], (800, 300)).save(good)
    reports = [file_report(broken, [], "other", media="application/pdf"),
               file_report(good, [], "other", media="image/png")]
    paths = {reports[0].sha256: broken, reports[1].sha256: good}
    result = build_bundle(report_of(claim_info(), reports), paths, tmp_path / "b.pdf", settings)
    assert [e.name for e in result.exhibits] == ["ok.png"]
    ((name, reason),) = result.left_out
    assert name == "broken.pdf" and reason.startswith("the file could not be opened")
    assert qpdf_check(tmp_path / "b.pdf").returncode == 0


def test_japanese_cover_and_exhibit_render_with_real_glyphs(tmp_path):
    """lang=ja on a JP claim: Japanese labels and carrier name, a Japan Post screenshot OCR'd with jpn; both pages
    rendered to test-artifacts/ and read back with tesseract to prove the glyphs are drawn (boxes would not OCR)."""
    settings = settings_for(tmp_path)
    shot = screenshot(["お問い合わせ番号 LX123456789JP", "配達完了 2026-11-03", f"注文番号 {ORDER}"],
                      (1100, 700), px=36, cjk=True, header="日本郵便")
    path = tmp_path / "日本郵便_追跡.png"
    shot.save(path)
    page = ocr_page(shot, "jpn+eng", settings)
    facts = find_facts([page])
    lines = lines_of(page)
    done = next(ln for ln in lines if "配達完了" in ln.text.replace(" ", ""))
    number = next(ln for ln in lines if "LX123456789JP" in ln.text.replace(" ", ""))
    facts.delivery = DeliveryFact(status="delivered", date="2026-11-03", page=0, box=done.box)
    facts.tracking = [TrackingFact(number="LX123456789JP", carrier="JapanPost", page=0, box=number.box)]
    fr = file_report(path, [page], "delivery", facts, "image/png")
    claim = claim_info(marketplace="JP", tracking=[])
    out = tmp_path / "ja.pdf"
    result = build_bundle(report_of(claim, [fr]), {fr.sha256: path}, out, settings, lang="ja")
    assert qpdf_check(out).returncode == 0
    with pdfplumber.open(out) as pdf:
        cover = "".join(pdf.pages[0].extract_text().split())
        exhibit = "".join(pdf.pages[1].extract_text().split())
        assert pdf.pages[0].width == pytest.approx(595.28, abs=0.01)  # JP marketplace: A4
    assert "注文番号" in cover and "証拠一覧" in cover and ORDER in cover and "日本郵便_追跡" not in cover
    assert "2026-11-03、日本郵便によりお届け済み、追跡番号LX123456789JP（証拠1）" in cover
    assert "配達完了" in exhibit and ORDER in exhibit and "証拠1·配送状況·ページ1/1" in exhibit
    with pdfplumber.open(out) as pdf:
        assert len(_annots(pdf.pages[1])) == 3  # tracking, delivered, order ID
    with pikepdf.open(out) as pdf:
        fonts = {str(f.get("/BaseFont")) for f in pdf.pages[0].resources.Font.values()}
        assert any("EvCJK" in f or "Noto" in f for f in fonts), fonts
    ARTIFACTS.mkdir(exist_ok=True)
    cover_png, exhibit_png = ARTIFACTS / "bundle-ja-cover.png", ARTIFACTS / "bundle-ja-exhibit.png"
    render(out, 0, dpi=110).save(cover_png)
    render(out, 1, dpi=110).save(exhibit_png)
    from evidence_svc.ocr import read_words

    title = render(out, 0, dpi=200).crop((0, 0, 1654, 420))
    seen = "".join(w.text for w in read_words(title, "jpn", settings).words)
    assert "注文番号" in seen or "保証申請" in seen, seen
    assert result.info.exhibits == 1
    again = build_bundle(report_of(claim, [fr]), {fr.sha256: path}, tmp_path / "ja2.pdf", settings, lang="ja")
    assert again.info.sha256 == result.info.sha256
    # the CJK font cut afresh a second later is the same font (no clock in its tables): bundles made in
    # different processes stay byte-identical
    face = str(find_font(["NotoSansCJK-Regular.ttc"], "fonts-noto-cjk"))
    first = _cjk_subset(face, 0, "日本郵便配達完了")
    _cjk_subset.cache_clear()
    time.sleep(1.1)
    assert _cjk_subset(face, 0, "日本郵便配達完了") == first


def test_cover_and_exhibit_render_for_a_person_to_look_at(bundle):
    out, result = bundle
    ARTIFACTS.mkdir(exist_ok=True)
    render(out, 0, dpi=110).save(ARTIFACTS / "bundle-en-cover.png")
    render(out, page_of(result, "tracking.png"), dpi=110).save(ARTIFACTS / "bundle-en-exhibit.png")
    render(out, page_of(result, "messages.pdf"), dpi=110).save(ARTIFACTS / "bundle-en-pdf-exhibit.png")
    assert (ARTIFACTS / "bundle-en-cover.png").stat().st_size > 10_000


def test_every_language_has_every_label():
    table = catalogue()
    assert set(table) == {"en", "de", "fr", "ja", "zh"}
    for lang, labels in table.items():
        for section in ("terms", "reasons", "roles", "bundle"):
            assert set(labels[section]) == set(table["en"][section]), (lang, section)
        assert not set(labels["terms"]) & set(labels["bundle"]), lang  # the bundle looks keys up in both
    assert set(table["zh"]["report"]) == set(table["en"]["report"])


def test_unknown_target_or_language_is_a_clear_error(bundle, evidence, tmp_path):
    report = report_of(claim_info(), [])
    with pytest.raises(ValueError, match="unknown bundle target 'ebay'"):
        build_bundle(report, {}, tmp_path / "x.pdf", evidence.settings, target="ebay")
    with pytest.raises(ValueError, match="bundle language 'xx'"):
        build_bundle(report, {}, tmp_path / "x.pdf", evidence.settings, lang="xx")


def test_a_missing_font_names_the_package_to_install():
    with pytest.raises(FontMissing, match="apt-get install fonts-nothing"):
        find_font(["NoSuchFont-Regular.ttf"], "fonts-nothing")


def test_sideways_phone_photo_and_multipage_tiff_are_placed_upright_page_by_page(tmp_path):
    """A JPEG stored sideways with EXIF orientation 6 (as phones do) is shown upright, its OCR words (read on the
    upright image, as ingest does) and highlight land on the right pixels; a 2-page TIFF gives 2 stamped pages."""
    from PIL import Image, ImageOps

    settings = settings_for(tmp_path)
    upright = screenshot([f"Order {ORDER}", "Delivered On: 2026-11-03 09:30"], (900, 1300), px=34)
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what the sensor wrote; EXIF 6 turns it back
    exif = Image.Exif()
    exif[0x0112] = 6
    photo = tmp_path / "sideways.jpg"
    stored.save(photo, "JPEG", quality=92, exif=exif.tobytes())
    shown = ImageOps.exif_transpose(Image.open(photo))
    assert shown.size == (900, 1300)
    page = ocr_page(shown, "eng", settings)
    photo_fr = file_report(photo, [page], "delivery", find_facts([page], delivered="2026-11-03"), "image/jpeg")

    tiff = tmp_path / "fax.tiff"
    frames = [screenshot([f"Fax page {i + 1}", f"Order {ORDER}"], (1000, 700), px=30) for i in range(2)]
    frames[0].save(tiff, save_all=True, append_images=frames[1:], compression="tiff_deflate")
    tiff_fr = file_report(tiff, [ocr_page(f, "eng", settings, index=i) for i, f in enumerate(frames)], "other",
                          media="image/tiff")
    out = tmp_path / "b.pdf"
    paths = {photo_fr.sha256: photo, tiff_fr.sha256: tiff}
    result = build_bundle(report_of(claim_info(), [photo_fr, tiff_fr]), paths, out, settings)
    assert [(e.name, e.pages) for e in result.exhibits] == [("sideways.jpg", 1), ("fax.tiff", 2)]
    assert qpdf_check(out).returncode == 0
    with pdfplumber.open(out) as pdf:
        p = pdf.pages[1]
        assert p.height > p.width  # upright portrait
        marks = _annots(p)
        box = _word_box(p, ORDER)
        assert len(marks) == 2 and any(_inside(box, (a["x0"], a["top"], a["x1"], a["bottom"]), 4) for a in marks)
        assert "page 1/2" in pdf.pages[2].extract_text() and "page 2/2" in pdf.pages[3].extract_text()
        assert "Fax page 2" in pdf.pages[3].extract_text()
    with pikepdf.open(out) as pdf:
        with pdf.open_outline() as outline:
            assert [c.title for c in outline.root[2].children] == ["1/2", "2/2"]


def test_a_long_exhibit_list_flows_over_several_cover_pages_without_losing_a_row(tmp_path):
    settings = settings_for(tmp_path)
    reports, paths = [], {}
    for i in range(45):
        p = tmp_path / f"receipt_{i:02d}.png"
        screenshot([f"receipt {i}"], (400, 300), px=20).save(p)
        fr = file_report(p, [], "other", media="image/png")
        reports.append(fr)
        paths[fr.sha256] = p
    out = tmp_path / "many.pdf"
    result = build_bundle(report_of(claim_info(), reports), paths, out, settings)
    cover_pages = result.exhibits[0].first_page - 1
    assert cover_pages >= 2 and result.info.pages == cover_pages + 45
    with pdfplumber.open(out) as pdf:
        text = " ".join(pdf.pages[i].extract_text() for i in range(cover_pages))
        flat = " ".join(text.split())
        assert all(f"{i} Other evidence {cover_pages + i}" in flat for i in range(1, 46))
        assert "Highlights in the exhibits" in text  # the closing note made it too
        assert pdf.pages[cover_pages].extract_text().count("Exhibit 1 ·") == 1
