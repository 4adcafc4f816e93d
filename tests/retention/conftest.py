"""A small synthetic office with a real archive, filed through ARCH's ingest:
real PDFs carrying docgen XMP metadata, dropped in the inbox, scanned into a real
SQLite index. As of 2026-11-30 (the example office's review date)."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pikepdf
import pytest

from docgen.archive.context import open_archive
from docgen.archive.reconcile import scan
from docgen.config import Workspace, open_workspace
from docgen.metadata import RecordMetadata, write_pdf_metadata
from docgen.privacy import is_valid_national_id
from docgen.records.workspace import init_workspace
from docgen.rules.record_id import make_record_id
from tests.archive.dbrows import database_section, engine_url

AS_OF = date(2026, 11, 30)
REGISTRY_HEADER = [
    "帳號",
    "姓名",
    "身分證統一編號",
    "單位",
    "職稱",
    "角色",
    "狀態",
    "開通日期",
    "最後使用日期",
    "停用日期",
    "註銷日期",
    "離職或調職日期",
    "註銷申請日期",
    "權限申請表日期",
    "保密切結書日期",
    "電話",
    "電子郵件",
]


def synthetic_id(seed: int) -> str:
    """A made-up national ID with a valid check digit."""
    rng = random.Random(seed)
    while True:
        candidate = "A" + rng.choice("12") + "".join(rng.choice("0123456789") for _ in range(8))
        if is_valid_national_id(candidate):
            return candidate


#: account, role, status, unit, opened, cancelled_on
ACCOUNTS = [
    ("plan01", "一般使用者", "啟用", "企劃室", "2024-01-02", ""),
    ("plan02", "一般使用者", "啟用", "企劃室", "2025-03-03", ""),  # 附件2 late
    ("sec01", "一般使用者", "啟用", "秘書室", "2024-06-03", ""),  # 附件3 missing
    ("aud01", "稽核人員", "啟用", "企劃室", "2024-01-15", ""),  # 附件2 only: complete
    ("old01", "一般使用者", "註銷", "秘書室", "2016-05-02", "2020-02-29"),  # past retention
    ("gone01", "一般使用者", "註銷", "企劃室", "2019-05-02", "2024-02-29"),  # retained
    ("mgr01", "管理者", "啟用", "企劃室", "2020-01-02", ""),  # needs no papers
]


def write_registry(path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REGISTRY_HEADER)
        for number, (account, role, status, unit, opened, cancelled) in enumerate(ACCOUNTS):
            suspended = cancelled if cancelled else ""
            writer.writerow(
                [
                    account,
                    "王小明",
                    synthetic_id(number),
                    unit,
                    "科員",
                    role,
                    status,
                    opened,
                    "2026-11-01" if not cancelled else "",
                    suspended,
                    cancelled,
                    cancelled,
                    cancelled,
                    opened,
                    opened,
                    "02-2720-0000",
                    f"{account}@example.gov.tw",
                ]
            )


def write_queries(path: Path, days: tuple[tuple[str, str], ...]) -> None:
    """Queries on ``days`` (ISO date, account): each unit owes that month's 附件4."""
    header = [
        "查詢日期時間",
        "查詢人員帳號",
        "被查詢人身分證統一編號",
        "被查詢人姓名",
        "查詢項目",
        "公文文號",
        "案號",
        "案件名稱",
        "使用目的",
        "法令依據",
    ]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for number, (day, account) in enumerate(days):
            writer.writerow(
                [
                    f"{day} 09:00:00",
                    account,
                    synthetic_id(100 + number),
                    "林小華",
                    "戶籍資料",
                    "北市市企字第1150000001號",
                    "",
                    "",
                    "",
                    "",
                ]
            )


def account_paper(form: int, account: str, signed: str) -> RecordMetadata:
    rid = str(make_record_id(form, "", signed.replace("-", ""), account))
    category = "account_application" if form == 2 else "confidentiality_pledge"
    return RecordMetadata(record_id=rid, form=str(form), category=category, subject=account)


def audit_record(
    form: int, variant: str, period: str, unit: str, review: str = ""
) -> RecordMetadata:
    code = period.replace("-", "")
    rid = str(make_record_id(form, variant, code, unit))
    category = "monthly_check" if variant == "monthly" else "half_year_audit"
    return RecordMetadata(
        record_id=rid,
        form=str(form),
        variant=variant,
        period=period,
        unit=unit,
        category=category,
        review_date=review,
    )


def package(period: str) -> RecordMetadata:
    """A colour-scan package of a half-year (no form of its own, so no record ID of its
    own either: the archive gives it an ``F-`` content ID, as for a built package)."""
    return RecordMetadata(
        record_id="",
        category="half_year_audit",
        period=period,
        unit="全處",
        review_date="2026-08-25",
        title=f"{period} 稽核結果彩色掃描封裝檔",
    )


def other_form(form: int, day: str) -> RecordMetadata:
    rid = str(make_record_id(form, "", day.replace("-", ""), "office"))
    category = {1: "security_agreement", 6: "external_audit"}[form]
    return RecordMetadata(record_id=rid, form=str(form), category=category)


