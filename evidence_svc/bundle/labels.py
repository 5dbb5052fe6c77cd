"""The bundle's texts in the reader's language, and how money and dates are written on it.

Texts come from the one label catalogue (`evidence_svc.labels`, `data/labels.toml`): the bundle's own texts, the
shared terms, claim reasons, exhibit roles and carrier names. This module only picks the language and fills
placeholders. Dates stay ISO 8601 in every language; amounts use the language's number format via babel.
"""

from __future__ import annotations

from datetime import datetime, timezone

from babel.numbers import format_currency

from ..labels import LANGS, labels_for

__all__ = ["LANGS", "Labels", "when"]


class Labels:
    """`labels["exhibit"]`, `labels.fmt("delivered", date=..., carrier=...)`, `labels.reason("damaged")`,
    `labels.role("photos")`. A key is looked up in the bundle's texts, then in the shared terms."""

    def __init__(self, lang: str = "en") -> None:
        if lang not in LANGS:
            raise ValueError(f"bundle language {lang!r} is not available; choose one of {', '.join(LANGS)}")
        self.lang = lang
        table = labels_for(lang)
        self._t = {**table["terms"], **table["bundle"]}
        self._reasons = table["reasons"]
        self._roles = table["roles"]
        self.carriers = table.get("carriers", {})
        self._stores = table.get("marketplaces", {})

    def __getitem__(self, key: str) -> str:
        return self._t[key]

    def fmt(self, key: str, **values: object) -> str:
        return self._t[key].format(**values)

    def reason(self, reason: str) -> str:
        return self._reasons.get(reason, reason.replace("_", " "))

    def role(self, role: str | None) -> str:
        return self._roles.get(role or "other", self._roles["other"])

    def marketplace(self, code: str) -> str:
        return self._stores.get(code.upper(), code)

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
