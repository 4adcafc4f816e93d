"""The two name-mask styles (ISSUE 11 item 8): today's 王○明 ("middle", the default)
and Taipei City's 王○○ ("surname": only the surname's first character kept, from the
臺北市政府個人資料遮罩作業SOP), chosen with ``[masking] name_style``; the setting
reaches the masking done outside the forms too (the audit sample's 被查詢人)."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.audit.outputs import ANOMALY_COLUMNS
from docgen.cli.main import cli
from docgen.config import Masking, load_config
from docgen.errors import ConfigError
from docgen.privacy import NAME_STYLES, MaskingPolicy, mask_name
from docgen.records.workspace import render_config

SURNAME = MaskingPolicy(name_style="surname")


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("王小明", "王○○"),
        ("王明", "王○"),
        ("歐陽娜娜", "歐○○○"),
        ("王", "○"),
        ("", ""),
        (" 林美華 ", "林○○"),
        ("John Smith", "J" + "○" * 9),
        ("王○○", "王○○"),
        ("王○明", "王○○"),  # a name masked in the middle style, masked again
    ],
)
def test_surname_style_keeps_only_the_first_character(value: str, masked: str) -> None:
    assert mask_name(value, SURNAME) == masked
    assert mask_name(masked, SURNAME) == masked  # idempotent


@pytest.mark.parametrize(
    ("value", "masked"),
    [("王小明", "王○明"), ("王明", "王○"), ("歐陽娜娜", "歐○○娜"), ("王", "○")],
)
def test_middle_style_is_the_default_and_unchanged(value: str, masked: str) -> None:
    assert mask_name(value) == masked
    assert mask_name(value, MaskingPolicy(name_style="middle")) == masked


def test_the_style_uses_the_policys_mask_character() -> None:
    policy = MaskingPolicy(name_mask_char="*", name_style="surname")
    assert mask_name("王小明", policy) == "王**"


def test_an_unknown_style_is_refused() -> None:
    assert NAME_STYLES == ("middle", "surname")
    with pytest.raises(ValueError, match="name_style"):
        MaskingPolicy(name_style="none")  # type: ignore[arg-type]


def test_the_style_and_the_signer_id_setting_come_from_docgen_toml(tmp_path: Path) -> None:
    (tmp_path / "docgen.toml").write_text(
        '[masking]\nname_style = "surname"\nprint_signer_id = true\n', encoding="utf-8"
    )
    policy = load_config(tmp_path, environ={}).masking.policy()
    assert (policy.name_style, policy.print_signer_id) == ("surname", True)
    assert mask_name("王小明", policy) == "王○○"
    default = load_config(tmp_path / "none", environ={}).masking.policy()
    assert (default.name_style, default.print_signer_id) == ("middle", False)


def test_the_environment_sets_them_too(tmp_path: Path) -> None:
    environ = {"DOCGEN_MASKING_NAME_STYLE": "surname", "DOCGEN_MASKING_PRINT_SIGNER_ID": "true"}
    policy = load_config(tmp_path, environ=environ).masking.policy()
    assert (policy.name_style, policy.print_signer_id) == ("surname", True)


@pytest.mark.parametrize(
    ("line", "key"),
    [('name_style = "initials"', "name_style"), ('print_signer_id = "maybe"', "print_signer_id")],
)
def test_a_wrong_value_names_the_key(tmp_path: Path, line: str, key: str) -> None:
    (tmp_path / "docgen.toml").write_text(f"[masking]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"masking\.{key}"):
        load_config(tmp_path, environ={})


def test_the_workspace_template_offers_both_settings_at_their_defaults() -> None:
    text = render_config({"name": "臺北市市場處"}, [{"name": "企劃室", "supervisor": ""}])
    masking = tomllib.loads(text)["masking"]
    assert masking["name_style"] == Masking().name_style == "middle"
    assert masking["print_signer_id"] is Masking().print_signer_id is False
    assert "王○○" in text and "王○明" in text


def test_the_audit_sample_masks_the_queried_in_the_surname_style(tmp_path: Path) -> None:
    """The style reaches the masking the audit code does (docgen.audit.drawing): the
    anomaly list's 被查詢人 and 查詢人員 of the example office, all 王○○."""
    runner = CliRunner()
    ws = tmp_path / "office"
    assert runner.invoke(cli, ["init", str(ws), "--example"]).exit_code == 0
    config = ws / "docgen.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('name_style = "middle"', 'name_style = "surname"'))
    out = tmp_path / "audit"
    result = runner.invoke(
        cli, ["-w", str(ws), "audit", "sample", "--month", "2026-10", "-d", str(out)]
    )
    assert result.exit_code == 0, result.output
    names = []
    for path in out.glob("異常清單_*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            names += [
                (row[ANOMALY_COLUMNS["subject_name"]], row[ANOMALY_COLUMNS["user_name"]])
                for row in csv.DictReader(handle)
            ]
    subjects = [subject for subject, _ in names if subject]
    assert any(len(subject) >= 3 for subject in subjects)  # where the styles differ
    for name in [n for pair in names for n in pair if n and not n.startswith("（")]:
        assert name[1:] == "○" * (len(name) - 1), name
