"""The bundle as the marketplace's reviewer reads it, page by page, built from the generated sample claims.

The sample claims (`samples.claims`, as `make samples` writes them) are checked for real (ingest, tesseract,
validators, facts), bundled, every page rendered with `pdftoppm` and its text read with `pdftotext -layout` and
pdfplumber. A bundle shows only what helps the claim: no other order's ID, no rejected file and no seller file
name, no finding codes, roles that say what each file is, labels in the bundle's language, Chinese and Japanese
text that can be searched, one copy of a duplicate, one highlight box per line of words.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from PIL import Image, ImageDraw

from support.bundle_evidence import claim_info, file_report, font, ocr_page, report_of, screenshot

from evidence_svc.bundle import BundleResult, build_bundle
from evidence_svc.claim_folder import load_claim_toml
from evidence_svc.config import Settings, load_settings
from evidence_svc.labels import catalogue
from evidence_svc.messages import finding
from evidence_svc.model import ClaimReport, DeliveryFact, Facts, TrackingFact
from evidence_svc.pipeline import check_claim
from evidence_svc.text import lines_of

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
ORDER_RX = re.compile(r"\d{3}-\d{7}-\d{7}")
FINDING_CODES = ("blurry", "password-protected", "order-mismatch", "timestamp-cropped", "tracking-mismatch",
                 "duplicate-file", "not_received", "(delivery)", "(messages)")


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return load_settings(cache_dir=tmp_path_factory.mktemp("cache"), workers=2)


@pytest.fixture(scope="module")
def claims(tmp_path_factory) -> Path:
    """The sample claims, as `make samples` generates them."""
    from samples.claims import generate_claims

    root = tmp_path_factory.mktemp("claims")
    generate_claims(root, seed=7)
    return root


def checked(folder: Path, settings: Settings, extra: list[tuple[str, Path]] = ()) -> tuple[ClaimReport, list[Path]]:
    """A sample claim checked for real; `extra` files (name, source) are copied into the claim folder first."""
    claim, files = load_claim_toml(folder / "claim.toml")
    for name, src in extra:
        shutil.copyfile(src, folder / name)
        files.append(folder / name)
    return check_claim(claim, files, settings, now=NOW), files


def bundled(report: ClaimReport, files: list[Path], out: Path, settings: Settings, **kw) -> BundleResult:
    by_sha = {fr.sha256: Path(p) for fr, p in zip(report.files, files)}
    return build_bundle(report, by_sha, out, settings, **kw)


def pages_text(pdf: Path, tmp: Path) -> list[str]:
    """Each page rendered with pdftoppm (it must render) and its text as `pdftotext -layout` reads it."""
    with pikepdf.open(pdf) as doc:
        count = len(doc.pages)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp / "page")], check=True)
    assert len(list(tmp.glob("page-*.png"))) == count
    texts = []
    for n in range(1, count + 1):
        run = subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
                             capture_output=True, text=True, check=True)
        texts.append(run.stdout)
    return texts


def flat(text: str) -> str:
    return " ".join(text.split())


def outline_and_info(pdf: Path) -> str:
    with pikepdf.open(pdf) as doc:
        with doc.open_outline() as outline:
            titles = [o.title for o in outline.root] + [c.title for o in outline.root for c in o.children]
        info = " ".join(str(v) for v in doc.docinfo.values())
        xmp = str(doc.open_metadata())
    return " ".join(titles) + " " + info + " " + xmp


def label_photo(folder: Path, name: str) -> Path:
    """A sharp phone photo of the us_not_received parcel's shipping label, rendered by the sample generator."""
    from samples.claims import _Claim
    from samples.scenario import make_scenario

    sc = make_scenario(random.Random("7:us"), "en", "US", carrier="UPS")  # us_not_received's parcel
    maker = _Claim(folder, sc, 7)
    maker.label_photo(name, "clean", size=(1600, 1200))
    return folder / (name + ".jpg")


# ------------------------------------------------------------------------------------ the bad sample claim


