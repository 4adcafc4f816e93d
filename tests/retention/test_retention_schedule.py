"""The retention schedule file: shipped content and validation naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from docgen.archive.retention import load_schedule, packaged_schedule_path
from docgen.errors import ConfigError
from docgen.rules.retention import CATEGORIES, Term, Trigger

REPO = Path(__file__).resolve().parents[2]


def test_shipped_schedule_has_every_category_with_the_regulation() -> None:
    schedule = load_schedule(packaged_schedule_path())
    assert set(schedule.rules) == set(CATEGORIES)
    assert schedule.rule("account_application").term == Term(5)
    assert schedule.rule("account_application").trigger is Trigger.ACCOUNT_CANCELLATION
    assert schedule.rule("half_year_audit").rule_id == "R6.3–R6.4"
    assert schedule.rule("monthly_check").label_zh.startswith("案件抽查表")
    assert not schedule.rule("security_agreement").defined
    assert schedule.rule("no_such_thing").category == "other"


def test_repo_root_schedule_is_the_shipped_one() -> None:
    link = REPO / "retention" / "schedule.yaml"
    assert link.is_symlink()
    assert link.resolve() == packaged_schedule_path().resolve()


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = packaged_schedule_path().read_text(encoding="utf-8")
    assert old in text
    target = tmp_path / "schedule.yaml"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_shorter_period_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = _edited(tmp_path, "    period: 3年\n    rule: R6.2", "    period: 2年\n    rule: R6.2")
    with pytest.raises(ConfigError) as caught:
        load_schedule(path)
    line = _line_of(path, "period: 2年")
    assert str(caught.value).startswith(
        f"{path}, line {line}: monthly_check: period: 2年 is shorter"
    )


def test_longer_period_is_accepted(tmp_path: Path) -> None:
    path = _edited(
        tmp_path, "    period: 3年\n    rule: R6.2", "    period: 10 years\n    rule: R6.2"
    )
    assert load_schedule(path).rule("monthly_check").term == Term(10)


def test_unknown_category_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = _edited(tmp_path, "  other:", "  misc_papers:")
    with pytest.raises(
        ConfigError, match=rf"line {_line_of(path, 'misc_papers')}: unknown category 'misc_papers'"
    ):
        load_schedule(path)


def test_bad_period_text_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = _edited(tmp_path, "    period: 5年", "    period: five years")
    with pytest.raises(
        ConfigError,
        match=rf"line {_line_of(path, 'five years')}: account_application: period 'five years' is not a period",
    ):
        load_schedule(path)


def test_every_problem_is_listed(tmp_path: Path) -> None:
    path = _edited(tmp_path, "trigger: none", "trigger: sometimes")
    path.write_text(
        path.read_text(encoding="utf-8").replace("    period: 5年", "    period: 1年"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_schedule(path)
    message = str(caught.value)
    assert message.startswith("invalid retention schedule:")
    assert "trigger 'sometimes' is not one of" in message
    assert message.count("shorter than the regulation's minimum") == 2


def test_missing_regulated_category_and_bad_yaml(tmp_path: Path) -> None:
    text = packaged_schedule_path().read_text(encoding="utf-8")
    start = text.index("  monthly_check:")
    end = text.index("  half_year_audit:")
    target = tmp_path / "schedule.yaml"
    target.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(ConfigError, match="category monthly_check is missing"):
        load_schedule(target)
    target.write_text("categories:\n  other: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line \d+: not valid YAML"):
        load_schedule(target)
    target.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 1: .*empty"):
        load_schedule(target)
