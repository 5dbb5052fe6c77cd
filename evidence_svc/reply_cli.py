"""`evidence reply`: check a claim as `lint` does, then print a reply draft built from what the evidence proves.

The claim comes from a claim.toml, a claim folder or flags (`cli_common.claim_and_notes`), the check is `runs.run_claim`
with the same page cache and reply history as `lint`, and the draft is `reply_draft.draft_reply`; this module only
reads the command line and prints (text: the draft in the buyer's language, the Chinese below it, what is missing;
json: the draft's model). Exit 0 when nothing is missing, 1 when the draft lists missing facts or failed files, 2
for usage errors. It writes nothing but the reply history `lint` keeps.
"""

from __future__ import annotations

import sys
from datetime import datetime
from enum import Enum
from typing import Annotated, Optional

import typer

from .cli_common import (ClaimFile, Format, Lang, Market, Now, OcrLang, OpenedAt, Order, Paths, ReasonOpt, Tracking,
                         Tz, Workers, aware, claim_and_notes, run_body, settings_for)
from .errors import ExitCode, UsageError

class DraftLang(str, Enum):  # reply_draft.LANGS (not imported here: the draft stack loads only when a draft is made)
    en = "en"
    de = "de"
    fr = "fr"
    it = "it"
    es = "es"
    ja = "ja"
    zh = "zh"


class Remedy(str, Enum):
    refund = "refund"
    reship = "reship"
    none = "none"


class Tone(str, Enum):
    full = "full"
    brief = "brief"


def reply_command(
    paths: Paths = None, claim_file: ClaimFile = None, order: Order = None, tracking: Tracking = None,
    marketplace: Market = None, reason: ReasonOpt = None, opened_at: OpenedAt = None,
    lang: Annotated[Optional[DraftLang], typer.Option(
        "--lang", help="Language of the draft: en, de, fr, it, es, ja, zh (default: the marketplace's)")] = None,
    remedy: Annotated[Optional[Remedy], typer.Option(
        "--remedy", help="What was done for the buyer: refund, reship or none (default: what the evidence shows)")]
    = None,
    tone: Annotated[Tone, typer.Option("--tone", help="full, or brief (facts and proof only)")] = Tone.full,
    appeal: Annotated[bool, typer.Option("--appeal", help="Draft the appeal after a decision (root cause and "
                                                          "corrective steps)")] = False,
    fmt: Annotated[Format, typer.Option("--format", help="text or json (the draft)")] = Format.text,
    ui_lang: Annotated[Lang, typer.Option("--ui-lang", help="Language of the headings and notes for you: en, zh "
                                                            "(or cn)")] = Lang.en,
    ocr_lang: OcrLang = None, workers: Workers = None, now: Now = None, tz: Tz = None,
) -> None:
    """Draft the reply to an A-to-z claim from its evidence, in the buyer's language with Chinese below.
    根据证据生成 A-to-z 索赔回复草稿（买家语言，附中文对照）。

    The draft states only facts the files that passed their checks show; what is missing is listed instead.
    """
    run_body(lambda: _reply(paths, claim_file, order, tracking, marketplace, reason, opened_at,
                        lang.value if lang else None, remedy.value if remedy else None, tone.value, appeal, fmt,
                        ui_lang.code, ocr_lang, workers, now, tz), ui_lang.code)


def _reply(paths, claim_file, order, tracking, marketplace, reason, opened_at, lang: str | None, remedy: str | None,
           tone: str, appeal: bool, fmt: Format, ui: str, ocr_lang, workers, now: datetime | None,
           tz: str | None) -> None:
    from .replies import JsonlHistory
    from .reply_draft import draft_reply
    from .reply_draft.render import draft_text
    from .runs import run_claim

    claim, files, _notes = claim_and_notes(claim_file, order, tracking, marketplace, reason, opened_at, None, paths,
                                           tz)
    if not files:
        raise UsageError("no evidence files given (files or folders, or `files` in the claim file)",
                         "未提供证据文件（文件或文件夹，或索赔文件中的 files）")
    settings = settings_for(ocr_lang, workers)
    history = JsonlHistory(settings)
    report = run_claim(claim, files, settings, history=history, now=aware(now))
    draft = draft_reply(report, claim, lang=lang, remedy=remedy, tone=tone, appeal=appeal,  # type: ignore[arg-type]
                        earlier_replies=history.earlier(claim), settings=settings)
    if fmt == Format.json:
        sys.stdout.write(draft.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(draft_text(draft, claim.order_id, ui))  # type: ignore[arg-type]
    raise typer.Exit(int(ExitCode.findings if draft.missing else ExitCode.ok))