def test_rejected_files_and_other_orders_never_reach_the_reviewer(claims, settings, tmp_path):
    """us_bad_evidence: a blurry photo, a cropped clock and another order's page. Even with include_failed the
    other order's page stays out; the cover lists no rejected file, reason or code; the seller gets them."""
    report, files = checked(claims / "us_bad_evidence", settings)
    order = report.claim.order_id
    other = next(fr for fr in report.files if any(f.code == "order-mismatch" for f in fr.findings))
    others = set(other.facts.order_ids) - {order}
    assert others, "the sample's other-order page shows another order ID"
    for include_failed in (False, True):
        out = tmp_path / f"bad-{include_failed}.pdf"
        result = bundled(report, files, out, settings, include_failed=include_failed)
        shot = tmp_path / f"pages-{include_failed}"
        shot.mkdir()
        texts = pages_text(out, shot)
        everything = "\n".join(texts) + outline_and_info(out)
        assert set(ORDER_RX.findall(everything)) == {order}, ORDER_RX.findall(everything)
        for fr in report.files:
            assert fr.name not in everything and Path(fr.name).stem not in everything
        for word in FINDING_CODES + ("failed", "left out", "Left out", "sharpness", "cut by"):
            assert word not in everything, word
        assert other.name in dict(result.left_out)  # told to the seller, not the reviewer
        assert other.sha256 not in {e.sha256 for e in result.exhibits}
    assert [e.name for e in result.exhibits] == ["tracking_cropped_clock.png", "parcel_photo.jpg"]
    assert [e.role for e in result.exhibits] == ["delivery", "photos"]


# ------------------------------------------------------------------ a claim assembled from the sample files


@pytest.fixture(scope="module")
def mixed(claims, settings, tmp_path_factory) -> tuple[ClaimReport, list[Path], Path]:
    """us_not_received plus what sellers really send: the tracking page again under a WeChat name, a smaller
    re-save of it, a sharp label photo, the blurry photo and another order's page from the bad claim."""
    work = tmp_path_factory.mktemp("mixed")
    folder = work / "claim"
    shutil.copytree(claims / "us_not_received", folder)
    small = work / "ups_small.png"
    with Image.open(folder / "ups_tracking.png") as im:
        im.resize((round(im.width * 0.9), round(im.height * 0.9)), Image.Resampling.LANCZOS).save(small)
    photo = label_photo(work, "label_photo")
    bad = claims / "us_bad_evidence"
    extra = [("tracking_small.png", small), ("微信图片_20261101093000.png", folder / "ups_tracking.png"),
             ("label_photo.jpg", photo), ("parcel_photo.jpg", bad / "parcel_photo.jpg"),
             ("other_order.png", bad / "other_order.png")]
    report, files = checked(folder, settings, extra)
    return report, files, work


@pytest.mark.parametrize("lang", ["en", "de", "ja", "zh"])
def test_every_label_on_the_cover_is_in_the_bundle_language(mixed, settings, tmp_path, lang):
    report, files, _ = mixed
    out = tmp_path / f"{lang}.pdf"
    result = bundled(report, files, out, settings, lang=lang)
    texts = pages_text(out, tmp_path)
    cover = flat(texts[0]) if lang in ("en", "de") else "".join(texts[0].split())
    table = catalogue()[lang]
    squeeze = (lambda s: s) if lang in ("en", "de") else (lambda s: "".join(s.split()))
    for key in ("kicker", "claim", "opened", "respond_by", "shows", "exhibits", "col_no", "col_shows", "col_pages"):
        assert squeeze(table["bundle"][key]) in cover, (lang, key)
    for key in ("order_id", "marketplace", "tracking"):
        assert squeeze(table["terms"][key]) in cover, (lang, key)
    assert squeeze(table["reasons"]["not_received"]) in cover
    for role in ("delivery", "messages", "order", "photos"):
        assert squeeze(table["roles"][role]) in cover, (lang, role)
    everything = "\n".join(texts) + outline_and_info(out)
    for word in FINDING_CODES:
        assert word not in everything, (lang, word)
    if lang != "en":  # no English label leaks into another language's cover
        for key in ("shows", "exhibits", "claim", "respond_by"):
            assert catalogue()["en"]["bundle"][key] not in texts[0], (lang, key)
        assert "Delivery proof" not in everything and "Item not received" not in everything
    # stamps and bookmarks: the exhibit's number and role, never the seller's file name
    exhibit = catalogue()[lang]["terms"]["exhibit"]
    first = next(e for e in result.exhibits if e.role == "delivery")
    stamp = squeeze(f"{exhibit} {first.number} · {table['roles']['delivery']}")
    assert stamp in squeeze(flat(texts[first.first_page - 1]))
    bookmarks = outline_and_info(out)
    assert squeeze(f"{exhibit} {first.number} · {table['roles']['delivery']}") in squeeze(bookmarks)
    for fr in report.files:
        assert fr.name not in everything and Path(fr.name).stem not in everything, fr.name


def test_roles_say_what_each_file_is(mixed, settings, tmp_path):
    report, files, _ = mixed
    out = tmp_path / "roles.pdf"
    result = bundled(report, files, out, settings)
    roles = {e.name: e.role for e in result.exhibits}
    assert roles["ups_tracking.png"] == "delivery"
    assert roles["buyer_messages.png"] == "messages"
    assert roles["order_details.png"] == "order"
    assert roles["label_photo.jpg"] == "photos"  # it shows a tracking number, but it is a photo, not a scan
    texts = pages_text(out, tmp_path)
    by_role = {e.role: flat(texts[e.first_page - 1]) for e in result.exhibits}
    assert "Messages ·" in by_role["messages"] and "Condition photos ·" in by_role["photos"]
    assert "Tracking page" not in by_role["messages"] + by_role["photos"]
    cover = flat(texts[0])
    assert "Delivered 2026-" in cover and "Condition photos" in cover and "Messages" in cover


