"""Watch mode's events: one JSON line per event for logs and services, or a progress bar and short lines for people.

Every event carries the run's ID, so the lines of one run can be told apart in a shared log. This module only
reports: it decides nothing about claims or folders.
"""

from __future__ import annotations

import json
import sys
import threading
from datetime import UTC, datetime


class Events:
    def __init__(self, run: str, tty: bool) -> None:
        self.run, self.tty, self.progress, self.task = run, tty, None, None
        self._lock = threading.Lock()
        if tty:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TimeElapsedColumn

            self.progress = Progress(SpinnerColumn(), "[progress.description]{task.description}", BarColumn(),
                                     MofNCompleteColumn(), TimeElapsedColumn())
            self.task = self.progress.add_task("claims", total=0)
            self.progress.start()

    def __call__(self, event: str, **fields) -> None:
        with self._lock:
            if not self.tty:
                line = {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": event,
                        "run": self.run, **fields}
                sys.stdout.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
                sys.stdout.flush()  # one line per event, so a killed watcher's log ends on a whole line
                return
            if event == "claim.queued":
                self.progress.update(self.task, total=self.progress.tasks[0].total + 1)
            elif event in ("claim.done", "claim.error", "claim.unchanged", "claim.changed"):
                self.progress.update(self.task, advance=1, description=fields.get("claim", ""))
            if event == "watch.summary":
                f = fields
                self.progress.console.print(
                    f"[bold]{f['claims']} claims, {f['files']} files, {f['errors']} errors, {f['unchanged']} unchanged,"
                    f" {f['skipped']} still arriving — {f['seconds']:.1f} s[/]\n"
                    f"{f['claims']} 个索赔，{f['files']} 个文件，{f['errors']} 个错误，{f['unchanged']} 个未变化，"
                    f"{f['skipped']} 个仍在写入 — {f['seconds']:.1f} 秒")
            elif event not in ("claim.queued", "claim.unchanged"):
                text = " ".join(f"{k}={v}" for k, v in fields.items() if k not in ("fingerprint",))
                from rich.markup import escape

                self.progress.console.print(f"[dim]{datetime.now():%H:%M:%S}[/] {event} {escape(text)}",
                                            highlight=False)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
