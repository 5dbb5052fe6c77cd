"""The memory of earlier draft replies, so `reply-reused` can catch a template sent to many buyers.

One interface, `ReplyHistory` (earlier replies for a claim; remember a claim's reply), with two backends:
`JsonlHistory`, for the CLI and watch mode, which have no database (one JSON line per reply in `replies.jsonl`
under the cache directory, newest last, bounded); and `StoreHistory`, for the HTTP service and its workers, which
reads the tenant's replies from the store (the store records a reply when a claim or its reply is saved, so
`remember` has nothing left to do). Neither checks a reply: that is reply_lint's job.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Protocol

from .config import Settings
from .model import Claim

KEEP = 500


class ReplyHistory(Protocol):
    def earlier(self, claim: Claim) -> list[str]:
        """Replies written for other orders (the same order's earlier drafts are not reuse)."""
        ...

    def remember(self, claim: Claim) -> None:
        """Keep the claim's reply for later comparisons (never fails the run: the history is a convenience)."""
        ...


class JsonlHistory:
    """Replies in `<cache_dir>/replies.jsonl`: one JSON line per (order, reply), the last KEEP kept."""

    def __init__(self, settings: Settings) -> None:
        self.path: Path = settings.cache_dir / "replies.jsonl"

    def earlier(self, claim: Claim) -> list[str]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
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

    def remember(self, claim: Claim) -> None:
        path = self.path
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


class _RepliesStore(Protocol):
    def earlier_replies(self, tenant_id: str, claim_id: str) -> list[str]: ...


class StoreHistory:
    """A tenant's replies to its other claims, from the store (newest first)."""

    def __init__(self, store: _RepliesStore, tenant_id: str, claim_id: str) -> None:
        self.store, self.tenant_id, self.claim_id = store, tenant_id, claim_id

    def earlier(self, claim: Claim) -> list[str]:
        return self.store.earlier_replies(self.tenant_id, self.claim_id)

    def remember(self, claim: Claim) -> None:
        pass  # Store.create_claim / set_reply already recorded it