def test_the_same_picture_goes_in_once_keeping_the_copy_that_passed_and_the_larger(mixed, settings, tmp_path):
    report, files, _ = mixed
    result = bundled(report, files, tmp_path / "dupes.pdf", settings)
    names = [e.name for e in result.exhibits]
    copies = {"ups_tracking.png", "tracking_small.png", "微信图片_20261101093000.png"}
    assert len(copies & set(names)) == 1
    assert "ups_tracking.png" in names  # the original: passed and larger than the re-save
    left = dict(result.left_out)
    assert "微信图片_20261101093000.png" in left and "ups_tracking.png" in left["微信图片_20261101093000.png"]
    assert "tracking_small.png" in left
    assert "parcel_photo.jpg" in left and "other_order.png" in left


def test_chat_text_is_never_a_delivery_place(mixed, settings, tmp_path):
    """A message thread whose facts carry a delivery and a "location" read from the chat: the cover cites neither
    (delivery proof comes only from a tracking or order-status page, a place only from the carrier's field)."""
    report, files, _ = mixed
    report = report.model_copy(deep=True)
    for fr in report.files:
        fr.pages = next(f for f in mixed[0].files if f.sha256 == fr.sha256).pages  # words are not deep-copied
    msgs = next(fr for fr in report.files if fr.name == "buyer_messages.png")
    msgs.facts.delivery = DeliveryFact(status="delivered", date="2026-11-20",
                                       location="yesterday but there is nothing at")
    for track in [fr for fr in report.files if fr.kind == "delivery" and fr.facts.delivery.status]:
        d = track.facts.delivery  # these carrier pages give no place
        track.facts.delivery = DeliveryFact(status=d.status, date=d.date, page=d.page, box=d.box)
    out = tmp_path / "chat.pdf"
    bundled(report, files, out, settings)
    cover = flat(pages_text(out, tmp_path)[0])
    assert "yesterday" not in cover and "2026-11-20" not in cover and ", at " not in cover
    assert f"Delivered {track.facts.delivery.date} by UPS" in cover


# ---------------------------------------------------------------------------------------- the Japanese claim


def test_japanese_bundle_is_searchable_without_spaces_between_characters(claims, settings, tmp_path):
    report, files = checked(claims / "jp_not_received", settings)
    out = tmp_path / "ja.pdf"
    result = bundled(report, files, out, settings, lang="ja")
    texts = pages_text(out, tmp_path)
    page = result.exhibits[0].first_page - 1
    assert result.exhibits[0].role == "delivery"
    for word in ("お届け済み", "配達完了", "名古屋中郵便局", "お問い合わせ番号"):
        assert word in texts[page], (word, texts[page])
    assert "配 達" not in texts[page] and "お 届け" not in texts[page]
    with pdfplumber.open(out) as pdf:
        assert "お届け済み" in pdf.pages[page].extract_text()
        assert "お届け済み" in pdf.pages[0].extract_text()  # the cover's statement, in Japanese
    assert "証拠1·配送状況" in "".join(texts[page].split())


def test_chinese_cover_uses_one_term_per_idea(mixed, settings, tmp_path):
    report, files, _ = mixed
    out = tmp_path / "zh.pdf"
    bundled(report, files, out, settings, lang="zh")
    everything = "".join("\n".join(pages_text(out, tmp_path)).split()) + outline_and_info(out)
    assert "已签收" in everything and "物流单号" in everything
    for word in ("运单号", "已送达", "妥投", "事实"):
        assert word not in everything, word
    for lang, table in catalogue().items():  # and the catalogue itself, everywhere it is read
        if lang == "zh":
            text = repr(table)
            assert "运单号" not in text and "已送达" not in text and "妥投" not in text and "事实" not in text


# --------------------------------------------------------------------------------------------- highlights


