"""The `evidence` command: a thin adapter from the command line to the pipeline and the services.

`lint` and `bundle` describe a claim by flags, by a claim.toml or by a claim folder (`lint FOLDER` reads
FOLDER/claim.toml, as watch mode does), check it, and print the report (deadlines in `--tz`, else claim.toml's
`timezone`, else the system's zone); `serve`,
`keys`, `watch` and `worker` start the other adapters. Exit codes come from `errors.ExitCode`: 0 no errors,
1 errors in the evidence, 2 usage or internal error. No traceback reaches the user unless EVIDENCE_DEBUG=1.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from pydantic import ValidationError

from .cli_errors import BilingualGroup
from .validation_text import validation_problem
from .config import Settings, load_settings
from .errors import EvidenceError, ExitCode, InternalError, UsageError
from .labels import labels_for
from .model import MARKETPLACES, Claim, ClaimReport, Reason
from .rules import is_order_id, marketplace_code, order_id_problem, system_zone_name, zone_problem

app = typer.Typer(cls=BilingualGroup, add_completion=False, no_args_is_help=True,
                  help="Check and bundle A-to-z claim evidence. 检查并打包 A-to-z 索赔证据。")
keys_app = typer.Typer(help="API keys for the HTTP service.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


class Format(str, Enum):
    text = "text"
    json = "json"


class Lang(str, Enum):
    en = "en"
    zh = "zh"
    cn = "cn"  # an alias of zh: sellers type the country

    @property
    def code(self) -> str:
        return "zh" if self is Lang.cn else self.value


ClaimFile = Annotated[Optional[Path], typer.Option("--claim", help="claim.toml describing the claim and its files")]
Order = Annotated[Optional[str], typer.Option("--order", help="The claim's order ID, e.g. 112-1234567-1234567")]
Tracking = Annotated[Optional[list[str]], typer.Option("--tracking", help="Tracking number of the order (repeatable)")]
Market = Annotated[Optional[str], typer.Option("--marketplace", help="US, UK, DE, FR, IT, ES, JP, CA, ...")]
ReasonOpt = Annotated[Optional[Reason], typer.Option("--reason", help="Why the buyer filed the claim")]
OpenedAt = Annotated[Optional[datetime], typer.Option("--opened-at", help="When the claim was filed (ISO 8601)")]
ReplyFile = Annotated[Optional[Path], typer.Option("--reply-file", help="Text file with the draft reply")]
Paths = Annotated[Optional[list[Path]], typer.Argument(help="Evidence files or folders")]
OcrLang = Annotated[Optional[str], typer.Option("--ocr-lang", help="Tesseract languages, e.g. deu+eng")]
Workers = Annotated[Optional[int], typer.Option("--workers", help="Worker processes (default: all cores)")]
Now = Annotated[Optional[datetime], typer.Option("--now", help="Pretend the time is this (for reproducible reports)")]
Tz = Annotated[Optional[str], typer.Option("--tz", help="Time zone deadlines are shown in, an IANA name such as "
                                            "Asia/Shanghai (default: claim.toml's `timezone`, else the system's)")]


def _fail(err: EvidenceError, lang: str) -> typer.Exit:
    typer.echo(f"evidence{'：' if lang == 'zh' else ': '}{err.text(lang)}", err=True)
    return typer.Exit(int(err.exit_code))


def _run(fn, lang: str = "en"):
    """Run a command body; map every failure to a clear message and exit code instead of a traceback."""
    try:
        return fn()
    except typer.Exit:
        raise
    except EvidenceError as err:
        raise _fail(err, lang) from None
    except ValidationError as exc:
        raise _fail(UsageError(*validation_problem(exc)), lang) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except Exception as exc:
        if os.environ.get("EVIDENCE_DEBUG"):
            raise
        err = InternalError(f"internal error: {type(exc).__name__}: {exc} (set EVIDENCE_DEBUG=1 for details)",
                            f"内部错误：{type(exc).__name__}: {exc}（设置 EVIDENCE_DEBUG=1 查看详情）")
        raise _fail(err, lang) from None


def build_claim(
    claim_file: Path | None, order: str | None, tracking: list[str] | None, marketplace: str | None,
    reason: Reason | None, opened_at: datetime | None, reply_file: Path | None, paths: list[Path] | None,
    tz: str | None = None,
) -> tuple[Claim, list[Path]]:
    """The claim and its evidence files from a claim.toml and/or flags (flags win)."""
    claim, files, _ = claim_and_notes(claim_file, order, tracking, marketplace, reason, opened_at, reply_file, paths,
                                      tz)
    return claim, files


def claim_and_notes(
    claim_file: Path | None, order: str | None, tracking: list[str] | None, marketplace: str | None,
    reason: Reason | None, opened_at: datetime | None, reply_file: Path | None, paths: list[Path] | None,
    tz: str | None = None,
) -> tuple[Claim, list[Path], list[Path]]:
    """`build_claim`, plus the notes (.txt/.md/.docx) found among the files, which are left out as not evidence.

    A single folder argument without --claim is a claim folder: its claim.toml (or its order-ID name) describes the
    claim, as in watch mode. The time zone is --tz, else claim.toml's `timezone`, else the system's.
    """
    from .claim_folder import CLAIM_TOML, load_claim_folder, load_claim_toml, read_reply_file, split_notes, walk_folder

    files: list[Path] = []
    notes: list[Path] = []
    base: dict = {}
    if claim_file is None and paths and len(paths) == 1 and (paths[0] / CLAIM_TOML).is_file():
        folder = load_claim_folder(paths[0])  # a ClaimFolderError is an EvidenceError: exit 2, both languages
        base, files, notes, paths = folder.claim.model_dump(exclude_none=True), folder.files, folder.notes, []
    if claim_file is not None:
        claim, files = load_claim_toml(claim_file)  # a ClaimFolderError is an EvidenceError: exit 2, both languages
        base = claim.model_dump(exclude_none=True)
    if tz:
        if problem := zone_problem("--tz", tz):
            raise UsageError(*problem)
        base["timezone"] = tz.strip()
    base.setdefault("timezone", system_zone_name())
    if order:
        if not is_order_id(order):
            raise UsageError(*order_id_problem("--order", order))
        base["order_id"] = order.strip()
    if "order_id" not in base:
        raise UsageError("give the claim's order ID with --order or a claim file with --claim",
                         "请用 --order 指定订单号，或用 --claim 指定索赔文件")
    if tracking:
        base["tracking"] = [t.strip() for t in tracking]
    if marketplace:
        mp = marketplace_code(marketplace)
        if mp is None:
            raise UsageError(f"unknown marketplace {marketplace!r}; use one of {', '.join(MARKETPLACES)}",
                             f"未知站点 {marketplace!r}；可用：{', '.join(MARKETPLACES)}")
        base["marketplace"] = mp
    if reason:
        base["reason"] = reason
    if opened_at:
        base["opened_at"] = opened_at if opened_at.tzinfo else opened_at.replace(tzinfo=timezone.utc)
    if reply_file:
        base["reply"] = read_reply_file(reply_file)  # at most the API's 10,000 characters, refused unread
    for p in paths or []:
        if p.is_dir():
            entries = walk_folder(p)
            files.extend(entries.files)
            notes.extend(entries.notes)
        elif p.is_file():
            files.append(p)
        else:
            raise UsageError(f"{p}: no such file or folder", f"{p}：文件或文件夹不存在")
    try:
        claim = Claim(**base)
    except ValidationError as exc:
        en, zh = validation_problem(exc)
        raise UsageError(f"the claim is not valid: {en}", f"索赔信息无效：{zh}") from None
    files, listed_notes = split_notes(list(dict.fromkeys(files)))
    return claim, files, list(dict.fromkeys(notes + listed_notes))


def _settings(ocr_lang: str | None, workers: int | None) -> Settings:
    return load_settings(ocr_lang=ocr_lang, workers=workers)


def _print(report: ClaimReport, fmt: Format, lang: Lang, now: datetime | None) -> None:
    if fmt == Format.json:
        sys.stdout.write(report.to_json() + "\n")
    else:
        from .report_text import render_text

        sys.stdout.write(render_text(report, lang.code, color=sys.stdout.isatty(), now=now))


@app.command()
def lint(
    paths: Paths = None, claim_file: ClaimFile = None, order: Order = None, tracking: Tracking = None,
    marketplace: Market = None, reason: ReasonOpt = None, opened_at: OpenedAt = None, reply_file: ReplyFile = None,
    fmt: Annotated[Format, typer.Option("--format", help="text or json (evidence-report/1)")] = Format.text,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the text report: en, zh (or cn)")] = Lang.en,
    ocr_lang: OcrLang = None, workers: Workers = None, now: Now = None, tz: Tz = None,
) -> None:
    """Check evidence files before submitting them: readable, dated, and visibly about this claim.

    `evidence lint FOLDER` reads FOLDER/claim.toml when there is one (as watch mode does).
    """

    _run(lambda: _lint(paths, claim_file, order, tracking, marketplace, reason, opened_at, reply_file, fmt, lang,
                       ocr_lang, workers, now, tz=tz), lang.code)


def _lint(paths, claim_file, order, tracking, marketplace, reason, opened_at, reply_file, fmt: Format, lang: Lang,
          ocr_lang, workers, now, bundle_to: tuple[Path, str, bool, str] | None = None, tz: str | None = None) -> None:
    """The body of `lint` and `bundle`: check the claim, bundle it if asked, print, exit 0 or 1."""
    from .claim_folder import display_name, note_findings
    from .replies import JsonlHistory
    from .runs import run_claim

    claim, files, notes = claim_and_notes(claim_file, order, tracking, marketplace, reason, opened_at, reply_file,
                                          paths, tz)
    settings = _settings(ocr_lang, workers)
    when = _aware(now)
    if not files:
        raise UsageError("no evidence files given (files or folders, or `files` in the claim file)",
                         "未提供证据文件（文件或文件夹，或索赔文件中的 files）")
    out, target, include_failed, bundle_lang = bundle_to or (None, "amazon", False, "en")
    report = run_claim(claim, files, settings, history=JsonlHistory(settings), now=when, bundle_to=out,
                       target=target, include_failed=include_failed, lang=bundle_lang)
    if notes:
        report.claim_findings.extend(note_findings([display_name(p, None) for p in notes]))
        report.summarise()
    _print(report, fmt, lang, when)
    raise typer.Exit(int(ExitCode.ok if report.summary.errors == 0 else ExitCode.findings))


# The one story of where files go (data/labels.toml `where_files_go`), also said by the reply check and the web page.
BUNDLE_HELP = ("Check a claim's evidence and write one annotated PDF bundle. "
               + labels_for("en")["report"]["where_files_go"])


@app.command(help=BUNDLE_HELP)
def bundle(
    paths: Paths = None, claim_file: ClaimFile = None, order: Order = None, tracking: Tracking = None,
    marketplace: Market = None, reason: ReasonOpt = None, opened_at: OpenedAt = None, reply_file: ReplyFile = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Where to write the bundle PDF")] = Path("bundle.pdf"),
    target: Annotated[str, typer.Option("--target", help="amazon, stripe, paypal or mastercard")] = "amazon",
    include_failed: Annotated[bool, typer.Option("--include-failed", help="Also include files that failed")] = False,
    bundle_lang: Annotated[str, typer.Option("--bundle-lang", help="Language of the cover page")] = "en",
    fmt: Annotated[Format, typer.Option("--format")] = Format.text,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the text report: en, zh (or cn)")] = Lang.en,
    ocr_lang: OcrLang = None, workers: Workers = None, now: Now = None, tz: Tz = None,
) -> None:
    _run(lambda: _bundle_target(out), lang.code)
    _run(lambda: _lint(paths, claim_file, order, tracking, marketplace, reason, opened_at, reply_file, fmt, lang,
                       ocr_lang, workers, now, bundle_to=(out, target, include_failed, bundle_lang), tz=tz), lang.code)



def _bundle_target(out: Path) -> None:
    """Refuse an --out the bundle cannot be written to before any work is done: a usage error, not a traceback."""
    if out.is_dir():
        raise UsageError(f"{out}: --out is a folder; give the bundle's file name, e.g. {out / 'bundle.pdf'}",
                         f"{out}：--out 是文件夹；请给出 PDF 文件名，例如 {out / 'bundle.pdf'}")
    try:  # the folder is made as the bundle would make it; a temp file proves it writable (access() lies to root)
        out.parent.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=out.parent).close()
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise UsageError(f"{out}: cannot write the bundle there ({why}); give a path in a folder you can write to",
                         f"{out}：无法在此写入 PDF（{why}）；请指定可写入文件夹中的路径") from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir", help="Database and files (default ./data)")] = None,
) -> None:
    """Start the HTTP service and the web page."""
    from .api import serve as run_server

    _run(lambda: run_server(load_settings(data_dir=data_dir), host=host, port=port))


@keys_app.command("create")
def keys_create(
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant (seller account) the key belongs to")],
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir")] = None,
) -> None:
    """Create an API key; it is printed once and stored only as a hash."""
    from .store import create_key

    _run(lambda: typer.echo(create_key(load_settings(data_dir=data_dir), tenant)))


@keys_app.command("list")
def keys_list(data_dir: Annotated[Optional[Path], typer.Option("--data-dir")] = None) -> None:
    """List API keys: ID, tenant, the key's first characters, created, revoked. Never the keys themselves."""
    from .store import open_store

    def body() -> None:
        for key, tenant in open_store(load_settings(data_dir=data_dir)).list_keys():
            revoked = f"revoked {key.revoked_at:%Y-%m-%dT%H:%M:%SZ}" if key.revoked_at else "active"
            typer.echo(f"{key.id}  {tenant}  {key.prefix}…  created {key.created_at:%Y-%m-%dT%H:%M:%SZ}  {revoked}")

    _run(body)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's ID, as `evidence keys list` shows it (key_...)")],
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir")] = None,
) -> None:
    """Revoke an API key by its ID: requests with it answer 401 from now on."""
    from .store import open_store

    def body() -> None:
        if open_store(load_settings(data_dir=data_dir)).revoke_key(key_id) is None:
            raise UsageError(f"{key_id}: no such API key (see `evidence keys list`)",
                             f"{key_id}：没有这个 API 密钥（见 `evidence keys list`）")
        typer.echo(f"revoked {key_id}")

    _run(body)


