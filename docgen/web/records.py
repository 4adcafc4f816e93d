"""The records browser (ISSUE 12 item 3): search the archive's index by category,
period, unit, record ID and status; a record's metadata, files and holds; a file
downloaded if the role allows (``record-file`` in the permission table).

A file is served only from inside the archive root: the path the index holds must be
relative with no ``..``, it must resolve inside the root with no symbolic link on the
way (:func:`docgen.archive.paths.contained`), and it is opened without following a
link, as a regular file. A disposed file is not served. Every search, view and
download is journalled (who, what, when) by the application.
"""

from __future__ import annotations

import mimetypes
import os
import stat
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, NamedTuple
from urllib.parse import quote

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import func, select

from docgen.archive.classify import CATEGORIES
from docgen.archive.holds import place_hold, release_hold
from docgen.archive.paths import contained
from docgen.archive.placement import NOT_CLASSIFIED, REJECTED
from docgen.calendar import parse_period
from docgen.db.models.archive import File, Hold, Record
from docgen.errors import DocgenError, InputError, IntegrityError
from docgen.i18n import N_, _, translate
from docgen.services.triage import classify_file, reject_file
from docgen.web.app import roc_short, state
from docgen.web.permissions import in_scope, refuse

bp = Blueprint("records", __name__, url_prefix="/records")

#: Records per page of results.
PER_PAGE = 50
#: Matches counted at most (more: "more than COUNTED").
COUNTED = 10_000
#: A record's statuses, and how each is shown.
STATUSES = {
    "filed": N_("filed"),
    "unclassified": N_("unclassified"),
    REJECTED: N_("rejected as no record"),
    "disposed": N_("disposed"),
}
_TEXT_LIMIT = 80


def _units() -> frozenset[str] | None:
    return g.units if g.get("unit") is None else frozenset({g.unit})


def _arg(name: str) -> str:
    return request.args.get(name, "").strip()[:_TEXT_LIMIT]


def _filters() -> dict[str, str]:
    """The search as given (hostile input: cut, checked against the known values)."""
    found = {key: _arg(key) for key in ("category", "period", "record_id", "status")}
    if found["status"] and found["status"] not in STATUSES:
        abort(400)
    if found["period"]:
        try:
            found["period"] = parse_period(found["period"]).label
        except InputError:
            abort(400)
    return found


def _page_number() -> int:
    given = request.args.get("page", "1")
    return int(given) if given.isdigit() and 0 < int(given) <= 100_000 else 1


#: The columns the list of results shows (read as columns, not as ORM objects).
_LISTED = ("record_id", "category", "period", "unit", "title", "status", "first_filed_at")


def status_labels() -> dict[str, str]:
    """Each status as the page shows it, in the current language."""
    return {key: translate(label) for key, label in STATUSES.items()}


class _Listed(NamedTuple):
    """One record in the list of results, each cell as shown (worked out here once:
    fifty rows of filters and lookups in the template cost more than the queries)."""

    record_id: str
    link: str
    category: str
    period: str
    unit: str
    title: str
    status: str
    filed: str

    @classmethod
    def of(cls, row: Any, labels: dict[str, str]) -> _Listed:
        record_id, category, period, unit, title, status, filed = row
        return cls(
            record_id,
            quote(record_id, safe=""),
            category,
            period,
            unit,
            title,
            labels.get(status, status),
            roc_short(filed),
        )