def _two_panel_page(path: Path, number: str) -> None:
    """A tracking page with two panels side by side (status left, date right on the same line), the number in
    the address bar and again in a table below."""
    im = Image.new("RGB", (1600, 900), "white")
    d = ImageDraw.Draw(im)
    f = font(30)
    d.rectangle([0, 0, 1600, 70], fill=(235, 235, 235))
    d.text((30, 18), f"https://www.ups.com/track?tracknum={number}", fill=(40, 40, 40), font=f)
    d.rectangle([40, 150, 700, 400], outline=(180, 180, 180), width=3)
    d.rectangle([900, 150, 1560, 400], outline=(180, 180, 180), width=3)
    d.text((70, 250), "Status: Delivered", fill=(20, 20, 20), font=f)
    d.text((930, 250), "On: 2026-11-03 14:12", fill=(20, 20, 20), font=f)
    d.text((70, 520), "Tracking Number", fill=(20, 20, 20), font=f)
    d.text((600, 520), number, fill=(20, 20, 20), font=f)
    d.text((70, 600), "Service", fill=(20, 20, 20), font=f)
    d.text((600, 600), "UPS Ground", fill=(20, 20, 20), font=f)
    im.save(path)


def test_highlights_are_one_box_per_line_of_words_and_find_the_number_in_the_table(settings, tmp_path):
    number = "1Z999AA10123456784"
    path = tmp_path / "panels.png"
    _two_panel_page(path, number)
    with Image.open(path) as im:
        page = ocr_page(im.convert("RGB"), "eng", settings)
    lines = lines_of(page)
    url = next(ln for ln in lines if "ups.com" in ln.text)
    status = next(ln for ln in lines if "Delivered" in ln.text)
    date = next(ln for ln in lines if "2026-11-03" in ln.text)
    facts = Facts()
    # as a fact extractor may report them: the number where first read (inside the URL), the status and date
    # as one box spanning both panels
    facts.tracking = [TrackingFact(number=number, carrier="UPS", page=0, box=url.box)]
    facts.delivery = DeliveryFact(status="delivered", date="2026-11-03", page=0,
                                  box=(status.box[0], min(status.box[1], date.box[1]), date.box[2],
                                       max(status.box[3], date.box[3])))
    fr = file_report(path, [page], "delivery", facts, "image/png")
    out = tmp_path / "panels.pdf"
    build_bundle(report_of(claim_info(tracking=[number]), [fr]), {fr.sha256: path}, out, settings)
    with pdfplumber.open(out) as pdf:
        p = pdf.pages[1]
        marks = [a for a in p.annots if str(a["data"].get("Subtype")).strip("/'") == "Highlight"]
        words = p.extract_words()
    boxes = [(a["x0"], a["top"], a["x1"], a["bottom"]) for a in marks]
    gap_left = next(w for w in words if w["text"] == "Delivered")["x1"]
    gap_right = next(w for w in words if w["text"].startswith("On"))["x0"]
    # no box crosses the gap between the two panels
    assert not any(b[0] < gap_left + 5 and b[2] > gap_right - 5 for b in boxes), boxes
    assert any(b[0] <= gap_left <= b[2] for b in boxes) and any(b[0] <= gap_right + 2 <= b[2] for b in boxes)
    # the number is marked in the table, where it stands as a word of its own
    table_word = [w for w in words if w["text"] == number]
    assert table_word, words
    tw = table_word[-1]
    assert any(b[0] <= tw["x0"] + 1 and b[2] >= tw["x1"] - 1 and b[1] <= tw["top"] + 1 and b[3] >= tw["bottom"] - 1
               for b in boxes), (tw, boxes)
    # and every box is about one line of text high
    heights = sorted(w["bottom"] - w["top"] for w in words)
    line = heights[len(heights) // 2]
    assert all(b[3] - b[1] < 2.2 * line for b in boxes), (line, boxes)


def test_a_file_failing_only_as_a_duplicate_is_not_a_rejected_file(settings, tmp_path):
    """Two byte-identical copies: one exhibit, and the one kept is the first (equal size, both passed)."""
    a = tmp_path / "a.png"
    screenshot(["Tracking Details", "Status: Delivered"], (900, 400)).save(a)
    b = tmp_path / "b.png"
    shutil.copyfile(a, b)
    fa = file_report(a, [], "other", media="image/png")
    fb = file_report(b, [], "other", media="image/png", findings=[finding("duplicate-file", value="a.png")])
    result = build_bundle(report_of(claim_info(), [fa, fb]), {fa.sha256: a}, tmp_path / "d.pdf", settings)
    assert [e.name for e in result.exhibits] == ["a.png"]
    assert dict(result.left_out)["b.png"].startswith("the same picture is already in the bundle as a.png")


def test_the_catalogue_is_json_for_the_web_page():
    table = catalogue()
    again = json.loads(json.dumps(table, ensure_ascii=False))
    assert again == table and again["zh"]["terms"]["delivered"] == "已签收"
    assert again["zh"]["terms"]["tracking"] == "物流单号" and again["zh"]["terms"]["facts"] == "识别到的信息"
    table["zh"]["terms"]["delivered"] = "changed"  # a copy: callers cannot change the catalogue
    assert catalogue()["zh"]["terms"]["delivered"] == "已签收"
