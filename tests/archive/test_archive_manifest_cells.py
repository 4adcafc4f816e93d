"""The archive reads back the forms manifest CSV docgen wrote as it was meant: a cell
docgen quoted against formula injection (ISSUE 9 item 7) comes back as it was."""

from __future__ import annotations

from pathlib import Path

from docgen.archive.issued import manifest_documents
from docgen.forms.manifest import COLUMNS
from docgen.report import Report, render_csv
from docgen.rules.record_id import make_record_id


def test_a_quoted_account_comes_back_as_it_was(tmp_path: Path) -> None:
    record_id = str(make_record_id(2, "", "20261001", "-u01"))
    row = dict.fromkeys(COLUMNS, "")
    row.update(row="2", record_id=record_id, form="2", subject="-u01", docx="a.docx")
    path = tmp_path / "附件2_manifest_20261001-093015.csv"
    path.write_bytes(render_csv(Report("m", COLUMNS, [row])))
    assert "'-u01" in path.read_text(encoding="utf-8-sig")  # neutralised on disk
    documents = manifest_documents(path)
    assert documents is not None and documents[0]["subject"] == "-u01"
