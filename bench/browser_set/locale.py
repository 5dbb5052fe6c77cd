"""Dates, times and money written the way each marketplace's pages write them, with the ISO value kept alongside.

`ts(text, iso)` wraps a visible date/time in a `<span class="ts" data-ts=...>` so the builder can find where every
timestamp landed on the rendered image (and whether an edge cuts it).
"""

from __future__ import annotations

import html
from datetime import date, datetime
from decimal import Decimal

MONTHS = {
    "en": "January February March April May June July August September October November December".split(),
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre".split(),
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(),
}
WEEKDAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
    "de": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag".split(),
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche".split(),
    "it": "lunedì martedì mercoledì giovedì venerdì sabato domenica".split(),
    "es": "lunes martes miércoles jueves viernes sábado domingo".split(),
    "ja": "月火水木金土日",
    "zh": "一二三四五六日",
}


def esc(s: str) -> str:
    return html.escape(s, quote=False)


def ts(text: str, iso: str, cls: str = "") -> str:
    return f'<span class="ts {cls}" data-ts="{iso}">{esc(text)}</span>'


def us_style(lang: str, market: str) -> bool:
    return lang == "en" and market in ("US", "CA")


def d_long(d: date, lang: str, market: str) -> str:
    m = d.month - 1
    if lang == "en":
        return (
            f"{MONTHS['en'][m]} {d.day}, {d.year}" if us_style(lang, market) else f"{d.day} {MONTHS['en'][m]} {d.year}"
        )
    if lang == "de":
        return f"{d.day}. {MONTHS['de'][m]} {d.year}"
    if lang in ("fr", "it"):
        return f"{d.day} {MONTHS[lang][m]} {d.year}"
    if lang == "es":
        return f"{d.day} de {MONTHS['es'][m]} de {d.year}"
    return f"{d.year}年{d.month}月{d.day}日"


def d_short(d: date, lang: str, market: str) -> str:
    """Abbreviated month where the language has one (Nov 3, 2026 / 3 nov. 2026)."""
    m = d.month - 1
    if lang == "en":
        ab = MONTHS["en"][m][:3]
        return f"{ab} {d.day}, {d.year}" if us_style(lang, market) else f"{d.day} {ab} {d.year}"
    if lang == "de":
        return f"{d.day}. {MONTHS['de'][m][:3]}. {d.year}" if m not in (2, 4, 5, 6) else d_long(d, lang, market)
    if lang in ("fr", "it", "es"):
        return d_long(d, lang, market)
    return f"{d.year}年{d.month}月{d.day}日"


def d_num(d: date, lang: str, market: str) -> str:
    if lang == "en":
        return (
            f"{d.month:02d}/{d.day:02d}/{d.year}" if us_style(lang, market) else f"{d.day:02d}/{d.month:02d}/{d.year}"
        )
    if lang == "de":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if lang in ("fr", "it", "es"):
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if lang == "ja":
        return f"{d.year}/{d.month:02d}/{d.day:02d}"
    return f"{d.year}-{d.month:02d}-{d.day:02d}"


def weekday(d: date, lang: str) -> str:
    w = WEEKDAYS[lang if lang in WEEKDAYS else "en"][d.weekday()]
    return w


def t_fmt(t: datetime, lang: str, market: str) -> str:
    if us_style(lang, market):
        h = t.hour % 12 or 12
        return f"{h}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"
    if lang == "de":
        return f"{t.hour:02d}:{t.minute:02d} Uhr"
    if lang == "fr":
        return f"{t.hour:02d}h{t.minute:02d}" if False else f"{t.hour:02d}:{t.minute:02d}"
    return f"{t.hour:02d}:{t.minute:02d}"


def dt_num(t: datetime, lang: str, market: str) -> str:
    return f"{d_num(t.date(), lang, market)} {t_fmt(t, lang, market)}"


def iso_dt(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M")


CURRENCY = {
    "US": "USD",
    "CA": "CAD",
    "UK": "GBP",
    "DE": "EUR",
    "FR": "EUR",
    "IT": "EUR",
    "ES": "EUR",
    "JP": "JPY",
    "CN": "CNY",
    "AU": "AUD",
}


def money(amount: Decimal, market: str, style: str = "symbol") -> str:
    """Amount as the marketplace prints it. style: symbol | code (PayPal's '23,45 € EUR') | yen_kanji."""
    cur = CURRENCY[market]
    if cur == "JPY":
        s = f"{int(amount):,}"
        return f"{s}円" if style == "yen_kanji" else f"￥{s}"
    if cur == "CNY":
        return f"¥{amount:,.2f}"
    if cur == "EUR":
        whole, frac = f"{amount:.2f}".split(".")
        whole = f"{int(whole):,}".replace(",", ".")
        s = f"{whole},{frac} €"
        return s + " EUR" if style == "code" else s
    sym = {"USD": "$", "CAD": "CA$", "GBP": "£", "AUD": "A$"}[cur]
    s = f"{sym}{amount:,.2f}"
    return s + f" {cur}" if style == "code" else s


def amount_str(amount: Decimal, market: str) -> str:
    """The ground-truth decimal string (JPY has no minor unit)."""
    return str(int(amount)) if CURRENCY[market] == "JPY" else f"{amount:.2f}"
