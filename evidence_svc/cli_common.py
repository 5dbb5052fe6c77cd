"""What the `evidence` commands share: option types, the claim from flags or a claim.toml, settings loaded on first
use, and the one way a command body turns failures into a clear bilingual message and an exit code.

`cli.py` and the commands that live in their own modules (`reply_cli.py`, `export.py`) import from here, never from
each other. No command is defined here.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from pydantic import ValidationError

from .errors import EvidenceError, InternalError, UsageError
from .model import MARKETPLACES, Claim, Reason
from .rules import is_order_id, marketplace_code, order_id_problem, system_zone_name, zone_problem
from .validation_text import validation_problem

if TYPE_CHECKING:
    from .config import Settings


def load_settings(**overrides: object) -> Settings:
    """The settings, imported on first use: pydantic-settings costs about 0.1 s, which `--help` need not pay."""
    from .config import load_settings as load

    return load(**overrides)



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


def fail(err: EvidenceError, lang: str) -> typer.Exit:
    typer.echo(f"evidence{'：' if lang == 'zh' else ': '}{err.text(lang)}", err=True)
    return typer.Exit(int(err.exit_code))


def run_body(fn, lang: str = "en"):
    """Run a command body; map every failure to a clear message and exit code instead of a traceback."""
    try:
        return fn()
    except typer.Exit:
        raise
    except EvidenceError as err:
        raise fail(err, lang) from None
    except ValidationError as exc:
        raise fail(UsageError(*validation_problem(exc)), lang) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except Exception as exc:
        if os.environ.get("EVIDENCE_DEBUG"):
            raise
        err = InternalError(f"internal error: {type(exc).__name__}: {exc} (set EVIDENCE_DEBUG=1 for details)",
                            f"内部错误：{type(exc).__name__}: {exc}（设置 EVIDENCE_DEBUG=1 查看详情）")
        raise fail(err, lang) from None


def claim_and_notes(
    claim_file: Path | None, order: str | None, tracking: list[str] | None, marketplace: str | None,
    reason: Reason | None, opened_at: datetime | None, reply_file: Path | None, paths: list[Path] | None,
    tz: str | None = None,
) -> tuple[Claim, list[Path], list[Path]]:
    """The claim and its evidence files from a claim.toml and/or flags (flags win), plus the notes (.txt/.md/.docx)
    found among the files, which are left out as not evidence.

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


def settings_for(ocr_lang: str | None, workers: int | None) -> Settings:
    return load_settings(ocr_lang=ocr_lang, workers=workers)


def aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
