"""The monthly spot check in the browser (ISSUE 13 item 1; R5.1, R6.2, R6.5).

* ``/spot-check?month=``: the month's cycle on one page — the 管理者 uploads the
  platform export (or docgen uses ``data/queries/<month>.*``) and sees the intake's
  result, draws the sample (the seed and population hash shown; a redraw needs a
  reason), and follows every unit's progress; a 科(室)主管 sees their own unit; the
  處長或授權人員 approves each unit's submitted results.
* ``/samples/<period>/<unit>`` (:mod:`docgen.web.casework`) carries the marking: one
  form per case (是/否, 備註, evidence), then submitting the unit's results.
* ``/samples/<period>/<unit>/cases/<no>/evidence/<name>``: an evidence file, only of
  a case the person may see, always as a download, never shown inline.

Every action is one service call (:mod:`docgen.services.spot_check`,
:func:`docgen.services.audit.draw_sample`); a refusal is the service's one line,
shown on the page the person came from. Who may do what is the permission table's
(:mod:`docgen.web.permissions`): marking and submitting are a supervisor's of their
own unit only, approving the director's.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from docgen.archive.context import INBOX
from docgen.audit.samples import list_samples
from docgen.calendar import Period, parse_period
from docgen.db.models.archive import File
from docgen.errors import DocgenError, InputError
from docgen.i18n import _
from docgen.services.audit import draw_sample
from docgen.services.scan_package import returned
from docgen.services.spot_check import (
    MarkSheet,
    approve_results,
    attach_evidence,
    mark_case,
    mark_sheet,
    submit_marks,
    take_in_upload,
)
from docgen.uploads import MAX_EVIDENCE_BYTES, MAX_LOG_BYTES
from docgen.web.app import state
from docgen.web.permissions import in_scope, refuse
from docgen.web.records import open_inside

bp = Blueprint("spot_check", __name__)

_MONTH_TEXT = 20
_REASON_TEXT = 500
_CHUNK = 1 << 20
#: How an evidence file is sent: its type by the suffix docgen chose from its content.
_EVIDENCE_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png"}


def period_of(given: str, kind: str = "month") -> Period:
    """The period a form or an address gives, of ``kind`` (``month`` or ``half``);
    anything else is a bad request (400)."""
    try:
        period = parse_period(given.strip()[:_MONTH_TEXT])
    except InputError:
        abort(400)
    if period.kind != kind:
        abort(400)
    return period


def _last_month(today: date) -> str:
    first = today.replace(day=1)
    return f"{first.year - (first.month == 1):04d}-{(first.month - 2) % 12 + 1:02d}"


def _actor() -> str:
    return str(current_user.username)


@contextlib.contextmanager
def received(storage: FileStorage | None, limit: int) -> Iterator[tuple[Path, str]]:
    """The uploaded file written to a private temporary folder under the workspace's
    state (at most ``limit`` bytes: more is refused before it is all read), with the
    name it was sent as; the folder is removed afterwards."""
    if storage is None or not storage.filename:
        raise InputError(_("choose a file to upload"))
    given = storage.filename
    folder = state().workspace.state_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="upload-", dir=folder))
    try:
        target = work / "upload"
        written = 0
        with open(target, "wb") as handle:
            while chunk := storage.stream.read(_CHUNK):
                written += len(chunk)
                if written > limit:
                    raise InputError(
                        _("{file}: larger than {limit} MB").format(
                            file=given[:80], limit=limit // (1024 * 1024)
                        )
                    )
                handle.write(chunk)
        yield target, given
    finally:
        shutil.rmtree(work, ignore_errors=True)


@bp.get("/spot-check")
def overview() -> Any:
    web = state()
    month = period_of(request.args.get("month") or _last_month(date.today()))
    units = g.units
    sheets: list[MarkSheet] = []
    for sample in list_samples(web.workspace, month.label, db=web.reader):
        if units is None or sample.unit in units:
            sheets.append(mark_sheet(web.reader, month.label, sample.unit))
    logs = sorted(
        p.name
        for p in (web.workspace.data_dir / "queries").glob(f"{month.label}.*")
        if not p.name.startswith(".")
    )
    return render_template(
        "spot_check.html",
        month=month.label,
        sheets=sheets,
        packages={
            s.sample.unit: returned(web.workspace, web.reader, month.label, s.sample.unit)
            for s in sheets
        },
        logs=logs,
        log_limit=MAX_LOG_BYTES // (1024 * 1024),
    )


def _back(month: str) -> Any:
    return redirect(url_for("spot_check.overview", month=month))


@bp.post("/spot-check/upload")
def upload() -> Any:
    web = state()
    month = period_of(request.form.get("month", ""))
    try:
        with received(request.files.get("log"), MAX_LOG_BYTES) as (path, given):
            intake = take_in_upload(web.workspace, web.db, month, path, given, actor=_actor())
    except DocgenError as error:
        flash(_("Not taken in: {problem}").format(problem=error.message), "problem")
        return _back(month.label)
    flash(
        _(
            "{month}: {rows} queries taken in, {bad} bad rows, {anomalies} without "
            "justification (R5.1)."
        ).format(
            month=month.label, rows=intake.rows, bad=intake.bad_rows, anomalies=intake.anomalies
        )
        if not intake.already
        else _("{month}: this log was taken in already.").format(month=month.label)
    )
    return _back(month.label)


@bp.post("/spot-check/draw")
def draw() -> Any:
    web = state()
    month = period_of(request.form.get("month", ""))
    reason = request.form.get("reason", "")[:_REASON_TEXT]
    try:
        outcome = draw_sample(web.workspace, web.db, month, reason=reason, actor=_actor())
    except DocgenError as error:
        flash(_("Not drawn: {problem}").format(problem=error.message), "problem")
        return _back(month.label)
    for sample in outcome.draw.samples:
        flash(
            _(
                "{unit}: draw {number}, {size} of {population} queries; seed {seed}, "
                "population SHA-256 {digest}."
            ).format(
                unit=sample.unit,
                number=sample.number,
                size=len(sample.cases),
                population=sample.population,
                seed=sample.seed,
                digest=sample.population_sha256[:16],
            )
        )
    return _back(month.label)


def _sample_page(period: str, unit: str, anchor: str = "") -> Any:
    url = url_for("casework.sample", period=period, unit=unit)
    return redirect(f"{url}#{anchor}" if anchor else url)


def _period(period: str) -> str:
    """A month from the address (the half-year's 全處 draw has its own routes, with its
    own review: :mod:`docgen.web.half_year`); anything else is not found."""
    try:
        found = parse_period(period[:_MONTH_TEXT])
    except InputError:
        abort(404)
    if found.kind != "month":
        abort(404)
    return found.label


def save_case(period: str, unit: str, no: int) -> Any:
    """The case form's 是/否, 備註 and evidence (:func:`mark_case`,
    :func:`attach_evidence`) saved for case ``no`` of ``unit``'s current draw, then back
    to the case on the sample's page — also for the half-year's 全處 draw
    (:mod:`docgen.web.half_year`)."""
    web = state()
    try:
        mark_case(
            web.workspace,
            web.db,
            period,
            unit,
            no,
            request.form.get("consistent", "")[:5],
            request.form.get("remark", "")[:5_000],
            actor=_actor(),
        )
        storage = request.files.get("evidence")
        if storage is not None and storage.filename:
            with received(storage, MAX_EVIDENCE_BYTES) as (path, given):
                attach_evidence(
                    web.workspace, web.db, period, unit, no, path, given, actor=_actor()
                )
    except DocgenError as error:
        flash(error.message, "problem")
    else:
        flash(_("Case 序號 {no} saved.").format(no=no))
    return _sample_page(period, unit, f"case-{no}")


@bp.post("/samples/<period>/<unit>/cases/<int:no>")
def mark(period: str, unit: str, no: int) -> Any:
    return save_case(_period(period), unit, no)


@bp.post("/samples/<period>/<unit>/submit")
def submit(period: str, unit: str) -> Any:
    web, label = state(), _period(period)
    try:
        outcome = submit_marks(web.workspace, web.db, label, unit, actor=_actor())
    except DocgenError as error:
        flash(error.message, "problem")
        return _sample_page(label, unit)
    flash(
        _("Submitted: the completed 附件4 {record} and the referral list are written.").format(
            record=outcome.results.documents.get("record_id", "")
        )
    )
    return _sample_page(label, unit)


@bp.post("/samples/<period>/<unit>/approve")
def approve(period: str, unit: str) -> Any:
    web, label = state(), _period(period)
    try:
        record_id = approve_results(
            web.workspace,
            web.db,
            label,
            unit,
            approved_by=str(current_user.display_name),
            actor=_actor(),
        )
    except DocgenError as error:
        flash(error.message, "problem")
        return _back(label)
    flash(_("Approved: {record} reviewed today.").format(record=record_id))
    return _back(label)


@bp.get("/samples/<period>/<unit>/cases/<int:no>/evidence/<name>")
def evidence(period: str, unit: str, no: int, name: str) -> Any:
    web, label = state(), _period(period)
    if not in_scope(unit):
        refuse(unit)
    try:
        sheet = mark_sheet(web.reader, label, unit)
    except InputError:
        abort(404)
    entry = sheet.entries.get(no)
    if entry is None or name not in entry.evidence:
        abort(404)
    handle = _evidence_file(name)
    g.download = {"period": label, "case": no, "file": name}
    suffix = PurePosixPath(name).suffix.lower()
    response = send_file(
        handle,
        mimetype=_EVIDENCE_TYPES.get(suffix, "application/octet-stream"),
        as_attachment=True,
        download_name=name,
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _evidence_file(name: str) -> Any:
    """The evidence file ``name`` (a name docgen gave it): filed in the archive, or
    still in the inbox (:func:`docgen.web.records.open_inside`: no link followed,
    nothing outside the archive root)."""
    with state().reader.reading() as session:
        query = select(File.path).where(File.original_name == name, File.status != "disposed")
        filed = session.scalars(query.limit(1)).first()
    return open_inside(filed or f"{INBOX}/{name}")
