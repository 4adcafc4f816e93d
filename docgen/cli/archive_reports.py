"""``docgen archive report | hold | release | dispose``: RET's commands on ARCH's
``archive`` group (reports, legal holds, approved disposal)."""

from __future__ import annotations

import getpass
from datetime import date, datetime
from pathlib import Path

import click

from docgen.archive.db import open_index
from docgen.archive.disposal import dispose, place_hold, release_hold
from docgen.archive.reports import REPORT_KINDS, build_report
from docgen.cli.archive import archive
from docgen.cli.common import DATE, CliState, emit, format_option, output_option, pass_state
from docgen.privacy import mask_ids_in_text

_BY_HELP = "Who does this, for the record (default: the logged-in user)."


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


@archive.command("report")
@click.argument("kind", type=click.Choice(REPORT_KINDS))
@click.option("--as-of", type=DATE, default=None, help="The date to report as of (default: today).")
@click.option("--full", is_flag=True, help="fixity: re-read every file, even unchanged ones.")
@click.option(
    "--all", "list_all", is_flag=True, help="retention: list every record, not only candidates."
)
@click.option(
    "--calendar",
    is_flag=True,
    help="missing: the whole obligations calendar (done, late, missing, pending).",
)
@format_option()
@output_option()
@pass_state
def report(
    state: CliState,
    kind: str,
    as_of: date | None,
    full: bool,
    list_all: bool,
    calendar: bool,
    fmt: str,
    output: Path | None,
) -> None:
    """An archive report: retention (the draft destruction list), missing (obligations
    without their record, and lost files), fixity (changed or unknown files),
    unclassified (files to sort by hand). Reports never delete anything.

    \b
    Example:
      docgen archive report retention --as-of 115/11/30 --format xlsx -o 銷毀目錄草稿.xlsx
      docgen archive report missing --calendar
      docgen archive report fixity --full
    """
    when = as_of or date.today()
    result = build_report(
        state.workspace, kind, when, full=full, list_all=list_all, calendar=calendar
    )
    emit(result, fmt, output)
    if output is not None:
        details = {"kind": kind, "as_of": when.isoformat(), "rows": len(result.rows)}
        state.journal.append(f"archive report {kind}", outputs=[output], details=details)


@archive.command("hold")
@click.argument("record")
@click.option("--reason", required=True, help="Why the record must be kept (case, letter, 文號).")
@click.option("--by", default=None, help=_BY_HELP)
@pass_state
def hold(state: CliState, record: str, reason: str, by: str | None) -> None:
    """Put a record on legal hold: it is never disposed until released.

    \b
    Example:
      docgen archive hold DG-4M-202310-1A2B3C4D --reason "訴訟保全 北市市企字第1150001234號"
    """
    who = by or getpass.getuser()
    with open_index(state.workspace) as index:
        placed = place_hold(index, record, reason, who, _now())
    shown = mask_ids_in_text(placed.reason)
    details = {"record_id": record, "reason": shown, "by": who}
    state.journal.append("archive hold", details=details)
    click.echo(f"{record} is on hold: {shown}")


@archive.command("release")
@click.argument("record")
@click.option("--by", default=None, help=_BY_HELP)
@pass_state
def release(state: CliState, record: str, by: str | None) -> None:
    """Release a record's hold; its retention runs as before.

    \b
    Example:
      docgen archive release DG-4M-202310-1A2B3C4D
    """
    who = by or getpass.getuser()
    with open_index(state.workspace) as index:
        released = release_hold(index, record, who, _now())
    details = {"record_id": record, "reason": mask_ids_in_text(released.reason), "by": who}
    state.journal.append("archive release", details=details)
    click.echo(f"{record} is released from its hold")


@archive.command("dispose")
@click.argument("records", nargs=-1, required=True)
@click.option(
    "--approval",
    default="",
    help="文號 of the approved destruction list (檔案法 Art. 12). Required.",
)
@click.option(
    "--as-of",
    type=DATE,
    default=None,
    help="Check candidacy as of this date, today or earlier (default: today).",
)
@click.option("--by", default=None, help=_BY_HELP)
@pass_state
def dispose_command(
    state: CliState, records: tuple[str, ...], approval: str, as_of: date | None, by: str | None
) -> None:
    """Remove approved destruction candidates from the archive, keeping a tombstone
    (hashes, metadata, approval, when, who). If any record named is not a candidate,
    is on hold or is unknown, nothing is removed and every reason is listed.

    \b
    Example:
      docgen archive dispose --approval 北市市企字第1150012345號 DG-4M-202210-1A2B3C4D
    """
    who, now = by or getpass.getuser(), _now()
    done = dispose(state.workspace, records, approval, as_of or now.date(), who, now)
    details = {
        "approval": approval.strip(),
        "by": who,
        "records": [{"record_id": d.record_id, "files": d.files} for d in done],
    }
    state.journal.append("archive dispose", outputs=[d.tombstone for d in done], details=details)
    for item in done:
        click.echo(
            f"{item.record_id}: disposed {len(item.files)} file(s); tombstone {item.tombstone}"
        )
