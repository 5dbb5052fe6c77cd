"""Money on a page: amounts with their ISO currency, and which of them are refunds.

Currency markers ($, US$, CA$, CDN$, £, €, ¥, 円, EUR, GBP ...) and refund wording are data
(`data/facts/money.toml`). Numbers are read with babel's strict decimal parser in the marketplace's locale first
and the other separator convention second (an English page on amazon.de still writes 12.99); a reading with more
decimals than the currency has (¥1.980) is rejected. A number glued to letters ("$l2.99", OCR noise) is not read
at all: a missing amount is better than a wrong one, because a refund amount feeds the reply check.
The sign is kept on amounts; a refund's amount is reported without it (a refund is money to the buyer however
the page prints it).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from babel.numbers import NumberFormatError, get_currency_precision, parse_decimal

from ..model import Box, RefundFact
from ..text import Line
from .dates import find_datetimes
from .phrases import phrases_rx

# Locale used for parsing by the decimal separator it implies.
_POINT_LOCALE, _COMMA_LOCALE = "en", "de"
_COMMA_DECIMAL_LANGS = {"de", "fr", "it", "es", "nl", "sv", "pl", "pt"}
_KANA = re.compile(r"[\u3040-\u30ff]")


@dataclass(frozen=True)
class AmountHit:
    text: str
    amount: Decimal  # signed
    currency: str  # ISO 4217
    explicit_currency: bool  # a marker was printed; False: the marketplace's currency was assumed
    page: int
    box: Box
    line: int
    start: int
    end: int


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    text = resources.files("evidence_svc").joinpath("data/facts/money.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _marker_rx(markers: list[str]) -> str:
    parts = []
    for m in sorted(markers, key=len, reverse=True):
        esc = re.escape(m)
        parts.append(rf"(?<![A-Za-z]){esc}(?![A-Za-z])" if m[-1].isalpha() and m.isascii() else esc)
    return "|".join(parts)


_NUM = r"(?P<num>\d{1,3}(?:[.,'\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
_NEG = r"[-−–]"


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    cfg = rules()
    markers = _marker_rx(list(cfg["currencies"]) + list(cfg["ambiguous"]))
    end = r"(?![\d]|[.,]\d)"
    prefix = re.compile(
        rf"(?<![\w.,])(?P<paren>\()?(?P<sign>{_NEG}\s?)?(?P<cur>{markers})\s?(?P<sign2>{_NEG}\s?)?{_NUM}{end}(?![A-Za-z])"
    )
    suffix = re.compile(rf"(?<![\w.,])(?P<sign>{_NEG}\s?)?{_NUM}\s?(?P<cur>{markers}){end}")
    bare = re.compile(rf"(?<![\w.,$€£¥￥])(?P<sign>{_NEG}\s?)?(?P<num>\d{{1,3}}(?:[.,]\d{{3}})*[.,]\d{{2}}|\d+[.,]\d{{2}}){end}(?![A-Za-z%])")
    return prefix, suffix, bare


_CJK_TEXT = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


# A bare amount in a currency without decimals (yen): only with thousands grouping ("4,940"), so that years, days
# and counts next to a refund word are not read as money.
_BARE_WHOLE = re.compile(r"(?<![\w.,$€£¥￥\\])(?P<sign>[-−–]\s?)?(?P<num>\d{1,3}(?:[,.]\d{3})+)(?![\d%]|[.,]\d)(?![A-Za-z])")


def _places(currency: str) -> int:
    try:
        return get_currency_precision(currency)
    except Exception:
        return 2


def currency_of(marker: str, marketplace: str, line_text: str) -> str | None:
    """The ISO code a marker stands for on this marketplace and line; None when it is not money here."""
    cfg = rules()
    if marker == "\\" and not (_CJK_TEXT.search(line_text) or marketplace.upper() in ("JP", "CN")):
        return None
    if marker in cfg["currencies"]:
        return cfg["currencies"][marker]
    amb = cfg["ambiguous"].get(marker)
    if amb is None:
        return "USD"
    mk = marketplace.upper()
    if marker in ("¥", "￥") and mk not in amb:
        if _KANA.search(line_text):
            return "JPY"
        if re.search(r"[退款元已签收订单]", line_text):
            return "CNY"
    return amb.get(mk, amb["default"])


def parse_amount(num: str, currency: str, lang: str) -> Decimal | None:
    """A printed number as a Decimal: marketplace convention first, then the other; None if neither fits."""
    clean = re.sub(r"[\u00a0\u202f' ]", "", num)
    order = (_COMMA_LOCALE, _POINT_LOCALE) if lang in _COMMA_DECIMAL_LANGS else (_POINT_LOCALE, _COMMA_LOCALE)
    try:
        places = get_currency_precision(currency)
    except Exception:
        places = 2
    for loc in order:
        try:
            value = parse_decimal(clean, locale=loc, strict=True)
        except NumberFormatError:
            continue
        exp = value.as_tuple().exponent
        if isinstance(exp, int) and -exp > places:
            continue
        return value
    return None


def find_amounts(lines: list[Line], marketplace: str, lang: str, *, bare_lines: set[int] | None = None) -> list[AmountHit]:
    """Amounts with a currency marker; on the lines in `bare_lines`, also bare decimals ("12.99") in the
    marketplace's currency."""
    prefix, suffix, bare = _patterns()
    bare_whole = _BARE_WHOLE
    default_cur = _default_currency(marketplace)
    hits: list[AmountHit] = []
    for li, line in enumerate(lines):
        text = line.text
        taken: list[tuple[int, int]] = []
        found: list[tuple[int, int, Decimal, str, bool]] = []
        for pat in (prefix, suffix):
            for m in pat.finditer(text):
                s, e = m.span()
                if any(s < te and e > ts for ts, te in taken):
                    continue
                cur = currency_of(m["cur"], marketplace, text)
                if cur is None:
                    continue
                value = parse_amount(m["num"], cur, lang)
                if value is None:
                    continue
                negative = bool(m["sign"] or m.groupdict().get("sign2"))
                if m.groupdict().get("paren") and text[e:e + 1] == ")":
                    negative, e = True, e + 1
                taken.append((s, e))
                found.append((s, e, -value if negative else value, cur, True))
        if bare_lines and li in bare_lines:
            bare_rx = bare_whole if _places(default_cur) == 0 else bare
            for m in bare_rx.finditer(text):
                s, e = m.span()
                if any(s < te and e > ts for ts, te in taken):
                    continue
                value = parse_amount(m["num"], default_cur, lang)
                if value is None:
                    continue
                taken.append((s, e))
                found.append((s, e, -value if m["sign"] else value, default_cur, False))
        for s, e, value, cur, explicit in sorted(found):
            hits.append(AmountHit(text[s:e].strip(), value, cur, explicit, line.page, line.box_of(s, e), li, s, e))
    return hits


