"""OCR with the real tesseract: words and boxes, the on-disk cache, timeouts, languages, small-text upscaling."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from evidence_svc import ocr
from evidence_svc.config import load_settings
from evidence_svc.ingest import open_source, render_page
from evidence_svc.ocr import parse_tsv, read_words

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
ORDER = "112-1234567-1234567"


def draw_lines(size, lines, px, origin=(40, 40), gap=1.8):
    """An image with `lines` drawn at known places; returns the image and each line's ink box."""
    im = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(im)
    font = ImageFont.truetype(FONT, px)
    boxes = []
    x, y = origin
    for line in lines:
        d.text((x, y), line, fill="black", font=font)
        boxes.append(d.textbbox((x, y), line, font=font))
        y += int(px * gap)
    return im, boxes


@pytest.fixture(scope="session")
def page_image():
    return draw_lines((1000, 320), [f"Order ID: {ORDER}", "Delivered March 3, 2024 10:42 AM", "Left at front door"], 30)


@pytest.fixture()
def settings(tmp_path):
    return load_settings(cache_dir=tmp_path / "cache")


def near(a, b, tol):
    return all(abs(p - q) <= tol for p, q in zip(a, b))


def test_finds_known_text_with_boxes_where_it_was_drawn(page_image, settings):
    im, boxes = page_image
    r = read_words(im, "eng", settings)
    assert r.error is None and not r.cached and r.confidence > 80
    word = next(w for w in r.words if w.text == ORDER)
    # The order ID is the last part of line 0: its right edge and vertical extent match the drawn ink.
    assert abs(word.box[2] - boxes[0][2]) <= 4
    assert abs(word.box[1] - boxes[0][1]) <= 6 and abs(word.box[3] - boxes[0][3]) <= 6
    lines = {}
    for w in r.words:
        lines.setdefault(w.line, []).append(w.text)
    assert [" ".join(v) for v in lines.values()][:3] == [
        f"Order ID: {ORDER}", "Delivered March 3, 2024 10:42 AM", "Left at front door"]
    assert all(w.text.strip() and w.conf >= 0 for w in r.words)


def test_small_ui_text_is_upscaled_but_boxes_stay_in_original_pixels(settings):
    im, boxes = draw_lines((520, 120), ["Tracking 1Z999AA10123456784", f"Order {ORDER}"], 11, (10, 10), 1.9)
    assert ocr.upscale_factor(im, settings) == 2
    r = read_words(im, "eng", settings)
    words = {w.text: w for w in r.words}
    assert ORDER in words
    box = words[ORDER].box
    assert abs(box[2] - boxes[1][2]) <= 3 and abs(box[3] - boxes[1][3]) <= 3
    assert all(0 <= w.box[0] < w.box[2] <= im.width and 0 <= w.box[1] < w.box[3] <= im.height for w in r.words)


def test_large_text_is_not_upscaled(page_image, settings):
    assert ocr.upscale_factor(page_image[0], settings) == 1


def test_second_call_is_a_cache_hit_without_running_tesseract(page_image, tmp_path):
    im, _ = page_image
    first = read_words(im, "eng", load_settings(cache_dir=tmp_path))
    assert not first.cached and first.seconds > 0
    # Same cache, a timeout no tesseract run could meet: only the cache can answer.
    second = read_words(im, "eng", load_settings(cache_dir=tmp_path, ocr_timeout_s=1e-6))
    assert second.cached and second.error is None and second.seconds == 0
    assert second.words == first.words and second.confidence == first.confidence
    # Another language set is another entry.
    assert not read_words(im, "deu", load_settings(cache_dir=tmp_path)).cached


def test_timeout_gives_an_error_result(page_image, settings):
    big = Image.new("RGB", (2400, 3200), "white")
    for y in range(0, 3200, 330):
        big.paste(page_image[0], (0, y))
        big.paste(page_image[0], (1200, y))
    s = settings.model_copy(update={"ocr_timeout_s": 0.01})
    r = read_words(big, "eng", s)
    assert r.error and "timed out" in r.error and r.words == []
    # A timed-out page is not cached as empty: a later call with time to spare reads it.
    assert read_words(big, "eng", settings).words


