"""Record IDs carry form, variant and period, so a scan classifies itself."""

from __future__ import annotations

import pytest

from docgen.rules.record_id import make_record_id, parse_record_id


def test_same_identity_same_id_other_identity_other_id() -> None:
    a = make_record_id(4, "monthly", "202610", "企劃室", "hash1")
    assert a == make_record_id(4, "monthly", "202610", "企劃室", "hash1")
    assert a != make_record_id(4, "monthly", "202610", "管理科", "hash1")
    assert str(a).startswith("DG-4M-202610-")


@pytest.mark.parametrize(
    ("form", "variant", "period", "category"),
    [
        (4, "monthly", "202610", "monthly_check"),
        (4, "half", "2026H1", "half_year_audit"),
        (5, "", "2026H2", "half_year_audit"),
        (2, "", "20261127", "account_application"),
        (3, "", "20261127", "confidentiality_pledge"),
        (1, "", "20261127", "security_agreement"),
    ],
)
def test_round_trip_through_text(form: int, variant: str, period: str, category: str) -> None:
    record = make_record_id(form, variant, period, "x")
    parsed = parse_record_id(f"scanned: {str(record).lower()} ")
    assert parsed == record
    assert parsed.category == category


def test_nonsense_is_not_a_record_id() -> None:
    assert parse_record_id("DG-7X-2026-ZZ") is None
    with pytest.raises(ValueError):
        make_record_id(4, "weekly", "202610")
    with pytest.raises(ValueError):
        make_record_id(4, "monthly", "2026-10")
