"""Pydantic validation errors as sentences a seller reads, in English and Simplified Chinese.

`validation_problem(exc)` -> (English, Chinese), field by field ("opened_at：日期时间格式无效..."). Used by the CLI (a
bad option value, a claim that does not validate) and by claim folders (a claim.toml value of the wrong kind). It
only words errors: it validates nothing and knows no field of ours.
"""

from __future__ import annotations

from pydantic import ValidationError

PYDANTIC_ZH = {
    "missing": "缺少此项", "extra_forbidden": "未知的键", "enum": "取值无效（可选：{expected}）",
    "literal_error": "取值无效（可选：{expected}）", "datetime_parsing": "日期时间格式无效（请用 ISO 8601，例如 2026-11-24T09:00:00Z）",
    "datetime_from_date_parsing": "日期时间格式无效（请用 ISO 8601，例如 2026-11-24T09:00:00Z）", "date_parsing": "日期格式无效",
    "string_type": "必须是文本", "list_type": "必须是列表", "int_parsing": "必须是整数", "int_type": "必须是整数",
    "float_parsing": "必须是数字", "decimal_parsing": "必须是数字", "bool_parsing": "必须是是/否值",
    "datetime_type": "日期时间格式无效（请用 ISO 8601，例如 2026-11-24T09:00:00Z）",
    "dict_type": "必须是表（例如 {{amount = \"12.99\", currency = \"USD\"}}）", "string_too_long": "太长",
}


def validation_problem(exc: ValidationError) -> tuple[str, str]:
    """A pydantic error as one English and one Chinese sentence, field by field."""
    en, zh = [], []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "claim"
        en.append(f"{where}: {err['msg']}")
        template = PYDANTIC_ZH.get(err["type"])
        expected = (err.get("ctx") or {}).get("expected", "")
        zh.append(f"{where}：{template.format(expected=expected) if template else err['msg']}")
    return "; ".join(en), "；".join(zh)
