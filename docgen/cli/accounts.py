"""``docgen accounts``: the account registry, kept in the office database and imported
from (or exported to) the office's registry file (ISSUE 10 item 4)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from docgen.cli.common import (
    CliState,
    emit,
    format_option,
    output_option,
    pass_state,
    say,
    show_report,
)
from docgen.cli.help import Group
from docgen.db import open_database
from docgen.i18n import N_, _, ngettext, translate
from docgen.privacy import MaskingPolicy, mask_id, mask_name
from docgen.records import Account, read_registry
from docgen.records.accounts import ACCOUNT_LABELS
from docgen.records.models import ROLE_LABELS, STATUS_LABELS, Status
from docgen.records.stored import load_registry
from docgen.report import Report
from docgen.services.accounts import (
    EXPORT_FORMATS,
    RegistryChanges,
    export_registry,
    import_registry,
)

F = TypeVar("F", bound=Callable[..., Any])
_LISTED = (
    *("account_id", "name", "national_id", "unit", "title", "role", "status", "opened"),
    *("last_used", "suspended_on", "cancelled_on", "departure_on"),
    *("cancellation_requested_on", "application_on", "pledge_on"),
)
_CHANGE_COLUMNS = {"account_id": N_("Account"), "change": N_("Change"), "fields": N_("Fields")}


@click.group(
    "accounts",
    cls=Group,
    help=N_(
        "The account registry: who may query household data, in which role and state.\n\n"
        "The registry lives in the office database. The office keeps it in a file it edits "
        "in Excel (CSV/XLSX/YAML/JSON, Chinese or English headers: 帳號, 姓名, "
        "身分證統一編號, 單位, 職稱, 角色, 狀態, 開通日期, 最後使用日期, 停用日期, 註銷日期, "
        "離職或調職日期, 註銷申請日期, 權限申請表日期, 保密切結書日期, 電話, 電子郵件; dates "
        "ISO or ROC) and brings each new version in with `accounts import`.\n\n"
        "\b\nExample:\n"
        "  docgen accounts import data/accounts.csv\n"
        "  docgen accounts list\n"
        "  docgen accounts export --format xlsx -o 帳號清冊.xlsx"
    ),
)
def accounts() -> None:
    pass


def registry_option() -> Callable[[F], F]:
    """``--registry FILE``: read this registry file instead of the office database's."""
    return click.option(
        "--registry",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=N_("Check and list this registry file instead (default: the office database's)."),
    )


@accounts.command(
    "list",
    help=N_(
        "List every account of the registry, names and national IDs masked. With "
        "--registry, read and check a registry file instead: a file with errors lists all "
        "of them and exits with 3.\n\n"
        "\b\nExample:\n"
        "  docgen accounts list\n"
        "  docgen accounts list --format xlsx -o 帳號清冊.xlsx\n"
        "  docgen accounts list --registry 新帳號清冊.xlsx"
    ),
)
@registry_option()
@format_option()
@output_option()
@pass_state
def list_accounts(state: CliState, registry: Path | None, fmt: str, output: Path | None) -> None:
    found = read_registry(registry) if registry else load_registry(state.workspace)
    policy = state.workspace.config.masking.policy()
    rows = [_row(account, policy) for account in found.accounts]
    states = Counter(account.status for account in found.accounts)
    summary = {N_("Accounts"): len(rows)} | {STATUS_LABELS[s]: states[s] for s in Status}
    columns = {field: ACCOUNT_LABELS[field] for field in _LISTED}
    title = (
        _("Account registry {file}").format(file=registry.name)
        if registry
        else N_("Account registry")
    )
    report = Report(title, columns, rows, summary)
    show_report(state, report, fmt, output, "accounts list", inputs=[registry] if registry else [])


def _row(account: Account, policy: MaskingPolicy) -> dict[str, object]:
    row = {field: getattr(account, field) for field in _LISTED}
    row["name"] = mask_name(account.name, policy)
    row["national_id"] = mask_id(account.national_id, policy)
    row["role"] = translate(ROLE_LABELS[account.role])
    row["status"] = translate(STATUS_LABELS[account.status])
    return row


