"""Argument errors in the seller's language: click/typer usage errors (and the pydantic errors behind them) in Chinese.

`BilingualGroup` is the `evidence` command's click group: it lets typer parse as usual and, when a click error
(unknown option, bad value, missing argument) escapes, prints it in Chinese when the command line asks for
`--lang zh` (or `cn`) and in typer's own format otherwise. A command that has a `--ui-lang` option (`reply`, whose
`--lang` is the draft's language) is asked with `--ui-lang` instead; the exit code stays click's (2 for usage errors).
Pydantic's texts come from `validation_text`. This module only translates and prints errors: it knows no
command, option or rule of the product.
"""

from __future__ import annotations

import re
import sys
from typing import Any, Sequence

import click
import typer
from pydantic import ValidationError
from typer.core import TyperGroup

from .validation_text import PYDANTIC_ZH

# typer 0.2x parses with its own copy of click: its errors derive from typer.TyperException, older ones from click's.
CLI_ERRORS = (typer.TyperException, click.ClickException)
ABORTS = (typer.Abort, click.Abort)

ZH_LANGS = ("zh", "cn")
UI_LANG_OPTIONS = ("--ui-lang", "--lang")  # the first a command has says the language of its messages

# click's own English texts (click 8) and their Chinese; the value in quotes is kept as the user typed it.
CLICK_ZH = (
    (re.compile(r"'(.*)' is not one of (.*?)\.?$", re.S), r"'\1' 不是可选值之一（可选：\2）"),
    (re.compile(r"'(.*)' does not match the formats? (.*?)\.?$", re.S), r"'\1' 不符合日期时间格式 \2"),
    (re.compile(r"'(.*)' is not a valid integer( range)?\.?$"), r"'\1' 不是有效的整数"),
    (re.compile(r"'(.*)' is not a valid float( range)?\.?$"), r"'\1' 不是有效的数字"),
    (re.compile(r"'(.*)' is not a valid boolean\.?$"), r"'\1' 不是有效的是/否值"),
    (re.compile(r"(?:File|Directory|Path) '(.*)' does not exist\.?$"), r"路径 '\1' 不存在"),
    (re.compile(r"No such command '(.*)'\.?$"), r"没有命令 '\1'"),
    (re.compile(r"Got unexpected extra arguments? \((.*)\)$"), r"多余的参数：\1"),
    (re.compile(r"Missing command\.?$"), "缺少命令"),
    (re.compile(r"Option '(.*)' requires an argument\.?$"), r"选项 '\1' 需要一个值"),
)


def wants_zh(args: Sequence[str], option: str = "--lang") -> bool:
    """Whether the command line asks for Chinese with `option` (`--lang zh`, `--lang=cn`), read without parsing it.
    The last one given wins, as click's parsing does."""
    args, value = list(args), None
    for i, a in enumerate(args):
        if a.startswith(option + "="):
            value = a.split("=", 1)[1]
        elif a == option and i + 1 < len(args):
            value = args[i + 1]
    return value is not None and value.strip().lower() in ZH_LANGS


def ui_lang_option(group: Any, args: Sequence[str]) -> str:
    """The option that sets the language of the messages for the command `args` run: `--ui-lang` when that
    command (the first word naming one of the group's commands, sub-groups followed) has one, else `--lang`."""
    command = group  # typer's vendored click or click itself: told apart by what they have, not by class
    for a in args:
        commands = getattr(command, "commands", None)
        if not isinstance(commands, dict):
            break
        if a in commands:
            command = commands[a]
    opts = {o for p in getattr(command, "params", []) for o in getattr(p, "opts", [])}
    return next((o for o in UI_LANG_OPTIONS if o in opts), "--lang")


def _kind(err: Exception) -> str:
    """The click error class an error is (by name: typer's vendored click and click itself name them alike)."""
    names = [c.__name__ for c in type(err).__mro__]
    return next((n for n in ("NoSuchOption", "MissingParameter", "BadParameter") if n in names), "UsageError")


def _hint(err: Any) -> str:
    param = getattr(err, "param", None)
    if getattr(err, "param_hint", None):
        return str(err.param_hint)
    opts = getattr(param, "opts", None) or []
    return " / ".join(f"'{o}'" for o in opts) or (f"'{param.name}'" if getattr(param, "name", None) else "")


def click_error_zh(err: Exception) -> str:
    """A click error in Chinese, naming the option or argument it is about."""
    raw = getattr(err, "message", None) or err.format_message()  # type: ignore[attr-defined]
    text = re.sub(r"^Value error, ", "", str(raw).strip())
    cause = err.__cause__
    if isinstance(cause, ValidationError) and cause.errors()[0]["type"] in PYDANTIC_ZH:
        first = cause.errors()[0]
        text = PYDANTIC_ZH[first["type"]].format(expected=(first.get("ctx") or {}).get("expected", ""))
    else:
        for pattern, zh in CLICK_ZH:
            if pattern.search(text):
                text = pattern.sub(zh, text)
                break
    kind = _kind(err)
    if kind == "NoSuchOption":
        possible = sorted(getattr(err, "possibilities", None) or [])
        maybe = f"（是否想用：{'、'.join(possible)}？）" if possible else ""
        return f"没有选项 {getattr(err, 'option_name', '')}{maybe}"
    if kind == "MissingParameter":
        what = {"argument": "参数", "option": "选项"}.get(getattr(err, "param_type", None) or "", "参数")
        return f"缺少{what} {_hint(err)}".strip()
    if kind == "BadParameter":
        hint = _hint(err)
        return f"{hint} 的值无效：{text}" if hint else f"值无效：{text}"
    return f"用法错误：{text}"


def _show_zh(err: Any) -> None:
    ctx = getattr(err, "ctx", None)
    usage = f"{ctx.command_path} --help" if ctx is not None else "evidence --help"
    click.echo(f"evidence：{click_error_zh(err)}\n（{err.format_message()}）\n运行 `{usage}` 查看用法。", err=True)


class BilingualGroup(TyperGroup):
    """The `evidence` group: typer's parsing, with argument errors in Chinese under `--lang zh|cn` (`--ui-lang` for
    a command that has it)."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode or not wants_zh(argv, ui_lang_option(self, argv)):
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except CLI_ERRORS as err:
            _show_zh(err)
            sys.exit(err.exit_code)
        except ABORTS:
            click.echo("已中止。", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)
