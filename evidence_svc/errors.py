"""Exit codes and the errors a person sees: the one module that maps failures to what the user is told.

Problems with an evidence file are never exceptions: they are findings in the report. What is here is for
problems with the *request or command* (bad flags, a claim file that cannot be read, a refused upload, an internal
failure). Every such error is an `EvidenceError`: a stable `code`, a `message` in English and `message_zh` in
Chinese, the CLI's `exit_code` and the HTTP `status`, so each adapter renders it without knowing its class (as
OCRmyPDF's exceptions carry their exit codes). Nothing here logs, prints or knows about an adapter.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    ok = 0  # no errors (warnings allowed)
    findings = 1  # the evidence has errors
    usage = 2  # bad arguments, unreadable claim file, or an internal error


class EvidenceError(Exception):
    """A failure of the command or request itself. `message` names the file and the reason.

    Class attributes give the defaults (`code`, `exit_code`, `status`); an instance may override `code`,
    `status`, `details` and `headers`.
    """

    code = "error"
    exit_code = ExitCode.usage
    status = 400

    def __init__(self, message: str, message_zh: str | None = None, *, code: str | None = None,
                 status: int | None = None, details: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh or message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details, self.headers = details, headers

    def text(self, lang: str = "en") -> str:
        return self.message_zh if lang == "zh" else self.message


class UsageError(EvidenceError):
    """Arguments or a claim description that cannot be used."""

    code = "usage"


class InternalError(EvidenceError):
    """A bug or an environment problem (tesseract missing, disk full): not the user's evidence."""

    code = "internal-error"
    status = 500
