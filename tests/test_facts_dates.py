"""Dates and times in page lines: formats per language, day/month order by marketplace, the claim window, and
the things that must not become dates (amounts, order IDs, version numbers)."""

from __future__ import annotations

import time
from datetime import date, datetime

import pytest

from evidence_svc.facts.dates import find_datetimes
from evidence_svc.model import Word
from evidence_svc.text import Line

WINDOW = (date(2026, 7, 1), date(2026, 12, 31))


def line(text: str, page: int = 0, y: int = 0) -> Line:
    words, x = [], 0
    for tok in text.split():
        words.append(Word(text=tok, box=(x, y, x + 10 * len(tok), y + 20)))
        x += 10 * len(tok) + 6
    return Line(page, tuple(words))


def iso(text: str, lang: str = "en", order: str = "MDY", window=WINDOW) -> list[str]:
    return [h.iso for h in find_datetimes([line(text)], lang, order, window)]


@pytest.mark.parametrize("lang,order,text,want", [
    ("en", "MDY", "Delivered 11/5/2026", "2026-11-05"),
    ("en", "MDY", "Nov 5, 2026", "2026-11-05"),
    ("en", "DMY", "5 Nov 2026", "2026-11-05"),
    ("en", "MDY", "Wednesday, November 5, 2026", "2026-11-05"),
    ("de", "DMY", "Mi., 05.11.2026", "2026-11-05"),
    ("de", "DMY", "5. November 2026", "2026-11-05"),
    ("fr", "DMY", "mer. 5 novembre 2026", "2026-11-05"),
    ("it", "DMY", "5 novembre 2026", "2026-11-05"),
    ("es", "DMY", "5 de noviembre de 2026", "2026-11-05"),
    ("ja", "YMD", "2026年11月5日", "2026-11-05"),
    ("ja", "YMD", "2026 年 11 月 5 日 (水)", "2026-11-05"),
    ("zh", "YMD", "2026年11月5日 星期四", "2026-11-05"),
    ("zh", "YMD", "2026-11-05", "2026-11-05"),
    ("ja", "YMD", "2026/11/05", "2026-11-05"),
    ("ja", "YMD", "１１月５日", "2026-11-05"),
    ("en", "MDY", "SHIP DATE: 05NOV26", "2026-11-05"),
    ("en", "MDY", "SHIP DATE: O1NOV26", "2026-11-01"),
])
def test_date_formats(lang, order, text, want):
    assert iso(text, lang, order) == [want]


@pytest.mark.parametrize("lang,order,text,want", [
    ("en", "MDY", "Nov 5, 2026 at 10:32 AM", "2026-11-05T10:32:00"),
    ("de", "DMY", "05.11.2026, 14:05 Uhr", "2026-11-05T14:05:00"),
    ("fr", "DMY", "5 novembre 2026 à 14h05", "2026-11-05T14:05:00"),
    ("ja", "YMD", "2026年11月5日 午後3:15", "2026-11-05T15:15:00"),
    ("zh", "YMD", "2026-11-05 14:05:33 已签收", "2026-11-05T14:05:33"),
])
def test_a_time_right_after_a_date_joins_it(lang, order, text, want):
    assert iso(text, lang, order) == [want]


@pytest.mark.parametrize("text,want", [("9:41", "09:41"), ("14:05", "14:05"), ("10:32 AM", "10:32"),
                                       ("10:32 PM", "22:32"), ("下午3:15", "15:15"), ("午前0:05", "00:05")])
def test_standalone_clock_times_have_no_date(text, want):
    hits = find_datetimes([line(text)], "en", "MDY", WINDOW)
    assert [(h.iso, h.has_date, h.has_time) for h in hits] == [(want, False, True)]


def test_ambiguous_day_month_follows_the_marketplace():
    assert iso("03/04/2026", "en", "MDY", None) == ["2026-03-04"]  # US: March 4
    assert iso("03/04/2026", "en", "DMY", None) == ["2026-04-03"]  # UK: 3 April
    assert iso("25/11/2026", "en", "MDY") == ["2026-11-25"]  # a day over 12 settles it anywhere


def test_dates_outside_the_window_are_dropped():
    assert iso("Member since 03/15/2019") == []
    assert iso("Nov 5, 2026", window=(date(2026, 1, 1), date(2026, 6, 30))) == []


@pytest.mark.parametrize("text,lang", [("2026-13-01", "en"), ("2026年13月1日", "ja"), ("13月1日", "ja"),
                                       ("1/32/26", "en"), ("31 Nov 2026", "en"), ("29.02.2026", "de"),
                                       ("开票日期: 2026 13 01", "zh")])
def test_a_day_that_does_not_exist_is_no_date_not_a_rearranged_one(text, lang):
    # OCR noise such as a month 13 must not become another real date (dateparser read 2026-13-01 as 13 January)
    assert [h for h in find_datetimes([line(text)], lang, "MDY", None, plausible_only=False) if h.has_date] == []


def test_a_29_february_without_a_year_lands_in_a_leap_year():
    assert iso("Feb 29", window=(date(2027, 9, 1), date(2028, 6, 1))) == ["2028-02-29"]


def test_a_date_without_a_year_takes_the_year_nearest_the_claim():
    assert iso("Delivered November 5", window=(date(2026, 9, 1), date(2027, 2, 1))) == ["2026-11-05"]
    assert iso("Jan 3", window=(date(2026, 9, 1), date(2027, 2, 1))) == ["2027-01-03"]


@pytest.mark.parametrize("text", ["Total $23 and 23,45 EUR", "Order # 112-1234567-1234567", "version 1.5.26.4",
                                  "Qty: 2 Price: 12.99", "Call 555-12-34", "Score 3:1", "12.5%"])
def test_amounts_ids_and_numbers_are_not_dates(text):
    assert [h for h in find_datetimes([line(text)], "en", "MDY", WINDOW) if h.has_date] == []


def test_hit_carries_page_box_and_span():
    ln = line("Delivered Nov 5, 2026", page=2, y=100)
    (hit,) = find_datetimes([ln], "en", "MDY", WINDOW)
    assert hit.page == 2 and hit.value == date(2026, 11, 5) and hit.has_date and not hit.has_time
    assert hit.box[1] == 100 and hit.box[0] > 0  # starts at "Nov", not at "Delivered"
    assert ln.text[hit.start:hit.end] == "Nov 5, 2026"
    assert isinstance(find_datetimes([line("Nov 5, 2026 10:00")], "en", "MDY", WINDOW)[0].value, datetime)


def test_a_page_of_lines_parses_fast_once_warm():
    lines = [line(f"11/{d:02d}/2026 10:{d:02d} AM Departed FACILITY Nov {d}, 2026 $12.{d:02d}") for d in range(1, 29)]
    find_datetimes(lines, "en", "MDY", WINDOW)
    t = time.perf_counter()
    hits = find_datetimes(lines, "en", "MDY", WINDOW)
    assert len([h for h in hits if h.has_date]) == 56
    assert time.perf_counter() - t < 0.25
