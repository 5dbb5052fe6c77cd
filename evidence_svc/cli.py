"""The `evidence` command: a thin adapter from the command line to the pipeline and the services.

`lint` and `bundle` describe a claim by flags, by a claim.toml or by a claim folder (`lint FOLDER` reads
FOLDER/claim.toml, as watch mode does), check it, and print the report (deadlines in `--tz`, else claim.toml's
`timezone`, else the system's zone); `serve`,
`keys`, `watch` and `worker` start the other adapters. Exit codes come from `errors.ExitCode`: 0 no errors,
1 errors in the evidence, 2 usage or internal error. No traceback reaches the user unless EVIDENCE_DEBUG=1.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from .cli_common import (ClaimFile, Format, Lang, Market, Now, OcrLang, OpenedAt, Order, Paths, ReasonOpt, ReplyFile,
                         Tracking, Tz, Workers, aware, claim_and_notes, load_settings, run_body, settings_for)
from .cli_errors import BilingualGroup
from .errors import ExitCode, UsageError
from .labels import labels_for
from .model import ClaimReport

app = typer.Typer(cls=BilingualGroup, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Check and bundle A-to-z claim evidence. 检查并打包 A-to-z 索赔证据。")
keys_app = typer.Typer(help="API keys for the HTTP service.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(keys_app, name="keys")


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

    run_body(lambda: _lint(paths, claim_file, order, tracking, marketplace, reason, opened_at, reply_file, fmt, lang,
                       ocr_lang, workers, now, tz=tz), lang.code)


def _lint(paths, claim_file, order, tracking, marketplace, reason, opened_at, reply_file, fmt: Format, lang: Lang,
          ocr_lang, workers, now, bundle_to: tuple[Path, str, bool, str] | None = None, tz: str | None = None) -> None:
    """The body of `lint` and `bundle`: check the claim, bundle it if asked, print, exit 0 or 1."""
    from .claim_folder import display_name, note_findings
    from .replies import JsonlHistory
    from .runs import run_claim

    claim, files, notes = claim_and_notes(claim_file, order, tracking, marketplace, reason, opened_at, reply_file,
                                          paths, tz)
    settings = settings_for(ocr_lang, workers)
    when = aware(now)
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
    run_body(lambda: _bundle_target(out), lang.code)
    run_body(lambda: _lint(paths, claim_file, order, tracking, marketplace, reason, opened_at, reply_file, fmt, lang,
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

    run_body(lambda: run_server(load_settings(data_dir=data_dir), host=host, port=port))


@keys_app.command("create")
def keys_create(
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant (seller account) the key belongs to")],
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir")] = None,
) -> None:
    """Create an API key; it is printed once and stored only as a hash."""
    from .store import create_key

    run_body(lambda: typer.echo(create_key(load_settings(data_dir=data_dir), tenant)))


@keys_app.command("list")
def keys_list(data_dir: Annotated[Optional[Path], typer.Option("--data-dir")] = None) -> None:
    """List API keys: ID, tenant, the key's first characters, created, revoked. Never the keys themselves."""
    from .store import open_store

    def body() -> None:
        for key, tenant in open_store(load_settings(data_dir=data_dir)).list_keys():
            revoked = f"revoked {key.revoked_at:%Y-%m-%dT%H:%M:%SZ}" if key.revoked_at else "active"
            typer.echo(f"{key.id}  {tenant}  {key.prefix}…  created {key.created_at:%Y-%m-%dT%H:%M:%SZ}  {revoked}")

    run_body(body)


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

    run_body(body)


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

    run_body(body)


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

    run_body(body)


from .export import export_command  # noqa: E402  (the command lives with the CSV it writes)

app.command("export")(export_command)

from .reply_cli import reply_command  # noqa: E402  (the command's body lives in its own module)

app.command("reply")(reply_command)

if __name__ == "__main__":
    app()
