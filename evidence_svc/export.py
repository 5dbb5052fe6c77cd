"""The claim log as CSV (`GET /v1/claims.csv`, `evidence export`): one line per claim with its order, reason,
when it was opened, when the response is due, its status, the latest report's errors and warnings, and whether
its evidence was ready.

Cells are written for spreadsheets a person opens: a cell starting with `=`, `+`, `-`, `@` (or a tab or carriage
return) would run as a formula, so it gets a leading apostrophe (OWASP's CSV-injection advice). Deadlines come
from the domain rule (rules.deadlines). `claims_csv` is a pure function of rows; `export_command` is the CLI's
thin wrapper around it (registered in cli.py).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Iterable, Optional

import typer

from .rules import deadlines

if TYPE_CHECKING:
    from .config import Settings

COLUMNS = ("order_id", "reason", "opened_at", "respond_by", "status", "errors", "warnings", "evidence_ready")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A cell's text that no spreadsheet runs as a formula."""
    text = "" if value is None else value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def claims_csv(rows: Iterable[tuple[Any, Any]], settings: Settings) -> str:
    """CSV text (with a header line) for (claim row, latest report row or None) pairs."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for claim, report in rows:
        due = deadlines(claim.opened_at, settings).respond_by
        line = (claim.order_id, claim.reason, claim.opened_at, due, claim.status,
                report.errors if report else None, report.warnings if report else None,
                ("yes" if report.ready else "no") if report else None)
        writer.writerow([safe_cell(v) for v in line])
    return out.getvalue()


def export_command(
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant (seller account) whose claims to export")],
    days: Annotated[int, typer.Option("--days", min=1, max=3650, help="Claims opened in the last N days")] = 90,
    out: Annotated[Optional[Path], typer.Option("-o", "--out", help="Write the CSV here (default: stdout)")] = None,
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir")] = None,
) -> None:
    """Export the claim log as CSV (order, reason, opened, respond-by, status, errors, warnings, evidence ready).
    导出索赔记录（CSV）。"""
    from .cli_common import load_settings, run_body
    from .errors import UsageError
    from .store import open_store, utcnow

    def body() -> None:
        settings = load_settings(data_dir=data_dir)
        store = open_store(settings)
        row = store.tenant_by_name(tenant)
        if row is None:
            raise UsageError(f"{tenant}: no such tenant (see `evidence keys list`)",
                             f"{tenant}：没有这个租户（见 `evidence keys list`）")
        text = claims_csv(store.claim_log(row.id, utcnow() - timedelta(days=days)), settings)
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.write_text(text, encoding="utf-8", newline="")

    run_body(body)
