"""The bundle's fixed texts in the reader's language, and how money and dates are written on it.

Texts are data (`data/bundle_labels.toml`); this module only picks the language and fills placeholders. Dates stay
ISO 8601 in every language; amounts use the language's number format via babel.
"""

from __future__ import annotations

import tomllib
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources

from babel.numbers import format_currency

LANGS = ("en", "de", "fr", "ja", "zh")


@lru_cache(maxsize=1)
def _all() -> dict[str, dict]:
    text = resources.files("evidence_svc").joinpath("data/bundle_labels.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


class Labels:
    """`labels["exhibit"]`, `labels.fmt("page_of", n=1, total=3)`, `labels.reason("damaged")`."""

    def __init__(self, lang: str = "en") -> None:
        table = _all()
        if lang not in table:
            raise ValueError(f"bundle language {lang!r} is not available; choose one of {', '.join(LANGS)}")
        self.lang = lang
        self._t = table[lang]

    def __getitem__(self, key: str) -> str:
        return self._t[key]

    def fmt(self, key: str, **values: object) -> str:
        return self._t[key].format(**values)

    def reason(self, reason: str) -> str:
        return self._t["reasons"].get(reason, reason)

    def kind(self, kind: str | None) -> str:
        return self._t["kinds"].get(kind or "other", self._t["kinds"]["other"])

    def money(self, amount: str, currency: str) -> str:
        try:
            return format_currency(amount, currency, locale=self._t["locale"])
        except Exception:  # babel rejects odd currency codes or amounts: print them as they are
            return f"{amount} {currency}"


def when(value: datetime | None) -> str:
    """A claim time as 'YYYY-MM-DD HH:MM UTC' (or without zone when the time had none)."""
    if value is None:
        return "—"
    if value.tzinfo is not None:
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return value.strftime("%Y-%m-%d %H:%M")
