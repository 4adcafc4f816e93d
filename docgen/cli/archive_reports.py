"""``docgen archive report | hold | release | reject | dispose``: RET's commands on
ARCH's ``archive`` group (reports, legal holds, rejecting a file as no record, approved
disposal).

The services append the journal entries of holds and disposals themselves (ISSUE 9
items 1 and 3); a report written with ``-o`` is journalled here. A report that finds
a problem exits non-zero once it is printed or written in full (ISSUE 9 item 5).
"""

from __future__ import annotations

import getpass
from datetime import date, datetime
from pathlib import Path

import click

from docgen.archive.approval import Approval
from docgen.archive.db import open_index
from docgen.archive.disposal import Preview, dispose, preview
from docgen.archive.disposal_plan import DisposalResult
from docgen.archive.disposal_report import ORPHAN, UNTRUSTED, UNTRUSTED_HINT, disposals_report
from docgen.archive.disposal_steps import shown_note
from docgen.archive.holds import place_hold, release_hold
from docgen.archive.reports import (
    REPORT_KINDS,
    UNFINISHED_DISPOSAL,
    build_report,
    report_problem,
)
from docgen.calendar import format_roc_short
from docgen.cli.archive import archive
from docgen.cli.common import (
    DATE,
    CliState,
    format_option,
    output_option,
    pass_state,
    show_report,
)
from docgen.errors import IntegrityError
from docgen.i18n import N_, _, translate
from docgen.privacy import mask_ids_in_text
from docgen.report import Report
from docgen.services.triage import reject_file
from docgen.textsafe import escape_controls

_BY_HELP = N_("Who does this, for the record (default: the logged-in user).")


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


