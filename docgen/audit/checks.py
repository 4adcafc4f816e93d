"""What the audit needs from the workspace: the account registry, the working calendar,
the unit of each query and the justification check bound to them (R5.1)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from docgen.audit.intake import LoggedQuery
from docgen.calendar import WorkingCalendar
from docgen.config import Workspace
from docgen.db import Database
from docgen.i18n import _
from docgen.office_calendar import working_calendar
from docgen.privacy import MaskingPolicy, mask_name
from docgen.records.accounts import Registry
from docgen.records.models import Account
from docgen.records.stored import load_registry
from docgen.rules.justification import Finding, check_query


@dataclass
class OfficeFacts:
    """The registry by account ID, the working calendar and the masking policy (and
    the registry as read, to name an account's row)."""

    accounts: dict[str, Account]
    calendar: WorkingCalendar
    policy: MaskingPolicy
    registry: Registry | None = None

    def __post_init__(self) -> None:
        self.is_working_day = lru_cache(maxsize=4096)(self.calendar.is_working_day)

    @classmethod
    def of(cls, workspace: Workspace, db: Database | None = None) -> OfficeFacts:
        registry = load_registry(workspace, db)
        accounts = {a.account_id: a for a in registry.accounts}
        policy = workspace.config.masking.policy()
        return cls(accounts, working_calendar(workspace), policy, registry)

    def unit_cell(self, account_id: str) -> str:
        """Where the registry gives the account's unit (the office database's account
        and field)."""
        if self.registry is None:
            return _("the account registry, account {account!r}, column 單位").format(
                account=account_id
            )
        return self.registry.cell(account_id, "unit")

    @property
    def units(self) -> dict[str, str]:
        """The registry's unit of each account (for queries whose log has no unit)."""
        return {account_id: a.unit for account_id, a in self.accounts.items()}

    def check(self, query: LoggedQuery) -> list[Finding]:
        """R5.1 and the hints for one query."""
        account = self.accounts.get(query.account_id)
        return check_query(query, account, self.is_working_day)

    def user_name(self, account_id: str) -> str:
        """The masked name of the account's holder ("" if unknown)."""
        account = self.accounts.get(account_id)
        return mask_name(account.name, self.policy) if account else ""
