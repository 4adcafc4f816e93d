"""What every command shares: the workspace, report options, dates, progress."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
from tqdm import tqdm

from docgen.calendar import Period
from docgen.config import Workspace, find_workspace
from docgen.i18n import N_, _, translate
from docgen.journal import Journal
from docgen.report import FORMATS, WIDE_META, Report, write_report
from docgen.textsafe import escape_controls

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


class CliState:
    """Options of the ``docgen`` group, and the workspace they name (opened once)."""

    def __init__(self, root: Path, debug: bool) -> None:
        self.root = root
        self.debug = debug
        self._workspace: Workspace | None = None

    @property
    def workspace(self) -> Workspace:
        """The workspace: the folder ``-w`` (or DOCGEN_WORKSPACE) names, which must hold
        a docgen.toml, or else the nearest folder from here upwards that holds one
        (:func:`docgen.config.find_workspace`; ISSUE 11 item 4)."""
        if self._workspace is None:
            from click.core import ParameterSource

            ctx = click.get_current_context(silent=True)
            source = ctx.find_root().get_parameter_source("workspace") if ctx else None
            self._workspace = find_workspace(self.root, search=source is ParameterSource.DEFAULT)
        return self._workspace

    @property
    def journal(self) -> Journal:
        return Journal(self.workspace.journal_path, self.workspace.root)


pass_state = click.make_pass_decorator(CliState)


def chosen_period(month: str | None, half: str | None, *, required: bool = True) -> Period | None:
    """The period ``--month 2026-10`` or ``--half 2026-H1`` names — the one way every
    command names a period (ISSUE 11 item 3). Both, neither (when ``required``), or a
    value that is not a month or a half as asked, is a usage mistake (exit 2)."""
    from docgen.calendar import parse_period
    from docgen.errors import InputError, UsageError

    if month is not None and half is not None:
        raise UsageError(_("give --month or --half, not both"))
    if month is None and half is None:
        if required:
            raise UsageError(_("give one of --month YYYY-MM or --half YYYY-Hn"))
        return None
    option, text, kind = (
        ("--month", month, "month") if month is not None else ("--half", half, "half")
    )
    try:
        period = parse_period(text or "")
    except InputError as error:
        raise UsageError(f"{option}: {error}") from error
    if period.kind != kind:
        raise UsageError(
            _("{option} {value!r}: e.g. --month 2026-10 or --half 2026-H1").format(
                option=option, value=text
            )
        )
    return period


class DateParam(click.ParamType):
    """A date given as ISO (2026-10-01) or ROC (115/10/01, 115年10月1日)."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        from docgen.calendar import parse_date
        from docgen.errors import InputError

        try:
            return parse_date(str(value))
        except InputError as error:
            self.fail(str(error), param, ctx)


DATE = DateParam()


def format_option(default: str = "table") -> Callable[[F], F]:
    """``--format table|json|csv|xlsx|ods`` and ``--wide`` (every column in the table).

    ``--wide`` is not passed to the command: it is kept in the click context
    (:data:`docgen.report.WIDE_META`), where :func:`emit`, :func:`show_report` and
    :func:`docgen.report.write_report` find it, so every report command has it."""
    choose = click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=default,
        show_default=True,
        help=N_(
            "table for people, json for programs, csv/xlsx for Excel (csv has a UTF-8 BOM), "
            "ods for LibreOffice (ODF, the government's document standard); xlsx and ods "
            "need -o FILE."
        ),
    )
    wide = click.option(
        "--wide",
        is_flag=True,
        expose_value=False,
        callback=_remember_wide,
        help=N_(
            "table: show every column, not only the main ones (json, csv, xlsx and ods "
            "always have every column)."
        ),
    )

    def decorate(command: F) -> F:
        return choose(wide(command))

    return decorate


def _remember_wide(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta[WIDE_META] = bool(value)
    return value


def wide_requested() -> bool:
    """Whether the command being run was given ``--wide``."""
    context = click.get_current_context(silent=True)
    return bool(context.meta.get(WIDE_META)) if context is not None else False


def output_option(
    help_text: str = N_("Write the report to this file instead of the screen."),
) -> Callable[[F], F]:
    """``-o/--output FILE`` for a report; ``help_text`` is a message ID (``N_``),
    translated where the help is shown."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=help_text,
    )


def say(text: str, err: bool = False) -> None:
    """Print one line whose values (file names above all) may hold control characters:
    they are escaped, so that no value splits or forges a line (ISSUE 9 item 13)."""
    click.echo(escape_controls(text), err=err)


def emit(report: Report, fmt: str, output: Path | None) -> None:
    """Print ``report`` or write it to ``output`` in ``fmt``; a table printed fits the
    terminal and shows the report's brief columns unless the command got ``--wide``."""
    text = write_report(report, fmt, output, wide=wide_requested())
    if text is not None:
        click.echo(text, nl=False)
    else:
        say(_("Wrote {file}").format(file=output), err=True)


def show_report(
    state: CliState,
    report: Report,
    fmt: str,
    output: Path | None,
    command: str,
    *,
    inputs: Iterable[Path] = (),
    details: Mapping[str, Any] | None = None,
) -> None:
    """Print ``report`` (as :func:`emit` does), or save it to ``output`` on record (the
    journal) through :func:`docgen.services.reports.save_report` (a table file shows
    every column only with ``--wide``, as printed, but is not wrapped)."""
    if output is None:
        emit(report, fmt, None)
        return
    from docgen.services.reports import save_report

    save_report(state.workspace, report, fmt, output, command, inputs=inputs, details=details)
    say(_("Wrote {file}").format(file=output), err=True)


def progress(items: Iterable[T], total: int | None = None, label: str = "") -> Iterator[T]:
    """A progress bar on standard error when it is a terminal; silent otherwise. ``label``
    is shown in the current language (a message marked with ``N_``, or already
    translated with ``_``)."""
    desc = translate(label) if label else None
    yield from tqdm(items, total=total, desc=desc, disable=None, leave=False, unit="")