@archive.command(
    "report",
    help=N_(
        "An archive report: retention (the draft destruction list), missing (obligations "
        "without their record, and lost files), fixity (changed or unknown files), "
        "unclassified (files to sort by hand), disposals (every disposal; an unfinished one "
        "first). Reports never delete anything. Exit code 6 when missing finds a record "
        "missing, lost or awaiting review, or a disposal is unfinished (disposals, "
        "retention); 5 when fixity finds a changed, lost or unknown file, or disposals a "
        "tombstone of no disposal the journal records — after the whole report is printed "
        "or written.\n\n"
        "\b\nExample:\n"
        "  docgen archive report retention --as-of 115/11/30 --format xlsx -o 銷毀目錄草稿.xlsx\n"
        "  docgen archive report missing --calendar\n"
        "  docgen archive report fixity --full\n"
        "  docgen archive report disposals"
    ),
)
@click.argument("kind", type=click.Choice(REPORT_KINDS))
@click.option(
    "--as-of", type=DATE, default=None, help=N_("The date to report as of (default: today).")
)
@click.option("--full", is_flag=True, help=N_("fixity: re-read every file, even unchanged ones."))
@click.option(
    "--all",
    "list_all",
    is_flag=True,
    help=N_("retention: list every record, not only candidates."),
)
@click.option(
    "--calendar",
    is_flag=True,
    help=N_("missing: the whole obligations calendar (done, late, missing, pending)."),
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
    when = as_of or date.today()
    if kind == "disposals":
        result = _disposals(state)
    else:
        result = build_report(
            state.workspace, kind, when, full=full, list_all=list_all, calendar=calendar
        )
    if kind == "retention":
        _note_tombstone_only(state, result)
    details = {"kind": kind, "as_of": when.isoformat(), "rows": len(result.rows)}
    show_report(state, result, fmt, output, f"archive report {kind}", details=details)
    problem = report_problem(kind, result)
    untrusted = int(result.summary.get(UNTRUSTED, 0)) if kind == "disposals" else 0
    if problem is None and untrusted:
        problem = IntegrityError(
            _(
                "the disposals report found {count} tombstone(s) that match no disposal the "
                "journal records ({state}, listed above): {hint}"
            ).format(count=untrusted, state=translate(UNTRUSTED), hint=translate(UNTRUSTED_HINT))
        )
    if problem is not None:
        raise problem


def _disposals(state: CliState) -> Report:
    """The disposals report, its tombstones checked against the journal."""
    with open_index(state.workspace) as index:
        return disposals_report(index, state.workspace.archive_root, state.journal)


def _note_tombstone_only(state: CliState, result: Report) -> None:
    """A disposal left with only its tombstone is unfinished for the retention report
    too, as for the disposals report (README: both exit 6 while one is)."""
    if UNFINISHED_DISPOSAL in result.summary:
        return
    orphans = [r["record_id"] for r in _disposals(state).rows if r.get("kind") == ORPHAN]
    if orphans:
        shown = _("of {records} (tombstone only)").format(records=" ".join(orphans))
        result.summary = {**result.summary, UNFINISHED_DISPOSAL: shown}


@archive.command(
    "hold",
    help=N_(
        "Put a record on legal hold: it is never disposed until released. The hold is "
        "kept in archive/records/.holds/<record ID>.json as well as the index, so that it "
        "survives a rebuild of the index.\n\n"
        "\b\nExample:\n"
        '  docgen archive hold DG-4M-202310-1A2B3C4D --reason "訴訟保全 北市市企字第1150001234號"'
    ),
)
@click.argument("record")
@click.option(
    "--reason", required=True, help=N_("Why the record must be kept (case, letter, 文號).")
)
@click.option("--by", default=None, help=_BY_HELP)
@pass_state
def hold(state: CliState, record: str, reason: str, by: str | None) -> None:
    who = by or getpass.getuser()
    placed = place_hold(state.workspace, record, reason, who, _now())
    click.echo(
        _("{record} is on hold: {reason}").format(
            record=_shown(record), reason=_shown(placed.reason)
        )
    )


@archive.command(
    "release",
    help=N_(
        "Release a record's hold; its retention runs as before.\n\n"
        "\b\nExample:\n"
        '  docgen archive release DG-4M-202310-1A2B3C4D --reason "訴訟終結"'
    ),
)
@click.argument("record")
@click.option("--reason", default="", help=N_("Why the hold ends (kept in the journal)."))
@click.option("--by", default=None, help=_BY_HELP)
@pass_state
def release(state: CliState, record: str, reason: str, by: str | None) -> None:
    who = by or getpass.getuser()
    release_hold(state.workspace, record, who, _now(), reason)
    click.echo(_("{record} is released from its hold").format(record=_shown(record)))


@archive.command(
    "reject",
    help=N_(
        "Say that an unclassified file is no record of the office (a blank page, a stray "
        "or personal file), with the reason: the unclassified report no longer lists it "
        "and it is never a disposal candidate. The file stays where it is; classifying "
        "it later still files it.\n\n"
        "\b\nExample:\n"
        '  docgen archive reject U-1A2B3C4D5E6F7081 --reason "空白頁，非公務文件"'
    ),
)
@click.argument("record")
@click.option("--reason", required=True, help=N_("Why the file is no record (kept with it)."))
@click.option("--by", default=None, help=_BY_HELP)
@pass_state
def reject(state: CliState, record: str, reason: str, by: str | None) -> None:
    kept = reject_file(state.workspace, record, reason, by=by or getpass.getuser())
    click.echo(
        _("{record} is rejected as no record: {reason}").format(
            record=_shown(record), reason=_shown(kept)
        )
    )


@archive.command(
    "dispose",
    help=N_(
        "Remove approved destruction candidates from the archive, keeping a tombstone "
        "(hashes, metadata, approval, when, who). If any record named is not a candidate, "
        "is on hold or is unknown, nothing is removed and every reason is listed. The "
        "approval is proposed and approved by two different people. An interrupted "
        "disposal is finished by running the same command again; until then any other "
        "disposal is refused (`docgen archive report disposals` shows it).\n\n"
        "\b\nExample:\n"
        "  docgen archive dispose --approval 北市市企字第1153025174號 --approved-by 王大明 \\\n"
        "    --approved-on 115/11/20 --dry-run DG-4M-202210-1A2B3C4D\n"
        "  docgen archive dispose --approval 北市市企字第1153025174號 --approved-by 王大明 \\\n"
        "    --approved-on 115/11/20 DG-4M-202210-1A2B3C4D"
    ),
)
@click.argument("records", nargs=-1, required=True)
@click.option(
    "--approval",
    default="",
    metavar="文號",
    help=N_(
        "發文字號 of the approved destruction list (檔案法 Art. 12), e.g. "
        "北市市企字第1153025174號. Required."
    ),
)
@click.option(
    "--approved-by",
    default="",
    metavar="NAME",
    help=N_("Who approved the destruction list (not the person disposing). Required."),
)
@click.option(
    "--approved-on",
    type=DATE,
    default=None,
    help=N_("The date of the approval, ISO or ROC (115/11/20), not in the future. Required."),
)
@click.option(
    "--as-of",
    type=DATE,
    default=None,
    help=N_("Check candidacy as of this date, today or earlier (default: today)."),
)
@click.option("--by", default=None, help=_BY_HELP)
@click.option(
    "--dry-run",
    is_flag=True,
    help=N_(
        "Only list each record and file (with its SHA-256) that would be removed; write nothing."
    ),
)
@pass_state
def dispose_command(
    state: CliState,
    records: tuple[str, ...],
    approval: str,
    approved_by: str,
    approved_on: date | None,
    as_of: date | None,
    by: str | None,
    dry_run: bool,
) -> None:
    who, now = by or getpass.getuser(), _now()
    given = Approval(approval, approved_by, approved_on)
    if dry_run:
        _show_preview(preview(state.workspace, records, given, as_of or now.date(), who, now))
        return
    _show_result(dispose(state.workspace, records, given, as_of or now.date(), who, now))


def _shown(value: str) -> str:
    """A value as echoed: national IDs masked, controls escaped (ISSUE 9 item 13)."""
    return escape_controls(mask_ids_in_text(value))


def _approval_line(approval: Approval) -> str:
    on = format_roc_short(approval.approved_on) if approval.approved_on else "?"
    return _("{reference}, approved by {name} on {date}").format(
        reference=_shown(approval.reference), name=_shown(approval.approved_by), date=on
    )


def _show_preview(shown: Preview) -> None:
    if shown.resumes:
        line = _(
            "Dry run: nothing is removed or written. Disposal {plan} under {approval} "
            "(finishing the unfinished disposal) would remove:"
        )
    else:
        line = _(
            "Dry run: nothing is removed or written. Disposal {plan} under {approval} would remove:"
        )
    click.echo(line.format(plan=_shown(shown.plan_id), approval=_approval_line(shown.approval)))
    files = 0
    for record_id, listed in shown.records:
        click.echo(_shown(record_id))
        for path, sha256 in listed:
            click.echo(
                _("  {path}  SHA-256 {sha256}").format(path=_shown(path), sha256=_shown(sha256))
            )
        files += len(listed)
    click.echo(
        _("{records} record(s), {files} file(s).").format(records=len(shown.records), files=files)
    )


def _show_result(done: DisposalResult) -> None:
    for item in done.disposed:
        click.echo(
            _("{record}: disposed {count} file(s); tombstone {tombstone}").format(
                record=_shown(item.record_id),
                count=len(item.files),
                tombstone=_shown(str(item.tombstone)),
            )
        )
    for record_id, why in done.kept:
        click.echo(
            _("{record}: kept, not disposed ({why})").format(
                record=_shown(record_id), why=_shown(shown_note(why))
            )
        )
    if done.resumed:
        line = _("Disposal {plan} finished: {count} record(s) under {approval}.")
    else:
        line = _("Disposal {plan} done: {count} record(s) under {approval}.")
    click.echo(
        line.format(
            plan=_shown(done.plan_id),
            count=len(done.disposed),
            approval=_approval_line(done.approval),
        )
    )
