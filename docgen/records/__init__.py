"""The office's data: the account registry and the platform's query logs.

Readers for CSV (UTF-8, UTF-8 with BOM, CP950/Big5), XLSX, YAML and JSON tables,
validated into the typed records of :mod:`docgen.records.models`.
"""

from docgen.records.models import Account, Query, Role, Status

__all__ = ["Account", "Query", "Role", "Status"]
