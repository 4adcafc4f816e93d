"""``docgen accounts``: the account registry (``data/accounts.csv``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from docgen.cli.common import CliState, emit, format_option, output_option, pass_state
from docgen.privacy import MaskingPolicy, mask_id, mask_name
from docgen.records import ACCOUNT_HEADERS, Account, find_registry, read_accounts
from docgen.records.models import Status
from docgen.report import Report

F = TypeVar("F", bound=Callable[..., Any])
_LISTED = (
    *("account_id", "name", "national_id", "unit", "title", "role", "status", "opened"),
    *("last_used", "suspended_on", "cancelled_on", "departure_on"),
    *("cancellation_requested_on", "application_on", "pledge_on"),
)


@click.group("accounts")
def accounts() -> None:
    """The account registry: who may query household data, in which role and state.

    The registry is data/accounts.csv in the workspace (CSV/XLSX/YAML/JSON, Chinese
    or English headers: 帳號, 姓名, 身分證統一編號, 單位, 職稱, 角色, 狀態, 開通日期,
    最後使用日期, 停用日期, 註銷日期, 離職或調職日期, 註銷申請日期, 權限申請表日期,
    保密切結書日期, 電話, 電子郵件; dates ISO or ROC).

    \b
    Example:
      docgen accounts list
    """


def registry_option() -> Callable[[F], F]:
    """``--registry FILE``: read this registry instead of the workspace's."""
    return click.option(
        "--registry",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="The registry file (default: data/accounts.csv in the workspace).",
    )


@accounts.command("list")
@registry_option()
@format_option()
@output_option()
@pass_state
def list_accounts(state: CliState, registry: Path | None, fmt: str, output: Path | None) -> None:
    """List every account of the registry, names and national IDs masked. Reading
    checks every row: a registry with errors lists all of them and exits with 3.

    \b
    Example:
      docgen accounts list
      docgen accounts list --format xlsx -o 帳號清冊.xlsx
    """
    path = registry or find_registry(state.workspace)
    found = read_accounts(path)
    policy = state.workspace.config.masking.policy()
    rows = [_row(account, policy) for account in found]
    states = Counter(account.status for account in found)
    summary = {"帳號數": len(found)} | {status.value: states[status] for status in Status}
    columns = {field: ACCOUNT_HEADERS[field] for field in _LISTED}
    emit(Report(f"帳號清冊 {path.name}", columns, rows, summary), fmt, output)
    if output is not None:
        state.journal.append("accounts list", inputs=[path], outputs=[output])


def _row(account: Account, policy: MaskingPolicy) -> dict[str, object]:
    row = {field: getattr(account, field) for field in _LISTED}
    row["name"] = mask_name(account.name, policy)
    row["national_id"] = mask_id(account.national_id, policy)
    row["role"], row["status"] = account.role.value, account.status.value
    return row
