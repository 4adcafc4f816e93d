"""Alembic's migration environment of the office database (``docgen.db:migrations``)."""
