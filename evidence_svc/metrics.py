"""Prometheus metrics for `GET /metrics`: files processed, OCR seconds, queue depth, errors by finding code, HTTP.

One registry per process (not prometheus_client's global one, so tests can build many apps). Counters are
incremented where the work happens (jobs.py, the API); the OCR seconds come from the pipeline's own counters
(stats.py) and the queue depth from the store, both read when the metrics are scraped.
"""

from __future__ import annotations

from typing import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from .model import ClaimReport, FileReport, Severity
from .stats import STATS

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # process_resident_memory_bytes, open fds, CPU seconds
PlatformCollector(registry=REGISTRY)

FILES = Counter("evidence_files_processed", "Evidence files checked, by verdict", ["status"], registry=REGISTRY)
ERRORS = Counter("evidence_errors", "Error findings raised, by finding code", ["code"], registry=REGISTRY)
JOBS = Counter("evidence_jobs_finished", "Check jobs finished, by outcome (done, reused, failed)", ["outcome"],
               registry=REGISTRY)
QUEUE = Gauge("evidence_queue_depth", "Check jobs waiting to run", registry=REGISTRY)
RUNNING = Gauge("evidence_jobs_running", "Check jobs running", registry=REGISTRY)
HTTP = Counter("evidence_http_requests", "HTTP requests, by route and status", ["method", "route", "status"],
               registry=REGISTRY)
LATENCY = Histogram("evidence_http_request_seconds", "HTTP request latency", ["method", "route"], registry=REGISTRY,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
UPLOADED = Counter("evidence_upload_bytes", "Bytes of evidence files accepted", registry=REGISTRY)


class _PipelineCollector:
    """The pipeline counts pages and OCR seconds itself (in the parent, from what workers send back)."""

    def collect(self) -> Iterable[Metric]:
        ocr = CounterMetricFamily("evidence_ocr_seconds", "Seconds spent in OCR (tesseract), cache hits excluded")
        pages = CounterMetricFamily("evidence_pages_processed", "Pages rendered and checked")
        ocr.add_metric([], float(STATS.ocr_seconds))
        pages.add_metric([], float(STATS.pages))
        return [ocr, pages]


REGISTRY.register(_PipelineCollector())


def count_files(files: Iterable[FileReport]) -> None:
    for fr in files:
        FILES.labels(fr.status).inc()
        for f in fr.findings:
            if f.severity == Severity.error:
                ERRORS.labels(f.code).inc()


def count_report(report: ClaimReport) -> None:
    count_files(report.files)
    for f in report.claim_findings + report.reply.findings:
        if f.severity == Severity.error:
            ERRORS.labels(f.code).inc()


def render(job_counts: Callable[[], dict[str, int]]) -> tuple[bytes, str]:
    """The exposition text, with the queue gauges refreshed from the store."""
    counts = job_counts()
    QUEUE.set(counts.get("queued", 0))
    RUNNING.set(counts.get("running", 0))
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
