"""A reply draft as plain text for a person: the draft in the buyer's language, the Chinese rendering below it, then
what is missing and what to do next.

`draft_text(draft, order_id, ui="en"|"zh"|"both")` is what `evidence reply` prints; `reply_txt(report, claim, ...)`
drafts and renders watch mode's `reply.txt` (headings and notes in English and Chinese). The frame's words come from
the label catalogue (`data/labels.toml`, section `reply_draft`), the notes from the draft itself. Pure: it never
reads files, writes or prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from ..config import Settings
from ..labels import labels_for
from ..model import Claim, ClaimReport
from .draft import Note, ReplyDraft, draft_reply

Ui = Literal["en", "zh", "both"]
RULE = "-" * 72


def draft_text(draft: ReplyDraft, order_id: str, ui: Ui = "en") -> str:
    """The draft, its Chinese rendering (unless the draft is Chinese), then the missing facts and next steps, with
    headings and notes in `ui` ("both": English, then Chinese)."""
    langs = ("en", "zh") if ui == "both" else (ui,)
    out = [_heading(langs, "title", order=order_id, draft_lang=draft.lang), RULE, draft.text.strip(), ""]
    if draft.lang != "zh":
        out += [_heading(langs, "title_zh"), RULE, draft.text_zh.strip(), ""]
    if draft.missing:
        out += [_heading(langs, "missing"), RULE, *_notes(draft.missing, langs), ""]
    else:
        out += [_heading(langs, "complete"), ""]
    if draft.next_steps:
        out += [_heading(langs, "next_steps"), RULE, *_notes(draft.next_steps, langs), ""]
    return "\n".join(out)


def reply_txt(report: ClaimReport, claim: Claim, earlier_replies: Sequence[str] = (),
              settings: Settings | None = None) -> str:
    """Watch mode's `reply.txt`: the draft in the marketplace's language, then Chinese, then what is missing."""
    draft = draft_reply(report, claim, earlier_replies=earlier_replies, settings=settings)
    return draft_text(draft, claim.order_id, "both")


def _heading(langs: tuple[str, ...], key: str, order: str = "", draft_lang: str = "") -> str:
    parts = []
    for lang in langs:
        table = labels_for(lang)["reply_draft"]
        language = table["languages"].get(draft_lang, draft_lang)
        parts.append(table[key].format(order=order, language=language))
    return " / ".join(parts)


def _notes(notes: list[Note], langs: tuple[str, ...]) -> list[str]:
    lines = []
    for n in notes:
        texts = [n.message_zh if lang == "zh" else n.message for lang in langs]
        lines.append(f"- {texts[0]}")
        lines += [f"  {t}" for t in texts[1:]]
    return lines
