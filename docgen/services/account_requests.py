"""An account's life through the web (ISSUE 13 item 3; R2.2, R3, R4, R5.2).

Three steps, each one transaction and one journal entry:

1. :func:`request_account` — a request to open (新增), change (異動), suspend (停用),
   resume (復用) or cancel (註銷) an account, prefilled from the registry: it fills
   附件2 of that type — and 附件3 保密切結書 for a new general user (R3.2) — into
   ``out/accounts/requests/<id>/``. A cancellation because the holder leaves or
   changes duty gives that day: requested fewer than 10 working days before it, it is
   flagged there and then (R5.2: the office's working calendar); one without (a
   holder notified under R4.1c) gives none;
2. :func:`approve_account_request` — the 處長或授權人員's approval;
3. :func:`record_on_platform` — the 管理者 records the day the platform account was
   opened, changed, suspended, resumed or closed: the registry changes as the request
   says, with the account's history event (``source`` ``web``), and the next account
   review (R4.1a) sees it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docgen.calendar import format_roc_short
from docgen.config import Workspace
from docgen.db import Database
from docgen.db.models.accounts import AccountEvent, AccountRequest, RegistryAccount
from docgen.errors import InputError
from docgen.i18n import N_, _, translate
from docgen.journal import Journal
from docgen.office_calendar import working_calendar
from docgen.privacy import is_valid_national_id, mask_id, mask_name
from docgen.records.models import Role, Status
from docgen.rules.account_review import NOTICE_WORKING_DAYS

#: Each kind of request → its 申請類別 on 附件2.
KINDS = {"open": "新增", "change": "異動", "suspend": "停用", "resume": "復用", "cancel": "註銷"}
KIND_NAMES = {
    "open": N_("open an account"),
    "change": N_("change an account"),
    "suspend": N_("suspend an account"),
    "resume": N_("resume an account"),
    "cancel": N_("cancel an account"),
}
REQUESTED, APPROVED, DONE = "requested", "approved", "done"
STATES = {
    REQUESTED: N_("requested, awaiting approval"),
    APPROVED: N_("approved, awaiting the platform"),
    DONE: N_("done on the platform"),
}
#: What an account's status must be for each kind of request.
_BEFORE = {
    "change": (Status.ACTIVE, Status.SUSPENDED),
    "suspend": (Status.ACTIVE,),
    "resume": (Status.SUSPENDED,),
    "cancel": (Status.ACTIVE, Status.SUSPENDED),
}
_ACCOUNT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,29}")
_TEXT = 200
#: 使用目的 and 法令依據 of a request that only changes an account's state.
_SAME = "同原申請"


@dataclass(frozen=True)
class AccountDetails:
    """What a request gives: the holder (for a new account or a change), the purpose
    and legal basis of 附件2, and for a cancellation the day the holder leaves."""

    name: str = ""
    national_id: str = ""
    unit: str = ""
    title: str = ""
    role: str = ""  # a new account: 一般使用者 unless given; a change: unchanged unless given
    phone: str = ""
    email: str = ""
    purpose: str = ""
    legal_basis: str = ""
    leaving_on: date | None = None


@dataclass(frozen=True)
class RequestInfo:
    """A request as stored (the holder's ID masked)."""

    id: int
    kind: str
    account_id: str
    holder: str
    unit: str
    requested_on: date
    requested_by: str
    late: bool
    files: list[str]
    state: str
    approved_name: str
    approved_on: date | None
    done_on: date | None
    leaving_on: date | None = None
    notes: list[str] = field(default_factory=list)


def _info(row: AccountRequest) -> RequestInfo:
    details = json.loads(row.details_json)
    leaving = details.get("leaving_on")
    return RequestInfo(
        row.id,
        row.kind,
        row.account_id,
        f"{mask_name(details.get('name', ''))} {mask_id(details.get('national_id', ''))}".strip(),
        details.get("unit", ""),
        row.requested_on,
        row.requested_by,
        row.late,
        json.loads(row.files_json),
        row.state,
        row.approved_name,
        row.approved_on,
        row.done_on,
        date.fromisoformat(leaving) if leaving else None,
    )


def _journal(workspace: Workspace, command: str, details: dict[str, Any]) -> None:
    Journal(workspace.journal_path, workspace.root).append(command, details=details)


def account_requests(db: Database) -> list[RequestInfo]:
    """Every request, the newest first."""
    with db.session() as session:
        rows = session.scalars(select(AccountRequest).order_by(AccountRequest.id.desc()))
        return [_info(row) for row in rows]


def _text(value: str, label: str, required: bool = True) -> str:
    text = " ".join(value.split())[:_TEXT]
    if required and not text:
        raise InputError(_("{field}: required").format(field=label))
    return text


def _holder(workspace: Workspace, details: AccountDetails) -> dict[str, str]:
    """The holder of a new account, checked."""
    national_id = details.national_id.strip().upper()
    if not is_valid_national_id(national_id):
        raise InputError(
            _("身分證統一編號 {id}: not a valid national ID").format(id=mask_id(national_id))
        )
    if details.unit not in {u.name for u in workspace.config.units}:
        raise InputError(_("單位 {unit}: not a unit of docgen.toml").format(unit=details.unit))
    role = details.role or Role.USER.value
    if role not in (Role.USER.value, Role.AUDITOR.value):
        raise InputError(_("角色: 一般使用者 or 稽核人員"))
    return {
        "name": _text(details.name, "姓名"),
        "national_id": national_id,
        "unit": details.unit,
        "title": _text(details.title, "職稱"),
        "role": role,
        "phone": _text(details.phone, "電話", required=False),
        "email": _text(details.email, "電子郵件", required=False),
    }


def _registry_holder(row: RegistryAccount) -> dict[str, str]:
    return {
        "name": row.name,
        "national_id": row.national_id,
        "unit": row.unit,
        "title": row.title,
        "role": row.role,
        "phone": row.phone,
        "email": row.email,
    }


def _checked(
    workspace: Workspace, session: Session, kind: str, account_id: str, details: AccountDetails
) -> dict[str, Any]:
    """The request's fields, checked against the registry (one line if wrong)."""
    if kind not in KINDS:
        raise InputError(_("{kind}: not a kind of account request").format(kind=kind[:20]))
    if not _ACCOUNT.fullmatch(account_id):
        raise InputError(
            _("帳號 {account!r}: letters, digits, . _ - only").format(account=account_id[:30])
        )
    pending = session.scalars(
        select(AccountRequest.id).where(
            AccountRequest.account_id == account_id,
            AccountRequest.state.in_((REQUESTED, APPROVED)),
        )
    ).first()
    if pending is not None:
        raise InputError(
            _("帳號 {account}: account request {id} is still open: finish it first").format(
                account=account_id, id=pending
            )
        )
    row = session.get(RegistryAccount, account_id)
    if kind == "open":
        if row is not None:
            raise InputError(
                _("帳號 {account} is in the registry already").format(account=account_id)
            )
        holder = _holder(workspace, details)
    else:
        if row is None:
            raise InputError(_("帳號 {account} is not in the registry").format(account=account_id))
        if row.status not in _BEFORE[kind]:
            raise InputError(
                _("帳號 {account} is {status}: it cannot be asked to {kind}").format(
                    account=account_id, status=row.status, kind=translate(KIND_NAMES[kind])
                )
            )
        holder = _registry_holder(row)
        if kind == "change":
            merged: dict[str, Any] = {**holder, **_given(details)}
            changed = _holder(workspace, replace(AccountDetails(), **merged))
            holder = {**changed, "national_id": row.national_id, "name": row.name}
    same = kind in ("suspend", "resume", "cancel")
    fields: dict[str, Any] = {
        **holder,
        "purpose": _text(details.purpose, "使用目的", required=not same) or _SAME,
        "legal_basis": _text(details.legal_basis, "法令依據", required=not same) or _SAME,
    }
    if kind == "cancel" and details.leaving_on is not None:
        fields["leaving_on"] = details.leaving_on.isoformat()
    return fields


def _given(details: AccountDetails) -> dict[str, str]:
    """The holder fields a change gives (the others stay as the registry has them)."""
    names = ("unit", "title", "phone", "email", "role")
    return {name: getattr(details, name) for name in names if getattr(details, name)}


def _late(workspace: Workspace, leaving_on: date, requested_on: date) -> bool:
    """R5.2: requested after the 10th working day before leaving."""
    deadline = working_calendar(workspace).add_working_days(leaving_on, -NOTICE_WORKING_DAYS)
    return requested_on > deadline


def _forms(
    workspace: Workspace, kind: str, account_id: str, fields: dict[str, Any], on: date, target: Path
) -> list[Path]:
    """附件2 of the request's type, and 附件3 for a new general user (R3.2)."""
    from docgen.forms import fill_one

    application = {
        "application_type": KINDS[kind],
        "account": account_id,
        "application_date": on,
        "effective_date": date.fromisoformat(fields["leaving_on"])
        if "leaving_on" in fields
        else None,
        **{k: fields[k] for k in ("unit", "title", "name", "national_id", "phone", "email")},
        **{k: fields[k] for k in ("role", "purpose", "legal_basis")},
    }
    files = [fill_one(workspace, "2", None, application, target).docx]
    if kind == "open" and fields["role"] == Role.USER.value:
        pledge = {k: fields[k] for k in ("name", "unit", "title", "national_id")}
        files.append(
            fill_one(
                workspace, "3", None, {**pledge, "account": account_id, "date": on}, target
            ).docx
        )
    return files


def request_account(
    workspace: Workspace,
    db: Database,
    kind: str,
    account_id: str,
    details: AccountDetails,
    *,
    by: str,
    today: date | None = None,
) -> RequestInfo:
    """Record a request of ``kind`` for ``account_id`` (see the module) and fill its
    forms; a late cancellation (R5.2) is flagged in what is returned (``late``)."""
    on = today or date.today()
    account_id = account_id.strip()
    with db.session() as session:
        fields = _checked(workspace, session, kind, account_id, details)
        late = (
            kind == "cancel"
            and details.leaving_on is not None
            and _late(workspace, details.leaving_on, on)
        )
        row = AccountRequest(
            kind=kind,
            account_id=account_id,
            details_json=json.dumps(fields, ensure_ascii=False),
            requested_on=on,
            requested_by=by,
            late=late,
        )
        session.add(row)
        session.flush()
        target = workspace.root / "out" / "accounts" / "requests" / str(row.id)
        files = _forms(workspace, kind, account_id, fields, on, target)
        row.files_json = json.dumps([str(p.relative_to(workspace.root)) for p in files])
        info = _info(row)
    details_shown = {"user": by, "request": info.id, "kind": kind, "account": account_id}
    _journal(workspace, "account request", {**details_shown, "late": late, "files": info.files})
    return info


def _one(session: Session, request_id: int, state: str) -> AccountRequest:
    row = session.get(AccountRequest, request_id)
    if row is None:
        raise InputError(_("there is no account request {id}").format(id=request_id))
    if row.state != state:
        raise InputError(
            _("account request {id} is {state}, not {expected}").format(
                id=request_id, state=translate(STATES[row.state]), expected=translate(STATES[state])
            )
        )
    return row


def approve_account_request(
    workspace: Workspace,
    db: Database,
    request_id: int,
    *,
    by: str,
    name: str,
    today: date | None = None,
) -> RequestInfo:
    """The 處長或授權人員's approval of request ``request_id``."""
    on = today or date.today()
    with db.session() as session:
        row = _one(session, request_id, REQUESTED)
        if row.requested_by == by:
            raise InputError(
                _(
                    "account request {id} was entered by {name}: who enters a request may "
                    "not approve it (separation of duties)"
                ).format(id=request_id, name=by)
            )
        row.state, row.approved_by, row.approved_name, row.approved_on = APPROVED, by, name, on
        info = _info(row)
    _journal(workspace, "account request approve", {"user": by, "request": request_id})
    return info


def record_on_platform(
    workspace: Workspace, db: Database, request_id: int, on: date, *, by: str
) -> RequestInfo:
    """The 管理者 did request ``request_id`` on the platform on ``on`` (not later than
    today, not before its approval): the registry changes accordingly, with its event."""
    if on > date.today():
        raise InputError(_("{date}: later than today").format(date=format_roc_short(on)))
    with db.session() as session:
        row = _one(session, request_id, APPROVED)
        if row.approved_on is not None and on < row.approved_on:
            raise InputError(
                _("{date}: before the approval ({approved})").format(
                    date=format_roc_short(on), approved=format_roc_short(row.approved_on)
                )
            )
        fields = json.loads(row.details_json)
        kind, changes = _apply(session, row, fields, on)
        session.add(
            AccountEvent(
                account_id=row.account_id,
                kind=kind,
                on=on,
                changes_json=json.dumps(changes, ensure_ascii=False, sort_keys=True),
                source=f"web request {row.id}",
                recorded_at=datetime.now().replace(microsecond=0),
                recorded_by=by,
            )
        )
        row.state, row.done_by, row.done_on = DONE, by, on
        info = _info(row)
    _journal(
        workspace, "account request done", {"user": by, "request": request_id, "on": on.isoformat()}
    )
    return info


def _apply(
    session: Session, row: AccountRequest, fields: dict[str, Any], on: date
) -> tuple[str, dict[str, list[Any]]]:
    """Change the registry as the request says; the event's kind and its changes."""
    account = session.get(RegistryAccount, row.account_id)
    if row.kind == "open":
        if account is not None:
            raise InputError(
                _("帳號 {account} is in the registry already").format(account=row.account_id)
            )
        last = session.scalar(select(func.max(RegistryAccount.position))) or 0
        pledged = row.requested_on if fields["role"] == Role.USER.value else None
        session.add(
            RegistryAccount(
                account_id=row.account_id,
                **{k: fields[k] for k in ("name", "national_id", "unit", "title", "role")},
                status=Status.ACTIVE.value,
                opened=on,
                application_on=row.requested_on,
                pledge_on=pledged,
                phone=fields["phone"],
                email=fields["email"],
                position=last + 1,
            )
        )
        return "opened", {"status": [None, Status.ACTIVE.value]}
    if account is None:
        raise InputError(_("帳號 {account} is not in the registry").format(account=row.account_id))
    before = account.status
    if row.kind == "change":
        changed = {}
        for name in ("unit", "title", "role", "phone", "email"):
            if getattr(account, name) != fields[name]:
                changed[name] = [getattr(account, name), fields[name]]
                setattr(account, name, fields[name])
        account.application_on = row.requested_on
        return "changed", changed
    if row.kind == "suspend":
        account.status, account.suspended_on = Status.SUSPENDED.value, on
        return "suspended", {
            "status": [before, account.status],
            "suspended_on": [None, on.isoformat()],
        }
    if row.kind == "resume":
        account.status, account.suspended_on = Status.ACTIVE.value, None
        return "resumed", {"status": [before, account.status]}
    account.status, account.cancelled_on = Status.CANCELLED.value, on
    if "leaving_on" in fields:  # leaving or changing duty (R5.2); else e.g. R4.1c
        account.departure_on = date.fromisoformat(fields["leaving_on"])
    account.cancellation_requested_on = row.requested_on
    return "cancelled", {"status": [before, account.status], "cancelled_on": [None, on.isoformat()]}
