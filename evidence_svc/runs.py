"""One run of a claim, the sequence every adapter shares: earlier replies -> check -> bundle -> remember the reply.

`run_claim` is what the CLI (`lint`, `bundle`), watch mode and the job runner behind the HTTP API call, each with
its own reply history (replies.py); `run_fingerprint` hashes everything such a run depends on, so a runner can
reuse an identical earlier report. The stages themselves are in pipeline.py; this module never parses input,
prints, or writes anywhere but the bundle path it is given.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Iterable, Sequence

from . import __version__
from .config import Settings
from .hashing import sha256_json, sha256_text
from .model import Claim, ClaimReport
from .replies import ReplyHistory

# Settings that change where or how fast work runs, never what a report says; left out of the fingerprint.
_OPERATIONAL = {"data_dir", "database_url", "blob_dir", "cache_dir", "workers", "lint_concurrency", "max_json_bytes",
                "max_upload_bytes", "cors_origins", "log_json"}
_OPERATIONAL_PREFIXES = ("job_", "task_", "broker_", "webhook_")


def run_claim(
    claim: Claim,
    paths: Iterable[Path],
    settings: Settings,
    *,
    history: ReplyHistory | None = None,
    earlier_replies: list[str] | None = None,
    names: list[str] | None = None,
    bundle_to: Path | None = None,
    target: str = "amazon",
    include_failed: bool = False,
    lang: str = "en",
    now: datetime | None = None,
    remember: bool = True,
) -> ClaimReport:
    """Check a claim and, with `bundle_to`, write its bundle there; the reply is compared with `history`'s earlier
    replies (or `earlier_replies`, when the caller already read them for a fingerprint) and then remembered in it.

    `remember=False` leaves remembering to the caller (watch mode remembers in its one parent process, so that
    worker processes never race on the history file).
    """
    from .pipeline import bundle_claim, check_claim  # imported here: the stack is heavy and only runs need it

    paths = [Path(p) for p in paths]
    if earlier_replies is None:
        earlier_replies = history.earlier(claim) if history is not None and claim.reply else []
    report = check_claim(claim, paths, settings, names=names, earlier_replies=earlier_replies, now=now)
    if bundle_to is not None:
        report = bundle_claim(report, paths, bundle_to, settings, target=target, include_failed=include_failed,
                              lang=lang)
    if remember and history is not None and claim.reply:
        history.remember(claim)
    return report


def run_fingerprint(claim: Claim, files: Sequence[tuple[str, str]], earlier_replies: list[str], target: str,
                    settings: Settings, *, lang: str = "en") -> str:
    """Everything a run's report depends on, hashed: equal fingerprints give equal reports, so one can be reused.

    `files` are (sha256, name) pairs in the order they are checked.
    """
    tuning = {k: v for k, v in settings.model_dump(mode="json").items()
              if k not in _OPERATIONAL and not k.startswith(_OPERATIONAL_PREFIXES)}
    payload = {
        "version": __version__,
        "claim": claim.model_dump(mode="json"),
        "files": [[sha, name] for sha, name in files],
        "earlier_replies": sha256_text("\x00".join(earlier_replies)),
        "target": target,
        **({"lang": lang} if lang != "en" else {}),  # the bundle's language; absent for English (older fingerprints)
        "settings": tuning,
    }
    return sha256_json(payload)