def test_cli_engine_times_out_too(page_image, settings):
    s = settings.model_copy(update={"ocr_timeout_s": 0.001, "ocr_engine": "cli"})
    big = page_image[0].resize((3000, 960))
    r = read_words(big, "eng", s)
    assert r.error and "timed out" in r.error


def test_cli_engine_reads_the_same_words(page_image, settings):
    a = read_words(page_image[0], "eng", settings)
    b = read_words(page_image[0], "eng", settings.model_copy(update={"ocr_engine": "cli"}))
    assert not b.cached  # the engine and its version are part of the cache key
    assert [w.text for w in a.words] == [w.text for w in b.words]
    for wa, wb in zip(a.words, b.words):
        assert near(wa.box, wb.box, 3)


def test_missing_language_pack_is_an_error_not_an_exception(page_image, settings):
    r = read_words(page_image[0], "xxx", settings)
    assert r.error and "xxx" in r.error
    partly = read_words(page_image[0], "xxx+eng", settings)  # degrades to what is installed
    assert partly.error is None and ORDER in [w.text for w in partly.words]


def test_omp_thread_limit_is_one_for_tesseract():
    assert os.environ.get("OMP_THREAD_LIMIT") == "1"


def test_tsv_rows_without_text_or_confidence_are_dropped():
    tsv = "\n".join([
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
        "4\t1\t1\t1\t1\t0\t10\t10\t300\t20\t-1\t",
        "5\t1\t1\t1\t1\t1\t10\t10\t50\t20\t96.5\tOrder",
        "5\t1\t1\t1\t1\t2\t70\t10\t20\t20\t91\t ",
        "5\t1\t1\t1\t1\t3\t95\t10\t20\t20\t-1\tghost",
        "5\t1\t2\t1\t1\t1\t10\t50\t80\t20\t88\tShipped",
    ])
    r = parse_tsv(tsv, 2, (100, 100))
    assert [(w.text, w.box, w.line) for w in r.words] == [("Order", (5, 5, 30, 15), 0), ("Shipped", (5, 25, 45, 35), 1)]
    assert r.confidence == pytest.approx((96.5 + 88) / 2, abs=0.01)


def _ocr_in_child(path: str, cache: str, q) -> None:
    from evidence_svc.config import load_settings as ls
    from evidence_svc.ocr import read_words as rw

    r = rw(Image.open(path).convert("RGB"), "eng", ls(cache_dir=Path(cache)))
    q.put((r.error, [w.text for w in r.words]))


def test_cache_is_safe_across_concurrent_processes(page_image, tmp_path):
    p = tmp_path / "page.png"
    page_image[0].save(p)
    cache = tmp_path / "shared-cache"
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_ocr_in_child, args=(str(p), str(cache), q)) for _ in range(3)]
    for pr in procs:
        pr.start()
    results = [q.get(timeout=120) for _ in procs]
    for pr in procs:
        pr.join(timeout=30)
    assert all(err is None for err, _ in results)
    assert len({tuple(words) for _, words in results}) == 1
    entries = list((cache / "ocr").rglob("*"))
    files = [e for e in entries if e.is_file()]
    assert len(files) == 1 and files[0].suffix == ".json"  # one whole entry, no temp files left
    json.loads(files[0].read_text())
    r = read_words(page_image[0], "eng", load_settings(cache_dir=cache))
    assert r.cached


