"""What the office database knows of the documents drafted and sent (ISSUE 14 item
4), for the reports that count a duty done by a document: the missing report and
the calendar (R6.4, R6.5) and the draft 銷毀目錄 (its approving 文號)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.config import Workspace
from docgen.db.models.correspondence import Correspondence
from docgen.rules.obligations import Obligation, RequiredRecord


@dataclass(frozen=True)
class Letter:
    """A drafted document: its key, when drafted, its due date, and — once recorded
    as sent — the day and the 文號 it went out under."""

    doc_key: str
    drafted_on: date
    due: date | None
    sent_on: date | None
    number: str
    record_ids: tuple[str, ...] = ()

    @property
    def late(self) -> bool:
        """Sent after its due date."""
        return self.sent_on is not None and self.due is not None and self.sent_on > self.due


def letter_of(
    letters: Mapping[str, Letter], obligation: Obligation, required: RequiredRecord
) -> Letter | None:
    """The document drafted for ``required`` of ``obligation`` (a ``correspondence``
    record: the R6.4 results letter, the R6.5 referral and outcome), if any: its key
    is the kind and the duty's period, ``results-letter:2026-H1``."""
    if not required.correspondence:
        return None
    period = obligation.period.label if obligation.period else ""
    return letters.get(f"{required.correspondence}:{period}")


def sent_letters(workspace: Workspace) -> dict[str, Letter]:
    """Every document drafted, by key, from the workspace's office database."""
    from docgen.db import open_database

    with open_database(workspace) as db, db.reading() as session:
        return letters(session)


def letters(session: Session) -> dict[str, Letter]:
    """Every document drafted, by key."""
    rows = session.scalars(select(Correspondence))
    return {
        row.doc_key: Letter(
            row.doc_key,
            row.drafted_at.date(),
            row.due,
            row.sent_on,
            row.sent_number,
            tuple(row.record_ids or ()),
        )
        for row in rows
    }
