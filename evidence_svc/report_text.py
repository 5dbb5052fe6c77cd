"""The human report: a claim report rendered as text, in English or Simplified Chinese.

Grouped per file: verdict, findings with a "what to do" line, and a short facts block; then the claim-level
findings, the reply findings, what the evidence proves and what is missing, and a summary line (past the response
deadline: what to do when late, not "fix the errors first"). Deadlines are shown in the seller's zone
(`report.claim.timezone`; zh says 北京时间 for China's). Its words and its punctuation (full-width in zh) come from
the one label catalogue (`labels.py`, `data/labels.toml`), shared with the bundle and the web page. Pure: it turns
a `ClaimReport` into a string (with or without colour); printing is the adapter's business.
"""

from __future__ import annotations

from datetime import datetime, timezone

from rich.console import Console
from rich.markup import escape

from .claim_checks import span
from .labels import labels_for
from .model import ClaimReport, FileReport, Finding, Severity
from .rules import local_time


def _report_labels(lang: str) -> dict[str, str]:
    """The report's texts from the one label catalogue, with the claim reasons and file roles beside them."""
    table = labels_for(lang)
    return {**table["report"], **{f"reason:{k}": v for k, v in table["reasons"].items()},
            **{f"role:{k}": v for k, v in table["roles"].items()},
            **{f"carrier:{k}": v for k, v in table["carriers"].items()}}


LABELS = {lang: _report_labels(lang) for lang in ("en", "zh")}

MARK = {Severity.error: "[red]✗[/]", Severity.warning: "[yellow]![/]", Severity.info: "[blue]i[/]"}
STATUS_STYLE = {"pass": "green", "warn": "yellow", "fail": "red"}


def render_text(report: ClaimReport, lang: str = "en", *, color: bool = False, width: int = 100,
                now: datetime | None = None) -> str:
    console = Console(record=True, width=width, color_system="standard" if color else None,
                      force_terminal=color, file=_Null())
    for line in _lines(report, lang if lang in LABELS else "en", now or datetime.now(timezone.utc)):
        console.print(line, highlight=False, soft_wrap=True)
    return console.export_text(styles=color)


class _Null:
    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def _lines(report: ClaimReport, lang: str, now: datetime) -> list[str]:
    t = LABELS[lang]
    c = report.claim
    reason = t.get(f"reason:{c.reason.value}", c.reason.value)
    out = [f"[bold]{t['claim']} {escape(c.order_id)}[/] · {reason} · {c.marketplace}"]
    if c.respond_by:
        zone = c.timezone
        out.append(f"  {t['respond_by']} {local_time(c.respond_by, zone, lang)}{t['open']}"
                   f"{_left(c.respond_by, now, lang)}{t['close']}"
                   + (f" · {t['decision']} {local_time(c.decision_expected_at, zone, lang)}"
                      if c.decision_expected_at else ""))
    out.append("")
    if not report.files:
        out.append(f"  {t['no_files']}")
    for fr in report.files:
        out.extend(_file_lines(fr, lang))
    if report.claim_findings:
        out.append(f"[bold]{t['claim_checks']}[/]")
        out.extend(_finding_lines(report.claim_findings, lang))
        out.append("")
    if report.reply.findings:
        out.append(f"[bold]{t['reply']}[/]")
        out.extend(_finding_lines(report.reply.findings, lang))
        out.append("")
    proves, missing = _proof(report, lang)
    out.append(f"{t['proves']}{t['colon']}{escape(t['sep'].join(proves)) if proves else t['nothing']}")
    if missing:
        out.append(f"{t['missing']}{t['colon']}{t['sep'].join(missing)}")
    if report.bundle:
        size = t["bundle_size"].format(pages=report.bundle.pages, bytes=report.bundle.bytes)
        out.append(f"{t['bundle']}{t['colon']}{escape(report.bundle.path)}{t['open']}{size}{t['close']}")
    s = report.summary
    late = any(f.code == "respond-by" and f.severity == Severity.error for f in report.claim_findings)
    verdict = f"[red]{t['late']}[/]" if late else f"[green]{t['ready']}[/]" if s.ready else f"[red]{t['not_ready']}[/]"
    out.append(f"[bold]{t['summary']}[/]{t['colon']}{s.errors} {t['errors']}{t['comma']}{s.warnings} {t['warnings']}"
               f" — {verdict}")
    return out


