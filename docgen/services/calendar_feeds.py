"""Each web user's calendar subscription, as use cases (ISSUE 13 item 6).

A person subscribes their calendar program (Outlook, Google Calendar) to a secret
address, ``/calendar/<token>.ics``, which it polls without signing in: the token is
the credential. It is :func:`secrets.token_urlsafe` (32 bytes), shown once when it is
made and stored only as its SHA-256; a fetch looks the token up by that hash. A person
has at most one live address: :func:`make_feed` replaces any earlier one (which stops
working at once), :func:`revoke_feed` ends it. :func:`feed_user` answers a fetch: the
person of a live token, only while their account is active and not unused for
:data:`docgen.services.users.IDLE_AFTER` (the token is no way around the rule that an
idle account is disabled). Each write is one transaction and one journal entry (who,
whose address — never the token).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.config import Workspace
from docgen.db import Database
from docgen.db.models.calendar_feeds import CalendarFeed
from docgen.db.models.users import WebUser
from docgen.errors import InputError
from docgen.i18n import _
from docgen.journal import Journal
from docgen.services.users import ACTIVE, UserInfo, get_user, is_idle

#: Bytes of randomness in a token (43 characters of URL-safe base64).
TOKEN_BYTES = 32
#: What a token looks like; anything else is not looked up at all.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,64}")


def token_digest(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now()).replace(microsecond=0)


def _live(session: Session, user_id: int) -> list[CalendarFeed]:
    return list(
        session.scalars(
            select(CalendarFeed).where(
                CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None)
            )
        )
    )


def _person(session: Session, user_id: int) -> WebUser:
    user = session.get(WebUser, user_id)
    if user is None:
        raise InputError(_("no web user with id {id}").format(id=user_id))
    return user


def _journal(workspace: Workspace, command: str, details: dict[str, object]) -> None:
    Journal(workspace.journal_path, workspace.root).append(command, details=details)


def make_feed(
    workspace: Workspace, db: Database, user_id: int, *, actor: str, now: datetime | None = None
) -> str:
    """A new calendar subscription token for the active web user ``user_id``; any
    earlier one of theirs is revoked in the same transaction. Returns the token (shown
    once; only its SHA-256 is stored). Journalled as ``calendar feed made``."""
    when = _now(now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with db.session() as session:
        user = _person(session, user_id)
        if user.status != ACTIVE:
            raise InputError(_("web user {username!r} is disabled").format(username=user.username))
        earlier = _live(session, user_id)
        for old in earlier:
            old.revoked_at = when
        session.add(
            CalendarFeed(user_id=user_id, token_sha256=token_digest(token), created_at=when)
        )
        username = user.username
    details = {"username": username, "replaced": bool(earlier), "by": actor}
    _journal(workspace, "calendar feed made", details)
    return token


def revoke_feed(
    workspace: Workspace, db: Database, user_id: int, *, actor: str, now: datetime | None = None
) -> None:
    """End the web user's calendar subscription (its address stops working at once);
    an :class:`InputError` when they have none. Journalled as ``calendar feed revoked``."""
    when = _now(now)
    with db.session() as session:
        user = _person(session, user_id)
        live = _live(session, user_id)
        if not live:
            raise InputError(_("there is no calendar subscription to revoke"))
        for old in live:
            old.revoked_at = when
        username = user.username
    _journal(workspace, "calendar feed revoked", {"username": username, "by": actor})


def feed_user(db: Database, token: str, *, now: datetime | None = None) -> UserInfo | None:
    """The person whose live subscription ``token`` is, while their account is active
    and not idle; None otherwise (no such token, revoked or replaced, a disabled or
    idle account, or not a token at all). Read-only."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    query = select(CalendarFeed.user_id).where(
        CalendarFeed.token_sha256 == token_digest(token), CalendarFeed.revoked_at.is_(None)
    )
    with db.reading() as session:
        user_id = session.scalars(query).one_or_none()
    if user_id is None:
        return None
    user = get_user(db, user_id)
    if user is None or not user.active or is_idle(user, _now(now)):
        return None
    return user


def feed_made_at(db: Database, user_id: int) -> datetime | None:
    """When the web user's live subscription was made (None: they have none). Read-only."""
    query = select(CalendarFeed.created_at).where(
        CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None)
    )
    with db.reading() as session:
        return session.scalars(query.order_by(CalendarFeed.created_at.desc())).first()


def has_feed(db: Database, user_id: int) -> bool:
    """Whether the web user has a live calendar subscription. Read-only."""
    return feed_made_at(db, user_id) is not None
