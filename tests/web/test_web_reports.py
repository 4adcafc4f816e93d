"""The reports, query logs, samples and records in the browser: each download is the
file the CLI writes; a supervisor's is their unit's; the archive's files are served
only from inside the archive root; hostile query strings are refused plainly."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from openpyxl import load_workbook

from docgen.db.models.archive import File, Record
from docgen.errors import DocgenError
from tests.web.conftest import OTHER_UNIT, SUPERVISED_UNIT, Office, journal_entries
from tests.web.test_web_permissions import record_file_url

AS_OF = "2026-11-30"
SECRET = "TOP-SECRET-CONTENT"
#: web URL → the CLI's arguments that write the same report.
SAME_AS_CLI = {
    f"/reports/missing/download?as_of={AS_OF}": ["archive", "report", "missing", "--as-of", AS_OF],
    f"/reports/retention/download?as_of={AS_OF}": [
        *("archive", "report", "retention", "--as-of", AS_OF),
    ],
    "/reports/unclassified/download?": ["archive", "report", "unclassified"],
    "/reports/fixity/download?": ["archive", "report", "fixity"],
    f"/reports/evidence/download?period=2026-10&as_of={AS_OF}": [
        *("evidence", "check", "--month", "2026-10", "--as-of", AS_OF),
    ],
}


def _cli(office: Office, args: list[str], path: Path, fmt: str) -> bytes:
    from docgen.cli.main import cli

    argv = ["-w", str(office.workspace.root), *args, "--format", fmt, "-o", str(path)]
    result = CliRunner().invoke(cli, argv)
    if result.exception is not None:  # the report found problems (exit 5 or 6), once written
        assert isinstance(result.exception, DocgenError), result.output
        assert result.exception.exit_code in (5, 6), result.output
    return path.read_bytes()


def _xlsx_values(data: bytes) -> list[list[object]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [list(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("url", list(SAME_AS_CLI))
def test_a_download_is_the_file_the_cli_writes(
    clients: dict[str, FlaskClient], office: Office, tmp_path: Path, url: str
) -> None:
    for fmt in ("csv", "xlsx"):
        response = clients["director"].get(f"{url}&format={fmt}")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.headers["Cache-Control"] == "no-store"
        written = _cli(office, SAME_AS_CLI[url], tmp_path / f"cli.{fmt}", fmt)
        if fmt == "csv":
            assert response.data == written
        else:
            assert _xlsx_values(response.data) == _xlsx_values(written)
    download = journal_entries(office, "web download")[-1]["details"]
    assert isinstance(download, dict) and download["user"] == "director1"


def test_a_supervisors_reports_are_their_units(
    clients: dict[str, FlaskClient], office: Office
) -> None:
    response = clients["supervisor"].get(f"/reports/missing/download?format=csv&as_of={AS_OF}")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    unit = header.index("Unit/account")
    assert body and {row[unit].split()[0] for row in body} == {SUPERVISED_UNIT}
    evidence = clients["supervisor"].get("/reports/evidence?period=2026-10").get_data(as_text=True)
    assert OTHER_UNIT not in evidence.split('id="report"')[1]
    whole = clients["auditor"].get(f"/reports/missing?as_of={AS_OF}").get_data(as_text=True)
    assert OTHER_UNIT in whole


def test_the_reports_list_shows_what_the_role_may_open(clients: dict[str, FlaskClient]) -> None:
    supervisor = clients["supervisor"].get("/reports/").get_data(as_text=True)
    assert 'href="/reports/missing"' in supervisor
    assert 'href="/reports/retention"' not in supervisor
    archivist = clients["archivist"].get("/reports/").get_data(as_text=True)
    assert 'href="/reports/fixity"' in archivist and 'href="/reports/evidence"' not in archivist


def test_the_query_logs_per_month_and_unit_with_masked_anomalies(
    clients: dict[str, FlaskClient],
) -> None:
    import re

    page = clients["auditor"].get("/queries?month=2026-10").get_data(as_text=True)
    table = page.split('id="per-month"')[1].split("</table>")[0]
    assert "2026-10" in table and SUPERVISED_UNIT in table and "2026-09" not in table
    anomalies = page.split('id="anomalies"')[1].split("</table>")[0]
    assert "<td>" in anomalies
    assert not re.search(r"[A-Z][12]\d{8}", page), "an unmasked national ID on the page"
    own = clients["supervisor"].get("/queries").get_data(as_text=True)
    assert OTHER_UNIT not in own.split('id="per-month"')[1].split("</table>")[0]
    assert 'id="logs"' not in own  # the logs' list is office-wide


def test_the_samples_and_a_samples_cases(clients: dict[str, FlaskClient]) -> None:
    listed = clients["clerk"].get("/samples?period=2026-10").get_data(as_text=True)
    assert f"/samples/2026-10/{quote(SUPERVISED_UNIT)}" in listed and "not read back yet" in listed
    one = clients["supervisor"].get(f"/samples/2026-10/{SUPERVISED_UNIT}")
    assert one.status_code == 200
    assert 'id="cases"' in one.get_data(as_text=True)
    own = clients["supervisor"].get("/samples").get_data(as_text=True)
    assert f"/samples/2026-10/{quote(OTHER_UNIT)}" not in own and "2026-10" in own
    assert clients["clerk"].get("/samples/2026-10/no-such-unit").status_code == 404


def test_the_records_search(clients: dict[str, FlaskClient], office: Office) -> None:
    page = clients["archivist"].get("/records/?category=monthly_check&period=2026-10")
    text = page.get_data(as_text=True)
    assert "DG-4M-202610-" in text and "record(s) found" in text
    by_unit = clients["archivist"].get(f"/records/?unit={OTHER_UNIT}").get_data(as_text=True)
    assert OTHER_UNIT in by_unit and f"<td>{SUPERVISED_UNIT}</td>" not in by_unit
    with office.db.session() as session:
        some = session.query(Record).filter(Record.unit == SUPERVISED_UNIT).first()
        assert some is not None
        record_id = some.record_id
    found = clients["archivist"].get(f"/records/?record_id={record_id[:14]}&status=filed")
    assert record_id in found.get_data(as_text=True)
    none = clients["archivist"].get("/records/?record_id=%25").get_data(as_text=True)
    assert "0 record(s) found" in none  # a LIKE wildcard is a character here
    detail = clients["archivist"].get(f"/records/{record_id}").get_data(as_text=True)
    assert 'id="files"' in detail and "/files/" in detail
    assert "/files/" not in clients["admin"].get(f"/records/{record_id}").get_data(as_text=True)
    own = clients["supervisor"].get("/records/").get_data(as_text=True)
    assert f"<td>{OTHER_UNIT}</td>" not in own


def test_a_records_file_is_downloaded_as_filed(
    clients: dict[str, FlaskClient], office: Office
) -> None:
    url = record_file_url(office, SUPERVISED_UNIT)
    with office.db.session() as session:
        stored = session.get(File, int(url.rsplit("/", 1)[1]))
        assert stored is not None
        path = office.workspace.archive_root / stored.path
    response = clients["supervisor"].get(url)
    assert response.status_code == 200 and response.data == path.read_bytes()
    assert "attachment" in response.headers["Content-Disposition"]
    details = journal_entries(office, "web download")[-1]["details"]
    assert isinstance(details, dict) and details["page"] == "record-file"
    assert details["record_id"] == url.split("/")[2] and details["user"] == "super1"


@pytest.mark.parametrize("where", ["../docgen.toml", "/etc/passwd", "records/link/secret.txt"])
def test_a_file_outside_the_archive_root_is_never_served(
    clients: dict[str, FlaskClient], office: Office, where: str
) -> None:
    root = office.workspace.archive_root
    (root / "records" / "link").parent.mkdir(parents=True, exist_ok=True)
    if not (root / "records" / "link").exists():
        os.symlink(office.workspace.root / ".docgen", root / "records" / "link")
        (office.workspace.root / ".docgen" / "secret.txt").write_text(SECRET, encoding="utf-8")
    url = record_file_url(office, SUPERVISED_UNIT)
    record_id = url.split("/")[2]
    with office.db.session() as session:
        row = File(record_id=record_id, path=where, sha256="0" * 64, size=1, mtime_ns=0, inode=0)
        session.add(row)
        session.flush()
        file_id = row.id
    try:
        response = clients["archivist"].get(f"/records/{record_id}/files/{file_id}")
        assert response.status_code == 404
        assert SECRET.encode() not in response.data and b"root:" not in response.data
        assert str(office.workspace.root).encode() not in response.data
    finally:
        with office.db.session() as session:
            session.delete(session.get(File, file_id))


@pytest.mark.parametrize(
    "url",
    [
        "/reports/missing?as_of=not-a-date",
        "/reports/evidence?period=2026-13",
        "/records/?status=everything",
        "/records/?period=%00",
        "/queries?month=2026-H1",
        "/samples?period=x" + "9" * 500,
    ],
)
def test_hostile_query_strings_are_refused_plainly(
    clients: dict[str, FlaskClient], url: str
) -> None:
    response = clients["auditor"].get(url)
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
