"""Masking follows RULES.md (Decisions: 國發會 rule) and the finder finds full IDs."""

from __future__ import annotations

import pytest

from docgen.privacy import (
    MaskingPolicy,
    find_unmasked_ids,
    is_valid_national_id,
    mask_id,
    mask_ids_in_text,
    mask_name,
)


@pytest.mark.parametrize(
    ("value", "masked"),
    [("A123456789", "A12345****"), ("F231234567", "F23123****"), ("A12345****", "A12345****")],
)
def test_mask_id_keeps_six_and_is_idempotent(value: str, masked: str) -> None:
    assert mask_id(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("王小明", "王○明"),
        ("王明", "王○"),
        ("歐陽娜娜", "歐○○娜"),
        ("王", "○"),
        ("王○明", "王○明"),
        ("", ""),
    ],
)
def test_mask_name(value: str, masked: str) -> None:
    assert mask_name(value) == masked


def test_policy_changes_characters() -> None:
    policy = MaskingPolicy(id_keep=3, id_mask_char="X", name_mask_char="*")
    assert mask_id("A123456789", policy) == "A12XXXXXXX"
    assert mask_name("王小明", policy) == "王*明"


def test_finder_finds_every_full_id_and_ignores_masked_ones() -> None:
    text = "查詢 A123456789，另 B287654321；已遮蔽 A12345****；長號 A1234567890 不算"
    assert find_unmasked_ids(text) == ["A123456789", "B287654321"]
    assert find_unmasked_ids(mask_ids_in_text(text)) == []


def test_resident_certificate_numbers_are_found() -> None:
    assert find_unmasked_ids("居留證 A800000014 與 AC01234567") == ["A800000014", "AC01234567"]


def test_check_digit() -> None:
    assert is_valid_national_id("A123456789")
    assert not is_valid_national_id("A123456788")
    assert not is_valid_national_id("A12345678")


def test_the_archives_content_record_ids_are_not_taken_for_ids() -> None:
    """A record without an ID of its own is ``U-``/``F-`` and 16 hex digits of its
    SHA-256, which can read as an ID (a CI run met ``U-F162386173…``): left as it is,
    while a real ID beside it, or after ``U-`` alone, is still masked."""
    from docgen.privacy import find_unmasked_ids, mask_ids_in_text

    text = "U-F162386173AB12CD、F-F162386173AB12CD，U-A123456789，Ｆ１６２３８６１７３"
    assert mask_ids_in_text(text) == (
        "U-F162386173AB12CD、F-F162386173AB12CD，U-A12345****，Ｆ１６２３８****"
    )
    assert find_unmasked_ids("records/unclassified/U-F162386173AB12CD.pdf") == []
    assert find_unmasked_ids("X-F162386173AB12CD") == ["F162386173"]
