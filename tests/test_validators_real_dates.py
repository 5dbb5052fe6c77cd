"""`timestamp-missing` and `timestamp-cropped` on the mechanisms the real-evidence set showed (bench/real/), each
reproduced on a small synthetic image drawn here (the real files may not be redistributed):

- a date the page reading missed or could not parse is still a date shown: a dot-matrix "Date: SO /2017", a year
  misread far off ("02-03-13"), an e-invoice's "2019 05 08" after 开票日期 - no "missing" warning, while a page with
  no date at all (and version numbers, storage sizes, phone numbers) still gets it;
- rows the page reading missed are re-read (real tesseract through `ocr.read_line`): faint print the page pass
  lost, a sideways label photo, a white-on-dark status-bar clock;
- a tracking history with years long past, cut through its next date by the bottom edge, is `timestamp-cropped`
  (a date's shape counts at an edge, not whether its year is recent), and the same history uncut is clean.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from evidence_svc.config import Settings, load_settings
from evidence_svc.facts.dates import find_datetimes
from evidence_svc.ingest import open_source, render_page
from evidence_svc.model import Claim, Facts, Finding, Page, Word
from evidence_svc.ocr import read_line, read_words
from evidence_svc.text import Line
from validators import VALIDATORS
from validators.base import CheckContext, FileInput, PageInput
from validators.timestamp import Timestamp
from validators.timestamp.dateline import date_like, reread_dates

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
ORDER = "112-1234567-1234567"


def font(size: int, mono: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(MONO if mono else FONT, size)


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return load_settings(cache_dir=tmp_path_factory.mktemp("ocr-cache"), workers=1)


def words_of(*lines: str) -> list[Word]:
    """Words of text lines as OCR would give them (boxes are placeholders: the file check reads text only)."""
    out = []
    for i, text in enumerate(lines):
        out += [Word(text=t, box=(10 * j, 20 * i, 10 * j + 8, 20 * i + 12), line=i) for j, t in enumerate(text.split())]
    return out


def missing(*lines: str, marketplace: str = "US") -> bool:
    """`timestamp-missing` raised by the file check on a one-page file with these lines."""
    page = Page(index=0, width=600, height=400, words=words_of(*lines))
    fi = FileInput(name="x.png", sha256="0" * 64, media_type="image/png", bytes=1, pages=[page], facts=Facts())
    ctx = CheckContext(claim=Claim(order_id=ORDER, marketplace=marketplace), settings=Settings())
    return any(f.code == "timestamp-missing" for f in Timestamp().check_file(fi, ctx))


# ------------------------------------------------------------------------------------ date-shaped text


def test_a_date_the_parser_rejects_is_still_a_date_shown():
    assert missing("THANK YOU", "Total 12.50")  # the control: no date at all
    assert not missing("Date: SO /2017 Times 10,00, 5474")  # dot-matrix receipt, day and month misread
    assert not missing("02-03-13 | 493 SHat 142 T1 R0002")  # a year misread ten years off: implausible, still shown
    assert not missing("Printed on:14/06/2")  # the time cut away, the date's start still there
    assert not missing("开票 日 期 : 2019 05 08", marketplace="CN")


@pytest.mark.parametrize("text", ["Data 24 GB", "v1.2.33 build 7", "Tel: 03 2185 2786", "SKU 2019 05 08 12",
                                  "9072351 2 X 23.90 47.80"])
def test_numbers_that_are_not_dates_do_not_hide_a_missing_date(text):
    assert date_like(text) is None
    assert missing(text)


def test_an_einvoice_date_with_spaces_is_read_after_its_label_only():
    def dates(text: str) -> list[str]:
        line = Line(page=0, words=tuple(words_of(text)))
        return [h.iso for h in find_datetimes([line], "zh", "YMD", plausible_only=False) if h.has_date]

    assert dates("开票 日 期 : 2019 05 08") == ["2019-05-08"]
    assert dates("Date: 2019 05 08") == ["2019-05-08"]
    assert dates("x 2019 05 08") == []  # spaced digit groups without a label are IDs and phone numbers
    assert dates("Tel: 2019 05 08 12") == []


# ------------------------------------------------------------------------------------ re-reading missed rows


def receipt(faint: bool = False) -> Image.Image:
    """A narrow receipt in a monospace font; `faint`: light purple print on grey paper."""
    im = Image.new("L", (420, 560), 205 if faint else 255)
    d = ImageDraw.Draw(im)
    ink = 150 if faint else 20
    rows = ["EXPRINT SDN BHD", "Tax Cash Sales", "Lamination A4    2.00", "Total            8.48",
            "Paid Amount    100.00", "THANK YOU", "Date: 23/04/2017 16:54"]
    for i, text in enumerate(rows):
        d.text((24, 30 + 70 * i), text, font=font(22, mono=True), fill=ink)
    return im


def test_rows_the_page_reading_missed_are_re_read_for_a_date(settings):
    gray = np.asarray(receipt(faint=True))
    found = reread_dates(gray, [], "eng", "en", "MDY", settings, read_line)  # the page pass read nothing
    assert found is not None and "23/04/2017" in found.text
    assert found.box[1] > 400  # the bottom row, where it was drawn
    assert reread_dates(gray, [], "eng", "en", "MDY", settings, None) is None  # no reader: nothing re-read


def test_a_page_whose_reading_missed_its_date_gets_it_added_and_no_warning(settings):
    gray = np.asarray(receipt(faint=True))
    page = Page(index=0, width=gray.shape[1], height=gray.shape[0], words=words_of("THANK YOU"))
    claim = Claim(order_id=ORDER)
    Timestamp().check_page(PageInput(page, gray, "image", "r.png"),
                           CheckContext(claim=claim, settings=settings, read_line=read_line))
    assert any("23/04/2017" in wd.text for wd in page.words)
    fi = FileInput(name="r.png", sha256="0" * 64, media_type="image/png", bytes=1, pages=[page], facts=Facts())
    assert Timestamp().check_file(fi, CheckContext(claim=claim, settings=settings)) == []


def test_a_page_without_any_date_still_gets_the_warning_after_the_re_read(settings):
    im = Image.new("L", (420, 300), 255)
    d = ImageDraw.Draw(im)
    for i, text in enumerate(["Phone case", "Keyring tracker", "Game merch"]):
        d.text((24, 30 + 70 * i), text, font=font(22), fill=20)
    gray = np.asarray(im)
    page = Page(index=0, width=420, height=300, words=[])
    claim = Claim(order_id=ORDER)
    Timestamp().check_page(PageInput(page, gray, "image", "p.png"),
                           CheckContext(claim=claim, settings=settings, read_line=read_line))
    fi = FileInput(name="p.png", sha256="0" * 64, media_type="image/png", bytes=1, pages=[page], facts=Facts())
    assert [f.code for f in Timestamp().check_file(fi, CheckContext(claim=claim, settings=settings))] == [
        "timestamp-missing"]


def test_a_sideways_label_is_re_read_turned_upright(settings):
    label = Image.new("L", (760, 300), 255)
    d = ImageDraw.Draw(label)
    d.text((20, 20), "Shadowfax  RVP", font=font(30), fill=10)
    d.text((20, 110), "Printed by:None  Location:CTC", font=font(26), fill=10)
    d.text((20, 200), "Printed on:17/06/25 21:44", font=font(26), fill=10)
    photo = label.rotate(-90, expand=True)  # photographed sideways: the text runs down the image
    gray = np.asarray(photo)
    # what a page reading of a sideways photo gives: a few words standing tall
    tall = [Word(text="Shadowfax", box=(700, 20, 740, 300), conf=40), Word(text="RVP", box=(700, 320, 740, 400),
                                                                           conf=40)]
    found = reread_dates(gray, tall, "eng", "en", "DMY", settings, read_line)
    assert found is not None and ("17/06/25" in found.text or "21:44" in found.text)
    x0, y0, x1, y1 = found.box
    assert y1 - y0 > x1 - x0  # the box is back in the photo's pixels: a line running down it


def test_a_white_on_dark_status_bar_clock_is_re_read(settings):
    im = Image.new("L", (360, 640), 245)
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, 360, 34), fill=25)
    d.text((18, 7), "3:00", font=font(18), fill=250)
    for i, text in enumerate(["Phone case", "Example Post: 2503894188"]):
        d.text((20, 120 + 60 * i), text, font=font(18), fill=30)
    body = [Word(text=t, box=(20 + 80 * j, 120 + 60 * i, 90 + 80 * j, 140 + 60 * i), conf=95, line=i)
            for i, text in enumerate(["Phone case", "Example Post: 2503894188"]) for j, t in enumerate(text.split())]
    found = reread_dates(np.asarray(im), body, "eng", "en", "MDY", settings, read_line)
    assert found is not None and found.text == "3:00"


# ------------------------------------------------------------------------------------ an old history, cut


def history(height: int) -> Image.Image:
    """A tracking app's activity history from 2010 (blocks of status, place, date), `height` pixels of it."""
    im = Image.new("RGB", (720, 1000), (255, 255, 255))
    d = ImageDraw.Draw(im)
    events = [("Delivered", "Sep 12, 2010 11:57 AM"), ("Out for delivery", "Sep 10, 2010 6:03 PM"),
              ("UPS internal activity code", "Aug 30, 2010 1:13 PM"), ("UPS internal activity code",
                                                                       "Aug 30, 2010 10:39 AM")]
    for i, (status, when) in enumerate(events):
        y = 40 + 200 * i
        d.text((60, y), status, font=font(30), fill=(30, 30, 30))
        d.text((100, y + 55), "BONN, DE", font=font(26), fill=(110, 110, 110))
        d.text((100, y + 110), when, font=font(26), fill=(110, 110, 110))
    return im.crop((0, 0, 720, height))


