"""Settings: every limit, threshold, language map, path and URL, read once and passed down.

Values come from (highest first) explicit overrides, `EVIDENCE_*` environment variables, a TOML file named by
`EVIDENCE_CONFIG`, then the defaults below. Stages receive a `Settings` object; none of them reads the
environment itself.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "evidence-svc"


# Tesseract languages per marketplace; English is added everywhere because carrier pages mix it in.
OCR_LANGS: dict[str, str] = {
    "US": "eng", "CA": "eng+fra", "UK": "eng", "AU": "eng", "MX": "spa+eng",
    "DE": "deu+eng", "FR": "fra+eng", "IT": "ita+eng", "ES": "spa+eng",
    "NL": "eng+deu", "SE": "eng", "PL": "eng", "JP": "jpn+eng", "CN": "chi_sim+eng",
}

# Language for parsing dates and rules, and day/month order for ambiguous numeric dates.
MARKETPLACE_LOCALE: dict[str, tuple[str, str]] = {
    "US": ("en", "MDY"), "CA": ("en", "YMD"), "UK": ("en", "DMY"), "AU": ("en", "DMY"), "MX": ("es", "DMY"),
    "DE": ("de", "DMY"), "FR": ("fr", "DMY"), "IT": ("it", "DMY"), "ES": ("es", "DMY"), "NL": ("nl", "DMY"),
    "SE": ("sv", "YMD"), "PL": ("pl", "DMY"), "JP": ("ja", "YMD"), "CN": ("zh", "YMD"),
}

MARKETPLACE_CURRENCY: dict[str, str] = {
    "US": "USD", "CA": "CAD", "MX": "MXN", "UK": "GBP", "DE": "EUR", "FR": "EUR", "IT": "EUR", "ES": "EUR",
    "NL": "EUR", "SE": "SEK", "PL": "PLN", "JP": "JPY", "AU": "AUD", "CN": "CNY",
}

EU_UK_MARKETPLACES = frozenset({"UK", "DE", "FR", "IT", "ES", "NL", "SE", "PL"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EVIDENCE_", extra="ignore")

    # --- limits, enforced before expensive work
    max_file_bytes: int = 10 * 1024 * 1024
    max_image_pixels: int = 50_000_000
    max_pdf_pages: int = 50
    max_upload_bytes: int = 25 * 1024 * 1024  # HTTP request body cap (a file plus the form around it)

    # --- rasterisation and OCR
    raster_dpi_cap: int = 300
    raster_dpi_default: int = 200  # scanned page whose image resolution cannot be told
    ocr_timeout_s: float = 120.0
    ocr_lang: str | None = None  # overrides the marketplace's languages
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1)
    cache_dir: Path = Field(default_factory=_default_cache_dir)
    ocr_engine: str = "tesserocr"  # "tesserocr" (libtesseract in-process) or "cli"; see bench/bench_ocr_engine.py
    # OCR at 2x (boxes mapped back) when the median glyph height is below this many pixels; 0 = never.
    # Small UI text (11-13 px fonts) reads better doubled; large or noisy text reads worse (bench_ocr_engine.py).
    ocr_upscale_below_glyph_px: float = 10.5
    # A page in Chinese or Japanese read with languages that lack them (a Cainiao page on amazon.com) is read again
    # with chi_sim+eng or jpn+eng when a cheap probe of its unreadable words says so (evidence_svc/ocr/fallback.py).
    ocr_script_fallback: bool = True

    # --- validator thresholds (calibrated on bench/calibration; see README "Accuracy")
    # text cap height (px) below this, and mostly unread by OCR: low-resolution. At min_glyph_height_px the rule
    # adds nothing: browser pages at 67 % zoom (cap 6.9-7.4 px) read fine at 100 % while OCR reads only 48-70 %
    # of their text, so the read share does not tell readable from unreadable at these sizes (both labelled sets)
    min_text_height_px: float = 6.5
    min_image_pixels: int = 200_000  # smaller images are flagged when their text is unread (tiny ones: always)
    min_pdf_image_dpi: float = 150.0
    # 0..100 (validators/blur.py). Both labelled sets: blurry <= 64.5 (a defocused 200-dpi scan), readable >= 71.8
    # (a 3x phone screenshot with a 2.5 px blur on 35 px words)
    blur_min_sharpness: float = 68.0
    timestamp_edge_px: int = 3  # a date/time word box this close to an edge (and its ink at the edge): cropped
    duplicate_phash_distance: int = 4
    order_match_min_similarity: float = 90.0
    # (validators/: resolution, blur, timestamp, order_match; calibrated with bench/calibrate.py)
    min_pdf_image_area_fraction: float = 0.2  # embedded images covering less of the page are decoration
    min_glyph_height_px: float = 6.5  # text cap height (px) below this is unreadable even when OCR guessed at it
    # Japanese/Chinese marketplaces: glyph height (px, ideographs ~ the em) below this, and mostly unread by OCR,
    # is low-resolution. Labelled sets: unreadable CJK pages measure 7.0, the smallest readable one 10.8
    min_cjk_text_height_px: float = 8.5
    blur_min_words: int = 3  # fewer measurable OCR words: judge sharpness on the unread ink rows instead
    blur_min_content_sharpness: float = 35.0  # no words, no glyph rows: the sharpest tiles must reach this
    timestamp_corner_fraction: float = 0.3  # unread text cut by a side edge counts this close to a corner
    order_missing_min_words: int = 3  # fewer readable words (a photo of an item): no order-missing warning

    # --- claim windows (Amazon's own pages disagree: 48 h vs 3 calendar days)
    respond_within_hours: float = 48.0
    respond_warn_hours: float = 12.0
    decision_after_days: float = 10.0
    date_window_days_before: int = 120  # facts' dates outside [opened_at - before, opened_at + after] are ignored
    date_window_days_after: int = 30

    # --- reply lint
    reply_reuse_min_ratio: float = 90.0  # rapidfuzz ratio (0..100) to an earlier reply at or above which it is reused
    reply_min_substance_words: int = 6  # words left after greetings/apologies below which a reply says nothing

    # --- bundle (destination limits live in data/destinations.toml; these override them)
    bundle_destinations: Path | None = None  # TOML that changes or adds destinations
    bundle_max_bytes: int | None = None  # overrides the target's byte budget
    bundle_max_pages: int | None = None  # overrides the target's page limit
    bundle_min_text_px: float = 12.0  # recompression never shrinks OCR'd word height below this (pixels)

    # --- storage and services
    data_dir: Path = Path("./data")
    database_url: str | None = None  # default: sqlite under data_dir
    broker_url: str | None = None  # set (redis://...) to run jobs on Celery workers
    blob_dir: Path | None = None  # default: data_dir / "blobs"; shared storage when scaled out
    # HTTP service and its embedded job pool (api/, jobs.py)
    job_workers: int = 2  # claims checked at once in-process; each check spreads its pages over `workers` processes
    job_max_attempts: int = 3  # a job whose process died this often is failed instead of retried (a poison file)
    job_lease_s: float = 60.0  # a running job's owner renews this lease; an expired lease means its owner died
    lint_concurrency: int = 2  # synchronous POST /v1/lint checks at once; more callers wait their turn
    max_json_bytes: int = 1024 * 1024  # body cap for requests that are not file uploads
    cors_origins: list[str] = Field(default_factory=list)  # CORS stays off unless origins are listed
    log_json: bool = True  # structured JSON log lines (request IDs, no keys); False: plain text for a terminal
    # Celery workers (used only when broker_url is set). The visibility timeout is how long Redis waits before it
    # hands an unacknowledged task to another worker, so it must exceed the hard time limit: a shorter one would run
    # a slow claim twice at once. The soft limit lets the task record a failure before the hard limit kills it.
    task_soft_time_limit_s: float = 900.0
    task_time_limit_s: float = 960.0
    broker_visibility_timeout_s: float = 3600.0
    task_max_retries: int = 5  # transient errors only (database, broker, shared storage); a bad file is a finding
    task_retry_backoff_max_s: float = 300.0
    # Webhooks (evidence_svc/webhooks/): loopback, private, link-local and multicast targets are refused (at
    # registration and again at every delivery, against DNS rebinding) unless allowed: a LAN receiver, tests.
    webhook_allow_private: bool = False
    webhook_retry_base_s: float = 10.0  # first retry after this; doubled per attempt up to webhook_retry_max_s
    webhook_retry_max_s: float = 3600.0
    webhook_max_attempts: int = 15  # then the delivery is marked failed (about a day of retries by default)
    webhook_timeout_s: float = 10.0
    webhook_poll_s: float = 1.0  # how often the outbox is looked at for due deliveries
    webhook_concurrency: int = 4  # webhooks sent to at once by the service's own loop (one at a time each)
    webhook_log_days: int = 30  # delivered and failed deliveries older than this leave the log
    webhook_max_per_tenant: int = 20  # more is refused with 409

    def ocr_langs_for(self, marketplace: str) -> str:
        return self.ocr_lang or OCR_LANGS.get(marketplace.upper(), "eng")

    def locale_for(self, marketplace: str) -> tuple[str, str]:
        return MARKETPLACE_LOCALE.get(marketplace.upper(), ("en", "MDY"))

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'evidence.db').resolve()}"

    @property
    def blobs(self) -> Path:
        return self.blob_dir or self.data_dir / "blobs"


def load_settings(**overrides: object) -> Settings:
    """Settings from defaults < TOML file ($EVIDENCE_CONFIG) < environment < explicit overrides."""
    file_values: dict[str, object] = {}
    cfg = os.environ.get("EVIDENCE_CONFIG")
    if cfg and Path(cfg).is_file():
        file_values = tomllib.loads(Path(cfg).read_text(encoding="utf-8"))
    env_set = {k[len("EVIDENCE_"):].lower() for k in os.environ if k.startswith("EVIDENCE_")}
    base = {k: v for k, v in file_values.items() if k not in env_set}
    base.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**base)
