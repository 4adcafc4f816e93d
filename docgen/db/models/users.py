"""The people of the web application (ISSUE 12 item 2) and their sign-in state.

* ``web_users``: one row per person who may sign in to ``docgen serve``. ``username``
  is what they type (lower-case ASCII); ``display_name`` is shown on the page;
  ``unit`` binds a unit supervisor (科(室)主管) to their unit (R6.2) — empty for the
  other roles. ``password_hash`` is an argon2id hash (argon2-cffi), never a password.
  ``status`` is ``active`` or ``disabled``. ``failed_sign_ins`` and ``locked_until``
  are the lockout (資通系統防護基準: locked for 15 minutes after 5 failures);
  ``password_changed_at`` and ``must_change_password`` the password's age and the
  change an initial password needs; ``session_version`` ends every session of the
  person when it changes (sign-out, password change, disabling). ``email`` is where
  ``docgen remind`` sends their reminders (ISSUE 13 item 6; empty: none).
* ``web_user_roles``: the regulation's roles each person holds (a person may hold
  several): the keys of :data:`docgen.services.users.ROLES`.
* ``web_password_history``: the hashes of a person's last passwords (no reuse of the
  last three).
* ``web_reset_tokens``: one-time, time-limited password-reset tokens, kept as their
  SHA-256 only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from docgen.db.base import Base


class WebUser(Base):
    """A person who may sign in to the web application."""

    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String, unique=True)
    display_name: Mapped[str] = mapped_column(String, default="")
    unit: Mapped[str] = mapped_column(String, default="")
    password_hash: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String, default="active")
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    password_changed_at: Mapped[datetime]
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String, default="")
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    email: Mapped[str] = mapped_column(String, default="", server_default="")

    roles: Mapped[list[WebUserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="WebUserRole.role"
    )


class WebUserRole(Base):
    """One role a person holds."""

    __tablename__ = "web_user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String, primary_key=True)

    user: Mapped[WebUser] = relationship(back_populates="roles")


class PasswordHistory(Base):
    """A password a person had (its hash), for the no-reuse rule."""

    __tablename__ = "web_password_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String)
    changed_at: Mapped[datetime]


class ResetToken(Base):
    """A one-time password-reset token (only its SHA-256 is kept)."""

    __tablename__ = "web_reset_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String, unique=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String, default="")
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
