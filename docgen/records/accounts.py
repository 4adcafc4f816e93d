"""The account registry (``data/accounts.csv``): who may query, in which role and state.

Columns have Chinese headers (English field names are accepted too; see
docs/DEVELOPING.md, "Account registry columns"). Every row is checked — required
fields, dates (ISO or ROC), roles and states, national ID format and check digit,
dates that the state needs (R4.1c: a suspended account's 停用日期; R4.2: a cancelled
account's 註銷日期), duplicate account IDs — and all problems are raised together in
one :class:`~docgen.errors.ValidationFailed`. Papers that are missing (附件2/附件3
dates) are not reading errors: the account review reports them (R3.2, R3.3).

The file is what an office edits in Excel and imports into the office database
(``docgen accounts import``); ``docgen accounts export`` writes it back in this very
format. A text cell that starts with a quote is read without it: the quote is the
one docgen puts before a value that starts with a formula trigger when it writes a
cell (:func:`docgen.cells.cell_text`), so an exported registry reads back as it was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from docgen.calendar import shown_date
from docgen.cells import restore
from docgen.config import Workspace
from docgen.errors import InputError, RowProblem, ValidationFailed
from docgen.i18n import N_, _
from docgen.privacy import mask_ids_in_text
from docgen.records import values
from docgen.records.models import Account, Role, Status
from docgen.records.tables import (
    TABLE_SUFFIXES,
    clean_header,
    grid_rows,
    read_table,
    table_kind,
)

#: Field → Chinese header, in the registry's column order. Read back by
#: :func:`read_registry` (and written by ``accounts export``): the same in every language.
ACCOUNT_HEADERS: dict[str, str] = {
    "account_id": "帳號",
    "name": "姓名",
    "national_id": "身分證統一編號",
    "unit": "單位",
    "title": "職稱",
    "role": "角色",
    "status": "狀態",
    "opened": "開通日期",
    "last_used": "最後使用日期",
    "suspended_on": "停用日期",
    "cancelled_on": "註銷日期",
    "departure_on": "離職或調職日期",
    "cancellation_requested_on": "註銷申請日期",
    "application_on": "權限申請表日期",
    "pledge_on": "保密切結書日期",
    "phone": "電話",
    "email": "電子郵件",
}
#: Field → its header in a report for people (``accounts list``, the review, the roster):
#: the registry's own headers in Chinese, translated in any other language.
ACCOUNT_LABELS: dict[str, str] = {
    "account_id": N_("Account"),
    "name": N_("Name"),
    "national_id": N_("National ID"),
    "unit": N_("Unit"),
    "title": N_("Job title"),
    "role": N_("Role"),
    "status": N_("Status"),
    "opened": N_("Opened on"),
    "last_used": N_("Last used on"),
    "suspended_on": N_("Suspended on"),
    "cancelled_on": N_("Cancelled on"),
    "departure_on": N_("Left or transferred on"),
    "cancellation_requested_on": N_("Cancellation requested on"),
    "application_on": N_("Application form dated"),
    "pledge_on": N_("Confidentiality pledge dated"),
    "phone": N_("Phone"),
    "email": N_("Email"),
}
REQUIRED = ("account_id", "name", "national_id", "unit", "role", "status", "opened")
_DATES = (
    *("opened", "last_used", "suspended_on", "cancelled_on", "departure_on"),
    *("cancellation_requested_on", "application_on", "pledge_on"),
)
_ROLE_WORDS = {"user": Role.USER, "auditor": Role.AUDITOR, "admin": Role.ADMIN}
_STATUS_WORDS = {"active": Status.ACTIVE, "suspended": Status.SUSPENDED}
_STATUS_WORDS["cancelled"] = Status.CANCELLED


def _enum_parser(enum: Any, words: Mapping[str, Any]) -> Callable[[Any], Any]:
    allowed = " / ".join(f"{member.value} ({word})" for word, member in words.items())

    def parse(value: Any) -> Any:
        found = values.text(value)
        member = words.get(found.lower()) or next((m for m in enum if m.value == found), None)
        if member is None:
            raise ValueError(
                _("{value} is not one of {allowed}").format(
                    value=values.quoted(found), allowed=allowed
                )
            )
        return member

    return parse


def _text(value: Any) -> str:
    """A text cell, the quote docgen writes before a formula trigger taken off."""
    return restore(values.text(value))


def _required_text(value: Any) -> str:
    found = _text(value)
    if not found:
        raise ValueError(_("empty: this field is required"))
    return found


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "account_id": _required_text,
    "name": _required_text,
    "national_id": values.national_id,
    "unit": _required_text,
    "role": _enum_parser(Role, _ROLE_WORDS),
    "status": _enum_parser(Status, _STATUS_WORDS),
    "opened": values.date_value,
    **{field: values.optional_date for field in _DATES[1:]},
}


def _columns(path: Path, header: set[str]) -> dict[str, str]:
    """Field → the header the file uses for it; missing required columns are an error."""
    found = {}
    for field, chinese in ACCOUNT_HEADERS.items():
        name = chinese if chinese in header else field if field in header else None
        if name is not None:
            found[field] = name
    missing = [f"{ACCOUNT_HEADERS[f]} ({f})" for f in REQUIRED if f not in found]
    if missing:
        raise InputError(
            _(
                "{file}: the account registry lacks the column(s) {columns}; "
                "its header should be: {header}"
            ).format(
                file=path, columns=_(", ").join(missing), header=",".join(ACCOUNT_HEADERS.values())
            )
        )
    return found


def _state_problems(fields: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Dates the account's state needs (R4.1c, R4.2), as (field, problem)."""
    problems = []
    if fields.get("status") == Status.SUSPENDED and fields.get("suspended_on") is None:
        problems.append(("suspended_on", _("a suspended (停用) account needs its 停用日期")))
    if fields.get("status") == Status.CANCELLED and fields.get("cancelled_on") is None:
        problems.append(("cancelled_on", _("a cancelled (註銷) account needs its 註銷日期")))
    opened = fields.get("opened")
    for field in ("last_used", "suspended_on", "cancelled_on"):
        later = fields.get(field)
        if isinstance(opened, date) and isinstance(later, date) and later < opened:
            problem = _("{date} is before 開通日期 {opened}").format(
                date=shown_date(later), opened=shown_date(opened)
            )
            problems.append((field, problem))
    return problems