def test_scanned_pdf_is_rastered_and_read(tmp_path, settings):
    im, _ = draw_lines((1200, 300), [f"Order ID: {ORDER}", "Refund issued: $23.45"], 34)
    src_png = tmp_path / "scan.png"
    im.save(src_png)
    c = canvas.Canvas(str(tmp_path / "scan.pdf"), pagesize=letter)
    c.drawImage(str(src_png), 72, 500, width=432, height=108)  # 200 dpi
    c.save()
    src = open_source(tmp_path / "scan.pdf", settings)
    page = render_page(src, 0, settings)
    assert page.needs_ocr and page.page.dpi == 200
    r = read_words(page.image, "eng", settings)
    word = next(w for w in r.words if w.text == ORDER)
    # On the page raster the image starts at 1 inch from the left and (792-608) pt from the top.
    assert 200 < word.box[0] < 200 + 1200 and (792 - 608) * 200 / 72 < word.box[1] < (792 - 500) * 200 / 72


# ------------------------------------------------------------------------------------- script fallback

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
CN_PAGE = ["菜鸟 国际物流 包裹跟踪", "运单号：LP00468918056959", "2026-11-04 11:07:00 COLUMBUS, OH, US",
           "您的包裹已签收，签收人：本人签收", "2026-11-03 22:45:00 包裹已到达派送网点，正在派送中",
           "2026-11-02 19:45:00 包裹已离开转运中心", "如有疑问，请联系客服"]
JP_PAGE = ["日本郵便 個別番号検索結果", "お問い合わせ番号：LX615065503JP", "2026年11月3日 16:54 配達完了",
           "お届け先にお届け済みです。", "2026年11月2日 08:55 名古屋中郵便局 到着", "ご不明な点はお問い合わせください。"]


def cjk_image(lines: list[str], px: int = 26) -> Image.Image:
    im = Image.new("RGB", (1100, 60 + int(px * 2) * len(lines)), "white")
    d = ImageDraw.Draw(im)
    font = ImageFont.truetype(CJK_FONT, px)
    for i, text in enumerate(lines):
        d.text((40, 30 + int(px * 2) * i), text, fill=(30, 30, 30), font=font)
    return im


@pytest.fixture(scope="session")
def cjk_reads(tmp_path_factory):
    """The Chinese and Japanese pages read as an amazon.com page would be: languages "eng"."""
    s = load_settings(cache_dir=tmp_path_factory.mktemp("ocr-cjk"))
    cn, jp = cjk_image(CN_PAGE), cjk_image(JP_PAGE)
    return s, cn, jp, read_words(cn, "eng", s), read_words(jp, "eng", s)


def joined(result) -> str:
    return "".join(w.text for w in result.words)


def test_a_chinese_page_read_with_english_is_read_again_with_chinese(cjk_reads):
    from datetime import datetime, timezone

    from evidence_svc.facts import extract_facts
    from evidence_svc.model import Claim, Page

    s, cn, _, r, _ = cjk_reads
    assert r.error is None and r.langs == "chi_sim+eng"
    assert "已签收" in joined(r) and "LP00468918056959" in joined(r)
    page = Page(index=0, width=cn.width, height=cn.height, words=r.words)
    claim = Claim(order_id="112-1234567-1234567", marketplace="US", tracking=["LP00468918056959"],
                  opened_at=datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc))
    facts = extract_facts([page], claim, s)
    assert (facts.delivery.status, facts.delivery.date) == ("delivered", "2026-11-04")
    assert [(t.number, t.carrier) for t in facts.tracking] == [("LP00468918056959", "Cainiao")]


def test_a_japanese_page_read_with_english_is_read_again_with_japanese(cjk_reads):
    _, _, _, _, r = cjk_reads
    assert r.error is None and r.langs == "jpn+eng"
    assert "配達完了" in joined(r) and "LX615065503JP" in joined(r)


def test_latin_pages_are_not_read_again(page_image, settings):
    r = read_words(page_image[0], "eng", settings)
    assert r.langs == "eng"
    # a blurred, barely readable English page leaves unreadable words, but the probe finds no CJK text in them
    from PIL import ImageFilter

    blurred = page_image[0].resize((500, 160)).filter(ImageFilter.GaussianBlur(1.6)).resize((1000, 320))
    assert read_words(blurred, "eng", settings).langs == "eng"
    # languages that already read CJK are left alone
    assert read_words(page_image[0], "jpn+eng", settings).langs == "jpn+eng"


