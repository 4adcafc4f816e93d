"""The office's data: the account registry and the platform's query logs.

Readers for CSV (UTF-8, UTF-8 with BOM, CP950/Big5), XLSX, YAML and JSON tables,
validated into the typed records of :mod:`docgen.records.models`:

* :func:`read_accounts` — a registry file, every bad row reported at once
  (:func:`read_registry`: with the row and columns of each account); the office's
  registry itself is in the office database (:mod:`docgen.services.accounts`);
* :class:`QueryLog` — a query log streamed through the ``[columns]`` mapping;
* :func:`read_table` — any table as ``(row number, {column: value})``.
"""

from docgen.records.accounts import (
    ACCOUNT_HEADERS,
    Registry,
    find_registry,
    read_accounts,
    read_registry,
)
from docgen.records.models import Account, Query, Role, Status
from docgen.records.queries import QueryLog
from docgen.records.tables import read_table

__all__ = [
    "ACCOUNT_HEADERS",
    "Account",
    "Query",
    "QueryLog",
    "Registry",
    "Role",
    "Status",
    "find_registry",
    "read_accounts",
    "read_registry",
    "read_table",
]
