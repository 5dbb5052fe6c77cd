"""Request and response shapes of the HTTP API (`/v1`): the only shapes the routers accept or return.

Reports are the `evidence-report/1` models from model.py, returned as they are; what is here describes claims,
files and jobs as the service stores them, and the one error body every failure uses. Inputs are validated
strictly (lengths, patterns, dates in a sane range, the order-ID rule of rules.py) so that bad input is a 422
naming the field, never a 500. Store rows never leave the API as they are: mapping.py turns them into these.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ..labels import LANGS
from ..model import MARKETPLACES, Reason
from ..rules import ORDER_ID_PATTERN, ORDER_ID_RE, order_id_problem
from ..store import EVENTS

MarketplaceCode = Literal[MARKETPLACES]  # type: ignore[valid-type]
Target = Literal["amazon", "stripe", "paypal", "mastercard"]
ClaimStatus = Literal["draft", "checking", "ready", "needs_work", "failed"]
JobState = Literal["queued", "running", "done", "failed"]
BundleLang = Literal[LANGS]  # type: ignore[valid-type]
EventName = Literal[EVENTS]  # type: ignore[valid-type]


def _utc(value: datetime) -> datetime:
    """Aware UTC (a naive time is taken as UTC), in the years 2000-2099 so deadline arithmetic cannot overflow."""
    if not 2000 <= value.year <= 2099:
        raise ValueError("the year must be between 2000 and 2099")
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:  # JSON may escape a lone UTF-16 surrogate ("\ud800"): not Unicode text, and no database can store it
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must not contain a lone UTF-16 surrogate (\\ud800-\\udfff): not valid Unicode") from None
    return value


def _order_id(value: str) -> str:
    """The 3-7-7 rule, with the message the CLI and claim folders give; the Chinese text rides in the error's
    context, where the 422 handler finds it."""
    if not ORDER_ID_RE.fullmatch(value):
        en, zh = order_id_problem("order_id", value)
        raise PydanticCustomError("order_id", "{message}", {"message": en, "message_zh": zh})
    return value


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone(value: str) -> str:
    if value not in _zones():
        raise PydanticCustomError("timezone", "{message}", {
            "message": f"{value!r} is not an IANA time zone (e.g. America/New_York, Asia/Shanghai)",
            "message_zh": f"{value!r} 不是 IANA 时区名（例如 America/New_York、Asia/Shanghai）"})
    return value


# The pattern documents the year range in the schema (JSON Schema has no minimum for dates).
UtcDateTime = Annotated[datetime, AfterValidator(_utc), Field(json_schema_extra={"pattern": r"^20[0-9]{2}-"})]
# The pattern states the NUL rule in the schema too, so clients (and schemathesis) know it before the 422.
Text = Annotated[str, AfterValidator(_no_nul), Field(json_schema_extra={"pattern": r"^[^\x00]*$"})]
OrderId = Annotated[str, AfterValidator(_order_id), Field(json_schema_extra={"pattern": ORDER_ID_PATTERN},
                                                          examples=["112-1234567-1234567"])]
# The schema lists the zones (an enum), so a client (and schemathesis) knows every accepted value before the 422.
TimeZone = Annotated[str, AfterValidator(_zone), Field(max_length=64, examples=["Asia/Shanghai"],
                                                       json_schema_extra={"enum": sorted(_zones())})]
TrackingNumber = Annotated[str, Field(min_length=4, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]*$",
                                      examples=["1Z999AA10123456784"])]


class MoneyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: str = Field(pattern=r"^\d{1,9}(\.\d{1,2})?$", examples=["23.45"])
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["USD"])


class ClaimIn(BaseModel):
    """A new claim: what the agent knows before looking at any evidence."""

    model_config = ConfigDict(extra="forbid")
    order_id: OrderId
    reason: Reason = Reason.not_received
    marketplace: MarketplaceCode = "US"
    tracking: list[TrackingNumber] = Field(default_factory=list, max_length=20)
    opened_at: UtcDateTime | None = Field(default=None, description="When the buyer filed the claim (the 48-hour "
                                          "clock starts here); a time without a zone is UTC")
    order_total: MoneyIn | None = None
    reply: Annotated[Text, Field(max_length=10_000)] | None = Field(default=None, description="Draft reply")
    target: Target = Field(default="amazon", description="Where the bundle will be uploaded (size and page limits)")
    bundle_lang: BundleLang | None = Field(default=None, description="Language of the bundle's cover page; "
                                           "default: the marketplace's (de, fr, ja, zh, else en)")
    timezone: TimeZone | None = Field(default=None, description="IANA time zone the seller reads deadlines in")


class ClaimPatch(BaseModel):
    """Changes to a claim: only the fields sent change. `null` clears `opened_at`, `order_total` and `timezone`,
    and resets `bundle_lang` to the marketplace's; the other fields cannot be null. Any change makes the claim a
    draft (its report no longer describes it) until it is checked again."""

    model_config = ConfigDict(extra="forbid")
    # Not Optional: null is refused (and the schema says so); None is only the "not sent" default, never validated.
    order_id: OrderId = None  # type: ignore[assignment]
    reason: Reason = None  # type: ignore[assignment]
    marketplace: MarketplaceCode = None  # type: ignore[assignment]
    tracking: list[TrackingNumber] = Field(default=None, max_length=20)  # type: ignore[assignment]
    target: Target = None  # type: ignore[assignment]
    opened_at: UtcDateTime | None = None
    order_total: MoneyIn | None = None
    bundle_lang: BundleLang | None = None
    timezone: TimeZone | None = None


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[Text, Field(max_length=10_000)] | None = Field(description="The draft reply; null clears it")


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: Target | None = Field(default=None, description="Bundle destination; default: the claim's")


class FileOut(BaseModel):
    id: str
    name: str = Field(description="The name the file was uploaded with (display only)")
    sha256: str
    bytes: int
    media_type: str | None = Field(description="Sniffed from the content once checked; null before")
    created_at: datetime


class FilesOut(BaseModel):
    files: list[FileOut]


class JobOut(BaseModel):
    id: str
    kind: str
    claim_id: str
    state: JobState
    attempts: int
    error: str | None
    reused: bool = Field(description="An identical earlier report (same claim, files and reply) was reused")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ReportSummaryOut(BaseModel):
    errors: int
    warnings: int
    ready: bool
    current: bool = Field(description="False when the claim changed after this report was made")
    created_at: datetime


class ClaimSummaryOut(BaseModel):
    id: str
    order_id: str
    reason: Reason
    marketplace: str
    status: ClaimStatus
    opened_at: datetime | None
    respond_by: datetime | None = Field(description="opened_at + the response window (48 h by default)")
    file_count: int
    created_at: datetime
    updated_at: datetime


class ClaimOut(BaseModel):
    id: str
    order_id: str
    reason: Reason
    marketplace: str
    tracking: list[str]
    opened_at: datetime | None
    respond_by: datetime | None
    decision_expected_at: datetime | None
    order_total: MoneyIn | None
    reply: str | None
    target: Target
    bundle_lang: str = Field(description="Language of the bundle's cover page")
    timezone: str | None = Field(description="IANA time zone the seller reads deadlines in; null: not set")
    status: ClaimStatus
    files: list[FileOut]
    report: ReportSummaryOut | None
    job: JobOut | None = Field(description="The latest check job")
    created_at: datetime
    updated_at: datetime


class ClaimPage(BaseModel):
    items: list[ClaimSummaryOut]
    total: int = Field(description="Claims matching the filters, on all pages")
    limit: int
    offset: int
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page (stable while claims are "
                                    "added); null on the last page")


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Control characters spelled out: JSON Schema tools and pydantic's regex engine disagree on what \s covers.
    url: str = Field(min_length=8, max_length=2000,
                     pattern=r"^https?://[^\x00-\x20\x7f-\x9f/?#@]+([/?#][^\x00-\x20\x7f-\x9f]*)?$",
                     examples=["https://erp.example.com/hooks/evidence"],
                     description="http(s) URL on a public address (loopback and private networks are refused)")
    events: list[EventName] = Field(min_length=1, max_length=len(EVENTS),
                                    description="Events to send: " + ", ".join(EVENTS))


class WebhookOut(BaseModel):
    id: str
    url: str
    events: list[str]
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="The signing secret, shown only in this answer: keep it to verify the "
                        "`Evidence-Signature` header")


class WebhooksOut(BaseModel):
    webhooks: list[WebhookOut]


class DeliveryOut(BaseModel):
    id: str
    event: str
    state: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status: int | None = Field(description="HTTP status of the last attempt; null if no answer came")
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    payload: Any = Field(description="The event exactly as sent (the signed body, parsed)")


class DeliveriesOut(BaseModel):
    deliveries: list[DeliveryOut]


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, machine-readable: not-found, unauthorized, file-too-large, ...")
    message: str = Field(description="For a person, in English")
    message_zh: str = Field(description="The same in Simplified Chinese; present on every error")
    details: Any = None


class ErrorBody(BaseModel):
    error: ErrorDetail
    request_id: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "error"]
    version: str
