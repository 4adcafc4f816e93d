"""The people of the web application, as use cases (ISSUE 12 items 2 and 4).

Each function validates, writes the office database in one transaction and appends
the journal (who did it, never a password or a token): :func:`add_user`,
:func:`disable_user`, :func:`enable_user`, :func:`issue_reset_token` /
:func:`redeem_reset_token` (a one-time, time-limited token; only its SHA-256 is
stored), :func:`sign_in` (with the lockout), :func:`change_password`, :func:`sign_out`,
:func:`set_email` (where ``docgen remind`` sends, ISSUE 13 item 6). ``docgen users``
and the web application both call these.

The password rules are the 中級 controls of the government's baseline for information
systems (資通系統防護基準, 資通安全責任等級分級辦法 附表十, 識別與鑑別): a password of at
least :data:`MIN_LENGTH` characters from three of the four classes (lower case,
upper case, digits, other), none of the last :data:`HISTORY` passwords again, at most
:data:`MAX_AGE` old and changed at most once per :data:`MIN_AGE`; an initial or reset
password is changed at the first sign-in; :data:`LOCK_AFTER` failures in a row lock
the sign-in for :data:`LOCK_FOR`. An account unused for :data:`IDLE_AFTER` is disabled
at its next sign-in attempt (:func:`is_idle`, :func:`enable_user` brings it back).
Passwords are hashed with argon2id
(argon2-cffi's :class:`~argon2.PasswordHasher`; :func:`use_hasher` lets tests use
cheaper parameters).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from docgen.config import Workspace, is_email_address
from docgen.db import Database
from docgen.db.models.calendar_feeds import CalendarFeed
from docgen.db.models.users import PasswordHistory, ResetToken, WebUser, WebUserRole
from docgen.errors import InputError
from docgen.i18n import N_, _
from docgen.journal import Journal

#: The regulation's roles (key → name as a message ID; zh_TW is the regulation's word).
ROLES: dict[str, str] = {
    "admin": N_("Administrator"),  # 管理者
    "clerk": N_("Clerk"),  # 承辦人
    "supervisor": N_("Unit supervisor"),  # 科(室)主管, bound to a unit (R6.2)
    "auditor": N_("Auditor"),  # 稽核人員
    "ethics": N_("Ethics officer"),  # 政風人員
    "director": N_("Director or delegate"),  # 處長或授權人員
    "archivist": N_("Archive staff"),  # 檔管人員
}
#: The regulation's own words for the roles, accepted wherever a role is named.
ROLE_WORDS = {
    "管理者": "admin",
    "承辦人": "clerk",
    "科(室)主管": "supervisor",
    "科室主管": "supervisor",
    "稽核人員": "auditor",
    "政風人員": "ethics",
    "處長或授權人員": "director",
    "檔管人員": "archivist",
}

MIN_LENGTH = 12
MAX_LENGTH = 128
CLASSES_REQUIRED = 3
HISTORY = 3
MAX_AGE = timedelta(days=90)
MIN_AGE = timedelta(days=1)
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
RESET_TOKEN_LIFETIME = timedelta(hours=24)
#: An account unused this long (no sign-in, no password set: :func:`last_use`) is
#: disabled at its next sign-in attempt. 資通系統防護基準 中級, 存取控制 › 帳號管理:
#: idle accounts are to be disabled (閒置帳號應禁用). The baseline sets no period: 90 days
#: is this project's decision (the same as :data:`MAX_AGE`, so an idle account's
#: password has expired too).
IDLE_AFTER = timedelta(days=90)

USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,39}$")
ACTIVE, DISABLED = "active", "disabled"

_hasher = PasswordHasher()  # argon2id, argon2-cffi's RFC 9106 low-memory profile
_dummy_hash: dict[int, str] = {}


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Hash and verify with ``hasher`` from now on (tests: cheaper parameters); the
    one used before. A hash made with other parameters is rehashed at sign-in."""
    global _hasher
    before, _hasher = _hasher, hasher
    return before


