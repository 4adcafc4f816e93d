"""Each web user's calendar subscription (ISSUE 13 item 6): a secret address that a
calendar program (Outlook, Google Calendar) polls for the person's own duties.

* ``calendar_feeds``: one row per subscription address ever made. Only the SHA-256 of
  its token is kept (``token_sha256``), never the token, which is shown once. A
  person has at most one live address (``revoked_at`` empty): making a new one, or
  revoking it, sets ``revoked_at`` on the earlier one, and the row stays as a record
  of when it was live.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from docgen.db.base import Base


class CalendarFeed(Base):
    """A calendar subscription address of a web user (its token's SHA-256 only)."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String, unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
