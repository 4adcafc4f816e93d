"""The declarative base of every table of the office database (ISSUE 10 item 1).

Constraint names follow Alembic's naming convention, set before the first migration
so that later migrations can refer to constraints by name on SQLite and PostgreSQL
alike (Alembic, "The Importance of Naming Constraints").
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table; each workspace (office) has the whole schema to itself."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
