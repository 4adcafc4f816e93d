"""The month's print pack (ISSUE 13 item 1): after two units of 2026-10 submit their
results, the 管理者 downloads one PDF with their completed 附件4 — converted by
LibreOffice, in unit order, a bookmark per unit — kept under
``out/audit/2026-10/列印/``; a unit not submitted is not in it; only the 管理者 and
the 處長 may download it; a month with nothing submitted is refused on the page."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pikepdf
import pytest
from flask.testing import FlaskClient

from docgen.audit.samples import list_samples, load_results
from docgen.forms.libreoffice import Converter
from docgen.services import spot_check
from tests.web.conftest import OTHER_UNIT, SUPERVISED_UNIT, Office, journal_entries

MONTH = "2026-10"
URL = f"/spot-check/{MONTH}/print-pack"
SUBMITTED = (SUPERVISED_UNIT, OTHER_UNIT)


@pytest.fixture(scope="module")
def submitted(office: Office) -> list[str]:
    """Two units' cases of 2026-10 marked and submitted; the units in unit order (as
    docgen.toml lists them)."""
    workspace, db = office.workspace, office.db
    for unit in SUBMITTED:
        sheet = spot_check.mark_sheet(db, MONTH, unit)
        for case in sheet.sample.cases:
            spot_check.mark_case(workspace, db, MONTH, unit, case.no, "是", "", actor="tests")
        spot_check.submit_marks(workspace, db, MONTH, unit, actor="tests")
    configured = [u.name for u in workspace.config.units]
    return sorted(SUBMITTED, key=configured.index)


def not_submitted(office: Office) -> list[str]:
    units = [s.unit for s in list_samples(office.workspace, MONTH, db=office.db)]
    return [u for u in units if load_results(office.workspace, MONTH, u, db=office.db) is None]


def form_pages(office: Office, units: list[str], folder: Path) -> dict[str, int]:
    """Each unit's completed 附件4 converted on its own: its page count."""
    forms = {}
    for unit in units:
        results = load_results(office.workspace, MONTH, unit, db=office.db)
        assert results is not None
        forms[unit] = office.workspace.root / results.documents["form"]
    with Converter() as converter:
        converted = converter.convert(list(forms.values()), folder)
    assert not converted.failed, converted.failed
    counts = {}
    for unit, docx in forms.items():
        with pikepdf.open(converted.written[docx]) as pdf:
            counts[unit] = len(pdf.pages)
    return counts


def first_page(pdf: pikepdf.Pdf, item: pikepdf.OutlineItem) -> int:
    """The index of the page a bookmark leads to."""
    destination = item.destination
    assert isinstance(destination, pikepdf.Array)
    return pdf.pages.index(pikepdf.Page(destination[0]))


def page_text(path: Path, page: int) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return done.stdout


def test_the_admin_downloads_the_months_print_pack(
    clients: dict[str, FlaskClient], office: Office, submitted: list[str], tmp_path: Path
) -> None:
    left_out = not_submitted(office)
    assert left_out, "the test office should have a unit of 2026-10 not submitted"
    page = clients["admin"].get(f"/spot-check?month={MONTH}").get_data(as_text=True)
    assert 'id="print-pack"' in page and URL in page
    assert all(unit in page.split('id="print-missing"')[1] for unit in left_out)

    response = clients["admin"].get(URL)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    download = tmp_path / "pack.pdf"
    download.write_bytes(response.data)

    kept = office.workspace.root / "out" / "audit" / MONTH / "列印" / f"列印_{MONTH}.pdf"
    assert kept.is_file() and kept.read_bytes() == response.data
    assert not [p for p in kept.parent.iterdir() if p != kept]  # no temporary file left

    record_ids = {}
    for unit in submitted:
        results = load_results(office.workspace, MONTH, unit, db=office.db)
        assert results is not None
        record_ids[unit] = results.documents["record_id"]
    counts = form_pages(office, submitted, tmp_path / "forms")
    with pikepdf.open(download) as pdf:
        assert len(pdf.pages) == sum(counts.values())
        with pdf.open_outline() as outline:
            items = list(outline.root)
            titles = [item.title for item in items]
            starts = [first_page(pdf, item) for item in items]
    assert titles == [f"{unit} 附件4 {record_ids[unit]}" for unit in submitted]
    assert starts == [0, counts[submitted[0]]]
    assert not any(unit in title for unit in left_out for title in titles)
    assert record_ids[submitted[0]] in page_text(download, 1)
    second = page_text(download, counts[submitted[0]] + 1)
    assert record_ids[submitted[1]] in second

    (entry,) = journal_entries(office, "spot-check print pack")[-1:]
    details = entry["details"]
    assert details["user"] == "admin1" and details["month"] == MONTH  # type: ignore[index]
    assert details["units"] == submitted  # type: ignore[index]
    assert details["record_ids"] == [record_ids[u] for u in submitted]  # type: ignore[index]
    assert set(details["missing"]) == set(left_out)  # type: ignore[index]
    assert details["sha256"] == hashlib.sha256(response.data).hexdigest()  # type: ignore[index]
    downloaded = journal_entries(office, "web download")[-1]["details"]
    assert downloaded["page"] == "spot-check-print"  # type: ignore[index]
    assert downloaded["sha256"] == details["sha256"]  # type: ignore[index]


def test_the_director_may_download_it_too(
    clients: dict[str, FlaskClient], submitted: list[str]
) -> None:
    response = clients["director"].get(URL)
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")
    assert 'id="print-pack"' in clients["director"].get(f"/spot-check?month={MONTH}").get_data(
        as_text=True
    )


@pytest.mark.parametrize("role", ["supervisor", "clerk", "auditor", "ethics", "archivist"])
def test_other_roles_are_refused(
    clients: dict[str, FlaskClient], office: Office, submitted: list[str], role: str
) -> None:
    before = len(journal_entries(office, "web refused"))
    assert clients[role].get(URL).status_code == 403
    refused = journal_entries(office, "web refused")[before:]
    assert [e["details"]["page"] for e in refused] == ["spot-check-print"]  # type: ignore[index]
    if role != "clerk":  # (a clerk may not open the spot-check page at all)
        page = clients[role].get(f"/spot-check?month={MONTH}").get_data(as_text=True)
        assert 'id="print-pack"' not in page


def test_a_month_with_nothing_submitted_is_refused_on_the_page(
    clients: dict[str, FlaskClient], office: Office
) -> None:
    before = len(journal_entries(office, "spot-check print pack"))
    response = clients["admin"].get("/spot-check/2026-09/print-pack")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/spot-check?month=2026-09")
    page = clients["admin"].get(response.headers["Location"]).get_data(as_text=True)
    assert (
        '<li class="problem">2026-09: no unit has submitted its results yet, so there is '
        "nothing to print</li>"
    ) in page
    assert not (office.workspace.root / "out" / "audit" / "2026-09" / "列印").exists()
    assert len(journal_entries(office, "spot-check print pack")) == before


@pytest.mark.parametrize("month", ["2026-H1", "2026-13", "x" * 30])
def test_a_month_that_is_no_month_is_a_bad_request(
    clients: dict[str, FlaskClient], month: str
) -> None:
    assert clients["admin"].get(f"/spot-check/{month}/print-pack").status_code == 400
