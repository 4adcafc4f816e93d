"""Configuration: defaults → file → DOCGEN_* environment → flags; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from docgen.config import load_config, open_workspace
from docgen.errors import ConfigError

TOML = """
[office]
name = "臺北市市場處"
director = "處長甲"

[[units]]
name = "企劃室"
supervisor = "主任乙"

[sampling]
rounding = "half_up"

[paths]
archive = "/srv/archive"
"""


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = load_config(tmp_path, environ={})
    assert config.sampling.rounding == "ceil"
    assert config.columns.account == "查詢人員帳號"
    assert config.masking.id_keep == 6


def test_file_environment_and_flags_in_order(tmp_path: Path) -> None:
    (tmp_path / "docgen.toml").write_text(TOML, encoding="utf-8")
    config = load_config(tmp_path, environ={})
    assert config.office.director == "處長甲"
    assert config.unit("企劃室") is not None and config.unit("企劃室").supervisor == "主任乙"  # type: ignore[union-attr]
    assert config.sampling.rounding == "half_up"
    env = {"DOCGEN_SAMPLING_ROUNDING": "ceil", "DOCGEN_ARCHIVE_STABLE_SECONDS": "2.5"}
    config = load_config(tmp_path, environ=env)
    assert config.sampling.rounding == "ceil"
    assert config.archive.stable_seconds == 2.5
    config = load_config(tmp_path, environ=env, flags={"sampling": {"rounding": "half_up"}})
    assert config.sampling.rounding == "half_up"


def test_workspace_paths(tmp_path: Path) -> None:
    (tmp_path / "docgen.toml").write_text(TOML, encoding="utf-8")
    ws = open_workspace(tmp_path, environ={})
    assert ws.archive_root == Path("/srv/archive")
    assert ws.data_dir == tmp_path.resolve() / "data"
    assert ws.index_path == tmp_path.resolve() / ".docgen" / "index.sqlite"
    assert ws.journal_path.name == "journal.jsonl"


def test_unknown_key_names_key_and_file(tmp_path: Path) -> None:
    (tmp_path / "docgen.toml").write_text('[office]\nnmae = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, environ={})
    assert "office.nmae: unknown key" in str(caught.value)
    assert str(tmp_path / "docgen.toml") in str(caught.value)


def test_wrong_type_names_key(tmp_path: Path) -> None:
    (tmp_path / "docgen.toml").write_text('[archive]\nstable_seconds = "soon"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"archive\.stable_seconds"):
        load_config(tmp_path, environ={})


def test_bad_rounding_choice(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"sampling\.rounding"):
        load_config(tmp_path, environ={"DOCGEN_SAMPLING_ROUNDING": "floor"})


def test_unknown_environment_section(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DOCGEN_COLOUR"):
        load_config(tmp_path, environ={"DOCGEN_COLOUR": "blue"})


def test_not_toml(tmp_path: Path) -> None:
    (tmp_path / "docgen.toml").write_text("[office\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path, environ={})


def test_duplicate_units_refused(tmp_path: Path) -> None:
    text = '[[units]]\nname = "企劃室"\n[[units]]\nname = "企劃室"\n'
    (tmp_path / "docgen.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="unit listed twice: 企劃室"):
        load_config(tmp_path, environ={})
