"""Finding texts in English and Simplified Chinese, and the one way to make a `Finding`.

The texts live in `data/messages.toml` (data, not code); every stage builds findings through `finding()`, so
no message is written twice and each one exists in both languages. A code may carry more than one "what to do"
text (`fix_<variant>_en`/`_zh`, e.g. `respond-by`'s `fix_late_*` once the deadline has passed), chosen with `fix=`,
and more than one message (`<variant>_en`/`_zh`, e.g. `duplicate-file`'s `later_*`), chosen with `text=`.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

from .model import Box, Finding, Severity

EDGE_ZH = {"top": "上", "bottom": "下", "left": "左", "right": "右"}


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    text = resources.files("evidence_svc").joinpath("data/messages.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _fmt(template: str, values: dict[str, Any]) -> str:
    return template.format_map(_Blank({k: _show(v) for k, v in values.items()}))


def _show(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}" if abs(v) < 1e6 else f"{v:,.0f}"
    if isinstance(v, int) and abs(v) >= 1e6:
        return f"{v:,}"
    return str(v)


def finding(
    code: str,
    *,
    severity: Severity | str | None = None,
    page: int | None = None,
    value: float | str | None = None,
    threshold: float | str | None = None,
    box: Box | None = None,
    fix: str | None = None,
    text: str | None = None,
    **details: Any,
) -> Finding:
    """A finding with its texts filled in. `details` fill code-specific placeholders (detail, detail_zh, edge...)."""
    entry = catalogue()[code]
    if "edge" in details and "edge_zh" not in details:
        details["edge_zh"] = EDGE_ZH.get(details["edge"], details["edge"])
    values = {"value": value, "threshold": threshold, "page": None if page is None else page + 1, **details}
    values.setdefault("detail_zh", details.get("detail", ""))
    values.setdefault("value_zh", value)
    return Finding(
        code=code,
        severity=Severity(severity or entry["severity"]),
        message=_fmt(entry[f"{text}_en" if text else "en"], values),
        message_zh=_fmt(entry[f"{text}_zh" if text else "zh"], values),
        page=page,
        value=value,
        threshold=threshold,
        box=tuple(int(c) for c in box) if box is not None else None,
        hint=_fmt(entry[f"fix_{fix}_en" if fix else "fix_en"], values),
        hint_zh=_fmt(entry[f"fix_{fix}_zh" if fix else "fix_zh"], values),
    )