def _parse_row(
    source: str, number: int, row: Mapping[str, Any], columns: Mapping[str, str]
) -> tuple[dict[str, Any], list[RowProblem]]:
    fields: dict[str, Any] = {}
    problems = []
    for field in ACCOUNT_HEADERS:
        raw = row.get(columns[field], "") if field in columns else ""
        parser = _PARSERS.get(field, _text)
        try:
            fields[field] = parser(raw)
        except ValueError as error:
            problem = mask_ids_in_text(str(error))
            problems.append(RowProblem(source, number, columns.get(field, field), problem))
    for field, problem in _state_problems(fields):
        problems.append(RowProblem(source, number, columns.get(field, field), problem))
    return fields, problems


@dataclass(frozen=True)
class Registry:
    """The registry read: its accounts, the row each came from and the header each
    field has in the file (for messages that name a row and a column). ``path`` is
    ``None`` for the registry in the office database
    (:func:`docgen.services.accounts.load_registry`)."""

    path: Path | None
    accounts: list[Account]
    rows: dict[str, int] = dataclasses.field(default_factory=dict)
    columns: dict[str, str] = dataclasses.field(default_factory=dict)

    def cell(self, account_id: str, field_name: str) -> str:
        """``<file>, row <n>, column <header>`` of a field of an account (in the office
        database: the account and the field)."""
        header = self.columns.get(field_name, ACCOUNT_HEADERS[field_name])
        if self.path is None:
            return _(
                "the registry in the office database, account {account!r}, field {field}"
            ).format(account=account_id, field=header)
        return _("{file}, row {row}, column {column}").format(
            file=self.path, row=self.rows.get(account_id, "?"), column=header
        )


def read_accounts(path: Path) -> list[Account]:
    """Every account of the registry at ``path`` (CSV/XLSX/YAML/JSON); raises
    :class:`ValidationFailed` listing every bad row when any row is wrong."""
    return read_registry(path).accounts


def read_registry(path: Path) -> Registry:
    """:func:`read_accounts`, with the row and the columns of each account."""
    path = Path(path)
    accounts: list[Account] = []
    problems: list[RowProblem] = []
    first_row: dict[str, int] = {}
    columns: dict[str, str] | None = None
    for number, row in read_table(path):
        columns = columns or _columns(path, set(row))
        fields, row_problems = _parse_row(str(path), number, row, columns)
        account_id = fields.get("account_id")
        if account_id and account_id in first_row:
            row_problems.append(
                RowProblem(
                    str(path),
                    number,
                    columns["account_id"],
                    _("account {account!r} is already listed in row {row}").format(
                        account=account_id, row=first_row[account_id]
                    ),
                )
            )
        elif account_id:
            first_row[account_id] = number
        problems += row_problems
        if not row_problems:
            accounts.append(Account(**fields))
    if problems:
        raise ValidationFailed(problems)
    if columns is None:
        _check_empty_registry_header(path)
    return Registry(path, accounts, first_row, columns or {})


def _check_empty_registry_header(path: Path) -> None:
    """A registry without rows still needs the right header (it is being filled in)."""
    if table_kind(path) != "document":
        head = next(grid_rows(path), None)
        if head is not None:
            _columns(path, set(clean_header(path, head[1])))


def find_registry(workspace: Workspace) -> Path:
    """The workspace's account registry: ``data/accounts.csv`` (or .xlsx/.yaml/.json)."""
    for suffix in TABLE_SUFFIXES:
        candidate = workspace.data_dir / f"accounts{suffix}"
        if candidate.exists():
            return candidate
    raise InputError(
        _(
            "no account registry in {folder}: put the registry there as "
            "accounts.csv (see `docgen accounts --help` for its columns)"
        ).format(folder=workspace.data_dir)
    )