def _dummy() -> str:
    """A hash to verify against for an unknown username (so both take as long)."""
    key = id(_hasher)
    if key not in _dummy_hash:
        _dummy_hash[key] = _hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hash[key]


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class UserInfo:
    """What the interfaces need of a person (never the hash)."""

    id: int
    username: str
    display_name: str
    unit: str
    roles: tuple[str, ...]
    status: str
    must_change_password: bool
    password_changed_at: datetime
    locked_until: datetime | None
    last_sign_in_at: datetime | None
    session_version: int
    created_at: datetime
    created_by: str
    disabled_at: datetime | None
    email: str

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    def password_expired(self, now: datetime) -> bool:
        return now - self.password_changed_at > MAX_AGE


#: The columns of ``web_users`` a :class:`UserInfo` holds (all but the roles).
_INFO_COLUMNS = tuple(f.name for f in fields(UserInfo) if f.name != "roles")


_USERS, _ROLES = WebUser.__table__, WebUserRole.__table__
#: A user's columns and roles (one row per role), by id: :func:`get_user`.
_USER_BY_ID = (
    select(*(_USERS.c[name] for name in _INFO_COLUMNS), _ROLES.c.role)
    .outerjoin(_ROLES, _ROLES.c.user_id == _USERS.c.id)
    .where(_USERS.c.id == bindparam("user_id"))
)


def _info(user: WebUser) -> UserInfo:
    return UserInfo(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        unit=user.unit,
        roles=tuple(sorted(r.role for r in user.roles)),
        status=user.status,
        must_change_password=user.must_change_password,
        password_changed_at=user.password_changed_at,
        locked_until=user.locked_until,
        last_sign_in_at=user.last_sign_in_at,
        session_version=user.session_version,
        created_at=user.created_at,
        created_by=user.created_by,
        disabled_at=user.disabled_at,
        email=user.email,
    )


# ---------------------------------------------------------------- rules


def last_use(user: UserInfo) -> datetime:
    """When the account was last used: its last sign-in, or the last time a password
    was set for it (its creation, :func:`enable_user`, a reset token redeemed),
    whichever is later."""
    times = (user.created_at, user.password_changed_at, user.last_sign_in_at)
    return max(t for t in times if t is not None)


def is_idle(user: UserInfo, now: datetime) -> bool:
    """Whether the account has been unused for :data:`IDLE_AFTER` at ``now``."""
    return now - last_use(user) >= IDLE_AFTER


def disuse(user: UserInfo, now: datetime) -> Literal["", "disabled", "due"]:
    """``disabled``: the account was disabled when unused for :data:`IDLE_AFTER` (at its
    first sign-in attempt after that, or by the administrator then); ``due``: it is
    active but unused that long, so its next sign-in attempt disables it; else ``""``."""
    if user.status == DISABLED:
        gone = user.disabled_at is not None and is_idle(user, user.disabled_at)
        return "disabled" if gone else ""
    return "due" if is_idle(user, now) else ""


def role_key(text: str) -> str:
    """The role ``text`` names (a key of :data:`ROLES`, or the regulation's word)."""
    given = text.strip()
    key = ROLE_WORDS.get(given, given.lower())
    if key not in ROLES:
        raise InputError(
            _("{role!r} is not a role: use one of {roles}").format(
                role=text, roles=", ".join(ROLES)
            )
        )
    return key


