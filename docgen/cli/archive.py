"""``docgen archive``: file the inbox (watch, scan) and rebuild the index.

RET adds ``report``, ``hold``, ``release`` and ``dispose`` to this group from
``docgen/cli/archive_reports.py``.
"""

from __future__ import annotations

import logging
import signal
import sys
from datetime import datetime
from pathlib import Path
from types import FrameType

import click

from docgen.archive.context import open_archive
from docgen.archive.plan import Filed
from docgen.archive.rebuild import RebuildResult
from docgen.archive.rebuild_run import rebuild_archive
from docgen.archive.watcher import Watcher
from docgen.cli.common import CliState, pass_state
from docgen.cli.help import Group
from docgen.errors import InputError, IntegrityError
from docgen.i18n import N_, _, translate
from docgen.privacy import mask_ids_in_text
from docgen.report import display_width
from docgen.textsafe import EscapingFormatter, escape_controls


@click.group(
    cls=Group,
    help=N_("The archive: file what arrives in archive/inbox/, report, hold and dispose."),
)
def archive() -> None:
    pass


#: How a filed file's status is shown (the status itself is data: the journal's word).
_STATUS_LABELS = {
    "filed": N_("filed"),
    "duplicate": N_("duplicate"),
    "unclassified": N_("unclassified"),
    "conflict": N_("conflict"),
}


def _status_label(status: str) -> str:
    """``status`` in the current language, padded to 13 display columns."""
    label = translate(_STATUS_LABELS.get(status, status))
    return label + " " * max(1, 13 - display_width(label))


