"""The data contract: pydantic models for claims, pages, words, findings, facts and reports.

Everything that crosses a boundary (CLI JSON, HTTP, watch-mode `report.json`, the store, task-engine messages)
is one of these models. The JSON shape is the `evidence-report/1` contract (README "Report schema"): fields may be
added, never renamed or removed without bumping `SCHEMA`. This module holds data only, no behaviour beyond
small derived properties.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

SCHEMA = "evidence-report/1"

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in page pixels (top-left origin)


class Severity(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


class Reason(str, Enum):
    not_received = "not_received"
    damaged = "damaged"  # not as described / damaged / defective
    not_as_described = "not_as_described"
    refund_not_received = "refund_not_received"
    promise_not_kept = "promise_not_kept"


# The marketplaces the service knows: the one list (CLI, claim folders, API and settings maps all use it).
MARKETPLACES: tuple[str, ...] = ("US", "CA", "MX", "UK", "DE", "FR", "IT", "ES", "NL", "SE", "PL", "JP", "AU", "CN")


class Money(BaseModel):
    amount: str  # decimal string, e.g. "23.45"
    currency: str  # ISO 4217


class Claim(BaseModel):
    """What the seller knows about the claim before looking at any evidence."""

    model_config = ConfigDict(extra="forbid")

    order_id: str
    reason: Reason = Reason.not_received
    marketplace: str = "US"
    tracking: list[str] = Field(default_factory=list)
    opened_at: datetime | None = None
    order_total: Money | None = None
    reply: str | None = None
    timezone: str | None = None  # IANA zone the seller reads deadlines in (e.g. Asia/Shanghai); None: the system's


class ClaimInfo(BaseModel):
    """The claim as printed in a report, with derived deadlines."""

    order_id: str
    reason: Reason
    marketplace: str
    tracking: list[str] = Field(default_factory=list)
    opened_at: datetime | None = None
    respond_by: datetime | None = None
    decision_expected_at: datetime | None = None
    order_total: Money | None = None
    timezone: str | None = None  # the IANA zone text reports show deadlines in (the datetimes here stay UTC)


class Word(BaseModel):
    """One word on a page, from OCR or from a PDF's text layer."""

    text: str
    box: Box
    conf: float = 100.0  # 0..100; 100 for PDF text
    line: int = 0  # words with the same `line` on a page form one text line, in reading order


class EmbeddedImage(BaseModel):
    """An image drawn on a PDF page, with the resolution it is shown at."""

    box: Box  # in page pixels at the page's `dpi`
    dpi: float  # effective: image pixels / displayed inches (the smaller of x and y)
    pixel_width: int
    pixel_height: int


class Page(BaseModel):
    index: int  # 0-based
    width: int  # pixels of the raster the checks looked at
    height: int
    dpi: float | None = None  # raster resolution; None for an image without density information
    text_source: Literal["pdf-text", "ocr"] = "ocr"
    ocr_confidence: float | None = None  # mean word confidence 0..100
    words: list[Word] = Field(default_factory=list, exclude=True)  # not in the report JSON: too large
    images: list[EmbeddedImage] = Field(default_factory=list, exclude=True)


class Finding(BaseModel):
    code: str
    severity: Severity
    message: str
    message_zh: str
    page: int | None = Field(default=None, description="0-based page index within the file (like Page.index); "
                             "`page_number` is the 1-based number the text report and the bundle print")
    value: float | str | None = None
    threshold: float | str | None = None
    box: Box | None = None
    hint: str | None = None  # what to do, English
    hint_zh: str | None = None

    @computed_field(description="1-based page number, as the text report and the bundle print it")  # type: ignore
    @property
    def page_number(self) -> int | None:
        return None if self.page is None else self.page + 1


class TrackingFact(BaseModel):
    number: str
    carrier: str
    checksum_ok: bool | None = None
    page: int | None = None
    box: Box | None = None
    source: Literal["ocr", "pdf-text", "barcode"] = "ocr"
    # UPU S10 numbers (LX...CN): the postal service that issued the number; `carrier` is who the page shows
    # carrying it (Yanwen, 4PX ... or that same postal service). None for other formats.
    issuer: str | None = None


class DeliveryFact(BaseModel):
    status: Literal["delivered", "in_transit", "exception"] | None = None
    date: str | None = None  # YYYY-MM-DD
    location: str | None = None
    page: int | None = None
    box: Box | None = None


class RefundFact(BaseModel):
    amount: str
    currency: str
    date: str | None = None
    page: int | None = None
    box: Box | None = None


class TimestampFact(BaseModel):
    text: str
    value: str  # ISO 8601 (date, or date-time)
    page: int | None = None
    box: Box | None = None


class OrderIdFact(BaseModel):
    value: str
    page: int | None = None
    box: Box | None = None


class Facts(BaseModel):
    order_ids: list[str] = Field(default_factory=list)
    tracking: list[TrackingFact] = Field(default_factory=list)
    delivery: DeliveryFact = Field(default_factory=DeliveryFact)
    refunds: list[RefundFact] = Field(default_factory=list)
    timestamps: list[TimestampFact] = Field(default_factory=list)
    # Where each order ID was seen (for highlights); not part of the minimal contract but stable.
    order_id_hits: list[OrderIdFact] = Field(default_factory=list)


class FileReport(BaseModel):
    file_id: str | None = None  # the HTTP API's ID of the file (/v1/claims/{id}/files/{file_id}); None elsewhere
    name: str
    sha256: str
    media_type: str | None = None
    bytes: int
    status: Literal["pass", "warn", "fail"] = "pass"
    pages: list[Page] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    facts: Facts = Field(default_factory=Facts)
    kind: str | None = None  # delivery | refund | messages | order | other: what the file shows

    def derive_status(self) -> "FileReport":
        sev = {f.severity for f in self.findings}
        self.status = "fail" if Severity.error in sev else "warn" if Severity.warning in sev else "pass"
        return self


class ReplyReport(BaseModel):
    text: str | None = None
    findings: list[Finding] = Field(default_factory=list)


class BundleInfo(BaseModel):
    path: str
    pages: int
    bytes: int
    sha256: str
    target: str = "amazon"
    exhibits: int = 0


class Summary(BaseModel):
    errors: int
    warnings: int
    ready: bool


class ClaimReport(BaseModel):
    schema_: str = Field(default=SCHEMA, alias="schema")
    claim: ClaimInfo
    files: list[FileReport] = Field(default_factory=list)
    claim_findings: list[Finding] = Field(default_factory=list)
    reply: ReplyReport = Field(default_factory=ReplyReport)
    bundle: BundleInfo | None = None
    summary: Summary = Field(default_factory=lambda: Summary(errors=0, warnings=0, ready=False))
    generated_at: datetime | None = None

    model_config = ConfigDict(populate_by_name=True)

    def all_findings(self) -> list[Finding]:
        out = [f for fr in self.files for f in fr.findings]
        return out + self.claim_findings + self.reply.findings

    def summarise(self) -> "ClaimReport":
        found = self.all_findings()
        errors = sum(f.severity == Severity.error for f in found)
        warnings = sum(f.severity == Severity.warning for f in found)
        self.summary = Summary(errors=errors, warnings=warnings, ready=errors == 0 and bool(self.files))
        return self

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2)
