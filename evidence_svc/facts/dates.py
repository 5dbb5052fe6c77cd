"""Dates and times on a page: find candidate spans with patterns, then build each date from its parts.

`find_datetimes(lines, lang, date_order, window)` returns every date, date-time and standalone clock time
("9:41", "下午3:15") seen in the lines, with the page and box where it was seen. Patterns (numeric dates, dates
with month names in the marketplace language and English, CJK 年月日, clock times) pick the spans, and each span's
parts give the date directly: the day/month order is decided below, month names map to their number through CLDR
(babel), and `datetime.date` rejects days that do not exist. (dateparser re-parsed each span until issue 15: on 58k
spans in nine languages the only dates it gave that this does not were impossible ones it rearranged — "2026-13-01"
read as 13 January, "1/32/26" as 2032 — and its first use cost 0.3 s per process.) Never run a free-text date
search over page text (`dateparser.search.search_dates`): it is slow there and reads amounts ("$23", "23,45") as
dates.

Ambiguous numeric dates (11/5/2026) follow the document's own order when another numeric date on it is unambiguous
(a day over 12: "13/01/2018" makes "11/03/2018" the 11th of March on a US claim too), else the marketplace's
(`document_order`). Dates without a year (Nov 5, 11月5日) get the year that puts them closest to the window's
reference point. Dates outside the window are dropped; without a window, dates more than `PAST_YEARS` before or
`FUTURE_YEARS` after today are OCR noise ("22/03/2078"). A label glued to a date ("Date:13/01/2018",
"Printed on-17/06/25") does not hide it; right after such a label a year-first date may use spaces ("开票日期: 2019 05
08", an e-invoice). Clock times are parsed here by hand (a two-field pattern needs no library).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from babel import Locale

from ..model import Box
from ..text import Line

# Languages whose month and weekday names are matched besides the marketplace's: carrier pages mix in English.
BASE_LANGS = ("en",)
_COMPACT_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_LEAP_YEAR = 2024  # a date without a year is built in a leap year so 29 Feb survives; `_pick_year` sets the year
NAMED_MONTH_LANGS = ("en", "de", "fr", "it", "es", "nl", "sv", "pl")

# Without a claim window, a date is plausible from PAST_YEARS before today to FUTURE_YEARS after it (receipts in
# evidence are rarely older than a decade; a date years ahead is an OCR misreading: "22/03/2078").
PAST_YEARS, FUTURE_YEARS = 10, 1

# Full-width digits and colon -> ASCII, one character for one so match offsets stay valid.
_FULLWIDTH = str.maketrans("０１２３４５６７８９：／．－", "0123456789:/.-")
# The hyphen of a date range written without spaces ("01.05.14-31.05.14", a service period): read as a space, so
# that both ends are dates (one character for one).
_RANGE_DASH = re.compile(r"(?:(?<=\d[./]\d\d)|(?<=\d[./]\d{4}))-(?=[0-3]?\d[./][01]?\d[./]\d\d)")


def _prepared(text: str) -> str:
    return _RANGE_DASH.sub(" ", text.translate(_FULLWIDTH))


@dataclass(frozen=True)
class DateHit:
    """One date / date-time / clock time. For a clock time alone (has_date False) `value` is a datetime on the
    reference date (the window's end, or today) — only its time part means anything."""

    text: str
    value: date | datetime
    has_date: bool
    has_time: bool
    page: int
    box: Box
    line: int = 0  # index of the line in the list passed in
    start: int = 0  # character span in that line's text
    end: int = 0

    @property
    def iso(self) -> str:
        if not self.has_date:
            return self.value.strftime("%H:%M:%S" if self.value.second else "%H:%M")  # type: ignore[union-attr]
        return self.value.isoformat()


# ---------------------------------------------------------------------------------------------- name tables


@lru_cache(maxsize=None)
def names(lang: str) -> tuple[dict[str, int], list[str]]:
    """Month name -> month number, and weekday names (wide and abbreviated), from CLDR via babel."""
    try:
        loc = Locale.parse(lang)
    except Exception:  # unknown locale: English names only
        return {}, []
    months: dict[str, int] = {}
    for ctx in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for num, name in loc.months[ctx][width].items():
                n = name.lower().rstrip(".")
                if len(n) >= 3 and not n[0].isdigit():
                    months[n] = num
    if lang == "en":
        months["sept"] = 9
    if lang == "es":
        months["sep"] = 9
        months["set"] = 9
    if lang == "de":
        months.update({"mär": 3, "mrz": 3, "sep": 9, "jun": 6, "jul": 7})
    if lang == "fr":
        months.update({"fév": 2, "fevr": 2, "fev": 2, "dec": 12, "aout": 8, "juil": 7})
    days: list[str] = []
    for ctx in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            days += [d.lower().rstrip(".") for d in loc.days[ctx][width].values()]
    return months, sorted(set(d for d in days if len(d) >= 2), key=len, reverse=True)


@lru_cache(maxsize=None)
def _month_table(lang: str) -> dict[str, tuple[int, str]]:
    """Month name -> (number, language) for the marketplace language plus the base languages."""
    table: dict[str, tuple[int, str]] = {}
    for lg in dict.fromkeys((lang, *BASE_LANGS)):
        if lg not in NAMED_MONTH_LANGS:
            continue
        for name, num in names(lg)[0].items():
            table.setdefault(name, (num, lg))
    return table


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


# Where a date may start: not glued to a preceding number or word, except a label's ':' or '-' ("Date:13/01/2018",
# "Date :17/04/18", "Printed on-17/06/25"). dateparser cannot help here: it parses a span it is given, and its
# `search_dates` over page text is slow and reads amounts as dates, so the span finding stays hand-written.
_NOT_GLUED = r"(?:(?<![\w.,/:-])|(?<=[^\W\d_][:-])|(?<=[^\W\d_] [:-]))"


@lru_cache(maxsize=None)
def _patterns(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    months = _month_table(lang)
    wdays: list[str] = []
    for lg in dict.fromkeys((lang, *BASE_LANGS)):
        if lg in NAMED_MONTH_LANGS:
            wdays += names(lg)[1]
    mon = f"(?P<mon>{_alt(list(months))})\\.?" if months else r"(?P<mon>(?!))"
    wd = rf"(?:(?:{_alt(wdays)})\.?,?\s+)?" if wdays else ""
    day = r"(?P<d>[0-3]?\d)"
    year = r"(?P<y>(?:19|20)\d\d)"
    nb = _NOT_GLUED
    ne = r"(?![\w/:-]|[.,]\d)"
    # a weekday after a CJK date: (水), （土）, 星期二, 周三 — or OCR's guess at the bracketed character
    cj_wd = r"(?:\s*[（(]\s*[^()（）\s]{1,2}\s*[)）]|\s*星\s*期\s*[一二三四五六日天]|\s*周\s*[一二三四五六日天])?"
    return [
        # 2026-11-05, 2026/11/05, 2026.11.05, 2026年11月5日
        ("ymd", re.compile(rf"{nb}{year}\s*(?P<s>[-/.]|年)\s*(?P<m>[01]?\d)\s*(?:(?P=s)|月)\s*{day}\s*[日号]?{cj_wd}{ne}")),
        # 开票日期: 2019 05 08 (an e-invoice's date printed with spaces): only right after a label's colon, since
        # spaced digit groups elsewhere are phone numbers and IDs
        ("ymd_spaced", re.compile(rf"(?:(?<=[^\W\d_][:：])|(?<=[^\W\d_] [:：]))\s*{year}\s(?P<m>[01]?\d)\s{day}"
                                  r"(?![\w:/.-]|\s?\d)")),
        # 11/5/2026, 05.11.2026, 05-11-26 (order by separator and locale)
        ("num", re.compile(rf"{nb}{wd}(?P<a>[0-3]?\d)(?P<s>[/.-])(?P<b>[0-3]?\d)(?P=s)(?P<y>(?:19|20)?\d\d){ne}", re.I)),
        # 30OCT26 (shipping labels: day, English month abbreviation, year, no spaces)
        ("dmy_compact", re.compile(rf"(?<![\w])(?P<d>[0-3O]?[\dO])(?P<mon>{'|'.join(_COMPACT_MONTHS)})"
                                   r"(?P<y>(?:20)?\d\d)(?!\w)")),
        # 11月5日, 11 月 5 日 (no year)
        ("cjk_md", re.compile(rf"(?<![\d年])(?P<m>[01]?\d)\s*月\s*{day}\s*[日号]{cj_wd}")),
        # 11/5(水) (Japanese list views: no year, weekday in brackets)
        ("slash_md_wd", re.compile(rf"{nb}(?P<m>[01]?\d)/{day}\s*[（(]\s*[月火水木金土日]\s*[)）]")),
        # 5 Nov 2026, 5. November 2026, 5 de noviembre de 2026, Mi., 5. Nov. (year optional)
        ("dmy_named", re.compile(
            rf"{nb}{wd}{day}(?:st|nd|rd|th|er|º|\.)?\s+(?:de\s+)?{mon}(?:,?\s+(?:de\s+)?{year})?(?!\w)", re.I)),
        # Nov 5, 2026, Wednesday, November 5 (year optional)
        # (OCR drops the space after the comma: "Sep 12,2010")
        ("mdy_named", re.compile(rf"{nb}{wd}{mon}\s+{day}(?:st|nd|rd|th)?(?:(?:,\s*|\s+){year})?(?![\w:]|[.,]\d)",
                                 re.I)),
    ]


_TIME = re.compile(
    r"(?:(?<![\w.,:/])|(?<=[^\W\d_]:)|(?<=[^\W\d_] :))"  # "Time:09:15" is a label, "12:30:45" is not
    r"(?P<pre>上午|下午|午前|午後|晚上|中午|凌晨|早上|傍晚)?\s*"
    r"(?P<h>[01]?\d|2[0-3])\s*(?:[:：]|(?P<hsep>[h時点]))\s*(?P<mi>[0-5]\d)"
    r"(?:\s*[:：]\s*(?P<s>[0-5]\d)|\s*(?:分|秒))?"
    r"(?:\s*(?P<ap>[AaPp]\.?\s?[Mm]\.?)(?![A-Za-z]))?"
    r"(?:\s*(?:Uhr|h)\b)?"
    r"(?![\d:：]|[.,]\d)"
)
_AFTERNOON = {"下午", "午後", "晚上", "傍晚"}


def _parse_time(m: re.Match[str]) -> time | None:
    h, mi = int(m["h"]), int(m["mi"])
    s = int(m["s"]) if m["s"] else 0
    ap = (m["ap"] or "").lower().replace(".", "").replace(" ", "")
    pre = m["pre"]
    if ap or pre:
        if h > 12 and ap:
            return None
        if (ap == "pm" or pre in _AFTERNOON) and h < 12:
            h += 12
        elif (ap == "am" or pre in {"凌晨", "上午", "午前", "早上"}) and h == 12:
            h = 0
    if m["hsep"] == "h" and not m["mi"]:
        return None
    return time(h, mi, s)


# ---------------------------------------------------------------------------------------------- parsing


def _date(y: int | str, m: int, d: int) -> date | None:
    """The calendar date, or None for one that does not exist (31 Nov, 29 Feb 2026). A two-digit year follows
    `strptime`'s %y rule (00-68 -> 20xx, 69-99 -> 19xx)."""
    year = int(y)
    if len(str(y)) == 2:
        year += 2000 if year < 69 else 1900
    try:
        return date(year, m, d)
    except ValueError:
        return None


def _numeric_order(sep: str, a: int, b: int, lang: str, order: str) -> str | None:
    """Day/month order for a numeric date with the year last."""
    if a > 12 and b > 12:
        return None
    if a > 12:
        return "DMY"
    if b > 12:
        return "MDY"
    if sep == ".":
        return "DMY"  # dotted dates are day-first wherever they are written
    if order in ("DMY", "MDY"):
        return order
    return "MDY" if lang == "en" else "DMY"  # year-first locales (CA, JP, CN) writing a year-last date


def _pick_year(d: date, ref: date, window: tuple[date, date] | None) -> date | None:
    best: date | None = None
    for y in (ref.year - 1, ref.year, ref.year + 1):
        try:
            cand = d.replace(year=y)
        except ValueError:  # 29 Feb in a non-leap year
            continue
        if window and not (window[0] <= cand <= window[1]):
            continue
        if best is None or abs((cand - ref).days) < abs((best - ref).days):
            best = cand
    return best


def _parse_date(kind: str, m: re.Match[str], lang: str, order: str, ref: date,
                window: tuple[date, date] | None) -> date | None:
    gd = m.groupdict()
    if kind in ("ymd", "ymd_spaced"):
        return _date(gd["y"], int(gd["m"]), int(gd["d"]))
    if kind == "num":
        a, b = int(gd["a"]), int(gd["b"])
        o = _numeric_order(gd["s"], a, b, lang, order)
        if o is None:
            return None
        return _date(gd["y"], b, a) if o == "DMY" else _date(gd["y"], a, b)
    if kind == "dmy_compact":
        day = int(gd["d"].replace("O", "0"))  # OCR reads the 0 of a label's 01NOV26 as O
        year = gd["y"] if len(gd["y"]) == 4 else "20" + gd["y"]  # a label's 30OCT69 is 2069, not 1969
        return _date(year, _COMPACT_MONTHS.index(gd["mon"]) + 1, day)
    if kind in ("cjk_md", "slash_md_wd"):
        d = _date(_LEAP_YEAR, int(gd["m"]), int(gd["d"]))
        return _pick_year(d, ref, window) if d else None
    # named month: the number comes from the language the month name belongs to (CLDR)
    num_lang = _month_table(lang).get(gd["mon"].lower().rstrip("."))
    if num_lang is None:
        return None
    if gd.get("y"):
        return _date(gd["y"], num_lang[0], int(gd["d"]))
    d = _date(_LEAP_YEAR, num_lang[0], int(gd["d"]))
    return _pick_year(d, ref, window) if d else None


def document_order(lines: list[Line], lang: str, date_order: str) -> str:
    """The day/month order the document itself shows: a numeric date with a day over 12 ("13/01/2018") makes the
    document day-first, one with a second field over 12 ("01/13/2018") month-first; with neither, or both, the
    marketplace's `date_order`. A 4-digit year first ("2018/01/13") is read year-first whatever this returns."""
    pat = dict(_patterns(lang))["num"]
    seen: set[str] = set()
    for ln in lines:
        for m in pat.finditer(_prepared(ln.text)):
            a, b = int(m["a"]), int(m["b"])
            if m["s"] != "." and (a > 12) != (b > 12) and 1 <= min(a, b) and max(a, b) <= 31:
                seen.add("DMY" if a > 12 else "MDY")
    return seen.pop() if len(seen) == 1 else date_order


def plausible(d: date, window: tuple[date, date] | None, today: date | None = None) -> bool:
    """Inside the claim's window, or without one, within PAST_YEARS / FUTURE_YEARS of today."""
    if window:
        return window[0] <= d <= window[1]
    today = today or date.today()
    try:
        lo, hi = today.replace(year=today.year - PAST_YEARS), today.replace(year=today.year + FUTURE_YEARS)
    except ValueError:  # 29 February
        lo, hi = today - timedelta(days=365 * PAST_YEARS), today + timedelta(days=365 * FUTURE_YEARS)
    return lo <= d <= hi


def find_datetimes(
    lines: list[Line], lang: str, date_order: str, window: tuple[date, date] | None = None, *,
    plausible_only: bool = True,
) -> list[DateHit]:
    """Every plausible date, date-time and clock time in `lines`, in reading order. A time right after a date (same
    line, at most a few characters between, e.g. "Nov 5, 2026 at 10:32 AM") joins it into one date-time hit.
    Ambiguous numeric dates take the order `document_order` finds in `lines` (pass a whole page or file).
    `plausible_only=False` keeps dates outside the window too (to know that a line has a date at all)."""
    ref = window[1] - (window[1] - window[0]) / 4 if window else date.today()
    date_order = document_order(lines, lang, date_order)
    hits: list[DateHit] = []
    for li, line in enumerate(lines):
        text = _prepared(line.text)
        dates: list[tuple[int, int, date]] = []
        taken: list[tuple[int, int]] = []
        for kind, pat in _patterns(lang):
            for m in pat.finditer(text):
                s, e = m.span()
                if any(s < te and e > ts for ts, te in taken):
                    continue
                d = _parse_date(kind, m, lang, date_order, ref, window)
                if d is None:
                    continue
                taken.append((s, e))
                if plausible_only and not plausible(d, window):
                    continue
                dates.append((s, e, d))
        times: list[tuple[int, int, time]] = []
        for m in _TIME.finditer(text):
            s, e = m.span()
            if any(s < te and e > ts for ts, te in taken):
                continue
            t = _parse_time(m)
            if t is not None:
                times.append((s + (len(m.group(0)) - len(m.group(0).lstrip())), e, t))
        used: set[int] = set()
        for s, e, d in sorted(dates):
            joined = None
            for i, (ts, te, t) in enumerate(times):
                gap = text[e:ts]
                if i not in used and 0 <= ts - e <= 6 and re.fullmatch(r"[\s,·|@-]*(?:at|um|à|alle|a las|の)?[\s,]*", gap):
                    joined = i
                    break
            if joined is not None:
                used.add(joined)
                ts, te, t = times[joined]
                hits.append(_hit(line, li, line.text, s, te, datetime.combine(d, t), True, True))
            else:
                hits.append(_hit(line, li, line.text, s, e, d, True, False))
        for i, (ts, te, t) in enumerate(times):
            if i not in used:
                hits.append(_hit(line, li, line.text, ts, te, datetime.combine(ref, t), False, True))
    hits.sort(key=lambda h: (h.line, h.start))
    return hits


def _hit(line: Line, li: int, text: str, s: int, e: int, value: date | datetime, has_date: bool,
         has_time: bool) -> DateHit:
    return DateHit(text=text[s:e].strip(), value=value, has_date=has_date, has_time=has_time, page=line.page,
                   box=line.box_of(s, e), line=li, start=s, end=e)