def password_problems(password: str, username: str = "") -> list[str]:
    """What is wrong with ``password`` under the complexity rule (empty: nothing)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("a password has at least {count} characters").format(count=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("a password has at most {count} characters").format(count=MAX_LENGTH))
    if any(unicodedata.category(c).startswith("C") for c in password):
        problems.append(_("a password has no control characters"))
    classes = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if classes < CLASSES_REQUIRED:
        problems.append(
            _(
                "a password mixes at least three of: lower-case letters, upper-case "
                "letters, digits, other characters"
            )
        )
    if username and username.lower() in password.lower():
        problems.append(_("a password does not contain the username"))
    return problems


def _check_password(password: str, username: str) -> None:
    problems = password_problems(password, username)
    if problems:
        raise InputError(_("the password is not accepted"), problems)


def _check_username(username: str) -> None:
    if not USERNAME.match(username):
        raise InputError(
            _(
                "{username!r} is not a username: 2 to 40 lower-case letters, digits, "
                "'.', '_' or '-', starting with a letter"
            ).format(username=username)
        )


def _check_email(email: str) -> str:
    """The address, trimmed; an :class:`InputError` in one line when it is not one."""
    given = email.strip()
    if not is_email_address(given):
        raise InputError(
            _("{email!r} is not an e-mail address (name@example.gov.tw)").format(email=email)
        )
    return given


def _journal(workspace: Workspace, command: str, details: Mapping[str, object]) -> None:
    Journal(workspace.journal_path, workspace.root).append(command, details=details)


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now()).replace(microsecond=0)


def _user(session: Session, username: str) -> WebUser | None:
    return session.scalars(select(WebUser).where(WebUser.username == username)).one_or_none()


def _known(session: Session, username: str) -> WebUser:
    user = _user(session, username)
    if user is None:
        raise InputError(_("no web user {username!r}").format(username=username))
    return user


def _set_password(session: Session, user: WebUser, password: str, now: datetime) -> None:
    """Give ``user`` the new ``password`` (checked against the last passwords)."""
    history = list(
        session.scalars(
            select(PasswordHistory)
            .where(PasswordHistory.user_id == user.id)
            .order_by(PasswordHistory.changed_at.desc(), PasswordHistory.id.desc())
        )
    )
    if any(_verify(old.password_hash, password) for old in history[:HISTORY]):
        raise InputError(
            _("the password is not accepted"),
            [_("it is one of the last {count} passwords").format(count=HISTORY)],
        )
    digest = _hasher.hash(password)
    user.password_hash = digest
    user.password_changed_at = now
    user.session_version += 1
    session.add(PasswordHistory(user_id=user.id, password_hash=digest, changed_at=now))
    for old in history[HISTORY - 1 :]:
        session.delete(old)


# ---------------------------------------------------------------- the registry of users


def add_user(
    workspace: Workspace,
    db: Database,
    username: str,
    password: str,
    roles: Iterable[str],
    *,
    display_name: str = "",
    unit: str = "",
    email: str = "",
    must_change_password: bool = True,
    actor: str,
    now: datetime | None = None,
) -> UserInfo:
    """Add a web user holding ``roles`` (a supervisor bound to ``unit``, one of the
    units of docgen.toml) with an initial ``password``, to be changed at the first
    sign-in unless told otherwise, and the ``email`` reminders go to (none if empty);
    journalled as ``users add``."""
    when = _now(now)
    _check_username(username)
    email = _check_email(email) if email else ""
    keys = sorted({role_key(r) for r in roles})
    if not keys:
        raise InputError(_("a web user holds at least one role"))
    if "supervisor" in keys and not unit:
        raise InputError(_("a unit supervisor is bound to a unit: give --unit"))
    if unit and workspace.config.unit(unit) is None:
        known = ", ".join(u.name for u in workspace.config.units) or _("none")
        raise InputError(
            _("{unit!r} is not a unit of docgen.toml ([[units]]: {units})").format(
                unit=unit, units=known
            )
        )
    if any(unicodedata.category(c).startswith("C") for c in display_name):
        raise InputError(_("a name has no control characters"))
    _check_password(password, username)
    with db.session() as session:
        if _user(session, username) is not None:
            raise InputError(_("web user {username!r} exists already").format(username=username))
        digest = _hasher.hash(password)
        user = WebUser(
            username=username,
            display_name=display_name.strip(),
            unit=unit,
            password_hash=digest,
            status=ACTIVE,
            failed_sign_ins=0,
            password_changed_at=when,
            must_change_password=must_change_password,
            session_version=1,
            created_at=when,
            created_by=actor,
            email=email,
            roles=[WebUserRole(role=key) for key in keys],
        )
        session.add(user)
        session.flush()
        session.add(PasswordHistory(user_id=user.id, password_hash=digest, changed_at=when))
        info = _info(user)
    _journal(
        workspace,
        "users add",
        {"username": username, "roles": keys, "unit": unit, "by": actor},
    )
    return info


def list_users(db: Database) -> list[UserInfo]:
    """Every web user, by username (read-only: :meth:`docgen.db.Database.reading`)."""
    with db.reading() as session:
        return [_info(u) for u in session.scalars(select(WebUser).order_by(WebUser.username))]


def get_user(db: Database, user_id: int) -> UserInfo | None:
    """The web user with this id, if any: one query with the roles, in a read-only
    transaction (:meth:`docgen.db.Database.reading_connection`) — the web application
    asks on every request, so it reads columns (one statement, made once) on a Core
    connection, not ORM objects in a session."""
    with db.reading_connection() as conn:
        rows = conn.execute(_USER_BY_ID, {"user_id": user_id}).all()
    if not rows:
        return None
    first = rows[0]._mapping
    return UserInfo(
        **{name: first[name] for name in _INFO_COLUMNS},
        roles=tuple(sorted(row.role for row in rows if row.role is not None)),
    )


def set_email(
    workspace: Workspace, db: Database, username: str, email: str, *, actor: str
) -> UserInfo:
    """Set the e-mail address ``docgen remind`` sends ``username``'s reminders to
    (ISSUE 13 item 6; "" removes it); journalled as ``users set-email`` — that it was
    set or removed, never the address."""
    address = _check_email(email) if email.strip() else ""
    with db.session() as session:
        user = _known(session, username)
        user.email = address
        info = _info(user)
    details = {"username": username, "email": "set" if address else "removed", "by": actor}
    _journal(workspace, "users set-email", details)
    return info


def disable_user(
    workspace: Workspace, db: Database, username: str, *, actor: str, now: datetime | None = None
) -> UserInfo:
    """Disable a web user: no more sign-ins, every session of theirs ended, their
    calendar subscription revoked (enabling them again does not bring it back);
    journalled as ``users disable``."""
    when = _now(now)
    with db.session() as session:
        user = _known(session, username)
        if user.status == DISABLED:
            raise InputError(
                _("web user {username!r} is disabled already").format(username=username)
            )
        user.status = DISABLED
        user.disabled_at = when
        user.session_version += 1
        session.execute(
            update(CalendarFeed)
            .where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
            .values(revoked_at=when)
        )
        info = _info(user)
    _journal(workspace, "users disable", {"username": username, "by": actor})
    return info


def enable_user(
    workspace: Workspace,
    db: Database,
    username: str,
    password: str,
    *,
    actor: str,
    now: datetime | None = None,
) -> UserInfo:
    """Enable a disabled web user again (disabled by the administrator or for disuse)
    with a new initial ``password``, changed at their first sign-in as after
    :func:`add_user`; it counts as a use (:func:`last_use`), the lockout is lifted and
    unused reset tokens are void. Journalled as ``users enable``."""
    when = _now(now)
    _check_password(password, username)
    with db.session() as session:
        user = _known(session, username)
        if user.status != DISABLED:
            raise InputError(_("web user {username!r} is not disabled").format(username=username))
        _set_password(session, user, password, when)
        for old in session.scalars(
            select(ResetToken).where(ResetToken.user_id == user.id, ResetToken.used_at.is_(None))
        ):
            old.used_at = when
        user.status = ACTIVE
        user.disabled_at = None
        user.must_change_password = True
        user.failed_sign_ins = 0
        user.locked_until = None
        info = _info(user)
    _journal(workspace, "users enable", {"username": username, "by": actor})
    return info


def issue_reset_token(
    workspace: Workspace,
    db: Database,
    username: str,
    *,
    actor: str,
    lifetime: timedelta = RESET_TOKEN_LIFETIME,
    now: datetime | None = None,
) -> tuple[str, datetime]:
    """A one-time token with which ``username`` sets a new password on the sign-in
    page, valid for ``lifetime``; earlier unused tokens are void. Returns the token
    (shown once, stored only as its SHA-256) and when it expires; journalled as
    ``users reset-password`` (without the token)."""
    when = _now(now)
    token = secrets.token_urlsafe(24)
    with db.session() as session:
        user = _known(session, username)
        if user.status != ACTIVE:
            raise InputError(_("web user {username!r} is disabled").format(username=username))
        for old in session.scalars(
            select(ResetToken).where(ResetToken.user_id == user.id, ResetToken.used_at.is_(None))
        ):
            old.used_at = when
        session.add(
            ResetToken(
                user_id=user.id,
                token_sha256=_token_digest(token),
                created_at=when,
                created_by=actor,
                expires_at=when + lifetime,
            )
        )
    details = {"username": username, "expires": (when + lifetime).isoformat(), "by": actor}
    _journal(workspace, "users reset-password", details)
    return token, when + lifetime


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def redeem_reset_token(
    workspace: Workspace,
    db: Database,
    username: str,
    token: str,
    password: str,
    *,
    now: datetime | None = None,
) -> UserInfo:
    """Set ``username``'s new ``password`` with a reset token: once, before it
    expires; the lockout is lifted. Journalled as ``web password reset``."""
    when = _now(now)
    refused = InputError(_("this reset token is not valid: ask the administrator for a new one"))
    with db.session() as session:
        found = session.scalars(
            select(ResetToken).where(ResetToken.token_sha256 == _token_digest(token))
        ).one_or_none()
        if found is None or found.used_at is not None or found.expires_at < when:
            raise refused
        user = session.get(WebUser, found.user_id)
        if user is None or user.username != username or user.status != ACTIVE:
            raise refused
        _check_password(password, user.username)
        _set_password(session, user, password, when)
        found.used_at = when
        user.must_change_password = False
        user.failed_sign_ins = 0
        user.locked_until = None
        info = _info(user)
    _journal(workspace, "web password reset", {"username": username})
    return info


# ---------------------------------------------------------------- signing in


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: ``ok`` (with the user; ``must_change`` when the
    password is initial, reset or too old), ``refused`` (wrong username or password,
    or a disabled account — not told apart) or ``locked``."""

    outcome: Literal["ok", "refused", "locked"]
    user: UserInfo | None = None
    must_change: bool = False
    locked_until: datetime | None = None


