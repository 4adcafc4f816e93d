"""Hostile templates (ISSUE 9 items 1 and 2): decompression bombs and templates that
include, import, call or loop without end are refused in one line, by ``forms fill``
and by ``forms check`` alike, naming the paragraph; what depends on the data is
bounded while rendering."""

from __future__ import annotations

import json
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgen.config import open_workspace
from docgen.errors import InputError
from docgen.forms import BatchOptions, fill_rows
from docgen.forms.check import check_template
from docgen.forms.compiled import CompiledTemplate
from docgen.forms.environment import make_environment
from docgen.forms.limits import RenderLimits
from docgen.forms.registry import FORMS
from tests.forms.hostile_builders import (
    PLEDGE,
    PLEDGE_FIELDS,
    bomb,
    one_line_error,
    pledge_data,
    run_cli,
    run_main,
    template,
)

#: The CLI tests name tmp_path / "ws" with -w: it must be a workspace (ISSUE 11 item 4).
pytestmark = pytest.mark.usefixtures("ws_workspace")

# --- ISSUE 9 item 1: decompression bombs ---------------------------------------------


@pytest.mark.parametrize("command", ["check", "fill"])
def test_a_bomb_template_is_refused_in_bounded_memory(tmp_path: Path, command: str) -> None:
    bombed = bomb(tmp_path / "official_3.docx", 1 << 30)
    assert bombed.stat().st_size < 4 << 20
    if command == "check":
        args = ["forms", "check", "3", str(bombed)]
    else:
        data = pledge_data(tmp_path / "pledge.json")
        args = ["forms", "fill", "3", str(data), "-d", "out", "--template", str(bombed)]
    code, _, err, seconds = run_cli(tmp_path, "-w", "ws", *args, memory=512 << 20)
    line = one_line_error(err)
    assert code == 3
    assert "official_3.docx" in line and "refused" in line and "word/document.xml" in line
    assert seconds < 60
    assert not (tmp_path / "out").exists()


def test_a_template_declaring_a_dtd_is_refused(tmp_path: Path) -> None:
    source = template(tmp_path / "plain.docx", PLEDGE_FIELDS)
    laughs = tmp_path / "laughs.docx"
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(laughs, "w") as out:
        for info in package.infolist():
            data = package.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">]>', 1)
            out.writestr(info, data)
    with pytest.raises(InputError, match=r"laughs\.docx: refused .*DTD"):
        check_template(FORMS["3"], laughs, make_environment())


# --- ISSUE 9 item 2: templates that load, call or loop without end -------------------

#: Each is refused by fill (one line, naming the template and the paragraph) and by check.
HOSTILE = [
    "{% include 'secret.docx' %}",
    "{% import 'macros.xml' as m %}",
    "{% from 'macros.xml' import field %}",
    "{% extends 'base.docx' %}",
    "{% for i in range(10**9) %}.{% endfor %}",
    "{{ unit|attr('__class__') }}",
    "{{ unit['__cla' ~ 'ss__'] }}",
    "{{ unit.upper() }}",
    "{{ cycler() }}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "{{ 'x' * 10**9 }}",
    "{{ '%999999999d' % 1 }}",
]


@pytest.mark.parametrize("snippet", HOSTILE)
def test_fill_and_check_refuse_hostile_templates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], snippet: str
) -> None:
    hostile = template(tmp_path / "official_3.docx", PLEDGE_FIELDS, "立切結書人", snippet)
    data = pledge_data(tmp_path / "pledge.json")
    fill = [
        "-w",
        str(tmp_path / "ws"),
        "forms",
        "fill",
        "3",
        str(data),
        "-d",
        str(tmp_path / "out"),
    ]
    code, _, err = run_main(capsys, *fill, "--template", str(hostile))
    line = one_line_error(err)
    assert code == 3
    assert "official_3.docx" in line and "paragraph 3" in line and snippet[:8] in line
    assert not (tmp_path / "out").exists()
    code, out, err = run_main(
        capsys, "-w", str(tmp_path / "ws"), "forms", "check", "3", str(hostile), "--format", "json"
    )
    assert code == 3
    errors = [row for row in json.loads(out)["rows"] if row["severity"] == "error"]
    assert errors and all("paragraph 3" in row["message"] for row in errors)
    assert {row["where"] for row in errors} == {"word/document.xml"}


