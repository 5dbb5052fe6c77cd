"""Reply templates as data: loading `data/reply_templates/<lang>.toml`, choosing a variant, formatting facts.

Each language file is written on its own (not translated from English) and holds, per slot, several variants
of one sentence with `{placeholders}`. `pick(...)` keeps the variants whose placeholders are all known, prefers
those that state the most facts, and chooses one deterministically from a key (the claim's order ID and the
slot), so two claims of the same kind read differently while one claim always gets the same draft. Dates and
amounts are written the way the language (and marketplace) writes them, with babel. Nothing here decides which
facts are proven: that is `evidence.py`.
"""

from __future__ import annotations

import hashlib
import string
import tomllib
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency

from .evidence import common

LANGS = ("en", "de", "fr", "it", "es", "ja", "zh")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})  # a pasted reply box keeps plain spaces


@lru_cache(maxsize=None)
def templates(lang: str) -> dict[str, Any]:
    if lang not in LANGS:
        raise ValueError(f"no reply templates for language {lang!r}; known: {', '.join(LANGS)}")
    path = resources.files("evidence_svc").joinpath(f"data/reply_templates/{lang}.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def language_for(marketplace: str) -> str:
    return common()["languages"].get(marketplace.upper(), "en")


def locale_for(lang: str, marketplace: str) -> str:
    loc = common()["locales"]
    special = loc["marketplace"].get(marketplace.upper())
    return special if special and special.split("_")[0] == lang else loc[lang]


def fmt_date(d: date, lang: str, marketplace: str) -> str:
    return format_date(d, "long", locale=locale_for(lang, marketplace)).translate(_SPACES)


def fmt_money(amount: str, currency: str, lang: str, marketplace: str) -> str:
    text = format_currency(Decimal(amount), currency, locale=locale_for(lang, marketplace))
    return text.translate(_SPACES)


def carrier_name(carrier: str | None, lang: str) -> str | None:
    if not carrier or carrier == "Other":
        return None
    own = templates(lang).get("carriers", {})
    return own.get(carrier) or common()["carriers"].get(carrier, carrier)


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def choice(key: str, n: int) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % n


def pick(variants: list[str], values: dict[str, str], key: str) -> tuple[int, str] | None:
    """The variant for `key` among those whose placeholders all have values, preferring the most facts stated.
    Returns (its index in `variants`, the filled sentence), or None when no variant can be filled."""
    fit = [(i, v) for i, v in enumerate(variants) if fields(v) <= values.keys()]
    if not fit:
        return None
    most = max(len(fields(v)) for _, v in fit)
    best = [(i, v) for i, v in fit if len(fields(v)) == most]
    i, v = best[choice(key, len(best))]
    return i, v.format_map(values)


def slot(lang: str, path: str) -> Any:
    """`templates(lang)` at a dotted path ("opening.not_received"); None when the language lacks it."""
    node: Any = templates(lang)
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node
