"""The CLI's memory of earlier draft replies, so `reply-reused` can catch a template sent to many buyers.

The HTTP service keeps replies in its database (per tenant); the `lint` command, which has no database, keeps
them here: one JSON line per reply in `replies.jsonl` under the cache directory, newest last, bounded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .config import Settings
from .model import Claim

KEEP = 500


def _path(settings: Settings) -> Path:
    return settings.cache_dir / "replies.jsonl"


def earlier_replies(settings: Settings, claim: Claim) -> list[str]:
    """Replies written for other orders (the same order's earlier drafts are not reuse)."""
    try:
        lines = _path(settings).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue  # a line cut by a crash: skip it, keep the rest
        if rec.get("order_id") != claim.order_id and rec.get("reply"):
            out.append(rec["reply"])
    return out


def remember_reply(settings: Settings, claim: Claim) -> None:
    path = _path(settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        rec = json.dumps({"order_id": claim.order_id, "reply": claim.reply}, ensure_ascii=False)
        lines = [ln for ln in lines if ln != rec][-(KEEP - 1):] + [rec]
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # the history is a convenience; a read-only cache must not fail the lint