def _file_lines(fr: FileReport, lang: str) -> list[str]:
    t = LABELS[lang]
    style = STATUS_STYLE[fr.status]
    role = t.get("role:" + (fr.kind or "other"), t["role:other"])
    out = [f"[bold]{escape(fr.name)}[/]  [{style}]{t[fr.status]}[/]"
           + (f"{t['open']}{role}{t['close']}" if fr.kind and fr.kind != "other" else "")]
    out.extend(_finding_lines(fr.findings, lang))
    out.append(f"    {t['facts']}{t['colon']}{escape(_facts_line(fr, t))}")
    out.append("")
    return out


def _finding_lines(findings: list[Finding], lang: str) -> list[str]:
    t = LABELS[lang]
    out = []
    order = {Severity.error: 0, Severity.warning: 1, Severity.info: 2}
    for f in sorted(findings, key=lambda f: (order[f.severity], f.page or 0)):
        where = ""
        if f.page is not None:
            where = t["page"].format(n=f.page + 1) + t["colon"]
        msg = f.message_zh if lang == "zh" else f.message
        out.append(f"  {MARK[f.severity]} {f.code}{t['colon']}{escape(where + msg)}")
        hint = f.hint_zh if lang == "zh" else f.hint
        if hint:
            out.append(f"      → {escape(hint)}")
    return out


def _facts_line(fr: FileReport, t: dict[str, str]) -> str:
    f = fr.facts
    parts = []
    if f.order_ids:
        parts.append(f"{t['order']} " + ", ".join(f.order_ids))
    for tr in f.tracking:
        ok = "" if tr.checksum_ok is None else t["comma"] + t["checksum_ok" if tr.checksum_ok else "checksum_bad"]
        carrier = t.get("carrier:" + tr.carrier, tr.carrier)
        parts.append(f"{t['tracking']} {tr.number}{t['open']}{carrier}{ok}{t['close']}")
    d = f.delivery
    if d.status:
        where = f"{t['open']}{d.location}{t['close']}" if d.location else ""
        parts.append(" ".join(x for x in (t[d.status], d.date or "") if x) + where)
    for r in f.refunds:
        parts.append(" ".join(x for x in (t["refund"], r.amount, r.currency, r.date or "") if x))
    if f.timestamps:
        parts.append(f"{t['time']} " + t["list_sep"].join(ts.text for ts in f.timestamps[:3]))
    return t["sep"].join(parts) if parts else t["none"]


def _proof(report: ClaimReport, lang: str) -> tuple[list[str], list[str]]:
    """Short statements of what the accepted files prove, and which kinds of proof are missing."""
    t = LABELS[lang]
    good = [fr for fr in report.files if fr.status != "fail"]
    proves: list[str] = []
    delivered = next((fr.facts.delivery for fr in good if fr.facts.delivery.status == "delivered"), None)
    if delivered:
        proves.append(f"{t['delivered']} {delivered.date or ''}".strip())
    for fr in good:
        for r in fr.facts.refunds:
            proves.append(f"{t['refund']} {r.amount} {r.currency} {r.date or ''}".strip())
    tracking = sorted({tr.number for fr in good for tr in fr.facts.tracking})
    if tracking:
        proves.append(f"{t['tracking']} {t['list_sep'].join(tracking)}")
    missing = []
    codes = {f.code for f in report.claim_findings}
    if "no-delivery-proof" in codes:
        missing.append(t["delivery_proof"])
    if "no-refund-proof" in codes:
        missing.append(t["refund_proof"])
    if good and not any(fr.facts.order_ids for fr in good):
        missing.append(t["order_link"])
    return proves, missing


def _left(deadline: datetime, now: datetime, lang: str) -> str:
    t = LABELS[lang]
    seconds = (deadline - now).total_seconds()
    return t["time_left" if seconds >= 0 else "time_overdue"].format(span=span(seconds, lang))