@app.command()
def watch(
    inbox: Annotated[Path, typer.Argument(help="Folder with one sub-folder per claim")],
    out: Annotated[Path, typer.Option("--out", help="Where reports and bundles go")] = Path("./outbox"),
    once: Annotated[bool, typer.Option("--once", help="Process what is there, then exit")] = False,
    settle: Annotated[float, typer.Option("--settle", help="Seconds a folder must be quiet")] = 5.0,
    poll: Annotated[Optional[float], typer.Option("--poll", help="Poll every N seconds (network shares)")] = None,
    move_done: Annotated[Optional[Path], typer.Option("--move-done", help="Move processed claims here")] = None,
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir")] = None,
    workers: Workers = None,
) -> None:
    """Process claim folders as they arrive in an inbox."""
    from .watch import run_watch

    def body() -> None:
        settings = load_settings(data_dir=data_dir, workers=workers)
        summary = run_watch(inbox, out, settings, once=once, settle=settle, poll=poll, move_done=move_done)
        raise typer.Exit(int(ExitCode.ok if not summary.failed else ExitCode.findings))

    _run(body)


@app.command()
def worker(
    concurrency: Annotated[Optional[int], typer.Option("--concurrency", help="Tasks at once (default: cores)")] = None,
    queues: Annotated[Optional[str], typer.Option(
        "--queues", help="Comma-separated queues to consume: evidence (checks), webhooks (deliveries); default both"
    )] = None,
) -> None:
    """Run a task-engine worker (needs EVIDENCE_BROKER_URL)."""
    from .tasks import QUEUE, WEBHOOK_QUEUE, run_worker

    def body() -> None:
        settings = load_settings()
        if not settings.broker_url:
            raise UsageError("set EVIDENCE_BROKER_URL (e.g. redis://localhost:6379/0) to run a worker",
                             "请设置 EVIDENCE_BROKER_URL（例如 redis://localhost:6379/0）后再启动 worker")
        names = [q.strip() for q in (queues or "").split(",") if q.strip()] or None
        if names and not set(names) <= {QUEUE, WEBHOOK_QUEUE}:
            raise UsageError(f"--queues takes {QUEUE} and/or {WEBHOOK_QUEUE}",
                             f"--queues 只能是 {QUEUE} 和/或 {WEBHOOK_QUEUE}")
        run_worker(settings, concurrency, queues=names)

    _run(body)


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


from .export import export_command  # noqa: E402  (the command lives with the CSV it writes)

app.command("export")(export_command)

from .reply_cli import reply_command  # noqa: E402  (the command's body lives in its own module)

app.command("reply")(reply_command)

if __name__ == "__main__":
    app()
