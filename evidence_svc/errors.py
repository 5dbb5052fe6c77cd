"""Exit codes and the errors a person sees: the one module that maps failures to what the user is told.

Problems with an evidence file are never exceptions: they are findings in the report. What is here is for
problems with the *command* (bad flags, a claim file that cannot be read, an internal failure), each with an
exit code and a message in English and Chinese.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0  # no errors (warnings allowed)
    findings = 1  # the evidence has errors
    usage = 2  # bad arguments, unreadable claim file, or an internal error


class EvidenceError(Exception):
    """A failure of the command itself. `message` names the file and the reason."""

    exit_code = ExitCode.usage

    def __init__(self, message: str, message_zh: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh or message

    def text(self, lang: str = "en") -> str:
        return self.message_zh if lang == "zh" else self.message


class UsageError(EvidenceError):
    """Arguments or a claim description that cannot be used."""


class InternalError(EvidenceError):
    """A bug or an environment problem (tesseract missing, disk full): not the user's evidence."""
