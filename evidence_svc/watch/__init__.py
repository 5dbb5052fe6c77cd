"""Watch mode: claim folders dropped into an inbox come out as a report and a bundle in an outbox.

    evidence watch ./inbox --out ./outbox [--once] [--settle 5] [--poll 2] [--move-done ./done]

Everything about files arriving lives in this package; the checking itself is `pipeline.check_claim` and
`pipeline.bundle_claim`. `inbox/<claim>/` holds the evidence files and optionally `claim.toml` (see
`claim_folder`); the result is `outbox/<claim>/` with `report.json`, `report.txt` and `bundle.pdf`, or `error.txt`,
plus `manifest.json`, written last. The inbox is only read, unless `--move-done DIR` is given. The parts:
`scan` (when a folder has settled), `claim_run` (the work on one folder, in a worker process), `confine` (each
file opened once, as the file that was checked, and copied into a private folder the pipeline reads), `outbox` (the
commit protocol a reader relies on), `pool` (the worker processes), `events` (logs and progress) and `loop` (the
watcher that ties them together).
"""

from __future__ import annotations

from .claim_run import Inputs, Job, Result, process_claim, process_inputs, read_inputs, stage_inputs
from .events import Events
from .loop import WatchSummary, run_watch
from .outbox import MANIFEST, MANIFEST_SCHEMA, read_manifest

__all__ = ["MANIFEST", "MANIFEST_SCHEMA", "Events", "Inputs", "Job", "Result", "WatchSummary", "process_claim",
           "process_inputs", "read_inputs", "read_manifest", "run_watch", "stage_inputs"]
