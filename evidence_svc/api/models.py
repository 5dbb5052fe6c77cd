"""Request and response shapes of the HTTP API (`/v1`): the only shapes the routers accept or return.

Reports are the `evidence-report/1` models from model.py, returned as they are; what is here describes claims,
files and jobs as the service stores them, and the one error body every failure uses. Inputs are validated
strictly (lengths, patterns, dates in a sane range, the order-ID rule of rules.py) so that bad input is a 422
naming the field, never a 500. Store rows never leave the API as they are: mapping.py turns them into these.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ..model import MARKETPLACES, Reason
from ..rules import ORDER_ID_PATTERN, ORDER_ID_RE, order_id_problem

MarketplaceCode = Literal[MARKETPLACES]  # type: ignore[valid-type]
Target = Literal["amazon", "stripe", "paypal", "mastercard"]
ClaimStatus = Literal["draft", "checking", "ready", "needs_work", "failed"]
JobState = Literal["queued", "running", "done", "failed"]


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


# The pattern documents the year range in the schema (JSON Schema has no minimum for dates).
UtcDateTime = Annotated[datetime, AfterValidator(_utc), Field(json_schema_extra={"pattern": r"^20[0-9]{2}-"})]
# The pattern states the NUL rule in the schema too, so clients (and schemathesis) know it before the 422.
Text = Annotated[str, AfterValidator(_no_nul), Field(json_schema_extra={"pattern": r"^[^\x00]*$"})]
OrderId = Annotated[str, AfterValidator(_order_id), Field(json_schema_extra={"pattern": ORDER_ID_PATTERN},
                                                          examples=["112-1234567-1234567"])]
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
    status: ClaimStatus
    files: list[FileOut]
    report: ReportSummaryOut | None
    job: JobOut | None = Field(description="The latest check job")
    created_at: datetime
    updated_at: datetime


class ClaimPage(BaseModel):
    items: list[ClaimSummaryOut]
    total: int
    limit: int
    offset: int


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, machine-readable: not-found, unauthorized, file-too-large, ...")
    message: str
    message_zh: str | None = None
    details: Any = None


class ErrorBody(BaseModel):
    error: ErrorDetail
    request_id: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "error"]
    version: str
