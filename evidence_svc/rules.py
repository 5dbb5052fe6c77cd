"""Domain rules every adapter shares: what an order ID looks like, which marketplaces exist, a claim's deadlines.

The CLI, claim folders (and so watch mode) and the HTTP API each validate input and show deadlines; they all ask
here, so a rule changes in one place and says the same thing (in English and Chinese) everywhere. Deadlines stay
UTC in data; `local_time` shows them in the seller's zone. Pure functions over plain values: nothing here touches a
file or knows about an adapter; the one look at the machine is `system_zone_name` (the default zone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .model import MARKETPLACES

if TYPE_CHECKING:  # settings are passed in; importing pydantic-settings here would slow `evidence --help`
    from .config import Settings

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


# --- the seller's time zone ---------------------------------------------------------------------------------------
# Deadlines are kept in UTC (reports, JSON, the bundle); text meant for the seller shows them in the seller's zone.
BEIJING_ZONES = ("Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin", "PRC")
UTC_NAMES = ("UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu", "GMT", "Etc/GMT")


def zone_problem(label: str, name: str) -> tuple[str, str] | None:
    """Why `name` (given as `label`, e.g. "--tz") is not an IANA time zone, in English and Chinese; None if it is."""
    try:
        ZoneInfo(name.strip())
        return None
    except (ZoneInfoNotFoundError, ValueError):
        return (f"{label} {name!r} is not a time zone; give an IANA name such as Asia/Shanghai, Europe/Berlin or UTC",
                f"{label} {name!r} 不是有效的时区；请使用 IANA 时区名，例如 Asia/Shanghai、Europe/Berlin 或 UTC")


def system_zone_name() -> str:
    """The machine's IANA zone (tzlocal reads TZ, /etc/localtime and the platform's settings); UTC if unknown."""
    try:
        import tzlocal

        name = tzlocal.get_localzone_name()
        return name if name and zone_problem("", name) is None else "UTC"
    except Exception:  # no zone configured at all (a bare container): deadlines read in UTC
        return "UTC"


def seller_zone(name: str | None) -> ZoneInfo:
    """The zone a seller reads deadlines in: `name`, else the system's; a name that is not a zone reads as UTC."""
    try:
        return ZoneInfo((name or system_zone_name()).strip())
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def zone_label(zone: ZoneInfo, lang: str) -> str:
    """How a reader is told the zone: "UTC", "北京时间" (zh, China's zone), otherwise the IANA name."""
    if zone.key in UTC_NAMES:
        return "UTC"
    if lang == "zh" and zone.key in BEIJING_ZONES:
        return "北京时间"
    return zone.key


def local_time(dt: datetime | None, zone_name: str | None, lang: str) -> str:
    """A deadline as the seller reads it, e.g. "2026-11-26 17:00 北京时间" or "2026-11-26 10:00 Europe/Berlin"."""
    if dt is None:
        return ""
    zone = seller_zone(zone_name)
    return f"{as_utc(dt).astimezone(zone):%Y-%m-%d %H:%M} {zone_label(zone, lang)}"  # type: ignore[union-attr]