def _default_currency(marketplace: str) -> str:
    from ..config import MARKETPLACE_CURRENCY

    return MARKETPLACE_CURRENCY.get(marketplace.upper(), "USD")


@lru_cache(maxsize=1)
def _refund_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    cfg = rules()["refund"]

    # refund words match word starts ("refund" finds "refunded"); negations match whole phrases
    return phrases_rx(cfg["words"], prefix=True), phrases_rx(cfg["negations"])


def refund_word_at(text: str) -> int | None:
    """Where a refund word starts in `text`, unless the line negates it (refund requested, no refund ...)."""
    words, negations = _refund_patterns()
    if negations.search(text):
        return None
    m = words.search(text)
    return m.start() if m else None


def find_refunds(
    lines: list[Line], marketplace: str, lang: str, date_order: str, window: tuple[date, date] | None = None
) -> list[RefundFact]:
    """Refund records: an amount on a line with a refund word (the nearest amount after the word, else before it),
    or, for a label line without an amount, the first amount on the next line. The date comes from the same line,
    else the nearest dated line directly above or below."""
    word_at = {i: p for i, ln in enumerate(lines) if (p := refund_word_at(ln.text)) is not None}
    if not word_at:
        return []
    bare_lines = set(word_at) | {i + 1 for i in word_at}
    amounts = find_amounts(lines, marketplace, lang, bare_lines=bare_lines)
    by_line: dict[int, list[AmountHit]] = {}
    for a in amounts:
        by_line.setdefault(a.line, []).append(a)
    picked: list[AmountHit] = []
    out: list[RefundFact] = []
    seen: set[tuple[str, str, int]] = set()
    for i, pos in sorted(word_at.items()):
        chosen: AmountHit | None = None
        here = by_line.get(i, [])
        after = [a for a in here if a.start >= pos]
        if after:
            chosen = after[0]
        elif here:
            chosen = here[-1]
        elif i + 1 < len(lines) and i + 1 not in word_at and by_line.get(i + 1) and _overlaps_x(lines[i], lines[i + 1]):
            chosen = by_line[i + 1][0]
        if chosen is None or chosen.amount == 0:
            continue
        key = (str(abs(chosen.amount)), chosen.currency, chosen.page)
        if key in seen:
            continue
        seen.add(key)
        picked.append(chosen)
        when = _date_near(lines, i, chosen.line, lang, date_order, window)
        out.append(RefundFact(amount=_fmt(abs(chosen.amount), chosen.currency), currency=chosen.currency,
                              date=when, page=chosen.page, box=chosen.box))
    return [r for r, hit in zip(out, picked) if not _lost_separator(hit, picked)]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _lost_separator(hit: AmountHit, others: list[AmountHit]) -> bool:
    """"2345 €" next to "23,45 €" on the same page is the same amount with the comma lost to OCR."""
    if re.search(r"\d[.,]\d{1,2}(?!\d)", hit.text):
        return False
    return any(o is not hit and o.currency == hit.currency and o.page == hit.page and _digits(o.text) == _digits(hit.text)
               and o.amount != hit.amount for o in others)


def _fmt(value: Decimal, currency: str) -> str:
    try:
        places = get_currency_precision(currency)
    except Exception:
        places = 2
    return str(value.quantize(Decimal(1).scaleb(-places)))


def _overlaps_x(a: Line, b: Line) -> bool:
    return a.box[0] <= b.box[2] and b.box[0] <= a.box[2]


def _date_near(lines: list[Line], i: int, j: int, lang: str, date_order: str,
               window: tuple[date, date] | None) -> str | None:
    for k in dict.fromkeys((i, j, i - 1, j + 1, i + 1, i - 2, j + 2)):
        if 0 <= k < len(lines):
            dated = [h for h in find_datetimes([lines[k]], lang, date_order, window) if h.has_date]
            if dated:
                v = dated[0].value
                return (v.date() if hasattr(v, "date") and callable(v.date) else v).isoformat()
    return None