def sign_in(
    workspace: Workspace,
    db: Database,
    username: str,
    password: str,
    *,
    now: datetime | None = None,
    client: str = "",
) -> SignIn:
    """Check a sign-in; count failures and lock after :data:`LOCK_AFTER` of them for
    :data:`LOCK_FOR` (a locked account is refused without looking at the password).
    A success and a lock are journalled (``web sign-in``, ``web sign-in locked``).
    An active account unused for :data:`IDLE_AFTER` is disabled by the attempt, right
    password or not, and refused as a disabled one is (``users disable``, reason
    ``idle``).

    The password is verified (argon2, the slow part) outside the write transaction:
    the account is read in a read-only one, the hash checked, and only then is the
    outcome written in a short ``BEGIN IMMEDIATE`` transaction that reads the account
    again — so sign-ins do not queue behind each other's hashing, and concurrent
    failures are each counted once, in order: one that finds the account locked by
    another meanwhile is refused as locked, without being counted."""
    when = _now(now)
    found = _sign_in_state(db, username) if USERNAME.match(username) else None
    if found is None:
        _verify(_dummy(), password)
        return SignIn("refused")
    digest, locked_until = found
    if locked_until is not None and locked_until > when:
        return SignIn("locked", locked_until=locked_until)
    right = _verify(digest, password)
    rehashed = _hasher.hash(password) if right and _hasher.check_needs_rehash(digest) else None
    locked: datetime | None = None
    idle_since: datetime | None = None  # set when this attempt disables it for disuse
    info: UserInfo | None = None
    with db.session() as session:
        user = _user(session, username)
        if user is None:
            return SignIn("refused")
        if user.locked_until is not None and user.locked_until > when:
            return SignIn("locked", locked_until=user.locked_until)
        if user.password_hash != digest:  # changed meanwhile (rare): check the new one
            right, rehashed = _verify(user.password_hash, password), None
        if user.status == ACTIVE:
            found_info = _info(user)
            if is_idle(found_info, when):  # whether the password is right or not
                idle_since = last_use(found_info)
                user.status = DISABLED
                user.disabled_at = when
                user.session_version += 1
        if not right or user.status != ACTIVE:
            user.failed_sign_ins += 1
            if user.failed_sign_ins >= LOCK_AFTER:
                user.failed_sign_ins = 0
                user.locked_until = when + LOCK_FOR
                locked = user.locked_until
        else:
            if rehashed is not None:
                user.password_hash = rehashed
            user.failed_sign_ins = 0
            user.locked_until = None
            user.last_sign_in_at = when
            info = _info(user)
    if idle_since is not None:
        details = {
            "username": username,
            "reason": "idle",
            "last_use": idle_since.isoformat(),
            "idle_days": IDLE_AFTER.days,
            "by": "docgen",
            "client": client,
        }
        _journal(workspace, "users disable", details)
    if locked is not None:
        details = {"username": username, "until": locked.isoformat(), "client": client}
        _journal(workspace, "web sign-in locked", details)
        return SignIn("locked", locked_until=locked)
    if info is None:
        return SignIn("refused")
    _journal(workspace, "web sign-in", {"username": username, "client": client})
    must_change = info.must_change_password or info.password_expired(when)
    return SignIn("ok", info, must_change=must_change)