@bp.get("/")
def search() -> Any:
    web, units, filters, page = state(), _units(), _filters(), _page_number()
    records = Record.__table__
    query = select(records.c.record_id)
    if units is not None:
        query = query.where(records.c.unit.in_(sorted(units)))
    if filters["category"]:
        query = query.where(records.c.category == filters["category"])
    if filters["period"]:
        query = query.where(records.c.period == filters["period"])
    if filters["status"]:
        query = query.where(records.c.status == filters["status"])
    if filters["record_id"]:
        query = query.where(records.c.record_id.startswith(filters["record_id"], autoescape=True))
    listed = [records.c[name] for name in _LISTED]
    # Rows on a Core connection, not through an ORM session: the queries are cheap
    # (the indexes of ISSUE 10), their ORM bookkeeping was not.
    with web.reader.reading_connection() as conn:
        # Counted up to COUNTED: a count of every match of a wide search costs a scan
        # of the whole index, and "more than 10,000" tells the person enough.
        counted = query.limit(COUNTED + 1).subquery()
        total = conn.execute(select(func.count()).select_from(counted)).scalar() or 0
        shown = query.with_only_columns(*listed).order_by(records.c.record_id)
        rows = conn.execute(shown.offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
        categories = web.facts.get(
            ("record categories",),
            lambda: sorted(conn.execute(select(records.c.category).distinct()).scalars()),
        )
    labels = status_labels()
    return render_template(
        "records.html",
        rows=[_Listed.of(row, labels) for row in rows],
        total=min(total, COUNTED),
        more=total > COUNTED,
        page=page,
        pages=max(1, -(-min(total, COUNTED) // PER_PAGE)),
        filters=filters,
        categories=categories,
        statuses=labels,
        units=sorted(units) if units is not None else [u.name for u in web.workspace.config.units],
        unit=g.get("unit"),
    )


def _record(record_id: str) -> Record:
    """The record ``record_id`` if this person may see its unit (else refused and
    journalled; unknown: 404)."""
    if len(record_id) > 100:
        abort(404)
    with state().db.reading() as session:
        found = session.get(Record, record_id)
        if found is None:
            abort(404)
        if not in_scope(found.unit):
            refuse(found.unit)
        session.expunge(found)
        return found


@bp.get("/<record_id>")
def record(record_id: str) -> Any:
    found = _record(record_id)
    g.unit = found.unit or None
    with state().db.reading() as session:
        files = list(session.scalars(select(File).where(File.record_id == found.record_id)))
        holds = list(session.scalars(select(Hold).where(Hold.record_id == found.record_id)))
        for item in (*files, *holds):
            session.expunge(item)
    active = any(h.released_at is None for h in holds)
    return render_template(
        "record.html",
        record=found,
        files=files,
        holds=holds,
        held=active,
        categories=sorted(CATEGORIES),
        units=[u.name for u in state().workspace.config.units],
        statuses=STATUSES,
        classifiable=found.status in NOT_CLASSIFIED,
    )


@bp.post("/<record_id>/classify")
def classify(record_id: str) -> Any:
    found, form = _record(record_id), request.form
    try:
        sent = classify_file(
            state().workspace,
            found.record_id,
            form.get("category", "")[:40],
            period=form.get("period", "")[:20],
            unit=form.get("unit", "")[:40],
            title=form.get("title", "")[:200],
            by=str(current_user.username),
        )
    except DocgenError as error:
        flash(error.message, "problem")
    else:
        flash(
            _(
                "{record} goes back to the inbox as {name} with what it is; the archive files "
                "it at its next pass."
            ).format(record=found.record_id, name=sent.inbox_name)
        )
    return redirect(url_for("records.record", record_id=found.record_id))


def _hold_step(record_id: str, step: Any, done: str) -> Any:
    """Place or release a hold (:mod:`docgen.archive.holds`: the hold file, the index,
    the journal), with the reason given; a refusal is one line on the record's page."""
    found = _record(record_id)
    reason = " ".join(request.form.get("reason", "").split())[:500]
    try:
        if not reason:
            raise InputError(_("say why (the reason is kept with the hold)"))
        step(found.record_id, reason)
    except DocgenError as error:
        flash(error.message, "problem")
    else:
        flash(done.format(record=found.record_id))
    return redirect(url_for("records.record", record_id=found.record_id))


@bp.post("/<record_id>/hold")
def hold(record_id: str) -> Any:
    workspace, who = state().workspace, str(current_user.display_name)
    return _hold_step(
        record_id,
        lambda rid, reason: place_hold(workspace, rid, reason, who, datetime.now()),
        _("{record} is on hold."),
    )


@bp.post("/<record_id>/release")
def release(record_id: str) -> Any:
    workspace, who = state().workspace, str(current_user.display_name)
    return _hold_step(
        record_id,
        lambda rid, reason: release_hold(workspace, rid, who, datetime.now(), reason),
        _("{record} is released from its hold."),
    )


@bp.post("/<record_id>/reject")
def reject(record_id: str) -> Any:
    """The 檔管人員 says an unclassified file is no record, with the reason
    (:func:`docgen.services.triage.reject_file`)."""
    found = _record(record_id)
    reason = request.form.get("reason", "")[:2000]
    try:
        reject_file(state().workspace, found.record_id, reason, by=str(current_user.username))
    except DocgenError as error:
        flash(error.message, "problem")
    else:
        flash(
            _("{record} is rejected as no record; the file is kept.").format(record=found.record_id)
        )
    return redirect(url_for("records.record", record_id=found.record_id))


@bp.get("/<record_id>/files/<int:file_id>")
def file(record_id: str, file_id: int) -> Any:
    found = _record(record_id)
    with state().db.reading() as session:
        stored = session.get(File, file_id)
        if stored is None or stored.record_id != found.record_id or stored.status == "disposed":
            abort(404)
        relative, sha256 = stored.path, stored.sha256
    handle = open_inside(relative)
    name = PurePosixPath(relative).name
    g.unit = found.unit or None
    g.download = {
        "record_id": found.record_id,
        "file": relative,
        "format": PurePosixPath(relative).suffix.lstrip(".").lower(),
        "sha256": sha256,
    }
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return send_file(handle, mimetype=mimetype, as_attachment=True, download_name=name)


def open_inside(relative: str) -> Any:
    """The archive file at ``relative`` (as the index holds it), opened for reading;
    404 if the path leads anywhere but to a regular file inside the archive root."""
    parts = PurePosixPath(relative)
    if not relative or parts.is_absolute() or ".." in parts.parts or "\\" in relative:
        abort(404)
    root = state().workspace.archive_root
    target = root.joinpath(*parts.parts)
    try:
        contained(root, target)  # outside the root, or through a symbolic link
    except IntegrityError:
        abort(404)  # and no path of the server on the page
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(target, flags)
    except OSError:
        abort(404)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        abort(404)
    return os.fdopen(fd, "rb")
