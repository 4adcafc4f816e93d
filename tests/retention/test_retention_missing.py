"""The missing report and the obligations calendar over an archive filed by ingest."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest

from docgen.archive.missing import (
    AWAITING_REVIEW,
    DONE,
    GONE,
    LATE,
    MISSING,
    PENDING,
)
from docgen.archive.reports import build_report
from docgen.cli.main import main
from docgen.errors import ExitCode
from docgen.metadata import RecordMetadata
from docgen.privacy import find_unmasked_ids

AS_OF = date(2026, 11, 30)


def outcomes(office: Any, calendar: bool = True) -> dict[tuple[str, str, str], str]:
    report = build_report(office.workspace, "missing", AS_OF, calendar=calendar)
    return {(row["unit"], row["period"], row["required"]): row["status"] for row in report.rows}


def test_account_papers(office: Any) -> None:
    found = outcomes(office)
    assert found[("秘書室 sec01", "", "附件3 confidentiality pledge")] == MISSING
    assert found[("秘書室 sec01", "", "附件2 access application form")] == DONE
    assert (
        found[("企劃室 plan02", "", "附件2 access application form")] == LATE
    )  # signed after opening
    assert found[("企劃室 plan01", "", "附件3 confidentiality pledge")] == DONE
    assert found[("企劃室 aud01", "", "附件2 access application form")] == DONE
    assert (
        "企劃室 aud01",
        "",
        "附件3 confidentiality pledge",
    ) not in found  # auditors file 附件2 only
    assert not [key for key in found if "mgr01" in key[0]]  # administrators file none
    assert not [key for key in found if "old01" in key[0]]  # past retention: not required
    assert (
        found[("企劃室 gone01", "", "附件3 confidentiality pledge")] == MISSING
    )  # cancelled, still kept


def test_monthly_checks_for_months_with_queries(office: Any) -> None:
    found = outcomes(office)
    assert (
        found[("企劃室", "2026-09", "附件4 monthly spot check")] == LATE
    )  # reviewed 11-05, due 10-31
    assert found[("秘書室", "2026-09", "附件4 monthly spot check")] == MISSING
    assert found[("企劃室", "2026-06", "附件4 monthly spot check")] == MISSING
    assert ("秘書室", "2026-06", "附件4 monthly spot check") not in found  # no queries that month


def test_half_year_records_and_pending_obligations(office: Any) -> None:
    found = outcomes(office)
    assert found[("全處", "2026-H1", "附件4 half-year sample")] == DONE
    assert found[("全處", "2026-H1", "附件5 audit record")] == DONE
    assert found[("全處", "2026-H1", "colour-scan package")] == DONE
    assert found[("全處", "2026-H2", "附件5 audit record")] == PENDING  # due 2027-03-10
    without_calendar = outcomes(office, calendar=False)
    assert set(without_calendar.values()) <= {MISSING, LATE, GONE}
    assert ("全處", "2026-H2", "附件5 audit record") not in without_calendar


def test_a_filed_file_deleted_is_reported_gone(office: Any) -> None:
    office.path_of("check_2023_11").unlink()
    report = build_report(office.workspace, "missing", AS_OF)
    gone = [row for row in report.rows if row["status"] == GONE]
    assert [row["record_id"] for row in gone] == [office.rid("check_2023_11")]
    assert gone[0]["path"].endswith(f"{office.rid('check_2023_11')}.pdf")


def test_a_record_filed_later_fulfils_its_obligation(office: Any) -> None:
    office.file(office.audit_record(4, "monthly", "2026-09", "秘書室", "2026-10-20"))
    assert outcomes(office)[("秘書室", "2026-09", "附件4 monthly spot check")] == DONE


def test_an_unreviewed_form_awaits_review_until_its_package_is_reviewed(office: Any) -> None:
    draft = office.audit_record(4, "monthly", "2026-09", "秘書室")  # from audit sample
    office.file(draft)
    report = build_report(office.workspace, "missing", AS_OF)
    [row] = [r for r in report.rows if (r["unit"], r["period"]) == ("秘書室", "2026-09")]
    assert row["status"] == AWAITING_REVIEW
    assert row["done"] == ""
    assert row["record_id"] == draft.record_id
    scan_package = RecordMetadata(
        record_id="",  # a package has no record ID of its own: the archive gives it one
        category="monthly_check",
        period="2026-09",
        unit="秘書室",
        review_date="2026-10-18",
        record_ids=[draft.record_id],
    )
    office.file(scan_package)
    assert outcomes(office)[("秘書室", "2026-09", "附件4 monthly spot check")] == DONE


def test_cli_calendar_csv(office: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """The whole report is printed, then the exit code says something is missing
    (ISSUE 9 item 5: 6, as ``evidence check``)."""
    args = ["-w", str(office.workspace.root), "archive", "report", "missing"]
    with pytest.raises(SystemExit) as done:
        main([*args, "--as-of", "2026-11-30", "--calendar", "--format", "csv"])
    assert done.value.code == ExitCode.INCOMPLETE
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert {"done", "done late", "missing", "not yet due"} <= {row["Status"] for row in rows}
    assert rows[0]["Status"] == "missing"
    assert len(rows) == len(build_report(office.workspace, "missing", AS_OF, calendar=True).rows)
    # (the sixth: the 函 sending 2026-H1's results to 民政局, R6.4, ISSUE 14)
    assert captured.err.startswith("Error: the missing report found 6 problem(s) (6 missing)")
    assert find_unmasked_ids(captured.out + captured.err) == []
