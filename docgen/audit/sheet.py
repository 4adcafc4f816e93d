"""The sample sheet (XLSX) a unit supervisor fills in, and reading it back (R6.2, R6.3).

Sheet ``抽查表``: a title, then a header on row 3 and one row per sampled case from
row 4 — 序號, 查詢日期時間 (ROC), 查詢人員, 被查詢人 (masked), 查詢項目,
查詢事由/依據, and the columns to fill: 是否與業務相符 (a list: 是/否), 備註, 佐證檔案.
Two hidden columns hold each case's key and a check code over the pre-filled cells;
the sheet is protected except for the three columns to fill. A very hidden sheet
``docgen`` names the period, the unit, the seed and the population hash, so a sheet
is matched to its stored sample. Reading back reports every changed, added or
removed row, every unmarked case and every 否 without a 備註, by sheet and row.

Sealed (the sheet is untrusted: it comes back from a supervisor): each row's check
code and the ``check`` row of the ``docgen`` sheet are HMAC-SHA256 under the
workspace's case key (:func:`docgen.audit.samples.case_key_secret`), so neither the
rows nor the period and unit that name the stored sample can be changed, or a sheet
made up, without the key. :func:`read_sheet` verifies the ``docgen`` sheet
(``hmac.compare_digest``) before it trusts anything in it, then accepts its period
only in the period grammar and its unit only among the workspace's units
(:func:`docgen.audit.samples.unit_refusal`): otherwise one line naming the sheet.
A sheet written before sheets were sealed (no ``check`` row, unkeyed row codes) is
read only for a sample drawn then (one without ``sheet_check``), and only if every
row's unkeyed code matches exactly; for a sample drawn since, it is refused.

Hostile text (ISSUE 9 item 7): every text cell docgen writes goes through
:func:`docgen.cells.put_text` — a justification ``=cmd|' /C calc'!A0`` is written as
the text ``'=cmd|' /C calc'!A0``, never as a formula — and the cells docgen wrote
(the pre-filled columns, the key columns, the metadata sheet) are read back through
:func:`docgen.cells.restore`, so they compare equal to the sample. A sheet is opened
only after :func:`docgen.zipguard.check_zip` (ISSUE 9 item 8) and read streaming; a
damaged one is one line naming the file (ISSUE 9 item 9).

ODS (ISSUE 11 item 10): docgen writes the sheet as XLSX (its 是/否 list, protection and
very hidden ``docgen`` sheet are the workbook's), but a supervisor who saves it in
LibreOffice as OpenDocument (``抽查表_….ods``) hands back the same sheets, rows and
columns: such a sheet is read by :class:`docgen.records.tables.OdsSheet` (bounded by
:func:`docgen.zipguard.check_zip`, streamed), sheet by name, and checked exactly like
the workbook, with the same row numbers and columns in every message.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.audit.samples import Sample, SampleCase, check_period, unit_refusal
from docgen.calendar import format_roc_short
from docgen.cells import put_text, restore, stored_text
from docgen.config import Workspace
from docgen.errors import InputError, RowProblem, ValidationFailed
from docgen.fsutil import atomic_path
from docgen.i18n import _
from docgen.records.tables import OdsSheet, open_workbook, workbook_errors

# The sheet is the supervisor's form, filled in and read back (its sheet, headers, 是/否
# and the metadata sheet's keys): Chinese in every language, like the forms themselves.
SHEET = "抽查表"
META_SHEET = "docgen"
HEADER_ROW = 3
HEADERS = (
    "序號",
    "查詢日期時間",
    "查詢人員",
    "被查詢人",
    "查詢項目",
    "查詢事由/依據",
    "是否與業務相符",
    "備註",
    "佐證檔案",
    "案件代碼",
    "檢核碼",
)
_PREFILLED = 6
_FILL = (7, 8, 9)
_KEY, _CHECK = 10, 11
_WIDTHS = (6, 18, 16, 20, 16, 40, 14, 30, 24, 12, 12)
#: The columns (0-based) docgen writes itself, read back through ``restore``.
_WRITTEN = frozenset({*range(_PREFILLED), _KEY - 1, _CHECK - 1})
#: Non-empty rows a sheet may have: a sample has at most 150 cases (R6.3).
MAX_ROWS = 2_000
#: Rows of the metadata sheet read (it has six).
_META_ROWS = 50
#: The row of the metadata sheet holding its keyed check code.
META_CHECK = "check"
#: Hex digits of a keyed check code (an unkeyed one, before sheets were sealed, has 16).
_CODE_DIGITS = 32
YES, NO = "是", "否"


@dataclass(frozen=True)
class Mark:
    """One case as the supervisor marked it."""

    no: int
    key: str
    consistent: str
    remark: str
    evidence: str


@dataclass(frozen=True)
class RawRow:
    """A non-empty row of the sheet as text cells, with its row number."""

    number: int
    cells: list[str]


@dataclass(frozen=True)
class FilledSheet:
    """A sheet read back: which sample it belongs to and its rows."""

    path: Path
    period: str
    unit: str
    rows: list[RawRow]
    meta: dict[str, str]
    #: Whether the sheet is sealed (a ``check`` row); False for a sheet from before.
    sealed: bool = True


def prefilled_cells(case: SampleCase) -> list[Any]:
    """The six cells docgen fills for a case (names and IDs already masked)."""
    when = f"{format_roc_short(case.queried_at.date())} {case.queried_at:%H:%M}"
    person = f"{case.account} {case.user_name}".strip()
    subject = f"{case.subject_name} {case.subject_id}".strip()
    return [case.no, when, person, subject, case.item, case.justification]


def check_code(cells: list[Any], key: str, secret: bytes | None) -> str:
    """The check code of a row: HMAC-SHA256 under ``secret`` over the pre-filled cells
    and the key (changes show up, and cannot be sealed again without the key). With
    ``secret`` None, the unkeyed code of a sheet written before sheets were sealed."""
    text = "\x1f".join(str(c) for c in [*cells, key]).encode("utf-8")
    if secret is None:
        return hashlib.sha256(text).hexdigest()[:16]
    return hmac.new(secret, b"docgen-sheet-row/1\x1e" + text, hashlib.sha256).hexdigest()[
        :_CODE_DIGITS
    ]


def meta_check(meta: dict[str, str], secret: bytes) -> str:
    """The keyed check code of the ``docgen`` sheet: HMAC-SHA256 over its fields."""
    text = "\x1e".join(f"{key}\x1f{meta.get(key, '')}" for key in _META_KEYS)
    return hmac.new(
        secret, b"docgen-sheet-meta/1\x1e" + text.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def _same(found: str, expected: str) -> bool:
    """``found == expected`` in constant time (bytes: ``found`` may hold any text)."""
    return hmac.compare_digest(found.encode("utf-8"), expected.encode("utf-8"))


def write_sheet(
    sample: Sample,
    target: Path,
    secret: bytes,
    marks: Mapping[str, tuple[str, str, str]] | None = None,
) -> None:
    """Write the sample sheet of ``sample`` to ``target`` (atomically), sealed with
    ``secret`` (the workspace's case key). ``marks`` (case key → 是/否, 備註, 佐證檔案)
    fills the columns a supervisor fills, as the browser took them (ISSUE 13 item 1),
    each as text, so that the sheet reads back exactly as entered."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    title = f"案件抽查表 {sample.period} {sample.unit}（共 {sample.sample_size} 件）"
    put_text(sheet["A1"], title).font = Font(bold=True, size=14)
    put_text(
        sheet["A2"], "請於「是否與業務相符」欄選擇 是/否；選「否」者須填備註；佐證檔案填檔名。"
    )
    for column, header in enumerate(HEADERS, start=1):
        put_text(sheet.cell(HEADER_ROW, column), header).font = Font(bold=True)
    last = HEADER_ROW + len(sample.cases)
    for row, case in enumerate(sample.cases, start=HEADER_ROW + 1):
        cells = prefilled_cells(case)
        for column, value in enumerate([*cells, None, None, None, case.key], start=1):
            put_text(sheet.cell(row, column), value)
        put_text(sheet.cell(row, _CHECK), check_code(cells, case.key, secret))
        filled = (marks or {}).get(case.key, ("", "", ""))
        for column, value in zip(_FILL, filled, strict=True):
            cell = sheet.cell(row, column)
            cell.protection = Protection(locked=False)
            if value:
                cell.value, cell.data_type = value, "s"  # text, never a formula
    choice = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    choice.error, choice.errorTitle = "請選擇 是 或 否", "是否與業務相符"
    sheet.add_data_validation(choice)
    if sample.cases:
        choice.add(f"G{HEADER_ROW + 1}:G{last}")
    _layout(sheet)
    _write_meta(book, sample, secret)
    with atomic_path(target) as tmp:
        book.save(tmp)


def _layout(sheet: Any) -> None:
    for column, width in enumerate(_WIDTHS, start=1):
        letter = sheet.cell(HEADER_ROW, column).column_letter
        sheet.column_dimensions[letter].width = width
        sheet.column_dimensions[letter].hidden = column in (_KEY, _CHECK)
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False


def _write_meta(book: Any, sample: Sample, secret: bytes) -> None:
    meta = book.create_sheet(META_SHEET)
    fields = _meta(sample)
    fields[META_CHECK] = meta_check(fields, secret)
    for row, (key, value) in enumerate(fields.items(), start=1):
        put_text(meta.cell(row, 1), key)
        put_text(meta.cell(row, 2), value)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True


_META_KEYS = ("period", "unit", "seed", "population_sha256", "cases_sha256")


def _meta(sample: Sample) -> dict[str, str]:
    keys = "\n".join(c.key for c in sample.cases)
    return {
        "period": sample.period,
        "unit": sample.unit,
        "seed": sample.seed,
        "population_sha256": sample.population_sha256,
        "cases_sha256": hashlib.sha256(keys.encode("utf-8")).hexdigest(),
    }


def same_draw(sheet: FilledSheet, sample: Sample) -> bool:
    """Whether ``sheet`` was written for ``sample`` (its period, unit, seed, population
    hash and cases)."""
    return {k: sheet.meta.get(k) for k in _META_KEYS} == _meta(sample)


def read_sheet(workspace: Workspace, path: Path, secret: bytes) -> FilledSheet:
    """The period, unit and marks of a filled sheet (the XLSX docgen wrote, or that
    workbook saved as ODS); :class:`InputError` if it is not one (or not a workbook, a
    damaged one, a decompression bomb: one line naming ``path``), if its ``docgen``
    sheet was changed (its check code does not match under ``secret``), or if its
    period or unit is not one docgen could have written."""
    if path.suffix.lower() == ".ods":
        meta, rows, sealed, found = _read_ods(path, secret)
    else:
        meta, rows, sealed, found = _read_xlsx(path, secret)
    period, unit = meta.get("period", ""), meta.get("unit", "")
    cell = _("{file}, sheet {sheet}, row {row}, column B")
    check_period(period, cell.format(file=path, sheet=META_SHEET, row=rows.get("period", "?")))
    refusal = unit_refusal(workspace, unit, _("use the sheet docgen wrote"))
    if refusal:
        where = cell.format(file=path, sheet=META_SHEET, row=rows.get("unit", "?"))
        raise InputError(f"{where}: {refusal}")
    return FilledSheet(path, period, unit, found, meta, sealed)


_Read = tuple[dict[str, str], dict[str, int], bool, list[RawRow]]


def _not_a_sheet(path: Path) -> InputError:
    return InputError(
        _("{file}: not a docgen sample sheet (sheet {sheet!r} or its key missing)").format(
            file=path, sheet=SHEET
        )
    )


def _read_xlsx(path: Path, secret: bytes) -> _Read:
    """The metadata sheet's fields and rows, whether sealed, and the filled rows."""
    book = open_workbook(path)
    try:
        with workbook_errors(path):
            if META_SHEET not in book.sheetnames or SHEET not in book.sheetnames:
                raise _not_a_sheet(path)
            meta_sheet, sheet = book[META_SHEET], book[SHEET]
            meta_sheet.reset_dimensions()  # read what a sheet holds, not what it claims to
            meta, rows = _read_meta(
                enumerate(meta_sheet.iter_rows(max_row=_META_ROWS, values_only=True), start=1)
            )
            sealed = _check_meta(path, meta, secret)
            sheet.reset_dimensions()
            values = sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
            found = _read_rows(path, enumerate(values, start=HEADER_ROW + 1))
    finally:
        book.close()
    return meta, rows, sealed, found


def _read_ods(path: Path, secret: bytes) -> _Read:
    """:func:`_read_xlsx` of the sheet saved as ODS (the same sheets, rows, columns)."""
    meta_sheet = OdsSheet(path, META_SHEET)
    meta, rows = _read_meta(
        (number, cells) for number, cells in meta_sheet.rows() if number <= _META_ROWS
    )
    if not meta_sheet.found:
        raise _not_a_sheet(path)
    sealed = _check_meta(path, meta, secret)
    sheet = OdsSheet(path, SHEET)
    found = _read_rows(path, ((n, cells) for n, cells in sheet.rows() if n > HEADER_ROW))
    if not sheet.found:
        raise _not_a_sheet(path)
    return meta, rows, sealed, found


def _check_meta(path: Path, meta: dict[str, str], secret: bytes) -> bool:
    """Whether the ``docgen`` sheet is sealed (False: written before sheets were);
    :class:`InputError` when its check code does not match its fields."""
    code = meta.get(META_CHECK)
    if code is None:
        return False
    if not _same(code, meta_check(meta, secret)):
        raise InputError(
            _(
                "{file}: the sheet's {sheet} data (period, unit, seed, cases) was changed "
                "after docgen wrote it, or the sheet is from another workspace (its check code "
                "does not match): use the sheet docgen wrote, or draw the sample again"
            ).format(file=path, sheet=META_SHEET)
        )
    return True


def _read_meta(
    numbered: Iterable[tuple[int, Sequence[Any]]],
) -> tuple[dict[str, str], dict[str, int]]:
    """The fields of the metadata sheet, and the row each was read from."""
    fields: dict[str, str] = {}
    numbers: dict[str, int] = {}
    for number, row in numbered:
        if row:
            key = restore(_text(row[0]))
            fields[key] = restore(_text(row[1] if len(row) > 1 else None))
            numbers[key] = number
    return fields, numbers


def _read_rows(path: Path, numbered: Iterable[tuple[int, Sequence[Any]]]) -> list[RawRow]:
    """The non-empty rows below the header (at most :data:`MAX_ROWS`)."""
    found: list[RawRow] = []
    for number, values in numbered:
        raw = _raw(number, list(values[: len(HEADERS)]))
        if any(raw.cells):
            found.append(raw)
            if len(found) > MAX_ROWS:
                raise InputError(
                    _(
                        "{file}, row {row}: more than {count} filled rows: not a docgen "
                        "sample sheet (a sample has at most 150 cases)"
                    ).format(file=path, row=number, count=f"{MAX_ROWS:,}")
                )
    return found


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _raw(number: int, cells: list[Any]) -> RawRow:
    """A row as text; the cells docgen wrote with their quote taken off."""
    cells = (cells + [None] * len(HEADERS))[: len(HEADERS)]
    texts = [_text(c) for c in cells]
    return RawRow(number, [restore(t) if i in _WRITTEN else t for i, t in enumerate(texts)])


def check_marks(sheet: FilledSheet, sample: Sample, secret: bytes) -> list[Mark]:
    """The supervisor's marks matched to ``sample``; :class:`ValidationFailed` listing
    every changed, added or removed row, unmarked case and 否 without 備註. A sheet
    that is not sealed is refused (one line) unless ``sample`` was drawn before sheets
    were sealed; its rows are then checked against their unkeyed codes."""
    name = sheet.path.name
    if not sheet.sealed and sample.sheet_check:
        raise InputError(
            _(
                "{file}: the sheet has no {sheet} check code, but the sample of {unit} "
                "{period} was drawn with sealed sheets: it was changed, or is not the one "
                "docgen wrote; use {name} as docgen wrote it"
            ).format(
                file=sheet.path,
                sheet=META_SHEET,
                unit=sample.unit,
                period=sample.period,
                name=sheet_name(sample),
            )
        )
    row_secret = secret if sheet.sealed else None
    if not same_draw(sheet, sample):
        other = _(
            "the sheet is from another draw of {unit} {period} "
            "(its seed {seed!r}, the stored sample's {stored!r})"
        ).format(
            unit=sample.unit, period=sample.period, seed=sheet.meta.get("seed"), stored=sample.seed
        )
        raise ValidationFailed([RowProblem(name, None, None, other)])
    by_key = {c.key: c for c in sample.cases}
    problems: list[RowProblem] = []
    present: set[str] = set()
    marks: dict[str, Mark] = {}
    for row in sheet.rows:
        problem = _row_problem(row.cells, by_key, present, row_secret)
        present.add(row.cells[_KEY - 1])
        if problem:
            problems.append(RowProblem(name, row.number, problem[0], problem[1]))
            continue
        case = by_key[row.cells[_KEY - 1]]
        mark = Mark(case.no, case.key, *row.cells[_FILL[0] - 1 : _FILL[-1]])
        marks[case.key] = mark
        problems += _mark_problems(name, row.number, mark)
    for case in sample.cases:
        if case.key not in present:
            removed = _("case 序號 {no} was removed").format(no=case.no)
            problems.append(RowProblem(name, None, None, removed))
    if problems:
        raise ValidationFailed(problems)
    return [marks[c.key] for c in sample.cases]


def sheet_name(sample: Sample) -> str:
    return f"抽查表_{sample.period}_{sample.unit}.xlsx"


def _row_problem(
    cells: list[str], by_key: dict[str, SampleCase], present: set[str], secret: bytes | None
) -> tuple[str, str] | None:
    key = cells[_KEY - 1]
    if key not in by_key:
        return "案件代碼", _("added row: not a case of the drawn sample")
    if key in present:
        return "案件代碼", _("case 序號 {no} appears twice").format(no=by_key[key].no)
    cells_expected = prefilled_cells(by_key[key])
    expected = [stored_text(str(c)) for c in cells_expected]
    code = check_code(cells_expected, key, secret)
    if cells[:_PREFILLED] != expected or not _same(cells[_CHECK - 1], code):
        changed = [HEADERS[i] for i in range(_PREFILLED) if cells[i] != expected[i]]
        return ", ".join(changed) or "檢核碼", _("changed row: does not match the drawn sample")
    return None


def _mark_problems(name: str, row: int, mark: Mark) -> list[RowProblem]:
    if mark.consistent not in (YES, NO):
        what = (
            _("not marked")
            if not mark.consistent
            else _("must be 是 or 否, not {value!r}").format(value=mark.consistent)
        )
        return [RowProblem(name, row, "是否與業務相符", what)]
    if mark.consistent == NO and not mark.remark:
        return [RowProblem(name, row, "備註", _("a 否 needs a 備註 explaining it"))]
    return []
