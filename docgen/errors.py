"""One exception hierarchy for docgen.

Every error a user can cause carries a message that says what is wrong and, where
possible, how to fix it, and an exit code. The CLI turns them into ``Error: …``
and the code in exactly one place (:func:`docgen.cli.main.main`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from docgen.i18n import _
from docgen.textsafe import escape_controls


class ExitCode(IntEnum):
    """Process exit codes, documented in the README."""

    OK = 0
    ERROR = 1
    USAGE = 2
    INPUT = 3
    CONFIG = 4
    INTEGRITY = 5
    INCOMPLETE = 6
    EXTERNAL = 7


class DocgenError(Exception):
    """Base class: ``str(error)`` is the message shown to the user.

    The message is one line, and each of ``details`` one indented line under it:
    control characters in them (a newline in a file name) are escaped, so that no
    value can split or forge a line (ISSUE 9 item 13)."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, details: Sequence[str] = ()) -> None:
        text = escape_controls(message) + "".join(f"\n  {escape_controls(d)}" for d in details)
        super().__init__(text)
        self.message = text

    def __str__(self) -> str:
        return self.message


class UsageError(DocgenError):
    """The command was called wrongly: options missing, contradicting or out of place
    (ISSUE 11 item 3: a usage mistake exits 2 everywhere, as click's own do)."""

    exit_code = ExitCode.USAGE


class InputError(DocgenError):
    """A file or value given by the user is wrong (bad date, unreadable file, bad row)."""

    exit_code = ExitCode.INPUT


class ConfigError(DocgenError):
    """The workspace configuration is wrong: names the key and the file."""

    exit_code = ExitCode.CONFIG


class IntegrityError(DocgenError):
    """Stored evidence no longer matches: the journal chain, a manifest, a hash."""

    exit_code = ExitCode.INTEGRITY


class IncompleteError(DocgenError):
    """Something the regulation requires is missing (evidence check, missing records)."""

    exit_code = ExitCode.INCOMPLETE


class ExternalToolError(DocgenError):
    """An external program (LibreOffice, Ghostscript, qpdf) failed or is missing."""

    exit_code = ExitCode.EXTERNAL


@dataclass(frozen=True)
class RowProblem:
    """One problem in one row of an input file; ``row`` counts as a person would
    (the header is row 1 in a table; data starts at row 2)."""

    file: str
    row: int | None
    column: str | None
    problem: str

    def __str__(self) -> str:
        if self.row is not None and self.column:
            where = _("{file}, row {row}, column {column}")
        elif self.row is not None:
            where = _("{file}, row {row}")
        elif self.column:
            where = _("{file}, column {column}")
        else:
            where = "{file}"
        shown = where.format(file=self.file, row=self.row, column=self.column)
        return f"{shown}: {self.problem}"


class ValidationFailed(InputError):
    """One or more rows of an input file are invalid; all of them are listed."""

    def __init__(self, problems: Sequence[RowProblem], total: int | None = None) -> None:
        self.problems = list(problems)
        self.total = total if total is not None else len(self.problems)
        more = self.total - len(self.problems)
        tail = [_("… and {count} more").format(count=more)] if more > 0 else []
        files = ", ".join(sorted({p.file for p in self.problems}))
        head = _("{count} invalid row(s) in {files}:").format(count=self.total, files=files)
        super().__init__(head, [str(p) for p in self.problems] + tail)