def test_the_fallback_is_part_of_the_cache_key(cjk_reads):
    s, cn, _, first, _ = cjk_reads
    again = read_words(cn, "eng", s)
    assert again.cached and again.langs == "chi_sim+eng" and again.words == first.words
    off = read_words(cn, "eng", s.model_copy(update={"ocr_script_fallback": False}))
    assert not off.cached and off.langs == "eng" and "已签收" not in joined(off)


def test_the_cli_engine_falls_back_too(cjk_reads, tmp_path):
    _, cn, _, _, _ = cjk_reads
    r = read_words(cn, "eng", load_settings(cache_dir=tmp_path, ocr_engine="cli"))
    assert r.error is None and r.langs == "chi_sim+eng" and "签收" in joined(r)


def test_a_worker_keeps_at_most_two_models_and_never_the_probes(tmp_path):
    """Each loaded model costs every worker 18-59 MB: the script probe's jpn/chi_sim are unloaded after the probe,
    and no more than MAX_LOADED_MODELS stay loaded however many languages the pages needed."""
    from evidence_svc.ocr.tesseract import MAX_LOADED_MODELS, engine_for

    s = load_settings(cache_dir=tmp_path)
    engine = engine_for(s)
    if engine.name != "tesserocr":
        pytest.skip("the tesseract CLI loads its models per call")
    cn, jp = cjk_image(CN_PAGE), cjk_image(JP_PAGE)
    assert read_words(jp, "eng", s).langs == "jpn+eng"
    assert read_words(cn, "eng", s).langs == "chi_sim+eng"
    loaded = list(engine._apis)
    assert MAX_LOADED_MODELS == 2 and len(loaded) <= 2
    assert "jpn" not in loaded and "chi_sim" not in loaded
    assert loaded[-1] == "chi_sim+eng"  # the most recent reading's model stays


def stamped_photo(path: Path) -> Path:
    """A photo-like image (uneven grey-green texture, no text) with a camera's orange date stamp bottom right."""
    import numpy as np

    rng = np.random.default_rng(7)
    base = rng.normal(110, 18, (900, 1200, 3)).clip(0, 255).astype("uint8")
    base[..., 1] = np.clip(base[..., 1].astype(int) + 25, 0, 255)
    im = Image.fromarray(base)
    ImageDraw.Draw(im).text((740, 820), "2026.11.03 14:22", fill=(255, 150, 20),
                            font=ImageFont.truetype(FONT.replace("Sans.ttf", "Sans-Bold.ttf"), 44))
    im.save(path)
    return path


def stamp_read(words) -> bool:
    """The stamp's date and its time, both: the clock-shaped "11.03" inside the date is not taken for the time."""
    texts = [w.text for w in words]
    return "2026.11.03" in texts and "14:22" in texts and "11.03" not in texts


def test_a_camera_stamp_is_read_from_a_photo_and_from_the_same_photo_scanned_into_a_pdf(tmp_path, settings):
    """A PDF page is worked on in grey (its colour raster is dropped before OCR to save memory), yet the orange
    stamp is still read: its ink is taken from the colour page first."""
    from dataclasses import replace

    from evidence_svc.file_stage import check_page
    from evidence_svc.model import Claim
    from evidence_svc.ocr import read_line
    from validators.base import CheckContext

    photo = Image.open(stamped_photo(tmp_path / "stamped.png")).convert("RGB")
    photo.save(tmp_path / "stamped.pdf", resolution=150.0)
    ctx = replace(CheckContext(claim=Claim(order_id=ORDER), settings=settings), read_line=read_line)
    for name in ("stamped.png", "stamped.pdf"):
        out = check_page(open_source(tmp_path / name, settings), 0, ctx)
        assert stamp_read(out.page.words), (name, [w.text for w in out.page.words])
    # without the stamp's colour the grey page alone shows no stamp: the colour pass is what reads it
    grey = photo.convert("L")
    assert not stamp_read(read_words(grey, "eng", settings).words)