def _sign_in_state(db: Database, username: str) -> tuple[str, datetime | None] | None:
    """The password hash and the lock of ``username`` (None: no such user), read
    without taking the write lock."""
    query = select(WebUser.password_hash, WebUser.locked_until).where(WebUser.username == username)
    with db.reading() as session:
        row = session.execute(query).one_or_none()
    return None if row is None else (row.password_hash, row.locked_until)


def change_password(
    workspace: Workspace,
    db: Database,
    username: str,
    current: str,
    new: str,
    *,
    now: datetime | None = None,
) -> UserInfo:
    """Change a signed-in person's password: the current one must be right; the new
    one follows the rules; not within :data:`MIN_AGE` of the last change unless the
    password must change (initial, reset or expired). Every other session of theirs
    ends. Journalled as ``web password change``."""
    when = _now(now)
    with db.session() as session:
        user = _known(session, username)
        if user.status != ACTIVE or not _verify(user.password_hash, current):
            raise InputError(_("the current password is not right"))
        forced = user.must_change_password or when - user.password_changed_at > MAX_AGE
        if not forced and when - user.password_changed_at < MIN_AGE:
            raise InputError(_("a password may be changed once a day at most: try again tomorrow"))
        if new == current:
            raise InputError(_("the new password is the current one"))
        _check_password(new, username)
        _set_password(session, user, new, when)
        user.must_change_password = False
        info = _info(user)
    _journal(workspace, "web password change", {"username": username})
    return info


def sign_out(db: Database, user_id: int) -> None:
    """End every session of the user (their session version changes)."""
    with db.session() as session:
        user = session.get(WebUser, user_id)
        if user is not None:
            user.session_version += 1


def role_names(roles: Sequence[str]) -> list[str]:
    """The roles' names as message IDs, in :data:`ROLES` order."""
    return [ROLES[r] for r in ROLES if r in roles]