@accounts.command(
    "import",
    help=N_(
        "Bring the registry FILE into the office database: shows what changes (account, "
        "change, fields) and applies it, with each account's history, in one step. The "
        "whole file is checked first: a file with errors lists all of them, exits with 3 "
        "and changes nothing. Importing the same file again changes nothing. Accounts the "
        "file does not list are kept unless --remove (their 註銷日期 starts the R4.2 "
        "retention of their papers).\n\n"
        "\b\nExample:\n"
        "  docgen accounts import data/accounts.csv --dry-run\n"
        "  docgen accounts import 帳號清冊.xlsx"
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help=N_("Show what would change; change nothing."))
@click.option(
    "--remove",
    is_flag=True,
    help=N_("Remove the accounts the file does not list (kept by default, and reported)."),
)
@pass_state
def import_accounts(state: CliState, file: Path, dry_run: bool, remove: bool) -> None:
    ws = state.workspace
    with open_database(ws) as db:
        changes = import_registry(ws, db, file, apply=not dry_run, remove=remove)
    policy = ws.config.masking.policy()
    rows = _change_rows(changes, policy)
    if rows:
        title = _("Account registry import {file}").format(file=file.name)
        emit(Report(title, _CHANGE_COLUMNS, rows), "table", None)
    say(_summary(file, changes, dry_run))


def _summary(file: Path, changes: RegistryChanges, dry_run: bool) -> str:
    counts = changes.counts()
    kept = len(changes.not_in_file) - len(changes.removed)
    tail = _(", {count} not in the file (kept)").format(count=kept) if kept else ""
    if not changes.any:
        return _("{file}: no changes ({count} accounts as in the office database{kept})").format(
            file=file, count=counts["unchanged"], kept=tail
        )
    line = (
        _(
            "{file}: would change the registry: {added} added, {changed} changed, "
            "{removed} removed, {unchanged} unchanged{kept}"
        )
        if dry_run
        else _(
            "{file}: changed the registry: {added} added, {changed} changed, "
            "{removed} removed, {unchanged} unchanged{kept}"
        )
    )
    return line.format(
        file=file,
        added=counts["added"],
        changed=counts["changed"],
        removed=counts["removed"],
        unchanged=counts["unchanged"],
        kept=tail,
    )


def _value(field: str, value: Any, policy: MaskingPolicy) -> str:
    if value is None or value == "":
        return "—"
    if field == "national_id":
        return mask_id(str(value), policy)
    if field == "name":
        return mask_name(str(value), policy)
    return value.isoformat() if isinstance(value, date) else str(value)


def _change_rows(changes: RegistryChanges, policy: MaskingPolicy) -> list[dict[str, object]]:
    added = _("added")
    rows: list[dict[str, object]] = [
        {"account_id": a.account_id, "change": added, "fields": ""} for a in changes.added
    ]
    for change in changes.changed:
        shown = [
            f"{translate(ACCOUNT_LABELS[f])} {_value(f, old, policy)}→{_value(f, new, policy)}"
            for f, (old, new) in change.fields.items()
        ]
        rows.append({"account_id": change.account_id, "change": _("changed"),
                     "fields": _("; ").join(shown)})  # fmt: skip
    removed = set(changes.removed)
    for account_id in changes.not_in_file:
        what = _("removed") if account_id in removed else _("not in the file (kept)")
        rows.append({"account_id": account_id, "change": what, "fields": ""})
    return rows


@accounts.command(
    "export",
    help=N_(
        "Write the registry from the office database to an XLSX or CSV file to edit in "
        "Excel and import again (the same columns; national IDs whole, as the registry "
        "holds them for 附件2/附件3 — keep the file as safe as the registry).\n\n"
        "\b\nExample:\n"
        "  docgen accounts export -o 帳號清冊.xlsx\n"
        "  docgen accounts export --format csv"
    ),
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="xlsx",
    show_default=True,
    help=N_("xlsx or csv (UTF-8 with a BOM)."),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_("The file (default out/accounts/accounts_<date>.xlsx or .csv)."),
)
@pass_state
def export_accounts(state: CliState, fmt: str, output: Path | None) -> None:
    ws = state.workspace
    target = output or ws.root / "out" / "accounts" / f"accounts_{date.today().isoformat()}.{fmt}"
    with open_database(ws) as db:
        count = export_registry(ws, db, fmt, target)
    say(
        ngettext("Wrote {file} ({count} account)", "Wrote {file} ({count} accounts)", count).format(
            file=target, count=count
        )
    )
