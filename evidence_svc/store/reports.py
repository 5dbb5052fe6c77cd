"""Reports and bundles: what a check of a claim produced, read back by ID, by fingerprint or per claim.

Reports are written only by `JobRepo.finish_job` (in the same transaction that marks the job done); this module
only reads them. A report is stored once per (claim, input fingerprint), so an identical re-check reuses it.
"""

from __future__ import annotations

from sqlalchemy import func, select

from .db import Sessions
from .rows import BundleRow, ReportRow


class ReportRepo(Sessions):
    """Reading reports and their bundles."""

    def get_report(self, report_id: str) -> ReportRow | None:
        with self._read() as s:
            return s.get(ReportRow, report_id)

    def report_by_fingerprint(self, claim_id: str, fingerprint: str) -> ReportRow | None:
        with self._read() as s:
            return s.scalar(select(ReportRow).where(ReportRow.claim_id == claim_id,
                                                    ReportRow.fingerprint == fingerprint))

    def bundle_for_report(self, report_id: str) -> BundleRow | None:
        with self._read() as s:
            return s.scalar(select(BundleRow).where(BundleRow.report_id == report_id))

    def count_reports(self, claim_id: str) -> int:
        with self._read() as s:
            return s.scalar(select(func.count()).select_from(ReportRow).where(ReportRow.claim_id == claim_id)) or 0
