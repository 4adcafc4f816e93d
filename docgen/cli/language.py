"""Which language a run speaks (ISSUE 11 item 1): ``--lang``, else ``DOCGEN_LANG``,
else the workspace's ``language`` in ``docgen.toml``, else Traditional Chinese.

It is chosen before click parses anything, so that ``--help`` and a usage error are
in that language too; a value that names no language is left for the option, the
variable or the configuration to refuse in the usual way.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

from docgen.config import CONFIG_NAME, find_workspace_root
from docgen.i18n import DEFAULT_LANGUAGE, language_code


def _option(args: Sequence[str], *names: str) -> str | None:
    """The value given to option ``names`` among ``args``, as ``-x V`` or ``--x=V``."""
    for at, arg in enumerate(args):
        if arg == "--":
            break
        if arg in names and at + 1 < len(args):
            return args[at + 1]
        for name in names:
            if name.startswith("--") and arg.startswith(name + "="):
                return arg[len(name) + 1 :]
    return None


def _configured(args: Sequence[str], environ: Mapping[str, str]) -> str | None:
    named = _option(args, "-w", "--workspace") or environ.get("DOCGEN_WORKSPACE")
    root = Path(named) if named else find_workspace_root(Path.cwd())
    if root is None:
        return None
    try:
        value = tomllib.loads((root / CONFIG_NAME).read_text(encoding="utf-8")).get("language")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # the command that opens the workspace says what is wrong with it
    return value if isinstance(value, str) else None


def choose_language(args: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language for a run with command-line ``args`` (see the module)."""
    environ = os.environ if environ is None else environ
    for given in (
        _option(args, "--lang"),
        environ.get("DOCGEN_LANG"),
        _configured(args, environ),
    ):
        if given:
            return language_code(given) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE
