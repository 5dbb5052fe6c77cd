"""Money on a page: amounts with their ISO currency (which of them are refunds is `refunds.py`'s call).

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
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from babel.numbers import NumberFormatError, get_currency_precision, parse_decimal

from ..model import Box
from ..text import Line

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
