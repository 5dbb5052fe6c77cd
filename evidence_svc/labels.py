"""The one label catalogue (`data/labels.toml`): the words people read in the CLI report, the bundle and the web page.

    labels_for("zh")["terms"]["delivered"]   -> "已签收"
    catalogue()                              -> every language, as a plain dict (json.dumps-ready, for the web page)

A language's table is English overlaid with that language, section by section and key by key, so a text missing
in one language still reads (in English) instead of failing. This module only loads and looks up; it does not
format money or dates (the bundle does) and holds no text of its own.
"""

from __future__ import annotations

import copy
import tomllib
from functools import lru_cache
from importlib import resources

LANGS = ("en", "de", "fr", "ja", "zh")


@lru_cache(maxsize=1)
def _load() -> dict[str, dict]:
    text = resources.files("evidence_svc").joinpath("data/labels.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def catalogue() -> dict[str, dict]:
    """The whole catalogue as written: {lang: {section: {key: text}}} (a copy; plain str/dict values only)."""
    return copy.deepcopy(_load())


@lru_cache(maxsize=len(LANGS))
def _merged(lang: str) -> dict[str, dict]:
    table = _load()
    if lang not in table:
        raise ValueError(f"language {lang!r} is not available; choose one of {', '.join(LANGS)}")
    out = copy.deepcopy(table["en"])
    for section, values in table[lang].items():
        out.setdefault(section, {}).update(values)
    return out


def labels_for(lang: str) -> dict[str, dict]:
    """One language's labels, English filling any key the language lacks. Raises ValueError for an unknown one."""
    return copy.deepcopy(_merged(lang))


def reason_label(reason: str, lang: str) -> str:
    """A claim reason ("not_received") in words (a reason the catalogue lacks: its code without underscores)."""
    return _merged(lang)["reasons"].get(reason, reason.replace("_", " "))


def role_label(role: str | None, lang: str) -> str:
    """What a file is as evidence ("delivery", "photos", ...) in words; unknown roles read as "Other evidence"."""
    roles = _merged(lang)["roles"]
    return roles.get(role or "other", roles["other"])
