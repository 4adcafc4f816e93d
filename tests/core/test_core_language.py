"""The office's language (ISSUE 11 item 1): Traditional Chinese by default, English
with ``--lang en``, ``DOCGEN_LANG=en`` or ``language = "en"`` in docgen.toml.

Each of a dozen commands, one or more per group, runs on the example office in both
languages. In Chinese none of docgen's English messages may show; in English none of
its Chinese translations may (the office's own data — unit names, the forms' Chinese
titles — shows in both)."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from docgen.cli.language import choose_language
from docgen.cli.main import cli, main
from docgen.errors import ConfigError
from docgen.i18n import catalog_path
from docgen.report import display_width

CJK = re.compile(r"[\u4e00-\u9fff]")
SENTENCE = re.compile("[，。：；「」]")
#: Commands per group, run in the example office; {queries} is its October log.
COMMANDS = [
    ["--help"],
    ["accounts", "--help"],
    ["accounts", "review", "--as-of", "2026-11-27"],
    ["accounts", "list"],
    ["queries", "check", "{queries}"],
    ["calendar", "--year", "2026"],
    ["forms", "list"],
    ["audit", "size", "--month", "2026-10", "--count", "250"],
    ["archive", "report", "missing", "--as-of", "2026-11-27"],
    ["archive", "report", "retention", "--as-of", "2026-11-27"],
    ["journal", "verify"],
    ["db", "check"],
    ["package", "inspect", "{missing}"],
    ["audit", "sample", "--month", "2026-13", "--queries", "{queries}"],
    ["calendar", "--no-such-option"],
]


def _messages() -> list[tuple[str, str]]:
    with catalog_path("zh_TW").open("rb") as source:
        catalog = read_po(source, locale="zh_TW")
    return [
        (m.id, m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string
    ]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("language") / "office"
    made = CliRunner(env={"DOCGEN_LANG": "en"}).invoke(cli, ["init", str(root), "--example"])
    assert made.exit_code == 0, made.output
    return root


@pytest.fixture
def office(example: Path, tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "office"
    shutil.copytree(example, root)
    yield root


def _run(office: Path, args: list[str], *, lang: str | None) -> tuple[int, str]:
    """``docgen`` as a person runs it (errors printed by ``main``), DOCGEN_LANG unset:
    the exit code and everything printed."""
    queries = sorted((office / "data" / "queries").glob("2026-10*"))[0]
    argv = [a.format(queries=queries, missing=office / "none.pdf") for a in args]
    prefix = ["--lang", lang] if lang else []
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("DOCGEN_LANG", raising=False)
        patch.setenv("COLUMNS", "100")
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main([*prefix, "-w", str(office), *argv])
            except SystemExit as exit:
                code = int(exit.code or 0)
    return code, out.getvalue() + err.getvalue()


def _english_messages_in(text: str, messages: list[tuple[str, str]]) -> list[str]:
    """docgen's English message IDs (long enough not to be a word of data) in ``text``."""
    return [msgid for msgid, _ in messages if len(msgid) >= 16 and msgid in text]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_the_default_language_is_traditional_chinese(office: Path, args: list[str]) -> None:
    _, shown = _run(office, args, lang=None)
    assert CJK.search(shown), shown
    assert not _english_messages_in(shown, _messages()), shown


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_lang_en_speaks_english(office: Path, args: list[str]) -> None:
    _, shown = _run(office, args, lang="en")
    # Sentences only (full-width punctuation in them): a label's translation may also be
    # the office's data (the forms' Chinese field titles, shown in either language).
    chinese = [zh for _, zh in _messages() if len(zh) >= 6 and SENTENCE.search(zh) and zh in shown]
    assert not chinese, shown
    assert re.search(r"[A-Za-z]{4,}", shown)


def test_both_languages_end_alike(office: Path) -> None:
    """The exit code does not depend on the language."""
    for args in COMMANDS:
        assert _run(office, args, lang=None)[0] == _run(office, args, lang="en")[0], args


def test_a_usage_mistake_and_a_user_error_are_one_chinese_line(office: Path) -> None:
    code, shown = _run(office, ["calendar", "--no-such-option"], lang=None)
    assert code == 2
    assert "錯誤：" in shown and "--no-such-option" in shown
    code, shown = _run(
        office, ["audit", "sample", "--month", "2026-13", "--queries", "x"], lang=None
    )
    assert code == 2, "a file that is not there is click's usage error"
    assert "錯誤：" in shown
    code, shown = _run(office, ["audit", "size", "--month", "2026-13", "--count", "5"], lang=None)
    assert code in (2, 3) and shown.count("\n") <= 4 and "錯誤：" in shown, shown


def test_the_language_comes_from_the_option_the_environment_or_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "docgen.toml").write_text('language = "en"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert choose_language([], {}) == "zh_TW"
    assert choose_language(["-w", str(root), "journal", "verify"], {}) == "en"
    assert choose_language([f"--workspace={root}"], {}) == "en"
    assert choose_language([], {"DOCGEN_WORKSPACE": str(root)}) == "en"
    assert choose_language(["-w", str(root)], {"DOCGEN_LANG": "zh-TW"}) == "zh_TW"
    assert choose_language(["--lang", "zh_TW", "-w", str(root)], {"DOCGEN_LANG": "en"}) == "zh_TW"
    assert choose_language(["--lang=en"], {}) == "en"
    monkeypatch.chdir(root)
    assert choose_language([], {}) == "en", "found upwards like the workspace itself"


def test_a_language_docgen_does_not_speak_is_a_usage_error(office: Path) -> None:
    result = CliRunner(env={"DOCGEN_LANG": "fr"}).invoke(cli, ["-w", str(office), "forms", "list"])
    assert result.exit_code == 2
    assert "DOCGEN_LANG" in result.output and "fr" in result.output
    config = office / "docgen.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('language = "zh_TW"', 'language = "fr"'), encoding="utf-8")
    refused = CliRunner(env={"DOCGEN_LANG": None}).invoke(
        cli, ["-w", str(office), "accounts", "list"]
    )
    assert isinstance(refused.exception, ConfigError), refused.output
    assert "language" in str(refused.exception)


@pytest.mark.parametrize("args", [["--help"], ["audit", "sample", "--help"], ["forms", "--help"]])
def test_chinese_help_fits_the_terminal(office: Path, args: list[str]) -> None:
    """The help formatter measures display width: a CJK character takes two columns."""
    _, shown = _run(office, args, lang=None)
    assert CJK.search(shown)
    too_wide = [line for line in shown.splitlines() if display_width(line) > 100]
    assert not too_wide, too_wide
