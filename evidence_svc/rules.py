"""Domain rules every adapter shares: what an order ID looks like, which marketplaces exist, a claim's deadlines.

The CLI, claim folders (and so watch mode) and the HTTP API each validate input and show deadlines; they all ask
here, so a rule changes in one place and says the same thing (in English and Chinese) everywhere. Pure functions
over plain values: nothing here reads settings from the environment, touches a file or knows about an adapter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .config import Settings
from .model import MARKETPLACES

# Amazon order IDs are 3-7-7 digits: 112-1234567-1234567.
ORDER_ID_RE = re.compile(r"^\d{3}-\d{7}-\d{7}$")
ORDER_ID_PATTERN = ORDER_ID_RE.pattern


def is_order_id(value: str) -> bool:
    return bool(ORDER_ID_RE.match(value.strip()))


def order_id_problem(label: str, value: str) -> tuple[str, str]:
    """Why `value` (given as `label`, e.g. "--order" or "order_id") is refused, in English and Chinese."""
    return (f"{label} {value!r} is not an order ID (3-7-7 digits, e.g. 112-1234567-1234567)",
            f"{label} {value!r} 不是订单号（3-7-7 位数字，例如 112-1234567-1234567）")


def marketplace_code(value: str) -> str | None:
    """The marketplace code for `value` (case-insensitive, GB means UK), or None when there is no such marketplace."""
    code = value.strip().upper()
    code = "UK" if code == "GB" else code
    return code if code in MARKETPLACES else None


@dataclass(frozen=True)
class Deadlines:
    respond_by: datetime | None
    decision_expected_at: datetime | None


def as_utc(dt: datetime | None) -> datetime | None:
    """Aware UTC; a naive time is taken as UTC."""
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def deadlines(opened_at: datetime | None, settings: Settings) -> Deadlines:
    """When the seller must respond and when Amazon is expected to decide, counted from the claim's filing."""
    opened = as_utc(opened_at)
    if opened is None:
        return Deadlines(None, None)
    return Deadlines(respond_by=opened + timedelta(hours=settings.respond_within_hours),
                     decision_expected_at=opened + timedelta(days=settings.decision_after_days))
