"""Reply drafts for A-to-z claims: the buyer-facing text built from the evidence, never from guesses.

    draft_reply(report, claim, lang=None, remedy=None, tone="full", appeal=False) -> ReplyDraft

The draft is in the marketplace's language (or `lang`), with a Chinese rendering for the seller, and states only
facts that files which passed their checks show (`evidence.py`); the sentences come from per-language template
files (`data/reply_templates/<lang>.toml`, `templates.py`) and are put together in `draft.py`. What is missing
and what to do next come back as bilingual notes. This package is pure: adapters (CLI, HTTP, watch) call it and
do all reading and writing.
"""

from .draft import FactUsed, Note, ReplyDraft, draft_reply
from .templates import LANGS, fmt_date, fmt_money, language_for

__all__ = ["LANGS", "FactUsed", "Note", "ReplyDraft", "draft_reply", "fmt_date", "fmt_money", "language_for"]