def check(path: Path, settings: Settings) -> list[Finding]:
    """Ingest -> OCR -> every validator, as the pipeline runs them."""
    claim = Claim(order_id=ORDER)
    src = open_source(path, settings)
    ctx = CheckContext(claim=claim, settings=settings, read_line=read_line)
    found: list[Finding] = []
    rp = render_page(src, 0, settings)
    rp.page.words = read_words(rp.image, settings.ocr_langs_for(claim.marketplace), settings).words
    gray = np.asarray(rp.image.convert("L"))
    for v in VALIDATORS:
        found += v.check_page(PageInput(rp.page, gray, "image", src.name), ctx)
    fi = FileInput(name=src.name, sha256=src.sha256, media_type=src.media_type, bytes=src.bytes, pages=[rp.page],
                   facts=Facts(), findings=list(found))
    for v in VALIDATORS:
        found += v.check_file(fi, CheckContext(claim=claim, settings=settings))
    return found


def test_an_old_history_cut_through_its_next_date_is_cropped_and_uncut_is_clean(settings, tmp_path):
    cut, whole = tmp_path / "cut.png", tmp_path / "whole.png"
    history(40 + 600 + 110 + 17).save(cut)  # through the middle of "Aug 30, 2010 10:39 AM"
    history(40 + 600 + 110 + 60).save(whole)
    codes = [f.code for f in check(cut, settings)]
    assert "timestamp-cropped" in codes, codes
    assert not {"timestamp-cropped", "timestamp-missing"} & {f.code for f in check(whole, settings)}
