"""The e-mail reminders sent to web users (ISSUE 13 item 6, ``docgen remind``).

* ``sent_reminders``: one row per reminder sent: to whom (``user_id``), about what
  (``item``: the duty's key, ``monthly_check:2026-10:企劃室``, or a waiting item's,
  ``R6.2|2026-10|企劃室|…``), which ``kind`` (``due``, ``missing``, ``late``,
  ``awaiting-review``, ``file-lost``), and when. A reminder of the same item and kind
  is never sent to the same person twice (the unique constraint).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from docgen.db.base import Base


class SentReminder(Base):
    """A reminder e-mailed to a web user, so that it is not sent again."""

    __tablename__ = "sent_reminders"
    __table_args__ = (UniqueConstraint("user_id", "item", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"), index=True)
    item: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String)
    as_of: Mapped[date]
    sent_at: Mapped[datetime]
