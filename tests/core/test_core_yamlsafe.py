"""YAML aliases are refused: a billion laughs in a handful of bytes (ISSUE 9)."""

from __future__ import annotations

import pytest
import yaml

from docgen.yamlsafe import load_yaml

LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}]\n"
    for n in range(20)
)


def test_aliases_are_refused_with_where() -> None:
    with pytest.raises(yaml.YAMLError, match=r"aliases .* not accepted") as caught:
        load_yaml(LAUGHS)
    assert "line 2" in str(caught.value)


def test_plain_yaml_loads_as_safe_load_does() -> None:
    text = "records:\n  - 姓名: 王小明\n    日期: 2026-10-01\n    數量: 3\n"
    assert load_yaml(text) == yaml.safe_load(text)


def test_no_python_objects() -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml("!!python/object/apply:os.system ['true']")
