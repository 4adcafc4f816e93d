"""Every table of the office database, one module per capability; importing this
package registers them all on :data:`docgen.db.base.Base.metadata`."""

from docgen.db.models import (
    accounts,
    archive,
    audit,
    calendar_feeds,
    correspondence,
    queries,
    reminders,
    users,
)

__all__ = [
    "accounts",
    "archive",
    "audit",
    "calendar_feeds",
    "correspondence",
    "queries",
    "reminders",
    "users",
]