BENIGN = [
    "{{ unit|upper }}",
    "{% for i in range(3) %}{{ loop.index }}{% endfor %}",
    "{{ date.year - 1911 }}",
    "{% set both = unit ~ title %}{{ both }}",
    "{{ [unit, title]|join('、') }}",
    "{{ name if unit else title }}",
    "{{ (unit ~ '-')|replace('-', '／') }}",
]
MORE_HOSTILE = [
    "{{ nmae }}",
    "{{ self }}",
    "{{ lipsum() }}",
    "{{ unit|format }}",
    "{{ unit|center(99) }}",
    "{{ [unit]|map('center', 9)|join }}",
    "{{ [unit]|sort(attribute=title)|join }}",
    "{{ unit.__class__ }}",
    "{{ 9**(9**9) }}",
    "{{ unit ",
]


def _fill_refuses(workspace: object, path: Path, out: Path) -> bool:
    try:
        options = BatchOptions(template=path, manifest=False)
        fill_rows(workspace, "3", None, [(1, PLEDGE)], out, options=options)  # type: ignore[arg-type]
    except InputError:
        return True
    return False


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.sampled_from(BENIGN + HOSTILE + MORE_HOSTILE), min_size=1, max_size=3))
def test_check_refuses_exactly_what_fill_refuses(tmp_path: Path, snippets: list[str]) -> None:
    case = Path(tempfile.mkdtemp(dir=tmp_path))
    path = template(case / "t.docx", PLEDGE_FIELDS, *snippets)
    workspace = open_workspace(case / "ws", environ={})
    issues, _ = check_template(FORMS["3"], path, make_environment())
    refused_by_check = any(issue.severity == "error" for issue in issues)
    assert refused_by_check == _fill_refuses(workspace, path, case / "out"), (snippets, issues)
    assert refused_by_check == any(s not in BENIGN for s in snippets)


CASE_CHECK = (
    "{{ period }} {{ unit }} {{ population }} {{ sample_size }} {{ rule }} {{ seed }} "
    "{{ algorithm }} {{ population_sha256 }} {{ record_id }}"
)


def _case_check(example_dir: Path, **changes: object) -> dict[str, object]:
    import yaml

    data = yaml.safe_load((example_dir / "附件4_月抽查.yaml").read_text(encoding="utf-8"))
    return {**data, **changes}


@pytest.mark.parametrize(
    "loop, found",
    [
        ("{% for i in range(population) %}.{% endfor %}", "range() of 1,000,000,000 numbers"),
        (
            "{% for i in range(5000) %}{% for j in range(5000) %}.{% endfor %}{% endfor %}",
            "loops ran more than 100,000 times",
        ),
    ],
)
def test_loops_are_bounded_at_render_time(
    forms_workspace, tmp_path: Path, example_dir: Path, loop: str, found: str
) -> None:
    path = template(tmp_path / "t.docx", CASE_CHECK, loop)
    data = _case_check(example_dir, population=10**9)
    options = BatchOptions(template=path)
    started = time.monotonic()
    with pytest.raises(InputError, match=r"t\.docx \(word/document\.xml\): refused") as caught:
        fill_rows(forms_workspace, "4", "monthly", [(1, data)], tmp_path / "out", options=options)
    assert found in str(caught.value)
    assert time.monotonic() - started < 20
    assert not (tmp_path / "out").exists()


def test_output_and_text_are_bounded_at_render_time(tmp_path: Path) -> None:
    limits = RenderLimits(output_chars=200_000, chars=100_000)
    env = make_environment(limits=limits)
    big = template(tmp_path / "big.docx", "{% for i in range(9000) %}{{ unit }}{% endfor %}")
    with pytest.raises(InputError, match="output is larger than 200,000 characters"):
        CompiledTemplate(big, env).render_parts({"unit": "企劃室" * 10})
    doubling = "{% set a = unit ~ unit %}{% set b = a ~ a %}{% set c = b ~ b %}{{ c ~ c }}"
    grows = template(tmp_path / "grows.docx", doubling)
    with pytest.raises(InputError, match="builds more than 100,000 characters"):
        CompiledTemplate(grows, env).render_parts({"unit": "x" * 10_000})
