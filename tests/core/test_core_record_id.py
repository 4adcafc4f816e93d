"""Record IDs carry form, variant and period, so a scan classifies itself."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docgen.rules.record_id import (
    exact_record_id,
    is_content_id,
    make_record_id,
    parse_record_id,
)


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


# --- exactly a record ID: what a file claims (ISSUE 9 item 1) ---------------------

_ID_TEXT = st.from_regex(r"DG-[1-6][MH]?-(\d{6}|\d{4}H[12]|\d{8})-[0-9A-F]{8}", fullmatch=True)


@given(_ID_TEXT)
def test_an_exact_record_id_is_itself_and_names_a_category(text: str) -> None:
    record = exact_record_id(text)
    if record is not None:
        assert str(record) == text
        assert record.category  # a form and variant that exist


@given(st.text(), _ID_TEXT)
def test_nothing_around_an_id_is_accepted(noise: str, text: str) -> None:
    for claim in (noise + text, text + noise, f"../{text}", f"/{text}"):
        if claim != text:
            assert exact_record_id(claim) is None
    assert not is_content_id("../" + "F-" + "0" * 16)


@pytest.mark.parametrize(
    "text",
    [
        "DG-4M-202613-1A2B3C4D",  # no 13th month
        "DG-2-20260230-1A2B3C4D",  # no 30 February
        "DG-4-202610-1A2B3C4D",  # 附件4 has a variant
        "DG-5M-202610-1A2B3C4D",  # 附件5 has none
        "dg-4m-202610-1a2b3c4d",  # not as docgen writes it
        "DG-4M-０２６１０-1A2B3C4D",
    ],
)
def test_impossible_or_altered_ids_are_not_record_ids(text: str) -> None:
    assert exact_record_id(text) is None


def test_content_ids() -> None:
    assert is_content_id("F-0123456789ABCDEF") and is_content_id("U-0123456789ABCDEF")
    assert not is_content_id("U-0123456789ABCDEF", unclassified=False)
    assert not is_content_id("F-0123456789abcdef")