def standard_records() -> dict[str, RecordMetadata]:
    return {
        "plan01_app": account_paper(2, "plan01", "2023-12-20"),
        "plan01_pledge": account_paper(3, "plan01", "2023-12-20"),
        "plan02_app": account_paper(2, "plan02", "2025-03-10"),  # after opening: late
        "plan02_pledge": account_paper(3, "plan02", "2025-02-20"),
        "sec01_app": account_paper(2, "sec01", "2024-05-20"),
        "aud01_app": account_paper(2, "aud01", "2024-01-10"),
        "old01_app": account_paper(2, "old01", "2016-04-20"),
        "gone01_app": account_paper(2, "gone01", "2019-04-20"),
        "check_2023_10": audit_record(4, "monthly", "2023-10", "企劃室", review="2023-11-20"),
        "check_2023_11": audit_record(4, "monthly", "2023-11", "企劃室"),
        "check_2026_09": audit_record(4, "monthly", "2026-09", "企劃室", review="2026-11-05"),
        "half_2026_H1": audit_record(4, "half", "2026-H1", "全處", review="2026-08-20"),
        "audit_2026_H1": audit_record(5, "", "2026-H1", "全處", review="2026-08-20"),
        "package_2026_H1": package("2026-H1"),
        "agreement": other_form(1, "2021-10-01"),
        "external": other_form(6, "2025-06-30"),
    }


def make_pdf(target: Path, meta: RecordMetadata) -> None:
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(595, 842))
        write_pdf_metadata(pdf, meta)
        pdf.save(target)


def file_into_archive(workspace: Workspace, records: list[RecordMetadata]) -> None:
    """Drop each record as a PDF in the inbox and let ARCH's scan file it."""
    inbox = workspace.archive_root / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for number, meta in enumerate(records):
        make_pdf(inbox / f"{meta.record_id or f'package-{number}-{meta.period}'}.pdf", meta)
    with open_archive(workspace, use_qr=False) as ctx:
        result = scan(ctx, max_wait=0)
    assert not result.failed and not result.waiting
    assert len(result.filed) == len(records)


@dataclass
class Office:
    workspace: Workspace
    records: dict[str, RecordMetadata]
    #: The registry file, imported into the office database (``accounts import``).
    registry: Path

    #: Helpers for tests that file more records (conftest is not importable).
    audit_record = staticmethod(audit_record)
    account_paper = staticmethod(account_paper)
    make_pdf = staticmethod(make_pdf)

    def file(self, *records: RecordMetadata) -> None:
        file_into_archive(self.workspace, list(records))

    def import_registry(self) -> None:
        """Import :attr:`registry` (as edited), dropping the accounts it no longer lists."""
        from docgen.db import open_database
        from docgen.services.accounts import import_registry

        with open_database(self.workspace) as db:
            import_registry(self.workspace, db, self.registry, remove=True, actor="tester")

    def take_in_queries(self) -> None:
        """Take the query logs of ``data/queries/`` into the office database."""
        from docgen.db import open_database
        from docgen.services.queries import take_in_folder

        with open_database(self.workspace) as db:
            take_in_folder(self.workspace, db, actor="tester")

    def rid(self, key: str) -> str:
        return self.records[key].record_id

    def path_of(self, key: str) -> Path:
        from docgen.archive.db import files_of, open_index

        with open_index(self.workspace) as index, index.session() as session:
            [file] = files_of(session, self.rid(key))
            return self.workspace.archive_root / file.path


@pytest.fixture
def engine() -> str:
    """The office database's engine: SQLite, unless a test is marked
    :data:`~tests.archive.dbrows.ON_BOTH_ENGINES`."""
    return "sqlite"


@pytest.fixture
def office(tmp_path: Path, request: pytest.FixtureRequest, engine: str) -> Office:
    root = tmp_path / "office"
    init_workspace(root)
    config = root / "docgen.toml"
    url = engine_url(request, engine)
    config.write_text(
        '[office]\nname = "臺北市市場處"\n\n[[units]]\nname = "企劃室"\n\n[[units]]\nname = "秘書室"\n\n'
        "[archive]\nstable_seconds = 0\n" + (database_section(url) if url else ""),
        encoding="utf-8",
    )
    workspace = open_workspace(root, environ={})
    registry = tmp_path / "registry" / "accounts.csv"
    registry.parent.mkdir()
    write_registry(registry)
    (workspace.data_dir / "queries").mkdir(parents=True, exist_ok=True)
    queries = workspace.data_dir / "queries"
    write_queries(queries / "2026-06.csv", (("2026-06-10", "plan01"),))
    write_queries(
        queries / "2026-09.csv",
        (("2026-09-03", "plan01"), ("2026-09-04", "sec01"), ("2026-09-07", "plan01")),
    )
    records = standard_records()
    file_into_archive(workspace, list(records.values()))
    office = Office(workspace, records, registry)
    office.import_registry()
    office.take_in_queries()
    return office
