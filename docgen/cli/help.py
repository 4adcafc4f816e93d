"""Help in the office's language (ISSUE 11 item 1): commands whose help texts are
translated when shown, a help formatter that measures CJK width, and click's own
messages routed through docgen's click catalog.

A command's help and its options' help are message IDs marked with
:func:`docgen.i18n.N_`; :class:`Command` and :class:`Group` show them through
:func:`docgen.i18n._` in the language chosen for the run, so that the same process
shows ``--lang en`` and the default alike.
"""

from __future__ import annotations

import copy
import sys
from typing import Any

import click

from docgen.i18n import click_gettext, click_ngettext, translate
from docgen.report import display_width, wrap_text


def _translated_param(param: click.Parameter) -> click.Parameter:
    help_text = getattr(param, "help", None)
    if not help_text:
        return param
    shown = copy.copy(param)
    # docgen's own help, else one of click's (--version's, made when main.py was imported)
    translated = translate(help_text)
    shown.help = translated if translated != help_text else click_gettext(help_text)
    return shown


class HelpFormatter(click.HelpFormatter):
    """click's help formatter, measuring and wrapping text by display width (a CJK
    character takes two columns), so that Chinese help fits the terminal."""

    def write_heading(self, heading: str) -> None:
        colon = "：" if heading and ord(heading[-1]) > 0x2E80 else ":"
        self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        prefix = f"{click_gettext('Usage:')} " if prefix is None else prefix
        if prefix.rstrip().endswith("："):  # a full-width colon needs no space after it
            prefix = prefix.rstrip()
        super().write_usage(prog, args, prefix)

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        room = max(self.width - self.current_indent, 11)
        paragraphs = []
        for paragraph in text.split("\n\n"):
            if paragraph.startswith("\b"):  # click's mark: keep these lines as they are
                lines = paragraph[1:].strip("\n").splitlines()
            else:
                lines = wrap_text(" ".join(paragraph.split()), room)
            paragraphs.append("".join(f"{indent}{line}\n" for line in lines))
        self.write("\n".join(paragraphs))

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((display_width(r[0]) for r in rows), default=0), col_max)
        first_col += col_spacing
        indent = " " * self.current_indent
        hang = " " * (first_col + self.current_indent)
        room = max(self.width - first_col - self.current_indent, 10)
        for first, second in rows:
            self.write(f"{indent}{first}")
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - display_width(first)))
            else:
                self.write("\n" + hang)
            first_line, *more = wrap_text(" ".join(second.split()), room)
            self.write(first_line + "\n" + "".join(f"{hang}{line}\n" for line in more))


class Context(click.Context):
    """A context whose help is written by :class:`HelpFormatter`."""

    formatter_class = HelpFormatter


def _first_sentence(text: str) -> str:
    first = " ".join(text.strip().split("\n\n")[0].split())
    for end in ("。", ". "):
        if end in first:
            return first.split(end)[0] + end.strip()
    return first


class _Translated(click.Command):
    """Shows its help, short help, epilog and options' help translated."""

    context_class = Context

    def _shown(self) -> click.Command:
        shown = copy.copy(self)
        shown.help = translate(self.help) if self.help else self.help
        shown.short_help = translate(self.short_help) if self.short_help else self.short_help
        shown.epilog = translate(self.epilog) if self.epilog else self.epilog
        shown.params = [_translated_param(p) for p in self.params]
        return shown

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        click.Command.format_help(self._shown(), ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        shown = self._shown()
        if shown.short_help or not shown.help:
            return click.Command.get_short_help_str(shown, limit)
        first = _first_sentence(shown.help.lstrip("\b"))
        return first if display_width(first) <= limit else wrap_text(first, limit - 1)[0] + "…"


class Command(_Translated):
    """A docgen command (see the module)."""


class Group(_Translated, click.Group):
    """A docgen command group; its commands and subgroups are of these classes too."""

    command_class = Command
    group_class = type


def route_click_messages() -> None:
    """Have click's own messages ("Usage:", "Missing argument", "No such option") go
    through docgen's click catalog: click looks each one up with the ``_`` and
    ``ngettext`` of its modules, which are the standard library's until replaced here."""
    for name, module in list(sys.modules.items()):
        if name == "click" or name.startswith("click."):
            if hasattr(module, "_"):
                module._ = click_gettext  # type: ignore[attr-defined]
            if hasattr(module, "ngettext"):
                module.ngettext = click_ngettext  # type: ignore[attr-defined]