def _setup_logging() -> None:
    """The watcher's log: one line per record, controls escaped (ISSUE 9 item 13)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(EscapingFormatter("%(asctime)s %(levelname)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


@archive.command(
    "scan",
    help=N_(
        "File everything in archive/inbox/ once, then exit: each stable file is "
        "classified, hashed, recorded in the index and moved under archive/records/.\n\n"
        "\b\nExample:\n"
        "  cp ~/scans/*.pdf archive/inbox/ && docgen archive scan"
    ),
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=None,
    help=N_("Seconds to wait for files still being written (default: 3 × stable_seconds + 5)."),
)
@pass_state
def scan(state: CliState, wait: float | None) -> None:
    # What the log would say, the lines below say: no second copy on standard error.
    log = logging.getLogger("docgen.archive")
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    from docgen.services.archive import file_inbox

    scanned = file_inbox(state.workspace, wait)
    result = scanned.result
    for item in result.filed:
        click.echo(f"{_status_label(item.status)}{mask_ids_in_text(item.path)}  ({item.record_id})")
    for shown, message in result.failed:
        click.echo(_("failed       {file}: {why}").format(file=shown, why=message), err=True)
    for shown, reason in result.notes:
        click.echo(_("refused      {file}: {why}").format(file=shown, why=reason), err=True)
    for shown in scanned.shown_waiting:
        click.echo(_("still being written, left for later: {file}").format(file=shown), err=True)
    for shown in scanned.orphans:
        click.echo(
            _("a sidecar without its file, left in the inbox: {file}").format(file=shown),
            err=True,
        )
    click.echo(_("Filed {count} file(s).").format(count=len(result.filed)))
    if result.failed:
        raise InputError(
            _("{count} file(s) could not be filed (listed above); they stay in the inbox").format(
                count=len(result.failed)
            )
        )
    if result.notes:
        raise InputError(
            _(
                "{count} file(s) kept unclassified because what they say about themselves "
                "was refused (listed above): see docgen archive report unclassified"
            ).format(count=len(result.notes))
        )


@archive.command(
    "watch",
    help=N_(
        "Run as a service: file every file that arrives in archive/inbox/ until stopped "
        "(SIGTERM or Ctrl-C). Logs each action to standard error.\n\n"
        "\b\nExample:\n"
        "  docgen -w /srv/office archive watch\n"
        "  docgen -w /srv/office archive watch --poll 10   # inbox on a network share"
    ),
)
@click.option(
    "--poll",
    type=click.FloatRange(min=0.1),
    default=None,
    metavar="SECONDS",
    help=N_("Poll the inbox every SECONDS instead of native events (for network shares)."),
)
@pass_state
def watch(state: CliState, poll: float | None) -> None:
    _setup_logging()
    from docgen.services.archive import record_filed

    def journal_batch(filed: list[Filed]) -> None:
        record_filed(state.workspace, "archive watch", filed)

    with open_archive(state.workspace, wait_seconds=0) as ctx:
        watcher = Watcher(ctx, poll=poll, on_pass=journal_batch)

        def stop(signum: int, _frame: FrameType | None) -> None:
            logging.getLogger("docgen.archive").info(
                _("signal {signal}: stopping").format(signal=signum)
            )
            watcher.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        watcher.run()


@archive.command(
    "rebuild",
    help=N_(
        "Make a new archive index from the files alone (embedded metadata, QR codes, "
        "sidecars, tombstones, hold files) and put it in place of the archive's rows in the "
        "office database, in one transaction; the rows replaced are kept first (SQLite: a "
        "copy of the database file in the state folder; PostgreSQL: the archive's rows as "
        "JSON there). The journal is the authority for holds and disposals: a tombstone or "
        "hold file it does not record is listed and not believed (an unrecorded hold still "
        "holds), and a recorded disposal or hold counts even if its file is gone (a missing "
        "tombstone is written again from the journal). If the journal does not verify, the "
        "trail files are believed as they are, with a warning. Holds without a hold file, "
        "forms issued and disposal plans are carried over from the current rows. A file "
        "claiming a disposed record is not filed (the disposal wins). Any of these exits "
        "with code 5. Not while a disposal runs. Stop the watcher first.\n\n"
        "\b\nExample:\n"
        "  docgen archive rebuild --check    # does the index still match the files?\n"
        "  docgen archive rebuild"
    ),
)
@click.option(
    "--check",
    is_flag=True,
    help=N_("Only compare: build a new index aside and list how it differs from the current one."),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_("Write the new index to this SQLite file and leave the office database alone."),
)
@pass_state
def rebuild(state: CliState, check: bool, output: Path | None) -> None:
    done = rebuild_archive(state.workspace, datetime.now(), check, output)
    result = done.result
    if done.differences is not None:
        _report_check(done.differences, result)
        return
    counts = {
        "records": result.records,
        "files": result.files,
        "disposals": result.disposals,
        "journal": result.holds_from_journal,
        "hold_files": result.holds_from_files,
        "carried": result.holds_carried,
        "dropped": result.holds_dropped,
    }
    if result.holds_dropped:
        line = _(
            "Rebuilt: {records} record(s), {files} file(s), {disposals} disposal(s); "
            "{journal} hold(s) from the journal, {hold_files} from hold files only, "
            "{carried} carried over, {dropped} dropped (their records are gone)"
        )
    else:
        line = _(
            "Rebuilt: {records} record(s), {files} file(s), {disposals} disposal(s); "
            "{journal} hold(s) from the journal, {hold_files} from hold files only, "
            "{carried} carried over"
        )
    click.echo(line.format(**counts))
    if done.kept is not None:
        click.echo(_("The archive index in {database} was replaced").format(database=done.database))
        click.echo(_("Kept {what}: {path}").format(what=done.kept.what, path=done.kept.path))
    else:
        click.echo(
            _("Wrote the new index to {file}; the office database was not changed").format(
                file=output
            )
        )
    for path in done.tombstones:
        shown = path.relative_to(state.workspace.archive_root).as_posix()
        click.echo(
            _("Wrote the tombstone {file} again from the journal").format(
                file=escape_controls(shown)
            )
        )
    for path in done.hold_files:
        shown = path.relative_to(state.workspace.archive_root).as_posix()
        click.echo(_("Wrote the hold file {file}").format(file=escape_controls(shown)))
    _show_attention(result)
    _raise_attention(result, _("the index was rebuilt"))


def _show_attention(result: RebuildResult) -> None:
    """Conflicts (files claiming a disposed record) and untrusted trail files."""
    for line in result.conflicts:
        click.echo(_("conflict     {line}").format(line=escape_controls(line)), err=True)
    for line in result.problems:
        click.echo(_("problem      {line}").format(line=escape_controls(line)), err=True)


def _raise_attention(result: RebuildResult, done: str) -> None:
    count = len(result.conflicts) + len(result.problems)
    todo = []
    if result.conflicts:
        todo.append(_("move each conflicting file out of records/ (its record stays disposed)"))
    if result.problems:
        todo.append(_("restore or fix each problem file from backup, as each line says"))
    if count:
        raise IntegrityError(
            _("{done}, but {count} file(s) need attention (listed above): {todo}").format(
                done=done, count=count, todo=_("; ").join(todo)
            )
        )


def _report_check(differences: list[str], result: RebuildResult) -> None:
    if not differences:
        click.echo(_("The index matches the files."))
    for line in differences[:200]:
        click.echo(escape_controls(mask_ids_in_text(line)))
    _show_attention(result)
    if differences:
        raise IntegrityError(
            _(
                "the index differs from the files in {count} place(s): run `docgen archive "
                "rebuild` to replace it"
            ).format(count=len(differences))
        )
    _raise_attention(result, _("the index matches the files"))
