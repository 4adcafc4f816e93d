"""No masking setting may expose more of a national ID than the rule allows (R8;
ISSUE 9 item 14): the first six characters at most, and a mask that is not a digit."""

from __future__ import annotations

from pathlib import Path

import pytest

from docgen.config import load_config
from docgen.errors import ConfigError
from docgen.privacy import MaskingPolicy, is_valid_national_id, mask_id


@pytest.mark.parametrize("keep", [7, 9, 10, -1])
def test_config_refuses_a_policy_that_exposes_the_id(tmp_path: Path, keep: int) -> None:
    (tmp_path / "docgen.toml").write_text(f"[masking]\nid_keep = {keep}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"masking\.id_keep"):
        load_config(tmp_path, environ={})


def test_environment_cannot_widen_it_either(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"masking\.id_keep"):
        load_config(tmp_path, environ={"DOCGEN_MASKING_ID_KEEP": "9"})


@pytest.mark.parametrize("char", ["0", "7", " "])
def test_a_digit_or_space_mask_is_refused(tmp_path: Path, char: str) -> None:
    (tmp_path / "docgen.toml").write_text(f'[masking]\nid_mask_char = "{char}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="id_mask_char"):
        load_config(tmp_path, environ={})


def test_keeping_nine_would_give_the_id_back_through_its_check_digit() -> None:
    """Why the bound is six: with nine kept, the check digit names the tenth."""
    full = "A123456789"
    assert is_valid_national_id(full)
    nine = full[:9]
    candidates = [nine + d for d in "0123456789" if is_valid_national_id(nine + d)]
    assert candidates == [full]
    with pytest.raises(ValueError):
        MaskingPolicy(id_keep=9)
    assert mask_id(full, MaskingPolicy(id_keep=6)) == "A12345****"
